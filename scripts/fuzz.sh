#!/usr/bin/env bash
# Runs every fuzz target briefly (default 10s each). Usage: scripts/fuzz.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-10s}
targets=(
  "FuzzParseHeader ./sidecar/engine/safetensors"
  "FuzzGPT2RoundTrip ./sidecar/engine/tokenizer"
  "FuzzJudge ./x/sessions/types"
  "FuzzSubmitData ./x/data/keeper"
)
for entry in "${targets[@]}"; do
  read -r name pkg <<<"$entry"
  echo "==> fuzz $name ($pkg, $t)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg"
done
