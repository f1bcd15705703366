package native

import (
	"path/filepath"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

// ResidentBytes is the memory a model of this config holds once loaded,
// computed from the config alone: every weight as float32, matrices in
// panel layout (columns padded to the kernel width), the tied or untied
// output head packed, and the rotary tables. Load reports the same number
// in Model.Bytes, so publishers and routers can size a model without
// loading it.
func (c *Config) ResidentBytes() int64 {
	pan := func(k, n int) int64 { return int64((n+kernels.NR-1)/kernels.NR*kernels.NR) * int64(k) }
	D, F, V := int64(c.Dim), int64(c.FF), int64(c.Vocab)
	var n int64
	if c.Arch == "gpt2" {
		n = V*D + int64(c.MaxPos)*D
		perLayer := 2*D + pan(c.Dim, 3*c.Dim) + 3*D + pan(c.Dim, c.Dim) + D + 2*D +
			pan(c.Dim, c.FF) + F + pan(c.FF, c.Dim) + D
		n += int64(c.Layers)*perLayer + 2*D + pan(c.Dim, c.Vocab)
		return 4 * n
	}
	hd := c.HeadDim()
	qd, kvd := c.Heads*hd, c.KVHeads*hd
	perLayer := 2*D + pan(c.Dim, qd) + 2*pan(c.Dim, kvd) + pan(qd, c.Dim) +
		2*pan(c.Dim, c.FF) + pan(c.FF, c.Dim)
	if c.QKVBias {
		perLayer += int64(qd + 2*kvd)
	}
	if c.OBias {
		perLayer += D
	}
	if c.QKNorm {
		perLayer += 2 * int64(hd)
	}
	n = V*D + int64(c.Layers)*perLayer + D + pan(c.Dim, c.Vocab)
	n += 2 * int64(c.MaxPos) * int64(hd/2) // rope cos and sin
	return 4 * n
}

// Footprint reads dir/config.json and returns the bytes the model will
// hold once loaded (Config.ResidentBytes).
func Footprint(dir string) (int64, error) {
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return 0, err
	}
	return c.ResidentBytes(), nil
}
