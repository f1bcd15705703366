package models

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Publish writes dir/manifest.json (canonical) for the files in dir and returns the
// manifest and its sha256, the value of the record's manifest_sha256.
func Publish(dir string) (Manifest, string, error) {
	m, err := BuildManifest(dir)
	if err != nil {
		return m, "", err
	}
	b, err := m.Encode()
	if err != nil {
		return m, "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, ManifestName), b); err != nil {
		return m, "", err
	}
	return m, sha256Hex(b), nil
}

// RegisterArgs are the fields of the `cortd tx models register` line publish prints.
type RegisterArgs struct {
	ID, Name, Arch, URI string
	EmbeddingDim        uint32
	MemoryMiB           uint64
}

// RegisterCommand is the exact `cortd tx models register` line for a published folder:
// weights_sha256 and tokenizer_sha256 come from the manifest (model.safetensors, or the
// first *.safetensors, or model.gguf; and tokenizer.json, or for a GGUF folder without
// one the GGUF file itself, whose tokenizer.ggml.* keys are the tokenizer),
// manifest_sha256 from Publish.
func RegisterCommand(m Manifest, manifestSHA string, a RegisterArgs) (string, error) {
	var weights, tok, gguf string
	for _, f := range m.Files {
		switch {
		case f.Path == "model.safetensors":
			weights = f.SHA256
		case weights == "" && strings.HasSuffix(f.Path, ".safetensors") && !strings.Contains(f.Path, "/"):
			weights = f.SHA256
		case f.Path == GGUFFile:
			gguf = f.SHA256
		case f.Path == "tokenizer.json":
			tok = f.SHA256
		}
	}
	if weights != "" && gguf != "" {
		return "", fmt.Errorf("the folder holds both safetensors weights and %s; keep one weights format", GGUFFile)
	}
	if weights == "" {
		weights = gguf
		if tok == "" {
			tok = gguf
		}
	}
	if weights == "" {
		return "", fmt.Errorf("no weights in the folder (model.safetensors, *.safetensors shards or %s)", GGUFFile)
	}
	if tok == "" {
		return "", fmt.Errorf("no tokenizer.json in the folder")
	}
	return fmt.Sprintf("cortd tx models register %s %s %s %s %s %s %d %d --manifest-sha256 %s",
		shellQuote(a.ID), shellQuote(a.Name), shellQuote(a.Arch), shellQuote(a.URI), weights, tok,
		a.EmbeddingDim, a.MemoryMiB, manifestSHA), nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
