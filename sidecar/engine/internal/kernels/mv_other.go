//go:build !amd64 || purego

package kernels

// mvRun is never called here: no path registers a one-row kernel.
func mvRun(kind int, c, a, b *float32, k int, bias *float32) {
	panic("kernels: no one-row kernel on this architecture")
}
