package native

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/models"
)

// patchElement overwrites element i of a stored tensor with the value
// whose float32 bits are bits (the top 16 for bf16, converted for f16).
func patchElement(t *testing.T, path, tensor string, i int, bits uint32) {
	t.Helper()
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ti, off := f.Tensors[tensor], f.DataOffset
	f.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := off + ti.Begin + int64(i*ti.DType.Size())
	switch ti.DType {
	case safetensors.F32:
		binary.LittleEndian.PutUint32(b[at:], bits)
	case safetensors.F16:
		binary.LittleEndian.PutUint16(b[at:], safetensors.F32ToF16(math.Float32frombits(bits)))
	default:
		binary.LittleEndian.PutUint16(b[at:], uint16(bits>>16))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadRefusesNonFiniteInside: a NaN or Inf anywhere in a matrix (not
// only its first element), in every dtype and both layouts (torch Linear
// and GPT-2 Conv1D), is refused naming the file, the tensor and the
// element's index in the file; with two bad matrices the first in load
// order is named, whatever the goroutine schedule.
func TestLoadRefusesNonFiniteInside(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, dt := range []safetensors.DType{safetensors.F32, safetensors.F16, safetensors.BF16} {
		for _, arch := range []string{"gpt2", "llama3"} {
			spec := familySpec(arch, dt, 1)
			if arch == "gpt2" {
				spec.Vocab = "bytes"
			}
			dir := initFamily(t, spec)
			file := filepath.Join(dir, "model.safetensors")
			first, second := "model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.q_proj.weight"
			if arch == "gpt2" {
				first, second = "h.0.mlp.c_fc.weight", "h.1.attn.c_attn.weight"
			}
			const at = 1000 + 17
			patchElement(t, file, second, 5, 0xff800000) // -Inf
			patchElement(t, file, first, at, 0x7fc00000) // NaN
			for _, procs := range []int{1, 4} {
				runtime.GOMAXPROCS(procs)
				cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
				if err != nil {
					t.Fatal(err)
				}
				_, err = loadWeights(dir, cfg)
				want := fmt.Sprintf("%s: tensor %s: element %d is NaN", file, first, at)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("%s %s procs %d: error %v, want %q", arch, dt, procs, err, want)
				}
			}
			// The footprint reads headers only: still sized.
			if n, err := Footprint(dir); err != nil || n <= 0 {
				t.Fatalf("footprint %d %v", n, err)
			}
		}
	}
}

// TestHalfWeightsStayHalf: f16/bf16 folders load into 16-bit panels (no
// f32 copy), a tied embedding is held once (no token table), and the
// model computes the bits of the same weights loaded from an f32 folder
// holding the widened values.
func TestHalfWeightsStayHalf(t *testing.T) {
	ctx := context.Background()
	for _, arch := range []string{"gpt2", "qwen3", "mistral"} {
		for _, dt := range []safetensors.DType{safetensors.F16, safetensors.BF16} {
			spec := familySpec(arch, dt, 2)
			dir := initFamily(t, spec)
			m := loadFamilyWeights(t, dir)
			want := map[safetensors.DType]kernels.Format{safetensors.F16: kernels.F16, safetensors.BF16: kernels.BF16}[dt]
			for _, p := range []kernels.Panels{m.lmHead, m.layers[0].up, m.layers[1].down, m.layers[0].o} {
				if p.Fmt != want || p.Data != nil || len(p.Half) == 0 {
					t.Fatalf("%s %s: panels %v with %d f32 and %d 16-bit elements", arch, dt, p.Fmt, len(p.Data), len(p.Half))
				}
			}
			if tied := arch != "mistral"; tied != (m.tokEmb.dim == 0) {
				t.Fatalf("%s: token table held %v, tied %v", arch, m.tokEmb.dim > 0, tied)
			}
			if arch == "mistral" && (m.tokEmb.fmt != want || m.tokEmb.f32 != nil) {
				t.Fatalf("mistral token table %v", m.tokEmb.fmt)
			}

			// The same values as f32: widen every tensor of the folder
			// and write them out as an f32 folder.
			wdir := widenFolder(t, dir)
			w32 := loadFamilyWeights(t, wdir)
			if w32.lmHead.Fmt != kernels.F32 {
				t.Fatal("widened folder not f32")
			}
			a, err := m.Loss(ctx, familyTokens)
			if err != nil {
				t.Fatal(err)
			}
			b, err := w32.Loss(ctx, familyTokens)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(a.Loss) != math.Float64bits(b.Loss) {
				t.Fatalf("%s %s: loss %v, from the widened f32 weights %v", arch, dt, a.Loss, b.Loss)
			}
			if m.Bytes >= w32.Bytes*6/10 {
				t.Fatalf("%s %s: %d bytes, f32 %d", arch, dt, m.Bytes, w32.Bytes)
			}
		}
	}
}

// widenFolder copies dir with every tensor rewritten as F32 (exact).
func widenFolder(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+"-f32")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var ts []safetensors.Tensor
	for _, n := range w.Names() {
		v, ti, _, err := w.Float32(n)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Tensor{Name: n, DType: safetensors.F32, Shape: ti.Shape, Data: v})
	}
	f, err := os.Create(filepath.Join(out, safetensors.SingleFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := safetensors.Write(f, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") && e.Name() != safetensors.IndexFile {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(out, e.Name()), b, 0o644)
		}
	}
	return out
}

// TestResidentGPT2Small: a GPT-2-small-shaped model (12 x 768, the 50,257
// BPE vocabulary, 1,024 positions) in f32, f16 and bf16 grows the
// process's resident memory by at most 1.1x its weights file once loaded
// (the whole folder, tokenizer included; what loading allocated and dropped
// is returned to the OS first), and Footprint and Model.Bytes agree. Slow
// (writes ~1 GB): skipped under -short.
func TestResidentGPT2Small(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and loads GPT-2-small-sized folders")
	}
	for _, dt := range []safetensors.DType{safetensors.F32, safetensors.F16, safetensors.BF16} {
		dir := filepath.Join(t.TempDir(), "gpt2-small")
		spec := models.Spec{Arch: "gpt2", Layers: 12, Dim: 768, Heads: 12, Vocab: "bpe", Context: 1024, Seed: 1, DType: dt}
		if _, err := models.Init(spec, dir); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(filepath.Join(dir, safetensors.SingleFile))
		if err != nil {
			t.Fatal(err)
		}
		fp, err := Footprint(dir)
		if err != nil {
			t.Fatal(err)
		}
		debug.FreeOSMemory()
		rss0 := procStatusKiB(t, "VmRSS")
		start := time.Now()
		m, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		load := time.Since(start)
		debug.FreeOSMemory()
		grew := (procStatusKiB(t, "VmRSS") - rss0) << 10
		t.Logf("%s: file %.1f MiB, footprint %.1f MiB, resident growth %.1f MiB (%.3fx the file), load %.2f s (GOMAXPROCS %d, kernels %s)",
			dt, float64(st.Size())/(1<<20), float64(fp)/(1<<20), float64(grew)/(1<<20), float64(grew)/float64(st.Size()), load.Seconds(), runtime.GOMAXPROCS(0), kernels.Current())
		if fp != m.Bytes {
			t.Fatalf("%s: footprint %d, load counted %d", dt, fp, m.Bytes)
		}
		if grew > st.Size()*11/10 || m.Bytes > st.Size()*11/10 {
			t.Fatalf("%s: resident growth %d (counted %d) for a %d-byte file: over 1.1x", dt, grew, m.Bytes, st.Size())
		}
		if _, err := m.Loss(context.Background(), m.EncodePrompt("Hello there, general Kenobi.")); err != nil {
			t.Fatal(err)
		}
		runtime.KeepAlive(m)
		m = nil
		os.RemoveAll(dir)
	}
}
