package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelInitStable: the command prints one sha256 line per file (config,
// generation config, weights, tokenizer and its config) and the same flags
// give the same bytes twice.
func TestModelInitStable(t *testing.T) {
	run := func(out string) string {
		var buf bytes.Buffer
		cmd := newRootCmd()
		cmd.SetOut(&buf)
		cmd.SetArgs([]string{"model", "init", "--arch", "llama", "--layers", "1", "--dim", "32", "--heads", "4", "--kv-heads", "2", "--vocab", "bytes", "--seed", "9", "--context", "64", "--out", out})
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	dir := t.TempDir()
	a, b := run(filepath.Join(dir, "a")), run(filepath.Join(dir, "b"))
	if a != b || strings.Count(a, "\n") != 5 || !strings.Contains(a, "model.safetensors") {
		t.Fatalf("outputs differ or malformed:\n%s\n%s", a, b)
	}
	cmd := newRootCmd()
	cmd.SetArgs([]string{"model", "init", "--arch", "bert", "--out", dir})
	if err := cmd.Execute(); err == nil {
		t.Fatal("unknown arch accepted")
	}
}

// TestModelInitShards: --shards writes transformers' shard names and the
// index, and every family is accepted.
func TestModelInitShards(t *testing.T) {
	for _, arch := range []string{"gpt2", "llama", "llama3", "mistral", "qwen2", "qwen3"} {
		var buf bytes.Buffer
		cmd := newRootCmd()
		cmd.SetOut(&buf)
		cmd.SetArgs([]string{"model", "init", "--arch", arch, "--layers", "1", "--dim", "32", "--heads", "4", "--dtype", "bf16",
			"--shards", "2", "--context", "64", "--out", filepath.Join(t.TempDir(), arch)})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
		out := buf.String()
		for _, f := range []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer_config.json"} {
			if !strings.Contains(out, f) {
				t.Fatalf("%s: no %s in\n%s", arch, f, out)
			}
		}
		if strings.Contains(out, "  model.safetensors\n") {
			t.Fatalf("%s: single file written with --shards 2", arch)
		}
	}
}
