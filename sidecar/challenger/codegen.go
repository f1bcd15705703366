package challenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Spec is a codegen challenge's spec file (JSON). Repo-relative paths throughout.
type Spec struct {
	Statement    string   `json:"statement"`
	Checklist    []string `json:"checklist"`
	ContextPaths []string `json:"context_paths"`
	TestCommand  string   `json:"test_command"` // default "go test ./..."
	// Tests are the hidden test files; empty: every *_test.go file.
	Tests []string `json:"tests"`
}

// LoadSpec reads and checks a spec file.
func LoadSpec(path string) (Spec, error) {
	var s Spec
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("spec %s: %w", path, err)
	}
	if s.Statement == "" {
		return s, fmt.Errorf("spec %s: statement is empty", path)
	}
	if s.TestCommand == "" {
		s.TestCommand = "go test ./..."
	}
	return s, nil
}

// Codegen is a prepared codegen challenge.
type Codegen struct {
	Spec     Spec
	Snapshot []byte // the starting repository without the hidden tests
	Tests    []byte // the hidden tests
}

// MakeCodegen packs a codegen challenge from a repository and its spec.
func MakeCodegen(repo string, s Spec) (*Codegen, error) {
	hidden := IsTestFile
	if len(s.Tests) > 0 {
		for _, t := range s.Tests {
			if _, err := os.Stat(filepath.Join(repo, filepath.FromSlash(t))); err != nil {
				return nil, fmt.Errorf("spec test file: %w", err)
			}
		}
		hidden = func(rel string) bool { return slices.Contains(s.Tests, rel) }
	}
	c := &Codegen{Spec: s}
	var err error
	if c.Snapshot, err = PackTarGz(repo, func(rel string) bool { return !hidden(rel) }); err != nil {
		return nil, err
	}
	if c.Tests, err = PackTarGz(repo, hidden); err != nil {
		return nil, errors.Join(errors.New("no hidden tests"), err)
	}
	return c, nil
}
