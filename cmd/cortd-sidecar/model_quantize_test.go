package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/models"
)

func runModelCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestModelQuantize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	if _, err := models.Init(models.Spec{Arch: "qwen2", Layers: 1, Dim: 64, Heads: 2, Seed: 3}, dir); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "m.gguf")
	stdout, stderr, err := runModelCmd(t, "model", "quantize", "--type", "Q8_0", dir, out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "q8_0") || !strings.Contains(stdout, "Q8_0 x") || !strings.Contains(stdout, "F32 x") || !strings.Contains(stderr, "100%") {
		t.Fatalf("stdout %q stderr %q", stdout, stderr)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if ft, _ := f.Uint("general.file_type"); ft != 7 {
		t.Fatalf("file_type %d, want 7 (q8_0)", ft)
	}
	f.Close()
	before, _ := os.ReadFile(out)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"model", "quantize", "--type", "q8_0", dir, out}, "exists (use --force"},
		{[]string{"model", "quantize", "--type", "q5_k", dir, out + "2"}, `--type "q5_k": want one of`},
		{[]string{"model", "quantize", filepath.Join(dir, "missing"), out + "3"}, "input folder"},
		{[]string{"model", "quantize", filepath.Join(dir, "config.json"), out + "4"}, "is not a folder"},
		{[]string{"model", "quantize", dir}, "accepts 2 arg"},
	} {
		if _, _, err := runModelCmd(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Fatal("existing output changed without --force")
	}
	if _, _, err := runModelCmd(t, "model", "quantize", "--type", "f16", "--force", dir, out); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(out); bytes.Equal(before, after) {
		t.Fatal("--force did not rewrite the output")
	}
	for _, p := range []string{out + "2", out + "3", out + "4"} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s written by a refused command", p)
		}
	}
	// OUT without .gguf: a servable model folder (model.gguf + json files).
	folder := filepath.Join(t.TempDir(), "m-q8_0")
	stdout, _, err = runModelCmd(t, "model", "quantize", "--type", "q8_0", dir, folder)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "model folder "+folder) {
		t.Fatalf("stdout %q", stdout)
	}
	for _, f := range []string{"model.gguf", "config.json", "tokenizer.json", "generation_config.json"} {
		if _, err := os.Stat(filepath.Join(folder, f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(folder, "model.safetensors")); err == nil {
		t.Fatal("safetensors weights copied into the GGUF folder")
	}
	m, err := native.Load(folder)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "m-q8_0" || m.Cfg.ModelType != "qwen2" {
		t.Fatalf("loaded %s (%s)", m.Name, m.Cfg.ModelType)
	}
}

func TestModelInitGGUF(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "g")
	stdout, _, err := runModelCmd(t, "model", "init", "--arch", "llama3", "--layers", "1", "--dim", "64", "--format", "gguf", "--out", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "  model.gguf\n") || strings.Contains(stdout, "safetensors") {
		t.Fatalf("printed %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); err == nil {
		t.Fatal("safetensors weights left next to model.gguf")
	}
	for _, f := range []string{"config.json", "tokenizer.json", "tokenizer_config.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	g, err := gguf.Open(filepath.Join(dir, "model.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if a, _ := g.String("general.architecture"); a != "llama" || !g.HasTensor("rope_freqs.weight") {
		t.Fatalf("arch %q", a)
	}
	if _, _, err := runModelCmd(t, "model", "init", "--format", "onnx", "--out", filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Fatalf("format onnx: %v", err)
	}
}
