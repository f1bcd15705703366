package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/router"
	"github.com/cortnet/cortd/sidecar/secretfile"
)

// api-key add creates the router's keys file 0600, appends, prints only the new
// key, and refuses a file others can read.
func TestAPIKeyAdd(t *testing.T) {
	p := filepath.Join(t.TempDir(), "router-api-keys")
	add := func() (string, error) {
		var out bytes.Buffer
		cmd := newRootCmd()
		cmd.SetOut(&out)
		cmd.SetArgs([]string{"api-key", "add", p})
		err := cmd.Execute()
		return strings.TrimSpace(out.String()), err
	}
	k1, err := add()
	require.NoError(t, err)
	require.Regexp(t, `^sk-[0-9a-f]{48}$`, k1)
	st, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, secretfile.Mode, st.Mode().Perm())

	k2, err := add()
	require.NoError(t, err)
	require.NotEqual(t, k1, k2)
	keys, err := router.LoadKeys(p)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{k1: true, k2: true}, keys)

	// A file without a final newline keeps its last key whole.
	require.NoError(t, os.WriteFile(p, []byte("# clients\nsk-old"), 0o600))
	k3, err := add()
	require.NoError(t, err)
	keys, err = router.LoadKeys(p)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"sk-old": true, k3: true}, keys)

	require.NoError(t, os.Chmod(p, 0o644))
	out, err := add()
	require.ErrorIs(t, err, secretfile.ErrTooOpen)
	require.Empty(t, out, "no key printed when none was stored")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "# clients\nsk-old\n"+k3+"\n", string(b), "the file is unchanged")
}
