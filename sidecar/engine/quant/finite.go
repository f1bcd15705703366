package quant

import "encoding/binary"

// scaleOffsets are where each block format keeps its f16 scales (ggml's
// block structs): Q8_0 and Q4_0 start with d; Q4_K with d and dmin; Q6_K
// ends with d after ql[128], qh[64] and scales[16]. The quants themselves
// are integers, so a block's values are finite exactly when its scales are.
var scaleOffsets = map[Type][]int{
	Q8_0: {0},
	Q4_0: {0},
	Q4_K: {0, 2},
	Q6_K: {208},
}

// FirstNonFinite returns the index of the first block of data (whole
// blocks of a quantized type t) whose scales include an f16 Inf or NaN, or
// -1 when every block is finite. Loaders refuse such weights as they refuse
// non-finite floats: one bad scale would turn every product it touches
// into NaN. Plain types (F32, F16, BF16) and unknown types return -1; they
// are checked element by element where they are decoded.
func FirstNonFinite(t Type, data []byte) int {
	offs, ok := scaleOffsets[t]
	if !ok {
		return -1
	}
	bb := t.BlockBytes()
	for b := 0; (b+1)*bb <= len(data); b++ {
		blk := data[b*bb:]
		for _, o := range offs {
			if binary.LittleEndian.Uint16(blk[o:])&0x7c00 == 0x7c00 {
				return b
			}
		}
	}
	return -1
}
