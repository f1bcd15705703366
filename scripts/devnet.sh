#!/usr/bin/env bash
# A multi-validator development network on one machine: N validators (default 4) made with
# `cortd testnet init-files --base-port`, each with a miner and an auditor sidecar, plus the
# router and the dashboard. CometBFT Prometheus is on for every node; state sync snapshots
# are taken every DEVNET_SNAPSHOT_INTERVAL blocks, so a fresh node can join by state sync
# (scripts/e2e/statesync.sh).
#
#   scripts/devnet.sh start      build, wipe and re-create the home, start everything in the
#                                background, wait until the miners serve and every role is
#                                healthy, print every endpoint (make devnet)
#   scripts/devnet.sh stop       stop every process started here, sidecars first, SIGTERM then
#                                SIGKILL after 10 s (make devnet-stop)
#   scripts/devnet.sh status     each process (running or not), each node's height, app hash
#                                and peers
#   scripts/devnet.sh endpoints  print the endpoints again
#   scripts/devnet.sh kill NAME  SIGKILL one process (node<i>, miner<i>, auditor<i>, router,
#                                dashboard): fault drills (scripts/e2e/devnet-faults.sh)
#   scripts/devnet.sh restart NAME   start NAME again with the command line it had
#
# Ports (P = DEVNET_BASE_PORT, node i's block is B = P + 10 i):
#   node i   p2p B, rpc B+1, grpc B+2, api (REST) B+3, proxy_app B+4, prometheus B+5,
#            pprof B+6 (the layout of `cortd testnet init-files --base-port`)
#   miner i  B+7 (/healthz /metrics /availability)   auditor i  B+8 (/healthz /metrics)
#   router   P+98                                     dashboard  P+99
# The default P = 29000 is used by no other script (the e2e scripts take 21600-25600, the
# localnet 26656-26660, 1317, 8080-8093, 9090) and sits below the kernel's ephemeral range
# (32768+), so an outgoing connection never holds a port a node needs on restart.
#
# Keys (test keyring, unencrypted: a local network only): node<i> (validator operator; its
# auditor signs with it) and miner<i> (the miner's operator key, node id miner<i>) in
# node<i>'s home; router and user (and DEVNET_EXTRA_KEYS) in node0's home. All funded.
#
# Environment:
#   DEVNET_HOME               home folder (default .devnet): net/node<i> homes, models, logs, pids
#   DEVNET_BASE_PORT          P above (29000)
#   DEVNET_VALIDATORS         number of validators, 1-9 (4)
#   CHAIN_ID                  chain id (cort-devnet-1)
#   BLOCK_TIME                timeout_commit (1s)
#   DEVNET_SNAPSHOT_INTERVAL  state sync snapshot every N blocks (100; `cortd init`'s default is 500)
#   BUILD_DIR                 where the binaries are (build)
#   DEVNET_BUILD              0: use the binaries already in BUILD_DIR (default: go build them)
#   DEVNET_EXTRA_KEYS         more funded keys in node0's home, e.g. "load1 load2"
#   DEVNET_GENESIS_JQ         a jq filter applied to the genesis before start (e2e knobs)
#   DEVNET_MINER_ARGS / DEVNET_AUDITOR_ARGS   extra flags for every miner / auditor
set -euo pipefail
cd "$(dirname "$0")/.."

H=${DEVNET_HOME:-$PWD/.devnet}
case "$H" in /*) ;; *) H=$PWD/$H ;; esac
P=${DEVNET_BASE_PORT:-29000}
N=${DEVNET_VALIDATORS:-4}
CHAIN_ID=${CHAIN_ID:-cort-devnet-1}
BLOCK_TIME=${BLOCK_TIME:-1s}
SNAP=${DEVNET_SNAPSHOT_INTERVAL:-100}
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
BIN=$BUILD_DIR/cortd
SC=$BUILD_DIR/cortd-sidecar
NET=$H/net
MODEL=tiny
API_KEYS_FILE=$H/router-api-keys

[[ "$N" =~ ^[1-9]$ ]] || { echo "DEVNET_VALIDATORS must be 1-9 (ports P..P+10N-1 below the router's P+98)" >&2; exit 2; }
[[ "$P" =~ ^[0-9]+$ ]] && [ "$P" -ge 1024 ] && [ "$P" -le 65435 ] || { echo "DEVNET_BASE_PORT must be 1024-65435" >&2; exit 2; }

port() { echo $((P + 10 * $1 + $2)); }   # port NODE OFFSET
rpc() { echo "tcp://127.0.0.1:$(port "$1" 1)"; }
grpc() { echo "127.0.0.1:$(port "$1" 2)"; }
ROUTER_PORT=$((P + 98))
DASH_PORT=$((P + 99))

# Process names in start order; stop goes backwards, so the sidecars go before the nodes.
procs() {
  local i
  for i in $(seq 0 $((N - 1))); do echo "node$i"; done
  for i in $(seq 0 $((N - 1))); do echo "miner$i"; echo "auditor$i"; done
  echo router; echo dashboard
}

log() { echo "==> $(date +%T) $*"; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$H"/*.log; do [ -f "$f" ] && { echo "--- $f (last lines)"; tail -15 "$f"; }; done >&2
  if ls "$H"/*.pid >/dev/null 2>&1; then
    echo "what started is left running for a look; stop it with: DEVNET_HOME=$H $0 stop" >&2
  fi
  exit 1
}

# ours NAME: the pid in NAME.pid is alive and runs the command we started (NAME.cmd), so a
# stale pid file never makes us signal an unrelated process that reused the pid.
ours() {
  local f=$H/$1 pid line
  pid=$(cat "$f.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && [ -f "$f.cmd" ] || return 1
  line=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  case "$line" in *"$(cat "$f.cmd") ") return 0 ;; *) return 1 ;; esac
}

# launch NAME CMD...: run CMD in the background (its own session, so a terminal's ^C does
# not reach it), log to NAME.log, pid in NAME.pid, the command in NAME.cmd (to recognise
# it) and NAME.argv (quoted, to restart it).
launch() {
  local name=$1; shift
  echo "$*" >"$H/$name.cmd"
  printf '%q ' "$@" >"$H/$name.argv"
  setsid nohup "$@" >>"$H/$name.log" 2>&1 </dev/null &
  echo $! >"$H/$name.pid"
}

relaunch() {
  local name=$1 argv
  [ -f "$H/$name.argv" ] || { echo "no process named $name in $H" >&2; exit 2; }
  ours "$name" && { echo "$name is running (pid $(cat "$H/$name.pid"))" >&2; exit 2; }
  eval "argv=($(cat "$H/$name.argv"))"
  echo "--- restarted $(date +%T)" >>"$H/$name.log"
  launch "$name" "${argv[@]}"
  echo "restarted $name (pid $(cat "$H/$name.pid"))"
}

stop_one() {
  local name=$1 pid
  [ -f "$H/$name.pid" ] || return 0
  pid=$(cat "$H/$name.pid")
  if ours "$name"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do ours "$name" || break; sleep 0.2; done
    if ours "$name"; then kill -9 "$pid" 2>/dev/null || true; echo "killed $name (pid $pid; no exit 10 s after SIGTERM)"
    else echo "stopped $name (pid $pid)"; fi
  fi
  rm -f "$H/$name.pid"
}

stop_all() {
  local names any=0 i
  mapfile -t names < <(procs)
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    [ -f "$H/${names[$i]}.pid" ] && any=1
    stop_one "${names[$i]}"
  done
  # Joiners started by scripts/e2e/statesync.sh keep their pid files here too.
  for f in "$H"/join*.pid; do [ -f "$f" ] && { any=1; stop_one "$(basename "$f" .pid)"; }; done
  [ "$any" = 1 ] || echo "no devnet running in $H (no pid files)"
}

cortd() { "$BIN" "$@"; }
height_of() { curl -fsS --max-time 2 "http://127.0.0.1:$(port "$1" 1)/status" 2>/dev/null | jq -r .result.sync_info.latest_block_height; }
chain_past() { local h; h=$(height_of 0); [ -n "$h" ] && [ "$h" != null ] && [ "$h" -ge "$1" ]; }
# wait_until DESC SECONDS PROC CMD...: poll CMD every second; fail when PROC has exited.
wait_until() {
  local desc=$1 secs=$2 proc=$3; shift 3
  for _ in $(seq 1 "$secs"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
    ours "$proc" || fail "$proc exited while waiting for $desc (log: $H/$proc.log)"
  done
  fail "timed out after ${secs}s waiting for $desc"
}
# send_tx HOME ARGS...: broadcast from the CLI, which waits until the tx is in a block and
# exits non-zero on a refusal, a failure in the block or a timeout.
send_tx() {
  local home=$1 out; shift
  out=$(cortd tx "$@" --home "$home" --node "$(rpc 0)" --chain-id "$CHAIN_ID" --keyring-backend test \
    --yes --gas auto --gas-adjustment 1.5 -o json 2>>"$H/cli.log") || fail "tx $*: $out (more in $H/cli.log)"
}
serving() { # serving NODE_ID: heartbeated with the model loaded
  cortd q nodes node "$1" --home "$NET/node0" --node "$(rpc 0)" -o json 2>/dev/null |
    jq -e --arg m "$MODEL" '(.node.last_heartbeat_height | tonumber) > 0 and (.node.loaded_models | index($m))' >/dev/null
}
key_hint() { local k; k=$(head -1 "$API_KEYS_FILE"); echo "${k:0:13}..."; }

endpoints() {
  local i
  echo
  echo "cortd devnet: $N validators, chain $CHAIN_ID, home $H (ports $P-$((P + 99)))"
  printf '  %-6s %-23s %-23s %-16s %-32s %-36s %s\n' node rpc rest grpc prometheus pprof "miner / auditor"
  for i in $(seq 0 $((N - 1))); do
    printf '  %-6s %-23s %-23s %-16s %-32s %-36s %s\n' "node$i" "http://127.0.0.1:$(port "$i" 1)" "http://127.0.0.1:$(port "$i" 3)" \
      "127.0.0.1:$(port "$i" 2)" "http://127.0.0.1:$(port "$i" 5)/metrics" "http://127.0.0.1:$(port "$i" 6)/debug/pprof" \
      "http://127.0.0.1:$(port "$i" 7) / $(port "$i" 8)"
  done
  echo "  router     http://127.0.0.1:$ROUTER_PORT/v1 (OpenAI-compatible; API key $(key_hint) in $API_KEYS_FILE)"
  echo "             curl -H \"Authorization: Bearer \$(head -1 $API_KEYS_FILE)\" http://127.0.0.1:$ROUTER_PORT/v1/models"
  echo "  dashboard  http://127.0.0.1:$DASH_PORT"
  echo "  model      $MODEL (files in $H/models)"
  echo "  keys       node<i>, miner<i> in $NET/node<i>; router, user${DEVNET_EXTRA_KEYS:+ $DEVNET_EXTRA_KEYS} in $NET/node0 (keyring-backend test)"
  echo "  CLI        $BIN --home $NET/node0 q sessions params   (node0's client.toml points at its RPC)"
  echo "  snapshots  every $SNAP blocks (state sync: scripts/e2e/statesync.sh)"
  echo "  logs       $H/{node,miner,auditor}<i>.log, router.log, dashboard.log"
  echo "  status     scripts/devnet.sh status      stop: make devnet-stop"
}

status() {
  local name pid h i j low="" first="" got agree=yes
  [ -d "$H" ] || { echo "no devnet in $H"; exit 1; }
  while read -r name; do
    pid=$(cat "$H/$name.pid" 2>/dev/null || echo -)
    if ours "$name"; then printf '  %-10s running  pid %s\n' "$name" "$pid"; else printf '  %-10s stopped\n' "$name"; fi
  done < <(procs)
  for i in $(seq 0 $((N - 1))); do
    j=$(curl -fsS --max-time 2 "http://127.0.0.1:$(port "$i" 1)/status" 2>/dev/null) || { printf '  node%s: RPC not answering\n' "$i"; continue; }
    h=$(echo "$j" | jq -r .result.sync_info.latest_block_height)
    printf '  node%s: height %s  catching up %s  peers %s\n' "$i" "$h" "$(echo "$j" | jq -r .result.sync_info.catching_up)" \
      "$(curl -fsS --max-time 2 "http://127.0.0.1:$(port "$i" 1)/net_info" | jq -r .result.n_peers)"
    if [ -z "$low" ] || [ "$h" -lt "$low" ]; then low=$h; fi
  done
  [ -n "$low" ] || return 0
  # Nodes are a block or so apart: compare the block every answering node has.
  for i in $(seq 0 $((N - 1))); do
    got=$(curl -fsS --max-time 2 "http://127.0.0.1:$(port "$i" 1)/block?height=$low" 2>/dev/null |
      jq -r '"\(.result.block_id.hash) \(.result.block.header.app_hash)"') || continue
    [ -z "$first" ] && first=$got
    [ "$got" = "$first" ] || agree=NO
  done
  echo "  block $low (hash, app hash): ${first:0:16}.. ${first:65:16}..  same on every answering node: $agree"
}

cmd=${1:-start}
case "$cmd" in
  stop) stop_all; exit 0 ;;
  status) status; exit 0 ;;
  endpoints) endpoints; exit 0 ;;
  kill)
    [ -n "${2:-}" ] || { echo "usage: $0 kill NAME" >&2; exit 2; }
    ours "$2" || { echo "$2 is not running" >&2; exit 1; }
    kill -9 "$(cat "$H/$2.pid")"; echo "killed $2 (pid $(cat "$H/$2.pid"))"; exit 0 ;;
  restart)
    [ -n "${2:-}" ] || { echo "usage: $0 restart NAME" >&2; exit 2; }
    relaunch "$2"; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop|status|endpoints|kill NAME|restart NAME]" >&2; exit 2 ;;
esac

for t in curl jq setsid; do command -v "$t" >/dev/null || { echo "$t is needed (apt-get install curl jq util-linux)" >&2; exit 1; }; done
if [ "${DEVNET_BUILD:-1}" != 0 ]; then
  log "building cortd and cortd-sidecar into $BUILD_DIR (a first build takes minutes)"
  go build -o "$BIN" ./cmd/cortd
  go build -o "$SC" ./cmd/cortd-sidecar
fi
[ -x "$BIN" ] && [ -x "$SC" ] || fail "no $BIN or $SC (run without DEVNET_BUILD=0)"

if ls "$H"/*.pid >/dev/null 2>&1; then
  log "stopping what an earlier run started in $H"
  stop_all | sed 's/^/    /'
fi
[ -e "$H" ] && log "removing the earlier devnet in $H (chain data, test keys, API key, models)"
rm -rf "$H"
umask 077   # keyrings, validator keys and the API key are owner-only
mkdir -p "$H"

log "$N validator homes in $NET (ports from $P, snapshots every $SNAP blocks)"
cortd testnet init-files --v "$N" --output-dir "$NET" --chain-id "$CHAIN_ID" --base-port "$P" --port-step 10 \
  --timeout-commit "$BLOCK_TIME" --snapshot-interval "$SNAP" --snapshot-keep-recent 2 --home "$H/init" >"$H/init.log" 2>&1 ||
  fail "testnet init-files"

log "funded keys: miner0..$((N - 1)), router, user${DEVNET_EXTRA_KEYS:+, $DEVNET_EXTRA_KEYS}"
G=$NET/node0/config/genesis.json
add_key() { # add_key HOME NAME: create the key and fund it in node0's genesis
  cortd keys add "$2" --home "$1" --keyring-backend test >/dev/null 2>&1
  cortd genesis add-genesis-account "$(cortd keys show "$2" -a --home "$1" --keyring-backend test)" 100000000000ucor \
    --home "$NET/node0" >/dev/null
}
for i in $(seq 0 $((N - 1))); do add_key "$NET/node$i" "miner$i"; done
for k in router user ${DEVNET_EXTRA_KEYS:-}; do add_key "$NET/node0" "$k"; done
# A local network: model files and data are served from loopback or file:// (real networks
# refuse those URLs); proposals pass in a minute.
jq '(.. | objects | select(has("allow_local_urls")) | .allow_local_urls) = true
  | .app_state.gov.params.voting_period = "60s" | .app_state.gov.params.expedited_voting_period = "30s"' "$G" >"$G.new"
mv "$G.new" "$G"
if [ -n "${DEVNET_GENESIS_JQ:-}" ]; then
  jq "$DEVNET_GENESIS_JQ" "$G" >"$G.new" || fail "DEVNET_GENESIS_JQ: $DEVNET_GENESIS_JQ"
  mv "$G.new" "$G"
fi
cortd genesis validate "$G" --home "$NET/node0" >/dev/null 2>&1 || { cortd genesis validate "$G" --home "$NET/node0"; fail "genesis does not validate"; }
for i in $(seq 1 $((N - 1))); do cp "$G" "$NET/node$i/config/genesis.json"; done
echo "sk-devnet-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$API_KEYS_FILE"

log "starting $N validators"
for i in $(seq 0 $((N - 1))); do launch "node$i" "$BIN" start --home "$NET/node$i" --log_no_color; done
wait_until "the first blocks" 120 node0 chain_past 2
log "producing blocks (height $(height_of 0))"

"$SC" model init --arch gpt2 --layers 2 --dim 64 --heads 4 --seed 1 --out "$H/models/$MODEL" >/dev/null
w=$(sha256sum "$H/models/$MODEL/model.safetensors" | cut -d' ' -f1)
t=$(sha256sum "$H/models/$MODEL/tokenizer.json" | cut -d' ' -f1)
log "registering model $MODEL (gpt2, 2 layers, dim 64) from user"
send_tx "$NET/node0" models register "$MODEL" "Devnet model $MODEL" gpt2 "file://$H/models/$MODEL" "$w" "$t" 64 1 --from user

log "a miner and an auditor beside each validator"
for i in $(seq 0 $((N - 1))); do
  # shellcheck disable=SC2086 # extra flags are a word list
  launch "miner$i" "$SC" miner --home "$NET/node$i" --keyring-backend test --key "miner$i" --node-id "miner$i" \
    --engine native --serve "$MODEL" --models "$H/models" --memory-mb 512 --grpc "$(grpc "$i")" --node "$(rpc "$i")" \
    --listen "127.0.0.1:$(port "$i" 7)" --poll 3s --allow-local-network ${DEVNET_MINER_ARGS:-}
  # shellcheck disable=SC2086
  launch "auditor$i" "$SC" auditor --home "$NET/node$i" --keyring-backend test --key "node$i" \
    --engine native --models "$H/models" --memory-mb 512 --grpc "$(grpc "$i")" --node "$(rpc "$i")" \
    --listen "127.0.0.1:$(port "$i" 8)" --poll 3s --retry 5s --allow-local-network ${DEVNET_AUDITOR_ARGS:-}
done
for i in $(seq 0 $((N - 1))); do
  wait_until "miner$i to heartbeat with $MODEL loaded" 180 "miner$i" serving "miner$i"
  wait_until "auditor$i /healthz" 60 "auditor$i" curl -fsS "http://127.0.0.1:$(port "$i" 8)/healthz"
done
log "miners serving, auditors healthy"

launch router "$SC" router --home "$NET/node0" --keyring-backend test --key router --grpc "$(grpc 0)" --node "$(rpc 0)" \
  --addr "127.0.0.1:$ROUTER_PORT" --api-keys "$API_KEYS_FILE" --models "$H/models" --redundancy 3 --quorum 2
launch dashboard "$SC" dashboard --grpc "$(grpc 0)" --rpc "$(rpc 0)" --listen "127.0.0.1:$DASH_PORT"
wait_until "the router" 60 router curl -fsS "http://127.0.0.1:$ROUTER_PORT/healthz"
wait_until "the dashboard" 60 dashboard curl -fsS "http://127.0.0.1:$DASH_PORT/healthz"
for i in $(seq 0 $((N - 1))); do
  # (into a variable first: grep -q quitting early would fail curl's write under pipefail)
  m=$(curl -fsS "http://127.0.0.1:$(port "$i" 5)/metrics" || true)
  grep -q '^cometbft_consensus_height' <<<"$m" || fail "node$i: no CometBFT Prometheus metrics on $(port "$i" 5)"
done
endpoints
