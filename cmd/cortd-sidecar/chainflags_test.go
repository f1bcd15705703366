package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/secretfile"
)

// Every role that signs defaults to the encrypted file keyring and takes a
// passphrase file; the unencrypted test backend must be asked for by name.
func TestSigningRolesDefaultToFileKeyring(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range newRootCmd().Commands() {
		kb := c.Flags().Lookup("keyring-backend")
		if kb == nil {
			continue
		}
		seen[c.Name()] = true
		require.Equal(t, keyring.BackendFile, kb.DefValue, "%s --keyring-backend", c.Name())
		pf := c.Flags().Lookup("keyring-passphrase-file")
		require.NotNil(t, pf, "%s has --keyring-passphrase-file", c.Name())
		require.Empty(t, pf.DefValue)
	}
	for _, role := range []string{"miner", "router", "auditor", "evaluator", "challenger", "score"} {
		require.True(t, seen[role], "%s registers the chain flags", role)
	}
}

// fileHome makes a home with a file keyring holding key "op" under pass, with
// the keyhash the SDK writes, and returns the home and the key's address.
func fileHome(t *testing.T, enc chain.Encoding, pass string) (string, sdk.AccAddress) {
	t.Helper()
	home := t.TempDir()
	dir := chain.KeyringDir(keyring.BackendFile, home)
	require.NoError(t, os.Mkdir(dir, 0o700))
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), 2)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keyhash"), hash, 0o600))
	kr, err := chain.OpenFileKeyring(enc, home, pass)
	require.NoError(t, err)
	rec, _, err := kr.NewMnemonic("op", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)
	return home, addr
}

func TestOpenKeyringWithPassphraseFile(t *testing.T) {
	enc, err := chain.NewEncoding()
	require.NoError(t, err)
	const pass = "a long passphrase"
	home, addr := fileHome(t, enc, pass)
	pf := filepath.Join(t.TempDir(), "pass")
	require.NoError(t, os.WriteFile(pf, []byte(pass+"\n"), 0o600))

	f := chainFlags{home: home, keyringBackend: defaultKeyringBackend, passphraseFile: pf, key: "op"}
	kr, err := f.openKeyring(enc)
	require.NoError(t, err)
	rec, err := kr.Key("op")
	require.NoError(t, err)
	got, err := rec.GetAddress()
	require.NoError(t, err)
	require.Equal(t, addr, got)

	// A passphrase file others can read is refused, with the fix.
	require.NoError(t, os.Chmod(pf, 0o644))
	_, err = f.openKeyring(enc)
	require.ErrorIs(t, err, secretfile.ErrTooOpen)
	require.ErrorContains(t, err, "chmod 600 "+pf)
	require.NoError(t, os.Chmod(pf, 0o600))

	// Wrong passphrase, empty file.
	require.NoError(t, os.WriteFile(pf, []byte("not the passphrase\n"), 0o600))
	_, err = f.openKeyring(enc)
	require.ErrorIs(t, err, chain.ErrWrongPassphrase)
	require.NoError(t, os.WriteFile(pf, []byte("\n"), 0o600))
	_, err = f.openKeyring(enc)
	require.ErrorContains(t, err, "first line is empty")
	require.NoError(t, os.WriteFile(pf, []byte("  "+pass+"  \r\nignored\n"), 0o600))
	_, err = f.openKeyring(enc)
	require.NoError(t, err, "the first line, trimmed, as the SDK reads a piped passphrase")

	// A key that is not there names the backend and the folder.
	missing := f
	missing.key = "nobody"
	_, err = missing.openKeyring(enc)
	require.ErrorContains(t, err, `key "nobody" is not in the file keyring in `+home)

	// A passphrase file only makes sense for the file backend.
	test := f
	test.keyringBackend = keyring.BackendTest
	_, err = test.openKeyring(enc)
	require.ErrorContains(t, err, "--keyring-passphrase-file is for --keyring-backend file, not test")
}

// A local network's home (test keyring) opened with the default backend fails at
// once and says to pass --keyring-backend test.
func TestDefaultBackendOnATestKeyringHome(t *testing.T) {
	enc, err := chain.NewEncoding()
	require.NoError(t, err)
	home := t.TempDir()
	kr, err := chain.OpenKeyring(enc, keyring.BackendTest, filepath.Join(home), nil)
	require.Error(t, err, "no keyring-test folder yet")
	require.Nil(t, kr)
	require.NoError(t, os.Mkdir(chain.KeyringDir(keyring.BackendTest, home), 0o700))
	test, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, enc.Codec)
	require.NoError(t, err)
	_, _, err = test.NewMnemonic("miner1", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)

	f := chainFlags{home: home, keyringBackend: defaultKeyringBackend, key: "miner1"}
	_, err = f.openKeyring(enc)
	require.ErrorContains(t, err, "no file keyring in "+home)
	require.ErrorContains(t, err, "pass --keyring-backend test")

	f.keyringBackend = keyring.BackendTest
	_, err = f.openKeyring(enc)
	require.NoError(t, err)
}
