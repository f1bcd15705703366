package native

import (
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/quant"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// layer holds one block's weights. Matrices are packed in panel layout
// (in x out); GPT-2 fuses q, k, v into qkv, Llama keeps them apart.
type layer struct {
	norm1W, norm1B []float32
	norm2W, norm2B []float32
	qkv            kernels.Panels // GPT-2: D x 3D
	qkvB           []float32
	q, k, v        kernels.Panels // Llama
	qB, kB, vB     []float32      // Qwen2 (and attention_bias)
	qNorm, kNorm   []float32      // Qwen3: per-head RMSNorm weights (HeadDim)
	o              kernels.Panels
	oB             []float32
	up, gate, down kernels.Panels
	upB, downB     []float32
}

// Model is a loaded model: config, tokenizer and packed weights. It is
// read-only after Load and shared by concurrent requests.
type Model struct {
	Name             string
	Cfg              *Config
	Tok              *tokenizer.Tokenizer
	tokEmb           embTable  // V x D, untied models only (tied: lmHead's columns)
	posEmb           []float32 // MaxPos x D (GPT-2)
	layers           []layer
	normW            []float32
	normB            []float32
	lmHead           kernels.Panels // D x V, in the file's format
	ropeCos, ropeSin []float32
	pool             statePool
	// BatchCfg configures batching of EmbedBatch and LossBatch; set it
	// before their first call (the manager sets it at load).
	BatchCfg  BatchConfig
	batchOnce sync.Once
	batcher   *batcher
	// Bytes is the memory the weights take (for the manager's budget).
	Bytes int64
	eos   []int // token ids that end a generation (generation.go); nil: Tok.EOS()
	// sampleN, when > 0, is how many ids sampling may pick (a GGUF
	// vocabulary's trailing padding is left out); 0: Tok.VocabSize().
	sampleN int
	// maxTok is the longest token's byte length, computed on first use
	// (Replay bounds the text it drafts with it).
	maxTokOnce sync.Once
	maxTok     int
}

// sampleVocab is how many ids generation may pick: those the tokenizer
// can decode, without a GGUF vocabulary's padding rows.
func (m *Model) sampleVocab() int {
	if m.sampleN > 0 {
		return m.sampleN
	}
	return m.Tok.VocabSize()
}

// embTable is a row-major V x D token embedding kept in its file's format:
// an untied model's input table (a tied model reads its rows from the
// output head's panels instead, so the table is held once).
type embTable struct {
	fmt  kernels.Format
	dim  int
	f32  []float32
	half []uint16
	q    *kernels.QMatrix // a GGUF file's quantized table (its rows dequantized on lookup)
}

// row widens row id into dst (exactly: every f16/bf16 is a float32).
func (e *embTable) row(id int, dst []float32) {
	if e.q != nil {
		e.q.Row(id, dst[:e.dim])
		return
	}
	if e.fmt == kernels.F32 {
		copy(dst[:e.dim], e.f32[id*e.dim:])
		return
	}
	kernels.ConvertHalf(dst[:e.dim], e.half[id*e.dim:id*e.dim+e.dim], e.fmt)
}

func (e *embTable) bytes() int64 {
	n := 4*int64(len(e.f32)) + 2*int64(len(e.half))
	if e.q != nil {
		n += int64(len(e.q.Data))
	}
	return n
}

// embedRow writes token id's embedding into dst: from the untied input
// table when the model has one, else the tied output head's column.
func (m *Model) embedRow(id int, dst []float32) {
	if m.tokEmb.dim > 0 {
		m.tokEmb.row(id, dst)
		return
	}
	m.lmHead.Column(id, dst)
}

type loader struct {
	w      *safetensors.Weights
	g      *ggufSource // set instead of w for a GGUF file (gguf_load.go)
	prefix string
	bytes  int64
	err    error
	// dry counts bytes without reading or allocating (Footprint).
	dry  bool
	jobs []*loadJob
	// finish runs after the jobs (quantized matrices are prepared once
	// their bytes are in).
	finish []func() error
}

// loadJob decodes one matrix tensor (rows x cols, row-major in the file)
// straight into its destination: panels (a torch Linear's out x in rows
// become panel columns; GPT-2 Conv1D's in x out rows become panel rows)
// or a row-major embedding table.
type loadJob struct {
	read       func(off int64, buf []byte) error // the tensor's bytes from off
	name, file string
	dt         safetensors.DType
	rows, cols int
	rowBytes   int // bytes of one file row
	p          kernels.Panels
	linear     bool
	table      *embTable
	// raw, when set, receives the file's bytes unchanged (a quantized
	// tensor of type qt, checked for non-finite block scales).
	raw []byte
	qt  quant.Type
}

// has reports whether the weights hold a tensor (after the prefix).
func (l *loader) has(name string) bool {
	if l.g != nil {
		return l.g.has(name)
	}
	return l.w.Has(l.prefix+name) || l.w.Has(name)
}

// safetensorsJob is a job reading tensor full of l.w.
func (l *loader) safetensorsJob(full, file string, dt safetensors.DType, rows, cols int) *loadJob {
	w := l.w
	return &loadJob{read: func(off int64, buf []byte) error { return w.ReadRaw(full, off, buf) },
		name: full, file: file, dt: dt, rows: rows, cols: cols, rowBytes: cols * dt.Size()}
}

// info resolves name (with or without the prefix) and checks its shape;
// errors stick.
func (l *loader) info(name string, shape ...int) (string, safetensors.TensorInfo, string, bool) {
	if l.err != nil {
		return "", safetensors.TensorInfo{}, "", false
	}
	full := l.prefix + name
	if !l.w.Has(full) {
		full = name
	}
	ti, _, ok := l.w.Info(full)
	if !ok {
		_, _, _, err := l.w.Float32(full) // the missing-tensor error, naming the folder
		l.err = err
		return "", ti, "", false
	}
	file := l.w.Path(full)
	bad := len(ti.Shape) != len(shape)
	for i := 0; !bad && i < len(shape); i++ {
		bad = ti.Shape[i] != shape[i]
	}
	if bad {
		l.err = fmt.Errorf("%s: tensor %s: shape %v, want %v", file, full, ti.Shape, shape)
		return "", ti, "", false
	}
	return full, ti, file, true
}

// get reads a small tensor (norm weights, biases, GPT-2's positions) as
// float32, checks its shape and that every value is finite; errors stick
// so the caller can read many tensors and check once.
func (l *loader) get(name string, shape ...int) []float32 {
	if l.g != nil {
		return l.ggufGet(name, shape...)
	}
	full, ti, file, ok := l.info(name, shape...)
	if !ok {
		return nil
	}
	if l.dry {
		l.bytes += int64(4 * ti.NumElements())
		return nil
	}
	v, _, _, err := l.w.Float32(full)
	if err != nil {
		l.err = err
		return nil
	}
	for i, x := range v {
		// NaN and ±Inf are exactly the values with every exponent bit set.
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			l.err = fmt.Errorf("%s: tensor %s: element %d is %v (weights must be finite)", file, full, i, x)
			return nil
		}
	}
	l.bytes += int64(4 * len(v))
	return v
}

func formatOf(dt safetensors.DType) kernels.Format {
	switch dt {
	case safetensors.F16:
		return kernels.F16
	case safetensors.BF16:
		return kernels.BF16
	}
	return kernels.F32
}

// pack queues a weight matrix to be decoded into panels in its file's
// format (f32, f16 or bf16: 16-bit weights stay 16-bit). torch Linear
// stores out x in (transposed); GPT-2's Conv1D stores in x out. The
// panels are allocated now and filled by run.
func (l *loader) pack(name string, in, out int, linear bool) kernels.Panels {
	if l.g != nil {
		return l.ggufPack(name, in, out)
	}
	shape := []int{in, out}
	if linear {
		shape = []int{out, in}
	}
	full, ti, file, ok := l.info(name, shape...)
	if !ok {
		return kernels.Panels{}
	}
	f := formatOf(ti.DType)
	p, ok := l.panels(f, in, out)
	if !ok {
		return kernels.Panels{}
	}
	j := l.safetensorsJob(full, file, ti.DType, shape[0], shape[1])
	j.p, j.linear = p, linear
	l.jobs = append(l.jobs, j)
	return p
}

// panels allocates in x out panels of format f and counts their bytes;
// ok is false when the loader only counts (dry).
func (l *loader) panels(f kernels.Format, in, out int) (p kernels.Panels, ok bool) {
	if l.dry {
		np := (out + kernels.NR - 1) / kernels.NR
		l.bytes += int64(np) * int64(in) * kernels.NR * int64(f.ElemBytes())
		return p, false
	}
	if f == kernels.F32 {
		p = kernels.NewPanels(in, out)
	} else {
		p = kernels.NewHalfPanels(in, out, f)
	}
	l.bytes += p.Bytes()
	return p, true
}

// newTable allocates a rows x cols table of format f and counts its bytes;
// nil when the loader only counts (dry).
func (l *loader) newTable(f kernels.Format, rows, cols int) *embTable {
	if l.dry {
		l.bytes += int64(rows) * int64(cols) * int64(f.ElemBytes())
		return nil
	}
	e := &embTable{fmt: f, dim: cols}
	if f == kernels.F32 {
		e.f32 = make([]float32, rows*cols)
	} else {
		e.half = make([]uint16, rows*cols)
	}
	l.bytes += e.bytes()
	return e
}

// table queues a rows x cols row-major table kept in its file's format.
func (l *loader) table(name string, rows, cols int) embTable {
	if l.g != nil {
		return l.ggufTable(name, rows, cols)
	}
	full, ti, file, ok := l.info(name, rows, cols)
	if !ok {
		return embTable{}
	}
	f := formatOf(ti.DType)
	e := l.newTable(f, rows, cols)
	if e == nil {
		return embTable{}
	}
	j := l.safetensorsJob(full, file, ti.DType, rows, cols)
	j.table = e
	l.jobs = append(l.jobs, j)
	return *e
}

// pieceBytes is about the file bytes one piece of a job (the unit a
// goroutine takes) covers; chunkBytes bounds one read, so the buffer stays
// in the core's L2 while it is scattered into the destination.
var pieceBytes, chunkBytes = 4 << 20, 256 << 10

type piece struct {
	job    *loadJob
	r0, r1 int // file rows
}

// run decodes every queued tensor, splitting each into pieces of whole
// file rows (whole 64-row panels for Linear weights) that GOMAXPROCS
// goroutines take in turn. Pieces write disjoint memory, so the result is
// the same whatever the schedule; the error reported is that of the first
// failing piece in load order (each piece scans in file order), so it is
// the first non-finite element of the first bad tensor, as a serial load
// would report.
func (l *loader) run() error {
	if l.err != nil || l.dry {
		return l.err
	}
	var pieces []piece
	for _, j := range l.jobs {
		step := max(1, pieceBytes/max(1, j.rowBytes))
		if j.table == nil && j.linear {
			step = max(kernels.NR, step/kernels.NR*kernels.NR)
		}
		for r := 0; r < j.rows; r += step {
			pieces = append(pieces, piece{j, r, min(j.rows, r+step)})
		}
	}
	errs := make([]error, len(pieces))
	var next atomic.Int64
	var failed atomic.Bool
	work := func() {
		var buf []byte
		for {
			i := int(next.Add(1) - 1)
			if i >= len(pieces) || failed.Load() {
				return
			}
			if errs[i] = pieces[i].decode(&buf); errs[i] != nil {
				failed.Store(true)
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(pieces))
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	l.jobs = nil
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, fn := range l.finish {
		if err := fn(); err != nil {
			return err
		}
	}
	l.finish = nil
	return nil
}

// decode reads the piece's rows in chunks of at most pieceBytes and writes
// them to the destination, refusing non-finite values.
func (pc piece) decode(bufp *[]byte) error {
	j := pc.job
	rowBytes := j.rowBytes
	if j.raw != nil {
		// Quantized: the file's bytes are the kernels' (prepare repacks
		// them in place later); only the block scales need a check.
		dst := j.raw[pc.r0*rowBytes : pc.r1*rowBytes]
		if err := j.read(int64(pc.r0)*int64(rowBytes), dst); err != nil {
			return err
		}
		if b := quant.FirstNonFinite(j.qt, dst); b >= 0 {
			per := rowBytes / j.qt.BlockBytes()
			return fmt.Errorf("%s: tensor %s: row %d, block %d has a non-finite scale (weights must be finite)", j.file, j.name, pc.r0+b/per, b%per)
		}
		return nil
	}
	chunk := max(1, chunkBytes/max(1, rowBytes))
	for r0 := pc.r0; r0 < pc.r1; r0 += chunk {
		r1 := min(pc.r1, r0+chunk)
		n := (r1 - r0) * rowBytes
		if cap(*bufp) < n {
			*bufp = make([]byte, n)
		}
		raw := (*bufp)[:n]
		if err := j.read(int64(r0)*int64(rowBytes), raw); err != nil {
			return err
		}
		if bad := j.store(raw, r0, r1); bad >= 0 {
			var v float32
			switch j.dt {
			case safetensors.F32:
				v = math.Float32frombits(binary.LittleEndian.Uint32(raw[bad*4:]))
			case safetensors.F16:
				v = kernels.HalfToF32(binary.LittleEndian.Uint16(raw[bad*2:]))
			default:
				v = kernels.BF16ToF32(binary.LittleEndian.Uint16(raw[bad*2:]))
			}
			return fmt.Errorf("%s: tensor %s: element %d is %v (weights must be finite)", j.file, j.name, r0*j.cols+bad, v)
		}
	}
	return nil
}

// Load reads a model: a folder with config.json, tokenizer.json and the
// weights (one model.safetensors, shards listed by
// model.safetensors.index.json, or one model.gguf), or a .gguf file.
func Load(dir string) (*Model, error) {
	if g, err := ggufPath(dir); err != nil {
		return nil, err
	} else if g != "" {
		if g == dir {
			return loadGGUF(g, "")
		}
		return loadGGUF(g, dir)
	}
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > cfg.Vocab {
		return nil, fmt.Errorf("%s: tokenizer.json has %d tokens, config.json's vocab_size is %d", dir, tok.VocabSize(), cfg.Vocab)
	}
	eos, err := EOSIDs(dir, cfg.Vocab, tok)
	if err != nil {
		return nil, err
	}
	m, err := loadWeights(dir, cfg)
	if err != nil {
		return nil, err
	}
	m.Tok, m.eos = tok, eos
	return m, nil
}

// loadWeights reads a folder's weights for cfg: one model.safetensors or
// sharded with model.safetensors.index.json, in f32, f16 or bf16. Every
// tensor is checked for shape and finite values; errors name the file and
// the tensor.
func loadWeights(dir string, cfg *Config) (*Model, error) {
	w, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	m := &Model{Name: filepath.Base(dir), Cfg: cfg}
	l := &loader{w: w}
	m.load(l)
	if err := l.run(); err != nil {
		return nil, err // names the file (or folder) and the tensor
	}
	m.Bytes = l.bytes + ropeBytes(cfg)
	return m, nil
}

// load lays out the model's tensors: small ones are read now, matrices
// are queued for l.run (or only counted when l.dry).
func (m *Model) load(l *loader) {
	switch m.Cfg.Arch {
	case "gpt2":
		m.loadGPT2(l)
	case "llama":
		m.loadLlama(l)
	}
}

// EncodePrompt tokenizes text for the model as Hugging Face's
// encode(text) does: the tokenizer applies its post-processor, so BOS comes
// first exactly where tokenizer.json says (Llama 2/3 and Mistral add it,
// GPT-2 and Qwen do not). Loss, embeddings and prompt logprobs use it.
func (m *Model) EncodePrompt(text string) []int { return m.Tok.Encode(text) }

// ropeBytes is the memory of the rotary tables initRope makes (counted in
// the footprint).
func ropeBytes(c *Config) int64 {
	if c.Arch != "llama" {
		return 0
	}
	return 4 * 2 * int64(c.MaxPos) * int64(c.HeadDim()/2)
}

func (m *Model) loadGPT2(l *loader) {
	c := m.Cfg
	D, F, V := c.Dim, c.FF, c.Vocab
	if l.w != nil && l.w.Has("transformer.wte.weight") {
		l.prefix = "transformer."
	}
	if c.TieEmbed {
		// The output head is the token embedding (wte, V x D like a torch
		// Linear's out x in): held once, as panels; embedRow reads its columns.
		m.lmHead = l.pack("wte.weight", D, V, true)
	} else {
		// A GGUF file with its own output.weight (llama.cpp writes one
		// when the checkpoint has lm_head).
		m.tokEmb = l.table("wte.weight", V, D)
	}
	m.posEmb = l.get("wpe.weight", c.MaxPos, D)
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		ly := &m.layers[i]
		p := fmt.Sprintf("h.%d.", i)
		ly.norm1W, ly.norm1B = l.get(p+"ln_1.weight", D), l.get(p+"ln_1.bias", D)
		ly.qkv, ly.qkvB = l.pack(p+"attn.c_attn.weight", D, 3*D, false), l.get(p+"attn.c_attn.bias", 3*D)
		ly.o, ly.oB = l.pack(p+"attn.c_proj.weight", D, D, false), l.get(p+"attn.c_proj.bias", D)
		ly.norm2W, ly.norm2B = l.get(p+"ln_2.weight", D), l.get(p+"ln_2.bias", D)
		ly.up, ly.upB = l.pack(p+"mlp.c_fc.weight", D, F, false), l.get(p+"mlp.c_fc.bias", F)
		ly.down, ly.downB = l.pack(p+"mlp.c_proj.weight", F, D, false), l.get(p+"mlp.c_proj.bias", D)
	}
	m.normW, m.normB = l.get("ln_f.weight", D), l.get("ln_f.bias", D)
	if !c.TieEmbed {
		m.lmHead = l.pack("lm_head.weight", D, V, true)
	}
}

func (m *Model) loadLlama(l *loader) {
	c := m.Cfg
	D, F, V, hd := c.Dim, c.FF, c.Vocab, c.HeadDim()
	if c.TieEmbed {
		// Held once, as the output head's panels; embedRow reads columns.
		m.lmHead = l.pack("model.embed_tokens.weight", D, V, true)
	} else {
		m.tokEmb = l.table("model.embed_tokens.weight", V, D)
	}
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		ly := &m.layers[i]
		p := fmt.Sprintf("model.layers.%d.", i)
		ly.norm1W = l.get(p+"input_layernorm.weight", D)
		ly.q = l.pack(p+"self_attn.q_proj.weight", D, c.Heads*hd, true)
		ly.k = l.pack(p+"self_attn.k_proj.weight", D, c.KVHeads*hd, true)
		ly.v = l.pack(p+"self_attn.v_proj.weight", D, c.KVHeads*hd, true)
		ly.o = l.pack(p+"self_attn.o_proj.weight", c.Heads*hd, D, true)
		if c.QKVBias {
			ly.qB = l.get(p+"self_attn.q_proj.bias", c.Heads*hd)
			ly.kB = l.get(p+"self_attn.k_proj.bias", c.KVHeads*hd)
			ly.vB = l.get(p+"self_attn.v_proj.bias", c.KVHeads*hd)
		}
		if c.OBias {
			ly.oB = l.get(p+"self_attn.o_proj.bias", D)
		}
		if c.QKNorm {
			ly.qNorm = l.get(p+"self_attn.q_norm.weight", hd)
			ly.kNorm = l.get(p+"self_attn.k_norm.weight", hd)
		}
		ly.norm2W = l.get(p+"post_attention_layernorm.weight", D)
		ly.gate = l.pack(p+"mlp.gate_proj.weight", D, F, true)
		ly.up = l.pack(p+"mlp.up_proj.weight", D, F, true)
		ly.down = l.pack(p+"mlp.down_proj.weight", F, D, true)
	}
	m.normW = l.get("model.norm.weight", D)
	if !c.TieEmbed {
		// Untied: the checkpoint must carry lm_head (transformers would
		// otherwise initialise it randomly, which no published model wants).
		m.lmHead = l.pack("lm_head.weight", D, V, true)
	}
	if !l.dry {
		m.initRope()
	}
}

// initRope tabulates cos/sin of pos*theta^(-2i/hd) once per model. The
// angles are computed in float64 with the standard library's Sin/Cos,
// which are pure Go on every architecture (no per-architecture assembly),
// so the tables are identical everywhere.
func (m *Model) initRope() {
	c := m.Cfg
	half := c.HeadDim() / 2
	m.ropeCos = make([]float32, c.MaxPos*half)
	m.ropeSin = make([]float32, c.MaxPos*half)
	for i := 0; i < half; i++ {
		inv := c.ropeInvFreqFor(i)
		for p := 0; p < c.MaxPos; p++ {
			a := float64(float64(p) * inv)
			m.ropeCos[p*half+i] = float32(cosPure(a))
			m.ropeSin[p*half+i] = float32(sinPure(a))
		}
	}
}
