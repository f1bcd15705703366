package keeper_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/data/types"
)

// FuzzSubmitData feeds arbitrary embeddings, distances, sizes, bonds and losses to
// MsgSubmitData on an open target: it must never panic, and a rejection must leave the
// state as it was (each input runs in a cache context that is written only on success).
func FuzzSubmitData(f *testing.F) {
	fx := newFixture(f, nil, 1, 1, 1)
	fx.startEpoch(f, 1)
	valid := fx.validMsg(f, 1)
	seed := make([]byte, 0, 4*len(valid.Embedding))
	for _, v := range valid.Embedding {
		seed = binary.BigEndian.AppendUint32(seed, uint32(v))
	}
	f.Add(seed, int64(0), uint64(1000), int64(1000), int64(2), int64(3))
	f.Add([]byte{1, 2, 3}, int64(-5), uint64(0), int64(-1), int64(-1), int64(0))
	f.Add(make([]byte, 4*9), int64(1<<62), uint64(1<<63), int64(1<<62), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, emb []byte, dist int64, size uint64, bond, loss0, loss1 int64) {
		m := *valid
		m.Embedding = nil
		for i := 0; i+4 <= len(emb) && i < 4*64; i += 4 {
			m.Embedding = append(m.Embedding, int32(binary.BigEndian.Uint32(emb[i:])))
		}
		m.DistanceSq, m.SizeBytes, m.Bond = dist, size, sdkmath.NewInt(bond)
		m.Losses = []types.ModelLoss{
			{ModelId: valid.Losses[0].ModelId, Loss: sdkmath.LegacyNewDec(loss0)},
			{ModelId: valid.Losses[1].ModelId, Loss: sdkmath.LegacyNewDec(loss1)},
		}
		ctx, _ := fx.Ctx.CacheContext()
		before, err := fx.k.ExportGenesis(ctx)
		require.NoError(t, err)
		if _, err := fx.msg.SubmitData(ctx, &m); err != nil {
			after, err2 := fx.k.ExportGenesis(ctx)
			require.NoError(t, err2)
			require.Equal(t, before, after)
		}
	})
}
