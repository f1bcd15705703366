package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/cortnet/cortd/sidecar/chain"
)

// chainFlags are the flags every role that talks to the chain shares.
type chainFlags struct {
	grpc, rpc, chainID      string
	home, keyringBackend    string
	key, gasPrices          string
	gasAdjustment           float64
	inclusionTimeout, txTTL time.Duration
}

func (f *chainFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.grpc, "grpc", "127.0.0.1:9090", "the node's gRPC address")
	fs.StringVar(&f.rpc, "node", "tcp://127.0.0.1:26657", "the node's CometBFT RPC address (queries and websocket events)")
	fs.StringVar(&f.chainID, "chain-id", "", "chain id (empty: read from the node)")
	fs.StringVar(&f.home, "home", ".", "folder holding the keyring (keyring-<backend> inside, as cortd writes it)")
	fs.StringVar(&f.keyringBackend, "keyring-backend", "test", "keyring backend: test, file or os")
	fs.StringVar(&f.key, "key", "", "name of the key that signs")
	fs.StringVar(&f.gasPrices, "gas-prices", "", "gas prices, e.g. 0.025ucor (empty: no fee)")
	fs.Float64Var(&f.gasAdjustment, "gas-adjustment", 1.3, "multiplier on simulated gas")
	fs.DurationVar(&f.inclusionTimeout, "tx-timeout", time.Minute, "how long to wait for an ordered tx to be included")
	fs.DurationVar(&f.txTTL, "unordered-ttl", time.Minute, "timeout timestamp of unordered txs, from now (at most 10m)")
}

// connect dials the chain and opens the signer for --key.
func (f *chainFlags) connect(ctx context.Context) (*chain.Client, *chain.Signer, error) {
	c, err := chain.Dial(ctx, chain.Config{GRPC: f.grpc, RPC: f.rpc, ChainID: f.chainID, Log: slog.Default()})
	if err != nil {
		return nil, nil, err
	}
	kr, err := chain.OpenKeyring(c.Enc, f.keyringBackend, f.home, nil)
	if err != nil {
		c.Close()
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
