#!/usr/bin/env bash
# Runs every fuzz target briefly, bounded by an execution count rather than a duration.
#
# Why counts: a duration-bounded `-fuzztime` in Go 1.26 can fail with a bare
# "context deadline exceeded" at the very end of the window, with no crasher, when
# a worker is starved of CPU at that moment (a race in the fuzz coordinator,
# go.dev/issue/75804, fixed in Go 1.27). CI's 2-core machines hit it. A count
# (`-fuzztime Nx`) has no deadline, so a slow machine only takes longer.
# The counts below take roughly 10 s each on 2 cores.
#
# Usage: scripts/fuzz.sh [scale]   scale multiplies every count (default 1);
#        FUZZTIME=5m scripts/fuzz.sh  uses that duration for every target instead
#        (for long local runs, where the race does not matter).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
targets=(
  "FuzzParseHeader ./sidecar/engine/safetensors 300000"
  "FuzzParseIndex ./sidecar/engine/safetensors 300000"
  "FuzzParseConfig ./sidecar/engine/native 150000"
  "FuzzGPT2RoundTrip ./sidecar/engine/tokenizer 40000"
  "FuzzJudge ./x/sessions/types 25000"
  "FuzzSubmitData ./x/data/keeper 12000"
  "FuzzCheckURL ./sidecar/fetch 30000"
  "FuzzCheckPatch ./sidecar/evaluator 3000"
  "FuzzUnpack ./sidecar/evaluator 2000"
  "FuzzReportLine ./sidecar/evaluator 20000"
  "FuzzApplyPatch ./sidecar/evaluator 3000"
  "FuzzOpen ./sidecar/engine/gguf 200000"
  "FuzzDequantize ./sidecar/engine/quant 200000"
  "FuzzLoadGGUF ./sidecar/engine/native 4000"
)
for entry in "${targets[@]}"; do
  read -r name pkg count <<<"$entry"
  t=${FUZZTIME:-$(( count * scale ))x}
  echo "==> fuzz $name ($pkg, $t)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" "$pkg"
done
