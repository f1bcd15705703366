package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
