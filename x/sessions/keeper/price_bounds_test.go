package keeper_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/types"
)

// maxUint256 is 2^256-1, the price that used to be accepted at creation and then made
// price × redundancy overflow (a panic with a stack trace in raw_log) in MsgSubmitTask.
var maxUint256 = sdkmath.NewIntFromBigInt(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)))

func TestCreateSessionRefusesPricesAboveMax(t *testing.T) {
	for _, tc := range []struct {
		name  string
		price sdkmath.Int
	}{
		{"2^256-1", maxUint256},
		{"limit + 1", types.MaxPricePerTaskLimit.AddRaw(1)},
		{"max_price_per_task + 1", types.DefaultMaxPricePerTask.AddRaw(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, alice, coins(1_000))
			before := f.snapshot(t)
			m := createMsg(3, 2, 1_000)
			m.PricePerTask = tc.price
			require.NotPanics(t, func() {
				_, err := f.msg.CreateSession(f.Ctx, m)
				require.ErrorIs(t, err, types.ErrInvalidPrice)
			})
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
	// exactly the max is fine
	f := newFixture(t)
	f.Fund(t, alice, coins(1_000))
	m := createMsg(3, 2, 1_000)
	m.PricePerTask = types.DefaultMaxPricePerTask
	_, err := f.msg.CreateSession(f.Ctx, m)
	require.NoError(t, err)
}

// TestSubmitTaskRefusesSessionsPricedAboveMax: a session whose stored price is above
// today's max (state from before the bound, or governance lowered it) takes no task, is
// refused with ErrInvalidPrice instead of panicking, and can still be closed.
func TestSubmitTaskRefusesSessionsPricedAboveMax(t *testing.T) {
	t.Run("stored 2^256-1", func(t *testing.T) {
		f := newFixture(t)
		sid := f.session(t, 3, 2, 1_000)
		sess := f.sess(t, sid)
		sess.PricePerTask = maxUint256
		require.NoError(t, f.k.Sessions.Set(f.Ctx, sid, sess))
		before := f.snapshot(t)
		require.NotPanics(t, func() {
			_, err := f.msg.SubmitTask(f.Ctx, submitMsg(sid))
			require.ErrorIs(t, err, types.ErrInvalidPrice)
		})
		require.Equal(t, before, f.snapshot(t), "state unchanged")
		res, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
		require.NoError(t, err)
		require.Equal(t, int64(1_000), res.Refunded.Int64(), "the escrow comes back")
	})
	t.Run("governance lowered the max", func(t *testing.T) {
		f := newFixture(t)
		sid := f.session(t, 1, 1, 10*price)
		f.submit(t, sid)
		p, err := f.k.Params.Get(f.Ctx)
		require.NoError(t, err)
		p.MaxPricePerTask = sdkmath.NewInt(price - 1)
		p.MinPricePerTask = sdkmath.OneInt()
		require.NoError(t, f.k.Params.Set(f.Ctx, p))
		before := f.snapshot(t)
		_, err = f.msg.SubmitTask(f.Ctx, submitMsg(sid))
		require.ErrorIs(t, err, types.ErrInvalidPrice)
		require.Equal(t, before, f.snapshot(t), "state unchanged")
	})
}

// TestBoundParams: max_price_per_task and the size params have hard caps.
func TestBoundParams(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(p *types.Params)
	}{
		{"unset", func(p *types.Params) { p.MaxPricePerTask = sdkmath.Int{} }},
		{"below min", func(p *types.Params) { p.MinPricePerTask = sdkmath.NewInt(10); p.MaxPricePerTask = sdkmath.NewInt(9) }},
		{"above the hard limit", func(p *types.Params) { p.MaxPricePerTask = types.MaxPricePerTaskLimit.AddRaw(1) }},
		{"2^256-1", func(p *types.Params) { p.MaxPricePerTask = maxUint256 }},
		{"max_prompt_bytes over cap", func(p *types.Params) { p.MaxPromptBytes = types.MaxPromptBytesLimit + 1 }},
		{"max_result_bytes over cap", func(p *types.Params) { p.MaxResultBytes = types.MaxResultBytesLimit + 1 }},
		{"max_prompt_type_length over cap", func(p *types.Params) { p.MaxPromptTypeLength = types.MaxPromptTypeLengthLimit + 1 }},
	} {
		p := types.DefaultParams()
		tc.mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, tc.name)
	}
	p := types.DefaultParams()
	p.MaxPricePerTask = types.MaxPricePerTaskLimit
	require.NoError(t, p.Validate())
}

func TestGenesisRefusesSessionPriceAboveLimit(t *testing.T) {
	f := newFixture(t)
	f.session(t, 1, 1, 10*price)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	gs.Sessions[0].PricePerTask = maxUint256
	require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
}

// TestSubmitTaskSamplingAndPromptTypeBounds: top_k and prompt_type are bounded in
// ValidateBasic (the msg server runs it), each with a registered error and no state change.
func TestSubmitTaskSamplingAndPromptTypeBounds(t *testing.T) {
	f := newFixture(t)
	sid := f.session(t, 1, 1, 10*price)
	before := f.snapshot(t)
	for _, tc := range []struct {
		name   string
		mutate func(m *types.MsgSubmitTask)
		err    error
	}{
		{"top_k over max", func(m *types.MsgSubmitTask) { m.TopK = types.MaxTopK + 1 }, types.ErrInvalidSampling},
		{"top_k max uint32", func(m *types.MsgSubmitTask) { m.TopK = ^uint32(0) }, types.ErrInvalidSampling},
		{"unknown prompt_type", func(m *types.MsgSubmitTask) { m.PromptType = "image" }, types.ErrInvalidPrompt},
		{"prompt_type case", func(m *types.MsgSubmitTask) { m.PromptType = "Chat" }, types.ErrInvalidPrompt},
		{"long prompt_type", func(m *types.MsgSubmitTask) { m.PromptType = string(make([]byte, 10_000)) }, types.ErrInvalidPrompt},
	} {
		m := submitMsg(sid)
		tc.mutate(m)
		_, err := f.msg.SubmitTask(f.Ctx, m)
		require.ErrorIs(t, err, tc.err, tc.name)
		require.Equal(t, before, f.snapshot(t), tc.name)
	}
	for _, pt := range []string{"", types.PromptTypeCompletion, types.PromptTypeChat, types.PromptTypeEmbedding} {
		m := submitMsg(sid)
		m.PromptType, m.TopK = pt, types.MaxTopK
		if pt == types.PromptTypeEmbedding {
			m.MaxTokens = 1
		}
		_, err := f.msg.SubmitTask(f.Ctx, m)
		require.NoError(t, err, "prompt_type %q", pt)
	}
}
