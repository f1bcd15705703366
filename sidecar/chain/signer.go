package chain

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// SignerConfig tunes how a Signer pays for and waits on txs.
type SignerConfig struct {
	// GasPrices like "0.025ucor"; empty means no fee (a chain with zero minimum gas prices).
	GasPrices string
	// GasAdjustment multiplies the simulated gas (default 1.3) and GasExtra is added
	// (default 20,000): state can change between simulation and execution (each
	// precommit of a task stores its hash, so the next costs a little more; the reveal
	// that completes a task moves its deadline).
	GasAdjustment float64
	GasExtra      uint64
	// InclusionTimeout bounds the wait for an ordered tx (default 60 s).
	InclusionTimeout time.Duration
	// UnorderedTTL is how far ahead an unordered tx's timeout timestamp is set
	// (default 60 s; the chain accepts at most 10 min). The wait for an unordered tx
	// ends a few seconds after it: by then the tx can never land.
	UnorderedTTL time.Duration
	// MaxSequenceRetries bounds resends of an ordered tx after mismatches (default 8).
	MaxSequenceRetries int
	// AlwaysSimulate simulates every unordered tx for its gas. By default a batch
	// whose message types the node simulated often enough lately is signed with the
	// gas those simulations predict (gasModel), and one in 8 is still simulated.
	AlwaysSimulate bool
}

func (c *SignerConfig) defaults() {
	if c.GasAdjustment <= 0 {
		c.GasAdjustment = 1.3
	}
	if c.GasExtra == 0 {
		c.GasExtra = 20_000
	}
	if c.InclusionTimeout <= 0 {
		c.InclusionTimeout = 60 * time.Second
	}
	if c.UnorderedTTL <= 0 {
		c.UnorderedTTL = 60 * time.Second
	}
	if c.MaxSequenceRetries <= 0 {
		c.MaxSequenceRetries = 8
	}
}

// SignerStats counts what a signer did (for logs and /metrics).
type SignerStats struct {
	Sent, Failed, SequenceMismatches atomic.Uint64
	// Simulated and Predicted count unordered txs whose gas came from the node's
	// simulation and from the gas model.
	Simulated, Predicted atomic.Uint64
}

// Signer signs for one key of a keyring. It is safe for concurrent use.
type Signer struct {
	c    *Client
	kr   keyring.Keyring
	name string
	addr sdk.AccAddress
	cfg  SignerConfig
	log  *slog.Logger

	Stats SignerStats

	accMu  sync.Mutex
	accNum uint64
	accOK  bool

	tsMu   sync.Mutex
	lastTS time.Time

	// model predicts unordered batches' gas from earlier simulations; predicted
	// holds the hashes of the last txs signed with its predictions.
	model     gasModel
	predicted recentHashes

	// gasScale multiplies GasAdjustment, in thousandths (1000 = ×1). RaiseGas grows it
	// when a tx runs out of gas in its block despite the margin.
	gasScale atomic.Uint64

	// seqMu is the per-key ordered queue: it is held from sequence choice to the
	// node's CheckTx answer, so two ordered txs never carry the same sequence.
	seqMu    sync.Mutex
	seq      uint64
	seqKnown bool
}

// NewSigner makes a signer for the key named name.
func (c *Client) NewSigner(kr keyring.Keyring, name string, cfg SignerConfig) (*Signer, error) {
	kc, err := newKeyCache(kr, name)
	if err != nil {
		return nil, err
	}
	addr, err := kc.rec.GetAddress()
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	cfg.defaults()
	if _, err := sdk.ParseDecCoins(cfg.GasPrices); err != nil {
		return nil, fmt.Errorf("gas prices %q: %w", cfg.GasPrices, err)
	}
	s := &Signer{c: c, kr: kc, name: name, addr: addr, cfg: cfg, log: c.log.With("key", name)}
	s.gasScale.Store(1000)
	return s, nil
}

// maxGasScale bounds RaiseGas: at most 3× the configured adjustment.
const maxGasScale = 3000

// gasMargin is what simulated gas is multiplied by: GasAdjustment, raised by RaiseGas.
func (s *Signer) gasMargin() float64 {
	return s.cfg.GasAdjustment * float64(s.gasScale.Load()) / 1000
}

// RaiseGas grows the margin on simulated gas by a quarter (up to 3× GasAdjustment) and
// returns it. A batcher calls it when a tx ran out of gas in its block: the messages
// cost more there than in the simulation, and will again (the same shape of batch),
// so the raise stays; a few percent more fee beats a batch lost for a block.
func (s *Signer) RaiseGas() float64 {
	for {
		cur := s.gasScale.Load()
		next := min(cur*5/4, maxGasScale)
		if s.gasScale.CompareAndSwap(cur, next) {
			return s.gasMargin()
		}
	}
}

// Address is the signer's account address (bech32).
func (s *Signer) Address() string { return s.addr.String() }

// Name is the key name.
func (s *Signer) Name() string { return s.name }

// accountNumber is read once; an account that does not exist yet (never funded)
// is retried on the next send.
func (s *Signer) accountNumber(ctx context.Context) (uint64, error) {
	s.accMu.Lock()
	defer s.accMu.Unlock()
	if s.accOK {
		return s.accNum, nil
	}
	num, _, err := s.c.Account(ctx, s.Address())
	if err != nil {
		return 0, err
	}
	s.accNum, s.accOK = num, true
	return num, nil
}

func (s *Signer) factory(accNum, seq uint64) clienttx.Factory {
	return clienttx.Factory{}.
		WithChainID(s.c.ChainID()).
		WithKeybase(s.kr).
		WithTxConfig(s.c.Enc.TxConfig).
		WithFromName(s.name).
		WithAccountNumber(accNum).
		WithSequence(seq).
		WithGasPrices(s.cfg.GasPrices)
}

// build simulates msgs for gas, then signs the tx with the adjusted gas.
func (s *Signer) build(ctx context.Context, f clienttx.Factory, msgs []sdk.Msg) ([]byte, error) {
	gas, err := s.simulate(ctx, f, msgs)
	if err != nil {
		return nil, err
	}
	return s.sign(ctx, f, msgs, gas)
}

// buildPredicted is build with the gas model's prediction in place of the
// simulation when it has one (unordered batches; see gasModel). Simulations teach
// the model. A refused one is the batcher's to judge (Batcher.failed): a batch of
// several groups split by it makes the model stand aside for a while, as its
// messages may not be the last the chain refuses; a lone group's refusal does not.
func (s *Signer) buildPredicted(ctx context.Context, f clienttx.Factory, msgs []sdk.Msg) ([]byte, error) {
	if !s.cfg.AlwaysSimulate {
		if gas, ok := s.model.predict(msgs); ok {
			bz, err := s.sign(ctx, f, msgs, gas)
			if err == nil {
				s.Stats.Predicted.Add(1)
				s.predicted.add(TxHash(bz))
			}
			return bz, err
		}
	}
	gas, err := s.simulate(ctx, f, msgs)
	if err != nil {
		return nil, err
	}
	s.Stats.Simulated.Add(1)
	s.model.learn(msgs, gas)
	// The simulation ran on the state before the block; what such batches used in
	// their blocks (gasModel.landed) can be more.
	if est, ok := s.model.estimate(msgs); ok && est > gas {
		gas = est
	}
	return s.sign(ctx, f, msgs, gas)
}

// Landed teaches the gas model what a tx of msgs used in its block.
func (s *Signer) Landed(msgs []sdk.Msg, gasUsed uint64) { s.model.landed(msgs, gasUsed) }

// Distrust makes the next batches simulate: one failed in its block.
func (s *Signer) Distrust() { s.model.distrust() }

// Predicted reports whether the tx (by hash) was one of the last signed with
// predicted gas.
func (s *Signer) Predicted(hash string) bool { return s.predicted.has(hash) }

// simulate returns the gas the node's simulation of msgs used.
func (s *Signer) simulate(ctx context.Context, f clienttx.Factory, msgs []sdk.Msg) (uint64, error) {
	simBz, err := f.WithSimulateAndExecute(true).BuildSimTx(msgs...)
	if err != nil {
		return 0, fmt.Errorf("building the simulation tx: %w", err)
	}
	qctx, cancel := s.c.QueryCtx(ctx)
	sim, err := s.c.Tx.Simulate(qctx, &txtypes.SimulateRequest{TxBytes: simBz})
	cancel()
	if err != nil {
		return 0, &SimulationError{Err: err}
	}
	return sim.GasInfo.GasUsed, nil
}

// sign signs msgs with gas for gasUsed (as simulated) plus the margin.
func (s *Signer) sign(ctx context.Context, f clienttx.Factory, msgs []sdk.Msg, gasUsed uint64) ([]byte, error) {
	gas := uint64(float64(gasUsed)*s.gasMargin()) + s.cfg.GasExtra
	f = f.WithGas(gas)
	txb, err := f.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, fmt.Errorf("building the tx: %w", err)
	}
	if err := clienttx.Sign(ctx, f, s.name, txb, true); err != nil {
		return nil, fmt.Errorf("signing with %q: %w", s.name, err)
	}
	return s.c.Enc.TxConfig.TxEncoder()(txb.GetTx())
}

// Broadcast sends signed tx bytes (sync mode: returns after CheckTx) and returns
// the hash; a CheckTx rejection is a *TxError.
func (c *Client) Broadcast(ctx context.Context, txBytes []byte) (string, error) {
	qctx, cancel := c.QueryCtx(ctx)
	defer cancel()
	res, err := c.Tx.BroadcastTx(qctx, &txtypes.BroadcastTxRequest{TxBytes: txBytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return "", fmt.Errorf("broadcast: %w", err)
	}
	r := res.TxResponse
	if r.Code != 0 {
		return r.TxHash, &TxError{Hash: r.TxHash, Codespace: r.Codespace, Code: r.Code, Log: r.RawLog}
	}
	return r.TxHash, nil
}
