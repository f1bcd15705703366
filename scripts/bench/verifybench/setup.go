package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/models"
)

// builtin are the random models of the demo (scripts/localnet.sh's `model init` flags): the
// tiny GPT-2 and the tiny Llama, each in its family's published layout.
var builtin = map[string]models.Spec{
	"tiny":       {Arch: "gpt2", Layers: 2, Dim: 64, Heads: 4, Context: 1024, Seed: 1},
	"tiny-llama": {Arch: "llama", Layers: 2, Dim: 96, Heads: 4, KVHeads: 2, Context: 1024, Seed: 2},
	// tiny with GPT-2's 50,257-token BPE: its answers are mostly valid UTF-8, as a real
	// model's are (the byte-level models' random bytes are mostly partial characters).
	"tiny-bpe": {Arch: "gpt2", Layers: 2, Dim: 64, Heads: 4, Vocab: "bpe", Context: 1024, Seed: 3},
}

// bigID is a random model of GPT-2 small's shape (12 layers, width 768, GPT-2's BPE, 124M
// parameters) with a 2,048-token context, for the long replay cost of a model whose LM head
// is not most of its work.
const bigID = "gpt2-small-shape--2k"

var bigSpec = models.Spec{Arch: "gpt2", Layers: 12, Dim: 768, Heads: 12, Vocab: "bpe", Context: 2048, Seed: 4}

func prepareBig(root string) error {
	if _, err := models.Init(bigSpec, filepath.Join(root, bigID)); err != nil {
		return fmt.Errorf("model init %s: %w", bigID, err)
	}
	return nil
}

// otherSeed is added to a built-in model's seed for the "same shape, other weights" class.
const otherSeed = 1000

// Variant folders of a model id inside the models dir (the manager serves one folder per id).
func otherID(id string) string { return id + "--other" }
func q8ID(id string) string    { return id + "--q8_0" }
func bf16ID(id string) string  { return id + "--bf16" }
func costID(id string) string  { return id + "--2k" }

// modelSet is what one model under test needs in the models dir.
type modelSet struct {
	ID       string
	HasOther bool   // a same-shaped model with other weights exists (built-in models only)
	CostID   string // the model the 1,024-token costs are measured on
}

// prepare writes the models dir: for each built-in id the model, its other-seed twin, its
// q8_0 and bf16 GGUF folders (written by the converter `model quantize` uses) and a copy
// with a 2,048-token context for the cost lines (a 1,024-token answer after a prompt does
// not fit the demo's 1,024 positions). dir is a model folder given with -model instead
// (its id is its folder name; it has no other-seed twin and is its own cost model).
func prepare(root string, ids []string, dir string) ([]modelSet, error) {
	var sets []modelSet
	if dir != "" {
		id := filepath.Base(filepath.Clean(dir))
		if err := os.Symlink(mustAbs(dir), filepath.Join(root, id)); err != nil {
			return nil, err
		}
		if err := lowPrecision(root, id); err != nil {
			return nil, err
		}
		return []modelSet{{ID: id, CostID: id}}, nil
	}
	for _, id := range ids {
		s, ok := builtin[id]
		if !ok {
			return nil, fmt.Errorf("unknown built-in model %q (want tiny or tiny-llama, or -model DIR)", id)
		}
		if _, err := models.Init(s, filepath.Join(root, id)); err != nil {
			return nil, fmt.Errorf("model init %s: %w", id, err)
		}
		o := s
		o.Seed += otherSeed
		if _, err := models.Init(o, filepath.Join(root, otherID(id))); err != nil {
			return nil, err
		}
		c := s
		c.Context = 2048
		if _, err := models.Init(c, filepath.Join(root, costID(id))); err != nil {
			return nil, err
		}
		if err := lowPrecision(root, id); err != nil {
			return nil, err
		}
		sets = append(sets, modelSet{ID: id, HasOther: true, CostID: costID(id)})
	}
	return sets, nil
}

// lowPrecision writes the q8_0 and bf16 folders of model id as `model quantize --type T
// IN OUT_DIR` does: model.gguf plus the input's json files.
func lowPrecision(root, id string) error {
	in := filepath.Join(root, id)
	for mix, out := range map[string]string{"q8_0": q8ID(id), "bf16": bf16ID(id)} {
		folder := filepath.Join(root, out)
		if err := copyJSON(in, folder); err != nil {
			return err
		}
		if err := native.ConvertToGGUF(in, filepath.Join(folder, native.GGUFFile), mix, nil); err != nil {
			return fmt.Errorf("converting %s to %s: %w", id, mix, err)
		}
	}
	return nil
}

// copyJSON copies in's top-level json files but the safetensors index and a manifest,
// which describe the input's weights (cortd-sidecar's copyModelJSON).
func copyJSON(in, folder string) error {
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(in)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".json") || n == "model.safetensors.index.json" || n == "manifest.json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(in, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(folder, n), b, 0o644); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(folder, "config.json")); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s has no config.json (a safetensors model folder is needed)", in)
	}
	return nil
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
