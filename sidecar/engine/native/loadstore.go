package native

import (
	"encoding/binary"
	"math"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
)

// store writes file rows [r0, r1) of the job, raw little-endian bytes in
// the file's dtype, to the job's destination without widening 16-bit
// values. It returns the index in raw (in elements) of the first
// non-finite value, or -1; nothing after that element is written.
func (j *loadJob) store(raw []byte, r0, r1 int) int {
	es := j.dt.Size()
	rowBytes := j.cols * es
	for r := r0; r < r1; r++ {
		row := raw[(r-r0)*rowBytes : (r-r0+1)*rowBytes]
		bad := -1
		switch {
		case j.table != nil:
			bad = j.put(j.table.f32, j.table.half, r*j.cols, 1, row)
		case j.linear:
			// File row r is output column r: element kk goes to panel row kk.
			bad = j.put(j.p.Data, j.p.Half, (r/kernels.NR)*j.p.Stride+r%kernels.NR, kernels.NR, row)
		default:
			// File row r is panel row r: 64 contiguous elements per panel.
			for c0 := 0; c0 < j.cols && bad < 0; c0 += kernels.NR {
				c1 := min(j.cols, c0+kernels.NR)
				if b := j.put(j.p.Data, j.p.Half, (c0/kernels.NR)*j.p.Stride+r*kernels.NR, 1, row[c0*es:c1*es]); b >= 0 {
					bad = c0 + b
				}
			}
		}
		if bad >= 0 {
			return (r-r0)*j.cols + bad
		}
	}
	return -1
}

// put converts src (elements of the job's dtype) into f32 or half at off,
// off+step, ...; it returns the index of the first non-finite element or -1.
func (j *loadJob) put(f32 []float32, half []uint16, off, step int, src []byte) int {
	switch j.dt {
	case safetensors.F32:
		return putF32(f32[off:], step, src)
	case safetensors.F16:
		return putHalf(half[off:], step, src, 0x7c00)
	}
	return putHalf(half[off:], step, src, 0x7f80)
}

// putF32 decodes little-endian float32s; NaN and ±Inf are exactly the
// values with every exponent bit set.
func putF32(dst []float32, step int, src []byte) int {
	n := len(src) / 4
	if n == 0 {
		return -1
	}
	dst = dst[:(n-1)*step+1]
	for i := 0; i < n; i++ {
		b := binary.LittleEndian.Uint32(src[4*i:])
		if b&0x7f800000 == 0x7f800000 {
			return i
		}
		dst[i*step] = math.Float32frombits(b)
	}
	return -1
}

// putHalf copies little-endian 16-bit values; mask is the format's
// exponent field (all ones is Inf or NaN).
func putHalf(dst []uint16, step int, src []byte, mask uint16) int {
	n := len(src) / 2
	if n == 0 {
		return -1
	}
	dst = dst[:(n-1)*step+1]
	for i := 0; i < n; i++ {
		h := binary.LittleEndian.Uint16(src[2*i:])
		if h&mask == mask {
			return i
		}
		dst[i*step] = h
	}
	return -1
}
