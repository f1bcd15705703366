package kernels

var portableImpl = impl{tile: tileGo, expSub: expSubGo, gelu: geluGo, siluMul: siluMulGo}

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
