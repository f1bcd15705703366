package types_test

import (
	"encoding/binary"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/sessions/types"
)

// FuzzJudge: arbitrary committed vectors (up to 16 of one dim, components anywhere in the
// int32 range that CheckEmbedding accepts or not) never panic, the medoid is in range and
// the medoid always passes against itself when its norm is not zero.
func FuzzJudge(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 2}, uint8(2), uint8(2))
	f.Add([]byte{255, 255, 255, 255, 0, 15, 66, 64}, uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, raw []byte, n, dim uint8) {
		count := int(n%types.MaxRedundancyLimit) + 1
		d := int(dim%16) + 1
		vs := make([][]int32, count)
		for i := range vs {
			vs[i] = make([]int32, d)
			for j := range vs[i] {
				k := 4 * (i*d + j)
				if k+4 <= len(raw) {
					v := int32(binary.BigEndian.Uint32(raw[k:]))
					vs[i][j] = v % (types.Scale + 1) // in [-10^6, 10^6] as CheckEmbedding guarantees
				}
			}
		}
		v := types.Judge(vs, sdkmath.LegacyMustNewDecFromStr("0.85"))
		if v.Medoid < 0 || v.Medoid >= count {
			t.Fatalf("medoid %d out of range", v.Medoid)
		}
		if types.Dot(vs[v.Medoid], vs[v.Medoid]) > 0 && !v.Pass[v.Medoid] {
			t.Fatal("the medoid must pass against itself")
		}
		_ = types.CheckEmbedding(vs[0], uint32(d), sdkmath.LegacyMustNewDecFromStr("0.01"))
	})
}
