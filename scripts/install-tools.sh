#!/usr/bin/env bash
# Builds the pinned developer tools from tools/go.mod into .bin/ (idempotent, offline
# after the first module download). Usage: install-tools.sh proto
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .bin
need=()
for t in buf protoc-gen-gocosmos protoc-gen-grpc-gateway protoc-gen-go-pulsar; do
  [ -x ".bin/$t" ] || need+=("$t")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "building tools: ${need[*]} (first time only, a few minutes)" >&2
  (cd tools && GOBIN="$PWD/../.bin" go install tool)
fi
