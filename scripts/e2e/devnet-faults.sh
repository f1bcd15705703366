#!/usr/bin/env bash
# Fault drills on a 4-validator devnet under load (scripts/devnet.sh: each validator with a
# miner and an auditor, plus the router and the dashboard).
#
#   scripts/e2e/devnet-faults.sh
#
# Load: two clients (keys load1, load2), each with a session, submit tasks back to back
# through node0's RPC (unordered txs, not waiting for blocks) for the whole run; every
# tx the node accepted (CheckTx code 0) is written down. Every validated task is audited.
# Faults, one after the other:
#   1. SIGKILL validator node1, 20 s down, restart: blocks go on; its catch-up is timed
#   2. SIGKILL node2 and node3 (half the stake): the chain halts (checked), clients keep
#      submitting, restart both: the time to the next block and to catch up is measured
#   3. SIGKILL a miner holding an assignment (mid-task), restart it 10 s later
#   4. SIGKILL the auditor of an open audit (mid-audit), restart it 8 s later
# Then the load stops and the script checks:
#   - every accepted tx is in a block with code 0
#   - all 4 validators hold the same block and app hash at a common height (after each fault too)
#   - every task of the run reached a terminal state (VALIDATED, FAILED, EXPIRED, ABANDONED),
#     among them the killed miner's; the killed auditor's audit was decided; no audit is open
#   - escrow: the payments module account holds exactly Σ sessions (free + reserved) + Σ
#     pending; per session deposited = free + reserved + paid + refunded; Σ paid = Σ pending
# Figures (docs/performance.md): txs accepted/committed, catch-up and halt-resume times.
# Environment: PORT_BASE (default 29400), E2E_HOME, KEEP=1, E2E_BUILD=0.
set -euo pipefail
NAME=devnet-faults
PB=${PORT_BASE:-29400}
CHAIN_ID=cort-e2e-faults
# shellcheck source=scripts/e2e/devnet-lib.sh
source "$(dirname "$0")/devnet-lib.sh"

build
log "devnet: $N validators with miners and auditors (ports from $PB)"
# Short windows so the drills' tasks and audits end within the run; every task audited.
DEVNET_EXTRA_KEYS="load1 load2" \
DEVNET_GENESIS_JQ='.app_state.sessions.params += {audit_fraction_bps: 10000, precommit_window_blocks: "10", commit_window_blocks: "10", queue_timeout_blocks: "60"}
  | .app_state.audits.params += {audit_deadline_blocks: "60", voting_window_blocks: "20"}' \
  devnet start >"$E2E_HOME/devnet-start.log" 2>&1 || fail "devnet start: $(grep FAIL "$E2E_HOME/devnet-start.log")"
log "devnet up at height $(height_of 0)"

log "sessions for load1 and load2; one request through the router"
declare -A SID
for k in load1 load2; do
  send_tx sessions create tiny 3 2 1000 8 200000000 --from "$k"
  SID[$k]=$(qn 0 sessions sessions "$(addr "$k")" | jq -r '.sessions[0].id')
done
chat "Fault drill warm-up" >/dev/null
mkdir -p "$E2E_HOME/load"

# load KEY: submit tasks until the stop file appears; "HASH CODE" per broadcast.
load() {
  local k=$1 n=0 out hash code
  while [ ! -e "$E2E_HOME/load/stop" ]; do
    n=$((n + 1))
    out=$(cortd tx sessions submit "${SID[$k]}" "Fault drill $k $n" --max-tokens 8 --temperature 0 --top-p 1 \
      --from "$k" --keyring-backend test --chain-id "$CHAIN_ID" --node "$(rpc 0)" --unordered --timeout-duration 4m \
      --gas 400000 --no-wait --yes -o json 2>>"$E2E_HOME/load/$k.err") || true
    hash=$(jq -r '.txhash // empty' <<<"$out" 2>/dev/null) || hash=""
    code=$(jq -r '.code // empty' <<<"$out" 2>/dev/null) || code=""
    echo "${hash:-none} ${code:-none}" >>"$E2E_HOME/load/$k.txs"
  done
}
load load1 &
load load2 &
accepted() { cat "$E2E_HOME"/load/*.txs 2>/dev/null | awk '$2 == "0"' | wc -l; }
sleep 8
log "load running: $(accepted) txs accepted so far"

check_hashes() { # check_hashes WHEN: all validators agree at a common height
  local h=$(( $(height_of 0) - 1 )) i
  for i in $(seq 0 $((N - 1))); do wait_for "node$i at height $((h + 1))" 60 past "$i" $((h + 1)); done
  log "  $1: block $h identical on all $N validators ($(app_hashes_agree "$h" | cut -c1-16)..)"
}
caught_up() { # caught_up NODE: not catching up and within a block of node0
  local j
  j=$(status_of "$1") || return 1
  [ "$(jq -r .result.sync_info.catching_up <<<"$j")" = false ] &&
    [ "$(jq -r .result.sync_info.latest_block_height <<<"$j")" -ge $(($(height_of 0) - 1)) ]
}
secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. one validator down and back
log "fault 1: SIGKILL node1"
devnet kill node1 >/dev/null
h_kill=$(height_of 0)
sleep 20
h_now=$(height_of 0)
[ "$h_now" -gt $((h_kill + 5)) ] || fail "chain stalled with 3 of 4 validators up ($h_kill -> $h_now)"
behind=$((h_now - h_kill))
devnet restart node1 >/dev/null
t=$(date +%s.%N)
until_ok 60 caught_up 1 || fail "node1 did not catch up in 60 s"
CATCHUP1=$(secs_since "$t")
log "  node1 restarted $behind blocks behind, caught up in ${CATCHUP1} s"
check_hashes "after fault 1"

# --- 2. half the stake down: halt, then resume
log "fault 2: SIGKILL node2 and node3"
devnet kill node2 >/dev/null; devnet kill node3 >/dev/null
sleep 3
h_halt=$(height_of 0)
acc_before=$(accepted)
sleep 12
[ "$(height_of 0)" -le $((h_halt + 1)) ] || fail "chain went on with 2 of 4 validators ($h_halt -> $(height_of 0))"
log "  halted at height $h_halt; $(( $(accepted) - acc_before )) txs accepted while halted"
devnet restart node2 >/dev/null; devnet restart node3 >/dev/null
t=$(date +%s.%N)
until_ok 120 past 0 $((h_halt + 2)) || fail "chain did not resume within 120 s of the restart"
RESUME=$(secs_since "$t")
both_caught_up() { caught_up 2 && caught_up 3; }
until_ok 60 both_caught_up || fail "node2/node3 did not catch up in 60 s"
CATCHUP23=$(secs_since "$t")
log "  next block ${RESUME} s after the restart; node2 and node3 caught up in ${CATCHUP23} s"
check_hashes "after fault 2"

# --- 3. a miner killed mid-task
log "fault 3: SIGKILL a miner holding an assignment"
victim=""; held=""
for _ in $(seq 1 60); do
  for m in 0 1 2 3; do
    # tasks where this miner has not revealed its result yet
    held=$(qn 0 sessions assignments "miner$m" | jq -r --arg n "miner$m" '[.tasks[]? | select(any(.assignments[]?;
      .node_id == $n and (.status == "ASSIGNMENT_STATUS_ASSIGNED" or .status == "ASSIGNMENT_STATUS_PRECOMMITTED"))) | .id] | join(" ")')
    [ -n "$held" ] && { victim=$m; break 2; }
  done
  sleep 0.5
done
[ -n "$victim" ] || fail "no miner held an assignment in 30 s (is the load running?)"
devnet kill "miner$victim" >/dev/null
log "  killed miner$victim holding task(s) $held"
sleep 10
devnet restart "miner$victim" >/dev/null

# --- 4. an auditor killed mid-audit
log "fault 4: SIGKILL the auditor of an open audit"
declare -A AUDITOR_OF
for i in $(seq 0 $((N - 1))); do AUDITOR_OF[$(addr "node$i" "$NET/node$i")]=$i; done
aud=""; ai=""
for _ in $(seq 1 60); do
  a=$(qn 0 audits open | jq -c '[.audits[]? | select(.status == "AUDIT_STATUS_PENDING")][0] // empty')
  if [ -n "$a" ]; then aud=$(jq -r .id <<<"$a"); ai=${AUDITOR_OF[$(jq -r .auditor <<<"$a")]:-}; [ -n "$ai" ] && break; fi
  sleep 0.5
done
[ -n "$ai" ] || fail "no pending audit in 30 s"
devnet kill "auditor$ai" >/dev/null
log "  killed auditor$ai with audit $aud pending"
sleep 8
devnet restart "auditor$ai" >/dev/null

sleep 5
touch "$E2E_HOME/load/stop"
wait
TOTAL=$(cat "$E2E_HOME"/load/*.txs | wc -l)
ACC=$(accepted)
log "load stopped: $TOTAL broadcasts, $ACC accepted"
[ "$ACC" -ge 20 ] || fail "only $ACC txs accepted: no load"

# --- checks
log "every accepted tx committed with code 0"
committed=0
while read -r hash code; do
  [ "$code" = 0 ] || continue
  r=""
  for _ in $(seq 1 60); do
    # (CometBFT leaves out a zero code; a tx not found yet answers an error, no height)
    r=$(curl -sS "$(rpc_url 0)/tx?hash=0x$hash" 2>/dev/null |
      jq -er '.result.height as $h | if $h then "\($h) \(.result.tx_result.code // 0)" else empty end') && break
    sleep 1   # still in the mempool: at most a minute
  done
  [ -n "$r" ] || fail "accepted tx $hash never committed"
  [ "${r#* }" = 0 ] || fail "accepted tx $hash failed in block ${r% *} with code ${r#* }"
  committed=$((committed + 1))
done < <(cat "$E2E_HOME"/load/*.txs)
[ "$committed" = "$ACC" ] || fail "$committed of $ACC accepted txs committed"
log "  $committed of $ACC accepted txs in blocks, code 0"

terminal='["TASK_STATUS_VALIDATED","TASK_STATUS_FAILED","TASK_STATUS_EXPIRED","TASK_STATUS_ABANDONED"]'
all_tasks() { local k; for k in load1 load2; do qn 0 sessions tasks "${SID[$k]}" --page-limit 100000 | jq -c '.tasks[]?'; done; }
open_tasks() { all_tasks | jq -s --argjson t "$terminal" '[.[] | select(.status as $s | $t | index($s) | not)] | length'; }
log "waiting for every task to end"
for _ in $(seq 1 180); do [ "$(open_tasks)" = 0 ] && break; sleep 1; done
left=$(open_tasks)
[ "$left" = 0 ] || { all_tasks | jq -c '{id, status}' | grep -v -e VALIDATED -e FAILED -e EXPIRED -e ABANDONED >&2; fail "$left tasks not ended"; }
for t in $held; do
  s=$(qn 0 sessions task "$t" | jq -r --arg n "miner$victim" '"\(.task.status), its assignment \([.task.assignments[] | select(.node_id == $n) | .status] | join(","))"')
  log "  task $t (miner$victim killed before revealing): $s"
done
counts=$(all_tasks | jq -rs 'group_by(.status) | map("\(.[0].status | sub("TASK_STATUS_"; "")) \(length)") | join(", ")')
NTASKS=$(all_tasks | wc -l)
log "  $NTASKS tasks ended: $counts"
[ "$NTASKS" = "$ACC" ] || fail "$NTASKS tasks in the load sessions, $ACC submissions committed"

log "audits: the killed auditor's audit decided, none left open"
for _ in $(seq 1 120); do
  st=$(qn 0 audits audit "$aud" | jq -r .audit.status)
  [ "$st" != AUDIT_STATUS_PENDING ] && [ "$st" != AUDIT_STATUS_VOTING ] && break
  sleep 1
done
case "$st" in AUDIT_STATUS_PASSED|AUDIT_STATUS_MISSED|AUDIT_STATUS_FRAUD|AUDIT_STATUS_CLEARED) ;; *) fail "audit $aud still $st" ;; esac
log "  audit $aud (auditor$ai killed mid-audit): $st"
no_open_audits() { [ "$(qn 0 audits open | jq '.audits // [] | length')" = 0 ]; }
until_ok 120 no_open_audits || fail "audits still open: $(qn 0 audits open | jq -c '[.audits[]? | {id, status, auditor}]')"

log "escrow: module account vs records"
MOD=$(qn 0 auth module-account payments | jq -r '.account.value.address // .account.base_account.address // .account.address')
hold=$(qn 0 bank balance "$MOD" ucor | jq -r .balance.amount)
sum=0; paid=0; nsess=0
for owner in load1 load2 router user; do
  for s in $(qn 0 sessions sessions "$(addr "$owner")" | jq -r '.sessions[]?.id'); do
    b=$(qn 0 payments session-balance "$s" | jq -c .balance)
    read -r free res dep pd ref < <(jq -r '"\(.free) \(.reserved) \(.deposited) \(.paid) \(.refunded)"' <<<"$b")
    [ $((free + res + pd + ref)) = "$dep" ] || fail "session $s: free $free + reserved $res + paid $pd + refunded $ref != deposited $dep"
    sum=$((sum + free + res)); paid=$((paid + pd)); nsess=$((nsess + 1))
  done
done
pending=0
for m in $(seq 0 $((N - 1))); do
  pending=$((pending + $(qn 0 payments pending "$(addr "miner$m" "$NET/node$m")" | jq -r .amount)))
done
[ "$hold" = $((sum + pending)) ] || fail "payments module holds $hold ucor, records say $sum (sessions) + $pending (pending)"
[ "$paid" = "$pending" ] || fail "sessions paid $paid ucor, operators' pending is $pending (no withdrawals or clawbacks in this run)"
log "  module account $hold ucor = $sum in $nsess sessions + $pending pending (= paid)"

check_hashes "at the end"
for name in $(devnet status | awk '$2 == "stopped" {print $1}'); do fail "$name is not running at the end"; done

printf 'faults: %s txs accepted under load, %s committed (0 lost); node1 %s blocks behind caught up in %s s; 2 of 4 down: next block %s s after restart, both caught up in %s s; %s tasks ended (%s); load %s\n' \
  "$ACC" "$committed" "$behind" "$CATCHUP1" "$RESUME" "$CATCHUP23" "$NTASKS" "$counts" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee "$E2E_HOME/figures.txt"
echo "PASS"
