#!/usr/bin/env bash
# End to end: the v2 software upgrade on a real 4-validator chain, run by cosmovisor.
#
#   scripts/e2e/upgrade.sh            (make e2e-upgrade)
#
# 1. builds v1 (the release the v2 upgrade starts from: commit V1_REF, checked out with
#    `git worktree` and built as a release process would) and v2 (this tree), cortd and
#    cortd-sidecar each, and cosmovisor (scripts/install-cosmovisor.sh)
# 2. 4 validator homes (`cortd testnet init-files`, ports moved to PORT_BASE) in cosmovisor's
#    layout: <home>/cosmovisor/genesis/bin/cortd = v1, <home>/cosmovisor/upgrades/v2/bin/cortd
#    = v2; every validator runs under `cosmovisor run start`
# 3. state on v1: a model, 3 miners (v1 sidecars) that register nodes with stakes, a session
#    with escrow, tasks validated and paid (pending payments: the state v2 migrates)
# 4. a `software-upgrade v2` gov proposal, deposited and voted yes by every validator, passes;
#    the v1 binaries halt at the height (UPGRADE "v2" NEEDED), cosmovisor switches every node
#    to upgrades/v2 and restarts it, the v2 handler runs the migrations
# 5. checks: every node runs v2 and agrees on app hashes before and after the upgrade height;
#    x/upgrade records v2 applied at the height, x/payments and x/data at consensus version 2
#    (x/data's claim_delay_epochs set to 1 by its migration); the
#    model, nodes and stakes, session escrow, tasks and every operator's pending payments
#    read exactly as before; with v2 miners a new task on the same session is validated and
#    paid on top of the migrated pending payments, and a withdrawal pays the whole of it
# Prints the timings (builds, proposal to halt, halt to the first v2 block).
# Environment: V1_REF (default: the commit before the v2 upgrade landed), E2E_HOME (default:
# a temp dir), PORT_BASE (default 27600), KEEP=1 keeps the home. v1 binaries are kept in
# build/upgrade/v1 and rebuilt only when V1_REF changes.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
# The v1 release: the last commit that landed (CI green) with x/payments at consensus
# version 1, before app/upgrades/v2. When v2 is released, the next upgrade's script starts
# from v2's commit.
V1_REF=${V1_REF:-50f5b96e8c9fa740c66b2d7601b4de4ede637ba1}
UPGRADE=v2
E2E_HOME=${E2E_HOME:-$(mktemp -d /tmp/cortd-e2e-upgrade.XXXXXX)}
mkdir -p "$E2E_HOME"
PB=${PORT_BASE:-27600}   # below the ephemeral range (32768+); no other e2e script uses 27600-27699
CHAIN_ID=cort-e2e-upgrade
NET=$E2E_HOME/net
OUT=$ROOT/build/upgrade
V1=$OUT/v1
V2=$OUT/v2
N=4
# node i: p2p PB+10i, rpc PB+10i+1, api PB+10i+2, grpc PB+10i+3; miner n PB+70+n
rpc() { echo "tcp://127.0.0.1:$((PB + 10 * $1 + 1))"; }
rpc_http() { echo "http://127.0.0.1:$((PB + 10 * $1 + 1))"; }
grpc() { echo "127.0.0.1:$((PB + 10 * $1 + 3))"; }
NODE=$(rpc 0)
PIDS=()
MINERS=()

log() { echo "==> $(date +%T) $*"; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$E2E_HOME"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -25 "$f"; }; done >&2
  exit 1
}
stop_pid() { # stop_pid PID: the process and its children (cosmovisor's cortd), by id
  local p=$1 c
  for c in $(pgrep -P "$p" 2>/dev/null || true); do kill "$c" 2>/dev/null || true; done
  kill "$p" 2>/dev/null || true
}
cleanup() {
  for p in "${MINERS[@]:-}" "${PIDS[@]:-}"; do [ -n "$p" ] && stop_pid "$p"; done
  wait 2>/dev/null || true
  if [ -n "${WT:-}" ] && [ -d "$WT" ]; then git worktree remove --force "$WT" 2>/dev/null || true; fi
  [ "${KEEP:-0}" = 1 ] && echo "kept $E2E_HOME" || rm -rf "$E2E_HOME"
}
trap cleanup EXIT

BIN=$V2/cortd # the client: v2 reads both versions' state the same over gRPC
cortd() { "$BIN" --home "$NET/node0" "$@"; }
q() { cortd q "$@" --node "$NODE" -o json; }
tx() { cortd tx "$@" --node "$NODE" --chain-id "$CHAIN_ID" --keyring-backend test --yes -o json --gas auto --gas-adjustment 1.5; }
addr() { cortd keys show "$1" -a --keyring-backend test; }
bal() { q bank balance "$(addr "$1")" ucor | jq -r .balance.amount; }
height_of() { curl -fsS "$(rpc_http "$1")/status" 2>/dev/null | jq -r .result.sync_info.latest_block_height; }
height() { height_of 0; }
wait_for() { # wait_for DESC SECONDS CMD...: run CMD until it succeeds
  local desc=$1 secs=$2; shift 2
  for _ in $(seq 1 "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${secs}s waiting for $desc"
}
tx_ok() { [ "$(cortd q tx "$1" --node "$NODE" -o json 2>/dev/null | jq -r .code)" = 0 ]; }
send_tx() { # send_tx ARGS...: broadcast, then wait for the tx in a block with code 0
  local out hash
  # stdout is the JSON result; the CLI's progress lines and errors go to stderr
  out=$(tx "$@" 2>"$E2E_HOME/tx.err") || fail "tx $* refused: $out $(tail -3 "$E2E_HOME/tx.err")"
  [ "$(echo "$out" | jq -r .code)" = 0 ] || fail "tx $* refused: $out"
  hash=$(echo "$out" | jq -r .txhash)
  wait_for "tx $hash" 30 tx_ok "$hash"
}
secs() { date +%s.%N; }
since() { echo "$(secs) $1" | awk '{printf "%.1f", $1 - $2}'; }

# ---------------------------------------------------------------------------------------
log "building v2 (this tree) into $V2"
t0=$(secs)
mkdir -p "$V1" "$V2"
go build -trimpath -o "$V2/cortd" ./cmd/cortd
go build -trimpath -o "$V2/cortd-sidecar" ./cmd/cortd-sidecar
T_BUILD_V2=$(since "$t0")

t0=$(secs)
if [ "$(cat "$V1/REF" 2>/dev/null)" != "$V1_REF" ] || [ ! -x "$V1/cortd" ] || [ ! -x "$V1/cortd-sidecar" ]; then
  git cat-file -e "$V1_REF^{commit}" 2>/dev/null ||
    fail "commit $V1_REF (the v1 release) is not in this clone: fetch the full history (git fetch --unshallow)"
  log "building v1 ($V1_REF) from a git worktree into $V1"
  WT=$OUT/v1-src
  git worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
  git worktree prune
  git worktree add --detach "$WT" "$V1_REF" >/dev/null 2>&1 || fail "git worktree add $V1_REF"
  (cd "$WT" && go build -trimpath -o "$V1/cortd" ./cmd/cortd && go build -trimpath -o "$V1/cortd-sidecar" ./cmd/cortd-sidecar) ||
    fail "building v1"
  git worktree remove --force "$WT"
  echo "$V1_REF" >"$V1/REF"
else
  log "v1 ($V1_REF) already built in $V1"
fi
T_BUILD_V1=$(since "$t0")
COSMOVISOR=$(scripts/install-cosmovisor.sh)
"$COSMOVISOR" version 2>/dev/null | head -1 || true

# ---------------------------------------------------------------------------------------
log "4 validator homes in $NET (ports from $PB), cosmovisor layout"
"$V1/cortd" testnet init-files --v "$N" --output-dir "$NET" --chain-id "$CHAIN_ID" --port-step 10 --timeout-commit 1s \
  --home "$E2E_HOME/init" >"$E2E_HOME/init.log" 2>&1 || fail "testnet init-files"
map=()
for i in $(seq 0 $((N - 1))); do
  map+=(-e "s/127\.0\.0\.1:$((26656 + 10 * i))\b/127.0.0.1:$((PB + 10 * i))/g"
        -e "s/127\.0\.0\.1:$((26657 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 1))/g"
        -e "s/127\.0\.0\.1:$((1317 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 2))/g"
        -e "s/127\.0\.0\.1:$((9090 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 3))/g")
done
for i in $(seq 0 $((N - 1))); do
  h=$NET/node$i
  # pprof off: every home would ask for localhost:6060, as would a localnet running beside us.
  sed -i "${map[@]}" -e 's/^pprof_laddr = .*/pprof_laddr = ""/' "$h/config/config.toml" "$h/config/app.toml" "$h/config/client.toml"
  mkdir -p "$h/cosmovisor/genesis/bin" "$h/cosmovisor/upgrades/$UPGRADE/bin"
  cp "$V1/cortd" "$h/cosmovisor/genesis/bin/cortd"
  cp "$V2/cortd" "$h/cosmovisor/upgrades/$UPGRADE/bin/cortd"
done

log "genesis: accounts, a 12 s voting period"
for k in owner user op1 op2 op3; do
  cortd keys add "$k" --keyring-backend test >/dev/null 2>&1
  cortd genesis add-genesis-account "$k" 1000000000000ucor --keyring-backend test >/dev/null
done
G=$NET/node0/config/genesis.json
jq '.app_state.gov.params += {voting_period: "12s", expedited_voting_period: "6s", max_deposit_period: "30s"}' "$G" >"$G.new" && mv "$G.new" "$G"
"$V1/cortd" genesis validate "$G" --home "$NET/node0" >/dev/null 2>&1 || fail "genesis does not validate"
for i in $(seq 1 $((N - 1))); do cp "$G" "$NET/node$i/config/genesis.json"; done

log "starting $N validators under cosmovisor (genesis/bin = v1)"
t0=$(secs)
for i in $(seq 0 $((N - 1))); do
  DAEMON_NAME=cortd DAEMON_HOME="$NET/node$i" DAEMON_ALLOW_DOWNLOAD_BINARIES=false DAEMON_RESTART_AFTER_UPGRADE=true \
    DAEMON_POLL_INTERVAL=300ms UNSAFE_SKIP_BACKUP=true \
    "$COSMOVISOR" run start --home "$NET/node$i" >>"$E2E_HOME/node$i.log" 2>&1 &
  PIDS+=("$!")
done
chain_past() { local h; h=$(height); [ -n "$h" ] && [ "$h" != null ] && [ "$h" -ge "$1" ]; }
wait_for "blocks" 90 chain_past 2
log "chain producing blocks (height $(height), $(since "$t0") s after start)"
for i in $(seq 0 $((N - 1))); do
  [ "$(readlink "$NET/node$i/cosmovisor/current")" = "$NET/node$i/cosmovisor/genesis" ] ||
    fail "node$i: cosmovisor/current is $(readlink "$NET/node$i/cosmovisor/current"), want genesis"
done

# ---------------------------------------------------------------------------------------
log "v1 state: model m1, 3 miners (v1 sidecars) with staked nodes, a session, 2 tasks"
"$V1/cortd-sidecar" model init --out "$E2E_HOME/models/m1" --seed 7 >/dev/null
W=$(cat "$E2E_HOME"/models/m1/*.safetensors | sha256sum | cut -d' ' -f1)
T=$(sha256sum "$E2E_HOME/models/m1/tokenizer.json" | cut -d' ' -f1)
send_tx models register m1 "Upgrade e2e model" gpt2 "file://$E2E_HOME/models/m1" "$W" "$T" 64 1 --from owner
start_miners() { # start_miners SIDECAR
  local n
  MINERS=()
  for n in 1 2 3; do
    "$1" miner --home "$NET/node0" --keyring-backend test --key "op$n" --node-id "node$n" --engine native --serve m1 \
      --models "$E2E_HOME/models" --memory-mb 512 --grpc "$(grpc 0)" --node "$NODE" \
      --listen "127.0.0.1:$((PB + 70 + n))" --poll 2s >>"$E2E_HOME/miner$n.log" 2>&1 &
    MINERS+=("$!")
  done
}
stop_miners() { local p; for p in "${MINERS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; MINERS=(); }
start_miners "$V1/cortd-sidecar"
for n in 1 2 3; do
  wait_for "node$n registered and heartbeating" 90 sh -c "$BIN q nodes node node$n --node $NODE -o json | jq -e '.node.last_heartbeat_height | tonumber > 0'"
done
send_tx sessions create m1 3 2 1000 32 10000000 --from user
task_status() { q sessions task "$1" | jq -r .task.status; }
wait_validated() { # wait_validated TASK
  local s
  for _ in $(seq 1 120); do
    s=$(task_status "$1" 2>/dev/null || echo "?")
    case "$s" in
      TASK_STATUS_VALIDATED) return 0 ;;
      TASK_STATUS_FAILED|TASK_STATUS_EXPIRED|TASK_STATUS_ABANDONED) q sessions task "$1" >&2; fail "task $1 ended $s" ;;
    esac
    sleep 1
  done
  fail "task $1 not validated within 120 s (status $s)"
}
for i in 1 2; do send_tx sessions submit 1 "Before the upgrade, task $i:" --max-tokens 8 --temperature 0 --top-p 1 --from user; done
wait_validated 1; wait_validated 2
stop_miners # operators stop their sidecars for the upgrade and start the new release after

# What must read the same after the upgrade.
snapshot() {
  q models model m1 | jq -S .model
  for n in 1 2 3; do q nodes node "node$n" | jq -S '.node | {id, operator, stake, models}'; done
  q payments session-balance 1 | jq -S .
  for t in 1 2; do q sessions task "$t" | jq -S '.task | {id, status, result_text, result_sha256, assignments}'; done
  for n in 1 2 3; do q payments pending "$(addr "op$n")" | jq -S .; done
}
snapshot >"$E2E_HOME/before.json" || fail "reading the v1 state"
declare -A PENDING
for n in 1 2 3; do
  PENDING[$n]=$(q payments pending "$(addr "op$n")" | jq -r .amount)
  [ "${PENDING[$n]}" -gt 0 ] || fail "op$n has no pending payments on v1: nothing for the migration to carry"
done
STAKES=$(for n in 1 2 3; do q nodes node "node$n" | jq -r .node.stake; done | paste -sd, -)
log "v1 state: tasks 1-2 validated; pending payments ${PENDING[1]}, ${PENDING[2]}, ${PENDING[3]}; stakes $STAKES"
[ "$(q upgrade module-versions payments | jq -r '.module_versions[0].version')" = 1 ] ||
  fail "x/payments is not at consensus version 1 on v1"

# ---------------------------------------------------------------------------------------
H0=$(height)
UH=$((H0 + 30))
log "software-upgrade $UPGRADE at height $UH (now $H0): proposal, deposit, 4 yes votes"
t_prop=$(secs)
send_tx upgrade software-upgrade "$UPGRADE" --upgrade-height "$UH" --upgrade-info '{}' --no-validate \
  --title "Upgrade to $UPGRADE" --summary "x/payments and x/data consensus version 2" --deposit 10000000ucor --from node0
PID=$(q gov proposals | jq -r '.proposals[-1].id')
for i in $(seq 0 $((N - 1))); do
  "$BIN" --home "$NET/node$i" tx gov vote "$PID" yes --from "node$i" --node "$NODE" --chain-id "$CHAIN_ID" \
    --keyring-backend test --yes -o json --gas auto --gas-adjustment 1.5 >"$E2E_HOME/vote$i.json" 2>&1 ||
    fail "vote of node$i: $(cat "$E2E_HOME/vote$i.json")"
done
passed() { [ "$(q gov proposal "$PID" | jq -r .proposal.status)" = PROPOSAL_STATUS_PASSED ]; }
wait_for "proposal $PID to pass" 40 passed
[ "$(height)" -lt "$UH" ] || fail "the proposal passed after the upgrade height"
T_PASS=$(since "$t_prop")
log "proposal $PID passed at height $(height) ($T_PASS s after submission); plan: $(q upgrade plan | jq -c '.plan | {name, height}')"

log "waiting for the halt at $UH and for cosmovisor to restart every node on $UPGRADE"
at_height() { local h; h=$(height_of "$1"); [ -n "$h" ] && [ "$h" != null ] && [ "$h" -ge "$2" ]; }
halted() { grep -q "UPGRADE \"$UPGRADE\" NEEDED at height: $UH" "$E2E_HOME/node$1.log"; }
for i in $(seq 0 $((N - 1))); do wait_for "node$i to halt with UPGRADE NEEDED" 90 halted "$i"; done
t_halt=$(secs)
for i in $(seq 0 $((N - 1))); do wait_for "node$i past $((UH + 2)) on $UPGRADE" 180 at_height "$i" $((UH + 2)); done
T_RESUME=$(since "$t_halt")
block_time() { curl -fsS "$(rpc_http 0)/block?height=$1" | jq -r .result.block.header.time; }
epoch_of() { date -d "$1" +%s.%N; }
T_GAP=$(echo "$(epoch_of "$(block_time "$UH")") $(epoch_of "$(block_time $((UH - 1)))")" | awk '{printf "%.1f", $1 - $2}')
log "every node past $((UH + 2)) on $UPGRADE: ${T_RESUME} s from the halt seen to 2 blocks on; block $((UH - 1)) to $UH: ${T_GAP} s"

for i in $(seq 0 $((N - 1))); do
  cur=$(readlink "$NET/node$i/cosmovisor/current")
  [ "$cur" = "$NET/node$i/cosmovisor/upgrades/$UPGRADE" ] || fail "node$i: cosmovisor/current is $cur"
  [ -f "$NET/node$i/data/upgrade-info.json" ] || fail "node$i: no data/upgrade-info.json"
done
grep -q "x/payments migrated to v2" "$E2E_HOME/node0.log" || fail "node0 did not log the x/payments migration"
app_hash() { curl -fsS "$(rpc_http "$1")/block?height=$2" | jq -r .result.block.header.app_hash; }
for h in $((UH - 1)) "$UH" $((UH + 1)) $((UH + 2)); do
  a0=$(app_hash 0 "$h")
  [ -n "$a0" ] && [ "$a0" != null ] || fail "no app hash at $h"
  for i in $(seq 1 $((N - 1))); do [ "$(app_hash "$i" "$h")" = "$a0" ] || fail "node$i's app hash at $h differs"; done
done
log "app hashes agree on all $N nodes at heights $((UH - 1))..$((UH + 2))"

# ---------------------------------------------------------------------------------------
applied=$(q upgrade applied "$UPGRADE" | jq -r .height)
[ "$applied" = "$UH" ] || fail "upgrade $UPGRADE applied at '$applied', want $UH"
[ "$(q upgrade module-versions payments | jq -r '.module_versions[0].version')" = 2 ] ||
  fail "x/payments not at consensus version 2 after the upgrade"
[ "$(q upgrade module-versions data | jq -r '.module_versions[0].version')" = 2 ] ||
  fail "x/data not at consensus version 2 after the upgrade"
[ "$(q data params | jq -r .params.claim_delay_epochs)" = 1 ] ||
  fail "x/data claim_delay_epochs not set to 1 by the migration: $(q data params | jq -c .params)"
snapshot >"$E2E_HOME/after.json" || fail "reading the v2 state"
diff "$E2E_HOME/before.json" "$E2E_HOME/after.json" >&2 || fail "state read differently after the upgrade (diff above)"
log "v2 applied at $UH; x/payments and x/data at version 2 (claim delay 1 epoch); model, nodes and stakes, escrow, tasks, pending payments unchanged"

log "v2 miners: a new task on the same session, paid on top of the migrated pending payments"
start_miners "$V2/cortd-sidecar"
send_tx sessions submit 1 "After the upgrade:" --max-tokens 8 --temperature 0 --top-p 1 --from user
wait_validated 3
price=$(q sessions session 1 | jq -r .session.price_per_task)
paid=$(q sessions task 3 | jq -r '[.task.assignments[] | select(.status == "ASSIGNMENT_STATUS_VALIDATED") | .node_id] | join(" ")')
for n in 1 2 3; do
  got=$(q payments pending "$(addr "op$n")" | jq -r .amount)
  want=${PENDING[$n]}
  case " $paid " in *" node$n "*) want=$((want + price)) ;; esac
  [ "$got" = "$want" ] || fail "op$n pending $got, want $want (migrated ${PENDING[$n]}, paid nodes: $paid)"
done
stop_miners # op1's miner signs with op1's key: stop it before op1 withdraws
before=$(bal op1)
owed=$(q payments pending "$(addr op1)" | jq -r .amount)
send_tx payments withdraw --from op1
p1=$(q payments pending "$(addr op1)" | jq -r .amount)
gained=$(( $(bal op1) - before ))
# gained = owed less the withdrawal's fee (zero on this testnet's minimum gas price)
[ "$p1" = 0 ] && [ "$gained" -le "$owed" ] && [ "$gained" -gt "${PENDING[1]}" ] ||
  fail "withdrawal: pending $p1 left, op1 gained $gained of $owed owed"
log "task 3 validated (paid: $paid); op1 withdrew $owed ucor owed (migrated ${PENDING[1]} + new payments), balance +$gained"

log "timings: build v2 ${T_BUILD_V2} s, build v1 ${T_BUILD_V1} s; proposal to passed ${T_PASS} s;" \
  "halt to every node 2 blocks past on v2 ${T_RESUME} s; block $((UH - 1)) to $UH (halt, swap, migration) ${T_GAP} s"
echo "PASS"
