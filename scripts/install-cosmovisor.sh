#!/usr/bin/env bash
# Builds cosmovisor (cosmossdk.io/tools/cosmovisor, pinned in tools/cosmovisor/go.mod: v1.5.0,
# the newest release whose source the Go module proxy serves here) into .bin/cosmovisor.
# Idempotent; a few minutes the first time. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .bin/cosmovisor ]; then
  mkdir -p .bin
  echo "building cosmovisor (first time only, a few minutes)" >&2
  (cd tools/cosmovisor && GOBIN="$PWD/../../.bin" go install tool)
fi
echo "$PWD/.bin/cosmovisor"
