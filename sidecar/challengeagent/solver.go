package challengeagent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
)

// Solver turns a prepared work folder (see the package doc) into a patch.
type Solver interface {
	Solve(ctx context.Context, dir string) ([]byte, error)
}

// Program runs the operator's agent program in the work folder.
type Program struct {
	Path    string
	Timeout time.Duration
	// MaxOutput bounds the patch and the output kept for logs.
	MaxOutput int
}

// Solve runs the program with the folder as cwd and $CHALLENGE_DIR, $CHALLENGE_REPO,
// $CHALLENGE_PATCH set, kills its process group at the timeout, and returns the patch.
func (p Program) Solve(ctx context.Context, dir string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	patchPath := filepath.Join(dir, "answer.patch")
	cmd := exec.CommandContext(ctx, p.Path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHALLENGE_DIR="+dir, "CHALLENGE_REPO="+filepath.Join(dir, "repo"),
		"CHALLENGE_PATCH="+patchPath)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	stdout := &capped{max: p.MaxOutput}
	stderr := &capped{max: 4096}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("agent %s: timed out after %s", p.Path, p.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("agent %s: %w: %s", p.Path, err, strings.TrimSpace(stderr.String()))
	}
	if st, err := os.Stat(patchPath); err == nil {
		if st.Size() > int64(p.MaxOutput) {
			return nil, fmt.Errorf("agent %s: patch of %d bytes exceeds %d", p.Path, st.Size(), p.MaxOutput)
		}
		return os.ReadFile(patchPath)
	}
	if stdout.over {
		return nil, fmt.Errorf("agent %s: output exceeds %d bytes", p.Path, p.MaxOutput)
	}
	return stdout.Bytes(), nil
}

// capped keeps the first max bytes written and notes an overflow. The buffer is a field,
// not embedded: an embedded bytes.Buffer's ReadFrom would let io.Copy bypass Write.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(b []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(b) {
		c.over = true
		if room > 0 {
			c.buf.Write(b[:room])
		}
		return len(b), nil
	}
	return c.buf.Write(b)
}

func (c *capped) Bytes() []byte  { return c.buf.Bytes() }
func (c *capped) String() string { return c.buf.String() }

// EngineSolver is the built-in agent: it asks the configured engine for a diff, with
// the statement, the checklist and the context files in the prompt.
type EngineSolver struct {
	E         engine.Engine
	Model     string
	MaxTokens int
	// MaxContextBytes bounds the context files included in the prompt.
	MaxContextBytes int
}

// Solve builds the prompt, runs a greedy completion and extracts the diff.
func (s EngineSolver) Solve(ctx context.Context, dir string) ([]byte, error) {
	prompt, err := s.prompt(dir)
	if err != nil {
		return nil, err
	}
	c, err := s.E.Complete(ctx, s.Model, prompt, engine.Params{MaxTokens: s.MaxTokens, Temperature: 0})
	if err != nil {
		return nil, fmt.Errorf("engine agent: %w", err)
	}
	patch := ExtractDiff("```diff\n" + c.Text)
	if len(patch) == 0 {
		return nil, errors.New("engine agent: the completion holds no unified diff")
	}
	return patch, nil
}

func (s EngineSolver) prompt(dir string) (string, error) {
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return strings.TrimSpace(string(b))
	}
	var b strings.Builder
	b.WriteString("You are fixing a Go repository. Answer with a unified diff only (git apply format, paths a/... b/...).\n\n")
	b.WriteString("## Problem\n" + read("STATEMENT.md") + "\n\n## Checklist\n" + read("CHECKLIST.md") + "\n\n")
	budget := s.MaxContextBytes
	for _, rel := range strings.Split(read("CONTEXT_PATHS"), "\n") {
		rel = strings.TrimSpace(rel)
		if rel == "" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, "repo", filepath.FromSlash(rel)))
		if err != nil || len(src) > budget {
			continue
		}
		budget -= len(src)
		fmt.Fprintf(&b, "## %s\n```go\n%s\n```\n\n", rel, src)
	}
	b.WriteString("## Answer\n```diff\n")
	return b.String(), nil
}

var fence = regexp.MustCompile("(?s)```(?:diff|patch)?\n(.*?)(?:```|$)")

// ExtractDiff takes the unified diff out of a model's answer: the first fenced block
// holding one, else the text from the first "--- " or "diff --git" line.
func ExtractDiff(text string) []byte {
	for _, m := range fence.FindAllStringSubmatch(text, -1) {
		if d := fromDiffStart(m[1]); d != "" {
			return []byte(d)
		}
	}
	return []byte(fromDiffStart(text))
}

func fromDiffStart(s string) string {
	for _, marker := range []string{"diff --git ", "--- "} {
		if i := strings.Index(s, marker); i == 0 || (i > 0 && s[i-1] == '\n') {
			d := strings.TrimRight(s[i:], " \n") + "\n"
			if strings.Contains(d, "\n+++ ") && strings.Contains(d, "\n@@") {
				return d
			}
		}
	}
	return ""
}
