package models

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cortnet/cortd/sidecar/blobs"
	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/fetch"
)

// published writes and publishes a folder and returns it with its manifest sha256.
func published(t *testing.T, seed uint64) (string, map[string][]byte, string) {
	t.Helper()
	src := t.TempDir()
	files := writeFolder(t, src, seed)
	_, sum, err := Publish(src)
	if err != nil {
		t.Fatal(err)
	}
	return src, files, sum
}

func checkPulled(t *testing.T, dir, id string, files map[string][]byte) {
	t.Helper()
	for p, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, id, filepath.FromSlash(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: pulled bytes differ (%v)", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, id, ManifestName)); err != nil {
		t.Fatal("manifest.json not written")
	}
}

// counting serves a folder and counts requests per path.
type counting struct {
	mu     sync.Mutex
	hits   map[string]int
	ranges []string
	h      http.Handler
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.hits[r.URL.Path]++
	if r.Header.Get("Range") != "" {
		c.ranges = append(c.ranges, r.URL.Path+" "+r.Header.Get("Range"))
	}
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func serveDir(t *testing.T, dir string) (*httptest.Server, *counting) {
	c := &counting{hits: map[string]int{}, h: http.FileServer(http.Dir(dir))}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv, c
}

var local = PullOptions{Fetch: fetch.Options{AllowLocal: true}}

func TestPullHTTP(t *testing.T) {
	src, files, sum := published(t, 1)
	srv, c := serveDir(t, src)
	dir := t.TempDir()
	var progress bytes.Buffer
	o := local
	o.Progress = &progress
	if _, err := Pull(context.Background(), dir, Record{ID: "tiny", URI: srv.URL + "/", ManifestSHA256: sum}, o); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "tiny", files)
	if !strings.Contains(progress.String(), "pull tiny:") || !strings.Contains(progress.String(), "ETA") ||
		!strings.Contains(progress.String(), "(100.0%)") {
		t.Fatalf("progress output %q", progress.String())
	}
	// A second pull finds every file and downloads none.
	before := c.hits["/model.safetensors"]
	if _, err := Pull(context.Background(), dir, Record{ID: "tiny", URI: srv.URL, ManifestSHA256: sum}, local); err != nil {
		t.Fatal(err)
	}
	if c.hits["/model.safetensors"] != before {
		t.Fatal("a verified file was downloaded again")
	}
	// model pull (the operator's explicit request) replaces a local file that differs.
	os.WriteFile(filepath.Join(dir, "tiny", "config.json"), []byte("edited"), 0o644)
	if _, err := Pull(context.Background(), dir, Record{ID: "tiny", URI: srv.URL, ManifestSHA256: sum}, local); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "tiny", files)
}

func TestPullLocalDirAndBlobs(t *testing.T) {
	src, files, sum := published(t, 2)
	// A local folder named by the operator (From), whatever AllowLocal says.
	dir := t.TempDir()
	if _, err := Pull(context.Background(), dir, Record{ID: "a", URI: "https://unused.example/", ManifestSHA256: sum}, PullOptions{From: src}); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "a", files)

	// A blobs server: every file, the manifest too, is the blob of its sha256.
	store := blobs.Store{Dir: t.TempDir()}
	for p := range files {
		if _, err := store.Add(filepath.Join(src, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Add(filepath.Join(src, ManifestName)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(store.Handler(slog.New(slog.DiscardHandler)))
	defer srv.Close()
	if _, err := Pull(context.Background(), dir, Record{ID: "b", URI: srv.URL + blobs.PathPrefix, ManifestSHA256: sum}, local); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "b", files)
}

func TestPullResumesAfterCut(t *testing.T) {
	src, files, sum := published(t, 3)
	weights := files["model.safetensors"]
	var mu sync.Mutex
	var ranges []string
	first := true
	fs := http.FileServer(http.Dir(src))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cut := first && r.URL.Path == "/model.safetensors"
		if cut {
			first = false
		}
		if rg := r.Header.Get("Range"); rg != "" {
			ranges = append(ranges, rg)
		}
		mu.Unlock()
		if cut { // send 70,000 real bytes, then drop the connection
			w.Header().Set("Content-Length", itoa(len(weights)))
			w.WriteHeader(http.StatusOK)
			w.Write(weights[:70_000])
			w.(http.Flusher).Flush()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		fs.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	rec := Record{ID: "tiny", URI: srv.URL, ManifestSHA256: sum}
	_, err := Pull(context.Background(), dir, rec, local)
	if !errors.Is(err, fetch.ErrUnavailable) || !strings.Contains(err.Error(), "model.safetensors") {
		t.Fatalf("cut pull: %v", err)
	}
	part := filepath.Join(dir, "tiny", "model.safetensors.part")
	if st, err := os.Stat(part); err != nil || st.Size() != 70_000 {
		t.Fatalf("part file: %v %v", st, err)
	}
	if _, err := Pull(context.Background(), dir, rec, local); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "tiny", files)
	if len(ranges) != 1 || ranges[0] != "bytes=70000-" {
		t.Fatalf("Range requests %v, want one bytes=70000-", ranges)
	}
}

func TestPullRefusesTamperedFile(t *testing.T) {
	src, _, sum := published(t, 4)
	// The server's copy of tokenizer.json changes after publishing (same size).
	p := filepath.Join(src, "tokenizer.json")
	b, _ := os.ReadFile(p)
	b[0] = 'X'
	os.WriteFile(p, b, 0o644)
	srv, _ := serveDir(t, src)
	dir := t.TempDir()
	_, err := Pull(context.Background(), dir, Record{ID: "tiny", URI: srv.URL, ManifestSHA256: sum}, local)
	if !errors.Is(err, fetch.ErrChecksum) || !strings.Contains(err.Error(), "tokenizer.json") {
		t.Fatalf("tampered file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny", "tokenizer.json")); !os.IsNotExist(err) {
		t.Fatal("tampered file kept")
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny", ManifestName)); !os.IsNotExist(err) {
		t.Fatal("manifest written for a failed pull")
	}
	// A manifest whose sha256 is not the record's is refused before any file.
	_, err = Pull(context.Background(), t.TempDir(), Record{ID: "tiny", URI: srv.URL, ManifestSHA256: strings.Repeat("0", 64)}, local)
	if !errors.Is(err, fetch.ErrChecksum) || !strings.Contains(err.Error(), ManifestName) {
		t.Fatalf("wrong manifest: %v", err)
	}
}

func TestPullHostileManifestRefused(t *testing.T) {
	srcDir := t.TempDir()
	h := strings.Repeat("a", 64)
	for _, raw := range []string{
		`{"version":1,"files":[{"path":"../escape","size":1,"sha256":"` + h + `"}]}`,
		`{"version":1,"files":[{"path":"/etc/cron.d/x","size":1,"sha256":"` + h + `"}]}`,
		`{"version":1,"files":[{"path":"big","size":1099511627777,"sha256":"` + h + `"}]}`,
	} {
		os.WriteFile(filepath.Join(srcDir, ManifestName), []byte(raw), 0o644)
		srv, c := serveDir(t, srcDir)
		dir := t.TempDir()
		_, err := Pull(context.Background(), dir, Record{ID: "m", URI: srv.URL, ManifestSHA256: hexSum([]byte(raw))}, local)
		if !errors.Is(err, ErrManifest) {
			t.Fatalf("%s: %v", raw, err)
		}
		if len(c.hits) != 1 {
			t.Fatalf("requests beyond the manifest: %v", c.hits)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
			t.Fatal("file written outside the folder")
		}
	}
	if _, err := Pull(context.Background(), t.TempDir(), Record{ID: "../x", URI: "https://h/", ManifestSHA256: h}, local); err == nil {
		t.Fatal("id with .. accepted")
	}
}

func TestPullAddressRule(t *testing.T) {
	src, _, sum := published(t, 5)
	srv, c := serveDir(t, src)
	_, err := Pull(context.Background(), t.TempDir(), Record{ID: "tiny", URI: srv.URL, ManifestSHA256: sum}, PullOptions{})
	if !errors.Is(err, fetch.ErrRefused) {
		t.Fatalf("loopback without AllowLocal: %v", err)
	}
	if len(c.hits) != 0 {
		t.Fatal("a refused address was contacted")
	}
	_, err = Pull(context.Background(), t.TempDir(), Record{ID: "tiny", URI: "file://" + src + "/", ManifestSHA256: sum}, PullOptions{})
	if !errors.Is(err, fetch.ErrRefused) {
		t.Fatalf("file URL on chain without AllowLocal: %v", err)
	}
}

// fakeEngine records the models it was asked for.
type fakeEngine struct{ calls []string }

func (f *fakeEngine) Complete(_ context.Context, model, _ string, _ engine.Params) (engine.Completion, error) {
	f.calls = append(f.calls, model)
	return engine.Completion{}, nil
}
func (f *fakeEngine) CompleteStream(_ context.Context, model, _ string, _ engine.Params, _ func(string) error) (engine.Completion, error) {
	f.calls = append(f.calls, model)
	return engine.Completion{}, nil
}
func (f *fakeEngine) Embed(_ context.Context, model string, _ []string) ([][]float32, engine.Usage, error) {
	f.calls = append(f.calls, model)
	return nil, engine.Usage{}, nil
}
func (f *fakeEngine) Loss(_ context.Context, model string, _ []string) ([]engine.LossResult, error) {
	f.calls = append(f.calls, model)
	return nil, nil
}
func (f *fakeEngine) Models(context.Context) ([]engine.ModelInfo, error) { return nil, nil }

func TestResolver(t *testing.T) {
	src, files, sum := published(t, 6)
	srv, c := serveDir(t, src)
	dir := t.TempDir()
	recs := map[string]Record{
		"tiny":   {ID: "tiny", URI: srv.URL, ManifestSHA256: sum},
		"legacy": {ID: "legacy", URI: "hf://x/y"},
	}
	var logs bytes.Buffer
	r := &Resolver{Dir: dir, Pull: local, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Lookup: func(_ context.Context, id string) (Record, error) {
			rec, ok := recs[id]
			if !ok {
				return rec, errors.New("not found")
			}
			return rec, nil
		}}
	fe := &fakeEngine{}
	e := r.Engine(fe)
	ctx := context.Background()

	// First use pulls; the engine runs after.
	if _, err := e.Loss(ctx, "tiny", nil); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "tiny", files)
	// A record without a manifest: whatever the folder holds (here nothing) is used.
	if _, _, err := e.Embed(ctx, "legacy", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "legacy")); !os.IsNotExist(err) {
		t.Fatal("legacy model pulled")
	}
	if len(fe.calls) != 2 {
		t.Fatalf("engine calls %v", fe.calls)
	}

	// A fresh process (new resolver) over a tampered folder refuses and says which file.
	p := filepath.Join(dir, "tiny", "config.json")
	b, _ := os.ReadFile(p)
	b[1] ^= 1
	os.WriteFile(p, b, 0o644)
	r2 := &Resolver{Dir: dir, Pull: local, Lookup: r.Lookup, Log: r.Log}
	hits := c.hits["/config.json"]
	_, err := r2.Engine(fe).Complete(ctx, "tiny", "hi", engine.Params{})
	if !errors.Is(err, ErrModelRefused) || !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("tampered folder: %v", err)
	}
	if len(fe.calls) != 2 {
		t.Fatal("engine ran on a refused folder")
	}
	if !strings.Contains(logs.String(), "file=config.json") || !strings.Contains(logs.String(), "refusing") {
		t.Fatalf("log %q does not name the file", logs.String())
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, b) || c.hits["/config.json"] != hits {
		t.Fatal("the role replaced the operator's file")
	}

	// A missing file (with the others intact) is pulled on first use.
	os.WriteFile(p, files["config.json"], 0o644)
	os.Remove(filepath.Join(dir, "tiny", "sub", "extra.bin"))
	r3 := &Resolver{Dir: dir, Pull: local, Lookup: r.Lookup, Log: r.Log}
	if err := r3.Ensure(ctx, "tiny"); err != nil {
		t.Fatal(err)
	}
	checkPulled(t, dir, "tiny", files)

	// Unknown to the chain: an error, no engine call.
	if _, err := e.Loss(ctx, "nope", nil); err == nil {
		t.Fatal("model without a record accepted")
	}
}

// BenchmarkPull: a 64 MiB weights file from a loopback HTTP server (download, hash, write).
func BenchmarkPull(b *testing.B) {
	src := b.TempDir()
	w := make([]byte, 64<<20)
	for i := range w {
		w[i] = byte(i * 7)
	}
	os.WriteFile(filepath.Join(src, "model.safetensors"), w, 0o644)
	os.WriteFile(filepath.Join(src, "tokenizer.json"), []byte("{}"), 0o644)
	_, sum, err := Publish(src)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer srv.Close()
	b.SetBytes(int64(len(w)))
	for b.Loop() {
		if _, err := Pull(context.Background(), b.TempDir(), Record{ID: "m", URI: srv.URL, ManifestSHA256: sum}, local); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResolverConcurrentFirstUse: tasks arriving together for a new model pull it once.
func TestResolverConcurrentFirstUse(t *testing.T) {
	src, files, sum := published(t, 8)
	srv, c := serveDir(t, src)
	dir := t.TempDir()
	r := &Resolver{Dir: dir, Pull: local, Log: slog.New(slog.DiscardHandler),
		Lookup: func(context.Context, string) (Record, error) {
			return Record{ID: "m", URI: srv.URL, ManifestSHA256: sum}, nil
		}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = r.Ensure(context.Background(), "m") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkPulled(t, dir, "m", files)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits["/model.safetensors"] != 1 {
		t.Fatalf("weights requested %d times", c.hits["/model.safetensors"])
	}
}
