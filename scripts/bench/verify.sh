#!/usr/bin/env bash
# Verification benchmark (issue 24): builds scripts/bench/verifybench and runs it: for each
# built-in random model, each class of node (honest, random text, unrelated fluent text, a
# copied answer, a truncated answer, other weights of the same shape, the q8_0 and bf16
# weights, wrong temperature, wrong seed, prompt ignored) and both verification modes, TASKS
# tasks of redundancy 3 (two honest native nodes and one of the class) are validated by the
# chain's own judges and audited by the auditor's own check, in one process (see the
# program's doc comment for why). Prints the markdown report and writes it to OUT.
#
#   scripts/bench/verify.sh          (make bench-verify)
#
# Environment: TASKS (per model, class and mode; default 100), MAX_TOKENS (32), MODELS
# (tiny,tiny-llama,tiny-bpe), MODEL (a safetensors model folder instead), OUT (default
# build/bench-verify.md), BIG (1: also time the long replay on a GPT-2-small-shaped random
# model, ~1 min; 0 skips it), VERIFYBENCH_ARGS (more flags).
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=${OUT:-build/bench-verify.md}
mkdir -p "$(dirname "$OUT")" build
echo "==> $(date +%T) building verifybench"
go build -o build/verifybench ./scripts/bench/verifybench
args=(-tasks "${TASKS:-100}" -max-tokens "${MAX_TOKENS:-32}" -out "$OUT" -big="$([ "${BIG:-1}" = 1 ] && echo true || echo false)")
if [ -n "${MODEL:-}" ]; then args+=(-model "$MODEL"); else args+=(-models "${MODELS:-tiny,tiny-llama,tiny-bpe}"); fi
echo "==> $(date +%T) running: build/verifybench ${args[*]} ${VERIFYBENCH_ARGS:-}"
echo "    machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
# shellcheck disable=SC2086
build/verifybench "${args[@]}" ${VERIFYBENCH_ARGS:-}
echo "==> $(date +%T) done in $(( $(date +%s) - start )) s; report in $OUT; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
