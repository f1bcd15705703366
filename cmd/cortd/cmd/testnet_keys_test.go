package cmd_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireOwnerOnly: dir is 0700 and nothing under it is a file its group or
// others may read (the homes hold keyrings and validator keys).
func requireOwnerOnly(t *testing.T, dir string) {
	t.Helper()
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), st.Mode().Perm(), "%s is 0700", dir)
	for _, secret := range []string{"config/priv_validator_key.json", "config/node_key.json"} {
		st, err := os.Stat(filepath.Join(dir, secret))
		require.NoError(t, err)
		require.Zero(t, st.Mode().Perm()&0o077, "%s is owner-only (mode %v)", secret, st.Mode().Perm())
	}
	entries, err := os.ReadDir(filepath.Join(dir, "keyring-test"))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		st, err := os.Stat(filepath.Join(dir, "keyring-test", e.Name()))
		require.NoError(t, err)
		require.Zero(t, st.Mode().Perm()&0o077, "keyring-test/%s is owner-only (mode %v)", e.Name(), st.Mode().Perm())
	}
}

// init-files writes 0700 homes and no mnemonic unless asked; asked, it is 0600.
func TestTestnetInitFilesKeepsSecretsOwnerOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "1", "--output-dir", out, "--chain-id", "cort-unit-1")
	st, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o700), st.Mode().Perm())
	requireOwnerOnly(t, filepath.Join(out, "node0"))
	_, err = os.Stat(filepath.Join(out, "node0", "key_seed.json"))
	require.ErrorIs(t, err, os.ErrNotExist, "no mnemonic file by default")

	saved := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "1", "--output-dir", saved, "--chain-id", "cort-unit-1", "--save-mnemonics")
	requireOwnerOnly(t, filepath.Join(saved, "node0"))
	st, err = os.Stat(filepath.Join(saved, "node0", "key_seed.json"))
	require.NoError(t, err, "--save-mnemonics writes key_seed.json")
	require.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
	b, err := os.ReadFile(filepath.Join(saved, "node0", "key_seed.json"))
	require.NoError(t, err)
	require.Contains(t, string(b), `"secret"`)
}
