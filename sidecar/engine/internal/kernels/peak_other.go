//go:build !amd64 || purego

package kernels

// Without assembly only the portable path exists, and the FMA-peak
// benchmark skips it; these keep the benchmark compiling.
const fmaPeakChains = 12

func fmaPeak(Path, int) {}
