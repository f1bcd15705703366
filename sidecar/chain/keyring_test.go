package chain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/mattn/go-isatty"
	"github.com/stretchr/testify/require"
)

func testEncoding(t *testing.T) Encoding {
	t.Helper()
	enc, err := NewEncoding()
	require.NoError(t, err)
	return enc
}

// A key written by the SDK's own file backend (as `cortd keys add --keyring-backend
// file` does) opens unattended with its passphrase, and a wrong passphrase is named.
func TestOpenFileKeyringReadsWhatTheSDKWrote(t *testing.T) {
	if isatty.IsTerminal(os.Stdin.Fd()) {
		t.Skip("the SDK's passphrase prompt reads the terminal when stdin is one; run with stdin redirected")
	}
	enc := testEncoding(t)
	home := t.TempDir()
	const pass = "correct horse battery"
	sdkKr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendFile, home,
		strings.NewReader(pass+"\n"+pass+"\n"), enc.Codec)
	require.NoError(t, err)
	rec, _, err := sdkKr.NewMnemonic("operator", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)
	want, err := rec.GetAddress()
	require.NoError(t, err)

	kr, err := OpenFileKeyring(enc, home, pass)
	require.NoError(t, err)
	require.Equal(t, keyring.BackendFile, kr.Backend())
	got, err := kr.Key("operator")
	require.NoError(t, err)
	addr, err := got.GetAddress()
	require.NoError(t, err)
	require.Equal(t, want, addr)
	// It signs: the private key decrypts with the passphrase.
	_, _, err = kr.Sign("operator", []byte("msg"), 1)
	require.NoError(t, err)

	_, err = OpenFileKeyring(enc, home, "wrong passphrase")
	require.ErrorIs(t, err, ErrWrongPassphrase)
	_, err = OpenFileKeyring(enc, home, "")
	require.ErrorContains(t, err, "passphrase is empty")
}

// A keyring made here (no keyhash) round-trips and is written owner-only.
func TestOpenFileKeyringWritesOwnerOnly(t *testing.T) {
	enc := testEncoding(t)
	home := t.TempDir()
	require.NoError(t, os.Mkdir(KeyringDir(keyring.BackendFile, home), 0o700))
	kr, err := OpenFileKeyring(enc, home, "a passphrase")
	require.NoError(t, err)
	_, _, err = kr.NewMnemonic("k", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)
	entries, err := os.ReadDir(KeyringDir(keyring.BackendFile, home))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		st, err := os.Stat(filepath.Join(KeyringDir(keyring.BackendFile, home), e.Name()))
		require.NoError(t, err)
		require.Zero(t, st.Mode().Perm()&0o077, "%s is owner-only (mode %v)", e.Name(), st.Mode().Perm())
	}
	kr2, err := OpenFileKeyring(enc, home, "a passphrase")
	require.NoError(t, err)
	_, err = kr2.Key("k")
	require.NoError(t, err)
}

// Opening a keyring that is not there says which backend, which folder and what to do.
func TestOpenKeyringMissingSaysWhatToDo(t *testing.T) {
	enc := testEncoding(t)
	home := t.TempDir()

	_, err := OpenKeyring(enc, keyring.BackendFile, home, strings.NewReader(""))
	require.ErrorContains(t, err, "no file keyring in "+home)
	require.ErrorContains(t, err, "cortd keys add NAME --keyring-backend file --home "+home)
	_, err = OpenFileKeyring(enc, home, "a passphrase")
	require.ErrorContains(t, err, "no file keyring in "+home)

	// A local network's home holds a test keyring: the error says to pass test.
	require.NoError(t, os.Mkdir(KeyringDir(keyring.BackendTest, home), 0o700))
	_, err = OpenKeyring(enc, keyring.BackendFile, home, strings.NewReader(""))
	require.ErrorContains(t, err, "it holds a test keyring: pass --keyring-backend test")
	kr, err := OpenKeyring(enc, keyring.BackendTest, home, nil)
	require.NoError(t, err)
	require.Equal(t, keyring.BackendTest, kr.Backend())

	_, err = OpenKeyring(enc, "memory", home, nil)
	require.ErrorContains(t, err, `keyring backend "memory": want test, file or os`)
}
