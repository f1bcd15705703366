package secretfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadRefusesFilesOthersCanRead(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(p, []byte("s3cret\n"), 0o600))

	for _, ok := range []os.FileMode{0o600, 0o400} {
		require.NoError(t, os.Chmod(p, ok))
		b, err := Read(p)
		require.NoError(t, err, "mode %04o", ok)
		require.Equal(t, "s3cret\n", string(b))
	}
	for _, open := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666} {
		require.NoError(t, os.Chmod(p, open))
		_, err := Read(p)
		require.ErrorIs(t, err, ErrTooOpen, "mode %04o", open)
		require.ErrorContains(t, err, "chmod 600 "+p)
	}

	// A link is judged by the file it points to.
	require.NoError(t, os.Chmod(p, 0o644))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(p, link))
	_, err := Read(link)
	require.ErrorIs(t, err, ErrTooOpen)

	// Not a regular file, or missing.
	_, err = Read(dir)
	require.ErrorContains(t, err, "regular file")
	_, err = Read(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestWriteIsOwnerOnlyWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	dir := t.TempDir()
	p := filepath.Join(dir, "keys")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	require.NoError(t, Write(p, []byte("new\n")))
	st, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, Mode, st.Mode().Perm(), "an existing 0644 file is replaced by a 0600 one")
	b, err := Read(p)
	require.NoError(t, err)
	require.Equal(t, "new\n", string(b))

	fresh := filepath.Join(dir, "fresh")
	require.NoError(t, Write(fresh, []byte("x")))
	st, err = os.Stat(fresh)
	require.NoError(t, err)
	require.Equal(t, Mode, st.Mode().Perm())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2, "no temporary file is left behind")
}
