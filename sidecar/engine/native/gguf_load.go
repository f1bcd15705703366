package native

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/quant"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// GGUFFile is the weights file a GGUF model folder holds (what
// `model init --format gguf` and `model quantize` into a folder write).
const GGUFFile = "model.gguf"

// ggufPath returns the GGUF file path names, or "" when it names a
// safetensors folder: a path ending in .gguf, or a folder holding
// model.gguf and no model.safetensors (nor its index).
func ggufPath(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		if !strings.HasSuffix(strings.ToLower(path), ".gguf") {
			return "", fmt.Errorf("%s: a model is a folder or a .gguf file", path)
		}
		return path, nil
	}
	g := filepath.Join(path, GGUFFile)
	if _, err := os.Stat(g); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		return "", err
	}
	for _, st := range []string{"model.safetensors", "model.safetensors.index.json"} {
		if _, err := os.Stat(filepath.Join(path, st)); err == nil {
			return "", fmt.Errorf("%s: holds both %s and %s; keep one weights format", path, GGUFFile, st)
		}
	}
	return g, nil
}

// loadGGUF loads a GGUF model: the config from the file's metadata, the
// tokenizer from dir's tokenizer.json when the folder has one (the
// published file, exactly as the safetensors folder would use it), else
// from the tokenizer.ggml.* keys, the end-of-generation ids from dir's
// generation_config.json or config.json when present, else the file's
// EOS, and the tensors in their file types: F32, F16 and BF16 matrices as
// panels (16-bit stays 16-bit), Q8_0, Q4_0, Q4_K and Q6_K matrices as the
// file's blocks. dir is "" for a bare .gguf file.
func loadGGUF(path, dir string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg, err := ConfigFromGGUF(f)
	if err != nil {
		return nil, err
	}
	var tok *tokenizer.Tokenizer
	sampleN := 0
	tj := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(tj); dir != "" && err == nil {
		tok, err = tokenizer.Load(tj)
		if err != nil {
			return nil, err
		}
	} else {
		v, err := VocabFromGGUF(f)
		if err != nil {
			return nil, err
		}
		if tok, err = tokenizer.FromGGUF(v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		sampleN = unpadded(v)
	}
	if tok.VocabSize() > cfg.Vocab {
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens, token_embd.weight has %d rows", path, tok.VocabSize(), cfg.Vocab)
	}
	var eos []int
	if dir != "" {
		if eos, err = EOSIDs(dir, cfg.Vocab, tok); err != nil {
			return nil, err
		}
	} else if tok.EOS() >= 0 {
		eos = []int{tok.EOS()}
	}
	name := filepath.Base(dir)
	if dir == "" {
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	m := &Model{Name: name, Cfg: cfg, Tok: tok, eos: eos, sampleN: sampleN}
	l, err := newGGUFLoader(f, cfg)
	if err != nil {
		return nil, err
	}
	m.load(l)
	if err := l.run(); err != nil {
		return nil, err
	}
	if err := l.g.unused(); err != nil {
		return nil, err
	}
	m.Bytes = l.bytes + ropeBytes(cfg)
	return m, nil
}

// unpadded is the token count without the padding converters append to
// reach the embedding's rows ("[PAD<id>]", type unused, as padVocab and
// llama.cpp's converter write it): generation never picks those ids, as
// it never picks ids past tokenizer.json's vocabulary in a folder.
func unpadded(v *tokenizer.GGUFVocab) int {
	n := len(v.Tokens)
	for n > 0 && v.Types != nil && v.Types[n-1] == 5 && v.Tokens[n-1] == fmt.Sprintf("[PAD%d]", n-1) {
		n--
	}
	return n
}

// ggufSource resolves the layout code's (Hugging Face) tensor names in a
// GGUF file through GGUFTensors, the converter's own table, so the file
// and the folder it came from load through the same code.
type ggufSource struct {
	f     *gguf.File
	specs map[string]GGUFTensor // by Hugging Face name
	used  map[string]bool       // GGUF names the layout read
}

func newGGUFLoader(f *gguf.File, cfg *Config) (*loader, error) {
	ts, err := GGUFTensors(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	g := &ggufSource{f: f, specs: map[string]GGUFTensor{}, used: map[string]bool{ropeFreqsName: true}}
	for _, t := range ts {
		if t.HF != "" {
			g.specs[t.HF] = t
		}
	}
	return &loader{g: g}, nil
}

func (g *ggufSource) has(hf string) bool {
	t, ok := g.specs[hf]
	return ok && g.f.HasTensor(t.Name)
}

// unused refuses a file with tensors the model does not read (a family or
// shape the config did not describe): they would be silently ignored.
func (g *ggufSource) unused() error {
	for _, t := range g.f.Tensors {
		if !g.used[t.Name] {
			return fmt.Errorf("%s: tensor %s is not part of the model its metadata describes", g.f.Path, t.Name)
		}
	}
	return nil
}

// info finds hf's tensor and checks its GGUF dims (ne, row length first)
// and type; errors stick.
func (l *loader) ggufInfo(hf string, dims ...int) (GGUFTensor, gguf.TensorInfo, bool) {
	if l.err != nil {
		return GGUFTensor{}, gguf.TensorInfo{}, false
	}
	g := l.g
	spec, ok := g.specs[hf]
	if !ok {
		l.err = fmt.Errorf("%s: the model needs %s, which has no GGUF name", g.f.Path, hf)
		return spec, gguf.TensorInfo{}, false
	}
	ti, ok := g.f.Tensor(spec.Name)
	if !ok {
		l.err = fmt.Errorf("%s: tensor %s missing", g.f.Path, spec.Name)
		return spec, ti, false
	}
	g.used[spec.Name] = true
	bad := len(ti.Dims) != len(dims)
	for i := 0; !bad && i < len(dims); i++ {
		bad = ti.Dims[i] != dims[i]
	}
	if bad {
		l.err = fmt.Errorf("%s: tensor %s: dims %v, want %v", g.f.Path, spec.Name, ti.Dims, dims)
		return spec, ti, false
	}
	if !ti.Type.Known() || (ti.Type.Quantized() && !kernels.QSupported(ti.Type)) {
		l.err = fmt.Errorf("%s: tensor %s has type %s; the engine computes with F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K", g.f.Path, spec.Name, gguf.GGMLTypeName(uint32(ti.Type)))
		return spec, ti, false
	}
	return spec, ti, true
}

// ggufGet reads a small tensor (norms, biases, GPT-2's positions) as
// float32, shape given as the Hugging Face tensor's (GGUF's dims reversed).
func (l *loader) ggufGet(hf string, shape ...int) []float32 {
	dims := make([]int, len(shape))
	for i, s := range shape {
		dims[len(shape)-1-i] = s
	}
	spec, ti, ok := l.ggufInfo(hf, dims...)
	if !ok {
		return nil
	}
	n := int(ti.Elements())
	l.bytes += 4 * int64(n)
	if l.dry {
		return nil
	}
	raw, err := l.g.f.TensorBytes(spec.Name)
	if err != nil {
		l.err = err
		return nil
	}
	v := make([]float32, n)
	if err := quant.Dequantize(ti.Type, raw, v); err != nil {
		l.err = fmt.Errorf("%s: tensor %s: %w", l.g.f.Path, spec.Name, err)
		return nil
	}
	for i, x := range v {
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			l.err = fmt.Errorf("%s: tensor %s: element %d is %v (weights must be finite)", l.g.f.Path, spec.Name, i, x)
			return nil
		}
	}
	if spec.PermuteHeads > 0 {
		// A llama q or k bias: its elements follow the rows' order.
		if err := checkPermute(spec, n); err != nil {
			l.err = fmt.Errorf("%s: %w", l.g.f.Path, err)
			return nil
		}
		b := make([]byte, 4*n)
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		UnpermuteRows(b, 4, spec.PermuteHeads, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
	return v
}

// checkPermute refuses a head count that does not divide rows into
// rotate-half pairs (UnpermuteRows' precondition; the config was checked,
// so this only fires on a file that contradicts it).
func checkPermute(spec GGUFTensor, rows int) error {
	if rows%(2*spec.PermuteHeads) != 0 {
		return fmt.Errorf("tensor %s: %d rows do not split into %d heads of rotary pairs", spec.Name, rows, spec.PermuteHeads)
	}
	return nil
}

// ggufPack lays out a weight matrix of in inputs and out outputs. GGUF
// stores every matrix as out rows of in weights (GPT-2's Conv1D weights
// were transposed by the converter), so all are Linear-shaped: F32, F16
// and BF16 go into panels as a torch Linear's rows do, quantized types
// stay the file's blocks. A llama q or k projection's rows are put back in
// the rotate-half order (UnpermuteRows).
func (l *loader) ggufPack(hf string, in, out int) kernels.Panels {
	spec, ti, ok := l.ggufInfo(hf, in, out)
	if !ok {
		return kernels.Panels{}
	}
	if ti.Type.Quantized() {
		l.bytes += ti.Size
		if l.dry {
			return kernels.Panels{}
		}
		p := kernels.Panels{K: in, N: out, Q: &kernels.QMatrix{}}
		l.rawJob(spec, ti, out, func(data []byte) error {
			q, err := kernels.NewQMatrix(ti.Type, in, out, data)
			if err != nil {
				return fmt.Errorf("%s: tensor %s: %w", l.g.f.Path, spec.Name, err)
			}
			*p.Q = *q
			return nil
		})
		return p
	}
	f, dt := plainFormat(ti.Type)
	p, ok := l.panels(f, in, out)
	if !ok {
		return kernels.Panels{}
	}
	j := l.ggufJob(spec, ti, dt, out, in)
	j.p, j.linear = p, true
	return p
}

// ggufTable lays out a rows x cols row-major table (an untied model's
// token embedding): plain types as embTable's f32/half, quantized ones as
// blocks whose rows are dequantized on lookup.
func (l *loader) ggufTable(hf string, rows, cols int) embTable {
	spec, ti, ok := l.ggufInfo(hf, cols, rows)
	if !ok {
		return embTable{}
	}
	if ti.Type.Quantized() {
		l.bytes += ti.Size
		if l.dry {
			return embTable{}
		}
		e := embTable{dim: cols, q: &kernels.QMatrix{}}
		l.rawJob(spec, ti, rows, func(data []byte) error {
			q, err := kernels.NewQMatrix(ti.Type, cols, rows, data)
			if err != nil {
				return fmt.Errorf("%s: tensor %s: %w", l.g.f.Path, spec.Name, err)
			}
			*e.q = *q
			return nil
		})
		return e
	}
	f, dt := plainFormat(ti.Type)
	e := l.newTable(f, rows, cols)
	if e == nil {
		return embTable{}
	}
	l.ggufJob(spec, ti, dt, rows, cols).table = e
	return *e
}

// plainFormat maps a plain GGUF type to the panels' format and the
// element type the decoder reads.
func plainFormat(t quant.Type) (kernels.Format, safetensors.DType) {
	switch t {
	case quant.F16:
		return kernels.F16, safetensors.F16
	case quant.BF16:
		return kernels.BF16, safetensors.BF16
	}
	return kernels.F32, safetensors.F32
}

// ggufJob queues a plain-typed tensor of rows x cols for the decoder. A
// permuted q or k is read whole now and put in order first (it is small
// next to the model: one layer's projection).
func (l *loader) ggufJob(spec GGUFTensor, ti gguf.TensorInfo, dt safetensors.DType, rows, cols int) *loadJob {
	f := l.g.f
	j := &loadJob{name: spec.Name, file: f.Path, dt: dt, rows: rows, cols: cols, rowBytes: cols * dt.Size()}
	j.read = func(off int64, buf []byte) error { return f.ReadTensorAt(spec.Name, off, buf) }
	if spec.PermuteHeads > 0 {
		raw, err := l.ordered(spec, ti, rows)
		if err != nil {
			l.err = err
			return j
		}
		j.read = func(off int64, buf []byte) error { copy(buf, raw[off:]); return nil }
	}
	l.jobs = append(l.jobs, j)
	return j
}

// rawJob queues a quantized tensor of rows rows: its bytes are read into
// a fresh buffer, checked, put in rotate-half order when permuted, and
// handed to done (which prepares the kernels' matrix) after the load.
func (l *loader) rawJob(spec GGUFTensor, ti gguf.TensorInfo, rows int, done func([]byte) error) {
	f := l.g.f
	data := make([]byte, ti.Size)
	j := &loadJob{name: spec.Name, file: f.Path, rows: rows, rowBytes: ti.RowBytes(), raw: data, qt: ti.Type}
	j.read = func(off int64, buf []byte) error { return f.ReadTensorAt(spec.Name, off, buf) }
	l.jobs = append(l.jobs, j)
	l.finish = append(l.finish, func() error {
		if spec.PermuteHeads > 0 {
			if err := checkPermute(spec, rows); err != nil {
				return fmt.Errorf("%s: %w", f.Path, err)
			}
			UnpermuteRows(data, ti.RowBytes(), spec.PermuteHeads, rows)
		}
		return done(data)
	})
}

// ordered reads a permuted tensor whole and undoes the permutation.
func (l *loader) ordered(spec GGUFTensor, ti gguf.TensorInfo, rows int) ([]byte, error) {
	if err := checkPermute(spec, rows); err != nil {
		return nil, fmt.Errorf("%s: %w", l.g.f.Path, err)
	}
	raw, err := l.g.f.TensorBytes(spec.Name)
	if err != nil {
		return nil, err
	}
	UnpermuteRows(raw, ti.RowBytes(), spec.PermuteHeads, rows)
	return raw, nil
}

// ModelConfig reads the config a model loads with: a GGUF model's from
// its metadata, a safetensors folder's from config.json.
func ModelConfig(path string) (*Config, error) {
	g, err := ggufPath(path)
	if err != nil {
		return nil, err
	}
	if g == "" {
		return LoadConfig(filepath.Join(path, "config.json"))
	}
	f, err := gguf.Open(g)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ConfigFromGGUF(f)
}

// ggufFootprint is Footprint for a GGUF file: the bytes Load reports,
// from the header alone.
func ggufFootprint(path string) (int64, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cfg, err := ConfigFromGGUF(f)
	if err != nil {
		return 0, err
	}
	l, err := newGGUFLoader(f, cfg)
	if err != nil {
		return 0, err
	}
	l.dry = true
	(&Model{Cfg: cfg}).load(l)
	if l.err != nil {
		return 0, l.err
	}
	return l.bytes + ropeBytes(cfg), nil
}
