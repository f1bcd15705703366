package native

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/quant"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/models"
)

// ggufFolder converts dir to GGUF with mix and returns the file and a
// model folder holding it next to dir's json files (what `model init
// --format gguf` leaves): the two forms Load takes.
func ggufFolder(t *testing.T, dir, mix string) (file, folder string) {
	t.Helper()
	base := t.TempDir()
	file = filepath.Join(base, mix+".gguf")
	if err := ConvertToGGUF(dir, file, mix, nil); err != nil {
		t.Fatal(err)
	}
	folder = filepath.Join(base, "folder-"+mix)
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") && !strings.HasPrefix(e.Name(), "model.safetensors") {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(folder, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Link(file, filepath.Join(folder, GGUFFile)); err != nil {
		t.Fatal(err)
	}
	return file, folder
}

func mustLoad(t *testing.T, path string) *Model {
	t.Helper()
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// idsHash hashes every output bit for fixed token ids (no tokenizer: a
// bare GGUF file's tokenizer comes from its keys): the embedding, the
// loss, per-token log-probabilities, and greedy and sampled generations.
func idsHash(t *testing.T, m *Model, ids []int) (string, []int) {
	t.Helper()
	ctx := context.Background()
	h := sha256.New()
	put := func(v uint64) { binary.Write(h, binary.LittleEndian, v) }
	emb, err := m.Embed(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range emb {
		put(uint64(math.Float32bits(v)))
	}
	l, err := m.Loss(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	put(math.Float64bits(l.Loss))
	lp, err := m.TokenLogprobs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range lp {
		put(math.Float64bits(v))
	}
	var greedy []int
	for _, p := range []engine.Params{{MaxTokens: 12}, {MaxTokens: 12, Temperature: 0.9, TopP: 0.95, TopK: 50, Seed: 7}} {
		g, err := m.NewGenerator(ids, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for len(out) < p.MaxTokens {
			tok, ok, err := g.Next()
			if err != nil || !ok {
				t.Fatal(err, ok)
			}
			out = append(out, tok)
			put(uint64(tok))
		}
		g.Close()
		if greedy == nil {
			greedy = out
		}
	}
	return hex.EncodeToString(h.Sum(nil)), greedy
}

// TestGGUFLoadMatchesFolder: every family converted to GGUF in f32 (and
// f16 / bf16 from a folder of that type) loads, as a bare .gguf file and
// as a folder with model.gguf, into a model whose every output bit equals
// the safetensors folder's (same values, same panels, same kernels); the
// folder form also gives the same text results (its tokenizer.json), and
// Footprint equals the bytes Load reports.
func TestGGUFLoadMatchesFolder(t *testing.T) {
	for _, arch := range models.Archs {
		for _, dt := range []safetensors.DType{safetensors.F32, safetensors.F16, safetensors.BF16} {
			if dt != safetensors.F32 && arch != "llama3" && arch != "qwen2" {
				continue // 16-bit files: two families are enough
			}
			t.Run(arch+"/"+string(dt), func(t *testing.T) {
				spec := familySpec(arch, dt, 1)
				dir := initFamily(t, spec)
				want := mustLoad(t, dir)
				wantHash, _ := idsHash(t, want, familyTokens)
				wantText := outputHash(t, want)
				mix := strings.ToLower(string(dt))
				file, folder := ggufFolder(t, dir, mix)
				for _, path := range []string{file, folder} {
					m := mustLoad(t, path)
					if got, _ := idsHash(t, m, familyTokens); got != wantHash {
						t.Fatalf("%s: outputs differ from the safetensors folder's", path)
					}
					if m.Bytes != want.Bytes { // same layout, same memory
						t.Fatalf("%s: %d bytes, folder %d", path, m.Bytes, want.Bytes)
					}
					fp, err := Footprint(path)
					if err != nil {
						t.Fatal(err)
					}
					if fp != m.Bytes {
						t.Fatalf("%s: Footprint %d, Load reports %d", path, fp, m.Bytes)
					}
				}
				if got := outputHash(t, mustLoad(t, folder)); got != wantText {
					t.Fatal("folder with model.gguf: text outputs differ from the safetensors folder's")
				}
			})
		}
	}
}

// matrices lists a model's weight matrices by Hugging Face name, in load
// order (the layout code's names).
func matrices(m *Model) map[string]*kernels.Panels {
	out := map[string]*kernels.Panels{}
	add := func(name string, p *kernels.Panels) {
		if p.K > 0 {
			out[name] = p
		}
	}
	for i := range m.layers {
		ly := &m.layers[i]
		if m.Cfg.Arch == "gpt2" {
			p := fmt.Sprintf("h.%d.", i)
			add(p+"attn.c_attn.weight", &ly.qkv)
			add(p+"attn.c_proj.weight", &ly.o)
			add(p+"mlp.c_fc.weight", &ly.up)
			add(p+"mlp.c_proj.weight", &ly.down)
			continue
		}
		p := fmt.Sprintf("model.layers.%d.", i)
		add(p+"self_attn.q_proj.weight", &ly.q)
		add(p+"self_attn.k_proj.weight", &ly.k)
		add(p+"self_attn.v_proj.weight", &ly.v)
		add(p+"self_attn.o_proj.weight", &ly.o)
		add(p+"mlp.gate_proj.weight", &ly.gate)
		add(p+"mlp.up_proj.weight", &ly.up)
		add(p+"mlp.down_proj.weight", &ly.down)
	}
	add("lm_head.weight", &m.lmHead)
	return out
}

// quantizeInMemory replaces every f32 matrix of m with the same weights
// quantized in memory to the type the loaded GGUF model g holds for it:
// rows read from m's panels (one output each), quant.QuantizeRows,
// kernels.NewQMatrix. No file, no permutation, no transposition.
func quantizeInMemory(t *testing.T, m, g *Model) {
	t.Helper()
	gm := matrices(g)
	for name, p := range matrices(m) {
		q := gm[name]
		if q == nil {
			t.Fatalf("%s: not in the GGUF model", name)
		}
		if q.Q == nil {
			continue // kept plain (a file type of f16/f32)
		}
		rows := make([]float32, p.N*p.K)
		for j := 0; j < p.N; j++ {
			p.Column(j, rows[j*p.K:(j+1)*p.K])
		}
		data, err := quant.QuantizeRows(q.Q.Type, rows, p.N, p.K)
		if err != nil {
			t.Fatal(name, err)
		}
		w, err := kernels.NewQMatrix(q.Q.Type, p.K, p.N, data)
		if err != nil {
			t.Fatal(name, err)
		}
		*p = kernels.QPanels(w)
	}
	if m.tokEmb.dim > 0 && g.tokEmb.q != nil {
		V, D := m.Cfg.Vocab, m.Cfg.Dim
		rows := make([]float32, V*D)
		for id := 0; id < V; id++ {
			m.tokEmb.row(id, rows[id*D:(id+1)*D])
		}
		data, err := quant.QuantizeRows(g.tokEmb.q.Type, rows, V, D)
		if err != nil {
			t.Fatal(err)
		}
		w, err := kernels.NewQMatrix(g.tokEmb.q.Type, D, V, data)
		if err != nil {
			t.Fatal(err)
		}
		m.tokEmb = embTable{dim: D, q: w}
	}
}

// quantSpec is a family model whose sizes are whole k-quant super-blocks,
// so q4_k_m files really hold Q4_K and Q6_K matrices.
func quantSpec(arch string) models.Spec {
	return models.Spec{Arch: arch, Layers: 2, Dim: 256, FF: 512, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 128, Seed: 21}
}

// TestGGUFQuantizedMatchesInMemory: `model quantize` output (q8_0, q4_0,
// q4_k_m) loaded from GGUF gives the same greedy ids, and every other
// output bit, as the f32 folder quantized in memory with the same types,
// for GPT-2 (Conv1D transposed), Llama (q/k permuted; untied, so its
// quantized embedding table is looked up row by row) and Llama 3 (tied).
func TestGGUFQuantizedMatchesInMemory(t *testing.T) {
	for _, arch := range []string{"gpt2", "llama", "llama3"} {
		dir := initFamily(t, quantSpec(arch))
		for _, mix := range []string{"q8_0", "q4_0", "q4_k_m"} {
			t.Run(arch+"/"+mix, func(t *testing.T) {
				file, _ := ggufFolder(t, dir, mix)
				g := mustLoad(t, file)
				types := map[quant.Type]int{}
				for _, p := range matrices(g) {
					if p.Q != nil {
						types[p.Q.Type]++
					}
				}
				if g.tokEmb.q != nil {
					types[g.tokEmb.q.Type]++
				}
				wantTypes := map[string][]quant.Type{"q8_0": {quant.Q8_0}, "q4_0": {quant.Q4_0}, "q4_k_m": {quant.Q4_K, quant.Q6_K}}[mix]
				for _, ty := range wantTypes {
					if types[ty] == 0 {
						t.Fatalf("no %s matrix loaded (types %v)", ty, types)
					}
				}
				m := mustLoad(t, dir)
				quantizeInMemory(t, m, g)
				if m.Bytes = g.Bytes; m.Bytes <= 0 {
					t.Fatal("no bytes")
				}
				gotHash, gotIDs := idsHash(t, g, familyTokens)
				wantHash, wantIDs := idsHash(t, m, familyTokens)
				if !slices.Equal(gotIDs, wantIDs) {
					t.Fatalf("greedy ids from GGUF %v, in memory %v", gotIDs, wantIDs)
				}
				if gotHash != wantHash {
					t.Fatal("outputs from GGUF differ from the in-memory quantized model's")
				}
				f32Hash, _ := idsHash(t, mustLoad(t, dir), familyTokens)
				if f32Hash == gotHash {
					t.Fatal("the quantized model computes the f32 model's bits: were the weights quantized?")
				}
			})
		}
	}
}

// TestGGUFQuantizedDeterminism: a quantized model's every output bit is
// the same on every kernel path, at GOMAXPROCS 1 and 4 with every product
// split across threads, and batched with other requests or alone.
func TestGGUFQuantizedDeterminism(t *testing.T) {
	defer kernels.Use(kernels.Current())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer kernels.SetParallelMin(kernels.SetParallelMin(1 << 21))
	dir := initFamily(t, quantSpec("llama3"))
	for _, mix := range []string{"q8_0", "q4_0", "q4_k_m"} {
		file, _ := ggufFolder(t, dir, mix)
		m := mustLoad(t, file)
		first := ""
		for _, path := range kernels.Available() {
			kernels.Use(path)
			for _, procs := range []int{1, 4} {
				runtime.GOMAXPROCS(procs)
				kernels.SetParallelMin(1)
				got, _ := idsHash(t, m, familyTokens)
				kernels.SetParallelMin(1 << 21)
				if first == "" {
					first = got
				} else if got != first {
					t.Fatalf("%s: path %s GOMAXPROCS=%d: outputs differ from the first run's", mix, path, procs)
				}
			}
		}
		// Batched: texts of different lengths merged into one pass.
		wantEmb, wantLoss := aloneBits(t, m)
		var ids [][]int
		for _, txt := range batchTexts {
			ids = append(ids, m.Tok.Encode(txt))
		}
		b := mustLoad(t, file)
		b.BatchCfg = BatchConfig{Window: 50 * time.Millisecond, MaxTokens: 4096}
		es, err := b.EmbedBatch(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := b.LossBatch(context.Background(), ids)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ids {
			if embBits(es[i]) != wantEmb[i] || fmt.Sprintf("%x/%d", math.Float64bits(ls[i].Loss), ls[i].Tokens) != wantLoss[i] {
				t.Fatalf("%s: text %d batched differs from alone", mix, i)
			}
		}
		if b.batch().widest.Load() < 2 {
			t.Fatalf("%s: texts were not batched", mix)
		}
	}
}

// TestGGUFQuantizedQuality: on the same random weights, the q8_0 model's
// mean NLL of a fixed text is within 0.5 % of the f32 model's and the
// q4_k_m model's within 3 % (the targets; random weights give
// flat distributions, so docs/performance.md also reports the figure on
// the benchmark's GPT-2 small weights).
func TestGGUFQuantizedQuality(t *testing.T) {
	dir := initFamily(t, quantSpec("llama3"))
	ctx := context.Background()
	text := "The network checks every answer against the others."
	f32 := mustLoad(t, dir)
	ids := f32.Tok.Encode(text)
	ref, err := f32.Loss(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for mix, limit := range map[string]float64{"q8_0": 0.005, "q4_k_m": 0.03, "f16": 0.005} {
		file, _ := ggufFolder(t, dir, mix)
		m := mustLoad(t, file)
		l, err := m.Loss(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(l.Loss-ref.Loss) / ref.Loss
		t.Logf("%s: NLL %.6f, f32 %.6f, relative %.4f%%", mix, l.Loss, ref.Loss, 100*rel)
		if rel > limit {
			t.Errorf("%s: NLL %.6f is %.3f%% from f32's %.6f (limit %.1f%%)", mix, l.Loss, 100*rel, ref.Loss, 100*limit)
		}
		if mix != "f16" && l.Loss == ref.Loss {
			t.Errorf("%s: the NLL equals f32's exactly: were the weights quantized?", mix)
		}
	}
}

// editGGUF copies a GGUF file, letting edit change each tensor's type,
// dims and bytes or drop it (keep false); extra tensors can be appended.
func editGGUF(t *testing.T, src string, edit func(ti *gguf.TensorInfo, data []byte) ([]byte, bool), extra ...gguf.TensorInfo) string {
	t.Helper()
	f, err := gguf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := gguf.NewWriter()
	for _, e := range f.KVs {
		if err := w.Set(e.Key, e.Value); err != nil {
			t.Fatal(err)
		}
	}
	type tensor struct {
		name string
		data []byte
	}
	var ts []tensor
	for _, ti := range f.Tensors {
		data, err := f.TensorBytes(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		ti.Dims = slices.Clone(ti.Dims)
		data, keep := edit(&ti, data)
		if !keep {
			continue
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims...); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, tensor{ti.Name, data})
	}
	for _, ti := range extra {
		if err := w.AddTensor(ti.Name, ti.Type, ti.Dims...); err != nil {
			t.Fatal(err)
		}
		n, _ := ti.Type.RowBytes(ti.Dims[0])
		for _, d := range ti.Dims[1:] {
			n *= d
		}
		ts = append(ts, tensor{ti.Name, make([]byte, n)})
	}
	p := filepath.Join(t.TempDir(), "edited.gguf")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := w.WriteHeader(out); err != nil {
		t.Fatal(err)
	}
	for _, e := range ts {
		if err := w.WriteTensor(e.name, e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGGUFLoadRefusals: files the loader must refuse, each with an error
// naming what is wrong (the parser's own table is in package gguf; the
// metadata's in TestConfigFromGGUFRefusals).
func TestGGUFLoadRefusals(t *testing.T) {
	dir := initFamily(t, quantSpec("llama"))
	q8, folder := ggufFolder(t, dir, "q8_0")
	f32, _ := ggufFolder(t, dir, "f32")
	same := func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) { return d, true }
	cases := []struct {
		name, path, want string
	}{
		{"missing tensor", editGGUF(t, q8, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			return d, ti.Name != "blk.1.ffn_down.weight"
		}), "blk.1.ffn_down.weight missing"},
		{"extra tensor", editGGUF(t, q8, same, gguf.TensorInfo{Name: "blk.0.ffn_extra.weight", Type: quant.F32, Dims: []int{4}}),
			"blk.0.ffn_extra.weight is not part of the model"},
		{"wrong dims", editGGUF(t, f32, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			if ti.Name == "blk.0.attn_v.weight" {
				ti.Dims = []int{ti.Dims[1], ti.Dims[0]} // 256 x 128 -> 128 x 256
			}
			return d, true
		}), "blk.0.attn_v.weight: dims [128 256], want [256 128]"},
		{"non-finite scale", editGGUF(t, q8, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			if ti.Name == "blk.0.ffn_up.weight" {
				binary.LittleEndian.PutUint16(d[3*34:], 0x7e00) // NaN d of block 3 (row 0)
			}
			return d, true
		}), "blk.0.ffn_up.weight: row 0, block 3 has a non-finite scale"},
		{"non-finite f32", editGGUF(t, f32, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			if ti.Name == "blk.1.attn_output.weight" {
				binary.LittleEndian.PutUint32(d[40:], 0x7f800000)
			}
			return d, true
		}), "blk.1.attn_output.weight: element 10 is +Inf"},
		{"non-finite norm", editGGUF(t, q8, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			if ti.Name == "output_norm.weight" {
				binary.LittleEndian.PutUint32(d[8:], 0x7fc00000)
			}
			return d, true
		}), "output_norm.weight: element 2 is NaN"},
		{"quantized norm", editGGUF(t, q8, func(ti *gguf.TensorInfo, d []byte) ([]byte, bool) {
			if ti.Name == "output_norm.weight" {
				v := bytesF32(d)
				q, _ := quant.QuantizeRows(quant.Q8_0, v, 1, len(v))
				ti.Type, d = quant.Q8_0, q
			}
			return d, true
		}), ""}, // allowed: small tensors of any type are dequantized
		{"not gguf", filepath.Join(dir, "config.json"), "a folder or a .gguf file"},
		{"truncated", func() string {
			b, _ := os.ReadFile(q8)
			p := filepath.Join(t.TempDir(), "cut.gguf")
			os.WriteFile(p, b[:len(b)-1000], 0o644)
			return p
		}(), "truncated"},
	}
	for _, c := range cases {
		_, err := Load(c.path)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// A folder with both weights formats is ambiguous.
	if err := os.Link(filepath.Join(dir, "model.safetensors"), filepath.Join(folder, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(folder); err == nil || !strings.Contains(err.Error(), "keep one weights format") {
		t.Errorf("folder with model.gguf and model.safetensors: %v", err)
	}
}
