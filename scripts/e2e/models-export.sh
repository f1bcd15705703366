#!/usr/bin/env bash
# End to end on real binaries: start the localnet, register a model from a funded key with
# the CLI, read it back with the CLI and over REST, then export the chain's state, validate
# it and start a fresh chain from the export in a second home, where the model must still be.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=$PWD/build/cortd
HOME_A=${LOCALNET_HOME:-$PWD/.localnet}
HOME_B=$PWD/.localnet-imported
PID_B=""
cleanup() {
  [ -n "$PID_B" ] && kill "$PID_B" 2>/dev/null || true
  bash scripts/localnet.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# http_get HOST PORT PATH: plain bash, so the script needs no curl.
http_get() {
  exec 3<>"/dev/tcp/$1/$2"
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$3" "$1" >&3
  cat <&3
  exec 3<&-
}

wait_height() { # home min_height
  for _ in $(seq 1 60); do
    h=$("$BIN" status --home "$1" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p' || true)
    [ -n "${h:-}" ] && [ "$h" -ge "$2" ] && return 0
    sleep 0.5
  done
  return 1
}

LOCALNET_CHAIN_ONLY=1 bash scripts/localnet.sh   # the bare chain: this script needs no sidecars
A() { "$BIN" --home "$HOME_A" "$@"; }

sha_w=$(printf 'weights' | sha256sum | cut -d' ' -f1)
sha_t=$(printf 'tokenizer' | sha256sum | cut -d' ' -f1)

echo "==> bad input is rejected at CheckTx with the module's error (empty name)"
A tx models register bad "" gpt2 hf://x/y "$sha_w" "$sha_t" 64 512 --from user --yes -o json > /tmp/e2e-bad.txt 2>&1 || true
grep -q '"codespace":"models"' /tmp/e2e-bad.txt && grep -q "invalid model name" /tmp/e2e-bad.txt \
  || { cat /tmp/e2e-bad.txt; fail "empty name not rejected with ErrInvalidName"; }

echo "==> register gpt2-tiny from the user key"
out=$(A tx models register gpt2-tiny "GPT-2 tiny" gpt2 hf://cortnet/gpt2-tiny "$sha_w" "$sha_t" 64 512 \
  --from user --yes --gas auto --gas-adjustment 1.5 -o json)
hash=$(echo "$out" | sed -n 's/.*"txhash":"\([0-9A-F]*\)".*/\1/p')
[ -n "$hash" ] || fail "no tx hash: $out"
for _ in $(seq 1 30); do
  A q tx "$hash" -o json > /tmp/e2e-tx.json 2>/dev/null && break
  sleep 1
done
grep -q '"code":0' /tmp/e2e-tx.json || fail "tx failed: $(cat /tmp/e2e-tx.json)"

user=$(A keys show user -a --keyring-backend test)
A q models list -o json | tr -d " \n" | grep -q "\"owner\":\"$user\"" || fail "cortd q models list does not show the model"
http_get 127.0.0.1 1317 /cortd/models/v1/models | grep -q '"id":"gpt2-tiny"' || fail "REST does not show the model"
echo "    included in $hash; visible via CLI and REST"

echo "==> export (the node is stopped first: its database is locked while it runs)"
bash scripts/localnet.sh stop
"$BIN" export --home "$HOME_A" --output-document /tmp/e2e-export.json 2>/tmp/e2e-export.log || { tail -5 /tmp/e2e-export.log; fail "export failed"; }
grep -q '"gpt2-tiny"' /tmp/e2e-export.json || fail "export lacks the model"

echo "==> import into a new home and start a new chain from it"
rm -rf "$HOME_B"
mkdir -p "$HOME_B/data"
cp -r "$HOME_A/config" "$HOME_B/config"
cp -r "$HOME_A/keyring-test" "$HOME_B/keyring-test"
echo '{"height":"0","round":0,"step":0}' > "$HOME_B/data/priv_validator_state.json"
cp /tmp/e2e-export.json "$HOME_B/config/genesis.json"
"$BIN" genesis validate --home "$HOME_B" || fail "exported genesis does not validate"
"$BIN" start --home "$HOME_B" > "$HOME_B/cortd.log" 2>&1 &
PID_B=$!
start_h=$(sed -n 's/.*"initial_height": *"\?\([0-9]*\)"\?.*/\1/p' "$HOME_B/config/genesis.json" | head -1)
wait_height "$HOME_B" "$((start_h + 1))" || { tail -20 "$HOME_B/cortd.log"; fail "imported chain does not produce blocks"; }
"$BIN" --home "$HOME_B" q models model gpt2-tiny -o json | tr -d " \n" | grep -q "\"owner\":\"$user\"" || fail "model missing after import"
echo "    new chain from the export is producing blocks from height $start_h with the model in state"
echo "PASS"
