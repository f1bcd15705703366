package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/keeper"
	"github.com/cortnet/cortd/x/data/types"
)

// TestMigrate1to2 runs the migration on a populated version 1 store: params without the
// claim delay (0, as version 1 stored them) and a target that passed under version 1. The
// delay becomes 1, everything else in the params and every record reads as before, and the
// old target stays claimable at once.
func TestMigrate1to2(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.ClaimDelayEpochs = 0 })
	f.startEpoch(t, 1)
	_, err := f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)
	f.endEpoch(t, 1) // no validators: passes at once, claimable in epoch 1
	tg := f.target(t, 1)
	require.Equal(t, types.TARGET_STATUS_PASSED, tg.Status)
	tg.ClaimableEpoch = 0 // as version 1 stored it
	require.NoError(t, f.k.Targets.Set(f.Ctx, tg.Id, tg))
	before, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)

	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(sdk.UnwrapSDKContext(f.Ctx)))

	after, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint32(1), after.Params.ClaimDelayEpochs)
	after.Params.ClaimDelayEpochs = 0
	require.Equal(t, before, after, "only the claim delay changed")
	_, err = f.msg.ClaimReward(f.Ctx, &types.MsgClaimReward{Claimer: submitter.String(), TargetId: 1})
	require.NoError(t, err, "a target that passed under version 1 is claimable at once")

	// A stored params that the new rules reject stops the migration with the reason.
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	p.EpochIdentifier = ""
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	require.ErrorIs(t, keeper.NewMigrator(f.k).Migrate1to2(sdk.UnwrapSDKContext(f.Ctx)), types.ErrInvalidParams)
}
