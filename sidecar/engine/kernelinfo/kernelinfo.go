// Package kernelinfo exposes which kernel implementation the engine uses
// (the kernels package itself is internal to the engine).
package kernelinfo

import "github.com/cortnet/cortd/sidecar/engine/internal/kernels"

// Path names the kernel path in use: portable, avx2 or avx512.
func Path() string { return kernels.Current().String() }

// Use forces a path by name (for benchmarks and audits comparing paths).
func Use(name string) error {
	for _, p := range kernels.Available() {
		if p.String() == name {
			return kernels.Use(p)
		}
	}
	return kernels.Use(kernels.Path(-1))
}
