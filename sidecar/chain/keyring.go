package chain

import (
	"fmt"
	"io"
	"os"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// OpenKeyring opens the standard SDK keyring the cortd CLI writes: backend test,
// file or os, under dir (a node home: keys live in dir/keyring-<backend>). The
// file backend reads its passphrase from in (stdin when nil).
func OpenKeyring(enc Encoding, backend, dir string, in io.Reader) (keyring.Keyring, error) {
	switch backend {
	case keyring.BackendTest, keyring.BackendFile, keyring.BackendOS:
	default:
		return nil, fmt.Errorf("keyring backend %q: want test, file or os", backend)
	}
	if in == nil {
		in = os.Stdin
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), backend, dir, in, enc.Codec)
	if err != nil {
		return nil, fmt.Errorf("opening the %s keyring in %s: %w", backend, dir, err)
	}
	return kr, nil
}
