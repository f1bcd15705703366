package native

import (
	"path/filepath"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
)

// ResidentBytes is the memory a model of this config holds once loaded
// from float32 weights, computed from the config alone: every weight as
// float32, matrices in panel layout (columns padded to the kernel width),
// the output head packed (a tied embedding is held once, as the head), an
// untied input embedding row-major, and the rotary tables. F16 and BF16
// weights stay 16-bit once loaded, so such a folder takes less: Footprint
// reads the weights' headers and gives the exact figure.
func (c *Config) ResidentBytes() int64 {
	pan := func(k, n int) int64 { return int64((n+kernels.NR-1)/kernels.NR*kernels.NR) * int64(k) }
	D, F, V := int64(c.Dim), int64(c.FF), int64(c.Vocab)
	var n int64
	if c.Arch == "gpt2" {
		n = int64(c.MaxPos) * D
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
	n = int64(c.Layers)*perLayer + D + pan(c.Dim, c.Vocab)
	if !c.TieEmbed {
		n += V * D
	}
	n += 2 * int64(c.MaxPos) * int64(hd/2) // rope cos and sin
	return 4 * n
}

// Footprint reads dir/config.json and the weights' headers (or a GGUF
// file's header; no tensor data) and returns the bytes the model will hold once loaded: what Load
// reports in Model.Bytes, counted by the same code, so publishers and
// routers can size a model without loading it.
func Footprint(dir string) (int64, error) {
	if g, err := ggufPath(dir); err != nil {
		return 0, err
	} else if g != "" {
		return ggufFootprint(g)
	}
	c, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return 0, err
	}
	w, err := safetensors.OpenDir(dir)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	m := &Model{Cfg: c}
	l := &loader{w: w, dry: true}
	m.load(l)
	if l.err != nil {
		return 0, l.err
	}
	return l.bytes + ropeBytes(c), nil
}
