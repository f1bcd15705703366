#!/usr/bin/env bash
# Installs the few Debian tools the end-to-end scripts use (jq, curl) when they are
# missing. Returns non-zero if they are still missing afterwards.
set -uo pipefail
missing=()
for t in jq curl; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
$sudo apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1
for t in "${missing[@]}"; do command -v "$t" >/dev/null 2>&1 || { echo "could not install $t" >&2; exit 1; }; done
