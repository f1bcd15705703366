package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/blobs"
	"github.com/cortnet/cortd/sidecar/fetch"
)

// Record is what a pull needs of a chain model record.
type Record struct {
	ID string
	// URI is the folder's base (weights_uri): http(s), file, or a blobs server's
	// .../sha256/ base, where every file (and the manifest) is the blob of its sha256.
	URI string
	// ManifestSHA256 is the sha256 of the canonical manifest.json.
	ManifestSHA256 string
}

// PullOptions bound and report a pull.
type PullOptions struct {
	// Fetch carries the address rules (AllowLocal) and size bounds of every download.
	Fetch fetch.Options
	// From replaces the record's URI: another mirror URL, or a local folder the operator
	// names (read as a file URL, allowed whatever Fetch.AllowLocal says).
	From string
	// Progress receives a progress line (bytes, rate, ETA) about twice a second; nil: none.
	Progress io.Writer
}

// isBlobsBase says whether base is a blobs server's /sha256/ folder.
func isBlobsBase(base string) bool { return strings.HasSuffix(base, blobs.PathPrefix) }

// ManifestURL is where the manifest of a folder at base is.
func ManifestURL(base, manifestSHA string) string {
	if isBlobsBase(base) {
		return base + manifestSHA
	}
	return strings.TrimRight(base, "/") + "/" + ManifestName
}

// FileURL is where file f of a folder at base is.
func FileURL(base string, f ManifestFile) string {
	if isBlobsBase(base) {
		return base + f.SHA256
	}
	parts := strings.Split(f.Path, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.TrimRight(base, "/") + "/" + strings.Join(parts, "/")
}

// checkID keeps a chain id a single folder name.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\:`) || filepath.Base(id) != id {
		return fmt.Errorf("model id %q is not a folder name", id)
	}
	return nil
}

// Pull brings the folder of rec into dir/<id>: it fetches the manifest, checks its
// sha256 against the record, then downloads every file that is missing or differs
// (resuming .part files) and checks each one's size and sha256; manifest.json is written
// last. The error names the file that failed.
func Pull(ctx context.Context, dir string, rec Record, o PullOptions) (Manifest, error) {
	if err := checkID(rec.ID); err != nil {
		return Manifest{}, err
	}
	if rec.ManifestSHA256 == "" {
		return Manifest{}, fmt.Errorf("model %s has no manifest on chain: provide its folder in %s yourself", rec.ID, filepath.Join(dir, rec.ID))
	}
	base, fo, err := source(rec, o)
	if err != nil {
		return Manifest{}, err
	}

	m, mb, err := fetchManifestFrom(ctx, rec, base, fo)
	if err != nil {
		return m, err
	}
	target := filepath.Join(dir, rec.ID)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return m, err
	}
	root, err := os.OpenRoot(target)
	if err != nil {
		return m, err
	}
	defer root.Close()

	var total uint64
	for _, f := range m.Files {
		total += f.Size
	}
	pr := newProgress(o.Progress, rec.ID, total)
	defer pr.finish()
	var done uint64
	for _, f := range m.Files {
		state, cerr := CheckFile(root, f)
		if state == FileOK {
			done += f.Size
			pr.update(done, 0, f.Path)
			continue
		}
		if state == FileMismatch {
			// Pull is the operator asking for the chain's bytes: replace what differs.
			if err := root.Remove(filepath.FromSlash(f.Path)); err != nil {
				return m, fmt.Errorf("%s: replacing (%v): %w", f.Path, cerr, err)
			}
		}
		if d := filepath.Dir(filepath.FromSlash(f.Path)); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return m, fmt.Errorf("%s: %w", f.Path, err)
			}
			if st, err := root.Lstat(d); err != nil || !st.IsDir() {
				return m, fmt.Errorf("%s: folder %s is not a plain folder", f.Path, d)
			}
		}
		dest := filepath.Join(target, filepath.FromSlash(f.Path))
		start := done
		err := fetch.Download(ctx, FileURL(base, f), dest, f.Size, f.SHA256, fo, func(n uint64) {
			pr.update(start+n, n, f.Path)
		})
		if err != nil {
			return m, fmt.Errorf("model %s file %s: %w", rec.ID, f.Path, err)
		}
		done += f.Size
		pr.fileDone()
	}
	if err := writeFileAtomic(filepath.Join(target, ManifestName), mb); err != nil {
		return m, err
	}
	return m, nil
}

// source is the base URL and fetch options of a pull (see PullOptions.From).
func source(rec Record, o PullOptions) (string, fetch.Options, error) {
	base, fo := rec.URI, o.Fetch
	if o.From != "" {
		base = o.From
		if !strings.Contains(base, "://") { // a local folder the operator names
			abs, err := filepath.Abs(base)
			if err != nil {
				return "", fo, err
			}
			base = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()
			fo.AllowLocal = true
		}
	}
	return base, fo, nil
}

func fetchManifest(ctx context.Context, rec Record, o PullOptions) (Manifest, error) {
	base, fo, err := source(rec, o)
	if err != nil {
		return Manifest{}, err
	}
	m, _, err := fetchManifestFrom(ctx, rec, base, fo)
	return m, err
}

func fetchManifestFrom(ctx context.Context, rec Record, base string, fo fetch.Options) (Manifest, []byte, error) {
	mb, err := fetch.FetchUpTo(ctx, ManifestURL(base, rec.ManifestSHA256), MaxManifestBytes, rec.ManifestSHA256, fo)
	if err != nil {
		return Manifest{}, nil, fmt.Errorf("%s of model %s: %w", ManifestName, rec.ID, err)
	}
	m, err := DecodeManifest(mb)
	if err != nil {
		return m, nil, fmt.Errorf("%s of model %s: %w", ManifestName, rec.ID, err)
	}
	return m, mb, nil
}

func writeFileAtomic(p string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".manifest-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// ReadLocalManifest reads dir/<id>/manifest.json when its sha256 is want; ok is false
// when there is none or it is another manifest.
func ReadLocalManifest(folder, want string) (m Manifest, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(folder, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if sha256Hex(b) != want {
		return m, false, nil
	}
	m, err = DecodeManifest(b)
	return m, err == nil, err
}

// progress prints "id: done / total (pct), rate, ETA" lines.
type progress struct {
	w          io.Writer
	id         string
	total      uint64
	began      time.Time
	last       time.Time
	fetched    uint64 // bytes downloaded by this pull (for the rate)
	lastFile   uint64
	done       uint64
	file       string
	printedAny bool
}

func newProgress(w io.Writer, id string, total uint64) *progress {
	return &progress{w: w, id: id, total: total, began: time.Now()}
}

// update: done is the bytes of the model present, fileFetched the current file's bytes
// present (0 for a file already there).
func (p *progress) update(done, filePresent uint64, file string) {
	if p.w == nil {
		return
	}
	if file != p.file {
		p.file, p.lastFile = file, filePresent // a resumed part is not this pull's rate
	}
	if filePresent > p.lastFile {
		p.fetched += filePresent - p.lastFile
		p.lastFile = filePresent
	}
	p.done = done
	if now := time.Now(); now.Sub(p.last) >= 500*time.Millisecond || done == p.total {
		p.last = now
		p.print(now)
	}
}

func (p *progress) fileDone() { p.lastFile = 0; p.file = "" }

func (p *progress) print(now time.Time) {
	el := now.Sub(p.began).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.fetched) / el
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	fmt.Fprintf(p.w, "\rpull %s: %s / %s (%.1f%%), %s/s, ETA %s  %s\x1b[K", p.id, humanBytes(p.done), humanBytes(p.total), pct, humanBytes(uint64(rate)), eta, p.file)
	p.printedAny = true
}

func (p *progress) finish() {
	if p.w != nil && p.printedAny {
		p.print(time.Now())
		fmt.Fprintln(p.w)
	}
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suf := float64(n), []string{"KiB", "MiB", "GiB", "TiB"}
	i := -1
	for v >= unit && i < len(suf)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, suf[i])
}
