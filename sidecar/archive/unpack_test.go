package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type entry struct {
	name, body, link string
	typ              byte
}

func tgz(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Linkname: e.link}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		require.NoError(t, tw.WriteHeader(h))
		if e.typ == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func file(name, body string) entry { return entry{name: name, body: body, typ: tar.TypeReg} }

func TestUnpackWritesFilesInsideDir(t *testing.T) {
	dir := t.TempDir()
	files, err := Unpack(tgz(t, entry{name: "a/", typ: tar.TypeDir}, file("a/b.go", "package a"), file("./go.mod", "module x")),
		dir, Limits{MaxBytes: 100, MaxFiles: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"a/b.go", "go.mod"}, files)
	b, err := os.ReadFile(filepath.Join(dir, "a", "b.go"))
	require.NoError(t, err)
	require.Equal(t, "package a", string(b))
}

// TestUnpackRefuses: every archive that could write outside the folder, or expand past
// a limit, is refused with ErrBad, and nothing lands outside the folder.
func TestUnpackRefuses(t *testing.T) {
	many := make([]entry, 11)
	for i := range many {
		many[i] = file(fmt.Sprintf("f%d", i), "x")
	}
	lim := Limits{MaxBytes: 50, MaxFiles: 10}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"traversal":        {tgz(t, file("../escape.go", "x")), "leaves the root"},
		"nested traversal": {tgz(t, file("a/../../escape.go", "x")), "leaves the root"},
		"absolute":         {tgz(t, file("/tmp/escape.go", "x")), "absolute name"},
		"backslash":        {tgz(t, file(`..\escape.go`, "x")), "bad name"},
		"symlink":          {tgz(t, entry{name: "link", link: "/etc", typ: tar.TypeSymlink}), "not a regular file"},
		"hard link":        {tgz(t, file("x", "x"), entry{name: "h", link: "/etc/passwd", typ: tar.TypeLink}), "not a regular file"},
		"oversize":         {tgz(t, file("big", strings.Repeat("x", 51))), "more than 50 bytes"},
		"oversize in sum":  {tgz(t, file("a", strings.Repeat("x", 30)), file("b", strings.Repeat("x", 30))), "more than 50 bytes"},
		"too many entries": {tgz(t, many...), "more than 10 entries"},
		"duplicate":        {tgz(t, file("x", "1"), file("./x", "2")), "duplicate"},
		"no files":         {tgz(t, entry{name: "d/", typ: tar.TypeDir}), "no files"},
		"not gzip":         {[]byte("plain"), "bad archive"},
	} {
		root := t.TempDir()
		dir := filepath.Join(root, "repo")
		require.NoError(t, os.Mkdir(dir, 0o755))
		_, err := Unpack(c.data, dir, lim)
		require.ErrorIs(t, err, ErrBad, name)
		require.ErrorContains(t, err, c.want, name)
		for _, p := range []string{filepath.Join(root, "escape.go"), "/tmp/escape.go"} {
			_, err := os.Stat(p)
			require.True(t, os.IsNotExist(err), "%s: %s written", name, p)
		}
	}
}

// TestUnpackZeroLimitsAreDefaults: a zero limit is the default cap, not "unlimited"
// and not "nothing".
func TestUnpackZeroLimitsAreDefaults(t *testing.T) {
	_, err := Unpack(tgz(t, file("a", "x")), t.TempDir(), Limits{})
	require.NoError(t, err)
	// A gzip bomb: a header claiming more than the default cap stops before any write.
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "bomb", Typeflag: tar.TypeReg, Mode: 0o644, Size: DefaultLimits.MaxBytes + 1}))
	require.NoError(t, gz.Close()) // truncated on purpose: the cap must refuse it first
	dir := t.TempDir()
	_, err = Unpack(buf.Bytes(), dir, Limits{})
	require.ErrorContains(t, err, "more than")
	_, err = os.Stat(filepath.Join(dir, "bomb"))
	require.True(t, os.IsNotExist(err))
}
