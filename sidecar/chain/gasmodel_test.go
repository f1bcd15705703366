package chain

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func precommits(n int) []sdk.Msg {
	out := make([]sdk.Msg, n)
	for i := range out {
		out[i] = &sessionstypes.MsgPrecommit{Sender: "cor1sender", TaskId: uint64(i + 1), NodeId: "miner1", Hash: make([]byte, 32)}
	}
	return out
}

func commits(n int, text string) []sdk.Msg {
	out := make([]sdk.Msg, n)
	for i := range out {
		out[i] = &sessionstypes.MsgCommit{Sender: "cor1sender", TaskId: uint64(i + 1), NodeId: "miner1", ResultText: text}
	}
	return out
}

// chainGas is what a node would charge: per message a fixed part by type and 40 per
// byte, plus a fixed part per tx.
func chainGas(msgs []sdk.Msg) uint64 {
	gas := uint64(15_000)
	for _, m := range msgs {
		switch m.(type) {
		case *sessionstypes.MsgPrecommit:
			gas += 30_000
		case *sessionstypes.MsgCommit:
			gas += 60_000
		}
		gas += 40 * uint64(proto.Size(m))
	}
	return gas
}

func TestGasModelPredictsOnlyWhatItWasShown(t *testing.T) {
	var g gasModel
	_, ok := g.predict(precommits(10))
	require.False(t, ok, "nothing simulated yet")
	for _, n := range []int{10, 50, 200} {
		g.learn(precommits(n), chainGas(precommits(n)))
	}
	_, ok = g.predict(precommits(gasModelMinBatch - 1))
	require.False(t, ok, "a small batch is simulated")
	for _, n := range []int{gasModelMinBatch, 20, 200, 400} {
		gas, ok := g.predict(precommits(n))
		require.True(t, ok, "%d precommits", n)
		require.GreaterOrEqual(t, gas, chainGas(precommits(n))-15_000, "%d precommits: the tx's fixed part is GasExtra's", n)
		require.LessOrEqual(t, gas, chainGas(precommits(n))*3/2, "%d precommits: not wildly above", n)
	}
	_, ok = g.predict(commits(30, "hi"))
	require.False(t, ok, "a type never simulated")
	_, ok = g.predict(append(precommits(30), commits(1, "hi")...))
	require.False(t, ok, "a batch with a type never simulated")
}

func TestGasModelCountsBytes(t *testing.T) {
	var g gasModel
	for _, n := range []int{8, 30, 90} {
		g.learn(commits(n, "short"), chainGas(commits(n, "short")))
	}
	long := commits(10, strings.Repeat("a longer completion ", 100))
	gas, ok := g.predict(long)
	require.True(t, ok)
	require.GreaterOrEqual(t, gas, chainGas(long)-15_000, "longer results are predicted to cost more")
}

func TestGasModelRisesOnAMixedBatchThatCostMore(t *testing.T) {
	var g gasModel
	for _, n := range []int{8, 40, 120} {
		g.learn(precommits(n), chainGas(precommits(n)))
		g.learn(commits(n, "ok"), chainGas(commits(n, "ok")))
	}
	mixed := append(precommits(100), commits(100, "ok")...)
	pred, ok := g.predict(mixed)
	require.True(t, ok)
	costlier := pred + 500_000 // the block made these messages dearer
	g.learn(mixed, costlier)
	pred, ok = g.predict(mixed)
	require.True(t, ok)
	require.GreaterOrEqual(t, pred, costlier-gasModelPerByte, "the next prediction covers what the simulation used")
}

// A mixed batch teaches the one type in it the model does not know yet (a loaded
// miner's batches hold precommits and commits together), enough to predict mixes it
// was not shown; with two unknown types it teaches nothing.
func TestGasModelLearnsANewTypeFromMixedBatches(t *testing.T) {
	mixed := func(p, c int) []sdk.Msg { return append(precommits(p), commits(c, "a short answer")...) }
	var g gasModel
	for _, n := range []int{10, 50, 200} {
		g.learn(precommits(n), chainGas(precommits(n)))
	}
	for _, m := range [][2]int{{400, 300}, {200, 500}, {600, 100}} {
		_, ok := g.predict(mixed(m[0], m[1]))
		require.False(t, ok, "commits not known yet")
		g.learn(mixed(m[0], m[1]), chainGas(mixed(m[0], m[1])))
	}
	for _, m := range [][2]int{{5, 900}, {900, 5}, {300, 300}, {0, 100}} {
		batch := mixed(m[0], m[1])
		pred, ok := g.predict(batch)
		require.True(t, ok, "%v", m)
		// Within 1 % below at worst, before the signer's margin (1.3 by default).
		require.GreaterOrEqual(t, pred, chainGas(batch)*99/100, "%d precommits and %d commits", m[0], m[1])
		require.Less(t, pred, chainGas(batch)*13/10, "%d precommits and %d commits: not far above", m[0], m[1])
	}

	// Two types unknown: nothing is learned.
	var g2 gasModel
	both := mixed(100, 100)
	for i := 0; i < 5; i++ {
		g2.learn(both, chainGas(both))
	}
	_, ok := g2.predict(both)
	require.False(t, ok)
}

func TestGasModelSimulatesOneInRefreshAndAfterAFailure(t *testing.T) {
	var g gasModel
	for _, n := range []int{8, 20, 60} {
		g.learn(precommits(n-1), 1) // small batches teach nothing
		g.learn(precommits(n), chainGas(precommits(n)))
	}
	predicted := 0
	for {
		if _, ok := g.predict(precommits(10)); !ok {
			break
		}
		predicted++
	}
	require.Equal(t, gasModelRefresh-1, predicted, "then a simulation is due")
	g.learn(precommits(10), chainGas(precommits(10)))
	_, ok := g.predict(precommits(10))
	require.True(t, ok, "a simulation makes the model current again")

	g.distrust()
	for i := 0; i < gasModelHold; i++ {
		_, ok := g.predict(precommits(10))
		require.False(t, ok, "simulation %d of %d after a failure", i+1, gasModelHold)
		g.learn(precommits(10), chainGas(precommits(10)))
	}
	_, ok = g.predict(precommits(10))
	require.True(t, ok)
}

// simulatingTx is the node's tx service as far as signing goes: Simulate charges
// chainGas, or refuses; everything else is unused.
type simulatingTx struct {
	txtypes.ServiceClient
	enc    Encoding
	calls  int
	refuse error
}

func (s *simulatingTx) Simulate(_ context.Context, req *txtypes.SimulateRequest, _ ...grpc.CallOption) (*txtypes.SimulateResponse, error) {
	s.calls++
	if s.refuse != nil {
		return nil, s.refuse
	}
	tx, err := s.enc.TxConfig.TxDecoder()(req.TxBytes)
	if err != nil {
		return nil, err
	}
	return &txtypes.SimulateResponse{GasInfo: &sdk.GasInfo{GasUsed: chainGas(tx.GetMsgs())}}, nil
}

// A batch signer simulates until its model knows the batch's types, then signs
// most batches with the predicted gas, and goes back to simulating after a refusal.
func TestBatchSignerSkipsSimulationsItCanPredict(t *testing.T) {
	enc := testEncoding(t)
	mem := keyring.NewInMemory(enc.Codec)
	_, _, err := mem.NewMnemonic("miner", keyring.English, sdk.FullFundraiserPath, "", hd.Secp256k1)
	require.NoError(t, err)
	sim := &simulatingTx{enc: enc}
	c := &Client{cfg: Config{ChainID: "cort-test", QueryTimeout: time.Second}, Enc: enc, Tx: sim, log: slog.New(slog.DiscardHandler)}
	s, err := c.NewSigner(mem, "miner", SignerConfig{})
	require.NoError(t, err)
	s.accNum, s.accOK = 7, true

	gasOf := func(bz []byte) uint64 {
		tx, err := enc.TxConfig.TxDecoder()(bz)
		require.NoError(t, err)
		return tx.(sdk.FeeTx).GetGas()
	}
	predicted := 0
	for i := 0; i < 40; i++ {
		msgs := precommits(10 + i)
		before := sim.calls
		bz, _, err := s.signUnorderedBatch(context.Background(), time.Minute, msgs)
		require.NoError(t, err)
		require.GreaterOrEqual(t, gasOf(bz), chainGas(msgs), "batch %d asks for enough gas", i)
		require.Equal(t, sim.calls == before, s.Predicted(TxHash(bz)), "batch %d: Predicted names the txs not simulated", i)
		if sim.calls == before {
			predicted++
		}
	}
	require.Equal(t, uint64(predicted), s.Stats.Predicted.Load())
	require.Equal(t, uint64(40), s.Stats.Simulated.Load()+s.Stats.Predicted.Load())
	require.Equal(t, int(s.Stats.Simulated.Load()), sim.calls)
	require.LessOrEqual(t, sim.calls, gasModelMinSamples+40/gasModelRefresh+1, "most batches were not simulated")

	// A batch failed in its block: the next ones are simulated, and a refused
	// simulation is reported as one (nothing was sent).
	s.Distrust()
	before := sim.calls
	sim.refuse = errors.New("message index: 0: task 3 is past its precommit window")
	_, _, err = s.signUnorderedBatch(context.Background(), time.Minute, precommits(50))
	var se *SimulationError
	require.ErrorAs(t, err, &se)
	require.Equal(t, before+1, sim.calls)

	// Blocks charged three times what simulations said: a simulated batch asks for
	// what the blocks charged, not what its simulation used.
	sim.refuse = nil
	s.Landed(precommits(50), 3*chainGas(precommits(50)))
	before = sim.calls
	bz, _, err := s.signUnorderedBatch(context.Background(), time.Minute, precommits(50))
	require.NoError(t, err)
	require.Equal(t, before+1, sim.calls, "simulated (the hold after the failure)")
	require.GreaterOrEqual(t, gasOf(bz), 3*chainGas(precommits(50))-50*gasModelPerByte)

	// AlwaysSimulate turns the model off.
	s2, err := c.NewSigner(mem, "miner", SignerConfig{AlwaysSimulate: true})
	require.NoError(t, err)
	s2.accNum, s2.accOK = 7, true
	sim.refuse, sim.calls = nil, 0
	for i := 0; i < 10; i++ {
		_, _, err := s2.signUnorderedBatch(context.Background(), time.Minute, precommits(10))
		require.NoError(t, err)
	}
	require.Equal(t, 10, sim.calls)
}

// What batches used in their blocks raises the predictions (a block can charge more
// than the simulation on the state before it) without counting as a simulation: the refresh and the hold after a failure keep their
// counts. A simulated batch asks for at least the model's estimate.
func TestGasModelLearnsWhatBlocksCharged(t *testing.T) {
	var g gasModel
	for _, n := range []int{8, 40, 120} {
		g.learn(commits(n, "ok"), chainGas(commits(n, "ok")))
	}
	batch := commits(100, "ok")
	before, ok := g.predict(batch)
	require.True(t, ok)
	inBlock := chainGas(batch) + 100*40_000 // the block charged more than simulations said
	require.Greater(t, inBlock, before, "the simulations' model falls short of the block")
	g.mu.Lock()
	since, hold := g.since, g.hold
	g.mu.Unlock()

	g.landed(batch, inBlock)
	g.landed(commits(gasModelMinBatch-1, "ok"), 1) // small batches teach nothing
	g.landed(batch, 0)                             // nor a tx with no gas figure
	est, ok := g.estimate(batch)
	require.True(t, ok)
	require.GreaterOrEqual(t, est, inBlock-gasModelPerByte, "the estimate covers what the block used")
	g.mu.Lock()
	require.Equal(t, since, g.since, "an estimate and a landed tx are not predictions or simulations")
	require.Equal(t, hold, g.hold)
	g.mu.Unlock()
	after, ok := g.predict(batch)
	require.True(t, ok)
	require.Equal(t, est, after)

	// A cheaper block does not lower the model below its window's maximum.
	g.landed(batch, chainGas(batch))
	again, _ := g.estimate(batch)
	require.Equal(t, est, again)
}
