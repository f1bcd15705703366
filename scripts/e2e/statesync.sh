#!/usr/bin/env bash
# End to end: a fresh node joins a running 4-validator devnet by state sync and then
# answers the queries of every custom module exactly as a validator does.
#
#   scripts/e2e/statesync.sh
#
# 1. scripts/devnet.sh start (4 validators, miners, auditors, router, dashboard; snapshots
#    every SNAPSHOT_INTERVAL blocks; every validated task audited, a one-minute data epoch)
# 2. state in every custom module: chat completions through the router (sessions, tasks,
#    payments, node stats, audits), the data pool funded (targets each minute)
# 3. after the next snapshot: a new home (`cortd init`) with the devnet's genesis, ports of
#    its own, [statesync] enable with rpc_servers = node0's and node1's RPC and the trust
#    height and hash read from node1's RPC; started and timed until it restored a snapshot
#    and until it caught up with the validators
# 4. it holds no block below the snapshot (it did not replay from genesis), its blocks
#    and app hash match the validators', and every query below returns at one height
#    byte for byte what node1 (a validator) returns
# Figures: snapshot height, restore and catch-up seconds (docs/performance.md).
# Environment: PORT_BASE (default 29200), SNAPSHOT_INTERVAL (20), E2E_HOME, KEEP=1, E2E_BUILD=0.
set -euo pipefail
NAME=statesync
PB=${PORT_BASE:-29200}
CHAIN_ID=cort-e2e-statesync
SNAP=${SNAPSHOT_INTERVAL:-20}
# shellcheck source=scripts/e2e/devnet-lib.sh
source "$(dirname "$0")/devnet-lib.sh"

build
log "devnet: $N validators, snapshots every $SNAP blocks (ports from $PB)"
DEVNET_SNAPSHOT_INTERVAL=$SNAP \
DEVNET_GENESIS_JQ='.app_state.sessions.params.audit_fraction_bps = 10000
  | .app_state.data.params += {epoch_identifier: "minute", models_per_target: 1, targets_per_epoch: 2}' \
  devnet start >"$E2E_HOME/devnet-start.log" 2>&1 || fail "devnet start: $(tail -20 "$E2E_HOME/devnet-start.log")"
log "devnet up at height $(height_of 0)"

log "state in every module: chat completions through the router (audited), the data pool funded"
send_tx data fund-pool 50000000 --from user
for i in 1 2 3; do log "  task $(chat "State sync e2e request $i")"; done
audited() { [ "$(qn 0 audits auditors | jq '[.records[]? | select((.assigned // "0" | tonumber) > 0)] | length')" -ge 1 ]; }
wait_for "an audit assigned" 90 audited
wait_for "data targets" 90 sh -c "[ \"\$($BIN q data targets --node $(rpc 0) -o json | jq '.targets | length')\" -ge 1 ]"

# The snapshot to restore is the first one taken after the state above.
h=$(height_of 0)
S=$(( (h / SNAP + 1) * SNAP ))
log "waiting for the snapshot at height $S (now $h)"
wait_for "height $((S + 3))" $(((S + 3 - h) * 3 + 30)) past 0 $((S + 3))

J=$E2E_HOME/joiner
JI=$N   # the joiner takes the port block after the validators'
"$BIN" init joiner --chain-id "$CHAIN_ID" --home "$J" >/dev/null 2>&1
cp "$NET/node0/config/genesis.json" "$J/config/genesis.json"
# toml_set FILE SECTION KEY VALUE: set KEY (already present) inside [SECTION] ("" = top).
toml_set() {
  awk -v sec="$2" -v key="$3" -v val="$4" '
    /^\[/ { cur = substr($0, 2, length($0) - 2) }
    cur == sec && $1 == key && $2 == "=" { print key " = " val; done = 1; next }
    { print }
    END { if (!done) exit 3 }' "$1" >"$1.new" || fail "toml_set $*: key not found"
  mv "$1.new" "$1"
}
peers=""
for i in $(seq 0 $((N - 1))); do
  peers+="${peers:+,}$("$BIN" comet show-node-id --home "$NET/node$i")@127.0.0.1:$(port "$i" 0)"
done
TH=$(( $(height_of 1) - 2 ))
TH_HASH=$(curl -fsS "$(rpc_url 1)/block?height=$TH" | jq -r .result.block_id.hash)
[ ${#TH_HASH} = 64 ] || fail "no trust hash for height $TH from node1"
C=$J/config/config.toml
toml_set "$C" "" proxy_app "\"tcp://127.0.0.1:$(port $JI 4)\""
toml_set "$C" rpc laddr "\"tcp://127.0.0.1:$(port $JI 1)\""
toml_set "$C" rpc pprof_laddr '""'
toml_set "$C" p2p laddr "\"tcp://127.0.0.1:$(port $JI 0)\""
toml_set "$C" p2p persistent_peers "\"$peers\""
toml_set "$C" p2p addr_book_strict false
toml_set "$C" p2p allow_duplicate_ip true
toml_set "$C" consensus timeout_commit '"1s"'
toml_set "$C" statesync enable true
toml_set "$C" statesync rpc_servers "\"$(rpc_url 0),$(rpc_url 1)\""
toml_set "$C" statesync trust_height "$TH"
toml_set "$C" statesync trust_hash "\"$TH_HASH\""
toml_set "$C" instrumentation prometheus true
toml_set "$C" instrumentation prometheus_listen_addr "\"127.0.0.1:$(port $JI 5)\""
A=$J/config/app.toml
toml_set "$A" api address "\"tcp://127.0.0.1:$(port $JI 3)\""
toml_set "$A" grpc address "\"127.0.0.1:$(port $JI 2)\""

log "joiner: state sync from $(rpc_url 0),$(rpc_url 1), trusting height $TH ($TH_HASH)"
# Pid files in the devnet's home, so `scripts/devnet.sh stop` stops the joiner too.
echo "$BIN start --home $J --log_no_color" >"$DEVNET_HOME/join0.cmd"
t_start=$(date +%s.%N)
setsid nohup "$BIN" start --home "$J" --log_no_color >>"$E2E_HOME/joiner.log" 2>&1 </dev/null &
echo $! >"$DEVNET_HOME/join0.pid"
JOIN=$JI   # rpc of the joiner is port $JI 1: height_of/qn/header_at take it as a node index

alive() { kill -0 "$(cat "$DEVNET_HOME/join0.pid")" 2>/dev/null || fail "the joiner exited"; }
restored() { alive; grep -q 'Snapshot restored' "$E2E_HOME/joiner.log"; }
until_ok 120 restored || fail "no snapshot restored in 120 s"
t_restored=$(date +%s.%N)
RS=$(grep 'Snapshot restored' "$E2E_HOME/joiner.log" | head -1 | sed -n 's/.*height=\([0-9]*\).*/\1/p')
log "snapshot at height $RS restored"
caught_up() {
  local j
  alive
  j=$(status_of "$JOIN") || return 1
  [ "$(echo "$j" | jq -r .result.sync_info.catching_up)" = false ] &&
    [ "$(echo "$j" | jq -r .result.sync_info.latest_block_height)" -ge $(($(height_of 0) - 1)) ]
}
until_ok 120 caught_up || fail "joiner not caught up in 120 s after the restore"
t_caught=$(date +%s.%N)
restore_s=$(awk -v a="$t_start" -v b="$t_restored" 'BEGIN { print b - a }')
join_s=$(awk -v a="$t_start" -v b="$t_caught" 'BEGIN { print b - a }')
log "joiner caught up at height $(height_of "$JOIN") (validators at $(height_of 0))"

earliest=$(status_of "$JOIN" | jq -r .result.sync_info.earliest_block_height)
[ "$earliest" -gt 1 ] || fail "the joiner holds blocks from $earliest: it replayed instead of state-syncing"
[ "$RS" -ge "$S" ] || fail "restored snapshot $RS is older than $S (the state made above)"

H=$(( $(height_of "$JOIN") - 1 ))
wait_for "node1 past $H" 20 past 1 $((H + 1))
[ "$(header_at "$JOIN" "$H")" = "$(header_at 1 "$H")" ] || fail "block $H: joiner $(header_at "$JOIN" "$H"), node1 $(header_at 1 "$H")"
log "block $H and its app hash agree: $(header_at 1 "$H")"

# Every custom module's queries at height H, on the joiner and on node1.
M0=$(addr miner0 "$NET/node0"); V0=$(addr node0); R=$(addr router)
SID=$(qn 0 sessions sessions "$R" | jq -r '.sessions[0].id')
TID=$(qn 0 sessions tasks "$SID" | jq -r '.tasks[0].id')
TGT=$(qn 0 data targets | jq -r '.targets[0].id')
AUD=$(qn 0 audits subject sessions "$TID" | jq -r '.audits[0].id // empty')
[ -n "$AUD" ] || AUD=1
QUERIES=(
  "models params" "models list" "models model tiny"
  "nodes params" "nodes list" "nodes node miner0" "nodes pools" "nodes rewards-pool" "nodes period"
  "nodes eligible tiny" "nodes by-operator $M0" "nodes operator $M0" "nodes levels miner0" "nodes periods miner0"
  "sessions params" "sessions queue" "sessions sessions $R" "sessions session $SID" "sessions tasks $SID"
  "sessions task $TID" "sessions assignments miner0"
  "payments params" "payments session-balance $SID" "payments pending $M0"
  "audits params" "audits auditors" "audits open" "audits auditor $V0" "audits assigned $V0"
  "audits subject sessions $TID" "audits audit $AUD" "audits votes $AUD"
  "data params" "data pool" "data targets" "data target $TGT"
  "challenges params" "challenges challenges" "challenges rewards miner0" "challenges opted-in miner0"
)
mkdir -p "$E2E_HOME/q"
declare -A per_module
nonempty=0
for qy in "${QUERIES[@]}"; do
  # shellcheck disable=SC2086 # each entry is a word list
  a=$(cortd q $qy --height "$H" --node "$(rpc "$JOIN")" -o json 2>&1) || fail "joiner: q $qy at $H: $a"
  # shellcheck disable=SC2086
  b=$(cortd q $qy --height "$H" --node "$(rpc 1)" -o json 2>&1) || fail "node1: q $qy at $H: $b"
  [ "$a" = "$b" ] || { diff <(echo "$b" | jq -S .) <(echo "$a" | jq -S .) >&2 || true; fail "q $qy at height $H: the joiner's answer differs from node1's"; }
  [ "$(echo "$a" | jq -c .)" = "{}" ] || nonempty=$((nonempty + 1))   # e.g. an empty queue answers {}
  m=${qy%% *}; per_module[$m]=$(( ${per_module[$m]:-0} + 1 ))
done
summary=""; for m in models nodes sessions payments audits data challenges; do summary+=" $m ${per_module[$m]:-0}"; done
log "${#QUERIES[@]} queries at height $H agree, $nonempty with non-empty answers (per module:$summary)"
[ "$nonempty" -ge $((${#QUERIES[@]} - 5)) ] || fail "only $nonempty of ${#QUERIES[@]} answers are non-empty: the comparison proves little"
[ "$(qn "$JOIN" sessions task "$TID" | jq -r .task.status)" = TASK_STATUS_VALIDATED ] || fail "joiner: task $TID not validated"

printf 'state sync: snapshot at height %s (every %s blocks), restored %.1f s and caught up %.1f s after start; load %s\n' \
  "$RS" "$SNAP" "$restore_s" "$join_s" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$E2E_HOME/figures.txt"
echo "PASS"
