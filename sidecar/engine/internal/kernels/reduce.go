package kernels

// Lanes is the fixed lane count of every non-matmul reduction.
const Lanes = 16

// fold16 adds the lanes in a fixed tree: 8 pairs, 4, 2, 1.
func fold16(l *[Lanes]float32) float32 {
	for w := Lanes / 2; w >= 1; w /= 2 {
		for j := 0; j < w; j++ {
			l[j] += l[j+w]
		}
	}
	return l[0]
}

// Sum returns the 16-lane sum of x.
func Sum(x []float32) float32 {
	var l [Lanes]float32
	i := 0
	for ; i+Lanes <= len(x); i += Lanes {
		v := x[i : i+Lanes : i+Lanes]
		for j := range l {
			l[j] += v[j]
		}
	}
	for j := 0; i < len(x); i, j = i+1, j+1 {
		l[j] += x[i]
	}
	return fold16(&l)
}

// SumSquares returns the 16-lane sum of (x-mean)^2. Products are rounded
// before the add (no FMA) so plain Go is as exact as the assembly would be.
func SumSquares(x []float32, mean float32) float32 {
	var l [Lanes]float32
	i := 0
	for ; i+Lanes <= len(x); i += Lanes {
		v := x[i : i+Lanes : i+Lanes]
		for j := range l {
			d := v[j] - mean
			l[j] += float32(d * d)
		}
	}
	for j := 0; i < len(x); i, j = i+1, j+1 {
		d := x[i] - mean
		l[j] += float32(d * d)
	}
	return fold16(&l)
}

// Max returns the largest element (exact, order-free) or -Inf for empty x.
func Max(x []float32) float32 {
	m := float32(negInf)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}
