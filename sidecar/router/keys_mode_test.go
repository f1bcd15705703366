package router

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/secretfile"
)

// An API keys file that others can read is refused: those keys spend the
// router's funds. The error names the file and the fix.
func TestLoadKeysRefusesAFileOthersCanRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keys")
	require.NoError(t, os.WriteFile(p, []byte("sk-1\n"), 0o600))
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		require.NoError(t, os.Chmod(p, mode))
		_, err := LoadKeys(p)
		require.ErrorIs(t, err, secretfile.ErrTooOpen, "mode %04o", mode)
		require.ErrorContains(t, err, "chmod 600 "+p)
	}
	require.NoError(t, os.Chmod(p, 0o400))
	keys, err := LoadKeys(p)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"sk-1": true}, keys)
}
