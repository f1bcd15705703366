package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFolder writes a small model folder and returns its files' contents by path.
func writeFolder(t *testing.T, dir string, seed uint64) map[string][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	files := map[string][]byte{
		"config.json":       []byte(`{"model_type":"gpt2"}`),
		"tokenizer.json":    []byte(`{"model":{"type":"BPE"}}`),
		"model.safetensors": make([]byte, 200_000+int(seed%7)),
		"sub/extra.bin":     make([]byte, 3000),
	}
	for _, b := range files {
		for i := range b {
			if b[i] == 0 {
				b[i] = byte(r.Uint32())
			}
		}
	}
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func hexSum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestManifestCanonicalEncoding(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	m := Manifest{Version: 1, Files: []ManifestFile{{Path: "z.bin", Size: 5, SHA256: b}, {Path: "a/b.json", Size: 1 << 40, SHA256: a}}}
	got, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// The format as documented: compact, version then files, files sorted, integers.
	want := `{"version":1,"files":[{"path":"a/b.json","size":1099511627776,"sha256":"` + a + `"},{"path":"z.bin","size":5,"sha256":"` + b + `"}]}`
	if string(got) != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
	sum, err := m.SHA256()
	if err != nil || sum != hexSum([]byte(want)) {
		t.Fatalf("SHA256 %s, want sha256 of the canonical bytes (%v)", sum, err)
	}
	back, err := DecodeManifest(got)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := back.Encode(); string(again) != want {
		t.Fatal("round trip changed the bytes")
	}
	// The same manifest pretty-printed, or with the fields swapped, is refused: one
	// manifest, one sha256.
	for _, nc := range []string{
		strings.ReplaceAll(want, `,"files"`, `, "files"`),
		`{"files":[],"version":1}`,
		want + "\n",
		want + `{}`,
	} {
		if _, err := DecodeManifest([]byte(nc)); !errors.Is(err, ErrManifest) {
			t.Errorf("non-canonical %q accepted: %v", nc, err)
		}
	}
}

func TestPublishRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files := writeFolder(t, dir, 1)
	m, sum, err := Publish(dir)
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if hexSum(written) != sum {
		t.Fatal("printed sha256 is not the sha256 of manifest.json")
	}
	if len(m.Files) != len(files) {
		t.Fatalf("%d files in the manifest, %d in the folder", len(m.Files), len(files))
	}
	for _, f := range m.Files {
		b, ok := files[f.Path]
		if !ok || uint64(len(b)) != f.Size || hexSum(b) != f.SHA256 {
			t.Fatalf("manifest entry %+v does not describe the file", f)
		}
	}
	if err := VerifyFolder(dir, m); err != nil {
		t.Fatal(err)
	}
	// Publishing again (manifest.json now present) gives the same bytes.
	if _, sum2, err := Publish(dir); err != nil || sum2 != sum {
		t.Fatalf("republish: %s %v", sum2, err)
	}
	line, err := RegisterCommand(m, sum, RegisterArgs{ID: "tiny", Name: "GPT-2 tiny", Arch: "gpt2", URI: "https://h/tiny/", EmbeddingDim: 64, MemoryMiB: 512})
	if err != nil {
		t.Fatal(err)
	}
	want := "cortd tx models register tiny 'GPT-2 tiny' gpt2 https://h/tiny/ " + hexSum(files["model.safetensors"]) + " " +
		hexSum(files["tokenizer.json"]) + " 64 512 --manifest-sha256 " + sum
	if line != want {
		t.Fatalf("register line\n got %s\nwant %s", line, want)
	}
}

// TestRegisterCommandGGUF: a GGUF folder's line names model.gguf as the
// weights, and as the tokenizer when the folder has no tokenizer.json; a
// folder with both formats or no weights is refused.
func TestRegisterCommandGGUF(t *testing.T) {
	g, tj, st := strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64)
	args := RegisterArgs{ID: "m", Name: "m", Arch: "llama", URI: "https://h/m/", EmbeddingDim: 8, MemoryMiB: 1}
	for _, c := range []struct {
		files         []ManifestFile
		weights, tok  string
		wantErrSubstr string
	}{
		{files: []ManifestFile{{Path: GGUFFile, SHA256: g}, {Path: "tokenizer.json", SHA256: tj}}, weights: g, tok: tj},
		{files: []ManifestFile{{Path: GGUFFile, SHA256: g}}, weights: g, tok: g},
		{files: []ManifestFile{{Path: GGUFFile, SHA256: g}, {Path: "model.safetensors", SHA256: st}}, wantErrSubstr: "keep one weights format"},
		{files: []ManifestFile{{Path: "tokenizer.json", SHA256: tj}}, wantErrSubstr: "no weights"},
	} {
		line, err := RegisterCommand(Manifest{Files: c.files}, "d", args)
		if c.wantErrSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSubstr) {
				t.Errorf("%v: error %v, want %q", c.files, err, c.wantErrSubstr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := " https://h/m/ " + c.weights + " " + c.tok + " 8 1 "; !strings.Contains(line, want) {
			t.Errorf("line %s lacks %q", line, want)
		}
	}
}

func TestPublishRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	writeFolder(t, dir, 2)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "evil")); err != nil {
		t.Skip(err)
	}
	if _, _, err := Publish(dir); err == nil || !strings.Contains(err.Error(), "evil") {
		t.Fatalf("symlink published: %v", err)
	}
}

func TestVerifyFolderNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	writeFolder(t, dir, 3)
	m, _, err := Publish(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "sub", "extra.bin")
	b, _ := os.ReadFile(p)
	b[100] ^= 0xff
	os.WriteFile(p, b, 0o644)
	err = VerifyFolder(dir, m)
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "sub/extra.bin") || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("tampered file: %v", err)
	}
	os.WriteFile(p, b[:10], 0o644)
	if err := VerifyFolder(dir, m); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "10 bytes") {
		t.Fatalf("truncated file: %v", err)
	}
	os.Remove(p)
	os.Symlink(filepath.Join(dir, "config.json"), p)
	if err := VerifyFolder(dir, m); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("symlinked file: %v", err)
	}
}

func TestHostileManifests(t *testing.T) {
	h := strings.Repeat("c", 64)
	one := func(p string) Manifest {
		return Manifest{Version: 1, Files: []ManifestFile{{Path: p, Size: 1, SHA256: h}}}
	}
	many := Manifest{Version: 1}
	for i := 0; i <= MaxManifestFiles; i++ {
		many.Files = append(many.Files, ManifestFile{Path: "f" + strings.Repeat("0", 6-len(itoa(i))) + itoa(i), Size: 1, SHA256: h})
	}
	huge := Manifest{Version: 1}
	for i := 0; i < 5; i++ {
		huge.Files = append(huge.Files, ManifestFile{Path: "p" + itoa(i), Size: MaxManifestFileSize, SHA256: h})
	}
	cases := map[string]Manifest{
		"dotdot":           one("../x"),
		"inner dotdot":     one("a/../../x"),
		"absolute":         one("/etc/passwd"),
		"dot":              one("./a"),
		"empty part":       one("a//b"),
		"trailing slash":   one("a/"),
		"backslash":        one(`a\..\b`),
		"drive":            one("C:x"),
		"empty":            one(""),
		"nul":              one("a\x00b"),
		"newline":          one("a\nb"),
		"not utf8":         one("a\xffb"),
		"manifest itself":  one(ManifestName),
		"part file":        one("model.safetensors.part"),
		"too long":         one(strings.Repeat("a", MaxManifestPath+1)),
		"too deep":         one(strings.Repeat("a/", MaxManifestDepth) + "b"),
		"file too big":     {Version: 1, Files: []ManifestFile{{Path: "a", Size: MaxManifestFileSize + 1, SHA256: h}}},
		"total too big":    huge,
		"too many files":   many,
		"no files":         {Version: 1},
		"version 2":        {Version: 2, Files: one("a").Files},
		"uppercase sha":    {Version: 1, Files: []ManifestFile{{Path: "a", Size: 1, SHA256: strings.ToUpper(h)}}},
		"short sha":        {Version: 1, Files: []ManifestFile{{Path: "a", Size: 1, SHA256: h[1:]}}},
		"duplicate":        {Version: 1, Files: []ManifestFile{{Path: "a", Size: 1, SHA256: h}, {Path: "a", Size: 1, SHA256: h}}},
		"file and folder":  {Version: 1, Files: []ManifestFile{{Path: "a", Size: 1, SHA256: h}, {Path: "a/b", Size: 1, SHA256: h}}},
		"file and folder2": {Version: 1, Files: []ManifestFile{{Path: "a", Size: 1, SHA256: h}, {Path: "a.x", Size: 1, SHA256: h}, {Path: "a/b", Size: 1, SHA256: h}}},
	}
	for name, m := range cases {
		if err := m.Validate(); !errors.Is(err, ErrManifest) {
			t.Errorf("%s: Validate accepted it (%v)", name, err)
		}
		if _, err := m.Encode(); !errors.Is(err, ErrManifest) {
			t.Errorf("%s: Encode accepted it (%v)", name, err)
		}
	}
	// Unsorted input to DecodeManifest is refused (Encode sorts, Decode must not).
	raw := `{"version":1,"files":[{"path":"b","size":1,"sha256":"` + h + `"},{"path":"a","size":1,"sha256":"` + h + `"}]}`
	if _, err := DecodeManifest([]byte(raw)); !errors.Is(err, ErrManifest) {
		t.Errorf("unsorted manifest decoded: %v", err)
	}
	for _, raw := range []string{
		`{"version":1,"files":[{"path":"a","size":1,"sha256":"` + h + `","mode":"777"}]}`,
		`{"version":1,"files":[{"path":"a","size":1.5,"sha256":"` + h + `"}]}`,
		`{"version":1,"files":[{"path":"a","size":-1,"sha256":"` + h + `"}]}`,
		`{"version":1,"files":[{"path":"a","size":18446744073709551616,"sha256":"` + h + `"}]}`,
		strings.Repeat(" ", MaxManifestBytes+1),
	} {
		if _, err := DecodeManifest([]byte(raw)); !errors.Is(err, ErrManifest) {
			t.Errorf("decoded %.80q: %v", raw, err)
		}
	}
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}
