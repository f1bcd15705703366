package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/data/types"
)

// filled opens epoch 1, fills target 1 and ends the epoch, which opens its audit.
func filled(t *testing.T, f *fixture) auditstypes.Audit {
	t.Helper()
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	require.Equal(t, types.TARGET_STATUS_FILLED, f.target(t, 1).Status)
	f.nextBlock(t)
	f.endEpoch(t, 1)
	tg := f.target(t, 1)
	require.Equal(t, types.TARGET_STATUS_AUDITING, tg.Status)
	require.NotZero(t, tg.AuditId)
	a, err := f.audits.GetAudit(f.Ctx, tg.AuditId)
	require.NoError(t, err)
	require.Equal(t, types.ModuleName, a.SubjectModule)
	require.Equal(t, "1", a.SubjectId)
	require.Len(t, a.PayloadHash, 32)
	f.invariant(t)
	return a
}

func totalSupply(f *fixture) sdkmath.Int {
	return f.Bank.GetSupply(f.Ctx, denom).Amount
}

func TestAuditPassThenClaimPays5050(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	a := filled(t, f)
	// Claim before the audit is decided.
	before := f.snapshot(t)
	_, err := f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.ErrorIs(t, err, types.ErrNotClaimable)
	require.Equal(t, before, f.snapshot(t))

	subBefore := f.Balance(submitter, denom)
	_, err = f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
	require.NoError(t, err)
	require.Equal(t, types.TARGET_STATUS_PASSED, f.target(t, 1).Status)
	require.Equal(t, subBefore.AddAmount(sdkmath.NewInt(1000)), f.Balance(submitter, denom)) // bond back
	f.invariant(t)

	// The audit passed in epoch 1: the reward is claimable from the following epoch on.
	require.Equal(t, int64(2), f.target(t, 1).ClaimableEpoch)
	before = f.snapshot(t)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.ErrorIs(t, err, types.ErrClaimTooEarly)
	require.ErrorContains(t, err, "claimable from data epoch 2, now epoch 1")
	require.Equal(t, before, f.snapshot(t), "a refused claim changes nothing")
	f.startEpoch(t, 2)

	// Anyone may claim; the payees are fixed.
	sub, _ := f.k.Submissions.Get(f.Ctx, 1)
	owner := ownerA
	if sub.ModelId == "m-c" {
		owner = ownerB
	}
	subBefore, ownerBefore := f.Balance(submitter, denom), f.Balance(owner, denom)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: keepers.NewAddr("anyone").String(), TargetId: 1})
	require.NoError(t, err)
	require.Equal(t, subBefore.AddAmount(sdkmath.NewInt(500)), f.Balance(submitter, denom))
	require.Equal(t, ownerBefore.AddAmount(sdkmath.NewInt(500)), f.Balance(owner, denom))
	require.Equal(t, types.TARGET_STATUS_CLAIMED, f.target(t, 1).Status)
	f.invariant(t)

	before = f.snapshot(t)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.ErrorIs(t, err, types.ErrAlreadyClaimed)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 2}) // expired
	require.ErrorIs(t, err, types.ErrNotClaimable)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 42})
	require.ErrorIs(t, err, types.ErrTargetNotFound)
	require.Equal(t, before, f.snapshot(t))
	acc, _ := f.k.Accounting.Get(f.Ctx)
	require.Equal(t, types.Accounting{Pool: sdkmath.NewInt(99_000), Bonds: sdkmath.ZeroInt(), Reserved: sdkmath.ZeroInt()}, acc)
}

func TestAuditFraudForfeitsBond(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	a := filled(t, f)
	supply := totalSupply(f)
	auditor := sdk.MustAccAddressFromBech32(a.Auditor)
	auditorBefore := f.Balance(auditor, denom)
	_, err := f.auditsMsg.ReportFraud(f.Ctx, &auditstypes.MsgReportFraud{Auditor: a.Auditor, AuditId: a.Id,
		FailedCheck: "lowest_loss", Figures: []auditstypes.Figure{{Name: "loss", Value: "3.1"}}})
	require.NoError(t, err)
	for i := range f.vals {
		if sdk.AccAddress(f.vals[i]).String() == a.Auditor {
			continue // the report is the auditor's YES vote
		}
		_, err := f.auditsMsg.VoteFraud(f.Ctx, &auditstypes.MsgVoteFraud{Voter: sdk.AccAddress(f.vals[i]).String(),
			AuditId: a.Id, Option: auditstypes.VOTE_OPTION_YES})
		require.NoError(t, err)
	}
	for range 12 {
		f.nextBlock(t)
	}
	got, err := f.audits.GetAudit(f.Ctx, a.Id)
	require.NoError(t, err)
	require.Equal(t, auditstypes.AUDIT_STATUS_FRAUD, got.Status)
	require.Empty(t, got.HandlerError)
	require.Equal(t, types.TARGET_STATUS_FRAUD, f.target(t, 1).Status)
	// Bond 1000: 50% to the reporting auditor, 50% to the community pool; reward back to the pool.
	require.Equal(t, auditorBefore.AddAmount(sdkmath.NewInt(500)), f.Balance(auditor, denom))
	require.Equal(t, sdk.NewCoins(sdk.NewInt64Coin(denom, 500)), f.community.Funded)
	acc, _ := f.k.Accounting.Get(f.Ctx)
	require.Equal(t, types.Accounting{Pool: sdkmath.NewInt(100_000), Bonds: sdkmath.ZeroInt(), Reserved: sdkmath.ZeroInt()}, acc)
	require.Equal(t, supply, totalSupply(f)) // nothing created or burnt
	f.invariant(t)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.ErrorIs(t, err, types.ErrNotClaimable)
}

func TestFraudVotedDownPasses(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	a := filled(t, f)
	_, err := f.auditsMsg.ReportFraud(f.Ctx, &auditstypes.MsgReportFraud{Auditor: a.Auditor, AuditId: a.Id, FailedCheck: "checksum"})
	require.NoError(t, err)
	for range 12 {
		f.nextBlock(t) // only the reporter's YES (1/3): cleared
	}
	require.Equal(t, types.TARGET_STATUS_PASSED, f.target(t, 1).Status)
	sub, _ := f.k.Submissions.Get(f.Ctx, 1)
	require.False(t, sub.BondHeld)
	require.True(t, sub.RewardHeld)
	f.invariant(t)
}

func TestMissedAuditPasses(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	filled(t, f)
	for range 12 {
		f.nextBlock(t)
	}
	require.Equal(t, types.TARGET_STATUS_PASSED, f.target(t, 1).Status)
	f.invariant(t)
}

func TestNoEligibleAuditorPassesAtOnce(t *testing.T) {
	f := newFixture(t, nil) // no validators
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	f.endEpoch(t, 1)
	tg := f.target(t, 1)
	require.Equal(t, types.TARGET_STATUS_PASSED, tg.Status)
	require.Zero(t, tg.AuditId)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.ErrorIs(t, err, types.ErrClaimTooEarly, "passed at the end of epoch 1: claimable in epoch 2")
	f.startEpoch(t, 2)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.NoError(t, err)
	f.invariant(t)
}

// TestClaimDelayIsAParam: with claim_delay_epochs 0 a passed reward is claimable at once;
// with 3 it waits three epochs after the pass, whatever the param says later (the
// claimable epoch is fixed at the pass).
func TestClaimDelayIsAParam(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.ClaimDelayEpochs = 0 })
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	f.endEpoch(t, 1) // no validators: passes at once
	require.Equal(t, int64(1), f.target(t, 1).ClaimableEpoch)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.NoError(t, err)

	f = newFixture(t, func(p *types.Params) { p.ClaimDelayEpochs = 3 })
	f.startEpoch(t, 1)
	_, err = f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	f.endEpoch(t, 1)
	require.Equal(t, int64(4), f.target(t, 1).ClaimableEpoch)
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	p.ClaimDelayEpochs = 0
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	for e := int64(2); e <= 3; e++ {
		f.startEpoch(t, e)
		_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
		require.ErrorIs(t, err, types.ErrClaimTooEarly, "epoch %d", e)
		f.endEpoch(t, e)
	}
	f.startEpoch(t, 4)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.NoError(t, err)
	require.Equal(t, types.TARGET_STATUS_CLAIMED, f.target(t, 1).Status)
	f.invariant(t)
}

func TestHandlerRejectsForeignAudit(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	a := filled(t, f)
	h := f.k.AuditHandler()
	other := a
	other.Id = a.Id + 100
	require.ErrorIs(t, h(f.Ctx, other, auditstypes.OUTCOME_FRAUD), types.ErrTargetNotFound)
	other = a
	other.SubjectId = "x"
	require.ErrorIs(t, h(f.Ctx, other, auditstypes.OUTCOME_PASS), types.ErrInvalidTargetID)
	require.Equal(t, types.TARGET_STATUS_AUDITING, f.target(t, 1).Status)
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	filled(t, f)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	g := newFixture(t, nil)
	require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
	gs2, err := g.k.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
	bad := *gs
	bad.Accounting.Bonds = sdkmath.NewInt(1)
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
}

func TestGenesisRejectsInconsistentTargets(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	filled(t, f) // target 1 AUDITING with its submission, target 2 EXPIRED
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	for name, mutate := range map[string]func(*types.GenesisState){
		"auditing without audit id":       func(g *types.GenesisState) { g.Targets[0].AuditId = 0 },
		"expired with audit id":           func(g *types.GenesisState) { g.Targets[1].AuditId = 9 },
		"claimable epoch before the pass": func(g *types.GenesisState) { g.Targets[0].ClaimableEpoch = 2 },
		"negative claimable epoch":        func(g *types.GenesisState) { g.Targets[1].ClaimableEpoch = -1 },
		"filled target without submission": func(g *types.GenesisState) {
			g.Submissions = nil
			g.Accounting.Bonds, g.Accounting.Reserved = sdkmath.ZeroInt(), sdkmath.ZeroInt()
		},
		"bond released while auditing": func(g *types.GenesisState) {
			g.Submissions[0].BondHeld = false
			g.Accounting.Bonds = sdkmath.ZeroInt()
		},
		"duplicate target":  func(g *types.GenesisState) { g.Targets = append(g.Targets, g.Targets[0]) },
		"id not below next": func(g *types.GenesisState) { g.NextTargetId = 1 },
		"no centre":         func(g *types.GenesisState) { g.Targets[1].Centre = nil },
		"unknown modality":  func(g *types.GenesisState) { g.Targets[1].Modality = 5 },
		"next id zero":      func(g *types.GenesisState) { g.NextTargetId = 0 },
		"negative pool":     func(g *types.GenesisState) { g.Accounting.Pool = sdkmath.NewInt(-1) },
		"no epoch threshold": func(g *types.GenesisState) {
			g.Epoch.Threshold = sdkmath.LegacyZeroDec()
		},
		"submission for unknown target": func(g *types.GenesisState) { g.Submissions[0].TargetId = 99 },
		"negative reward":               func(g *types.GenesisState) { g.Submissions[0].Reward = sdkmath.NewInt(-1) },
		"accounting disagrees":          func(g *types.GenesisState) { g.Accounting.Bonds = g.Accounting.Bonds.AddRaw(1) },
	} {
		var g types.GenesisState
		bz := f.Cdc.MustMarshalJSON(gs)
		f.Cdc.MustUnmarshalJSON(bz, &g)
		mutate(&g)
		want := g.Validate()
		require.ErrorIs(t, want, types.ErrInvalidGenesis, name)
		// InitGenesis refuses it with the same error and writes nothing.
		fresh := newFixture(t, nil)
		before, err := fresh.k.ExportGenesis(fresh.Ctx)
		require.NoError(t, err)
		require.EqualError(t, fresh.k.InitGenesis(fresh.Ctx, &g), want.Error(), name)
		after, err := fresh.k.ExportGenesis(fresh.Ctx)
		require.NoError(t, err)
		require.Equal(t, before, after, name)
	}
}
