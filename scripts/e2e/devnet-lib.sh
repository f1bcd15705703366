# Shared by scripts/e2e/statesync.sh and scripts/e2e/devnet-faults.sh (sourced, not run):
# each starts a devnet of its own (scripts/devnet.sh) in a temporary home, on a port range
# of its own, with binaries built into build/e2e/devnet (so a concurrent `make build` or
# another e2e never swaps the binary a restarted node runs).
#
# The caller sets before sourcing: NAME (for the temp dir), PB (base port), CHAIN_ID.
# Environment: E2E_HOME (default: a temp dir), KEEP=1 keeps the home, E2E_BUILD=0 uses the
# binaries already in build/e2e/devnet.

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
E2E_HOME=${E2E_HOME:-$(mktemp -d "/tmp/cortd-e2e-$NAME.XXXXXX")}
mkdir -p "$E2E_HOME"
export DEVNET_HOME=$E2E_HOME/devnet DEVNET_BASE_PORT=$PB CHAIN_ID BUILD_DIR=$ROOT/build/e2e/devnet DEVNET_BUILD=0
BIN=$BUILD_DIR/cortd
SC=$BUILD_DIR/cortd-sidecar
NET=$DEVNET_HOME/net
N=${DEVNET_VALIDATORS:-4}
export DEVNET_VALIDATORS=$N
T0=$(date +%s)

port() { echo $((PB + 10 * $1 + $2)); }   # port NODE OFFSET (scripts/devnet.sh's layout)
rpc() { echo "tcp://127.0.0.1:$(port "$1" 1)"; }
rpc_url() { echo "http://127.0.0.1:$(port "$1" 1)"; }
ROUTER_URL=http://127.0.0.1:$((PB + 98))

log() { echo "==> $(date +%T) (+$(($(date +%s) - T0))s) $*"; }
fail() {
  for f in "$DEVNET_HOME"/*.log "$E2E_HOME"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -8 "$f" | cut -c1-300; }; done >&2
  echo "FAIL: $*" >&2
  exit 1
}
cleanup() {
  local rc=$?
  jobs -p | xargs -r kill 2>/dev/null || true
  [ -d "$DEVNET_HOME" ] && bash "$ROOT/scripts/devnet.sh" stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then echo "kept $E2E_HOME"; else rm -rf "$E2E_HOME"; fi
}
trap cleanup EXIT

# devnet ARGS...: scripts/devnet.sh with this run's home, ports and binaries.
devnet() { bash "$ROOT/scripts/devnet.sh" "$@"; }

build() {
  if [ "${E2E_BUILD:-1}" != 0 ]; then
    log "building cortd and cortd-sidecar into $BUILD_DIR"
    mkdir -p "$BUILD_DIR"
    go build -o "$BIN" ./cmd/cortd
    go build -o "$SC" ./cmd/cortd-sidecar
  fi
}

# cortd ARGS...: the CLI with node0's home (keys node0, miner0, router, user, extras).
cortd() { "$BIN" --home "$NET/node0" "$@"; }
# qn NODE ARGS...: a query against node NODE's RPC, JSON out.
qn() { local n=$1; shift; cortd q "$@" --node "$(rpc "$n")" -o json; }
addr() { local home=$NET/node0; [ $# -gt 1 ] && home=$2; "$BIN" keys show "$1" -a --home "$home" --keyring-backend test; }
status_of() { curl -fsS --max-time 3 "$(rpc_url "$1")/status" 2>/dev/null; }
height_of() { local h; h=$(status_of "$1" | jq -r .result.sync_info.latest_block_height 2>/dev/null) || true; echo "${h:-0}"; }
# header_at NODE HEIGHT: the block's hash and the app hash its header carries (the state
# after HEIGHT-1), as every node stored them.
header_at() { curl -fsS --max-time 3 "$(rpc_url "$1")/block?height=$2" | jq -r '"\(.result.block_id.hash) \(.result.block.header.app_hash)"'; }
# wait_for DESC SECONDS CMD...: run CMD every second until it succeeds.
wait_for() {
  local desc=$1 secs=$2; shift 2
  for _ in $(seq 1 "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${secs}s waiting for $desc"
}
past() { [ "$(height_of "$1")" -ge "$2" ]; }   # past NODE HEIGHT
# until_ok SECONDS CMD...: run CMD every 0.25 s until it succeeds (status 0) or time is up
# (status 1). Callers test this status, never CMD again: a second look can land on the
# other side of a block boundary.
until_ok() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.25; done
}
# send_tx ARGS...: the CLI waits for the block and exits non-zero on refusal or failure.
send_tx() {
  cortd tx "$@" --node "$(rpc 0)" --chain-id "$CHAIN_ID" --keyring-backend test --yes --gas auto --gas-adjustment 1.5 \
    -o json >>"$E2E_HOME/tx.log" 2>&1 || fail "tx $*: $(tail -3 "$E2E_HOME/tx.log")"
}
# chat: one chat completion through the router; prints the task id.
chat() {
  local key hdr
  key=$(head -1 "$DEVNET_HOME/router-api-keys")
  hdr=$(mktemp)
  for _ in $(seq 1 20); do
    st=$(curl -sS -o /dev/null -D "$hdr" -w '%{http_code}' --max-time 150 -H "Authorization: Bearer $key" \
      -H 'Content-Type: application/json' \
      -d "{\"model\":\"tiny\",\"max_tokens\":8,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"$1\"}]}" \
      "$ROUTER_URL/v1/chat/completions" || true)
    [ "$st" = 503 ] || break
    sleep 2   # fewer than 3 nodes eligible right now (a heartbeat slot turned): retry
  done
  [ "$st" = 200 ] || fail "chat completion: HTTP $st"
  grep -i '^x-cortd-task-id:' "$hdr" | tr -d '\r' | awk '{print $2}'
  rm -f "$hdr"
}
# app_hashes_agree HEIGHT: every running validator stored the same block (hash and app hash) at HEIGHT.
app_hashes_agree() {
  local h=$1 i first="" got
  for i in $(seq 0 $((N - 1))); do
    got=$(header_at "$i" "$h") || fail "node$i has no block $h"
    [ -z "$first" ] && first=$got
    [ "$got" = "$first" ] || fail "block $h differs: node0 $first, node$i $got"
  done
  echo "$first"
}
