package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/models"
)

func TestModelPublishPrintsRegisterLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny")
	os.MkdirAll(dir, 0o755)
	weights, tok := []byte("weights bytes"), []byte(`{"model":{}}`)
	os.WriteFile(filepath.Join(dir, "model.safetensors"), weights, 0o644)
	os.WriteFile(filepath.Join(dir, "tokenizer.json"), tok, 0o644)
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"model", "publish", dir, "--arch", "gpt2", "--uri", "https://models.example/tiny/", "--embedding-dim", "64", "--memory-mib", "16"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	want := "cortd tx models register tiny tiny gpt2 https://models.example/tiny/ " + h(weights) + " " + h(tok) +
		" 64 16 --manifest-sha256 " + h(manifest) + "\n"
	if out.String() != want {
		t.Fatalf("printed\n%q\nwant\n%q", out.String(), want)
	}

	cmd = newRootCmd()
	cmd.SetArgs([]string{"model", "publish", dir, "--arch", "gpt2"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--uri") {
		t.Fatalf("missing flags: %v", err)
	}
}

func TestModelPullFlags(t *testing.T) {
	cmd := newRootCmd()
	pull, _, err := cmd.Find([]string{"model", "pull"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"grpc", "node", "models", "from", "allow-local-network"} {
		if pull.Flags().Lookup(name) == nil {
			t.Errorf("model pull has no --%s", name)
		}
	}
	cmd.SetArgs([]string{"model", "pull", "x"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--models") {
		t.Fatalf("pull without --models: %v", err)
	}
	score, _, _ := newRootCmd().Find([]string{"score"})
	if score.Flags().Lookup("allow-local-network") == nil {
		t.Error("score has no --allow-local-network for model pulls")
	}
}

// Without --arch, --embedding-dim and --memory-mib, publish reads them from
// config.json: the model_type, the hidden size and the engine's footprint.
func TestModelPublishDefaultsFromConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q3")
	spec := models.Spec{Arch: "qwen3", Layers: 2, Dim: 32, Heads: 4, KVHeads: 2, Vocab: "family", Context: 64, Seed: 3}
	if _, err := models.Init(spec, dir); err != nil {
		t.Fatal(err)
	}
	fp, err := native.Footprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"model", "publish", dir, "--uri", "https://models.example/q3/"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(out.String())
	if len(f) < 12 || f[6] != "qwen3" || f[10] != "32" || f[11] != fmt.Sprint((fp+1<<20-1)>>20) {
		t.Fatalf("register line %q: want arch qwen3, embedding 32, memory %d MiB (footprint %d bytes)", out.String(), (fp+1<<20-1)>>20, fp)
	}

	// A folder without a config.json needs the flags.
	bare := filepath.Join(t.TempDir(), "bare")
	os.MkdirAll(bare, 0o755)
	os.WriteFile(filepath.Join(bare, "model.safetensors"), []byte("w"), 0o644)
	cmd = newRootCmd()
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetArgs([]string{"model", "publish", bare, "--uri", "https://models.example/bare/"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "config.json") || !strings.Contains(err.Error(), "--memory-mib") {
		t.Fatalf("publish without config.json or flags: %v", err)
	}

	// A folder holding only model.gguf: the defaults come from the GGUF
	// metadata, the memory from its blocks, and the file is the weights
	// and the tokenizer of the register line.
	q := filepath.Join(t.TempDir(), "q3-q8")
	os.MkdirAll(q, 0o755)
	if err := native.ConvertToGGUF(dir, filepath.Join(q, native.GGUFFile), "q8_0", nil); err != nil {
		t.Fatal(err)
	}
	gfp, err := native.Footprint(q)
	if err != nil {
		t.Fatal(err)
	}
	if gfp >= fp {
		t.Fatalf("q8_0 footprint %d not below the f32 folder's %d", gfp, fp)
	}
	out.Reset()
	cmd = newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"model", "publish", q, "--uri", "https://models.example/q3q8/"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	f = strings.Fields(out.String())
	if len(f) < 12 || f[6] != "qwen3" || f[8] != f[9] || f[10] != "32" || f[11] != fmt.Sprint((gfp+1<<20-1)>>20) {
		t.Fatalf("GGUF folder register line %q", out.String())
	}
}
