package sandbox

import (
	"os"
	"path/filepath"
	"strconv"
)

// Paths inside the sandbox.
const (
	srcMount  = "/src"  // the host work dir, read-only
	workMount = "/work" // tmpfs copy of /src; the command's working directory
	seedMount = "/seed" // optional read-only GOCACHE seed
)

// innerScript runs as the sandbox's first command: it copies the repository into
// the /work tmpfs (and the GOCACHE seed into /tmp) and then runs the command ($1)
// under the resource limits. The limits are set here, inside the fresh user
// namespace, so RLIMIT_NPROC counts only the sandbox's processes.
const innerScript = `set -e
mkdir -p /tmp/home/.config/go/telemetry /tmp/gocache /tmp/gopath
echo off > /tmp/home/.config/go/telemetry/mode
cp -R --preserve=mode,timestamps ` + srcMount + `/. ` + workMount + `/
if [ -d ` + seedMount + ` ]; then cp -R ` + seedMount + `/. /tmp/gocache/; fi
cd ` + workMount + `
exec "$PRLIMIT" --cpu="$LIM_CPU" --as="$LIM_AS" --nproc="$LIM_NPROC" --fsize="$LIM_FSIZE" --nofile=1024 --core=0 -- /bin/sh -c "$1"
`

// systemDirs are bound read-only (or re-created as the same symlink on a
// merged-/usr system). Nothing else of the host is visible.
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// etcFiles are harmless configuration some tools read (dynamic linker cache,
// alternatives links, user names); no secrets (no shadow, no ssl keys).
var etcFiles = []string{"/etc/ld.so.cache", "/etc/alternatives", "/etc/passwd", "/etc/group", "/etc/localtime"}

func bwrapArgs(cfg Config, lim Limits, src, command, rwCache string) []string {
	a := []string{
		"--unshare-all", "--unshare-user", "--disable-userns",
		"--die-with-parent", "--new-session", "--cap-drop", "ALL",
		"--clearenv",
	}
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if t, err := os.Readlink(d); err == nil {
				a = append(a, "--symlink", t, d)
			}
		case fi.IsDir():
			a = append(a, "--ro-bind", d, d)
		}
	}
	for _, f := range etcFiles {
		a = append(a, "--ro-bind-try", f, f)
	}
	if !cfg.NoProc {
		a = append(a, "--proc", "/proc")
	}
	a = append(a,
		"--dev", "/dev",
		"--size", strconv.FormatInt(lim.TmpBytes, 10), "--tmpfs", "/tmp",
		"--size", strconv.FormatInt(lim.WorkBytes, 10), "--tmpfs", workMount,
		"--ro-bind", src, srcMount,
	)
	path := "/usr/local/bin:/usr/bin:/bin"
	var goroot []string
	if cfg.GoRoot != "" {
		a = append(a, "--ro-bind", cfg.GoRoot, cfg.GoRoot)
		path = filepath.Join(cfg.GoRoot, "bin") + ":" + path
		// Without /proc the go command cannot find its root from its own path.
		goroot = []string{"GOROOT=" + cfg.GoRoot}
	}
	if rwCache != "" {
		a = append(a, "--bind", rwCache, "/tmp/gocache")
	}
	if cfg.GoCacheSeed != "" {
		a = append(a, "--ro-bind", cfg.GoCacheSeed, seedMount)
	}
	for _, p := range cfg.ReadOnly {
		a = append(a, "--ro-bind", p, p)
	}
	for _, m := range cfg.Mounts {
		a = append(a, "--ro-bind", m.Src, m.Dst)
	}
	// The root itself (a tmpfs bwrap builds, holding the mount points and /etc's
	// few files) becomes read-only: only /work and /tmp are writable.
	a = append(a, "--remount-ro", "/")
	prl := cfg.Prlimit
	if prl == "" {
		prl = "/usr/bin/prlimit"
	}
	cpu := int64(lim.CPU.Seconds())
	if cpu < 1 {
		cpu = 1
	}
	env := []string{
		"PATH=" + path, "HOME=/tmp/home", "TMPDIR=/tmp", "LANG=C.UTF-8",
		"GOCACHE=/tmp/gocache", "GOPATH=/tmp/gopath", "GOPROXY=off", "GOTOOLCHAIN=local",
		"GOTELEMETRY=off", "CGO_ENABLED=0", "GOFLAGS=",
		"PRLIMIT=" + prl,
		// soft:hard — SIGXCPU at the soft limit (reported as LimitCPU), SIGKILL a
		// second later for a process that ignores it.
		"LIM_CPU=" + strconv.FormatInt(cpu, 10) + ":" + strconv.FormatInt(cpu+1, 10),
		"LIM_AS=" + strconv.FormatInt(lim.Memory, 10),
		"LIM_NPROC=" + strconv.Itoa(lim.Processes),
		"LIM_FSIZE=" + strconv.FormatInt(lim.FileSize, 10),
	}
	env = append(append(env, goroot...), cfg.Env...)
	for _, kv := range env {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				a = append(a, "--setenv", kv[:i], kv[i+1:])
				break
			}
		}
	}
	a = append(a, "--chdir", "/", "--", "/bin/sh", "-c", innerScript, "sh", command)
	return a
}
