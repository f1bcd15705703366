#!/usr/bin/env bash
# End to end (issue 12's acceptance script): coding challenges on a real 2-validator chain.
#
#   scripts/e2e/challenges.sh
#
# 1. two validators (testnet init-files) on loopback, a 20 s challenges epoch, short
#    windows, quorum 2, the rewards pool filled by mint_share
# 2. three miners with --challenge-agent: op1's agent returns the right fix, op2's a wrong
#    fix (a harmless change: the broken test still fails), op3's a patch that does not apply
#    and a fourth miner, node4, heartbeats and is opted in but registered a dead endpoint
# 3. validator node0's challenger makes a bugfix challenge from a small Go repository made
#    here (seeded mutation), serves the archives over HTTP and reveals the tests on time; it
#    invites all four: node0's evaluator probes the invited miners' /availability, node4
#    does not answer and is reported (MsgReportUnavailable), so invitations skip it
# 4. both validators run the evaluator (node0's from the start, since its first run warms a
#    build cache); node1 sends inflated scores (10000 for everyone) with the CLI before its
#    evaluator starts (which then finds its scores in and skips); the stake-weighted median takes
#    node0's honest scores: right > wrong > not applying
# 5. a second challenger posts (for up to 4 miners: node4 is skipped, 3 are invited) a
#    context-selection challenge made from a planted bug in the same repository (the
#    answer key, the mutated file, is its hidden "tests"): node1 and node2 answer with
#    the builtin selector (the file declaring the function the statement names: F1
#    10000), node3's context agent adds go.mod (precision 1/2, recall 1: F1 2/3, 6666
#    bps); the evaluators score the file lists (no sandbox), the median is kept
# 6. at the epoch end the weights of both task types follow the scores and sum to 1; pending
#    rewards follow the weights; Σ pending == pending total ≤ pool; op1 withdraws and its
#    balance grows by exactly its pending reward
# Environment: E2E_HOME (default: a temp dir), PORT_BASE (default 23600), KEEP=1 keeps the home.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
E2E_HOME=${E2E_HOME:-$(mktemp -d /tmp/cortd-e2e-challenges.XXXXXX)}
# mktemp makes the folder 0700; the evaluators' work dirs live inside it and, when run as
# root, the sandbox runs as an unprivileged uid that must be able to reach them.
chmod 755 "$E2E_HOME"
mkdir -p "$E2E_HOME"
PB=${PORT_BASE:-23600}   # below the ephemeral range (32768+), so no outgoing socket takes our ports
CHAIN_ID=cort-e2e-challenges
NET=$E2E_HOME/net
BIN=$ROOT/build/cortd
# The e2e build (-tags e2efault: the fault-injection flags) goes in a folder of its own,
# so it never replaces the production build/cortd-sidecar.
SC=$ROOT/build/e2e/cortd-sidecar
N=2
# node i: p2p PB+10i, rpc PB+10i+1, api PB+10i+2, grpc PB+10i+3; challenger PB+50;
# context-selection challenger PB+51; evaluator i PB+60+i; miner n PB+70+n; node4's dead
# endpoint PB+79 (nothing listens there)
rpc() { echo "tcp://127.0.0.1:$((PB + 10 * $1 + 1))"; }
grpc() { echo "127.0.0.1:$((PB + 10 * $1 + 3))"; }
NODE=$(rpc 0)
PIDS=()

log() { echo "==> $(date +%T) $*"; }
fail() { echo "FAIL: $*" >&2; for f in "$E2E_HOME"/*.log; do echo "--- $f"; tail -25 "$f"; done >&2; exit 1; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $E2E_HOME" || rm -rf "$E2E_HOME"
}
trap cleanup EXIT

cortd() { "$BIN" --home "$NET/node0" "$@"; }
q() { cortd q "$@" --node "$NODE" -o json; }
tx() { cortd tx "$@" --node "$NODE" --chain-id "$CHAIN_ID" --keyring-backend test --yes -o json --gas auto --gas-adjustment 1.5; }
addr() { cortd keys show "$1" -a --keyring-backend test; }
bal() { q bank balance "$(addr "$1")" ucor | jq -r .balance.amount; }
height() { "$BIN" status --node "$NODE" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
wait_for() { # wait_for DESC SECONDS CMD...: run CMD until it succeeds
  local desc=$1 secs=$2; shift 2
  for _ in $(seq 1 "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${secs}s waiting for $desc"
}
send_tx() {
  local out hash
  out=$(tx "$@") || fail "tx $* refused: $out"
  [ "$(echo "$out" | jq -r .code)" = 0 ] || fail "tx $* refused: $out"
  hash=$(echo "$out" | jq -r .txhash)
  wait_for "tx $hash" 30 tx_ok "$hash"
}
tx_ok() { [ "$(cortd q tx "$1" --node "$NODE" -o json 2>/dev/null | jq -r .code)" = 0 ]; }
# lt A B: A < B for big integers and decimals (jq compares as numbers, fine at these sizes)
lt() { jq -en --arg a "$1" --arg b "$2" '($a | tonumber) < ($b | tonumber)' >/dev/null; }

log "building cortd and cortd-sidecar"
go build -o "$BIN" ./cmd/cortd
mkdir -p "$(dirname "$SC")"
go build -tags e2efault -o "$SC" ./cmd/cortd-sidecar

log "$N validator homes in $NET (ports from $PB)"
"$BIN" testnet init-files --v "$N" --output-dir "$NET" --chain-id "$CHAIN_ID" --port-step 10 --timeout-commit 1s \
  --home "$E2E_HOME/init" >"$E2E_HOME/init.log" 2>&1 || fail "testnet init-files"
map=()
for i in $(seq 0 $((N - 1))); do
  map+=(-e "s/127\.0\.0\.1:$((26656 + 10 * i))\b/127.0.0.1:$((PB + 10 * i))/g"
        -e "s/127\.0\.0\.1:$((26657 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 1))/g"
        -e "s/127\.0\.0\.1:$((1317 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 2))/g"
        -e "s/127\.0\.0\.1:$((9090 + 10 * i))\b/127.0.0.1:$((PB + 10 * i + 3))/g")
done
for i in $(seq 0 $((N - 1))); do
  sed -i "${map[@]}" "$NET/node$i/config/config.toml" "$NET/node$i/config/app.toml" "$NET/node$i/config/client.toml"
done

log "genesis: miners' accounts, a 20 s challenges epoch, short windows, quorum 2, mint_share"
for k in owner op1 op2 op3 op4; do
  cortd keys add "$k" --keyring-backend test >/dev/null 2>&1
  cortd genesis add-genesis-account "$k" 1000000000000ucor --keyring-backend test >/dev/null
done
G=$NET/node0/config/genesis.json
jq '
  .app_state.epochs.epochs += [(.app_state.epochs.epochs[0] + {identifier: "e2e", duration: "20s"})]
  | .app_state.challenges.params += {epoch_identifier: "e2e", min_response_window_blocks: "1",
      min_evaluation_window_blocks: "1", reveal_window_blocks: "8", tests_reveal_window_blocks: "8", quorum: 2,
      posting_deposit: {denom: "ucor", amount: "1000000"}, epoch_emission: {denom: "ucor", amount: "1000000"},
      mint_share: "0.500000000000000000", allow_local_urls: true}
' "$G" >"$G.new" && mv "$G.new" "$G"
cortd genesis validate "$G" >/dev/null 2>&1 || cortd genesis validate-genesis "$G" || fail "genesis does not validate"
for i in $(seq 1 $((N - 1))); do cp "$G" "$NET/node$i/config/genesis.json"; done

log "starting $N validators"
for i in $(seq 0 $((N - 1))); do
  "$BIN" start --home "$NET/node$i" >>"$E2E_HOME/node$i.log" 2>&1 &
  PIDS+=("$!")
done
chain_past() { local h; h=$(height); [ -n "$h" ] && [ "$h" -ge "$1" ]; }
wait_for "blocks" 90 chain_past 2
log "chain producing blocks (height $(height))"

log "the model m1, registered by owner"
"$SC" model init --out "$E2E_HOME/models/m1" --seed 7 --layers 1 >/dev/null
W=$(sha256sum "$E2E_HOME/models/m1/model.safetensors" | cut -d' ' -f1)
T=$(sha256sum "$E2E_HOME/models/m1/tokenizer.json" | cut -d' ' -f1)
send_tx models register m1 "E2E model" gpt2 "file://$E2E_HOME/models/m1" "$W" "$T" 64 1 --from owner

log "the Go repository the challenge is made from (4 functions, one test each)"
REPO=$E2E_HOME/repo
mkdir -p "$REPO"
cat >"$REPO/go.mod" <<'EOF'
module example.com/calc

go 1.22
EOF
cat >"$REPO/calc.go" <<'EOF'
package calc

// Clamp limits v to [lo, hi].
func Clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Sum adds xs.
func Sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// Max is the largest of xs (0 for none).
func Max(xs []int) int {
	best := 0
	for i, x := range xs {
		if i == 0 || x > best {
			best = x
		}
	}
	return best
}

// IsEven reports whether n is even.
func IsEven(n int) bool {
	return n%2 == 0
}
EOF
cat >"$REPO/calc_test.go" <<'EOF'
package calc

import "testing"

func TestClamp(t *testing.T) {
	for _, c := range [][4]int{{5, 0, 10, 5}, {-1, 0, 10, 0}, {11, 0, 10, 10}, {0, 0, 10, 0}, {10, 0, 10, 10}} {
		if got := Clamp(c[0], c[1], c[2]); got != c[3] {
			t.Errorf("Clamp(%d, %d, %d) = %d, want %d", c[0], c[1], c[2], got, c[3])
		}
	}
}

func TestSum(t *testing.T) {
	if got := Sum([]int{1, 2, 3}); got != 6 {
		t.Errorf("Sum = %d", got)
	}
}

func TestMax(t *testing.T) {
	if got := Max([]int{-3, -1, -2}); got != -1 {
		t.Errorf("Max = %d", got)
	}
	if got := Max([]int{1, 5, 2}); got != 5 {
		t.Errorf("Max = %d", got)
	}
}

func TestIsEven(t *testing.T) {
	if !IsEven(4) || IsEven(3) || !IsEven(0) {
		t.Error("IsEven")
	}
}
EOF

log "three agents: right fix, wrong fix, a patch that does not apply"
AG=$E2E_HOME/agents
mkdir -p "$AG"
cat >"$AG/right.sh" <<EOF
#!/bin/sh
# The right fix: the original calc.go (this agent happens to know it).
set -e
rm -rf x && mkdir x && cp -r repo x/a && cp -r repo x/b && cp "$REPO/calc.go" x/b/calc.go
cd x && diff -ruN a b >"\$CHALLENGE_PATCH" || true
EOF
cat >"$AG/wrong.sh" <<'EOF'
#!/bin/sh
# A wrong fix: a harmless change that leaves the bug in place.
set -e
rm -rf x && mkdir x && cp -r repo x/a && cp -r repo x/b && printf '\n// Checked.\n' >>x/b/calc.go
cd x && diff -ruN a b >"$CHALLENGE_PATCH" || true
EOF
cat >"$AG/broken.sh" <<'EOF'
#!/bin/sh
# A patch whose context is not in the file: git apply refuses it.
printf -- '--- a/calc.go\n+++ b/calc.go\n@@ -1,3 +1,3 @@\n package calc\n-// no such line\n+// replaced\n \n' >"$CHALLENGE_PATCH"
EOF
# node3's context-selection agent: the right file and one more (precision 1/2, recall 1)
printf '#!/bin/sh\nprintf "go.mod\\ncalc.go\\n"\n' >"$AG/cs-extra.sh"
chmod +x "$AG"/*.sh
AGENT=([1]=right [2]=wrong [3]=broken)
CSAGENT=([1]="" [2]="" [3]="$AG/cs-extra.sh")

log "3 miners with challenge agents (they register, heartbeat and opt in)"
for n in 1 2 3; do
  "$SC" miner --home "$NET/node0" --keyring-backend test --key "op$n" --node-id "node$n" --engine native --serve m1 \
    --models "$E2E_HOME/models" --memory-mb 512 --grpc "$(grpc 0)" --node "$NODE" \
    --listen "127.0.0.1:$((PB + 70 + n))" --poll 3s --challenge-agent "$AG/${AGENT[$n]}.sh" \
    --challenge-context-agent "${CSAGENT[$n]}" --allow-local-network >>"$E2E_HOME/miner$n.log" 2>&1 &
  PIDS+=("$!")
done
for n in 1 2 3; do
  wait_for "node$n opted in to challenges" 90 sh -c "$BIN q challenges opted-in node$n --node $NODE -o json | jq -e '.opted_in == true'"
done
log "node1..3 registered and opted in"

log "node4: a miner that heartbeats but registers a dead endpoint (no challenge agent; opted in with the CLI)"
"$SC" miner --home "$NET/node0" --keyring-backend test --key op4 --node-id node4 --engine native --serve m1 \
  --models "$E2E_HOME/models" --memory-mb 512 --grpc "$(grpc 0)" --node "$NODE" \
  --listen "127.0.0.1:$((PB + 74))" --endpoint "http://127.0.0.1:$((PB + 79))" --poll 3s \
  >>"$E2E_HOME/miner4.log" 2>&1 &
PIDS+=("$!")
wait_for "node4 registered and heartbeating" 90 sh -c "$BIN q nodes node node4 --node $NODE -o json | jq -e '.node.last_heartbeat_height | tonumber > 0'"
# op4's miner signs its heartbeats with the same key: a sequence race is retried
opt_in4() {
  out=$(tx challenges opt-in node4 true --from op4) && [ "$(echo "$out" | jq -r .code)" = 0 ] || { sleep 2; return 1; }
  for _ in $(seq 1 10); do
    q challenges opted-in node4 | jq -e '.opted_in == true' >/dev/null && return 0
    sleep 1
  done
  return 1
}
wait_for "node4 opted in" 60 opt_in4

# node0's evaluator starts now: its first run warms a Go build cache of the standard
# library in the sandbox (minutes on 2 cores), which must not eat the evaluation window.
start_evaluator() {
  "$SC" evaluator --home "$NET/node$1" --keyring-backend test --key "node$1" --grpc "$(grpc "$1")" --node "$(rpc "$1")" \
    --listen "127.0.0.1:$((PB + 60 + $1))" --poll 3s --probe-poll 2s --work-dir "$E2E_HOME/eval$1" --std-cache "$E2E_HOME/gocache-std" \
    --allow-local-network >>"$E2E_HOME/evaluator$1.log" 2>&1 &
  PIDS+=("$!")
}
log "node0's evaluator starts (warms its cache)"
start_evaluator 0

log "node0's challenger: a seeded bugfix challenge, archives served over HTTP"
"$SC" challenger --home "$NET/node0" --keyring-backend test --key node0 --grpc "$(grpc 0)" --node "$NODE" --repo "$REPO" --seed 3 \
  --serve "127.0.0.1:$((PB + 50))" --state-dir "$E2E_HOME/challenger" --min-miners 3 --max-miners 4 \
  --response-window 12 --evaluation-window 240 --poll 1s >"$E2E_HOME/challenger.out" 2>>"$E2E_HOME/challenger.log" &
PIDS+=("$!")
wait_for "the challenge to be posted" 120 sh -c "[ -s '$E2E_HOME/challenger.out' ]"
ID=$(head -1 "$E2E_HOME/challenger.out")
grep -m1 "bug injected" "$E2E_HOME/challenger.log" || true
# The chain invites in the block after the post (seeded by the hash of the block holding
# it), so the challenge is INVITING for a block first.
invited4() { [ "$(q challenges challenge "$ID" | jq -r '.challenge.invited | length')" = 4 ]; }
for _ in $(seq 1 30); do invited4 && break; sleep 1; done
C=$(q challenges challenge "$ID")
[ "$(echo "$C" | jq -r '.challenge.invited | length')" = 4 ] || fail "challenge $ID: expected 4 invited miners: $C"
log "challenge $ID posted; invited: $(echo "$C" | jq -c .challenge.invited)"

skipped4() { q challenges unavailability node4 | jq -e '.skipped == true'; }
wait_for "node4 to be reported unavailable" 90 skipped4
U=$(q challenges unavailability node4)
[ "$(echo "$U" | jq -r '.reports[0].reporter')" = "$(addr node0)" ] || fail "node4 should be reported by node0's evaluator: $U"
[ "$(echo "$U" | jq -r '.reports[0].challenge_id')" = "$ID" ] || fail "node4's report should name challenge $ID: $U"
log "node4 reported unavailable by node0's evaluator, skipped until height $(echo "$U" | jq -r .skip_until_height)"

log "node0's second challenger: a context-selection challenge (a planted bug; the key is the file it touched)"
"$SC" challenger --home "$NET/node0" --keyring-backend test --key node0 --grpc "$(grpc 0)" --node "$NODE" --repo "$REPO" \
  --type context-selection --seed 5 --serve "127.0.0.1:$((PB + 51))" --state-dir "$E2E_HOME/challenger-cs" \
  --min-miners 3 --max-miners 4 --response-window 12 --evaluation-window 240 --poll 1s \
  >"$E2E_HOME/challenger-cs.out" 2>>"$E2E_HOME/challenger-cs.log" &
PIDS+=("$!")
wait_for "the context-selection challenge to be posted" 120 sh -c "[ -s '$E2E_HOME/challenger-cs.out' ]"
CS=$(head -1 "$E2E_HOME/challenger-cs.out")
grep -m1 "context selection made" "$E2E_HOME/challenger-cs.log" || true
invited_cs() { [ "$(q challenges challenge "$CS" | jq -r '.challenge.invited | length')" = 3 ]; }
wait_for "challenge $CS to invite 3 miners" 30 invited_cs
CSC=$(q challenges challenge "$CS")
[ "$(echo "$CSC" | jq -r .challenge.task_type)" = TASK_TYPE_CONTEXT_SELECTION ] || fail "challenge $CS is not a context selection: $CSC"
echo "$CSC" | jq -e '.challenge.invited | index("node4") == null' >/dev/null || fail "node4 was reported unavailable and should be skipped: $CSC"
if echo "$CSC" | jq -r .challenge.problem_statement | grep -q '\.go'; then fail "the statement names a file: $CSC"; fi
log "context-selection challenge $CS posted: $(echo "$CSC" | jq -r .challenge.problem_statement | cut -c1-90)..."

status() { q challenges challenge "$ID" | jq -r .challenge.status; }
wait_for "the tests reveal (EVALUATING)" 120 sh -c "[ \"\$($BIN q challenges challenge $ID --node $NODE -o json | jq -r .challenge.status)\" = CHALLENGE_STATUS_EVALUATING ]"
A=$(q challenges answers "$ID")
[ "$(echo "$A" | jq '[.answers[] | select(.revealed)] | length')" = 3 ] || fail "expected 3 revealed patches: $A"
[ "$(echo "$A" | jq -r '.answers[] | select(.node_id == "node4") | .commitment // ""')" = "" ] || fail "node4 should not have answered: $A"
log "3 patches committed and revealed; tests revealed"

log "node1 submits inflated scores with the CLI"
send_tx challenges submit-scores "$ID" --from node1 --keyring-dir "$NET/node1" \
  --scores '{"node_id":"node1","score_bps":10000}' --scores '{"node_id":"node2","score_bps":10000}' \
  --scores '{"node_id":"node3","score_bps":10000}'

log "node1's evaluator starts too (its scores are in: it skips this challenge)"
start_evaluator 1
wait_for "the challenge to be scored" 420 sh -c "[ \"\$($BIN q challenges challenge $ID --node $NODE -o json | jq -r .challenge.status)\" = CHALLENGE_STATUS_SCORED ]"
A=$(q challenges answers "$ID")
score() { echo "$A" | jq -r --arg n "$1" '.answers[] | select(.node_id == $n) | (.score_bps // 0)'; }
S1=$(score node1); S2=$(score node2); S3=$(score node3)
log "scores (median): right $S1, wrong $S2, not applying $S3"
[ "$S1" = 10000 ] || fail "the right fix should score 10000, got $S1"
lt "$S2" "$S1" || fail "wrong fix $S2 should score below the right fix $S1"
lt "$S3" "$S2" || fail "the patch that does not apply ($S3) should score below the wrong fix ($S2)"
[ "$S3" = 0 ] || fail "the patch that does not apply should score 0, got $S3"
R=$(q challenges evaluator "$("$BIN" keys show node1 -a --keyring-backend test --home "$NET/node1")")
[ "$(echo "$R" | jq -r '.record.disagreed // 0')" -ge 1 ] || fail "node1's inflated scores should be recorded as disagreeing: $R"
log "the median outvoted node1's inflated scores (its record: $(echo "$R" | jq -c .record))"

cs_scored() { [ "$(q challenges challenge "$CS" | jq -r .challenge.status)" = CHALLENGE_STATUS_SCORED ]; }
wait_for "the context-selection challenge to be scored" 240 cs_scored
CA=$(q challenges answers "$CS")
csscore() { echo "$CA" | jq -r --arg n "$1" '.answers[] | select(.node_id == $n) | (.score_bps // 0)'; }
cslist() { echo "$CA" | jq -r --arg n "$1" '.answers[] | select(.node_id == $n) | .patch' | base64 -d | tr '\n' ' '; }
C1=$(csscore node1); C2=$(csscore node2); C3=$(csscore node3)
log "context selection: node1 [$(cslist node1)] $C1, node2 [$(cslist node2)] $C2, node3 [$(cslist node3)] $C3 bps"
[ "$C1" = 10000 ] && [ "$C2" = 10000 ] || fail "the builtin selector should find the file: $C1 $C2 ($CA)"
[ "$C3" = 6666 ] || fail "node3's {calc.go, go.mod} against {calc.go}: F1 2/3 = 6666 bps, got $C3"

log "waiting for the epoch close: weights and emissions"
weights() { # weights: the first epoch with bugfix weights
  for e in $(seq 1 40); do
    w=$(q challenges weights "$e" bugfix 2>/dev/null || true)
    [ "$(echo "$w" | jq '.weights | length' 2>/dev/null || echo 0)" = 3 ] && { echo "$w"; return 0; }
  done
  return 1
}
wait_for "weights" 90 weights
WJ=$(weights)
w() { echo "$WJ" | jq -r --arg n "$1" '.weights[] | select(.node_id == $n) | .weight'; }
W1=$(w node1); W2=$(w node2); W3=$(w node3)
log "weights: $W1 $W2 $W3"
lt "$W2" "$W1" && lt "$W3" "$W2" || fail "weights out of order: $W1 $W2 $W3"
SUM=$(echo "$WJ" | jq -r '[.weights[].weight | tonumber] | add')
jq -en --arg s "$SUM" '($s | tonumber) > 0.999999 and ($s | tonumber) < 1.000001' >/dev/null || fail "weights sum to $SUM"
csweights() { # the first epoch with context-selection weights
  for e in $(seq 1 40); do
    w=$(q challenges weights "$e" context-selection 2>/dev/null || true)
    [ "$(echo "$w" | jq '.weights | length' 2>/dev/null || echo 0)" = 3 ] && { echo "$w"; return 0; }
  done
  return 1
}
wait_for "context-selection weights" 60 csweights
WJ=$(csweights)
X1=$(w node1); X2=$(w node2); X3=$(w node3)
log "context-selection weights: $X1 $X2 $X3"
# node1 and node2 scored the same: equal weights but for the rounding remainder, which
# goes to the largest (node1 on the tie)
jq -en --arg a "$X1" --arg b "$X2" '($a | tonumber) - ($b | tonumber) | fabs < 1e-15' >/dev/null && lt "$X3" "$X2" ||
  fail "context-selection weights do not follow the scores: $X1 $X2 $X3"
SUM=$(echo "$WJ" | jq -r '[.weights[].weight | tonumber] | add')
jq -en --arg s "$SUM" '($s | tonumber) > 0.999999 and ($s | tonumber) < 1.000001' >/dev/null || fail "context-selection weights sum to $SUM"

pending() { q challenges rewards "$1" | jq -r .amount; }
wait_for "rewards paid" 60 sh -c "[ \"\$($BIN q challenges rewards node3 --node $NODE -o json | jq -r .amount)\" != 0 ]"
# Every epoch close pays again (the scores stay in the window): read until the pool's
# pending total is the same before and after the three nodes' reads.
for _ in $(seq 1 10); do
  PT0=$(q challenges rewards node1 | jq -r .pending_total)
  P1=$(pending node1); P2=$(pending node2); P3=$(pending node3)
  RJ=$(q challenges rewards node1)
  [ "$(echo "$RJ" | jq -r .pending_total)" = "$PT0" ] && break
done
PT=$(echo "$RJ" | jq -r .pending_total); POOL=$(echo "$RJ" | jq -r .pool_balance)
log "pending rewards: node1 $P1, node2 $P2, node3 $P3; pending total $PT, pool $POOL"
lt "$P2" "$P1" && lt "$P3" "$P2" || fail "pending rewards out of weight order: $P1 $P2 $P3"
[ "$((P1 + P2 + P3))" = "$PT" ] || fail "Σ pending $((P1 + P2 + P3)) != pending total $PT"
[ "$PT" -le "$POOL" ] || fail "pending total $PT exceeds the pool $POOL"

B0=$(bal op1)
out=$(tx challenges withdraw-rewards node1 --from op1) || fail "withdraw refused: $out"
hash=$(echo "$out" | jq -r .txhash)
wait_for "withdraw $hash" 30 tx_ok "$hash"
GOT=$(cortd q tx "$hash" --node "$NODE" -o json | jq -r '.events[] | select(.type == "cortd.challenges.v1.EventRewardsWithdrawn")
  | .attributes[] | select(.key == "amount") | .value' | tr -d '"' | sed 's/ucor$//')
B1=$(bal op1)
[ -n "$GOT" ] && [ "$GOT" -gt 0 ] || fail "no EventRewardsWithdrawn amount in $hash"
[ "$((B1 - B0))" = "$GOT" ] || fail "op1's balance grew by $((B1 - B0)), the withdrawal paid $GOT"
[ "$(pending node1)" = 0 ] || [ "$(q challenges rewards node1 | jq -r .pending_total)" != "$PT" ] || fail "node1's pending reward not cleared"
log "op1 withdrew $GOT ucor; its balance grew by exactly that"

log "PASS"
