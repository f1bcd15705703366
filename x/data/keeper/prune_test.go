package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/data/types"
)

func TestFinalTargetsArePrunedAfterRetention(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.RetentionEpochs = 2; p.MaxReplacementsPerEpoch = 0; p.TargetsPerEpoch = 3 }, 1, 1, 1)
	f.startEpoch(t, 1)
	for _, id := range []uint64{1, 2} {
		_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, id))
		require.NoError(t, err)
	}
	f.nextBlock(t)
	f.endEpoch(t, 1) // target 3 expires; 1 and 2 are audited
	for _, id := range []uint64{1, 2} {
		a, err := f.audits.GetAudit(f.Ctx, f.target(t, id).AuditId)
		require.NoError(t, err)
		_, err = f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
		require.NoError(t, err)
	}
	f.startEpoch(t, 2) // passed in epoch 1: claimable from epoch 2
	_, err := f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.NoError(t, err)
	f.endEpoch(t, 2) // epoch 1 still retained (2 > 2−2)
	require.Equal(t, types.TARGET_STATUS_CLAIMED, f.target(t, 1).Status)
	f.startEpoch(t, 3)
	f.endEpoch(t, 3) // prunes epoch 1's final targets: 1 (claimed) and 3 (expired)
	for _, id := range []uint64{1, 3} {
		_, err := f.k.GetTarget(f.Ctx, id)
		require.ErrorIs(t, err, types.ErrTargetNotFound)
		has, err := f.k.Submissions.Has(f.Ctx, id)
		require.NoError(t, err)
		require.False(t, has)
	}
	// Target 2 is PASSED and unclaimed: kept until its claim, then deleted at once.
	require.Equal(t, types.TARGET_STATUS_PASSED, f.target(t, 2).Status)
	f.invariant(t)
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 2})
	require.NoError(t, err)
	_, err = f.k.GetTarget(f.Ctx, 2)
	require.ErrorIs(t, err, types.ErrTargetNotFound)
	f.invariant(t)
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
}
