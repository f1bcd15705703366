package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// ManifestName is the manifest's file name inside a model folder.
const ManifestName = "manifest.json"

// Bounds on an untrusted manifest (anyone can register a model).
const (
	// MaxManifestBytes bounds manifest.json.
	MaxManifestBytes = 1 << 20
	// MaxManifestFiles bounds the files of one model.
	MaxManifestFiles = 4096
	// MaxManifestFileSize bounds one file (1 TiB) and MaxManifestTotal all of them (4 TiB).
	MaxManifestFileSize = 1 << 40
	MaxManifestTotal    = 4 << 40
	// MaxManifestPath bounds a path in bytes and MaxManifestDepth its folders.
	MaxManifestPath  = 512
	MaxManifestDepth = 8
)

// ErrManifest marks a manifest that breaks the rules (bad path, bound, order, encoding).
var ErrManifest = errors.New("invalid manifest")

// ErrMismatch marks a folder file that differs from the manifest (missing, wrong size or
// sha256, not a regular file).
var ErrMismatch = errors.New("model file does not match the manifest")

// ManifestVersion is the only manifest format so far.
const ManifestVersion = 1

// ManifestFile is one file of a model folder.
type ManifestFile struct {
	// Path is slash separated and relative to the folder.
	Path string `json:"path"`
	Size uint64 `json:"size"`
	// SHA256 is lowercase hex.
	SHA256 string `json:"sha256"`
}

// Manifest lists every file of a model folder. Its canonical encoding (Encode) is what
// the chain's manifest_sha256 is the sha256 of: compact JSON, fields in the order
// version, files; files sorted by path (bytewise); only strings and integers.
type Manifest struct {
	Version int            `json:"version"`
	Files   []ManifestFile `json:"files"`
}

// Encode returns the canonical bytes of m after checking it (sorting a copy of Files).
func (m Manifest) Encode() ([]byte, error) {
	c := Manifest{Version: m.Version, Files: slices.Clone(m.Files)}
	slices.SortFunc(c.Files, func(a, b ManifestFile) int { return strings.Compare(a.Path, b.Path) })
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// SHA256 is the lowercase hex sha256 of the canonical encoding.
func (m Manifest) SHA256() (string, error) {
	b, err := m.Encode()
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// DecodeManifest parses untrusted manifest bytes: bounded, no unknown fields, valid
// (Validate), and canonical (they re-encode to the same bytes), so that one manifest
// has exactly one sha256.
func DecodeManifest(b []byte) (Manifest, error) {
	var m Manifest
	if len(b) > MaxManifestBytes {
		return m, fmt.Errorf("%w: %d bytes, max %d", ErrManifest, len(b), MaxManifestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if dec.More() {
		return m, fmt.Errorf("%w: data after the JSON object", ErrManifest)
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	canon, err := m.Encode()
	if err != nil {
		return m, err
	}
	if !bytes.Equal(canon, b) {
		return m, fmt.Errorf("%w: not in canonical form (compact JSON, fields version then files, files sorted by path)", ErrManifest)
	}
	return m, nil
}

// Validate checks the rules on an untrusted manifest: version, bounded count and sizes,
// strictly increasing safe relative paths, lowercase hex digests.
func (m Manifest) Validate() error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrManifest, m.Version, ManifestVersion)
	}
	if len(m.Files) == 0 || len(m.Files) > MaxManifestFiles {
		return fmt.Errorf("%w: %d files, want 1..%d", ErrManifest, len(m.Files), MaxManifestFiles)
	}
	var total uint64
	for i, f := range m.Files {
		if err := CheckManifestPath(f.Path); err != nil {
			return err
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			return fmt.Errorf("%w: files[%d] %q: paths must be unique and sorted", ErrManifest, i, f.Path)
		}
		if f.Size > MaxManifestFileSize {
			return fmt.Errorf("%w: %s: size %d over the %d byte limit", ErrManifest, f.Path, f.Size, uint64(MaxManifestFileSize))
		}
		total += f.Size // no overflow: each is ≤ 2^40 and there are ≤ 4096
		if total > MaxManifestTotal {
			return fmt.Errorf("%w: files add up to more than %d bytes", ErrManifest, uint64(MaxManifestTotal))
		}
		if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
			return fmt.Errorf("%w: %s: sha256 %q is not 64 lowercase hex digits", ErrManifest, f.Path, f.SHA256)
		}
	}
	// A file may not also be a folder of another (a/b and a/b/c).
	paths := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		paths[f.Path] = true
	}
	for _, f := range m.Files {
		for i := strings.IndexByte(f.Path, '/'); i >= 0; {
			if paths[f.Path[:i]] {
				return fmt.Errorf("%w: %s is a file and a folder of %s", ErrManifest, f.Path[:i], f.Path)
			}
			j := strings.IndexByte(f.Path[i+1:], '/')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return nil
}

// CheckManifestPath refuses what could leave the folder or confuse a file system:
// absolute paths, "..", ".", empty parts, backslashes, control characters, invalid
// UTF-8, over-long or deep paths, the manifest itself and partial-download names.
func CheckManifestPath(p string) error {
	bad := func(why string) error { return fmt.Errorf("%w: path %q: %s", ErrManifest, p, why) }
	switch {
	case p == "":
		return bad("empty")
	case len(p) > MaxManifestPath:
		return bad(fmt.Sprintf("longer than %d bytes", MaxManifestPath))
	case !utf8.ValidString(p):
		return bad("not UTF-8")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return bad("absolute")
	case strings.ContainsAny(p, "\\:"):
		return bad("backslash or colon")
	case path.Clean(p) != p:
		return bad("not clean (empty, . or .. parts, trailing slash)")
	case p == ManifestName:
		return bad("the manifest itself")
	case strings.HasSuffix(p, ".part"):
		return bad("partial-download name")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return bad("control character")
		}
	}
	parts := strings.Split(p, "/")
	if len(parts) > MaxManifestDepth {
		return bad(fmt.Sprintf("deeper than %d", MaxManifestDepth))
	}
	for _, s := range parts {
		if s == ".." || s == "." || s == "" {
			return bad("relative part")
		}
	}
	return nil
}

// BuildManifest hashes every regular file under dir (manifest.json and *.part files
// excepted) into a manifest. Symlinks and other non-regular files are refused.
func BuildManifest(dir string) (Manifest, error) {
	m := Manifest{Version: ManifestVersion}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		if rel == ManifestName || strings.HasSuffix(rel, ".part") {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file (symlinks are not published)", rel)
		}
		size, sum, err := hashFile(p)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, ManifestFile{Path: rel, Size: size, SHA256: sum})
		return nil
	})
	if err != nil {
		return m, err
	}
	if _, err := m.Encode(); err != nil {
		return m, err
	}
	slices.SortFunc(m.Files, func(a, b ManifestFile) int { return strings.Compare(a.Path, b.Path) })
	return m, nil
}

func hashFile(p string) (uint64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return uint64(n), hex.EncodeToString(h.Sum(nil)), nil
}

// FileState says how a folder's copy of a manifest file compares.
type FileState int

const (
	FileOK       FileState = iota
	FileMissing            // not there (a pull fetches it)
	FileMismatch           // there, but wrong size, wrong sha256 or not a regular file
)

// CheckFile compares dir's copy of f without following symlinks out of dir.
func CheckFile(root *os.Root, f ManifestFile) (FileState, error) {
	st, err := root.Lstat(filepath.FromSlash(f.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return FileMissing, fmt.Errorf("%w: %s: missing", ErrMismatch, f.Path)
	}
	if err != nil {
		return FileMismatch, fmt.Errorf("%w: %s: %v", ErrMismatch, f.Path, err)
	}
	if !st.Mode().IsRegular() {
		return FileMismatch, fmt.Errorf("%w: %s: not a regular file (%s)", ErrMismatch, f.Path, st.Mode().Type())
	}
	if uint64(st.Size()) != f.Size {
		return FileMismatch, fmt.Errorf("%w: %s: %d bytes, the manifest says %d", ErrMismatch, f.Path, st.Size(), f.Size)
	}
	rf, err := root.Open(filepath.FromSlash(f.Path))
	if err != nil {
		return FileMismatch, fmt.Errorf("%w: %s: %v", ErrMismatch, f.Path, err)
	}
	defer rf.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rf); err != nil {
		return FileMismatch, fmt.Errorf("%w: %s: %v", ErrMismatch, f.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return FileMismatch, fmt.Errorf("%w: %s: sha256 %s, the manifest says %s", ErrMismatch, f.Path, got, f.SHA256)
	}
	return FileOK, nil
}

// VerifyFolder checks every file of m in dir; the error names the first file that
// differs. Files in dir that m does not list are ignored.
func VerifyFolder(dir string, m Manifest) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMismatch, err)
	}
	defer root.Close()
	for _, f := range m.Files {
		if _, err := CheckFile(root, f); err != nil {
			return err
		}
	}
	return nil
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
