#!/usr/bin/env bash
# End to end: x/data and x/audits on a real 4-validator chain, each validator running
# an auditor sidecar, on loopback.
#
#   scripts/e2e/data.sh
#
# 1. `cortd testnet init-files --v 4`, ports moved to PORT_BASE; genesis: a short data
#    epoch ("e2e", EPOCH_SECONDS), a wide threshold, short audit deadline and voting window,
#    allow_local_urls (the blobs are on loopback; auditors run with --allow-local-network)
# 2. three small models (`cortd-sidecar model init`) registered by "owner": m1, m2 text
#    models, m3 a bytes model (`--modality bytes`, the byte tokenizer); a blob server
#    (`cortd-sidecar blobs serve`) hosts the data; the data pool is funded. One target of
#    each epoch takes bytes (bytes_targets_per_epoch 1): it is assigned m3 only.
# 3. at a fresh epoch, three submitters fill three text targets with `cortd-sidecar score
#    --submit`: an honest one, one whose claimed losses are wrong, and one whose blob is
#    deleted right after submitting (dead URL); a fourth fills the bytes target with a
#    binary PNG (made here with printf and /dev/urandom), which `score` refuses on a text
#    target (not UTF-8)
# 4. at the epoch end the chain opens an audit of each; the auditors pass the honest text
#    and the PNG submissions (then anyone claims each, from the following epoch: 50% to
#    the submitter, 50% to the model owner, checked in balances), report the other two
#    (loss_mismatch, data_unavailable), the other validators re-check and vote yes, ≥ 2/3
#    of the stake decides fraud: bonds forfeited
# 5. session audits: three miners serve m1, one with --faulty-embedding (its committed
#    embedding passes validation but is not its text's); every validated task is audited
#    (audit_fraction_bps 10000): the auditor names the faulty node, the vote slashes it
# Environment: E2E_HOME (default: a temp dir), PORT_BASE (default 22600), EPOCH_SECONDS
# (default 30), KEEP=1 keeps the home.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
E2E_HOME=${E2E_HOME:-$(mktemp -d /tmp/cortd-e2e-data.XXXXXX)}
mkdir -p "$E2E_HOME"
PB=${PORT_BASE:-22600}   # below the ephemeral range (32768+), so no outgoing socket takes our ports
EPOCH=${EPOCH_SECONDS:-30}
CHAIN_ID=cort-e2e-data
NET=$E2E_HOME/net
BIN=$ROOT/build/cortd
# The e2e build (-tags e2efault: the fault-injection flags) goes in a folder of its own,
# so it never replaces the production build/cortd-sidecar.
SC=$ROOT/build/e2e/cortd-sidecar
N=4
# node i: p2p PB+10i, rpc PB+10i+1, api PB+10i+2, grpc PB+10i+3; blobs PB+50; auditor i PB+60+i
rpc() { echo "tcp://127.0.0.1:$((PB + 10 * $1 + 1))"; }
grpc() { echo "127.0.0.1:$((PB + 10 * $1 + 3))"; }
NODE=$(rpc 0)
BLOBS_ADDR=127.0.0.1:$((PB + 50))
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
# wait_for DESC SECONDS CMD...: run CMD until it succeeds
wait_for() {
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

log "building cortd and cortd-sidecar"
go build -o "$BIN" ./cmd/cortd
mkdir -p "$(dirname "$SC")"
go build -tags e2efault -o "$SC" ./cmd/cortd-sidecar

log "4 validator homes in $NET (ports from $PB)"
"$BIN" testnet init-files --v "$N" --output-dir "$NET" --chain-id "$CHAIN_ID" --port-step 10 --timeout-commit 1s \
  --home "$E2E_HOME/init" >"$E2E_HOME/init.log" 2>&1 || fail "testnet init-files"
# init-files numbers ports from CometBFT's and the SDK's defaults; move them to PORT_BASE.
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

log "genesis: accounts, a ${EPOCH}s data epoch, short audit windows"
for k in owner sub1 sub2 sub3 sub4 op1 op2 op3 user; do
  cortd keys add "$k" --keyring-backend test >/dev/null 2>&1
  cortd genesis add-genesis-account "$k" 1000000000000ucor --keyring-backend test >/dev/null
done
G=$NET/node0/config/genesis.json
jq --arg d "${EPOCH}s" '
  .app_state.epochs.epochs += [(.app_state.epochs.epochs[0] + {identifier: "e2e", duration: $d})]
  | .app_state.data.params += {epoch_identifier: "e2e", targets_per_epoch: 5, bytes_targets_per_epoch: 1, models_per_target: 2, embedding_dim: 64,
      initial_threshold: "2.000000000000000000", max_threshold: "2.000000000000000000",
      allow_local_urls: true}
  | .app_state.data.epoch.threshold = "2.000000000000000000"
  | .app_state.audits.params += {audit_deadline_blocks: "40", voting_window_blocks: "12"}
  | .app_state.sessions.params += {audit_fraction_bps: 10000}
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

log "models m1, m2 (text) and m3 (bytes) registered by owner; the data pool funded"
for m in 1 2 3; do
  "$SC" model init --out "$E2E_HOME/models/m$m" --seed $((6 + m)) --layers "$(( m == 2 ? 2 : 1 ))" >/dev/null
  W=$(sha256sum "$E2E_HOME/models/m$m/model.safetensors" | cut -d' ' -f1)
  T=$(sha256sum "$E2E_HOME/models/m$m/tokenizer.json" | cut -d' ' -f1)
  mod=(); [ "$m" = 3 ] && mod=(--modality bytes)
  send_tx models register "m$m" "E2E model $m" gpt2 "file://$E2E_HOME/models/m$m" "$W" "$T" 64 1 "${mod[@]}" --from owner
done
[ "$(q models model m3 | jq -r .model.modality)" = MODALITY_BYTES ] || fail "m3 is not a bytes model: $(q models model m3)"
# A bytes model needs the byte tokenizer: m1's folder has it too, but a wrong digest is refused.
if out=$(tx models register m4 "E2E model 4" gpt2 "file://$E2E_HOME/models/m1" "$W" "$W" 64 1 --modality bytes --from owner 2>&1) &&
  [ "$(echo "$out" | jq -r .code 2>/dev/null)" = 0 ]; then
  fail "a bytes model with another tokenizer digest was accepted: $out"
fi
grep -q "byte tokenizer" <<<"$out" || fail "bytes model with another tokenizer refused otherwise: $out"
log "m3 registered as a bytes model; a bytes model with another tokenizer digest refused"
send_tx data fund-pool 100000000 --from node0

log "3 miners serving m1 (node3 with --faulty-embedding)"
for n in 1 2 3; do
  extra=(); [ "$n" = 3 ] && extra=(--faulty-embedding)
  "$SC" miner --home "$NET/node0" --keyring-backend test --key "op$n" --node-id "node$n" --engine native --serve m1 \
    --models "$E2E_HOME/models" --memory-mb 512 --grpc "$(grpc 0)" --node "$NODE" \
    --listen "127.0.0.1:$((PB + 70 + n))" --poll 3s "${extra[@]}" >>"$E2E_HOME/miner$n.log" 2>&1 &
  PIDS+=("$!")
done

log "blob server and $N auditors"
"$SC" blobs serve "$E2E_HOME/blobs" --addr "$BLOBS_ADDR" >>"$E2E_HOME/blobs.log" 2>&1 &
PIDS+=("$!")
for i in $(seq 0 $((N - 1))); do
  "$SC" auditor --home "$NET/node$i" --keyring-backend test --key "node$i" --grpc "$(grpc "$i")" --node "$(rpc "$i")" \
    --engine native --models "$E2E_HOME/models" --memory-mb 512 --listen "127.0.0.1:$((PB + 60 + i))" \
    --poll 3s --retry 5s --fetch-timeout 10s --allow-local-network >>"$E2E_HOME/auditor$i.log" 2>&1 &
  PIDS+=("$!")
done
for i in $(seq 0 $((N - 1))); do wait_for "auditor $i healthy" 60 curl -fsS "http://127.0.0.1:$((PB + 60 + i))/healthz"; done
wait_for "blob server" 20 curl -fsS "http://$BLOBS_ADDR/healthz"

log "waiting for an epoch whose text targets have two models, and its bytes target"
open_targets() { q data targets --status open | jq -r '[.targets[] | select(.modality != "MODALITY_BYTES" and (.models | length) == 2) | .id] | join(" ")'; }
bytes_target() { q data targets --status open | jq -r '[.targets[] | select(.modality == "MODALITY_BYTES") | .id][0] // empty'; }
have3() { [ "$(open_targets | wc -w)" -ge 3 ] && [ -n "$(bytes_target)" ]; }
data_epoch() { q data pool | jq -r .epoch.epoch; }
E0=$(data_epoch)
# A fresh epoch, so the three submissions have the whole epoch before its targets expire.
wait_for "the data epoch after $E0" $((EPOCH * 2)) sh -c "[ \"\$($BIN q data pool --node $NODE -o json | jq -r .epoch.epoch)\" != $E0 ]"
wait_for "3 open targets with 2 models" $((EPOCH * 2)) have3
read -r T1 T2 T3 _ <<<"$(open_targets)"
TB=$(bytes_target)
[ "$(q data target "$TB" | jq -c .target.models)" = '["m3"]' ] || fail "bytes target $TB: $(q data target "$TB")"
log "text targets $T1 $T2 $T3 and bytes target $TB (models [m3]) open (epoch $(q data pool | jq -r .epoch.epoch))"

mkdata() { # mkdata FILE SEED: a few KB of text
  for i in $(seq 1 60); do echo "Record $2-$i: the sidecar scores this line with every assigned model."; done >"$1"
}
declare -A INIT SHA BOND FILE
submit() { # submit N TARGET [score flags...]: the data is FILE[N], else text made here
  local n=$1 t=$2 out; shift 2
  if [ -z "${FILE[$n]:-}" ]; then FILE[$n]=$E2E_HOME/data$n.txt; mkdata "${FILE[$n]}" "$n"; fi
  out=$("$SC" blobs add "$E2E_HOME/blobs" "${FILE[$n]}" --base-url "http://$BLOBS_ADDR")
  SHA[$n]=$(echo "$out" | jq -r .sha256)
  INIT[$n]=$(bal "sub$n")
  "$SC" score --home "$NET/node0" --keyring-backend test --grpc "$(grpc 0)" --node "$NODE" --engine native --models "$E2E_HOME/models" \
    --target "$t" --data "${FILE[$n]}" --submit --key "sub$n" --url "$(echo "$out" | jq -r .url)" -o json "$@" \
    >"$E2E_HOME/score$n.json" 2>>"$E2E_HOME/score.log" || fail "score --submit $n: $(cat "$E2E_HOME/score$n.json")"
  [ "$(q data target "$t" | jq -r .target.status)" = TARGET_STATUS_FILLED ] || fail "target $t not filled"
  BOND[$n]=$(q data submission "$t" | jq -r .submission.bond)
  jq -c '{winner, distance, within_threshold, bond, mb_per_second, losses: [.models[] | .loss]}' "$E2E_HOME/score$n.json"
}
submit 1 "$T1"
submit 2 "$T2" --test-claim-loss-delta 0.5
submit 3 "$T3"
"$SC" blobs rm "$E2E_HOME/blobs" "${SHA[3]}"
curl -s -o /dev/null -w '%{http_code}' "http://$BLOBS_ADDR/sha256/${SHA[3]}" | grep -q 404 || fail "blob 3 still served"
log "3 submissions in (honest, wrong losses, dead URL); bonds ${BOND[1]} ${BOND[2]} ${BOND[3]}"

# A binary file: a PNG signature and IHDR chunk (NUL bytes), then random bytes for IDAT.
PNG=$E2E_HOME/image4.png
FILE[4]=$PNG
printf '\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91\x68\x36' >"$PNG"
head -c 1400 /dev/urandom >>"$PNG"
if out=$("$SC" score --home "$NET/node0" --keyring-backend test --grpc "$(grpc 0)" --node "$NODE" --engine native --models "$E2E_HOME/models" --target "$T1" --data "$PNG" 2>&1); then
  fail "score accepted a binary file on text target $T1: $out"
fi
grep -q "not valid UTF-8" <<<"$out" || fail "binary on text target $T1 refused otherwise: $out"
log "score refuses the PNG on text target $T1: $(grep -o 'data is not valid UTF-8 at byte [0-9]*' <<<"$out" | head -1)"
submit 4 "$TB"
[ "$(jq -r .target_modality "$E2E_HOME/score4.json")" = bytes ] || fail "score4: $(cat "$E2E_HOME/score4.json")"
[ "$(q data submission "$TB" | jq -r .submission.size_bytes)" = "$(stat -c %s "$PNG")" ] || fail "submission of $TB: size"
log "PNG ($(stat -c %s "$PNG") bytes) submitted to bytes target $TB with m3; bond ${BOND[4]}"

log "a greedy session task on m1 (redundancy 3, quorum 2), to be audited"
for n in 1 2 3; do
  wait_for "node$n heartbeating" 60 sh -c "$BIN q nodes node node$n --node $NODE -o json | jq -e '.node.last_heartbeat_height | tonumber > 0'"
done
STAKE3=$(q nodes node node3 | jq -r .node.stake)
send_tx sessions create m1 3 2 1000 32 10000000 --from user
send_tx sessions submit 1 "The auditor re-embeds this:" --max-tokens 16 --temperature 0 --top-p 1 --from user

target_status() { q data target "$1" | jq -r .target.status; }
wait_status() { # wait_status TARGET STATUS SECONDS
  local s
  for _ in $(seq 1 "$3"); do
    s=$(target_status "$1" 2>/dev/null || echo "?")
    [ "$s" = "$2" ] && return 0
    case "$s" in TARGET_STATUS_PASSED|TARGET_STATUS_FRAUD|TARGET_STATUS_CLAIMED|TARGET_STATUS_EXPIRED)
      q audits subject data "$1" >&2 || true; fail "target $1 ended $s, want $2" ;;
    esac
    sleep 1
  done
  q audits subject data "$1" >&2 || true
  fail "target $1 not $2 within $3 s (status $s)"
}
audit_of() { q audits subject data "$1" | jq -c '.audits[-1]'; }

log "epoch end: audits open; waiting for the honest pass"
wait_status "$T1" TARGET_STATUS_PASSED $((EPOCH + 90))
a1=$(audit_of "$T1")
[ "$(echo "$a1" | jq -r .status)" = AUDIT_STATUS_PASSED ] || fail "audit of $T1: $a1"
log "target $T1 passed (audit $(echo "$a1" | jq -r .id) by $(echo "$a1" | jq -r .auditor))"

own0=$(bal owner)
# The reward is claimable in the data epoch after the pass (claim_delay_epochs 1): a claim
# before it is refused with both epochs named; then anyone may claim. Not node0, whose key
# its auditor sidecar is signing with right now (two signers on one ordered key race for
# the sequence number).
ce=$(q data target "$T1" | jq -r '.target.claimable_epoch // "0"')
[ "$ce" -ge 2 ] || fail "target $T1: claimable_epoch $ce, want the epoch after its pass"
if out=$(tx data claim "$T1" --from user 2>&1); then
  # accepted only if the epoch already rolled over between the pass and this claim
  now=$(q data pool | jq -r .epoch.epoch)
  [ "$now" -ge "$ce" ] || fail "claim of $T1 accepted in epoch $now, before its claimable epoch $ce"
  log "claimed in epoch $now (claimable from $ce)"
else
  grep -q "claimable from data epoch $ce" <<<"$out" || fail "early claim of $T1 failed otherwise: $out"
  log "claim refused before epoch $ce: $(grep -o "claimable from data epoch $ce, now epoch [0-9]*" <<<"$out" | head -1)"
  wait_for "data epoch $ce" $((EPOCH * 2 + 10)) sh -c "[ \"\$($BIN q data pool --node $NODE -o json | jq -r .epoch.epoch)\" -ge $ce ]"
  send_tx data claim "$T1" --from user
fi
[ "$(target_status "$T1")" = TARGET_STATUS_CLAIMED ] || fail "target $T1 not claimed"
reward=$(q data submission "$T1" | jq -r .submission.reward)
half=$((reward / 2))
got_sub=$(( $(bal sub1) - ${INIT[1]} ))
got_own=$(( $(bal owner) - own0 ))
[ "$got_sub" = "$half" ] || fail "submitter got $got_sub, want $half of $reward (bond returned in full)"
[ "$got_own" = $((reward - half)) ] || fail "model owner got $got_own, want $((reward - half)) of $reward"
log "claimed: reward $reward split $got_sub (submitter) / $got_own (model owner); bond ${BOND[1]} returned"

log "the PNG: audited, passed, claimed"
wait_status "$TB" TARGET_STATUS_PASSED 60
ab=$(audit_of "$TB")
[ "$(echo "$ab" | jq -r .status)" = AUDIT_STATUS_PASSED ] || fail "audit of $TB: $ab"
ceb=$(q data target "$TB" | jq -r '.target.claimable_epoch // "0"')
[ "$ceb" -ge 2 ] || fail "target $TB: claimable_epoch $ceb, want the epoch after its pass"
wait_for "data epoch $ceb" $((EPOCH * 2 + 10)) sh -c "[ \"\$($BIN q data pool --node $NODE -o json | jq -r .epoch.epoch)\" -ge $ceb ]"
own0=$(bal owner)
send_tx data claim "$TB" --from user
[ "$(target_status "$TB")" = TARGET_STATUS_CLAIMED ] || fail "target $TB not claimed"
reward=$(q data submission "$TB" | jq -r .submission.reward)
half=$((reward / 2))
got_sub=$(( $(bal sub4) - ${INIT[4]} ))
got_own=$(( $(bal owner) - own0 ))
[ "$got_sub" = "$half" ] || fail "PNG submitter got $got_sub, want $half of $reward (bond returned in full)"
[ "$got_own" = $((reward - half)) ] || fail "m3's owner got $got_own, want $((reward - half)) of $reward"
log "PNG target $TB passed (audit $(echo "$ab" | jq -r .id)) and claimed in epoch $ceb: $got_sub (submitter) / $got_own (m3's owner)"

log "the two frauds: reported, voted, decided"
for n in 2 3; do
  t=$([ "$n" = 2 ] && echo "$T2" || echo "$T3")
  want=$([ "$n" = 2 ] && echo loss_mismatch || echo data_unavailable)
  wait_status "$t" TARGET_STATUS_FRAUD 120
  a=$(audit_of "$t")
  [ "$(echo "$a" | jq -r .status)" = AUDIT_STATUS_FRAUD ] || fail "audit of $t: $a"
  [ "$(echo "$a" | jq -r .report.failed_check)" = "$want" ] || fail "audit of $t: failed check $(echo "$a" | jq -r .report.failed_check), want $want"
  # A fetch failure tells the chain nothing about the auditor's host: no figures.
  [ "$want" != data_unavailable ] || [ "$(echo "$a" | jq '.report.figures // [] | length')" = 0 ] || fail "audit of $t: figures on a data_unavailable report: $a"
  id=$(echo "$a" | jq -r .id)
  yes=$(q audits votes "$id" | jq '[.votes[] | select(.option == "VOTE_OPTION_YES")] | length')
  [ "$yes" -ge 3 ] || fail "audit $id: $yes yes votes, want ≥ 3 of 4 equal validators"
  lost=$(( ${INIT[$n]} - $(bal "sub$n") ))
  [ "$lost" = "${BOND[$n]}" ] || fail "submitter $n lost $lost, want the bond ${BOND[$n]}"
  log "target $t: fraud ($want, $yes yes votes, tally $(echo "$a" | jq -c '.tally | {yes_stake, total_stake}')); bond ${BOND[$n]} forfeited"
done

log "the session audit: node3's embedding is not its text's"
task_audit() { q sessions task 1 | jq -r .task.audit_status; }
for _ in $(seq 1 150); do
  st=$(task_audit 2>/dev/null || echo "?")
  case "$st" in TASK_AUDIT_STATUS_FRAUD) break ;;
    TASK_AUDIT_STATUS_PASSED|TASK_AUDIT_STATUS_NOT_SAMPLED|TASK_AUDIT_STATUS_SKIPPED) q sessions task 1 >&2; fail "task 1 audit ended $st" ;;
  esac
  sleep 1
done
[ "$st" = TASK_AUDIT_STATUS_FRAUD ] || { q sessions task 1 >&2; fail "task 1 audit not FRAUD within 150 s ($st)"; }
a=$(q audits subject sessions 1 | jq -c '.audits[-1]')
[ "$(echo "$a" | jq -r .report.failed_check)" = embedding ] || fail "session audit: $a"
named=$(echo "$a" | jq -r '[.report.figures[] | select(.name | startswith("node:")) | .name] | join(",")')
[ "$named" = node:node3 ] || fail "session audit named $named, want node:node3 only"
s3=$(q nodes node node3 | jq -r .node.stake)
[ "$s3" -lt "$STAKE3" ] || fail "node3 not slashed: stake $s3, was $STAKE3"
for n in 1 2; do
  [ "$(q nodes node "node$n" | jq -r .node.stake)" = "$STAKE3" ] || fail "honest node$n's stake changed"
done
log "task 1: node3 reported ($(echo "$a" | jq -r '.report.figures[0].value')), voted fraud, slashed $STAKE3 -> $s3"

metric() { curl -fsS "http://127.0.0.1:$((PB + 60 + $1))/metrics" | awk -v k="$2" '$1 == k {print $2}'; }
sum() { local s=0 i; for i in $(seq 0 $((N - 1))); do s=$((s + $(metric "$i" "$1"))); done; echo "$s"; }
p=$(sum 'cortd_auditor_audits_total{result="pass"}'); f=$(sum 'cortd_auditor_audits_total{result="fraud"}')
y=$(sum 'cortd_auditor_votes_total{option="yes"}'); no=$(sum 'cortd_auditor_votes_total{option="no"}')
[ "$p" -ge 2 ] && [ "$f" -ge 3 ] && [ "$y" -ge 6 ] && [ "$no" = 0 ] || fail "auditor metrics: pass $p fraud $f yes $y no $no"
log "auditor metrics: $p pass, $f fraud reports, $y yes votes, $no no votes"

echo "PASS"
