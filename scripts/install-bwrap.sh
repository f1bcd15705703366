#!/usr/bin/env bash
# Installs bubblewrap (bwrap), the sandbox the evaluator runs untrusted patches in
# (sidecar/sandbox). Debian/Ubuntu: apt-get install bubblewrap, with sudo when not
# root. Then checks that bwrap can create the sandbox's namespaces here.
set -euo pipefail

check() {
	# The same namespaces the evaluator uses (user, pid, net, ipc, uts, cgroup).
	bwrap --unshare-all --die-with-parent --new-session \
		--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
		--proc /proc --dev /dev --tmpfs /tmp -- /bin/true
}

if command -v bwrap >/dev/null 2>&1; then
	echo "==> bwrap already installed: $(bwrap --version)"
else
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "install-bwrap: bwrap is missing and apt-get is not available; install bubblewrap with your package manager" >&2
		exit 1
	fi
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			SUDO=(sudo -n)
		else
			echo "install-bwrap: bwrap is missing and this user is not root and has no password-less sudo;" >&2
			echo "  ask an administrator to run: apt-get install -y bubblewrap" >&2
			exit 1
		fi
	fi
	echo "==> installing bubblewrap with apt-get"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
	echo "==> installed $(bwrap --version)"
fi

if ! check; then
	echo "install-bwrap: bwrap is installed but cannot create a sandbox here." >&2
	echo "  Unprivileged user namespaces may be disabled: on Debian set sysctl kernel.unprivileged_userns_clone=1;" >&2
	echo "  on Ubuntu 24.04+ AppArmor restricts them: sysctl kernel.apparmor_restrict_unprivileged_userns=0" >&2
	echo "  (or install an AppArmor profile for bwrap); user.max_user_namespaces must be > 0." >&2
	exit 1
fi
echo "==> bwrap sandbox works"
