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
	n := len(x) &^ (Lanes - 1)
	l = cur().sumLanes(x[:n], l)
	for j, i := 0, n; i < len(x); i, j = i+1, j+1 {
		l[j] += x[i]
	}
	return fold16(&l)
}

// SumSquares returns the 16-lane sum of (x-mean)^2. Products are rounded
// before the add (no FMA) so plain Go is as exact as the assembly.
func SumSquares(x []float32, mean float32) float32 {
	var l [Lanes]float32
	n := len(x) &^ (Lanes - 1)
	l = cur().sumSqLanes(x[:n], mean, l)
	for j, i := 0, n; i < len(x); i, j = i+1, j+1 {
		d := x[i] - mean
		l[j] += float32(d * d)
	}
	return fold16(&l)
}

// Max returns the largest element, or -Inf for empty x; NaNs are skipped
// and a zero maximum is +0, so the result does not depend on the order
// elements are compared in.
func Max(x []float32) float32 {
	var l [Lanes]float32
	for j := range l {
		l[j] = float32(negInf)
	}
	n := len(x) &^ (Lanes - 1)
	l = cur().maxLanes(x[:n], l)
	m := float32(negInf)
	for _, v := range l {
		if v > m {
			m = v
		}
	}
	for _, v := range x[n:] {
		if v > m {
			m = v
		}
	}
	if m == 0 {
		m = 0
	}
	return m
}
