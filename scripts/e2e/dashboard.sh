#!/usr/bin/env bash
# End to end for the network dashboard (issue 13): a real single-validator chain, two
# miner sidecars, a session with validated tasks, an open data target and an open
# coding challenge; then `cortd-sidecar dashboard` is loaded in headless Chromium
# (sidecar/dashboard/browsertest, build tag `browser`): every page's visible numbers
# are checked against the CLI's queries, two tasks validated while the dashboard runs
# must show in the overview's rates, a live update is awaited after a new block,
# and screenshots are saved. Last, the chain node is frozen: the dashboard says the
# node is unreachable (503) and that its websocket dropped, and recovers when the node
# comes back.
#
#   scripts/e2e/dashboard.sh
#
# Environment: E2E_HOME (default: a temp dir), PORT_BASE (default 24600), OUT_DIR
# (screenshots; default build/screenshots), KEEP=1 keeps the home. Chromium comes from
# scripts/install-chromium.sh (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
E2E_HOME=${E2E_HOME:-$(mktemp -d /tmp/cortd-e2e-dashboard.XXXXXX)}
PB=${PORT_BASE:-24600}
RPC_PORT=$((PB + 57)); P2P_PORT=$((PB + 56)); GRPC_PORT=$((PB + 90)); API_PORT=$((PB + 17)); DASH_PORT=$((PB + 80))
CHAIN_ID=cort-e2e-dashboard
NODE=tcp://127.0.0.1:$RPC_PORT
HOME_DIR=$E2E_HOME/chain
BIN=$ROOT/build/cortd
# The e2e build (-tags e2efault: the fault-injection flags) goes in a folder of its own,
# so it never replaces the production build/cortd-sidecar.
SC=$ROOT/build/e2e/cortd-sidecar
BT=$ROOT/build/dashboard-browser.test
OUT_DIR=${OUT_DIR:-$ROOT/build/screenshots}
DASH=http://127.0.0.1:$DASH_PORT
PIDS=()

log() { echo "==> $(date +%T) $*"; }
fail() { echo "FAIL: $*" >&2; for f in "$E2E_HOME"/*.log; do echo "--- $f"; tail -25 "$f"; done >&2; exit 1; }
cleanup() {
  [ -n "${CHAIN_PID:-}" ] && kill -CONT "$CHAIN_PID" 2>/dev/null || true
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $E2E_HOME" || rm -rf "$E2E_HOME"
}
trap cleanup EXIT

cortd() { "$BIN" --home "$HOME_DIR" "$@"; }
q() { cortd q "$@" --node "$NODE" -o json; }
tx() { cortd tx "$@" --node "$NODE" --chain-id "$CHAIN_ID" --keyring-backend test --yes -o json --gas auto --gas-adjustment 1.5; }
height() { "$BIN" status --node "$NODE" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
wait_for() { # wait_for DESC SECONDS CMD...
  local desc=$1 secs=$2; shift 2
  for _ in $(seq 1 "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${secs}s waiting for $desc"
}
send_tx() { # run a tx and wait until it is in a block with code 0
  local out hash
  out=$(tx "$@") || fail "tx $* refused: $out"
  [ "$(echo "$out" | jq -r .code)" = 0 ] || fail "tx $* refused: $out"
  hash=$(echo "$out" | jq -r .txhash)
  wait_for "tx $hash" 30 tx_ok "$hash"
}
tx_ok() { [ "$(cortd q tx "$1" --node "$NODE" -o json 2>/dev/null | jq -r .code)" = 0 ]; }
status_code() { curl -s -o /dev/null -m 15 -w '%{http_code}' "$DASH$1"; }

log "building cortd, cortd-sidecar and the browser test"
mkdir -p build "$OUT_DIR"
go build -o "$BIN" ./cmd/cortd
mkdir -p "$(dirname "$SC")"
go build -tags e2efault -o "$SC" ./cmd/cortd-sidecar
go test -c -tags browser -o "$BT" ./sidecar/dashboard/browsertest
command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh

log "initialising the chain in $HOME_DIR (ports from $PB)"
cortd init e2e --chain-id "$CHAIN_ID" >/dev/null 2>&1
for k in validator operator1 operator2 user; do
  cortd keys add "$k" --keyring-backend test >/dev/null 2>&1
  amount=100000000000ucor; [ "$k" = validator ] && amount=1000000000000ucor
  cortd genesis add-genesis-account "$k" "$amount" --keyring-backend test
done
cfg=$HOME_DIR/config
sed -i "s/^timeout_commit = .*/timeout_commit = \"1s\"/" "$cfg/config.toml"
sed -i "s#^laddr = \"tcp://127.0.0.1:26657\"#laddr = \"tcp://127.0.0.1:$RPC_PORT\"#; s#^laddr = \"tcp://0.0.0.0:26656\"#laddr = \"tcp://127.0.0.1:$P2P_PORT\"#; s#^pprof_laddr = .*#pprof_laddr = \"\"#" "$cfg/config.toml"
sed -i "s#^address = \"tcp://localhost:1317\"#address = \"tcp://127.0.0.1:$API_PORT\"#; s#^address = \"localhost:9090\"#address = \"127.0.0.1:$GRPC_PORT\"#" "$cfg/app.toml"
cortd genesis gentx validator 100000000000ucor --chain-id "$CHAIN_ID" --keyring-backend test >/dev/null 2>&1
cortd genesis collect-gentxs >/dev/null 2>&1
# A 15 s data epoch (targets open at its start, for the tiny model of dim 64).
G=$cfg/genesis.json
jq '
  .app_state.epochs.epochs += [(.app_state.epochs.epochs[0] + {identifier: "e2e", duration: "15s"})]
  | .app_state.data.params += {epoch_identifier: "e2e", targets_per_epoch: 2, models_per_target: 1, embedding_dim: 64}
' "$G" >"$G.new" && mv "$G.new" "$G"

"$BIN" start --home "$HOME_DIR" >>"$E2E_HOME/cortd.log" 2>&1 &
CHAIN_PID=$!
PIDS+=("$CHAIN_PID")
chain_past() { local h; h=$(height); [ -n "$h" ] && [ "$h" -ge "$1" ]; }
wait_for "blocks" 60 chain_past 2
log "chain producing blocks (height $(height))"

log "model, two miners, a session with two tasks"
"$SC" model init --out "$E2E_HOME/models/tiny" --seed 7 >/dev/null
W=$(cat "$E2E_HOME"/models/tiny/*.safetensors | sha256sum | cut -d' ' -f1)
T=$(sha256sum "$E2E_HOME/models/tiny/tokenizer.json" | cut -d' ' -f1)
send_tx models register tiny "Tiny e2e model" gpt2 "file://$E2E_HOME/models/tiny" "$W" "$T" 64 1 --from user
send_tx data fund-pool 100000000 --from validator
for n in 1 2; do
  "$SC" miner --home "$HOME_DIR" --keyring-backend test --key "operator$n" --node-id "node$n" --engine native \
    --models "$E2E_HOME/models" --memory-mb 1024 --grpc "127.0.0.1:$GRPC_PORT" --node "$NODE" \
    --listen "127.0.0.1:$((PB + 100 + n))" --poll 3s >>"$E2E_HOME/miner$n.log" 2>&1 &
  PIDS+=("$!")
done
for n in 1 2; do
  wait_for "node$n registered and heartbeating" 60 sh -c "$BIN q nodes node node$n --node $NODE -o json | jq -e '.node.last_heartbeat_height | tonumber > 0'"
done
send_tx sessions create tiny 2 2 1000 32 10000000 --from user
for i in 1 2; do send_tx sessions submit 1 "Dashboard task $i says:" --max-tokens 8 --temperature 0 --top-p 1 --from user; done
validated() { [ "$(q sessions task "$1" | jq -r .task.status)" = TASK_STATUS_VALIDATED ]; }
for t in 1 2; do wait_for "task $t validated" 120 validated "$t"; done
log "tasks 1 and 2 validated"

log "an open challenge (nodes opted in) and an open data target"
for n in 1 2; do send_tx challenges opt-in "node$n" true --from "operator$n"; done
send_tx challenges post --from validator --task-type codegen \
  --snapshot '{"url":"https://example.invalid/repo.tar.gz","sha256":"'"$(printf repo | sha256sum | cut -d' ' -f1)"'","size_bytes":"1000"}' \
  --problem-statement "Make the tests pass." --context-paths src --checklist "tests pass" --test-command "go test ./..." \
  --tests-commitment "$(printf tests | sha256sum | cut -d' ' -f1)" --min-miners 1 --max-miners 2 \
  --response-window-blocks 600 --evaluation-window-blocks 600
CH=$(q challenges challenges | jq -r '.challenges[0].id')
[ -n "$CH" ] && [ "$CH" != null ] || fail "no challenge posted"
open_target() { [ "$(q data targets --status open | jq '.targets | length')" -gt 0 ]; }
wait_for "an open data target" 60 open_target
log "challenge $CH ($(q challenges challenge "$CH" | jq -r .challenge.status)), $(q data targets --status open | jq '.targets | length') open targets"

log "starting the dashboard on $DASH"
"$SC" dashboard --grpc "127.0.0.1:$GRPC_PORT" --rpc "$NODE" --listen "127.0.0.1:$DASH_PORT" --census-every 5s --stall 6s \
  --query-timeout 3s >>"$E2E_HOME/dashboard.log" 2>&1 &
PIDS+=("$!")
wait_for "dashboard /healthz" 30 curl -fsS "$DASH/healthz"
for p in / /nodes /nodes/node1 /sessions /sessions/1 /tasks/1 /data /challenges "/challenges/$CH"; do
  [ "$(status_code "$p")" = 200 ] || fail "$p: HTTP $(status_code "$p")"
done
[ "$(status_code /nodes/nope)" = 404 ] || fail "/nodes/nope is not 404"
[ "$(status_code '/nodes?sort=bogus')" = 400 ] || fail "/nodes?sort=bogus is not 400"
for a in $(q audits open 2>/dev/null | jq -r '.audits[]?.id' 2>/dev/null); do
  [ "$(status_code "/audits/$a")" = 200 ] || fail "/audits/$a: HTTP $(status_code "/audits/$a")"
done

log "two more tasks validated while the dashboard watches (the overview's rates)"
for i in 3 4; do send_tx sessions submit 1 "Dashboard task $i says:" --max-tokens 8 --temperature 0 --top-p 1 --from user; done
for t in 3 4; do wait_for "task $t validated" 120 validated "$t"; done
log "tasks 3 and 4 validated"

log "headless Chromium: every page against the CLI, a live update, screenshots in $OUT_DIR"
DASHBOARD_URL=$DASH CORTD_BIN=$BIN CORTD_HOME=$HOME_DIR CORTD_NODE=$NODE OUT_DIR=$OUT_DIR \
  NODE_ID=node1 SESSION_ID=1 TASK_ID=1 CHALLENGE_ID=$CH RATE_TASKS=2 \
  "$BT" -test.v -test.run TestDashboardInBrowser -test.timeout 4m 2>&1 | tee "$E2E_HOME/browser.log" | grep -E '^(=== RUN|--- |\s+browser_test.go|PASS|FAIL|ok)' || true
grep -q '^--- PASS: TestDashboardInBrowser' "$E2E_HOME/browser.log" || fail "browser test failed (see $E2E_HOME/browser.log)"
ls "$OUT_DIR"/*.png >/dev/null || fail "no screenshots"

log "the node frozen: the dashboard says it is unreachable and the websocket dropped"
kill -STOP "$CHAIN_PID"
code=$(status_code /nodes)
[ "$code" = 503 ] || fail "/nodes with the node frozen: HTTP $code, want 503"
curl -s -m 15 "$DASH/nodes" | grep -q "the node" || fail "the 503 page does not say the node is unreachable"
wait_for "the page to say the websocket dropped" 30 sh -c "curl -s -m 15 $DASH/ | grep -q 'node link: dropped'"
kill -CONT "$CHAIN_PID"
log "the node resumed"
wait_for "/nodes to answer again" 30 sh -c "[ \"\$(curl -s -o /dev/null -m 15 -w '%{http_code}' $DASH/nodes)\" = 200 ]"
wait_for "the websocket to be re-established" 60 sh -c "curl -s -m 15 $DASH/ | grep -q 'node link: reconnected'"
curl -fsS "$DASH/metrics" | grep -q 'cortd_dashboard_requests_total{page="nodes",code="503"}' || fail "metrics lack the 503"
log "screenshots: $(ls "$OUT_DIR" | tr '\n' ' ')"
echo "PASS: dashboard e2e"
