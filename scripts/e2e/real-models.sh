#!/usr/bin/env bash
# End to end (issue 18's acceptance script): a model published as a Hugging Face folder,
# pulled and verified against its chain record by every role that uses it.
#
#   scripts/e2e/real-models.sh
#
# 1. init and start a chain (own home and ports)
# 2. `model init` a Llama 3.x-layout model (rope_scaling, tied embeddings, GQA) in bf16,
#    sharded in 2 files with model.safetensors.index.json; `model publish` writes its
#    manifest and the register line; every file goes to a `blobs serve` server; the
#    printed line registers it (the record holds the manifest's sha256)
# 3. `model pull` refuses the loopback blobs server without --allow-local-network, then
#    pulls with it (progress on stderr) and every file equals the published one
# 4. three miners start with empty model folders: each pulls and verifies the model on
#    first use and reports it loaded
# 5. one miner's copy is tampered with (a byte of a shard): restarted, it refuses the
#    folder, naming the file, and no longer reports the model loaded
# 6. the router (--models: the chat template of tokenizer_config.json) answers a chat
#    completion: the task's prompt on chain is the template's rendering (BOS, headers,
#    the messages), the answer stops at one of generation_config.json's EOS ids before
#    max_tokens, and the receipt matches the task on chain
# Environment: E2E_HOME (default: a temp dir), PORT_BASE (default 25600), KEEP=1 keeps the home.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
E2E_HOME=${E2E_HOME:-$(mktemp -d /tmp/cortd-e2e-models.XXXXXX)}
PB=${PORT_BASE:-25600}   # below the ephemeral range (32768+), so no outgoing socket takes our ports
RPC_PORT=$((PB + 57)); P2P_PORT=$((PB + 56)); GRPC_PORT=$((PB + 90)); API_PORT=$((PB + 17))
BLOBS_ADDR=127.0.0.1:$((PB + 70)); RA=127.0.0.1:$((PB + 120))
CHAIN_ID=cort-e2e-models
NODE=tcp://127.0.0.1:$RPC_PORT
HOME_DIR=$E2E_HOME/chain
BIN=$ROOT/build/cortd
# The e2e build (-tags e2efault: the fault-injection flags) goes in a folder of its own,
# so it never replaces the production build/cortd-sidecar.
SC=$ROOT/build/e2e/cortd-sidecar
MODEL=llama3-e2e
MAX_TOKENS=48
PIDS=()

log() { echo "==> $(date +%T) $*"; }
fail() { echo "FAIL: $*" >&2; for f in "$E2E_HOME"/*.log; do echo "--- $f"; tail -25 "$f"; done >&2; exit 1; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "kept $E2E_HOME" || rm -rf "$E2E_HOME"
}
trap cleanup EXIT

cortd() { "$BIN" --home "$HOME_DIR" "$@"; }
q() { cortd q "$@" --node "$NODE" -o json; }
tx() { cortd tx "$@" --node "$NODE" --chain-id "$CHAIN_ID" --keyring-backend test --yes -o json --gas auto --gas-adjustment 1.5; }
height() { "$BIN" status --node "$NODE" 2>/dev/null | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }
wait_for() { # wait_for DESC SECONDS CMD...: run CMD until it succeeds
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
# same_files A B: every file of folder A (the published one) is in B with the same bytes
same_files() { (cd "$1" && find . -type f ! -name manifest.json -print0 | sort -z | xargs -0 sha256sum) | (cd "$2" && sha256sum --quiet -c -); }

log "building cortd and cortd-sidecar"
go build -o "$BIN" ./cmd/cortd
mkdir -p "$(dirname "$SC")"
go build -tags e2efault -o "$SC" ./cmd/cortd-sidecar

log "initialising the chain in $HOME_DIR (ports from $PB)"
cortd init e2e --chain-id "$CHAIN_ID" >/dev/null 2>&1
for k in validator operator1 operator2 operator3 user; do
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
"$BIN" start --home "$HOME_DIR" >>"$E2E_HOME/cortd.log" 2>&1 &
PIDS+=("$!")
chain_up() { local h; h=$(height); [ -n "$h" ] && [ "$h" -ge 2 ]; }
wait_for "blocks" 60 chain_up
log "chain producing blocks (height $(height))"

log "phase 1: model init (llama3 layout, bf16, 2 shards), publish, serve the files as blobs, register"
PUB=$E2E_HOME/publish/$MODEL
"$SC" model init --arch llama3 --dtype bf16 --shards 2 --dim 64 --layers 2 --heads 4 --kv-heads 2 --context 512 \
  --seed 7 --out "$PUB" >/dev/null
[ -f "$PUB/model.safetensors.index.json" ] && [ -f "$PUB/model-00002-of-00002.safetensors" ] || fail "model init wrote no sharded folder: $(ls "$PUB")"
jq -e '.rope_scaling.rope_type == "llama3" and .torch_dtype == "bfloat16"' "$PUB/config.json" >/dev/null || fail "config.json is not a bf16 Llama 3.x config"
"$SC" model publish "$PUB" --name "Llama 3 layout e2e" \
  --uri "http://$BLOBS_ADDR/sha256/" >"$E2E_HOME/publish.out" 2>"$E2E_HOME/publish.err" || fail "publish: $(cat "$E2E_HOME/publish.err")"
line=$(grep '^cortd tx models register ' "$E2E_HOME/publish.out") || fail "publish printed no register line: $(cat "$E2E_HOME/publish.out")"
[ -f "$PUB/manifest.json" ] || fail "publish wrote no manifest.json"
[ "$(echo "$line" | sed -n 's/.*--manifest-sha256 \([0-9a-f]\{64\}\).*/\1/p')" = "$(sha256sum "$PUB/manifest.json" | cut -d' ' -f1)" ] \
  || fail "the register line does not carry the manifest's sha256: $line"
mkdir -p "$E2E_HOME/blobs"
for f in "$PUB"/*; do "$SC" blobs add "$E2E_HOME/blobs" "$f" --base-url "http://$BLOBS_ADDR" >/dev/null; done
"$SC" blobs serve "$E2E_HOME/blobs" --addr "$BLOBS_ADDR" >>"$E2E_HOME/blobs.log" 2>&1 &
PIDS+=("$!")
wait_for "blobs server" 20 curl -fsS -o /dev/null "http://$BLOBS_ADDR/sha256/$(sha256sum "$PUB/config.json" | cut -d' ' -f1)"
eval "args=(${line#cortd tx })"   # the line is shell-quoted (the name has spaces)
send_tx "${args[@]}" --from user
q models model "$MODEL" | jq -e '.model.manifest_sha256 != null and .model.architecture == "llama"' >/dev/null \
  || fail "the record has no manifest or not config.json's model_type: $(q models model "$MODEL")"
log "registered $MODEL: $line"

log "phase 2: model pull"
PULL=(model pull "$MODEL" --grpc "127.0.0.1:$GRPC_PORT" --node "$NODE" --models "$E2E_HOME/router-models")
if "$SC" "${PULL[@]}" >"$E2E_HOME/pull.out" 2>&1; then fail "pull from a loopback server without --allow-local-network succeeded"; fi
grep -qi "loopback\|local" "$E2E_HOME/pull.out" || fail "the refused pull does not say why: $(cat "$E2E_HOME/pull.out")"
"$SC" "${PULL[@]}" --allow-local-network >"$E2E_HOME/pull.out" 2>"$E2E_HOME/pull.err" || fail "pull: $(cat "$E2E_HOME/pull.err")"
same_files "$PUB" "$E2E_HOME/router-models/$MODEL" || fail "the pulled folder differs from the published one"
grep -q "MB\|B/s\|ETA\|bytes" "$E2E_HOME/pull.err" || fail "pull showed no progress: $(cat "$E2E_HOME/pull.err")"
log "pulled and verified: $(tail -1 "$E2E_HOME/pull.out")"

log "phase 3: three miners with empty model folders pull and verify it on first use"
start_miner() { # start_miner N
  local n=$1
  "$SC" miner --home "$HOME_DIR" --keyring-backend test --key "operator$n" --node-id "node$n" --engine native \
    --models "$E2E_HOME/miner$n-models" --serve "$MODEL" --memory-mb 1024 --grpc "127.0.0.1:$GRPC_PORT" --node "$NODE" \
    --listen "127.0.0.1:$((PB + 100 + n))" --poll 3s --allow-local-network >>"$E2E_HOME/miner$n.log" 2>&1 &
  MINER_PID[$n]=$!
  PIDS+=("${MINER_PID[$n]}")
}
declare -a MINER_PID
loaded() { "$BIN" q nodes node "node$1" --node "$NODE" -o json | jq -e --arg m "$MODEL" '.node.loaded_models // [] | index($m)'; }
for n in 1 2 3; do mkdir -p "$E2E_HOME/miner$n-models"; start_miner "$n"; done
for n in 1 2 3; do
  wait_for "node$n to report $MODEL loaded" 90 loaded "$n"
  same_files "$PUB" "$E2E_HOME/miner$n-models/$MODEL" || fail "miner$n's folder differs from the published one"
done
log "node1..3 pulled, verified and loaded $MODEL"

log "phase 4: node3's copy is tampered with; restarted, it refuses the folder"
kill "${MINER_PID[3]}"; wait "${MINER_PID[3]}" 2>/dev/null || true
SHARD=$E2E_HOME/miner3-models/$MODEL/model-00002-of-00002.safetensors
size=$(stat -c %s "$SHARD")
printf '\x01' | dd of="$SHARD" bs=1 seek=$((size - 100)) conv=notrunc status=none
start_miner 3
wait_for "miner3 to refuse its folder" 60 grep -q "does not match the chain record" "$E2E_HOME/miner3.log"
grep "does not match the chain record" "$E2E_HOME/miner3.log" | head -1 | grep -q "model-00002-of-00002.safetensors" \
  || fail "miner3's refusal does not name the file: $(grep 'does not match' "$E2E_HOME/miner3.log" | head -1)"
h0=$(height)
wait_for "a heartbeat of node3 after its restart" 60 sh -c "$BIN q nodes node node3 --node $NODE -o json | jq -e '.node.last_heartbeat_height | tonumber > $h0'"
if loaded 3 >/dev/null 2>&1; then fail "node3 still reports $MODEL loaded from a tampered folder"; fi
log "node3 refused: $(grep 'does not match the chain record' "$E2E_HOME/miner3.log" | head -1 | cut -c1-240)"

log "phase 5: the router renders the chat with the model's template; the answer stops at EOS"
echo "sk-e2e-models" > "$E2E_HOME/api-keys"; chmod 600 "$E2E_HOME/api-keys"
"$SC" router --home "$HOME_DIR" --keyring-backend test --key user --grpc "127.0.0.1:$GRPC_PORT" --node "$NODE" --addr "$RA" \
  --api-keys "$E2E_HOME/api-keys" --redundancy 2 --quorum 2 --max-tokens "$MAX_TOKENS" --models "$E2E_HOME/router-models" \
  >>"$E2E_HOME/router.log" 2>&1 &
PIDS+=("$!")
wait_for "router" 30 curl -fsS "http://$RA/healthz"
AUTH="Authorization: Bearer sk-e2e-models"
# The answer of a random model is noise: with sampling, each seed gives another one. An
# answer that ends before max_tokens ended at an EOS id; try seeds until one does (each
# token is one of 3 EOS ids in a ~280-token vocabulary, so most seeds end within 48).
stopped=
for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
  body=$(jq -nc --arg m "$MODEL" --argjson s "$seed" --argjson mt "$MAX_TOKENS" \
    '{model:$m, max_tokens:$mt, temperature:1, seed:$s, messages:[{role:"system",content:"You are terse."},{role:"user",content:"Say hello."},{role:"assistant",content:"Hello."},{role:"user",content:"Again."}]}')
  st=$(curl -sS -o "$E2E_HOME/answer" -D "$E2E_HOME/headers" -w '%{http_code}' -H "$AUTH" -d "$body" "http://$RA/v1/chat/completions" || true)
  [ "$st" = 200 ] || fail "chat completion (seed $seed): HTTP $st $(cat "$E2E_HOME/answer")"
  fin=$(jq -r '.choices[0].finish_reason' "$E2E_HOME/answer"); ct=$(jq -r .usage.completion_tokens "$E2E_HOME/answer")
  log "seed $seed: finish_reason $fin, $ct completion tokens"
  if [ "$fin" = stop ] && [ "$ct" -lt "$MAX_TOKENS" ]; then stopped=$seed; break; fi
done
[ -n "$stopped" ] || fail "no answer stopped at an EOS id in 12 seeds"
tid=$(grep -i '^x-cortd-task-id:' "$E2E_HOME/headers" | tr -d '\r' | awk '{print $2}')
rsha=$(grep -i '^x-cortd-result-sha256:' "$E2E_HOME/headers" | tr -d '\r' | awk '{print $2}')
rh=$(grep -i '^x-cortd-height:' "$E2E_HOME/headers" | tr -d '\r' | awk '{print $2}')
[ -n "$tid" ] || fail "no receipt headers: $(cat "$E2E_HOME/headers")"
j=$(q sessions task "$tid")
[ "$(echo "$j" | jq -r .task.status)" = TASK_STATUS_VALIDATED ] || fail "receipt task $tid not validated: $j"
[ "$(echo "$j" | jq -r .task.result_sha256 | base64 -d | od -An -tx1 | tr -d ' \n')" = "$rsha" ] || fail "receipt sha256 differs from the chain's"
[ "$(echo "$j" | jq -r .task.ended_height)" = "$rh" ] || fail "receipt height differs from the chain's"
[ "$(jq -j '.choices[0].message.content' "$E2E_HOME/answer" | sha256sum | cut -d' ' -f1)" = "$rsha" ] || fail "answer text is not the receipted result"
echo "$j" | jq -e '.task.prompt_type == "chat"' >/dev/null || fail "task $tid is not a chat task: $j"
# Llama 3.2's template: BOS, a system header with the dates and the system message, each
# turn in its headers ending with <|eot_id|>, then the assistant header (generation prompt).
H='<|start_header_id|>'; E=$'<|end_header_id|>\n\n'; T='<|eot_id|>'
echo "$j" | jq -e --arg head "<|begin_of_text|>${H}system$E" \
  --arg tail "You are terse.$T${H}user${E}Say hello.$T${H}assistant${E}Hello.$T${H}user${E}Again.$T${H}assistant$E" \
  '.task.prompt | startswith($head) and endswith($tail)' >/dev/null \
  || fail "the prompt on chain is not the chat template's rendering: $(echo "$j" | jq .task.prompt)"
validated=$(echo "$j" | jq -r '[.task.assignments[] | select(.status == "ASSIGNMENT_STATUS_VALIDATED") | .node_id] | join(",")')
case ",$validated," in *,node3,*) fail "node3 (tampered) was validated for task $tid" ;; esac
log "chat task $tid (seed $stopped) validated by $validated: template-rendered prompt, stopped at EOS, receipt matches"

log "PASS"
