#!/usr/bin/env bash
# Chain throughput benchmark (issue 20): what one node commits, and what a request costs in
# txs. Two networks of its own on loopback (scripts/localnet.sh in a temp home, ports from
# PORT_BASE, which no other script uses):
#   1. chain only (one validator, model "tiny" registered, no miners): scripts/bench/chainbench
#      signs unordered txs offline and broadcasts them to CometBFT's RPC, one row per mode,
#      messages per tx and rate: bank sends and session submissions (they stay queued: no node
#      takes them);
#   2. the full local network (three miners, the router): scripts/bench/routerbench sends
#      completions through the router, then chainbench's observe mode counts every message and
#      tx of those blocks by type and the tasks validated: txs per validated request, and how
#      many blocks each protocol step took. While it runs, chainbench's lag mode times when
#      each block reaches a subscriber after its votes; after it, the CPU per answered request
#      of each process and the load generator, and the cores' share used.
# It prints the CPU (model and the instruction-set flags that matter) and the load average;
# chainbench prints the load at the start and end of each row and its maximum.
#
#   scripts/bench/chain.sh            (make bench-chain)
#
# Environment: PORT_BASE (28400), BENCH_HOME (a temp dir; KEEP=1 keeps it), BLOCK_TIME (1s),
# MODES (chain flow; also export: EXPORT_TASKS (10000) tasks in state, then `cortd export`
# timed), DURATION per row (15s), RATES (0 = flat out; a list, e.g. 200,0),
# MSGS (messages per tx, a list: 1,10), SUBMIT_MSGS (1,10), MAX_MSGS (24000: messages signed
# before a row, so a flat-out row of 10-message txs signs 2,400 txs), ACCOUNTS (4), WORKERS (16),
# FLOW_CLIENTS (1,20), FLOW_REQUESTS (10,60), MAX_TOKENS (8), BENCH_MINER_ARGS (--concurrency 16),
# LOCALNET_SIDECAR_NICE (10 in flow mode: the miners' and router's niceness),
# SIDECAR_BIN (a cortd-sidecar binary to run the flow with instead of this tree's, e.g. one
# built before batching, for a before/after comparison).
#
# MODES=overload: the full network under an open-loop load of OVERLOAD_RATE requests/s
# (1000: twice the 500 requests/s target) for OVERLOAD_DURATION (10m); the router sheds
# what is past --max-in-flight (OVERLOAD_MAX_IN_FLIGHT, 2000) with 503 "overloaded". Then
# every task of the router's sessions must end (none left running or queued) and each
# session's escrow must add up (deposited = free + reserved + paid + refunded, reserved 0).
# It exits non-zero on any lost request (no answer, no receipt, an unreadable error), a
# task that never ends, or escrow that does not add up. CI runs it briefly (.ci/run: 600/s
# for 30 s, --max-in-flight 1000).
#
# The x/sessions per-block bounds are raised for these runs (LOCALNET_GENESIS_JQ, default
# below): max_assignments_per_block 1000, max_prunes_per_block 1000, max_deadlines_per_block
# 2000.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PORT_BASE=${PORT_BASE:-28400}
BENCH_HOME=${BENCH_HOME:-$(mktemp -d /tmp/cortd-bench-chain.XXXXXX)}
MODES=${MODES:-chain flow}
DURATION=${DURATION:-15s}
RATES=${RATES:-0}
MSGS=${MSGS:-1,10}
SUBMIT_MSGS=${SUBMIT_MSGS:-1,10}
MAX_MSGS=${MAX_MSGS:-24000}
ACCOUNTS=${ACCOUNTS:-4}
WORKERS=${WORKERS:-16}
FLOW_CLIENTS=${FLOW_CLIENTS:-1,20}
FLOW_REQUESTS=${FLOW_REQUESTS:-10,60}
MAX_TOKENS=${MAX_TOKENS:-8}
EXPORT_TASKS=${EXPORT_TASKS:-10000}
BIN=$BENCH_HOME/bin
RPC=http://127.0.0.1:$((PORT_BASE + 57))
GRPC=127.0.0.1:$((PORT_BASE + 90))
# No dashboard: it follows every tx's events, which a validator's own machine does not
# serve on a real network; the benchmark measures the validator, the miners and the router.
export LOCALNET_HOME=$BENCH_HOME/net CHAIN_ID=cort-bench-chain BUILD_DIR=$BIN LOCALNET_BUILD=0 LOCALNET_DASHBOARD=${LOCALNET_DASHBOARD:-0}
export BLOCK_TIME=${BLOCK_TIME:-1s}
export LOCALNET_GENESIS_JQ=${LOCALNET_GENESIS_JQ:-'.app_state.sessions.params.max_assignments_per_block=1000 | .app_state.sessions.params.max_prunes_per_block=1000 | .app_state.sessions.params.max_deadlines_per_block=2000'}
OVERLOAD_RATE=${OVERLOAD_RATE:-1000}
OVERLOAD_DURATION=${OVERLOAD_DURATION:-10m}
OVERLOAD_MAX_IN_FLIGHT=${OVERLOAD_MAX_IN_FLIGHT:-2000}
ROUTER_ARGS="--rate 0 --task-rate 0 --key-budget-minute 0 --key-budget-day 0 --global-budget-minute 0 --global-budget-day 0 --topup-cap-day 0 --max-conns 8192"

cleanup() {
  bash scripts/localnet.sh stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $BENCH_HOME"; else rm -rf "$BENCH_HOME"; fi
}
trap cleanup EXIT

machine() {
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_vnni|avx512_bf16|sha_ni|aes)$' | tr '\n' ' ')
  echo "    machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), flags: ${flags:-none of avx/fma/sha}; load $(cut -d' ' -f1-3 /proc/loadavg)"
}
height() { curl -fsS "$RPC/status" | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
# answered: the requests the router has answered since it started (its metrics).
answered() { curl -fsS "http://127.0.0.1:$((PORT_BASE + 80))/metrics" | awk '/^cortd_router_answered_total / { print int($2); found = 1 } END { if (!found) print 0 }'; }

# chain_only: one validator with model "tiny" registered and no sidecars. Submissions need an
# active model; no file behind it is ever read (no node serves it).
chain_only() {
  echo "==> $(date +%T) chain only: one validator, ${BLOCK_TIME} blocks (home $LOCALNET_HOME, ports from $PORT_BASE)"
  LOCALNET_CHAIN_ONLY=1 bash scripts/localnet.sh >"$BENCH_HOME/localnet-chain.out" 2>&1 || { cat "$BENCH_HOME/localnet-chain.out" >&2; exit 1; }
  "$BIN/cortd" --home "$LOCALNET_HOME" tx models register tiny "bench model" gpt2 "file:///nonexistent/tiny" \
    "$(printf 'w%.0s' {1..64} | sha256sum | cut -d' ' -f1)" "$(printf 't%.0s' {1..64} | sha256sum | cut -d' ' -f1)" 64 1 \
    --from user --yes --gas auto --gas-adjustment 1.5 >/dev/null
  for _ in $(seq 1 30); do
    "$BIN/cortd" --home "$LOCALNET_HOME" q models model tiny >/dev/null 2>&1 && break
    sleep 1
  done
  "$BIN/cortd" --home "$LOCALNET_HOME" q models model tiny >/dev/null || { echo "model tiny not registered" >&2; exit 1; }
}

echo "==> $(date +%T) building cortd, cortd-sidecar, chainbench and routerbench into $BIN"
mkdir -p "$BIN"
go build -o "$BIN/cortd" ./cmd/cortd
go build -o "$BIN/cortd-sidecar" ./cmd/cortd-sidecar
go build -o "$BIN/chainbench" ./scripts/bench/chainbench
go build -o "$BIN/routerbench" ./scripts/bench/routerbench
machine

# proc_cpu: "name=ticks" for every localnet process (user + system clock ticks from
# /proc/PID/stat), so a flow run can say which process the cores went to.
proc_cpu() {
  local f name pid
  for f in "$LOCALNET_HOME"/*.pid; do
    name=$(basename "$f" .pid)
    pid=$(cat "$f")
    [ -r "/proc/$pid/stat" ] || continue
    echo "$name=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")"
  done
}
# cpu_delta BEFORE AFTER: CPU seconds each process used between the two proc_cpu lists.
cpu_delta() {
  awk -v hz="$(getconf CLK_TCK)" -v before="$1" -v after="$2" 'BEGIN {
    n = split(before, b, "\n"); for (i = 1; i <= n; i++) { split(b[i], kv, "="); t0[kv[1]] = kv[2] }
    n = split(after, a, "\n"); out = ""
    for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] in t0) out = out sprintf("%s %.1f, ", kv[1], (kv[2] - t0[kv[1]]) / hz) }
    print substr(out, 1, length(out) - 2)
  }'
}

# children_cpu FILE: the CPU seconds (user + system) of the children this shell has waited
# for, from the `times` builtin (run here, not in a subshell, whose children are its own).
children_cpu() {
  awk 'NR == 2 { split($0, f, " "); s = 0; for (i = 1; i <= 2; i++) { split(f[i], ms, "m"); s += ms[1] * 60 + ms[2] } print s }' "$1"
}
# cpu_budget DELTA BENCH_CPU ANSWERED WALL: CPU milliseconds per answered request by process
# and in all, and the share of the machine's cores the run used: a flow whose processes
# use every core queues, and its requests leave the protocol's floor.
cpu_budget() {
  awk -v d="$1" -v lg="$2" -v n="$3" -v wall="$4" -v cores="$(nproc)" 'BEGIN {
    if (n <= 0 || wall <= 0) exit
    k = split(d, parts, ", "); out = ""; tot = 0
    for (i = 1; i <= k; i++) { split(parts[i], kv, " "); tot += kv[2]; out = out sprintf("%s %.2f, ", kv[1], kv[2] * 1000 / n) }
    tot += lg
    printf "    CPU per answered request (ms): %sload generator %.2f; all %.2f, i.e. %.0f %% of %d cores over the %.1f s the load generator ran (every level, and 3 s after)\n",
      out, lg * 1000 / n, tot * 1000 / n, tot * 100 / (wall * cores), cores, wall
  }'
}

for mode in $MODES; do
  case $mode in
  chain)
    chain_only
    header=true
    IFS=, read -ra rates <<<"$RATES"
    for kind in bank submit; do
      list=$MSGS
      [ "$kind" = submit ] && list=$SUBMIT_MSGS
      IFS=, read -ra msgs <<<"$list"
      for m in "${msgs[@]}"; do
        for r in "${rates[@]}"; do
          "$BIN/chainbench" -mode "$kind" -label "$kind" -msgs "$m" -rate "$r" -duration "$DURATION" -max-txs "$((MAX_MSGS / m))" \
            -accounts "$ACCOUNTS" -workers "$WORKERS" -home "$LOCALNET_HOME" -from validator \
            -rpc "$RPC" -grpc "$GRPC" -header="$header" 2>"$BENCH_HOME/chainbench-$kind-$m-$r.log" ||
            { tail -20 "$BENCH_HOME/chainbench-$kind-$m-$r.log" >&2; exit 1; }
          header=false
        done
      done
    done
    bash scripts/localnet.sh stop >/dev/null
    ;;
  flow)
    if [ -n "${SIDECAR_BIN:-}" ]; then
      cp "$SIDECAR_BIN" "$BIN/cortd-sidecar"
      echo "==> flow with the sidecar $SIDECAR_BIN"
    fi
    # Every process shares these cores: the sidecars run at a lower priority, so the
    # node executes and commits its blocks first, as an operator co-hosting them would
    # set it. The miners' inference then runs in the time a submission waits for its
    # block (speculation), off the path from a block to the next proposal.
    export LOCALNET_SIDECAR_NICE=${LOCALNET_SIDECAR_NICE:-10}
    echo "==> $(date +%T) full network: one validator, three miners, the router (sidecars at nice $LOCALNET_SIDECAR_NICE)"
    export LOCALNET_MINER_ARGS=${BENCH_MINER_ARGS:---concurrency 16}
    export LOCALNET_ROUTER_ARGS="$ROUTER_ARGS --max-in-flight 0 --request-timeout 3m"
    bash scripts/localnet.sh >"$BENCH_HOME/localnet-flow.out" 2>&1 || { cat "$BENCH_HOME/localnet-flow.out" >&2; exit 1; }
    h0=$(height)
    key=$(head -1 "$LOCALNET_HOME/router-api-keys")
    answered0=$(answered)
    cpu_before=$(proc_cpu)
    # How long after its votes each block reaches a subscriber, while the load runs.
    "$BIN/chainbench" -mode lag -duration 2h -rpc "$RPC" >"$BENCH_HOME/lag.out" 2>"$BENCH_HOME/lag.log" &
    lag_pid=$!
    times >"$BENCH_HOME/times.before"
    t0=$(date +%s.%N)
    "$BIN/routerbench" -router "http://127.0.0.1:$((PORT_BASE + 80))" -key "$key" \
      -rpc "$RPC" -model tiny -clients "$FLOW_CLIENTS" -requests "$FLOW_REQUESTS" -max-tokens "$MAX_TOKENS" 2>"$BENCH_HOME/routerbench.log" ||
      { kill "$lag_pid" 2>/dev/null; tail -20 "$BENCH_HOME/routerbench.log" >&2; exit 1; }
    kill -INT "$lag_pid" 2>/dev/null
    sleep 3 # the last tasks' final txs
    # The flow's CPU, read before the observation below loads the node with queries.
    delta=$(cpu_delta "$cpu_before" "$(proc_cpu)")
    times >"$BENCH_HOME/times.after"
    wall=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')
    bench_cpu=$(awk -v a="$(children_cpu "$BENCH_HOME/times.after")" -v b="$(children_cpu "$BENCH_HOME/times.before")" 'BEGIN { print a - b }')
    h1=$(height)
    "$BIN/chainbench" -mode observe -label "router flow" -from-height "$((h0 + 1))" -to-height "$h1" -rpc "$RPC" -grpc "$GRPC"
    echo "    CPU seconds during the flow: $delta, load generator $(printf %.1f "$bench_cpu")"
    cpu_budget "$delta" "$bench_cpu" "$(($(answered) - answered0))" "$wall"
    wait "$lag_pid" 2>/dev/null
    cat "$BENCH_HOME/lag.out"
    for n in 1 2 3; do
      echo "    miner$n: $(curl -fsS "http://127.0.0.1:$((PORT_BASE + 100 + n))/metrics" | grep -E '^cortd_(miner_batch_txs_total|miner_batch_msgs_total|miner_batch_splits_total|miner_batch_resends_total|miner_batch_aimed_total|miner_batch_late_total|miner_batch_lead_milliseconds|sidecar_txs_simulated_total|sidecar_txs_gas_predicted_total|miner_speculation_[a-z]*_total) ' | tr '\n' ' ' || true)"
    done
    echo "    router: $(curl -fsS "http://127.0.0.1:$((PORT_BASE + 80))/metrics" | grep -E '^cortd_router_(answered_total|batch_txs_total|batch_msgs_total|batch_splits_total|batch_aimed_total|batch_late_total|batch_lead_milliseconds|batch_windowed_total|txs_simulated_total|txs_gas_predicted_total) ' | tr '\n' ' ' || true)"
    bash scripts/localnet.sh stop >/dev/null
    ;;
  overload)
    echo "==> $(date +%T) overload: one validator, three miners, the router; ${OVERLOAD_RATE} requests/s for ${OVERLOAD_DURATION}, router --max-in-flight ${OVERLOAD_MAX_IN_FLIGHT}"
    export LOCALNET_MINER_ARGS=${BENCH_MINER_ARGS:---concurrency 16}
    export LOCALNET_ROUTER_ARGS="$ROUTER_ARGS --max-in-flight $OVERLOAD_MAX_IN_FLIGHT --request-timeout 60s"
    bash scripts/localnet.sh >"$BENCH_HOME/localnet-overload.out" 2>&1 || { cat "$BENCH_HOME/localnet-overload.out" >&2; exit 1; }
    rc=0
    "$BIN/routerbench" -router "http://127.0.0.1:$((PORT_BASE + 80))" -key "$(head -1 "$LOCALNET_HOME/router-api-keys")" \
      -rpc "$RPC" -model tiny -rate "$OVERLOAD_RATE" -duration "$OVERLOAD_DURATION" -request-timeout 100s -max-tokens "$MAX_TOKENS" \
      -fail-on-lost 2>"$BENCH_HOME/routerbench-overload.log" || rc=$?
    echo "    router: $(curl -fsS "http://127.0.0.1:$((PORT_BASE + 80))/metrics" | grep -E '^cortd_router_(answered_total|shed_total|inflight_tasks|batch_txs_total|batch_msgs_total) ' | tr '\n' ' ' || true)"
    [ "$rc" = 0 ] || { echo "FAIL: requests lost (routerbench exit $rc)" >&2; tail -5 "$BENCH_HOME/routerbench-overload.log" >&2; exit 1; }
    router=$("$BIN/cortd" keys show router -a --keyring-backend test --home "$LOCALNET_HOME")
    q() { "$BIN/cortd" --home "$LOCALNET_HOME" --node "tcp://127.0.0.1:$((PORT_BASE + 57))" q "$@" -o json; }
    ok=0
    for _ in $(seq 1 120); do
      running=$(q sessions sessions "$router" | jq '[.sessions[]? | (.running // 0 | tonumber)] | add // 0')
      queued=$(q sessions queue | jq '.total // 0 | tonumber')
      if [ "$running" = 0 ] && [ "$queued" = 0 ]; then ok=1; break; fi
      sleep 1
    done
    [ "$ok" = 1 ] || { echo "FAIL: tasks still running ($running) or queued ($queued) 120 s after the load" >&2; exit 1; }
    for sid in $(q sessions sessions "$router" | jq -r '.sessions[].id'); do
      q payments session-balance "$sid" | jq -e '.balance | ((.deposited|tonumber) == (.free|tonumber) + (.reserved // "0"|tonumber) + (.paid|tonumber) + (.refunded|tonumber)) and ((.reserved // "0"|tonumber) == 0)' >/dev/null ||
        { echo "FAIL: session $sid escrow does not add up: $(q payments session-balance "$sid")" >&2; exit 1; }
      echo "    session $sid: $(q payments session-balance "$sid" | jq -c '.balance | {deposited, free, paid, refunded, tasks_settled}')"
    done
    echo "    overload: no request lost; every task ended; escrow adds up"
    bash scripts/localnet.sh stop >/dev/null
    ;;
  export)
    # Export size and time with EXPORT_TASKS tasks in state (issue 21): sessions submitted in
    # 10-message txs by chainbench on a chain with no miners (the tasks queue, then expire:
    # every one stays in state until retention prunes it), then the node is stopped and
    # `cortd export` timed.
    chain_only
    "$BIN/chainbench" -mode submit -label "export: submit" -msgs 10 -rate 0 -duration 120s -max-txs "$((EXPORT_TASKS / 10))" \
      -accounts "$ACCOUNTS" -workers "$WORKERS" -home "$LOCALNET_HOME" -from validator \
      -rpc "$RPC" -grpc "$GRPC" 2>"$BENCH_HOME/chainbench-export.log" || { tail -20 "$BENCH_HOME/chainbench-export.log" >&2; exit 1; }
    h=$(height)
    bash scripts/localnet.sh stop >/dev/null
    t0=$(date +%s.%N)
    "$BIN/cortd" export --home "$LOCALNET_HOME" --output-document "$BENCH_HOME/export.json" 2>"$BENCH_HOME/export.log" ||
      { tail -20 "$BENCH_HOME/export.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    n=$(jq '.app_state.sessions.tasks | length' "$BENCH_HOME/export.json")
    bytes=$(stat -c %s "$BENCH_HOME/export.json")
    awk -v h="$h" -v n="$n" -v b="$bytes" -v t0="$t0" -v t1="$t1" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
      'BEGIN { printf "    export at height %s: %s tasks, %d bytes (%.1f MB, %.0f bytes per task), %.2f s; load %s\n", h, n, b, b / 1e6, b / n, t1 - t0, l }'
    [ "$n" -ge "$EXPORT_TASKS" ] || { echo "only $n tasks in the export (wanted $EXPORT_TASKS)" >&2; exit 1; }
    ;;
  *) echo "unknown mode $mode (chain, flow, overload, export)" >&2; exit 2 ;;
  esac
done
echo "    load after: $(cut -d' ' -f1-3 /proc/loadavg)"
