package kernels

var portableImpl = impl{tile: tileGo, tileH: tileHGo, expSub: expSubGo, gelu: geluGo, siluMul: siluMulGo,
	maxLanes: maxLanesGo, sumLanes: sumLanesGo, sumSqLanes: sumSqLanesGo,
	scale: scaleGo, add: addGo, layerNorm: layerNormGo, rmsNorm: rmsNormGo}

func tileGo(c []float32, ldc int, a []float32, lda int, mr int, b []float32, k int, bias []float32, mode int) {
	var acc [NR]float32
	for i := 0; i < mr; i++ {
		switch mode {
		case initZero:
			acc = [NR]float32{}
		case initBias:
			copy(acc[:], bias[:NR])
		case initC:
			copy(acc[:], c[i*ldc:i*ldc+NR])
		}
		row := a[i*lda : i*lda+k]
		for kk, av := range row {
			brow := b[kk*NR : kk*NR+NR : kk*NR+NR]
			for j := range acc {
				acc[j] = FMA32(av, brow[j], acc[j])
			}
		}
		copy(c[i*ldc:i*ldc+NR], acc[:])
	}
}

func tileHGo(c []float32, ldc int, a []float32, lda int, mr int, b []uint16, k int, bias []float32, mode int, f Format) {
	var acc, brow [NR]float32
	for i := 0; i < mr; i++ {
		switch mode {
		case initZero:
			acc = [NR]float32{}
		case initBias:
			copy(acc[:], bias[:NR])
		case initC:
			copy(acc[:], c[i*ldc:i*ldc+NR])
		}
		row := a[i*lda : i*lda+k]
		for kk, av := range row {
			ConvertHalf(brow[:], b[kk*NR:kk*NR+NR], f)
			for j := range acc {
				acc[j] = FMA32(av, brow[j], acc[j])
			}
		}
		copy(c[i*ldc:i*ldc+NR], acc[:])
	}
}

func expSubGo(dst, src []float32, m float32) {
	for i, v := range src {
		dst[i] = Exp1(v - m)
	}
}

func geluGo(x []float32) {
	for i, v := range x {
		x[i] = gelu1(v)
	}
}

func siluMulGo(g, u []float32) {
	for i, v := range g {
		g[i] = float32(silu1(v) * u[i])
	}
}

func maxLanesGo(x []float32, l [Lanes]float32) [Lanes]float32 {
	for i := 0; i+Lanes <= len(x); i += Lanes {
		v := x[i : i+Lanes : i+Lanes]
		for j := range l {
			if v[j] > l[j] {
				l[j] = v[j]
			}
		}
	}
	return l
}

func sumLanesGo(x []float32, l [Lanes]float32) [Lanes]float32 {
	for i := 0; i+Lanes <= len(x); i += Lanes {
		v := x[i : i+Lanes : i+Lanes]
		for j := range l {
			l[j] += v[j]
		}
	}
	return l
}

func sumSqLanesGo(x []float32, mean float32, l [Lanes]float32) [Lanes]float32 {
	for i := 0; i+Lanes <= len(x); i += Lanes {
		v := x[i : i+Lanes : i+Lanes]
		for j := range l {
			d := v[j] - mean
			l[j] += float32(d * d)
		}
	}
	return l
}

func scaleGo(x []float32, s float32) {
	for i := range x {
		x[i] = float32(x[i] * s)
	}
}

func addGo(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

func layerNormGo(dst, x, w, b []float32, mean, inv float32) {
	dst, w, b = dst[:len(x)], w[:len(x)], b[:len(x)]
	for i, xv := range x {
		d := float32((xv - mean) * inv)
		dst[i] = float32(d*w[i]) + b[i]
	}
}

func rmsNormGo(dst, x, w []float32, inv float32) {
	dst, w = dst[:len(x)], w[:len(x)]
	for i, xv := range x {
		dst[i] = float32(float32(xv*inv) * w[i])
	}
}
