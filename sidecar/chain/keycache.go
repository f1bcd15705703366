package chain

import (
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
)

// keyCache is a keyring that reads one key's record once: the SDK's test and
// file keyrings decrypt the key file (PBKDF2 through jose2go) on every Key and
// Sign call, and a tx is built with three of them (the simulation's public key,
// the signer info, the signature). Under load that decryption was a fifth of a
// miner's CPU. The sidecar is a long-running signer of this one key, which it
// unlocked at start; keeping it in memory is what a signing daemon does.
//
// A key without a local private key (Ledger, offline) still signs through the
// keyring; other names go to the keyring unchanged.
type keyCache struct {
	keyring.Keyring
	name string
	rec  *keyring.Record
	priv cryptotypes.PrivKey // nil unless the record holds the private key
}

// newKeyCache reads name's record from kr once.
func newKeyCache(kr keyring.Keyring, name string) (*keyCache, error) {
	rec, err := kr.Key(name)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	k := &keyCache{Keyring: kr, name: name, rec: rec}
	if local := rec.GetLocal(); local != nil && local.PrivKey != nil {
		priv, ok := local.PrivKey.GetCachedValue().(cryptotypes.PrivKey)
		if !ok {
			return nil, fmt.Errorf("key %q: private key of unknown type %s", name, local.PrivKey.TypeUrl)
		}
		k.priv = priv
	}
	return k, nil
}

// Key returns the cached record for the signer's key.
func (k *keyCache) Key(uid string) (*keyring.Record, error) {
	if uid == k.name {
		return k.rec, nil
	}
	return k.Keyring.Key(uid)
}

// Sign signs with the cached private key, as the keyring does for a local key.
func (k *keyCache) Sign(uid string, msg []byte, mode signing.SignMode) ([]byte, cryptotypes.PubKey, error) {
	if uid != k.name || k.priv == nil {
		return k.Keyring.Sign(uid, msg, mode)
	}
	sig, err := k.priv.Sign(msg)
	if err != nil {
		return nil, nil, err
	}
	return sig, k.priv.PubKey(), nil
}
