package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
)

// TestMigrate1to2 runs the migration on a version 1 store with a challenge in it: the
// params as version 1 stored them (no max_answer_files, no emission shares) get version
// 2's defaults (and the availability params), and nothing else changes.
func TestMigrate1to2(t *testing.T) {
	f := newFixture(t, 5, 10, 10, 10)
	f.post(t)
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	// as version 1 stored them
	p.MaxAnswerFiles, p.EmissionShares, p.UnavailableSkipBlocks, p.UnavailableMinReports = 0, nil, 0, 0
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	before, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)

	require.NoError(t, keeper.NewMigrator(f.k).Migrate1to2(sdk.UnwrapSDKContext(f.Ctx)))

	after, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams().MaxAnswerFiles, after.Params.MaxAnswerFiles)
	require.Equal(t, types.DefaultEmissionShares(), after.Params.EmissionShares)
	require.Equal(t, types.DefaultParams().UnavailableSkipBlocks, after.Params.UnavailableSkipBlocks)
	require.Equal(t, types.DefaultParams().UnavailableMinReports, after.Params.UnavailableMinReports)
	after.Params.MaxAnswerFiles, after.Params.EmissionShares = 0, nil
	after.Params.UnavailableSkipBlocks, after.Params.UnavailableMinReports = 0, 0
	require.Equal(t, before, after, "only the new params changed")

	// stored params that the rules reject stop the migration with the reason
	p.EpochIdentifier = ""
	require.NoError(t, f.k.Params.Set(f.Ctx, p))
	require.ErrorIs(t, keeper.NewMigrator(f.k).Migrate1to2(sdk.UnwrapSDKContext(f.Ctx)), types.ErrInvalidParams)
}
