#!/usr/bin/env bash
# Local network for development, walk-throughs and the demo: a single-validator chain,
# two small models made with `cortd-sidecar model init` and registered on chain, three
# miner sidecars (native engine) and the OpenAI-compatible router.
#
#   scripts/localnet.sh         build, wipe and re-create the home, start everything in the
#                               background, wait until the miners heartbeat with both models
#                               loaded, print every endpoint
#   scripts/localnet.sh demo    the same, then one chat completion through the router (curl),
#                               its answer and the task's on-chain record (make demo)
#   scripts/localnet.sh stop    stop every process started here (pid files in the home)
#   scripts/localnet.sh init    only build and initialise the home (keys, genesis, API key); start nothing
#
# Secrets: the home is 0700 and everything written in it owner-only (umask 077); keys are in
# the unencrypted test keyring, so every sidecar started here passes --keyring-backend test
# (the sidecar's default is the encrypted file keyring, for real networks). No mnemonic is
# written unless LOCALNET_SAVE_MNEMONICS=1, and the router's API key is never printed in full.
#
# Keys (test keyring in the home), all funded: validator, operator1..3, user, submitter for
# the walk-throughs; miner1..3 (the miners' operator keys, node ids miner1..3) and router
# (funds the router's sessions) for the sidecars, so that a walk-through's ordered txs from
# operator1..3 or user never race a sidecar for a sequence number.
#
# Environment:
#   LOCALNET_HOME        home folder (default .localnet)
#   CHAIN_ID             chain id (cort-local-1)
#   BLOCK_TIME           timeout_commit (1s)
#   PORT_BASE            unset: the standard ports (RPC 26657, gRPC 9090, REST 1317, router
#                        8080, dashboard 8090, miners 8091..8093); set: every port from it
#                        (RPC +57, P2P +56, gRPC +90, REST +17, router +80, dashboard +70,
#                        miners +101..+103; pprof off), so a second network can run beside
#   LOCALNET_CHAIN_ONLY  1: only the chain, as before the sidecars existed
#   BUILD_DIR            where the binaries are (default build)
#   LOCALNET_BUILD       0: use the binaries already in BUILD_DIR (default: go build them)
#   LOCALNET_MINER_ARGS / LOCALNET_ROUTER_ARGS   extra flags for the miners / the router
#   LOCALNET_SAVE_MNEMONICS  1: write each key's `keys add` output, mnemonic included, to
#                        <home>/<key>.key.json (mode 0600); default: no mnemonic files
#   LOCALNET_GENESIS_JQ  a jq filter applied to genesis.json before the gentx (benchmarks raise
#                        x/sessions' per-block bounds with it)
#   LOCALNET_PPROF       host:port for cortd's pprof server (default: off under PORT_BASE)
#   LOCALNET_SIDECAR_PPROF  a loopback port P: miners serve Go's profiles on P+1..P+3, the
#                        router on P+4 (cortd-sidecar --pprof; default off)
#   LOCALNET_DASHBOARD   0: no dashboard (benchmarks: it follows every tx's events)
#   LOCALNET_IAVL_DISABLE_FASTNODE  app.toml's iavl-disable-fastnode (true / false; default:
#                        what `cortd init` writes)
#   LOCALNET_APP_DB_BACKEND  app.toml's app-db-backend (default: the SDK's, goleveldb;
#                        pebbledb is the other the node is built with)
#   LOCALNET_SIDECAR_NICE  niceness of the miners and the router (default 0): with every
#                        process on one machine, a positive value lets the node execute
#                        and commit its blocks ahead of the sidecars' inference
set -euo pipefail
cd "$(dirname "$0")/.."

HOME_DIR=${LOCALNET_HOME:-$PWD/.localnet}
case "$HOME_DIR" in /*) ;; *) HOME_DIR=$PWD/$HOME_DIR ;; esac
CHAIN_ID=${CHAIN_ID:-cort-local-1}
BLOCK_TIME=${BLOCK_TIME:-1s}
CHAIN_ONLY=${LOCALNET_CHAIN_ONLY:-0}
BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
BIN=$BUILD_DIR/cortd
SC=$BUILD_DIR/cortd-sidecar
LOG_FILE=$HOME_DIR/cortd.log
KEYS=(validator operator1 operator2 operator3 user submitter miner1 miner2 miner3 router)
MINERS=(miner1 miner2 miner3)
# Two models of different shapes and seeds: id, then `model init` flags.
MODEL_IDS=(tiny tiny-llama)
MODEL_FLAGS=("--arch gpt2 --layers 2 --dim 64 --heads 4 --seed 1"
             "--arch llama --layers 2 --dim 96 --heads 4 --kv-heads 2 --seed 2")
MODEL_DIMS=(64 96)

if [ -n "${PORT_BASE:-}" ]; then
  PB=$PORT_BASE
  RPC_PORT=$((PB + 57)); P2P_PORT=$((PB + 56)); GRPC_PORT=$((PB + 90)); API_PORT=$((PB + 17))
  ROUTER_PORT=$((PB + 80)); DASH_PORT=$((PB + 70)); MINER_PORT0=$((PB + 100))
else
  RPC_PORT=26657; P2P_PORT=26656; GRPC_PORT=9090; API_PORT=1317
  ROUTER_PORT=8080; DASH_PORT=8090; MINER_PORT0=8090
fi
RPC=tcp://127.0.0.1:$RPC_PORT
GRPC=127.0.0.1:$GRPC_PORT
ROUTER_URL=http://127.0.0.1:$ROUTER_PORT
DASH_URL=http://127.0.0.1:$DASH_PORT
API_KEYS_FILE=$HOME_DIR/router-api-keys
# Processes in start order; stop goes backwards so the chain goes last.
PROCS=(cortd miner1 miner2 miner3 router dashboard)

log() { echo "==> $*"; }
# build_with_progress OUT PKG: go build that says what it is doing on a cold cache (a first
# build is silent for minutes otherwise): module download, then a line every 50 compiled
# packages; compiler errors are printed in full.
build_with_progress() {
  local out=$1 pkg=$2 errs
  errs=$(mktemp)
  echo "    resolving $pkg (a first run downloads its modules here: 1-2 minutes)"
  go list -deps "$pkg" >/dev/null 2>"$errs" || { cat "$errs" >&2; rm -f "$errs"; fail "go list $pkg failed (module download?)"; }
  go build -v -o "$out" "$pkg" 2>&1 >/dev/null | tee "$errs" |
    awk '/^[a-z0-9]/ && !/:[0-9]+:/ { n++; if (n % 50 == 0) { printf "    %d packages compiled\n", n; fflush() } }'
  if [ "${PIPESTATUS[0]}" != 0 ] || [ ! -x "$out" ]; then
    grep -v '^[a-zA-Z0-9._/-]*$' "$errs" >&2 || cat "$errs" >&2
    rm -f "$errs"
    fail "go build $pkg failed"
  fi
  rm -f "$errs"
}
fail() {
  echo "FAIL: $*" >&2
  for f in "$HOME_DIR"/*.log; do [ -f "$f" ] && { echo "--- $f (last lines)"; tail -15 "$f"; }; done >&2
  if ls "$HOME_DIR"/*.pid >/dev/null 2>&1; then
    echo "what started is left running for a look; stop it with: LOCALNET_HOME=$HOME_DIR $0 stop" >&2
  fi
  exit 1
}

# ours NAME: the process in NAME.pid is alive and is the command we started (NAME.cmd), so a
# stale pid file never makes us kill an unrelated process that reused the pid. Homes made
# before NAME.cmd existed: the command line must name this home.
ours() {
  local f=$HOME_DIR/$1 pid line
  pid=$(cat "$f.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  line=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  if [ -f "$f.cmd" ]; then
    case "$line" in *"$(cat "$f.cmd") ") return 0 ;; *) return 1 ;; esac   # "nohup CMD" until exec
  fi
  case "$line" in *"$HOME_DIR"*) return 0 ;; *) return 1 ;; esac
}

stop_one() {
  local name=$1 pid
  [ -f "$HOME_DIR/$name.pid" ] || return 0
  pid=$(cat "$HOME_DIR/$name.pid")
  if ours "$name"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do ours "$name" || break; sleep 0.2; done
    ours "$name" && kill -9 "$pid" 2>/dev/null
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$HOME_DIR/$name.pid" "$HOME_DIR/$name.cmd"
}

stop() {
  local any=0 i
  for ((i = ${#PROCS[@]} - 1; i >= 0; i--)); do
    [ -f "$HOME_DIR/${PROCS[$i]}.pid" ] && any=1
    stop_one "${PROCS[$i]}"
  done
  [ "$any" = 1 ] || echo "no localnet running in $HOME_DIR (no pid files)"
}

# start NAME CMD...: run CMD in the background, log to NAME.log, pid in NAME.pid; at
# niceness START_NICE when set.
start() {
  local name=$1; shift
  echo "$*" >"$HOME_DIR/$name.cmd"
  if [ "${START_NICE:-0}" != 0 ]; then
    nohup nice -n "$START_NICE" "$@" >>"$HOME_DIR/$name.log" 2>&1 &
  else
    nohup "$@" >>"$HOME_DIR/$name.log" 2>&1 &
  fi
  echo $! >"$HOME_DIR/$name.pid"
}
alive() { ours "$1"; }

# wait_until DESC SECONDS PROC CMD...: poll CMD every second; fail when PROC has exited.
wait_until() {
  local desc=$1 secs=$2 proc=$3; shift 3
  for _ in $(seq 1 "$secs"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
    alive "$proc" || fail "$proc exited while waiting for $desc (log: $HOME_DIR/$proc.log)"
  done
  fail "timed out after ${secs}s waiting for $desc"
}

cortd() { "$BIN" --home "$HOME_DIR" "$@"; }
height() { "$BIN" status --node "$RPC" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
chain_past() { local h; h=$(height); [ -n "$h" ] && [ "$h" -ge "$1" ]; }
tx_ok() { cortd q tx "$1" -o json 2>/dev/null | tr -d ' \n' | grep -q '"code":0,'; }
# send_tx ARGS...: broadcast a tx from the CLI and wait until it is in a block with code 0.
send_tx() {
  local out hash
  out=$(cortd tx "$@" --yes --gas auto --gas-adjustment 1.5 -o json 2>&1) || fail "tx $* refused: $out"
  hash=$(echo "$out" | sed -n 's/.*"txhash":"\([0-9A-F]*\)".*/\1/p')
  echo "$out" | tr -d ' ' | grep -q '"code":0,' && [ -n "$hash" ] || fail "tx $* refused: $out"
  wait_until "tx $hash" 30 cortd tx_ok "$hash"
}
# serving NODE: the node has heartbeated and its last heartbeat lists every model loaded.
serving() {
  local j m
  j=$(cortd q nodes node "$1" -o json 2>/dev/null | tr -d ' \n') || return 1
  echo "$j" | grep -q '"last_heartbeat_height":"[1-9]' || return 1
  for m in "${MODEL_IDS[@]}"; do echo "$j" | grep -q "\"loaded_models\":\[[^]]*\"$m\"" || return 1; done
}

# key_hint: the router's API key as a prefix only, so it never lands in a terminal log.
key_hint() { local k; k=$(head -1 "$API_KEYS_FILE"); echo "${k:0:13}..."; }

print_endpoints() {
  local n
  echo
  echo "cortd localnet is running (chain $CHAIN_ID, home $HOME_DIR)"
  echo "  CometBFT RPC   http://127.0.0.1:$RPC_PORT"
  echo "  REST (gRPC-gw) http://127.0.0.1:$API_PORT    e.g. curl http://127.0.0.1:$API_PORT/cortd/models/v1/models"
  echo "  gRPC           127.0.0.1:$GRPC_PORT"
  if [ "$CHAIN_ONLY" != 1 ]; then
    echo "  router         $ROUTER_URL/v1   (OpenAI-compatible; API key $(key_hint) in $API_KEYS_FILE)"
    echo "                 curl -H \"Authorization: Bearer \$(head -1 $API_KEYS_FILE)\" $ROUTER_URL/v1/models"
    echo "                 router /healthz $ROUTER_URL/healthz   /metrics $ROUTER_URL/metrics"
    for n in 1 2 3; do
      local u=http://127.0.0.1:$((MINER_PORT0 + n))
      echo "  miner$n         $u/healthz   $u/metrics   $u/availability"
    done
    alive dashboard && echo "  dashboard      $DASH_URL"
    echo "  models         ${MODEL_IDS[*]} (files in $HOME_DIR/models)"
    echo "  logs           $HOME_DIR/{cortd,miner1,miner2,miner3,router}.log"
  fi
  echo "  keys           ${KEYS[*]} (keyring-backend test)"
  echo "  CLI            $BIN --home $HOME_DIR ..."
  if [ "$HOME_DIR" = "$PWD/.localnet" ]; then
    echo "  stop           make localnet-stop   (or: scripts/localnet.sh stop)"
  else
    echo "  stop           LOCALNET_HOME=$HOME_DIR scripts/localnet.sh stop"
  fi
}

cmd=${1:-start}
case "$cmd" in
  stop) stop; exit 0 ;;
  start|demo|init) ;;
  *) echo "usage: $0 [start|demo|stop|init]" >&2; exit 2 ;;
esac
if [ "$cmd" = demo ] && [ "$CHAIN_ONLY" = 1 ]; then
  echo "demo needs the sidecars: unset LOCALNET_CHAIN_ONLY" >&2; exit 2
fi
if [ "$CHAIN_ONLY" != 1 ]; then
  command -v curl >/dev/null || { echo "curl is needed (apt-get install curl)" >&2; exit 1; }
fi

if [ "${LOCALNET_BUILD:-1}" != 0 ]; then
  log "building cortd$([ "$CHAIN_ONLY" = 1 ] || echo " and cortd-sidecar") (a first build downloads the modules and compiles ~700 packages: 3-5 minutes on 2 cores; later builds take seconds)"
  build_with_progress "$BIN" ./cmd/cortd
  [ "$CHAIN_ONLY" = 1 ] || build_with_progress "$SC" ./cmd/cortd-sidecar
fi

if ls "$HOME_DIR"/*.pid >/dev/null 2>&1; then
  log "stopping what an earlier run started in $HOME_DIR"
  stop | sed 's/^/    /'
fi
if [ -e "$HOME_DIR" ]; then
  # A rerun starts a new chain: say what goes before it goes (keys, models and chain data
  # are recreated from scratch; point LOCALNET_HOME elsewhere to keep an earlier network).
  log "removing the earlier network in $HOME_DIR (chain data, test keys, API key, models) to start a new one"
fi
rm -rf "$HOME_DIR"
# Secrets (keyring, validator key, API key, mnemonics when asked) are owner-only: every
# file from here on is created without group/other bits, in a 0700 home.
umask 077
mkdir -p "$HOME_DIR"
chmod 700 "$HOME_DIR"

log "initialising $HOME_DIR ($CHAIN_ID)"
cortd init localnet --chain-id "$CHAIN_ID" >/dev/null 2>&1
cat > "$HOME_DIR/config/client.toml" <<TOML
chain-id = "$CHAIN_ID"
keyring-backend = "test"
keyring-default-keyname = ""
output = "text"
node = "$RPC"
broadcast-mode = "sync"
TOML
for k in "${KEYS[@]}"; do
  if [ "${LOCALNET_SAVE_MNEMONICS:-0}" = 1 ]; then
    cortd keys add "$k" --keyring-backend test --output json > "$HOME_DIR/$k.key.json" 2>&1
    chmod 600 "$HOME_DIR/$k.key.json"
  else
    cortd keys add "$k" --keyring-backend test >/dev/null 2>&1
  fi
  amount=100000000000ucor   # 100,000 COR
  [ "$k" = validator ] && amount=1000000000000ucor
  cortd genesis add-genesis-account "$k" "$amount" --keyring-backend test
done

# Faster epochs/blocks for a development chain: 1 s blocks, short gov voting.
cfg=$HOME_DIR/config
sed -i "s/^timeout_commit = .*/timeout_commit = \"$BLOCK_TIME\"/" "$cfg/config.toml"
sed -i 's/"voting_period": "[^"]*"/"voting_period": "60s"/; s/"expedited_voting_period": "[^"]*"/"expedited_voting_period": "30s"/' "$cfg/genesis.json"
# A local network: submitted data may be served from loopback or files (x/data refuses
# those URLs on real networks; auditors then need --allow-local-network too).
sed -i 's/"allow_local_urls": false/"allow_local_urls": true/' "$cfg/genesis.json"
# Every occurrence: x/data's and x/challenges' (archives and data are served from loopback).
[ "$(grep -c '"allow_local_urls": false' "$cfg/genesis.json")" = 0 ] || { echo "genesis: allow_local_urls not set" >&2; exit 1; }
# Node rewards are per month; a local network pays them in one-minute periods (1/43,200 of
# the month each) so periods visibly settle. Real networks use `rewards-preset testnet` or
# `mainnet` (30-day periods). See x/nodes/README.md, Period rewards.
cortd genesis rewards-preset local >/dev/null
if [ -n "${LOCALNET_GENESIS_JQ:-}" ]; then
  jq "$LOCALNET_GENESIS_JQ" "$cfg/genesis.json" > "$cfg/genesis.json.new" && mv "$cfg/genesis.json.new" "$cfg/genesis.json"
fi
if [ -n "${PORT_BASE:-}" ]; then
  sed -i "s#^laddr = \"tcp://127.0.0.1:26657\"#laddr = \"tcp://127.0.0.1:$RPC_PORT\"#; s#^laddr = \"tcp://0.0.0.0:26656\"#laddr = \"tcp://127.0.0.1:$P2P_PORT\"#; s#^pprof_laddr = .*#pprof_laddr = \"\"#" "$cfg/config.toml"
  sed -i "s#^address = \"tcp://localhost:1317\"#address = \"tcp://127.0.0.1:$API_PORT\"#; s#^address = \"localhost:9090\"#address = \"127.0.0.1:$GRPC_PORT\"#" "$cfg/app.toml"
fi
if [ -n "${LOCALNET_PPROF:-}" ]; then
  sed -i "s#^pprof_laddr = .*#pprof_laddr = \"$LOCALNET_PPROF\"#" "$cfg/config.toml"
fi
if [ -n "${LOCALNET_IAVL_DISABLE_FASTNODE:-}" ]; then
  sed -i "s#^iavl-disable-fastnode = .*#iavl-disable-fastnode = $LOCALNET_IAVL_DISABLE_FASTNODE#" "$cfg/app.toml"
fi
if [ -n "${LOCALNET_APP_DB_BACKEND:-}" ]; then
  grep -q '^app-db-backend = ' "$cfg/app.toml" || { echo "app.toml: no app-db-backend line" >&2; exit 1; }
  sed -i "s#^app-db-backend = .*#app-db-backend = \"$LOCALNET_APP_DB_BACKEND\"#" "$cfg/app.toml"
fi

cortd genesis gentx validator 100000000000ucor --chain-id "$CHAIN_ID" --keyring-backend test >/dev/null 2>&1
cortd genesis collect-gentxs >/dev/null 2>&1
cortd genesis validate >/dev/null

# The router's API key (a bearer token): owner-only, never printed in full.
if [ "$CHAIN_ONLY" != 1 ]; then
  echo "sk-local-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$API_KEYS_FILE"
  chmod 600 "$API_KEYS_FILE"
fi
if [ "$cmd" = init ]; then
  echo "initialised $HOME_DIR ($CHAIN_ID): keys ${KEYS[*]} (keyring-backend test)$([ "$CHAIN_ONLY" = 1 ] || echo "; router API key $(key_hint) in $API_KEYS_FILE")"
  exit 0
fi

log "starting cortd (log: $LOG_FILE)"
start cortd "$BIN" start --home "$HOME_DIR"
wait_until "the first blocks" 60 cortd chain_past 2
log "producing blocks (height $(height))"

if [ "$CHAIN_ONLY" = 1 ]; then
  print_endpoints
  exit 0
fi

for i in "${!MODEL_IDS[@]}"; do
  id=${MODEL_IDS[$i]}
  # shellcheck disable=SC2086 # MODEL_FLAGS entries are word lists on purpose
  "$SC" model init ${MODEL_FLAGS[$i]} --out "$HOME_DIR/models/$id" >/dev/null
  w=$(sha256sum "$HOME_DIR/models/$id/model.safetensors" | cut -d' ' -f1)
  t=$(sha256sum "$HOME_DIR/models/$id/tokenizer.json" | cut -d' ' -f1)
  log "registering model $id (${MODEL_FLAGS[$i]}) from user"
  send_tx models register "$id" "Localnet model $id" "$(echo "${MODEL_FLAGS[$i]}" | awk '{print $2}')" \
    "file://$HOME_DIR/models/$id" "$w" "$t" "${MODEL_DIMS[$i]}" 1 --from user
done

# --allow-local-network: a challenge agent (LOCALNET_MINER_ARGS=--challenge-agent ...) reads
# snapshots served from loopback or files here, which real networks refuse.
for n in 1 2 3; do
  # shellcheck disable=SC2086 # extra flags are a word list
  START_NICE=${LOCALNET_SIDECAR_NICE:-0} start "miner$n" "$SC" miner --home "$HOME_DIR" --keyring-backend test --key "miner$n" --node-id "miner$n" --engine native \
    --models "$HOME_DIR/models" --memory-mb 1024 --grpc "$GRPC" --node "$RPC" \
    --listen "127.0.0.1:$((MINER_PORT0 + n))" --poll 3s --allow-local-network ${LOCALNET_MINER_ARGS:-} \
    ${LOCALNET_SIDECAR_PPROF:+--pprof "127.0.0.1:$((LOCALNET_SIDECAR_PPROF + n))"}
done
log "started miners miner1..3; waiting for their nodes to register and heartbeat with ${MODEL_IDS[*]} loaded"
for n in "${MINERS[@]}"; do wait_until "$n to heartbeat with every model loaded" 120 "$n" serving "$n"; done

# shellcheck disable=SC2086
START_NICE=${LOCALNET_SIDECAR_NICE:-0} start router "$SC" router --home "$HOME_DIR" --keyring-backend test --key router --grpc "$GRPC" --node "$RPC" \
  --addr "127.0.0.1:$ROUTER_PORT" --api-keys "$API_KEYS_FILE" --redundancy 3 --quorum 2 ${LOCALNET_ROUTER_ARGS:-} \
  ${LOCALNET_SIDECAR_PPROF:+--pprof "127.0.0.1:$((LOCALNET_SIDECAR_PPROF + 4))"}
wait_until "the router" 30 router curl -fsS "$ROUTER_URL/healthz"
log "router up at $ROUTER_URL"

# The dashboard role is optional: started only when this build has it (and not for
# LOCALNET_DASHBOARD=0).
if [ "${LOCALNET_DASHBOARD:-1}" != 0 ] && "$SC" dashboard --help >/dev/null 2>&1; then
  start dashboard "$SC" dashboard --grpc "$GRPC" --rpc "$RPC" --listen "127.0.0.1:$DASH_PORT"
  for _ in $(seq 1 20); do curl -fsS "$DASH_URL/healthz" >/dev/null 2>&1 && break; alive dashboard || break; sleep 1; done
fi

if [ "$cmd" = start ]; then
  print_endpoints
  exit 0
fi

# ---- demo: one chat completion through the router, its receipt checked on chain ----
KEY=$(head -1 "$API_KEYS_FILE")
REQ='{"model":"tiny","max_tokens":32,"temperature":0,"messages":[{"role":"user","content":"Say hello to the cortd network."}]}'
log "POST $ROUTER_URL/v1/chat/completions"
echo "    $REQ"
# A 503 means fewer than 3 nodes are eligible right now (a heartbeat slot just turned);
# a client retries it, so does the demo, for up to a minute.
for _ in $(seq 1 30); do
  st=$(curl -sS -o "$HOME_DIR/demo-answer.json" -D "$HOME_DIR/demo-headers.txt" -w '%{http_code}' --max-time 150 \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$REQ" "$ROUTER_URL/v1/chat/completions" || true)
  [ "$st" = 503 ] || break
  log "router answered 503 (no quorum of serving nodes yet); retrying"
  sleep 2
done
[ "$st" = 200 ] || fail "chat completion: HTTP $st $(cat "$HOME_DIR/demo-answer.json" 2>/dev/null)"
hdr() { grep -i "^$1:" "$HOME_DIR/demo-headers.txt" | tr -d '\r' | awk '{print $2}'; }
TASK=$(hdr x-cortd-task-id); SHA=$(hdr x-cortd-result-sha256); RH=$(hdr x-cortd-height)
[ -n "$TASK" ] || fail "no receipt headers: $(cat "$HOME_DIR/demo-headers.txt")"
answer=$(sed -n 's/.*"content":"\(\([^"\\]\|\\.\)*\)".*/\1/p' "$HOME_DIR/demo-answer.json" | head -1)
echo
echo "answer (validated by the network; the model is random weights, so the text is too):"
echo "    $answer"
echo "response body: $(cat "$HOME_DIR/demo-answer.json")"
echo "receipt headers: X-Cortd-Task-Id $TASK   X-Cortd-Result-Sha256 $SHA   X-Cortd-Height $RH"
echo
log "the task's on-chain record: $BIN --home $HOME_DIR q sessions task $TASK"
# (embedding components, one per line, left out)
cortd q sessions task "$TASK" | grep -v '^ *- -\?[0-9]*$' || fail "task $TASK not found on chain"
# The task's own result_sha256 (two-space indent; the assignments' are deeper), base64.
chain_sha=$(cortd q sessions task "$TASK" | sed -n 's/^  result_sha256: //p' | base64 -d | od -An -tx1 | tr -d ' \n')
[ "$chain_sha" = "$SHA" ] || fail "receipt sha256 $SHA differs from the chain's $chain_sha"
log "receipt checked: the chain's result_sha256 for task $TASK is $chain_sha"
print_endpoints
echo
echo "note: the demo's models are random-weight models (cortd-sidecar model init), so their answers are noise; README.md, \"Serving a real model\", shows how to serve a real one."
