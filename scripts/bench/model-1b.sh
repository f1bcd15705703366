#!/usr/bin/env bash
# Load time, resident memory and tokens/s of a Llama 3.2 1B-shaped random model (16 layers,
# 2048 wide, 32 heads, 8 key/value heads, MLP 8192, Llama 3 rope_scaling, tied embeddings)
# read from 4 bf16 shards, as docs/performance.md reports them. The folder (~2 GB) is made
# once by `cortd-sidecar model init` and kept in DIR (default /tmp/cortd-llama3-1b).
#
#   scripts/bench/model-1b.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:-/tmp/cortd-llama3-1b}
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;" \
  "$(grep -m1 -o 'avx512f' /proc/cpuinfo || echo 'no avx512f'), $(grep -m1 -o 'avx2' /proc/cpuinfo || echo 'no avx2')"
if [ ! -f "$DIR/model.safetensors.index.json" ]; then
  go build -o build/cortd-sidecar ./cmd/cortd-sidecar
  echo "writing the model into $DIR"
  time build/cortd-sidecar model init --arch llama3 --dtype bf16 --shards 4 --dim 2048 --layers 16 --heads 32 \
    --kv-heads 8 --ff 8192 --context 2048 --seed 1 --out "$DIR" >/dev/null
fi
du -sh "$DIR"
cat "$DIR"/*.safetensors >/dev/null   # warm page cache: the load time below is decoding, not the disk
CORTD_MEASURE_DIR=$DIR go test -count=1 -run TestMeasureLargeModel -v -timeout 30m ./sidecar/engine/native/ | grep -v '^=== RUN'
