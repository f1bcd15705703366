package cmd_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/cortnet/cortd/app"
	"github.com/cortnet/cortd/cmd/cortd/cmd"
)

// TestCortdProcess is not a test: the node tests below run this test binary as `cortd`
// (CORTD_TEST_PROCESS=1, the cortd arguments after "--"), exactly as main does, so that a
// node runs in its own process without building the binary.
func TestCortdProcess(t *testing.T) {
	if os.Getenv("CORTD_TEST_PROCESS") != "1" {
		t.Skip("helper process of the node start tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	root := cmd.NewRootCmd()
	root.SetArgs(args)
	if err := svrcmd.Execute(root, "CORTD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(root.OutOrStderr(), err)
		os.Exit(1)
	}
	os.Exit(0)
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type node struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

func startNode(t *testing.T, home string) *node {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^TestCortdProcess$", "--", "start", "--home", home, "--log_no_color")
	c.Env = append(os.Environ(), "CORTD_TEST_PROCESS=1")
	n := &node{cmd: c, out: &syncBuffer{}, done: make(chan error, 1)}
	c.Stdout, c.Stderr = n.out, n.out
	require.NoError(t, c.Start())
	go func() { n.done <- c.Wait() }()
	t.Cleanup(func() { _ = c.Process.Kill() })
	return n
}

// waitBlocks waits until the node has committed k blocks in this run.
func (n *node) waitBlocks(t *testing.T, k int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for strings.Count(n.out.String(), "committed state") < k {
		select {
		case err := <-n.done:
			t.Fatalf("node exited (%v) before %d blocks:\n%s", err, k, n.out.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "no %d blocks in time:\n%s", k, n.out.String())
		time.Sleep(100 * time.Millisecond)
	}
}

func (n *node) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, n.cmd.Process.Signal(os.Interrupt))
	select {
	case <-n.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("node did not stop:\n%s", n.out.String())
	}
}

// refused waits for a start that must fail and returns its output.
func (n *node) refused(t *testing.T) string {
	t.Helper()
	select {
	case err := <-n.done:
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, n.out.String())
		require.Equal(t, 1, exit.ExitCode(), n.out.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("node did not refuse to start:\n%s", n.out.String())
	}
	out := n.out.String()
	require.NotContains(t, out, "goroutine ", "no goroutine dump")
	require.NotContains(t, out, "Usage:", "no help text")
	require.NotContains(t, out, "committed state", "no block committed")
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// oneValidatorHome writes a one-validator home with fresh loopback ports, fast blocks and
// the API, gRPC, pprof and Prometheus servers off.
func oneValidatorHome(t *testing.T) string {
	out := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "1", "--output-dir", out, "--chain-id", "cort-guard-1")
	home := filepath.Join(out, "node0")
	cfgFile := filepath.Join(home, "config", "config.toml")
	bz, err := os.ReadFile(cfgFile)
	require.NoError(t, err)
	s := regexp.MustCompile(`"tcp://(127\.0\.0\.1|0\.0\.0\.0):\d+"`).ReplaceAllStringFunc(string(bz), func(string) string {
		return fmt.Sprintf(`"tcp://127.0.0.1:%d"`, freePort(t))
	})
	s = regexp.MustCompile(`(?m)^timeout_commit = .*$`).ReplaceAllString(s, `timeout_commit = "200ms"`)
	s = regexp.MustCompile(`(?m)^pprof_laddr = .*$`).ReplaceAllString(s, `pprof_laddr = ""`)
	s = regexp.MustCompile(`(?m)^prometheus = .*$`).ReplaceAllString(s, `prometheus = false`)
	require.NoError(t, os.WriteFile(cfgFile, []byte(s), 0o600))
	appFile := filepath.Join(home, "config", "app.toml")
	bz, err = os.ReadFile(appFile)
	require.NoError(t, err)
	s = regexp.MustCompile(`(?m)^enable = true$`).ReplaceAllString(string(bz), "enable = false")
	require.NoError(t, os.WriteFile(appFile, []byte(s), 0o600))
	return home
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(bz)
	return hex.EncodeToString(sum[:])
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		bz, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), bz, 0o600)
	}))
}

// truncateHalf cuts every file of a store whose name ends in suffix to half its size, and
// returns how many it cut.
func truncateHalf(t *testing.T, dir, suffix string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		info, err := e.Info()
		require.NoError(t, err)
		if info.Size() < 2 {
			continue
		}
		require.NoError(t, os.Truncate(filepath.Join(dir, e.Name()), info.Size()/2))
		n++
	}
	return n
}

// TestNodeStartRefusesChangedGenesisAndDamagedStores runs a real one-validator node: it
// records the genesis sha256 at the first start; after genesis.json is edited it refuses
// to start, naming both hashes and what to do; with the file put back it starts again.
// Then stores damaged in copies of the home (a truncated table of application.db and of
// blockstore.db, a cut blockstore journal) each give one operator message naming the store
// and exit code 1: no goroutine dump, no help text.
func TestNodeStartRefusesChangedGenesisAndDamagedStores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real nodes")
	}
	home := oneValidatorHome(t)
	genFile := filepath.Join(home, "config", "genesis.json")
	original, err := os.ReadFile(genFile)
	require.NoError(t, err)

	n := startNode(t, home)
	n.waitBlocks(t, 3)
	n.stop(t)
	recorded := sha256File(t, genFile)
	record, err := os.ReadFile(filepath.Join(home, "data", "genesis.sha256"))
	require.NoError(t, err)
	require.Equal(t, recorded+"  genesis.json\n", string(record), "recorded at the first start, in sha256sum format")

	// an edited genesis.json is refused, naming both hashes and what to do
	edited := bytes.Replace(original, []byte(`"max_name_length": 128`), []byte(`"max_name_length": 129`), 1)
	require.NotEqual(t, original, edited)
	require.NoError(t, os.WriteFile(genFile, edited, 0o600))
	out := startNode(t, home).refused(t)
	require.Contains(t, out, "refusing to start: "+genFile+" has changed")
	require.Contains(t, out, "sha256 now:      "+sha256File(t, genFile))
	require.Contains(t, out, "sha256 recorded: "+recorded)
	require.Contains(t, out, "put back the genesis.json whose sha256 is "+recorded)
	require.Contains(t, out, "cortd comet unsafe-reset-all --home "+home)

	// the original file back: the node goes on with its chain
	require.NoError(t, os.WriteFile(genFile, original, 0o600))
	n = startNode(t, home)
	n.waitBlocks(t, 2)
	n.stop(t)

	for _, tc := range []struct {
		name   string
		damage func(data string) int
		says   []string
	}{
		{"application.db table", func(data string) int { return truncateHalf(t, filepath.Join(data, "application.db"), ".ldb") },
			[]string{filepath.Join("data", "application.db") + " cannot be read: it is corrupted or incomplete", "leveldb",
				"Last heights read: blockstore.db "}},
		{"blockstore.db table", func(data string) int { return truncateHalf(t, filepath.Join(data, "blockstore.db"), ".ldb") },
			[]string{filepath.Join("data", "blockstore.db") + " cannot be read: it is corrupted or incomplete", "leveldb", "application.db "}},
		{"blockstore.db journal cut", func(data string) int { return truncateHalf(t, filepath.Join(data, "blockstore.db"), ".log") },
			[]string{filepath.Join("data", "blockstore.db") + " ends at height", "the block store lost its last blocks",
				"Last heights read: application.db "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			copyHome := filepath.Join(t.TempDir(), "home")
			copyDir(t, home, copyHome)
			require.Positive(t, tc.damage(filepath.Join(copyHome, "data")), "a file to damage")
			out := startNode(t, copyHome).refused(t)
			for _, s := range tc.says {
				require.Contains(t, out, s)
			}
			require.Contains(t, out, "What to do: restore "+filepath.Join(copyHome, "data"))
			require.Contains(t, out, "state sync")
			require.Contains(t, out, "cortd comet unsafe-reset-all --home "+copyHome)
		})
	}
}
