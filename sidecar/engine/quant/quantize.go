package quant

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// NonFiniteError reports an input value that cannot be stored: a NaN or an
// infinity, or (for F16/BF16) a finite value that would round to infinity.
type NonFiniteError struct {
	Index int     // element index in the slice given to Quantize (QuantizeRows: in the whole matrix)
	Row   int     // QuantizeRows only: the row (else -1)
	Col   int     // QuantizeRows only: the column (else -1)
	Value float32 // the offending value
	Type  Type    // the format being written
}

func (e *NonFiniteError) Error() string {
	where := fmt.Sprintf("element %d", e.Index)
	if e.Row >= 0 {
		where += fmt.Sprintf(" (row %d, column %d)", e.Row, e.Col)
	}
	if !math.IsNaN(float64(e.Value)) && !math.IsInf(float64(e.Value), 0) {
		return fmt.Sprintf("quant: %s = %g overflows %s", where, e.Value, e.Type)
	}
	return fmt.Sprintf("quant: %s is %v: cannot quantize a non-finite weight to %s", where, e.Value, e.Type)
}

// ScaleOverflowError reports a block whose scale does not fit the f16 the
// format stores it in (weights of magnitude in the millions).
type ScaleOverflowError struct {
	Type  Type
	Block int     // block index in the slice given to Quantize
	Scale float32 // the scale that overflows
}

func (e *ScaleOverflowError) Error() string {
	return fmt.Sprintf("quant: %s block %d: scale %g overflows f16 (weights too large for this format)", e.Type, e.Block, e.Scale)
}

// Quantize encodes src into dst in format t (GGUF's block layout). len(src)
// must be a whole number of blocks and len(dst) exactly their size. Inputs
// must be finite (the first NaN or infinity is reported by index, as a
// *NonFiniteError); F16/BF16 refuse finite values that would round to
// infinity, and the block formats refuse blocks whose f16 scale would
// overflow (*ScaleOverflowError).
//
// The block formats follow ggml's reference quantizers, the code
// llama-quantize runs when no importance matrix is given
// (quantize_row_q8_0_ref, quantize_row_q4_0_ref, quantize_row_q4_K_ref with
// make_qkx2_quants, quantize_row_q6_K_ref with make_qx_quants), with the
// same float32 operations in the same order, each rounded on its own: on
// x86-64, where ggml-base is built without FMA contraction, the bytes equal
// llama-quantize's. (A build of ggml that contracts a*b+c into a fused
// multiply-add, e.g. on arm64, can differ in the last bit of a sum and so,
// rarely, in a chosen scale.) Quantize and QuantizeRows give the same bytes.
func Quantize(t Type, src []float32, dst []byte) error {
	need, err := t.RowBytes(len(src))
	if err != nil {
		return err
	}
	if len(dst) != need {
		return fmt.Errorf("quant: %d %s elements take %d bytes, dst has %d", len(src), t, need, len(dst))
	}
	for i, v := range src {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return &NonFiniteError{Index: i, Row: -1, Col: -1, Value: v, Type: t}
		}
	}
	switch t {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range src {
			h := F32ToF16(v)
			if h&0x7fff == 0x7c00 {
				return &NonFiniteError{Index: i, Row: -1, Col: -1, Value: v, Type: t}
			}
			binary.LittleEndian.PutUint16(dst[2*i:], h)
		}
	case BF16:
		for i, v := range src {
			h := F32ToBF16(v)
			if h&0x7fff == 0x7f80 {
				return &NonFiniteError{Index: i, Row: -1, Col: -1, Value: v, Type: t}
			}
			binary.LittleEndian.PutUint16(dst[2*i:], h)
		}
	case Q8_0:
		for b := 0; b < len(src)/QK; b++ {
			if err := quantQ8_0(src[b*QK:b*QK+QK], dst[b*34:b*34+34]); err != nil {
				return blockErr(err, b)
			}
		}
	case Q4_0:
		for b := 0; b < len(src)/QK; b++ {
			if err := quantQ4_0(src[b*QK:b*QK+QK], dst[b*18:b*18+18]); err != nil {
				return blockErr(err, b)
			}
		}
	case Q4_K:
		var s q4kScratch
		for b := 0; b < len(src)/QKK; b++ {
			if err := s.quant(src[b*QKK:b*QKK+QKK], dst[b*144:b*144+144]); err != nil {
				return blockErr(err, b)
			}
		}
	case Q6_K:
		var L [QKK]int8
		for b := 0; b < len(src)/QKK; b++ {
			if err := quantQ6_K(src[b*QKK:b*QKK+QKK], dst[b*210:b*210+210], &L); err != nil {
				return blockErr(err, b)
			}
		}
	default:
		return fmt.Errorf("quant: cannot quantize to type %s", t)
	}
	return nil
}

func blockErr(err error, b int) error {
	if e, ok := err.(*ScaleOverflowError); ok {
		e.Block = b
	}
	return err
}

// QuantizeRows quantizes a rows x cols row-major matrix row by row (each
// row a whole number of blocks of t) and returns rows*RowBytes(cols) bytes.
// Rows are spread over GOMAXPROCS goroutines; the bytes are those of
// Quantize on each row and do not depend on the split. On failure the
// error of the lowest failing row is returned, with the element's index in
// the whole matrix.
func QuantizeRows(t Type, src []float32, rows, cols int) ([]byte, error) {
	rb, err := t.RowBytes(cols)
	if err != nil {
		return nil, err
	}
	if rows < 0 || cols < 0 || (cols != 0 && rows > math.MaxInt/cols) || len(src) != rows*cols {
		return nil, fmt.Errorf("quant: a %d x %d matrix needs %d values, have %d", rows, cols, rows*cols, len(src))
	}
	if rows > 0 && rb > math.MaxInt/rows {
		return nil, fmt.Errorf("quant: a %d x %d %s matrix is too large", rows, cols, t)
	}
	dst := make([]byte, rows*rb)
	if rows == 0 || cols == 0 {
		return dst, nil
	}
	// Chunks of rows small enough to balance, large enough to amortize.
	chunk := max(1, (1<<16)/cols)
	nchunks := (rows + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), nchunks)
	errs := make([]error, nchunks)
	var next sync.Mutex
	ci := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				c := ci
				ci++
				next.Unlock()
				if c >= nchunks {
					return
				}
				for r := c * chunk; r < min(rows, (c+1)*chunk); r++ {
					if err := Quantize(t, src[r*cols:(r+1)*cols], dst[r*rb:(r+1)*rb]); err != nil {
						if e, ok := err.(*NonFiniteError); ok {
							e.Row, e.Col, e.Index = r, e.Index, r*cols+e.Index
						} else {
							err = fmt.Errorf("quant: row %d: %w", r, err)
						}
						errs[c] = err
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// nearestInt is ggml's nearest_int: round to nearest, ties to even, by
// adding 1.5*2^23 and reading the mantissa. Inside |f| <= 4194303 (all that
// ggml's callers pass when the inputs are finite) it equals rounding; the
// bit trick is kept so that values outside behave as ggml's do too.
func nearestInt(f float32) int32 {
	v := f + 12582912
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }

func sqrt32(f float32) float32 { return float32(math.Sqrt(float64(f))) } // correctly rounded, as sqrtf

// putF16 stores v as the block's f16 scale, refusing one that overflows.
func putF16(t Type, b []byte, v float32) error {
	h := F32ToF16(v)
	if h&0x7fff >= 0x7c00 {
		return &ScaleOverflowError{Type: t, Scale: v}
	}
	binary.LittleEndian.PutUint16(b, h)
	return nil
}

// quantQ8_0 is quantize_row_q8_0_ref for one block: d = max|x|/127,
// q = roundf(x/d) (half away from zero).
func quantQ8_0(x []float32, y []byte) error {
	var amax float32
	for _, v := range x[:QK] {
		if a := abs32(v); !(amax > a) {
			amax = a
		}
	}
	d := amax / 127
	var id float32
	if d != 0 {
		id = 1 / d
	}
	if err := putF16(Q8_0, y, d); err != nil {
		return err
	}
	for j, v := range x[:QK] {
		y[2+j] = byte(int8(math.Round(float64(v * id))))
	}
	return nil
}

// quantQ4_0 is quantize_row_q4_0_ref for one block: d = max/-8 where max is
// the first element of largest magnitude (so it maps to q = 0), q =
// min(15, trunc(x/d + 8.5)).
func quantQ4_0(x []float32, y []byte) error {
	var amax, mx float32
	for _, v := range x[:QK] {
		if amax < abs32(v) {
			amax, mx = abs32(v), v
		}
	}
	d := mx / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	if err := putF16(Q4_0, y, d); err != nil {
		return err
	}
	for j := 0; j < QK/2; j++ {
		x0 := float32(x[j] * id)
		x1 := float32(x[QK/2+j] * id)
		xi0 := min(15, int8(x0+8.5))
		xi1 := min(15, int8(x1+8.5))
		y[2+j] = uint8(xi0) | uint8(xi1)<<4
	}
	return nil
}

const groupMaxEps = 1e-15

// q4kScratch holds quantize_row_q4_K_ref's work arrays.
type q4kScratch struct {
	L      [QKK]uint8
	w2     [2][32]float32
	mins   [8]float32
	scales [8]float32
}

// quant is quantize_row_q4_K_ref for one super-block: each sub-block of 32
// gets a scale and a min from make_qkx2_quants (weights av_x + |x|, 21
// trial scales), the 8 scales and 8 mins are quantized to 6 bits against
// d = max_scale/63 and dmin = max_min/63, and the elements are requantized
// with the stored (rounded) scales.
func (s *q4kScratch) quant(x []float32, y []byte) error {
	var maxScale, maxMin float32
	var st [2]kx2State
	for j := 0; j < 8; j += 2 {
		for k := range st {
			xs := (*[32]float32)(x[32*(j+k) : 32*(j+k)+32])
			var sumX2 float32
			for _, v := range xs {
				sumX2 += float32(v * v)
			}
			avX := sqrt32(sumX2 / 32)
			w := &s.w2[k]
			for l, v := range xs {
				w[l] = avX + abs32(v)
			}
			st[k].init(xs, w, (*[32]uint8)(s.L[32*(j+k):32*(j+k)+32]))
		}
		kx2Trials(&st[0], &st[1])
		for k := range st {
			s.scales[j+k], s.mins[j+k] = st[k].scale, -st[k].mn
		}
	}
	for j := 0; j < 8; j++ {
		if s.scales[j] > maxScale {
			maxScale = s.scales[j]
		}
		if s.mins[j] > maxMin {
			maxMin = s.mins[j]
		}
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	sc := y[4:16]
	for j := 0; j < 8; j++ {
		ls := min(63, uint8(nearestInt(invScale*s.scales[j])))
		lm := min(63, uint8(nearestInt(invMin*s.mins[j])))
		if j < 4 {
			sc[j] = ls
			sc[j+4] = lm
		} else {
			sc[j+4] = ls&0xf | (lm&0xf)<<4
			sc[j-4] |= (ls >> 4) << 6
			sc[j] |= (lm >> 4) << 6
		}
	}
	if err := putF16(Q4_K, y[0:], maxScale/63); err != nil {
		return err
	}
	if err := putF16(Q4_K, y[2:], maxMin/63); err != nil {
		return err
	}
	d0, dmin0 := f16At(y[0:]), f16At(y[2:])
	for j := 0; j < 8; j++ {
		ls, lm := scaleMinK4(j, sc)
		d := d0 * float32(ls)
		if d == 0 {
			continue
		}
		dm := dmin0 * float32(lm)
		for ii := 0; ii < 32; ii++ {
			l := nearestInt((x[32*j+ii] + dm) / d)
			s.L[32*j+ii] = uint8(max(0, min(15, l)))
		}
	}
	q := y[16:144]
	for j := 0; j < QKK; j += 64 {
		for l := 0; l < 32; l++ {
			q[j/2+l] = s.L[j+l] | s.L[j+l+32]<<4
		}
	}
	return nil
}

// kx2State is make_qkx2_quants(32, 15, ..., -1, 0.1, 20, false) for one
// sub-block, split so that kx2Trials can run two independent sub-blocks'
// trials in the same loops (their float sums are latency-bound chains; two
// chains in flight nearly halve the time). Every operation and its order
// per sub-block are those of makeQkx2Quants, which stays as the plain
// statement of the algorithm the tests compare against.
type kx2State struct {
	x, w                            *[32]float32
	L                               *[32]uint8
	laux, lv                        [32]uint8
	mn, mx, sumW, sumX, scale, best float32
	havePrev, done, active          bool
	sumL, sumL2, sumXL, cur         float32
}

func (s *kx2State) init(x, w *[32]float32, L *[32]uint8) {
	const nmax = 15
	*s = kx2State{x: x, w: w, L: L}
	mn, mx := x[0], x[0]
	sumW := w[0]
	sumX := sumW * x[0]
	for i := 1; i < 32; i++ {
		if x[i] < mn {
			mn = x[i]
		}
		if x[i] > mx {
			mx = x[i]
		}
		sumW += w[i]
		sumX += float32(w[i] * x[i])
	}
	if mn > 0 {
		mn = 0
	}
	s.mn, s.mx, s.sumW, s.sumX = mn, mx, sumW, sumX
	if mx == mn {
		*L = [32]uint8{}
		s.done = true
		return
	}
	iscale := nmax / (mx - mn)
	s.scale = 1 / iscale
	for i := 0; i < 32; i++ {
		l := nearestInt(iscale * (x[i] - mn))
		L[i] = uint8(max(0, min(nmax, l)))
		diff := float32(s.scale*float32(L[i])) + mn - x[i]
		diff = diff * diff
		s.best += float32(w[i] * diff)
	}
}

// levels computes trial is's levels; active reports whether they differ
// from the previous trial's (else the trial changes nothing).
func (s *kx2State) levels(is int) {
	const nmax = 15
	s.active = false
	if s.done {
		return
	}
	iscale := (-1 + float32(float32(0.1)*float32(is)) + nmax) / (s.mx - s.mn)
	for i := range s.lv {
		s.lv[i] = uint8(max(0, min(nmax, nearestInt(iscale*(s.x[i]-s.mn)))))
	}
	if s.havePrev && s.lv == s.laux {
		return
	}
	s.laux, s.havePrev, s.active = s.lv, true, true
}

// fit finishes a trial from its sums: the least-squares scale and min,
// or ok false when the system is singular (ggml then skips the trial).
func (s *kx2State) fit() (thisScale, thisMin float32, ok bool) {
	D := float32(s.sumW*s.sumL2) - float32(s.sumL*s.sumL)
	if !(D > 0) {
		return 0, 0, false
	}
	thisScale = (float32(s.sumW*s.sumXL) - float32(s.sumX*s.sumL)) / D
	thisMin = (float32(s.sumL2*s.sumX) - float32(s.sumL*s.sumXL)) / D
	if thisMin > 0 {
		thisMin = 0
		thisScale = s.sumXL / s.sumL2
	}
	return thisScale, thisMin, true
}

func (s *kx2State) sums1() {
	var sumL, sumL2, sumXL float32
	for i := range s.lv {
		fl := float32(s.lv[i])
		wl := float32(s.w[i] * fl)
		sumL += wl
		sumL2 += float32(wl * fl)
		sumXL += float32(wl * s.x[i])
	}
	s.sumL, s.sumL2, s.sumXL = sumL, sumL2, sumXL
}

func sums2(a, b *kx2State) {
	var aL, aL2, aXL, bL, bL2, bXL float32
	for i := range a.lv {
		fa, fb := float32(a.lv[i]), float32(b.lv[i])
		wa, wb := float32(a.w[i]*fa), float32(b.w[i]*fb)
		aL += wa
		bL += wb
		aL2 += float32(wa * fa)
		bL2 += float32(wb * fb)
		aXL += float32(wa * a.x[i])
		bXL += float32(wb * b.x[i])
	}
	a.sumL, a.sumL2, a.sumXL = aL, aL2, aXL
	b.sumL, b.sumL2, b.sumXL = bL, bL2, bXL
}

func (s *kx2State) err1(sc, mn float32) float32 {
	var e float32
	for i := range s.lv {
		diff := float32(sc*float32(s.lv[i])) + mn - s.x[i]
		diff = diff * diff
		e += float32(s.w[i] * diff)
	}
	return e
}

func err2(a, b *kx2State, sa, ma, sb, mb float32) (float32, float32) {
	var ea, eb float32
	for i := range a.lv {
		da := float32(sa*float32(a.lv[i])) + ma - a.x[i]
		db := float32(sb*float32(b.lv[i])) + mb - b.x[i]
		da = da * da
		db = db * db
		ea += float32(a.w[i] * da)
		eb += float32(b.w[i] * db)
	}
	return ea, eb
}

func (s *kx2State) accept(sc, mn, e float32) {
	if e < s.best {
		*s.L = s.lv
		s.best, s.scale, s.mn = e, sc, mn
	}
}

// kx2Trials runs make_qkx2_quants' 21 trials for two sub-blocks at once.
func kx2Trials(a, b *kx2State) {
	for is := 0; is <= 20; is++ {
		a.levels(is)
		b.levels(is)
		switch {
		case a.active && b.active:
			sums2(a, b)
			sa, ma, oka := a.fit()
			sb, mb, okb := b.fit()
			switch {
			case oka && okb:
				ea, eb := err2(a, b, sa, ma, sb, mb)
				a.accept(sa, ma, ea)
				b.accept(sb, mb, eb)
			case oka:
				a.accept(sa, ma, a.err1(sa, ma))
			case okb:
				b.accept(sb, mb, b.err1(sb, mb))
			}
		case a.active:
			a.sums1()
			if sc, mn, ok := a.fit(); ok {
				a.accept(sc, mn, a.err1(sc, mn))
			}
		case b.active:
			b.sums1()
			if sc, mn, ok := b.fit(); ok {
				b.accept(sc, mn, b.err1(sc, mn))
			}
		}
	}
}

// makeQkx2Quants is make_qkx2_quants(32, 15, x, weights, L, &the_min, Laux,
// rmin -1, rdelta 0.1, nstep 20, use_mad false): an asymmetric 4-bit fit
// x ~ scale*L - the_min minimizing the weighted squared error over 21
// trial inverse scales, each refined by weighted least squares. It returns
// scale and the_min (>= 0).
func makeQkx2Quants(x, weights []float32, L, Laux []uint8) (float32, float32) {
	const (
		n      = 32
		nmax   = 15
		rmin   = float32(-1)
		rdelta = float32(0.1)
		nstep  = 20
	)
	x, weights, L, Laux = x[:n], weights[:n], L[:n], Laux[:n]
	mn, mx := x[0], x[0]
	sumW := weights[0]
	sumX := sumW * x[0]
	for i := 1; i < n; i++ {
		if x[i] < mn {
			mn = x[i]
		}
		if x[i] > mx {
			mx = x[i]
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * x[i])
	}
	if mn > 0 {
		mn = 0
	}
	if mx == mn {
		for i := range L {
			L[i] = 0
		}
		return 0, -mn
	}
	iscale := nmax / (mx - mn)
	scale := 1 / iscale
	var bestError float32
	for i := 0; i < n; i++ {
		l := nearestInt(iscale * (x[i] - mn))
		L[i] = uint8(max(0, min(nmax, l)))
		diff := float32(scale*float32(L[i])) + mn - x[i]
		diff = diff * diff
		bestError += float32(weights[i] * diff)
	}
	// A trial whose levels equal the previous trial's has the same sums,
	// scale, min and error, so ggml's comparison (strictly smaller error)
	// rejects it: skipping it changes nothing.
	var lv [n]uint8
	xs, ws, la := (*[n]float32)(x), (*[n]float32)(weights), (*[n]uint8)(Laux)
	havePrev := false
	for is := 0; is <= nstep; is++ {
		iscale = (rmin + float32(rdelta*float32(is)) + nmax) / (mx - mn)
		for i := range lv {
			lv[i] = uint8(max(0, min(nmax, nearestInt(iscale*(xs[i]-mn)))))
		}
		if havePrev && lv == *la {
			continue
		}
		*la, havePrev = lv, true
		var sumL, sumL2, sumXL float32
		for i := range lv {
			fl := float32(lv[i])
			wl := float32(ws[i] * fl)
			sumL += wl
			sumL2 += float32(wl * fl)
			sumXL += float32(wl * xs[i])
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if D > 0 {
			thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
			thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
			if thisMin > 0 {
				thisMin = 0
				thisScale = sumXL / sumL2
			}
			var curError float32
			for i := range lv {
				diff := float32(thisScale*float32(lv[i])) + thisMin - xs[i]
				diff = diff * diff
				curError += float32(ws[i] * diff)
			}
			if curError < bestError {
				copy(L, Laux)
				bestError = curError
				scale = thisScale
				mn = thisMin
			}
		}
	}
	return scale, -mn
}

// quantQ6_K is quantize_row_q6_K_ref for one super-block: each sub-block
// of 16 gets a signed scale from make_qx_quants (nmax 32, weights x^2), the
// 16 scales are quantized to int8 against d = max_scale/-128 (max_scale the
// one of largest magnitude), and the elements are requantized to 6 bits
// with the stored scales.
func quantQ6_K(x []float32, y []byte, L *[QKK]int8) error {
	var scales [16]float32
	var maxScale, maxAbsScale float32
	for ib := 0; ib < 16; ib++ {
		scale := makeQxQuants(x[16*ib:16*ib+16], L[16*ib:16*ib+16])
		scales[ib] = scale
		if a := abs32(scale); a > maxAbsScale {
			maxAbsScale, maxScale = a, scale
		}
	}
	if maxAbsScale < groupMaxEps {
		for i := range y[:210] {
			y[i] = 0
		}
		return nil
	}
	iscale := -128 / maxScale
	if err := putF16(Q6_K, y[208:], 1/iscale); err != nil {
		return err
	}
	sc := y[192:208]
	for ib := 0; ib < 16; ib++ {
		sc[ib] = uint8(int8(min(127, nearestInt(iscale*scales[ib]))))
	}
	d0 := f16At(y[208:])
	for j := 0; j < 16; j++ {
		d := d0 * float32(int8(sc[j]))
		if d == 0 {
			continue
		}
		for ii := 0; ii < 16; ii++ {
			l := nearestInt(x[16*j+ii] / d)
			L[16*j+ii] = int8(max(-32, min(31, l)) + 32)
		}
	}
	for h := 0; h < 2; h++ {
		ql := y[64*h : 64*h+64]
		qh := y[128+32*h : 128+32*h+32]
		Lh := L[128*h : 128*h+128]
		for l := 0; l < 32; l++ {
			q1 := uint8(Lh[l]) & 0xf
			q2 := uint8(Lh[l+32]) & 0xf
			q3 := uint8(Lh[l+64]) & 0xf
			q4 := uint8(Lh[l+96]) & 0xf
			ql[l] = q1 | q3<<4
			ql[l+32] = q2 | q4<<4
			qh[l] = uint8(Lh[l])>>4 | (uint8(Lh[l+32])>>4)<<2 | (uint8(Lh[l+64])>>4)<<4 | (uint8(Lh[l+96])>>4)<<6
		}
	}
	return nil
}

// makeQxQuants is make_qx_quants(16, 32, x, L, rmse_type 1, NULL): a
// symmetric 6-bit fit with weights x^2, starting from iscale = -32/max (max
// the element of largest magnitude) and trying 18 nearby inverse scales,
// keeping the least-squares scale of the best. L gets values in 0..63
// (nmax + l); an all-zero group gets L = 0 and scale 0.
func makeQxQuants(x []float32, L []int8) float32 {
	const (
		n    = 16
		nmax = 32
	)
	x, L = x[:n], L[:n]
	var mx, amax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, mx = a, v
		}
	}
	if amax < groupMaxEps {
		for i := range L {
			L[i] = 0
		}
		return 0
	}
	iscale := -nmax / mx
	var sumlx, suml2 float32
	for i, v := range x {
		l := max(-nmax, min(nmax-1, nearestInt(iscale*v)))
		L[i] = int8(l + nmax)
		w := v * v
		sumlx += float32(w * v * float32(l))
		suml2 += float32(w * float32(l) * float32(l))
	}
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	// A trial whose levels equal the previous trial's has the same sums;
	// whether ggml accepts it again or not, L, scale and best come out the
	// same (L is recomputed to the same levels), so it is skipped.
	xs := (*[n]float32)(x)
	var prev, cur [n]int32
	for i, v := range xs {
		prev[i] = max(-nmax, min(nmax-1, nearestInt(-nmax/mx*v)))
	}
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(nmax + float32(float32(0.1)*float32(is))) / mx
		for i, v := range xs {
			cur[i] = max(-nmax, min(nmax-1, nearestInt(iscale*v)))
		}
		if cur == prev {
			continue
		}
		prev = cur
		sumlx, suml2 = 0, 0
		for i, v := range xs {
			fl := float32(cur[i])
			w := v * v
			sumlx += float32(w * v * fl)
			suml2 += float32(w * fl * fl)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i := range xs {
				L[i] = int8(nmax + cur[i])
			}
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}
