// Package kernels holds the engine's numeric kernels. Every kernel has a
// portable Go implementation and, on amd64, AVX2 and AVX-512 assembly that
// produces the same bits. The rules that make that possible:
//
//   - a matrix product accumulates each output with fused multiply-adds in
//     ascending k, starting from the bias (or zero); SIMD lanes and threads
//     split outputs, never one sum;
//   - every other reduction uses 16 lanes (lane j takes elements i with
//     i%16 == j, in order) folded in a fixed tree;
//   - exp and the activations built on it are the engine's own polynomial,
//     evaluated with the same operations in every path;
//   - in Go, every product that feeds an addition is wrapped in float32(),
//     which the language spec says forbids the compiler from fusing it (arm64
//     would otherwise emit FMADD where amd64 does not).
package kernels

import "math"

// FMA32 returns a*b+c rounded once to float32, as VFMADD231PS does.
//
// The product of two float32 values is exact in float64, so only the sum
// rounds; rounding that sum to float64 and then to float32 could round twice,
// so the float64 sum is first turned into round-to-odd (its error, from
// TwoSum, decides the sticky bit). Round-to-odd at 53 bits followed by
// round-to-nearest at 24 bits is correctly rounded.
func FMA32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	cc := float64(c)
	s := p + cc
	if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	bb := s - p
	e := (p - (s - bb)) + (cc - bb)
	if e != 0 {
		bits := math.Float64bits(s)
		if bits&1 == 0 {
			if (e > 0) == (s > 0) {
				bits++
			} else {
				bits--
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}
