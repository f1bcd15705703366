package chain

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	keyring99 "github.com/99designs/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"golang.org/x/crypto/bcrypt"
)

// ErrWrongPassphrase: the passphrase does not unlock the file keyring.
var ErrWrongPassphrase = errors.New("wrong keyring passphrase")

// KeyringDir is where the SDK keeps a test or file keyring under a home:
// <home>/keyring-<backend>, as `cortd keys add --keyring-backend B --home H` writes it.
func KeyringDir(backend, home string) string {
	return filepath.Join(home, "keyring-"+backend)
}

// OpenKeyring opens the standard SDK keyring the cortd CLI writes: backend test,
// file or os, under dir (a node home: test and file keys live in
// dir/keyring-<backend>; os keys in the system's secret service). The file
// backend asks for its passphrase on the terminal, or reads it from in (stdin
// when nil) when stdin is not a terminal; OpenFileKeyring takes it instead.
func OpenKeyring(enc Encoding, backend, dir string, in io.Reader) (keyring.Keyring, error) {
	switch backend {
	case keyring.BackendTest, keyring.BackendFile, keyring.BackendOS:
	default:
		return nil, fmt.Errorf("keyring backend %q: want test, file or os", backend)
	}
	if backend != keyring.BackendOS {
		if err := checkKeyringDir(backend, dir); err != nil {
			return nil, err
		}
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

// OpenFileKeyring opens the file backend's keyring under dir with passphrase, so
// that a service starts unattended. It never prompts (the SDK's prompt reads the
// terminal whenever stdin is one, whatever reader it is given), and it checks the
// passphrase against the keyring's keyhash first, so a wrong one fails here with
// ErrWrongPassphrase instead of at the first signature.
func OpenFileKeyring(enc Encoding, dir, passphrase string) (keyring.Keyring, error) {
	if err := checkKeyringDir(keyring.BackendFile, dir); err != nil {
		return nil, err
	}
	if passphrase == "" {
		return nil, errors.New("the file keyring's passphrase is empty")
	}
	fileDir := KeyringDir(keyring.BackendFile, dir)
	// The SDK writes keyhash (bcrypt of the passphrase) when the keyring is made.
	hash, err := os.ReadFile(filepath.Join(fileDir, "keyhash"))
	switch {
	case err == nil:
		if bcrypt.CompareHashAndPassword(hash, []byte(passphrase)) != nil {
			return nil, fmt.Errorf("file keyring in %s: %w (checked against %s)", fileDir, ErrWrongPassphrase,
				filepath.Join(fileDir, "keyhash"))
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("file keyring in %s: %w", fileDir, err)
	}
	db, err := keyring99.Open(keyring99.Config{
		AllowedBackends:  []keyring99.BackendType{keyring99.FileBackend},
		ServiceName:      sdk.KeyringServiceName(),
		FileDir:          fileDir,
		FilePasswordFunc: keyring99.FixedStringPrompt(passphrase),
	})
	if err != nil {
		return nil, fmt.Errorf("opening the file keyring in %s: %w", fileDir, err)
	}
	return fileKeyring{keyring.NewInMemoryWithKeyring(db, enc.Codec)}, nil
}

// fileKeyring is the SDK keystore over a file keyring opened here; the SDK only
// exposes that constructor under the name "memory", so Backend says what it is.
type fileKeyring struct{ keyring.Keyring }

func (fileKeyring) Backend() string { return keyring.BackendFile }

// checkKeyringDir fails with what to do when dir holds no keyring of backend,
// the usual mistake being a local network's test keyring opened as file.
func checkKeyringDir(backend, dir string) error {
	want := KeyringDir(backend, dir)
	st, err := os.Stat(want)
	if err == nil && st.IsDir() {
		return nil
	}
	msg := fmt.Sprintf("no %s keyring in %s (%s does not exist)", backend, dir, want)
	for _, other := range []string{keyring.BackendTest, keyring.BackendFile} {
		if other == backend {
			continue
		}
		if st, err := os.Stat(KeyringDir(other, dir)); err == nil && st.IsDir() {
			return fmt.Errorf("%s; it holds a %s keyring: pass --keyring-backend %s (local networks use test)", msg, other, other)
		}
	}
	return fmt.Errorf("%s; create the key with `cortd keys add NAME --keyring-backend %s --home %s`, "+
		"or point --home at the folder that holds keyring-%s", msg, backend, dir, backend)
}
