package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelInitStable: the command prints three sha256 lines and the same
// flags give the same bytes twice.
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
	if a != b || strings.Count(a, "\n") != 3 || !strings.Contains(a, "model.safetensors") {
		t.Fatalf("outputs differ or malformed:\n%s\n%s", a, b)
	}
	cmd := newRootCmd()
	cmd.SetArgs([]string{"model", "init", "--arch", "bert", "--out", dir})
	if err := cmd.Execute(); err == nil {
		t.Fatal("unknown arch accepted")
	}
}
