package models

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine/chattemplate"
	"github.com/cortnet/cortd/sidecar/engine/safetensors"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestFamilyFiles: each family's folder carries its published tokenizer
// format, special tokens in their roles, bos/eos ids that point at them
// and its chat template.
func TestFamilyFiles(t *testing.T) {
	type want struct {
		model     string
		bos       string // "" = no BOS added
		eos       string
		genEOS    []string
		specials  []string
		pre       string // pre_tokenizer type ("" = null)
		template  []string
		byteFall  bool
		tied      bool
		extraKeys []string
	}
	cases := map[string]want{
		"llama3": {"llama", "<|begin_of_text|>", "<|eot_id|>", []string{"<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"},
			[]string{"<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"}, "Sequence",
			[]string{"<|start_header_id|>", "<|eot_id|>", "bos_token"}, false, true, []string{"rope_scaling", "head_dim"}},
		"qwen2": {"qwen2", "", "<|im_end|>", []string{"<|im_end|>", "<|endoftext|>"},
			[]string{"<|im_start|>", "<|im_end|>", "<|endoftext|>"}, "Sequence",
			[]string{"<|im_start|>", "You are Qwen, created by Alibaba Cloud."}, false, true, []string{"use_sliding_window"}},
		"qwen3": {"qwen3", "", "<|im_end|>", []string{"<|im_end|>", "<|endoftext|>"},
			[]string{"<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>"}, "Sequence",
			[]string{"<|im_start|>", "<think>", "enable_thinking"}, false, true, []string{"head_dim"}},
		"llama": {"llama", "<s>", "</s>", []string{"</s>"}, []string{"<s>", "</s>", "<unk>"}, "",
			[]string{"[INST]", "<<SYS>>"}, true, false, nil},
		"mistral": {"mistral", "<s>", "</s>", []string{"</s>"}, []string{"<s>", "</s>", "<unk>"}, "Metaspace",
			[]string{"[INST]", "[/INST]"}, true, false, []string{"sliding_window"}},
	}
	for arch, w := range cases {
		t.Run(arch, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), arch)
			if _, err := Init(Spec{Arch: arch, Layers: 1, Dim: 32, Heads: 4, KVHeads: 2, Context: 64, Seed: 1, Vocab: "family"}, dir); err != nil {
				t.Fatal(err)
			}
			cfg := readJSON(t, filepath.Join(dir, "config.json"))
			gen := readJSON(t, filepath.Join(dir, "generation_config.json"))
			tok := readJSON(t, filepath.Join(dir, "tokenizer.json"))
			tc := readJSON(t, filepath.Join(dir, "tokenizer_config.json"))
			if cfg["model_type"] != w.model || cfg["tie_word_embeddings"] != w.tied {
				t.Fatalf("model_type %v tie %v", cfg["model_type"], cfg["tie_word_embeddings"])
			}
			for _, k := range append([]string{"architectures", "torch_dtype", "bos_token_id", "eos_token_id"}, w.extraKeys...) {
				if _, ok := cfg[k]; !ok {
					t.Fatalf("config.json lacks %s", k)
				}
			}
			ids := map[string]float64{}
			for _, a := range tok["added_tokens"].([]any) {
				a := a.(map[string]any)
				ids[a["content"].(string)] = a["id"].(float64)
			}
			for _, s := range w.specials {
				if _, ok := ids[s]; !ok {
					t.Fatalf("no added token %s", s)
				}
			}
			if cfg["eos_token_id"] != ids[w.eos] {
				t.Fatalf("config eos %v, %s is %v", cfg["eos_token_id"], w.eos, ids[w.eos])
			}
			if w.bos != "" && cfg["bos_token_id"] != ids[w.bos] {
				t.Fatalf("config bos %v, %s is %v", cfg["bos_token_id"], w.bos, ids[w.bos])
			}
			if len(w.genEOS) > 1 {
				list, ok := gen["eos_token_id"].([]any)
				if !ok || len(list) != len(w.genEOS) {
					t.Fatalf("generation eos %v", gen["eos_token_id"])
				}
				for i, e := range w.genEOS {
					if list[i] != ids[e] {
						t.Fatalf("generation eos %v, want %s first", list, e)
					}
				}
			} else if gen["eos_token_id"] != ids[w.genEOS[0]] {
				t.Fatalf("generation eos %v", gen["eos_token_id"])
			}
			pre, _ := tok["pre_tokenizer"].(map[string]any)
			if got, _ := pre["type"].(string); got != w.pre {
				t.Fatalf("pre_tokenizer %v, want %q", tok["pre_tokenizer"], w.pre)
			}
			if w.pre == "Sequence" {
				split := pre["pretokenizers"].([]any)[0].(map[string]any)
				re := split["pattern"].(map[string]any)["Regex"].(string)
				if split["type"] != "Split" || !strings.HasPrefix(re, "(?i:'s|'t|'re|'ve|'m|'ll|'d)") {
					t.Fatalf("split %v", split)
				}
				if digits := strings.Contains(re, `\p{N}{1,3}`); digits != (arch == "llama3") {
					t.Fatalf("digit rule in %q", re)
				}
			}
			model := tok["model"].(map[string]any)
			if model["type"] != "BPE" || model["byte_fallback"] != w.byteFall || len(model["merges"].([]any)) == 0 {
				t.Fatalf("model %v byte_fallback %v", model["type"], model["byte_fallback"])
			}
			// BOS: the post-processor adds it exactly where the family does.
			pp, _ := json.Marshal(tok["post_processor"])
			if adds := strings.Contains(string(pp), "TemplateProcessing"); adds != (w.bos != "") {
				t.Fatalf("post_processor %s", pp)
			}
			tmpl, _ := tc["chat_template"].(string)
			for _, s := range w.template {
				if !strings.Contains(tmpl, s) {
					t.Fatalf("chat_template lacks %q", s)
				}
			}
			if tc["eos_token"] != w.eos {
				t.Fatalf("tokenizer_config eos %v", tc["eos_token"])
			}
			if v := cfg["vocab_size"].(float64); v < float64(len(model["vocab"].(map[string]any))) {
				t.Fatalf("vocab_size %v below the tokenizer's", v)
			}
		})
	}
}

// TestInitShardsAndSeed: shards cover every tensor once with the index's
// total size; the same seed gives the same bytes, another seed others.
func TestInitShardsAndSeed(t *testing.T) {
	spec := Spec{Arch: "qwen3", Layers: 2, Dim: 32, Heads: 4, KVHeads: 2, Context: 64, Seed: 3, DType: safetensors.BF16, Shards: 3}
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	sa, err := Init(spec, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := Init(spec, b)
	spec.Seed = 4
	sc, _ := Init(spec, filepath.Join(t.TempDir(), "c"))
	if len(sa) != 8 || sa["model-00002-of-00003.safetensors"] != sb["model-00002-of-00003.safetensors"] {
		t.Fatalf("same seed, different files: %v %v", sa, sb)
	}
	if sa["model-00001-of-00003.safetensors"] == sc["model-00001-of-00003.safetensors"] {
		t.Fatal("different seeds, same weights")
	}
	w, err := safetensors.OpenDir(a)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ix := readJSON(t, filepath.Join(a, safetensors.IndexFile))
	var total int64
	for _, n := range w.Names() {
		ti, file, _ := w.Info(n)
		total += ti.End - ti.Begin
		if ti.DType != safetensors.BF16 || ix["weight_map"].(map[string]any)[n] != file {
			t.Fatalf("%s: %s in %s", n, ti.DType, file)
		}
	}
	if got := ix["metadata"].(map[string]any)["total_size"].(float64); int64(got) != total {
		t.Fatalf("total_size %v, tensors %d", got, total)
	}
	for _, s := range []string{"model-00001-of-00003.safetensors", "model-00003-of-00003.safetensors"} {
		if _, err := os.Stat(filepath.Join(a, s)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInitRefusesBadSpecs(t *testing.T) {
	for _, s := range []Spec{
		{Arch: "falcon", Layers: 1, Dim: 32, Heads: 4},
		{Arch: "llama3", Layers: 1, Dim: 32, Heads: 4, Vocab: "words"},
		{Arch: "llama3", Layers: 1, Dim: 32, Heads: 4, Shards: -1},
		{Arch: "llama", Layers: 1, Dim: 32, Heads: 4, HeadDim: 16},
		{Arch: "qwen3", Layers: 1, Dim: 32, Heads: 4, HeadDim: 7},
		{Arch: "mistral", Layers: 1, Dim: 32, Heads: 4, KVHeads: 3},
	} {
		if _, err := Init(s, filepath.Join(t.TempDir(), "x")); err == nil {
			t.Fatalf("%+v accepted", s)
		}
	}
}

// TestFamilyTemplatesRender: each folder's tokenizer_config.json renders
// with the engine's template renderer into the family's prompt format.
func TestFamilyTemplatesRender(t *testing.T) {
	now := time.Date(2024, 7, 26, 0, 0, 0, 0, time.UTC)
	cases := map[string][]string{
		"llama3":  {"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", "<|start_header_id|>assistant<|end_header_id|>\n\n"},
		"qwen2":   {"<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"},
		"qwen3":   {"<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"},
		"llama":   {"<s>[INST] Hi [/INST]"},
		"mistral": {"<s>[INST] Hi [/INST]"},
	}
	for arch, want := range cases {
		dir := filepath.Join(t.TempDir(), arch)
		if _, err := Init(Spec{Arch: arch, Layers: 1, Dim: 32, Heads: 4, Context: 64, Seed: 1, Vocab: "family"}, dir); err != nil {
			t.Fatal(err)
		}
		tmpl, err := chattemplate.Load(dir)
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		got, err := tmpl.Render([]chattemplate.Message{{Role: "user", Content: "Hi"}}, chattemplate.Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s: rendered %q lacks %q", arch, got, w)
			}
		}
	}
}
