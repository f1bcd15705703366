#!/usr/bin/env bash
# Installs Debian's headless Chromium for the dashboard's browser test
# (sidecar/dashboard/browsertest, run by scripts/e2e/dashboard.sh). Idempotent:
# does nothing when `chromium` is already on PATH. Uses sudo when not root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "installed: $(chromium --version)"
