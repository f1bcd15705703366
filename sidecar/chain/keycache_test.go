package chain

import (
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/stretchr/testify/require"
)

// countingKeyring counts the reads that decrypt a key in a file keyring.
type countingKeyring struct {
	keyring.Keyring
	keys, signs int
}

func (c *countingKeyring) Key(uid string) (*keyring.Record, error) {
	c.keys++
	return c.Keyring.Key(uid)
}

func (c *countingKeyring) Sign(uid string, msg []byte, mode signing.SignMode) ([]byte, cryptotypes.PubKey, error) {
	c.signs++
	return c.Keyring.Sign(uid, msg, mode)
}

// The cache reads the signer's key once and signs exactly as the keyring does
// (secp256k1 signatures here are deterministic); other keys still go to the keyring.
func TestKeyCacheSignsAsTheKeyringWithOneRead(t *testing.T) {
	enc := testEncoding(t)
	mem := keyring.NewInMemory(enc.Codec)
	for _, name := range []string{"miner", "other"} {
		_, _, err := mem.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
		require.NoError(t, err)
	}
	kr := &countingKeyring{Keyring: mem}
	kc, err := newKeyCache(kr, "miner")
	require.NoError(t, err)
	require.Equal(t, 1, kr.keys)

	msg := []byte("sign bytes of a tx")
	for range 3 {
		sig, pub, err := kc.Sign("miner", msg, signing.SignMode_SIGN_MODE_DIRECT)
		require.NoError(t, err)
		want, wantPub, err := mem.Sign("miner", msg, signing.SignMode_SIGN_MODE_DIRECT)
		require.NoError(t, err)
		require.Equal(t, want, sig)
		require.True(t, wantPub.Equals(pub))
		require.True(t, pub.VerifySignature(msg, sig))
		rec, err := kc.Key("miner")
		require.NoError(t, err)
		require.Equal(t, "miner", rec.Name)
	}
	require.Equal(t, 1, kr.keys, "the signer's key is not read again")
	require.Zero(t, kr.signs)

	_, _, err = kc.Sign("other", msg, signing.SignMode_SIGN_MODE_DIRECT)
	require.NoError(t, err)
	require.Equal(t, 1, kr.signs, "another key signs through the keyring")
	_, err = kc.Key("other")
	require.NoError(t, err)
	require.Equal(t, 2, kr.keys)

	_, err = newKeyCache(kr, "missing")
	require.ErrorContains(t, err, `key "missing"`)
}

// A key without its private key (offline, as a Ledger's record is) signs through
// the keyring, which refuses it with its own error.
func TestKeyCacheOfflineKeySignsThroughTheKeyring(t *testing.T) {
	enc := testEncoding(t)
	mem := keyring.NewInMemory(enc.Codec)
	rec, _, err := mem.NewMnemonic("src", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)
	pub, err := rec.GetPubKey()
	require.NoError(t, err)
	_, err = mem.SaveOfflineKey("offline", pub)
	require.NoError(t, err)
	kr := &countingKeyring{Keyring: mem}
	kc, err := newKeyCache(kr, "offline")
	require.NoError(t, err)
	require.Nil(t, kc.priv)
	_, _, err = kc.Sign("offline", []byte("x"), signing.SignMode_SIGN_MODE_DIRECT)
	require.Error(t, err)
	require.Equal(t, 1, kr.signs)
}
