// Package sandbox runs an untrusted command (a challenge's test command over a
// miner's patched repository) under bubblewrap, so that nothing it does can reach
// the host, the network or the evaluator's keys.
//
// Policy (see bwrapArgs):
//   - every namespace unshared (--unshare-all): no network, own pids, ipc, uts,
//     cgroup and user namespace; --die-with-parent and --new-session;
//   - the root is empty except for read-only system directories (/usr and the
//     merged-usr links, a few harmless /etc files), the Go toolchain (GOROOT) and
//     whatever Config.ReadOnly adds; $HOME, keyrings and the rest of the host do
//     not exist inside;
//   - /proc is mounted unless Config.NoProc (the evaluator's patched runs leave it
//     out, so no path names an inherited descriptor); Config.ExtraFiles are
//     inherited as descriptors 3, 4, ...;
//   - the repository is bound read-only at /src and copied into a fresh, size-capped
//     tmpfs at /work, where the command runs; /tmp is another capped tmpfs holding
//     HOME, GOCACHE and GOPATH, so the command writes nothing on the host;
//   - limits: RLIMIT_CPU, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_FSIZE and RLIMIT_NOFILE
//     are set by prlimit(1) inside the sandbox (after the user namespace exists, so
//     the process count is counted in that fresh namespace only), the captured
//     output is capped (the run is killed when it exceeds the cap) and the wall
//     clock is enforced by killing bwrap, which tears down the whole pid namespace.
//
// Memory: RLIMIT_AS is per process, so the sandbox's total is bounded by
// Memory × Processes plus the two tmpfs sizes, not by Memory alone. A cgroup
// would bound the total exactly; it is not used because unprivileged users
// cannot create one on every machine (cgroup v1 hosts, no systemd delegation).
//
// RLIMIT_NPROC is not enforced for processes whose host uid is 0, so when the
// evaluator runs as root the sandbox is started as an unprivileged uid
// (Config.UID, 65534 by default); the kernel then counts the sandbox's processes
// per (user namespace, uid), i.e. only the sandbox's own.
package sandbox
