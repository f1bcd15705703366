package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/secretfile"
)

// defaultKeyringBackend is encrypted on disk: a role's key signs real money, so
// the unencrypted test backend is something a local network asks for by name.
const defaultKeyringBackend = keyring.BackendFile

// chainFlags are the flags every role that talks to the chain shares.
type chainFlags struct {
	grpc, rpc, chainID      string
	home, keyringBackend    string
	passphraseFile          string
	key, gasPrices          string
	gasAdjustment           float64
	inclusionTimeout, txTTL time.Duration
}

func (f *chainFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.grpc, "grpc", "127.0.0.1:9090", "the node's gRPC address")
	fs.StringVar(&f.rpc, "node", "tcp://127.0.0.1:26657", "the node's CometBFT RPC address (queries and websocket events)")
	fs.StringVar(&f.chainID, "chain-id", "", "chain id (empty: read from the node)")
	fs.StringVar(&f.home, "home", ".", "folder holding the keyring (keyring-<backend> inside, as cortd writes it)")
	fs.StringVar(&f.keyringBackend, "keyring-backend", defaultKeyringBackend,
		"keyring backend: file (encrypted with a passphrase), os (the system's secret service) or test (unencrypted: local networks only)")
	fs.StringVar(&f.passphraseFile, "keyring-passphrase-file", "",
		"file whose first line is the file keyring's passphrase, so the role starts unattended; refused unless only its owner can read it (chmod 600). Empty: prompt on the terminal, or read stdin")
	fs.StringVar(&f.key, "key", "", "name of the key that signs")
	fs.StringVar(&f.gasPrices, "gas-prices", "", "gas prices, e.g. 0.025ucor (empty: no fee)")
	fs.Float64Var(&f.gasAdjustment, "gas-adjustment", 1.3, "multiplier on simulated gas")
	fs.DurationVar(&f.inclusionTimeout, "tx-timeout", time.Minute, "how long to wait for an ordered tx to be included")
	fs.DurationVar(&f.txTTL, "unordered-ttl", time.Minute, "timeout timestamp of unordered txs, from now (at most 10m)")
}

// connect opens the keyring and --key (first, so a local mistake is reported
// before any network wait), then dials the chain and makes the signer.
func (f *chainFlags) connect(ctx context.Context) (*chain.Client, *chain.Signer, error) {
	enc, err := chain.NewEncoding()
	if err != nil {
		return nil, nil, err
	}
	kr, err := f.openKeyring(enc)
	if err != nil {
		return nil, nil, err
	}
	c, err := chain.Dial(ctx, chain.Config{GRPC: f.grpc, RPC: f.rpc, ChainID: f.chainID, Log: slog.Default()})
	if err != nil {
		return nil, nil, err
	}
	s, err := c.NewSigner(kr, f.key, chain.SignerConfig{GasPrices: f.gasPrices, GasAdjustment: f.gasAdjustment,
		InclusionTimeout: f.inclusionTimeout, UnorderedTTL: f.txTTL})
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, s, nil
}

// openKeyring opens the keyring of --home with --keyring-backend and, when --key
// is set, reads that key once, so that a missing key or passphrase fails at start
// with the backend, the folder and what to do.
func (f *chainFlags) openKeyring(enc chain.Encoding) (keyring.Keyring, error) {
	var (
		kr  keyring.Keyring
		err error
	)
	if f.passphraseFile != "" {
		if f.keyringBackend != keyring.BackendFile {
			return nil, fmt.Errorf("--keyring-passphrase-file is for --keyring-backend file, not %s", f.keyringBackend)
		}
		pass, perr := readPassphrase(f.passphraseFile)
		if perr != nil {
			return nil, perr
		}
		kr, err = chain.OpenFileKeyring(enc, f.home, pass)
	} else {
		kr, err = chain.OpenKeyring(enc, f.keyringBackend, f.home, nil)
	}
	if err != nil {
		return nil, err
	}
	if f.key == "" {
		return kr, nil
	}
	if _, err := kr.Key(f.key); err != nil {
		if errors.Is(err, sdkerrors.ErrKeyNotFound) {
			return nil, fmt.Errorf("key %q is not in the %s keyring in %s: %w (list the keys with `cortd keys list --keyring-backend %s --home %s`)",
				f.key, f.keyringBackend, f.home, err, f.keyringBackend, f.home)
		}
		if f.keyringBackend == keyring.BackendFile {
			return nil, fmt.Errorf("opening key %q in the file keyring in %s: %w (the file backend needs its passphrase: "+
				"pass --keyring-passphrase-file FILE, a mode 0600 file holding it, or type it at the prompt)", f.key, f.home, err)
		}
		return nil, fmt.Errorf("opening key %q in the %s keyring in %s: %w", f.key, f.keyringBackend, f.home, err)
	}
	return kr, nil
}

// readPassphrase is the first line of a secret file, trimmed as the SDK trims a
// passphrase read from a pipe, so one file works for both.
func readPassphrase(path string) (string, error) {
	b, err := secretfile.Read(path)
	if err != nil {
		return "", fmt.Errorf("--keyring-passphrase-file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pass := strings.TrimSpace(line)
	if pass == "" {
		return "", fmt.Errorf("--keyring-passphrase-file: %s: the first line is empty", path)
	}
	return pass, nil
}
