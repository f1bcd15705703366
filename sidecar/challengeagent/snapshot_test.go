package challengeagent

import (
	"archive/tar"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/archive"
	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/x/challenges/types"
)

// recordingSolver returns a fixed patch and records the work folder's go.mod.
type recordingSolver struct{ gomod string }

func (s *recordingSolver) Solve(_ context.Context, dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, "repo", "go.mod"))
	if err != nil {
		return nil, err
	}
	s.gomod = string(b)
	return []byte("--- a/x\n"), nil
}

// testAgent is an agent without a chain: makePatch needs only the config and solver.
func testAgent(t *testing.T, o fetch.Options) (*Agent, *recordingSolver) {
	s := &recordingSolver{}
	cfg := Config{NodeID: "node1", StateDir: t.TempDir(), Fetch: o}.withDefaults()
	return &Agent{cfg: cfg, solver: s, log: slog.New(slog.DiscardHandler)}, s
}

// The snapshot URL is written on chain by the challenger: by default the agent reads
// neither the miner's own files nor loopback services, and says why.
func TestSnapshotDownloadRefusesLocalByDefault(t *testing.T) {
	snap := tgz(t, entry{name: "go.mod", typ: tar.TypeReg, body: "module x"})
	path := filepath.Join(t.TempDir(), "s.tar.gz")
	require.NoError(t, os.WriteFile(path, snap, 0o644))
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Write(snap)
	}))
	defer srv.Close()

	for _, u := range []string{"file://" + path, srv.URL + "/s.tar.gz"} {
		a, s := testAgent(t, fetch.Options{})
		c := &types.Challenge{Id: 1, Snapshot: types.Snapshot{Url: u, Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}}
		_, err := a.makePatch(context.Background(), c)
		require.ErrorIs(t, err, fetch.ErrRefused, u)
		require.ErrorContains(t, err, "--allow-local-network", u)
		require.Empty(t, s.gomod, "the solver must not run without a snapshot")
		_, err = os.Stat(filepath.Join(a.cfg.StateDir, "challenge-1", "repo", "go.mod"))
		require.True(t, os.IsNotExist(err), u)
	}
	require.Zero(t, served.Load(), "a loopback server must not be contacted")

	// The cloud metadata address stays refused even on a local network.
	a, _ := testAgent(t, fetch.Options{AllowLocal: true})
	_, err := a.makePatch(context.Background(), &types.Challenge{Id: 2, Snapshot: types.Snapshot{
		Url: "http://169.254.169.254/latest/meta-data/", Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}})
	require.ErrorIs(t, err, fetch.ErrRefused)
}

// With AllowLocal (localnet, e2e) file and loopback URLs work, and the claimed size and
// checksum are still enforced.
func TestSnapshotDownloadAllowLocal(t *testing.T) {
	snap := tgz(t, entry{name: "go.mod", typ: tar.TypeReg, body: "module x"})
	path := filepath.Join(t.TempDir(), "s.tar.gz")
	require.NoError(t, os.WriteFile(path, snap, 0o644))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/s.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(snap)
	}))
	defer srv.Close()

	for _, u := range []string{"file://" + path, srv.URL + "/s.tar.gz"} {
		a, s := testAgent(t, fetch.Options{AllowLocal: true})
		c := &types.Challenge{Id: 1, Snapshot: types.Snapshot{Url: u, Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}}
		patch, err := a.makePatch(context.Background(), c)
		require.NoError(t, err, u)
		require.Equal(t, "--- a/x\n", string(patch))
		require.Equal(t, "module x", s.gomod, u)

		for want, bad := range map[error]types.Snapshot{
			fetch.ErrTooLarge:     {Url: u, Sha256: shaHex(snap), SizeBytes: uint64(len(snap)) - 1},
			fetch.ErrSizeMismatch: {Url: u, Sha256: shaHex(snap), SizeBytes: uint64(len(snap)) + 1},
			fetch.ErrChecksum:     {Url: u, Sha256: shaHex([]byte("other")), SizeBytes: uint64(len(snap))},
		} {
			_, err := a.makePatch(context.Background(), &types.Challenge{Id: 2, Snapshot: bad})
			require.ErrorIs(t, err, want, u)
		}
	}
	a, _ := testAgent(t, fetch.Options{AllowLocal: true})
	_, err := a.makePatch(context.Background(), &types.Challenge{Id: 3, Snapshot: types.Snapshot{
		Url: srv.URL + "/missing", Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}})
	require.ErrorIs(t, err, fetch.ErrUnavailable)
	require.ErrorContains(t, err, "404")

	// A claim above the agent's limit is refused before any byte is read.
	a, _ = testAgent(t, fetch.Options{AllowLocal: true, MaxBytes: 10})
	_, err = a.makePatch(context.Background(), &types.Challenge{Id: 4, Snapshot: types.Snapshot{
		Url: srv.URL + "/s.tar.gz", Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}})
	require.ErrorIs(t, err, fetch.ErrTooLarge)
}

// A snapshot is unpacked under the evaluators' rules (sidecar/archive): an archive
// that reaches outside repo/ or expands past the limits is refused before the solver
// runs, and nothing is written outside the work folder.
func TestSnapshotArchiveRefused(t *testing.T) {
	many := make([]entry, 6)
	for i := range many {
		many[i] = entry{name: fmt.Sprintf("f%d.go", i), typ: tar.TypeReg, body: "package f"}
	}
	for name, snap := range map[string][]byte{
		"traversal": tgz(t, entry{name: "go.mod", typ: tar.TypeReg, body: "module x"},
			entry{name: "../escape.go", typ: tar.TypeReg, body: "package escape"}),
		"symlink out": tgz(t, entry{name: "go.mod", typ: tar.TypeSymlink, link: "/etc/passwd"}),
		"oversize":    tgz(t, entry{name: "go.mod", typ: tar.TypeReg, body: strings.Repeat("x", 101)}),
		"too many":    tgz(t, many...),
	} {
		path := filepath.Join(t.TempDir(), "s.tar.gz")
		require.NoError(t, os.WriteFile(path, snap, 0o644))
		a, s := testAgent(t, fetch.Options{AllowLocal: true})
		a.cfg.Unpack = archive.Limits{MaxBytes: 100, MaxFiles: 5}
		c := &types.Challenge{Id: 1, Snapshot: types.Snapshot{Url: "file://" + path, Sha256: shaHex(snap), SizeBytes: uint64(len(snap))}}
		_, err := a.makePatch(context.Background(), c)
		require.ErrorIs(t, err, archive.ErrBad, name)
		require.Empty(t, s.gomod, "%s: the solver ran on a refused snapshot", name)
		_, err = os.Stat(filepath.Join(a.cfg.StateDir, "challenge-1", "escape.go"))
		require.True(t, os.IsNotExist(err), name)
	}
}

// The default limits are the evaluators': a snapshot claim over x/challenges' default
// max_snapshot_bytes is refused before any byte is read, and unpacking uses
// archive.DefaultLimits.
func TestSnapshotDefaultLimits(t *testing.T) {
	cfg := Config{}.withDefaults()
	require.EqualValues(t, DefaultMaxSnapshotBytes, cfg.Fetch.MaxBytes)
	require.EqualValues(t, types.DefaultParams().MaxSnapshotBytes, DefaultMaxSnapshotBytes)

	a, s := testAgent(t, fetch.Options{AllowLocal: true})
	_, err := a.makePatch(context.Background(), &types.Challenge{Id: 1, Snapshot: types.Snapshot{
		Url: "http://127.0.0.1:1/s.tar.gz", Sha256: shaHex(nil), SizeBytes: DefaultMaxSnapshotBytes + 1}})
	require.ErrorIs(t, err, fetch.ErrTooLarge)
	require.Empty(t, s.gomod)
}
