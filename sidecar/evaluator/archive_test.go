package evaluator

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type entry struct {
	name     string
	typ      byte
	body     string
	linkname string
	size     int64 // 0: len(body)
}

func rawTarGz(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		size := int64(len(e.body))
		if e.typ != tar.TypeReg {
			size = 0
		}
		require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.linkname, Mode: 0o644, Size: size}))
		if size > 0 {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func TestUnpack(t *testing.T) {
	lim := UnpackLimits{MaxBytes: 1000, MaxFiles: 10}
	cases := []struct {
		name    string
		entries []entry
		files   []string
		err     string
	}{
		{"files and dirs", []entry{{name: "a/", typ: tar.TypeDir}, {name: "a/b.go", typ: tar.TypeReg, body: "package a\n"}, {name: "./go.mod", typ: tar.TypeReg, body: "module m\n"}},
			[]string{"a/b.go", "go.mod"}, ""},
		{"symlink", []entry{{name: "l", typ: tar.TypeSymlink, linkname: "/etc/passwd"}}, nil, "not a regular file or directory"},
		{"hard link", []entry{{name: "x.go", typ: tar.TypeReg, body: "x"}, {name: "h", typ: tar.TypeLink, linkname: "x.go"}}, nil, "not a regular file or directory"},
		{"device", []entry{{name: "d", typ: tar.TypeChar}}, nil, "not a regular file or directory"},
		{"fifo", []entry{{name: "f", typ: tar.TypeFifo}}, nil, "not a regular file or directory"},
		{"absolute", []entry{{name: "/etc/x", typ: tar.TypeReg, body: "x"}}, nil, "absolute name"},
		{"dotdot", []entry{{name: "a/../../x", typ: tar.TypeReg, body: "x"}}, nil, "leaves the root"},
		{"backslash", []entry{{name: `..\x`, typ: tar.TypeReg, body: "x"}}, nil, "bad name"},
		{"duplicate", []entry{{name: "x", typ: tar.TypeReg, body: "x"}, {name: "./x", typ: tar.TypeReg, body: "y"}}, nil, "duplicate"},
		{"too many bytes", []entry{{name: "x", typ: tar.TypeReg, body: string(make([]byte, 600))}, {name: "y", typ: tar.TypeReg, body: string(make([]byte, 600))}}, nil, "more than 1000 bytes"},
		{"too many entries", func() []entry {
			var es []entry
			for i := range 11 {
				es = append(es, entry{name: string(rune('a'+i)) + "/", typ: tar.TypeDir})
			}
			return es
		}(), nil, "more than 10 entries"},
		{"empty", []entry{{name: "d/", typ: tar.TypeDir}}, nil, "no files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "root")
			require.NoError(t, os.Mkdir(dir, 0o755))
			files, err := Unpack(rawTarGz(t, tc.entries), dir, lim)
			if tc.err != "" {
				require.ErrorIs(t, err, ErrBadArchive)
				require.ErrorContains(t, err, tc.err)
				// Nothing was written next to the root.
				ents, _ := os.ReadDir(parent)
				require.Len(t, ents, 1)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.files, files)
		})
	}
}

func TestUnpackGzipBombStopsAtCap(t *testing.T) {
	// 64 MiB of zeros compresses to ~64 KiB; the cap stops the write at 1 MiB.
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "zeros", Mode: 0o644, Size: 64 << 20}))
	_, err := tw.Write(make([]byte, 64<<20))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	require.Less(t, buf.Len(), 1<<20)
	dir := t.TempDir()
	_, err = Unpack(buf.Bytes(), dir, UnpackLimits{MaxBytes: 1 << 20, MaxFiles: 10})
	require.ErrorContains(t, err, "more than 1048576 bytes")
	require.NoFileExists(t, filepath.Join(dir, "zeros"))
}

func TestUnpackNotGzip(t *testing.T) {
	_, err := Unpack([]byte("not gzip"), t.TempDir(), DefaultUnpackLimits)
	require.ErrorIs(t, err, ErrBadArchive)
}

func TestPatchPathsAndCheck(t *testing.T) {
	hidden := map[string]bool{"pkg/calc_test.go": true, "fixtures/data.json": true}
	cases := []struct {
		name  string
		patch string
		paths []string
		err   error
	}{
		{"modify", "diff --git a/pkg/calc.go b/pkg/calc.go\nindex 1..2 100644\n--- a/pkg/calc.go\n+++ b/pkg/calc.go\n@@ -1 +1 @@\n-a\n+b\n", []string{"pkg/calc.go"}, nil},
		{"new file", "diff --git a/n.go b/n.go\nnew file mode 100644\n--- /dev/null\n+++ b/n.go\n@@ -0,0 +1 @@\n+package x\n", []string{"n.go"}, nil},
		{"rename", "diff --git a/old.go b/new.go\nsimilarity index 100%\nrename from old.go\nrename to new.go\n", []string{"old.go", "new.go"}, nil},
		{"rename onto a hidden test", "diff --git a/x.go b/pkg/calc_test.go\nrename from x.go\nrename to pkg/calc_test.go\n", nil, ErrTouchesTests},
		{"mode change only", "diff --git a/run.go b/run.go\nold mode 100644\nnew mode 100755\n", []string{"run.go"}, nil},
		{"a script", "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n", nil, ErrPolicy},
		{"go.mod", "--- a/go.mod\n+++ b/go.mod\n@@ -1 +1 @@\n-module a\n+module b\n", nil, ErrPolicy},
		{"vendor", "--- /dev/null\n+++ b/vendor/x/x.go\n@@ -0,0 +1 @@\n+package x\n", nil, ErrPolicy},
		{"quoted path", "diff --git \"a/sp ace.go\" \"b/sp ace.go\"\n--- \"a/sp ace.go\"\n+++ \"b/sp ace.go\"\n@@ -1 +1 @@\n-a\n+b\n", []string{"sp ace.go"}, nil},
		{"plain diff -u with timestamps", "--- a/x.go\t2024-01-01 00:00:00\n+++ b/x.go\t2024-01-01 00:00:01\n@@ -1 +1 @@\n-a\n+b\n", []string{"x.go"}, nil},
		{"hidden test", "--- a/pkg/calc_test.go\n+++ b/pkg/calc_test.go\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrTouchesTests},
		{"hidden fixture", "--- a/fixtures/data.json\n+++ b/fixtures/data.json\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrTouchesTests},
		{"new go test", "--- /dev/null\n+++ b/other_test.go\n@@ -0,0 +1 @@\n+package x\n", nil, ErrTouchesTests},
		{"python test", "--- a/tests/test_calc.py\n+++ b/tests/test_calc.py\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrTouchesTests},
		{"conftest", "--- /dev/null\n+++ b/conftest.py\n@@ -0,0 +1 @@\n+x\n", nil, ErrTouchesTests},
		{"testdata", "--- a/pkg/testdata/in.txt\n+++ b/pkg/testdata/in.txt\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrTouchesTests},
		{"symlink", "diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+/etc\n", nil, ErrSymlinkPatch},
		{"submodule", "diff --git a/m b/m\nnew file mode 160000\nindex 0000000..1234567\n--- /dev/null\n+++ b/m\n@@ -0,0 +1 @@\n+Subproject commit 1234567\n", nil, ErrSymlinkPatch},
		{"traversal", "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrMalformedPatch},
		{"absolute", "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", nil, ErrMalformedPatch},
		{"bad quoting", "--- \"a/x\n+++ b/x\n", nil, ErrMalformedPatch},
		{"no headers", "just text\n", nil, ErrMalformedPatch},
		{"empty", "\n\t \n", nil, ErrEmptyPatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPatch([]byte(tc.patch), 1<<20, hidden)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			paths, err := PatchPaths([]byte(tc.patch))
			require.NoError(t, err)
			require.Equal(t, tc.paths, paths)
		})
	}
}

// FuzzCheckPatch: no input panics the static checks.
func FuzzCheckPatch(f *testing.F) {
	f.Add([]byte("diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n"))
	f.Add([]byte("rename from a\nrename to b\n--- \"a/\\t\"\n"))
	f.Fuzz(func(t *testing.T, patch []byte) {
		_ = CheckPatch(patch, 1<<20, map[string]bool{"x_test.go": true})
	})
}

// FuzzUnpack: no archive panics Unpack or writes outside its root.
func FuzzUnpack(f *testing.F) {
	f.Add(rawTarGz(f, []entry{{name: "a/b.go", typ: tar.TypeReg, body: "x"}}))
	f.Add(rawTarGz(f, []entry{{name: "../x", typ: tar.TypeReg, body: "x"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		root := filepath.Join(parent, "root")
		if err := os.Mkdir(root, 0o755); err != nil {
			t.Fatal(err)
		}
		_, _ = Unpack(data, root, UnpackLimits{MaxBytes: 1 << 20, MaxFiles: 100})
		ents, _ := os.ReadDir(parent)
		if len(ents) != 1 {
			t.Fatalf("wrote outside the root: %v", ents)
		}
	})
}
