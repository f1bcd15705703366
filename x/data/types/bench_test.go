package types_test

import (
	"fmt"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/embedding"
)

// BenchmarkDistanceCheck is the on-chain arithmetic of a submission's embedding: norm
// check, squared distance to the centre and the exact threshold comparison.
func BenchmarkDistanceCheck(b *testing.B) {
	tol := sdkmath.LegacyMustNewDecFromStr("0.001")
	thr := sdkmath.LegacyMustNewDecFromStr("1.2")
	for _, dim := range []uint32{64, 256, 768, 1024, 4096} {
		c := types.Centre(types.Seed([]byte("c"), 1), dim)
		e := types.Centre(types.Seed([]byte("e"), 1), dim)
		b.Run(fmt.Sprintf("dim=%d", dim), func(b *testing.B) {
			for b.Loop() {
				if err := embedding.Check(e, dim, tol); err != nil {
					b.Fatal(err)
				}
				_ = types.WithinThreshold(embedding.SquaredDistance(e, c), thr)
			}
		})
	}
}
