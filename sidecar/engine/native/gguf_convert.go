package native

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/quant"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// The tokenizer.ggml.* keys (gguf-py's names; "seperator" is its spelling).
const (
	keyTokModel   = "tokenizer.ggml.model"
	keyTokPre     = "tokenizer.ggml.pre"
	keyTokens     = "tokenizer.ggml.tokens"
	keyTokScores  = "tokenizer.ggml.scores"
	keyTokTypes   = "tokenizer.ggml.token_type"
	keyTokMerges  = "tokenizer.ggml.merges"
	keyTokBOS     = "tokenizer.ggml.bos_token_id"
	keyTokEOS     = "tokenizer.ggml.eos_token_id"
	keyTokUNK     = "tokenizer.ggml.unknown_token_id"
	keyTokPAD     = "tokenizer.ggml.padding_token_id"
	keyTokSEP     = "tokenizer.ggml.seperator_token_id"
	keyTokAddBOS  = "tokenizer.ggml.add_bos_token"
	keyTokAddEOS  = "tokenizer.ggml.add_eos_token"
	keyChatTmpl   = "tokenizer.chat_template"
	maxGGUFTokens = 1 << 20
)

// VocabFromGGUF reads the tokenizer.ggml.* keys (and tokenizer.chat_template)
// into a GGUFVocab for tokenizer.FromGGUF. Absent token ids are -1.
func VocabFromGGUF(f *gguf.File) (*tokenizer.GGUFVocab, error) {
	v := &tokenizer.GGUFVocab{BOS: -1, EOS: -1, UNK: -1, PAD: -1, SEP: -1}
	var err error
	if v.Model, err = f.String(keyTokModel); err != nil {
		return nil, err
	}
	if v.Pre, err = optString(f, keyTokPre); err != nil {
		return nil, err
	}
	if v.Tokens, err = f.Strings(keyTokens); err != nil {
		return nil, err
	}
	n := len(v.Tokens)
	if n == 0 || n > maxGGUFTokens {
		return nil, fmt.Errorf("%s: %s has %d tokens", f.Path, keyTokens, n)
	}
	if f.Has(keyTokScores) {
		if v.Scores, err = f.Float32s(keyTokScores); err != nil {
			return nil, err
		}
		if len(v.Scores) != n {
			return nil, fmt.Errorf("%s: %s has %d entries for %d tokens", f.Path, keyTokScores, len(v.Scores), n)
		}
	}
	if f.Has(keyTokTypes) {
		if v.Types, err = f.Int32s(keyTokTypes); err != nil {
			return nil, err
		}
		if len(v.Types) != n {
			return nil, fmt.Errorf("%s: %s has %d entries for %d tokens", f.Path, keyTokTypes, len(v.Types), n)
		}
	}
	if f.Has(keyTokMerges) {
		if v.Merges, err = f.Strings(keyTokMerges); err != nil {
			return nil, err
		}
	}
	for _, id := range []struct {
		key string
		dst *int
	}{{keyTokBOS, &v.BOS}, {keyTokEOS, &v.EOS}, {keyTokUNK, &v.UNK}, {keyTokPAD, &v.PAD}, {keyTokSEP, &v.SEP}} {
		if !f.Has(id.key) {
			continue
		}
		u, err := f.Uint(id.key)
		if err != nil {
			return nil, err
		}
		if u >= uint64(n) {
			return nil, fmt.Errorf("%s: %s = %d is not one of the %d tokens", f.Path, id.key, u, n)
		}
		*id.dst = int(u)
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{keyTokAddBOS, &v.AddBOS}, {keyTokAddEOS, &v.AddEOS}} {
		if f.Has(b.key) {
			if *b.dst, err = f.Bool(b.key); err != nil {
				return nil, err
			}
		}
	}
	if v.ChatTemplate, err = optString(f, keyChatTmpl); err != nil {
		return nil, err
	}
	return v, nil
}

// PutGGUFVocab writes v's tokenizer.ggml.* keys (ids of -1 are left out).
func PutGGUFVocab(w *gguf.Writer, v *tokenizer.GGUFVocab) error {
	kvs := []gguf.KV{{Key: keyTokModel, Value: v.Model}}
	if v.Pre != "" {
		kvs = append(kvs, gguf.KV{Key: keyTokPre, Value: v.Pre})
	}
	kvs = append(kvs, gguf.KV{Key: keyTokens, Value: v.Tokens})
	if v.Scores != nil {
		kvs = append(kvs, gguf.KV{Key: keyTokScores, Value: v.Scores})
	}
	if v.Types != nil {
		kvs = append(kvs, gguf.KV{Key: keyTokTypes, Value: v.Types})
	}
	if v.Merges != nil {
		kvs = append(kvs, gguf.KV{Key: keyTokMerges, Value: v.Merges})
	}
	for _, id := range []struct {
		key string
		id  int
	}{{keyTokBOS, v.BOS}, {keyTokEOS, v.EOS}, {keyTokUNK, v.UNK}, {keyTokPAD, v.PAD}, {keyTokSEP, v.SEP}} {
		if id.id >= 0 {
			kvs = append(kvs, gguf.KV{Key: id.key, Value: uint32(id.id)})
		}
	}
	kvs = append(kvs, gguf.KV{Key: keyTokAddBOS, Value: v.AddBOS}, gguf.KV{Key: keyTokAddEOS, Value: v.AddEOS})
	if v.ChatTemplate != "" {
		kvs = append(kvs, gguf.KV{Key: keyChatTmpl, Value: v.ChatTemplate})
	}
	for _, kv := range kvs {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// chatTemplate reads tokenizer_config.json's chat_template: a string, or
// a list of {name, template} whose "default" entry is taken. "" when absent.
func chatTemplate(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var raw struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return "", fmt.Errorf("%s: tokenizer_config.json: %w", dir, err)
	}
	if len(raw.ChatTemplate) == 0 || string(raw.ChatTemplate) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw.ChatTemplate, &s) == nil {
		return s, nil
	}
	var list []struct{ Name, Template string }
	if err := json.Unmarshal(raw.ChatTemplate, &list); err != nil {
		return "", fmt.Errorf("%s: tokenizer_config.json: chat_template is neither a string nor a list of templates", dir)
	}
	for _, t := range list {
		if t.Name == "default" {
			return t.Template, nil
		}
	}
	return "", nil
}

// padVocab fills the token list up to the embedding's rows as llama.cpp's
// converter does ("[PAD<id>]", type 5 unused, score -1000): llama.cpp sizes
// token_embd by the token count, and Qwen's embeddings are padded.
func padVocab(v *tokenizer.GGUFVocab, n int) {
	for i := len(v.Tokens); i < n; i++ {
		v.Tokens = append(v.Tokens, fmt.Sprintf("[PAD%d]", i))
		if v.Types != nil {
			v.Types = append(v.Types, 5)
		}
		if v.Scores != nil {
			v.Scores = append(v.Scores, -1000)
		}
	}
}

// ConvertStats describes a conversion.
type ConvertStats struct {
	Bytes int64              // size of the file written
	Types map[quant.Type]int // tensors per storage type
}

// ConvertToGGUF writes the safetensors model folder dir (config.json,
// tokenizer.json, weights in any dtype, sharded or not) as the GGUF file
// out, each tensor stored as quant.MixTypeTied picks for mix ("f32",
// "f16", "bf16", "q8_0", "q4_0", "q4_k_m"). Tensors are read, converted
// and written one at a time, so memory holds one tensor, not the model
// (peak: about three times the largest tensor in f32 — its source bytes,
// its f32 values and its encoding — plus the garbage collector's slack;
// for a GPT-2 small folder in f32, 0.45 GiB for a 0.48 GiB model).
// progress, when not nil, is called after each tensor with the source
// bytes done and the total. out is written through a temporary file in
// its folder and renamed at the end; an existing out is replaced.
func ConvertToGGUF(dir, out, mix string, progress func(done, total int64)) error {
	_, err := ConvertToGGUFStats(dir, out, mix, progress)
	return err
}

// ConvertToGGUFStats is ConvertToGGUF returning what was written.
func ConvertToGGUFStats(dir, out, mix string, progress func(done, total int64)) (*ConvertStats, error) {
	ftype, err := GGUFFileType(mix)
	if err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	arch, err := GGUFArch(cfg)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	vocab, err := tok.GGUF()
	if err != nil {
		return nil, fmt.Errorf("%s: tokenizer.json has no GGUF form: %w", dir, err)
	}
	if len(vocab.Tokens) > cfg.Vocab {
		return nil, fmt.Errorf("%s: tokenizer.json has %d tokens, config.json's vocab_size is %d", dir, len(vocab.Tokens), cfg.Vocab)
	}
	padVocab(vocab, cfg.Vocab)
	if vocab.ChatTemplate == "" {
		if vocab.ChatTemplate, err = chatTemplate(dir); err != nil {
			return nil, err
		}
	}
	wts, err := safetensors.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	defer wts.Close()
	table, err := GGUFTensors(cfg)
	if err != nil {
		return nil, err
	}
	// Every weight of the folder must have a place in the file.
	prefix := ""
	if arch == "gpt2" && wts.Has("transformer.wte.weight") {
		prefix = "transformer."
	}
	wanted := map[string]bool{}
	for _, t := range table {
		wanted[t.HF] = true
	}
	for _, n := range wts.Names() {
		g, skip, err := GGUFName(arch, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		hf, _ := HFName(arch, g)
		if !skip && !wanted[hf] && !(g == outputName && cfg.TieEmbed) {
			return nil, fmt.Errorf("%s: tensor %s (%s) is not used by the config (tie_word_embeddings, attention_bias?)", dir, n, g)
		}
	}
	w := gguf.NewWriter()
	name := filepath.Base(filepath.Clean(dir))
	for _, kv := range []gguf.KV{{Key: gguf.KeyAlignment, Value: uint32(gguf.DefaultAlignment)}, {Key: keyName, Value: name}} {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			return nil, err
		}
	}
	if err := PutGGUFConfig(w, cfg); err != nil {
		return nil, err
	}
	for _, kv := range []gguf.KV{{Key: keyFileType, Value: ftype}, {Key: keyQuantVer, Value: uint32(2)}} {
		if err := w.Set(kv.Key, kv.Value); err != nil {
			return nil, err
		}
	}
	if err := PutGGUFVocab(w, vocab); err != nil {
		return nil, err
	}
	types := make([]quant.Type, len(table))
	var total int64
	stats := &ConvertStats{Types: map[quant.Type]int{}}
	for i, t := range table {
		types[i], err = quant.MixTypeTied(mix, t.Name, max(t.Layer, 0), cfg.Layers, t.Dims[0], cfg.TieEmbed)
		if err != nil {
			return nil, err
		}
		if err := w.AddTensor(t.Name, types[i], t.Dims...); err != nil {
			return nil, err
		}
		stats.Types[types[i]]++
		if t.HF != "" {
			if ti, _, ok := wts.Info(prefix + t.HF); ok {
				total += ti.End - ti.Begin
			} else if ti, _, ok := wts.Info(t.HF); ok {
				total += ti.End - ti.Begin
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".quantize-*.gguf")
	if err != nil {
		return nil, err
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := w.WriteHeader(tmp); err != nil {
		return nil, err
	}
	var done int64
	for i, t := range table {
		data, src, err := convertTensor(wts, prefix, cfg, t, types[i])
		if err != nil {
			return nil, err
		}
		if err := w.WriteTensor(t.Name, data); err != nil {
			return nil, err
		}
		done += src
		if progress != nil {
			progress(done, total)
		}
	}
	if err := w.Finish(); err != nil {
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	st, err := tmp.Stat()
	if err != nil {
		return nil, err
	}
	stats.Bytes = st.Size()
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes 0600
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return nil, err
	}
	tmp = nil
	return stats, nil
}

// convertTensor reads one tensor, checks its shape and finiteness, lays
// it out as GGUF wants (transpose, permutation) and encodes it as typ. It
// returns the bytes and the source size.
func convertTensor(wts *safetensors.Weights, prefix string, cfg *Config, t GGUFTensor, typ quant.Type) ([]byte, int64, error) {
	var v []float32
	var src int64
	if t.HF == "" { // rope_freqs.weight
		b := RopeFreqsData(cfg)
		v = make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	} else {
		full := prefix + t.HF
		if !wts.Has(full) {
			full = t.HF
		}
		var ti safetensors.TensorInfo
		var file string
		var err error
		v, ti, file, err = wts.Float32(full)
		if err != nil {
			return nil, 0, err
		}
		src = ti.End - ti.Begin
		// The HF shape is the GGUF dims reversed, except GPT-2's Conv1D (in x out).
		want := make([]int, len(t.Dims))
		for i := range t.Dims {
			want[i] = t.Dims[len(t.Dims)-1-i]
		}
		if t.Transpose {
			want[0], want[1] = want[1], want[0]
		}
		if fmt.Sprint(ti.Shape) != fmt.Sprint(want) {
			return nil, 0, fmt.Errorf("%s: tensor %s: shape %v, want %v", file, full, ti.Shape, want)
		}
		for i, x := range v {
			if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
				return nil, 0, fmt.Errorf("%s: tensor %s: element %d is %v (weights must be finite)", file, full, i, x)
			}
		}
		if t.Transpose {
			v = transposeF32(v, want[0], want[1])
		}
	}
	rows, cols := t.Rows(), t.Dims[0]
	if len(t.Dims) == 1 {
		rows, cols = 1, t.Dims[0]
	}
	if t.PermuteHeads > 0 {
		rb := 4 * cols
		b := f32Bytes(v)
		n := rows
		if len(t.Dims) == 1 { // a bias: each element is a row
			rb, n = 4, cols
		}
		PermuteRows(b, rb, t.PermuteHeads, n)
		v = bytesF32(b)
	}
	data, err := quant.QuantizeRows(typ, v, rows, cols)
	if err != nil {
		return nil, 0, fmt.Errorf("tensor %s (%s): %w", t.Name, typ, err)
	}
	return data, src, nil
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bytesF32(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
