package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireBwrap fails (never silently skips) without a working bwrap, unless
// CORTD_SKIP_SANDBOX=1 says to skip.
func requireBwrap(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Check(ctx, Config{}); err != nil {
		if os.Getenv("CORTD_SKIP_SANDBOX") == "1" {
			t.Skipf("CORTD_SKIP_SANDBOX=1: %v", err)
		}
		t.Fatalf("%v\n(install bubblewrap with scripts/install-bwrap.sh, or set CORTD_SKIP_SANDBOX=1 to skip sandbox tests)", err)
	}
}

// srcDir is a world-readable work dir with one file (the sandbox's uid is
// 65534 when the tests run as root).
func srcDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(d), 0o755))
	require.NoError(t, os.Chmod(d, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d, "hello.txt"), []byte("hello\n"), 0o644))
	return d
}

func runT(t *testing.T, lim Limits, command string) Result {
	t.Helper()
	res, err := Run(context.Background(), Config{Limits: lim}, srcDir(t), command)
	require.NoError(t, err)
	return res
}

func TestRunCopiesWorkDirAndReportsExit(t *testing.T) {
	requireBwrap(t)
	src := srcDir(t)
	t.Setenv("CORTD_HOST_SECRET", "s3cret")
	res, err := Run(context.Background(), Config{Env: []string{"EXTRA=1"}}, src,
		`pwd; cat hello.txt; echo changed > hello.txt; echo new > new.txt; cat hello.txt; echo "H=$HOME E=$EXTRA S=$CORTD_HOST_SECRET"; exit 3`)
	require.NoError(t, err)
	require.Equal(t, 3, res.ExitCode)
	require.Equal(t, LimitNone, res.Limit)
	require.Equal(t, "/work\nhello\nchanged\nH=/tmp/home E=1 S=\n", string(res.Output))
	// The host's copy is untouched.
	b, err := os.ReadFile(filepath.Join(src, "hello.txt"))
	require.NoError(t, err)
	require.Equal(t, "hello\n", string(b))
	require.NoFileExists(t, filepath.Join(src, "new.txt"))
}

func TestHostIsInvisibleAndReadOnly(t *testing.T) {
	requireBwrap(t)
	home := t.TempDir() // a host home with a file in it
	require.NoError(t, os.WriteFile(filepath.Join(home, "key"), []byte("secret"), 0o644))
	t.Setenv("HOME", home)
	res := runT(t, Limits{}, fmt.Sprintf(`
ls / | tr '\n' ' '; echo
for p in %q "$HOME/key" /root /home /var /run /etc/shadow /etc/hostname; do [ -e "$p" ] && echo "visible: $p"; done
for p in /usr/x /src/x /x /etc/x /proc/x; do (echo x > "$p") 2>/dev/null && echo "writable: $p"; done
echo end`, home))
	require.Equal(t, 0, res.ExitCode, string(res.Output))
	lines := strings.Split(strings.TrimSpace(string(res.Output)), "\n")
	require.Equal(t, []string{"bin dev etc lib lib64 proc sbin src tmp usr work ", "end"},
		[]string{strings.ReplaceAll(lines[0], "lib32 ", ""), lines[len(lines)-1]}, string(res.Output))
	require.Len(t, lines, 2, "nothing of the host is visible or writable: %s", res.Output)
}

func TestNoNetwork(t *testing.T) {
	requireBwrap(t)
	// The sandbox's network namespace has only a loopback interface.
	res := runT(t, Limits{}, `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`)
	require.Equal(t, 0, res.ExitCode, string(res.Output))
	require.Equal(t, "lo\n", string(res.Output))
}

// processesWith counts host processes whose command line contains marker.
func processesWith(marker string) int {
	n := 0
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(marker)) {
			n++
		}
	}
	return n
}

func TestWallClockKillsTheWholeTree(t *testing.T) {
	requireBwrap(t)
	marker := fmt.Sprintf("cortd-wall-%d", time.Now().UnixNano())
	start := time.Now()
	// setsid and a background child try to escape the process group.
	res := runT(t, Limits{Wall: 2 * time.Second}, fmt.Sprintf(`
setsid sh -c 'sleep 1000; echo %[1]s' &
sh -c 'sleep 1000; echo %[1]s' &
echo started; sleep 1000`, marker))
	require.Equal(t, LimitWall, res.Limit)
	require.Equal(t, -1, res.ExitCode)
	require.Less(t, time.Since(start), 20*time.Second)
	require.Contains(t, string(res.Output), "started")
	require.Eventually(t, func() bool { return processesWith(marker) == 0 }, 5*time.Second, 50*time.Millisecond)
}

func TestOutputIsCapped(t *testing.T) {
	requireBwrap(t)
	res := runT(t, Limits{Output: 64 << 10, Wall: time.Minute}, `yes gigabytes`)
	require.Equal(t, LimitOutput, res.Limit)
	require.True(t, res.Truncated)
	require.Len(t, res.Output, 64<<10)
	require.True(t, strings.HasPrefix(string(res.Output), "gigabytes\ngigabytes\n"))
}

func TestProcessLimit(t *testing.T) {
	requireBwrap(t)
	res := runT(t, Limits{Processes: 16, Wall: time.Minute}, `
i=0
while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done
echo all started`)
	require.NotEqual(t, 0, res.ExitCode, string(res.Output))
	require.NotContains(t, string(res.Output), "all started")
	require.Contains(t, strings.ToLower(string(res.Output)), "fork")
	require.Equal(t, LimitNone, res.Limit)
}

func TestCPULimit(t *testing.T) {
	requireBwrap(t)
	res := runT(t, Limits{CPU: time.Second, Wall: time.Minute}, `while :; do :; done`)
	require.Equal(t, LimitCPU, res.Limit, "%+v", res)
}

func TestFileSizeLimit(t *testing.T) {
	requireBwrap(t)
	res := runT(t, Limits{FileSize: 1 << 20}, `head -c 2000000 /dev/zero > big; echo "exit $?"; wc -c < big`)
	require.Equal(t, 0, res.ExitCode, string(res.Output))
	require.Contains(t, string(res.Output), "1048576")
	require.NotContains(t, string(res.Output), "exit 0")
}

func TestWorkDirSizeCap(t *testing.T) {
	requireBwrap(t)
	// Many files under the per-file cap still cannot fill more than the tmpfs.
	res := runT(t, Limits{WorkBytes: 4 << 20}, `i=0; while [ $i -lt 20 ]; do head -c 500000 /dev/zero > f$i || exit 9; i=$((i+1)); done`)
	require.Equal(t, 9, res.ExitCode, string(res.Output))
}

func TestMountDestinationsChecked(t *testing.T) {
	for _, dst := range []string{"/work/x", "/src", "relative", "/", "/tmp"} {
		_, err := Run(context.Background(), Config{Mounts: []Mount{{Src: "/usr", Dst: dst}}}, t.TempDir(), "true")
		require.ErrorContains(t, err, "not allowed", dst)
	}
}

func TestMissingBwrap(t *testing.T) {
	_, err := Run(context.Background(), Config{Bwrap: "/nonexistent/bwrap"}, t.TempDir(), "true")
	require.ErrorIs(t, err, ErrUnavailable)
	require.ErrorContains(t, err, "scripts/install-bwrap.sh")
}

func TestMemoryLimit(t *testing.T) {
	requireBwrap(t)
	// Doubling a string to 1 GiB needs far more than the 64 MiB address space.
	res := runT(t, Limits{Memory: 64 << 20, Wall: time.Minute},
		`awk 'BEGIN { s = "x"; for (i = 0; i < 30; i++) s = s s; print length(s) }'; echo "exit $?"`)
	require.Equal(t, LimitNone, res.Limit, "%+v", res)
	require.NotContains(t, string(res.Output), "1073741824")
	require.NotContains(t, string(res.Output), "exit 0")
}

// The evaluator's report channel: a pipe inherited as descriptor 3 reaches the
// command through bwrap and prlimit, and with NoProc no path names it.
func TestExtraFilesAndNoProc(t *testing.T) {
	requireBwrap(t)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	cfg := Config{ExtraFiles: []*os.File{w}, NoProc: true}
	res, err := Run(context.Background(), cfg, srcDir(t),
		`echo through-fd3 >&3; ls /proc >/dev/null 2>&1 && echo proc-visible; cat /dev/fd/3 </dev/null >/dev/null 2>&1 && echo fd-path-resolves; ls /proc/self/fd >/dev/null 2>&1 && echo self-fd-visible; go env GOROOT >/dev/null && echo go-works`)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, "through-fd3\n", string(got))
	require.Equal(t, "go-works\n", string(res.Output), "%s", res.Output)

	// The default keeps /proc (the go command's own tools and trusted runs use it).
	res, err = Run(context.Background(), Config{}, srcDir(t), `ls /proc/self >/dev/null && echo proc-visible`)
	require.NoError(t, err)
	require.Equal(t, "proc-visible\n", string(res.Output))
}
