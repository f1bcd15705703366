package keeper_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// TestSubmitGasByDim measures the gas of a successful MsgSubmitData (checks, bond escrow,
// storing the submission, no replacement) by embedding dim; README's gas table.
func TestSubmitGasByDim(t *testing.T) {
	var prev uint64
	for _, d := range []uint32{64, 256, 768, 1024, 4096} {
		f := newFixture(t, func(p *types.Params) { p.MaxReplacementsPerEpoch = 0 }, 1)
		for _, id := range []string{"g-1", "g-2", "g-3"} {
			_, err := f.modelsMsg.RegisterModel(f.Ctx, &modelstypes.MsgRegisterModel{
				Sender: f.Authority, Id: id, Name: id, Architecture: "gpt2", WeightsUri: "hf://test/" + id,
				WeightsSha256: hex.EncodeToString(make([]byte, 32)), TokenizerSha256: hex.EncodeToString(make([]byte, 32)),
				EmbeddingDim: d, MemoryMib: 100,
			})
			require.NoError(t, err)
		}
		p, err := f.k.Params.Get(f.Ctx)
		require.NoError(t, err)
		p.EmbeddingDim, p.ModelsPerTarget = d, 3
		require.NoError(t, f.k.Params.Set(f.Ctx, p))
		f.startEpoch(t, 1)
		m := f.validMsg(t, 1)
		meter := storetypes.NewGasMeter(100_000_000)
		_, err = f.msg.SubmitData(f.Ctx.WithGasMeter(meter), m)
		require.NoError(t, err)
		gas := meter.GasConsumed()
		t.Logf("dim %5d: %8d gas", d, gas)
		require.Greater(t, gas, prev)
		prev = gas
	}
}
