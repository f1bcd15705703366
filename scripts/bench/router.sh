#!/usr/bin/env bash
# Router benchmark: its own chain, three miners and the router on loopback (scripts/localnet.sh
# in a temp home with ports from PORT_BASE), then scripts/bench/routerbench sends chat
# completions from 1, 10 and 50 concurrent clients and prints a markdown table of throughput
# (requests/s) and latency p50/p95 in seconds and in blocks.
#
#   scripts/bench/router.sh                 (make bench-router)
#
# Environment: PORT_BASE (default 25600), BENCH_HOME (default: a temp dir), KEEP=1 keeps it,
# CLIENTS (default 1,10,50), REQUESTS (per level, default 20,100,200), MAX_TOKENS (16),
# BENCH_MINER_ARGS / BENCH_ROUTER_ARGS (extra flags for the miners / the router).
# The router runs without rate limits or spending budgets (--rate 0 --task-rate 0, budgets 0) so
# the limit measured is the network's.
# With the miners' default --concurrency 2 the miners are the limit (about 1 task/s: a miner's
# slot is held while its precommit/commit waits for inclusion); BENCH_MINER_ARGS="--concurrency 16"
# measures the router and chain instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PORT_BASE=${PORT_BASE:-25600}
BENCH_HOME=${BENCH_HOME:-$(mktemp -d /tmp/cortd-bench-router.XXXXXX)}
export LOCALNET_HOME=$BENCH_HOME/net
export CHAIN_ID=cort-bench-router
export LOCALNET_MINER_ARGS=${BENCH_MINER_ARGS:-}
export LOCALNET_ROUTER_ARGS="--rate 0 --task-rate 0 --key-budget-minute 0 --key-budget-day 0 --global-budget-minute 0 --global-budget-day 0 --request-timeout 3m ${BENCH_ROUTER_ARGS:-}"
CLIENTS=${CLIENTS:-1,10,50}
REQUESTS=${REQUESTS:-20,100,200}
MAX_TOKENS=${MAX_TOKENS:-16}

cleanup() {
  bash scripts/localnet.sh stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $BENCH_HOME"; else rm -rf "$BENCH_HOME"; fi
}
trap cleanup EXIT

echo "==> $(date +%T) starting the network (home $LOCALNET_HOME, ports from $PORT_BASE)"
bash scripts/localnet.sh >"$BENCH_HOME/localnet.out" 2>&1 || { cat "$BENCH_HOME/localnet.out" >&2; exit 1; }
grep '^==>' "$BENCH_HOME/localnet.out"

echo "==> $(date +%T) building routerbench"
go build -o "$BENCH_HOME/routerbench" ./scripts/bench/routerbench

echo "==> $(date +%T) benchmark: clients $CLIENTS, requests $REQUESTS, max_tokens $MAX_TOKENS"
echo "    machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BENCH_HOME/routerbench" -router "http://127.0.0.1:$((PORT_BASE + 80))" -key "$(head -1 "$LOCALNET_HOME/router-api-keys")" \
  -rpc "http://127.0.0.1:$((PORT_BASE + 57))" -model tiny -clients "$CLIENTS" -requests "$REQUESTS" -max-tokens "$MAX_TOKENS"
echo "    load after: $(cut -d' ' -f1-3 /proc/loadavg)"
