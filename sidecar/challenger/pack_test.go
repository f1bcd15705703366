package challenger

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/challenges/types"
)

func untar(t testing.TB, tgz []byte) map[string]string {
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		require.Equal(t, byte(tar.TypeReg), h.Typeflag)
		require.True(t, h.ModTime.Equal(time.Time{}) || h.ModTime.Unix() <= 0, "zero times")
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[h.Name] = string(b)
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestPackDeterministicAndSplit(t *testing.T) {
	repo := writeRepo(t)
	require.NoError(t, os.MkdirAll(filepath.Join(repo, ".git"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".git", "HEAD"), []byte("x"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "sub", "a_test.go"), []byte("package sub"), 0o644))
	a, err := PackTarGz(repo, func(rel string) bool { return !IsTestFile(rel) })
	require.NoError(t, err)
	// Touch a file's time: the archive does not change.
	require.NoError(t, os.Chtimes(filepath.Join(repo, "sum.go"), time.Now(), time.Now().Add(time.Hour)))
	b, err := PackTarGz(repo, func(rel string) bool { return !IsTestFile(rel) })
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.Equal(t, []string{"go.mod", "sum.go"}, keys(untar(t, a)), ".git and tests left out")
	tests, err := PackTarGz(repo, IsTestFile)
	require.NoError(t, err)
	require.Equal(t, []string{"sub/a_test.go", "sum_test.go"}, keys(untar(t, tests)))
	_, err = PackTarGz(repo, func(string) bool { return false })
	require.ErrorContains(t, err, "no files")

	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(repo, "link")))
	_, err = PackTarGz(repo, func(string) bool { return true })
	require.ErrorContains(t, err, "not a regular file")
}

func TestCommitment(t *testing.T) {
	tests := []byte("the tests archive")
	salt, err := NewSalt()
	require.NoError(t, err)
	require.Len(t, salt, 2*types.MaxSaltBytes)
	other, err := NewSalt()
	require.NoError(t, err)
	require.NotEqual(t, salt, other)

	sha, commitment, err := Commit(tests, salt)
	require.NoError(t, err)
	require.Equal(t, types.Sha256Hex(tests), sha)
	// What the chain checks at MsgRevealTests: sha256(sha256(archive) ‖ salt).
	raw, _ := hex.DecodeString(sha)
	sb, _ := hex.DecodeString(salt)
	require.Equal(t, types.Sha256Hex(append(raw, sb...)), commitment)
	require.NoError(t, types.ValidateSha256Hex("commitment", commitment))

	_, c2, err := Commit(tests, other)
	require.NoError(t, err)
	require.NotEqual(t, commitment, c2, "the salt changes the commitment")
	_, c3, err := Commit([]byte("other tests"), salt)
	require.NoError(t, err)
	require.NotEqual(t, commitment, c3, "the archive changes the commitment")
	_, _, err = Commit(tests, "abc")
	require.ErrorIs(t, err, types.ErrInvalidSalt)
}

func TestCodegen(t *testing.T) {
	repo := writeRepo(t)
	spec := Spec{Statement: "write Clamp", Checklist: []string{"tests pass"}, ContextPaths: []string{"sum.go"}}
	path := filepath.Join(t.TempDir(), "spec.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"statement":"write Clamp","checklist":["tests pass"],"context_paths":["sum.go"]}`), 0o644))
	loaded, err := LoadSpec(path)
	require.NoError(t, err)
	spec.TestCommand = "go test ./..."
	require.Equal(t, spec, loaded)
	c, err := MakeCodegen(repo, loaded)
	require.NoError(t, err)
	require.Equal(t, []string{"go.mod", "sum.go"}, keys(untar(t, c.Snapshot)))
	require.Equal(t, []string{"sum_test.go"}, keys(untar(t, c.Tests)))
	ch := c.Challenge()
	require.Equal(t, types.TASK_TYPE_CODEGEN, ch.TaskType)
	require.Equal(t, "go test ./...", ch.TestCommand)

	loaded.Tests = []string{"go.mod"}
	c, err = MakeCodegen(repo, loaded)
	require.NoError(t, err)
	require.Equal(t, []string{"go.mod"}, keys(untar(t, c.Tests)))
	loaded.Tests = []string{"missing_test.go"}
	_, err = MakeCodegen(repo, loaded)
	require.Error(t, err)

	require.NoError(t, os.WriteFile(path, []byte(`{"checklist":[]}`), 0o644))
	_, err = LoadSpec(path)
	require.ErrorContains(t, err, "statement is empty")
}
