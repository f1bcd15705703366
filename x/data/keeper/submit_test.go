package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/data/types"
)

// TestSubmitRejections: every check of MsgSubmitData, each leaving state unchanged.
func TestSubmitRejections(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	f.startEpoch(t, 1)
	// Target 2 is filled (double fill); target 1 stays open for the other cases.
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 2))
	require.NoError(t, err)
	tg := f.target(t, 1)
	unassigned := "m-a"
	for _, id := range []string{"m-a", "m-b", "m-c"} {
		if id != tg.Models[0] && id != tg.Models[1] {
			unassigned = id
		}
	}
	poor := keepers.NewAddr("poor")

	cases := []struct {
		name   string
		mutate func(m *types.MsgSubmitData)
		err    error
	}{
		{"unknown target", func(m *types.MsgSubmitData) { m.TargetId = 99 }, types.ErrTargetNotFound},
		{"double fill", func(m *types.MsgSubmitData) { *m = *f.validMsg(t, 2) }, types.ErrTargetNotOpen},
		{"unassigned model", func(m *types.MsgSubmitData) { m.ModelId = unassigned }, types.ErrModelNotAssigned},
		{"losses missing a model", func(m *types.MsgSubmitData) { m.Losses = m.Losses[:1] }, types.ErrInvalidLosses},
		{"losses out of order", func(m *types.MsgSubmitData) { m.Losses[0], m.Losses[1] = m.Losses[1], m.Losses[0] }, types.ErrInvalidLosses},
		{"not lowest loss", func(m *types.MsgSubmitData) { m.ModelId = tg.Models[1] }, types.ErrNotLowestLoss},
		{"tie goes to first model", func(m *types.MsgSubmitData) {
			m.Losses[1].Loss = m.Losses[0].Loss
			m.ModelId = tg.Models[1]
		}, types.ErrNotLowestLoss},
		{"wrong dim", func(m *types.MsgSubmitData) { m.Embedding = append(m.Embedding, 0) }, types.ErrWrongDim},
		{"not normalised", func(m *types.MsgSubmitData) {
			for i := range m.Embedding {
				m.Embedding[i] /= 2
			}
			m.DistanceSq = 0
		}, types.ErrInvalidEmbedding},
		{"distance mismatch", func(m *types.MsgSubmitData) { m.DistanceSq = 1 }, types.ErrDistanceMismatch},
		{"over threshold", func(m *types.MsgSubmitData) {
			for i := range m.Embedding {
				m.Embedding[i] = -m.Embedding[i]
			}
			var d int64
			for i, v := range m.Embedding {
				x := int64(v) - int64(tg.Centre[i])
				d += x * x
			}
			m.DistanceSq = d
		}, types.ErrOverThreshold},
		{"bond too small", func(m *types.MsgSubmitData) { m.Bond = sdkmath.NewInt(999) }, types.ErrBondTooSmall},
		{"oversize", func(m *types.MsgSubmitData) { m.SizeBytes = 10_001; m.Bond = sdkmath.NewInt(10_001) }, types.ErrDataTooLarge},
		{"url over param", func(m *types.MsgSubmitData) { m.Url = "https://x.org/" + strings.Repeat("a", 600) }, types.ErrInvalidURL},
		{"bad scheme", func(m *types.MsgSubmitData) { m.Url = "ftp://x.org/a" }, types.ErrInvalidURL},
		{"bad checksum", func(m *types.MsgSubmitData) { m.Sha256 = strings.ToUpper(m.Sha256) }, types.ErrInvalidChecksum},
		{"zero size", func(m *types.MsgSubmitData) { m.SizeBytes = 0 }, types.ErrInvalidSize},
		{"negative loss", func(m *types.MsgSubmitData) { m.Losses[0].Loss = sdkmath.LegacyNewDec(-1) }, types.ErrInvalidLosses},
		{"bad submitter", func(m *types.MsgSubmitData) { m.Submitter = "cor1nope" }, types.ErrInvalidAddress},
		{"insufficient funds", func(m *types.MsgSubmitData) { m.Submitter = poor.String() }, sdkerrors.ErrInsufficientFunds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.snapshot(t)
			m := f.validMsg(t, 1)
			c.mutate(m)
			_, err := f.msg.SubmitData(f.Ctx, m)
			require.ErrorIs(t, err, c.err)
			require.Equal(t, before, f.snapshot(t))
			f.invariant(t)
		})
	}
}

func TestSubmitFillsEscrowsAndReplaces(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxReplacementsPerEpoch = 1 }, 1, 1, 1)
	f.startEpoch(t, 1)
	before := f.Balance(submitter, denom)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	require.Equal(t, before.SubAmount(sdkmath.NewInt(1000)), f.Balance(submitter, denom))
	require.Equal(t, types.TARGET_STATUS_FILLED, f.target(t, 1).Status)
	sub, err := f.k.Submissions.Get(f.Ctx, 1)
	require.NoError(t, err)
	require.True(t, sub.BondHeld && sub.RewardHeld)
	require.Equal(t, sdkmath.NewInt(1000), sub.Reward)
	acc, _ := f.k.Accounting.Get(f.Ctx)
	require.Equal(t, types.Accounting{Pool: sdkmath.NewInt(99_000), Bonds: sdkmath.NewInt(1000), Reserved: sdkmath.NewInt(1000)}, acc)
	f.invariant(t)

	// The fill spawned replacement target 3 in the same epoch.
	r := f.target(t, 3)
	require.True(t, r.Replacement)
	require.Equal(t, types.TARGET_STATUS_OPEN, r.Status)
	require.Equal(t, int64(1), r.Epoch)

	// The budget (1) is spent: the next fill opens nothing.
	_, err = f.msg.SubmitData(f.Ctx, f.validMsg(t, 2))
	require.NoError(t, err)
	_, err = f.k.GetTarget(f.Ctx, 4)
	require.ErrorIs(t, err, types.ErrTargetNotFound)
	es, _ := f.k.Epoch.Get(f.Ctx)
	require.Equal(t, uint32(3), es.Opened)
	require.Equal(t, uint32(2), es.Filled)
	require.Equal(t, uint32(1), es.Replacements)
	f.invariant(t)
}

func TestUnderfundedPoolReservesWhatItHas(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.RewardPerTarget = sdkmath.NewInt(150_000) }, 1, 1, 1)
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	_, err = f.msg.SubmitData(f.Ctx, f.validMsg(t, 2))
	require.NoError(t, err)
	s1, _ := f.k.Submissions.Get(f.Ctx, 1)
	s2, _ := f.k.Submissions.Get(f.Ctx, 2)
	require.Equal(t, sdkmath.NewInt(100_000), s1.Reward)
	require.True(t, s2.Reward.IsZero())
	f.invariant(t)
}

func TestFundPoolAndParamsRejections(t *testing.T) {
	f := newFixture(t, nil)
	before := f.snapshot(t)
	_, err := f.msg.FundPool(f.Ctx, &types.MsgFundPool{Funder: keepers.NewAddr("poor").String(), Amount: sdkmath.NewInt(5)})
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFunds)
	_, err = f.msg.FundPool(f.Ctx, &types.MsgFundPool{Funder: submitter.String(), Amount: sdkmath.ZeroInt()})
	require.ErrorIs(t, err, types.ErrInvalidAmount)
	p := types.DefaultParams()
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: submitter.String(), Params: p})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	p.Denom = "uother"
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams) // the pool holds ucor
	p = types.DefaultParams()
	p.MaxThresholdStep = sdkmath.LegacyOneDec()
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: types.DefaultParams()})
	require.NoError(t, err)
}
