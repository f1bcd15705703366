#!/usr/bin/env bash
# End to end (issue 17 item 5): the local network keeps its secrets to its owner.
#
#   scripts/e2e/localnet-keys.sh
#
# Runs `scripts/localnet.sh init` (home, keys, genesis, the router's API key; starts
# nothing) twice in a temp dir and checks:
# 1. the home is 0700 and every file under it is owner-only (no group/other bits), the
#    keyring folder included; the router's API keys file is 0600
# 2. no mnemonic file (<key>.key.json) unless LOCALNET_SAVE_MNEMONICS=1; with it, one
#    per key, mode 0600, holding the mnemonic
# 3. the API key is printed as a prefix only, never in full
# Environment: BUILD_DIR (default build), LOCALNET_BUILD=0 uses build/cortd as it is,
# KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD_DIR=${BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
TMP=$(mktemp -d /tmp/cortd-e2e-localnet-keys.XXXXXX)
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $TMP" || rm -rf "$TMP"; }
trap cleanup EXIT
log() { echo "==> $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
mode() { stat -c %a "$1"; }

if [ "${LOCALNET_BUILD:-1}" != 0 ]; then
  log "building cortd"
  go build -o "$BUILD_DIR/cortd" ./cmd/cortd
fi

# init HOME OUT [ENV...]: initialise a localnet home (no process started), output to OUT.
init() {
  local home=$1 out=$2; shift 2
  env "$@" LOCALNET_HOME="$home" LOCALNET_BUILD=0 BUILD_DIR="$BUILD_DIR" PORT_BASE=24000 \
    bash scripts/localnet.sh init >"$out" 2>&1 || { cat "$out" >&2; fail "localnet.sh init ($*)"; }
}

check_owner_only() {
  local home=$1 open
  [ "$(mode "$home")" = 700 ] || fail "$home is $(mode "$home"), want 700"
  [ "$(mode "$home/keyring-test")" = 700 ] || fail "keyring-test is $(mode "$home/keyring-test"), want 700"
  [ "$(mode "$home/router-api-keys")" = 600 ] || fail "router-api-keys is $(mode "$home/router-api-keys"), want 600"
  open=$(find "$home" -perm /077 -printf '%m %p\n')
  [ -z "$open" ] || fail "readable or writable by group/others under $home:
$open"
}

log "default: localnet.sh init in $TMP/a"
init "$TMP/a" "$TMP/a.out"
check_owner_only "$TMP/a"
ls "$TMP"/a/*.key.json >/dev/null 2>&1 && fail "mnemonic files written without LOCALNET_SAVE_MNEMONICS: $(ls "$TMP"/a/*.key.json)"
KEY=$(head -1 "$TMP/a/router-api-keys")
[ "${#KEY}" -ge 32 ] || fail "API key too short: ${#KEY} characters"
grep -qF "$KEY" "$TMP/a.out" && fail "the API key is printed in full: $(cat "$TMP/a.out")"
grep -qF "${KEY:0:13}..." "$TMP/a.out" || fail "the API key's prefix is not printed: $(cat "$TMP/a.out")"
log "home 0700, every file owner-only, no mnemonic file, API key shown as ${KEY:0:13}..."

log "LOCALNET_SAVE_MNEMONICS=1: localnet.sh init in $TMP/b"
init "$TMP/b" "$TMP/b.out" LOCALNET_SAVE_MNEMONICS=1
check_owner_only "$TMP/b"
n=0
for f in "$TMP"/b/*.key.json; do
  [ -f "$f" ] || fail "no mnemonic files with LOCALNET_SAVE_MNEMONICS=1"
  [ "$(mode "$f")" = 600 ] || fail "$f is $(mode "$f"), want 600"
  grep -q '"mnemonic"' "$f" || fail "$f holds no mnemonic: $(head -c 200 "$f")"
  n=$((n + 1))
done
[ "$n" = 10 ] || fail "$n mnemonic files, want 10 (one per key)"
log "$n mnemonic files, each 0600"
echo "PASS: localnet secrets are owner-only"
