package keeper

import (
	"encoding/hex"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestAssignSeedGolden pins the assignment shuffle's randomness, sha256(AssignDomain ‖
// previous block hash) and its draws sha256(seed ‖ task id ‖ counter): it is consensus, so
// the shared seed helper must reproduce it byte for byte.
func TestAssignSeedGolden(t *testing.T) {
	prev := make([]byte, 32)
	for i := range prev {
		prev[i] = byte(i)
	}
	ctx := sdk.Context{}.WithBlockHeader(cmtproto.Header{LastBlockId: cmtproto.BlockID{Hash: prev}})
	a := Keeper{}.newAssigner(ctx, types.Params{})
	require.Equal(t, "7feb75cea2e0ab9d83b862765c3585b8a28db7f5eed7a7d1fd546674832bcaf2", hex.EncodeToString(a.seed[:]))
	require.Equal(t, []uint64{0x141, 0x17b, 0x7, 0x70cf6f31f307a9ed}, []uint64{a.draw(1, 0, 1000), a.draw(1, 1, 1000), a.draw(9, 0, 11), a.draw(1<<40, 3, 1<<63)})

	empty := Keeper{}.newAssigner(sdk.Context{}.WithBlockHeader(cmtproto.Header{}), types.Params{})
	require.Equal(t, "052aa701abd99ec5b01f141e8bbf72459d490d3e29cbbdae357073b0dc747fcc", hex.EncodeToString(empty.seed[:]), "no previous hash (first block) still draws")
}
