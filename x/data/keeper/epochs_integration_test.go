package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	epochskeeper "github.com/cosmos/cosmos-sdk/x/epochs/keeper"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/x/data/types"
)

// TestRealEpochsKeeperDrivesTargets runs the SDK's x/epochs BeginBlocker with x/data's
// hooks in a MultiEpochHooks (as wired in the app) over the "hour" epoch: the first block
// starts epoch 1 and opens targets; the first block past the hour ends it (expiry, audit,
// threshold step) and starts epoch 2 with new targets.
func TestRealEpochsKeeperDrivesTargets(t *testing.T) {
	f := newFixture(t, nil, 1, 1, 1)
	ek := epochskeeper.NewKeeper(f.StoreService(epochstypes.StoreKey), f.Cdc)
	ek.SetHooks(epochstypes.NewMultiEpochHooks(f.k.Hooks()))
	start := time.Unix(1_700_000_000, 0).UTC()
	f.Ctx = f.Ctx.WithBlockTime(start) // x/epochs starts a zero-start-time epoch at genesis time
	require.NoError(t, ek.InitGenesis(f.Ctx, epochstypes.GenesisState{Epochs: []epochstypes.EpochInfo{
		epochstypes.NewGenesisEpochInfo(epoch, time.Hour),
	}}))

	require.NoError(t, ek.BeginBlocker(f.Ctx))
	es, err := f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), es.Epoch)
	require.Equal(t, types.TARGET_STATUS_OPEN, f.target(t, 1).Status)
	_, err = f.msg.SubmitData(f.Ctx, f.validMsg(t, 1))
	require.NoError(t, err)

	f.nextBlock(t)
	f.Ctx = f.Ctx.WithBlockTime(start.Add(30 * time.Minute))
	require.NoError(t, ek.BeginBlocker(f.Ctx))
	require.Equal(t, types.TARGET_STATUS_OPEN, f.target(t, 2).Status) // mid-epoch: nothing happens

	f.nextBlock(t)
	f.Ctx = f.Ctx.WithBlockTime(start.Add(time.Hour + time.Second))
	require.NoError(t, ek.BeginBlocker(f.Ctx))
	require.Equal(t, types.TARGET_STATUS_AUDITING, f.target(t, 1).Status)
	require.Equal(t, types.TARGET_STATUS_EXPIRED, f.target(t, 2).Status)
	require.Equal(t, types.TARGET_STATUS_EXPIRED, f.target(t, 3).Status) // the replacement
	es, err = f.k.Epoch.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), es.Epoch)
	tg := f.target(t, 4)
	require.Equal(t, int64(2), tg.Epoch)
	require.Equal(t, types.TARGET_STATUS_OPEN, tg.Status)
	f.invariant(t)
}
