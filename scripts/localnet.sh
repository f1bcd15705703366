#!/usr/bin/env bash
# Single-validator local network for development and walk-throughs.
#
#   scripts/localnet.sh         build cortd, wipe and re-create the home, start in the background
#   scripts/localnet.sh stop    stop the node started here (by pid)
#
# Keys (test keyring in $HOME_DIR): validator, operator1..3, user, submitter, all funded.
# Environment: LOCALNET_HOME (default .localnet), CHAIN_ID (cort-local-1), BLOCK_TIME (1s).
set -euo pipefail
cd "$(dirname "$0")/.."

HOME_DIR=${LOCALNET_HOME:-$PWD/.localnet}
CHAIN_ID=${CHAIN_ID:-cort-local-1}
BLOCK_TIME=${BLOCK_TIME:-1s}
BIN=$PWD/build/cortd
PID_FILE=$HOME_DIR/cortd.pid
LOG_FILE=$HOME_DIR/cortd.log
RPC=tcp://127.0.0.1:26657
KEYS=(validator operator1 operator2 operator3 user submitter)

stop() {
  if [ -f "$PID_FILE" ]; then
    pid=$(cat "$PID_FILE")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      echo "stopped cortd (pid $pid)"
    fi
    rm -f "$PID_FILE"
  else
    echo "no localnet running (no $PID_FILE)"
  fi
}

if [ "${1:-}" = "stop" ]; then
  stop
  exit 0
fi

echo "==> building cortd"
go build -o "$BIN" ./cmd/cortd

stop >/dev/null 2>&1 || true
rm -rf "$HOME_DIR"

cortd() { "$BIN" --home "$HOME_DIR" "$@"; }

echo "==> initialising $HOME_DIR ($CHAIN_ID)"
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
  cortd keys add "$k" --keyring-backend test --output json > "$HOME_DIR/$k.key.json" 2>&1
  amount=100000000000ucor   # 100,000 COR
  [ "$k" = validator ] && amount=1000000000000ucor
  cortd genesis add-genesis-account "$k" "$amount" --keyring-backend test
done

# Faster epochs/blocks for a development chain: 1 s blocks, short gov voting.
cfg=$HOME_DIR/config
sed -i "s/^timeout_commit = .*/timeout_commit = \"$BLOCK_TIME\"/" "$cfg/config.toml"
sed -i 's/"voting_period": "[^"]*"/"voting_period": "60s"/; s/"expedited_voting_period": "[^"]*"/"expedited_voting_period": "30s"/' "$cfg/genesis.json"

cortd genesis gentx validator 100000000000ucor --chain-id "$CHAIN_ID" --keyring-backend test >/dev/null 2>&1
cortd genesis collect-gentxs >/dev/null 2>&1
cortd genesis validate >/dev/null

echo "==> starting cortd (log: $LOG_FILE)"
nohup "$BIN" start --home "$HOME_DIR" >"$LOG_FILE" 2>&1 &
echo $! > "$PID_FILE"

for i in $(seq 1 60); do
  h=$("$BIN" status --home "$HOME_DIR" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
  if [ -n "${h:-}" ] && [ "$h" -ge 2 ]; then
    echo "==> producing blocks (height $h after ${i}x0.5s)"
    break
  fi
  if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    echo "cortd exited; last log lines:" >&2; tail -20 "$LOG_FILE" >&2; exit 1
  fi
  sleep 0.5
done
[ -n "${h:-}" ] && [ "$h" -ge 2 ] || { echo "no blocks after 30 s; see $LOG_FILE" >&2; exit 1; }

cat <<INFO

cortd localnet is running (pid $(cat "$PID_FILE"), chain $CHAIN_ID)
  CometBFT RPC   http://127.0.0.1:26657
  REST (gRPC-gw) http://127.0.0.1:1317    e.g. curl http://127.0.0.1:1317/cortd/models/v1/models
  gRPC           127.0.0.1:9090
  home           $HOME_DIR   (keys: ${KEYS[*]}, keyring-backend test)
  CLI            $BIN --home $HOME_DIR ...
  stop           make localnet-stop
INFO
