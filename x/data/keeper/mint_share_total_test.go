package keeper_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/data/types"
)

// The pools' shares sum to exactly 1, so this module's share may be raised by nothing: one
// unit of 10^-18 more is refused with no state change, the same share is accepted. This
// module's own current share (which the app reports too) does not count against its new one.
func TestUpdateParamsMintShareTotal(t *testing.T) {
	f := newFixture(t, nil)
	shares := map[string]string{"nodes": "0.4", "challenges": "0.3", "data": "0.3"}
	f.k.SetMintShares(keepers.MintShares{Shares: [][2]string{{"nodes", shares["nodes"]}, {"challenges", shares["challenges"]}, {"data", shares["data"]}}})
	require.Panics(t, func() { f.k.SetMintShares(keepers.MintShares{}) }, "set once, at app construction")
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	room := sdkmath.LegacyMustNewDecFromStr(shares[types.ModuleName]) // 1 − the other two
	before := f.snapshot(t)

	over := p
	over.MintShare = room.Add(sdkmath.LegacySmallestDec())
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: over})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.ErrorContains(t, err, "mint shares sum to 1.000000000000000001 > 1")
	require.Equal(t, before, f.snapshot(t), "a refused update changes no state")

	at := p
	at.MintShare = room
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: at})
	require.NoError(t, err, "a total of exactly 1 is accepted")
	got, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	require.True(t, got.MintShare.Equal(room))
}

// A failure to read the other pools' shares refuses the update and changes nothing.
func TestUpdateParamsMintShareReadError(t *testing.T) {
	f := newFixture(t, nil)
	f.k.SetMintShares(keepers.MintShares{Err: errors.New("store gone")})
	p, err := f.k.Params.Get(f.Ctx)
	require.NoError(t, err)
	before := f.snapshot(t)
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.ErrorContains(t, err, "store gone")
	require.Equal(t, before, f.snapshot(t))
}
