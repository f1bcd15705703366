package challengeagent

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine"
)

type entry struct {
	name string
	typ  byte
	body string
	link string
}

func tgz(t *testing.T, entries ...entry) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if e.typ != tar.TypeReg {
			h.Size = 0
		}
		require.NoError(t, tw.WriteHeader(h))
		if e.typ == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func writeScript(t *testing.T, body string) string {
	path := filepath.Join(t.TempDir(), "agent.sh")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755))
	return path
}

func TestProgram(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "STATEMENT.md"), []byte("fix it"), 0o644))

	// The patch file wins; the program sees its folder and variables.
	p := Program{Path: writeScript(t, `test "$PWD" = "$CHALLENGE_DIR" || exit 3
test "$CHALLENGE_REPO" = "$CHALLENGE_DIR/repo" || exit 4
cat STATEMENT.md > "$CHALLENGE_PATCH"; echo ignored`), Timeout: 10 * time.Second, MaxOutput: 1 << 10}
	got, err := p.Solve(ctx, dir)
	require.NoError(t, err)
	require.Equal(t, "fix it", string(got))

	// Standard output when no patch file is written.
	require.NoError(t, os.Remove(filepath.Join(dir, "answer.patch")))
	p.Path = writeScript(t, `echo "--- a/x"`)
	got, err = p.Solve(ctx, dir)
	require.NoError(t, err)
	require.Equal(t, "--- a/x\n", string(got))

	p.Path = writeScript(t, `echo boom >&2; exit 2`)
	_, err = p.Solve(ctx, dir)
	require.ErrorContains(t, err, "boom")

	p.Path = writeScript(t, `head -c 5000 /dev/zero`)
	_, err = p.Solve(ctx, dir)
	require.ErrorContains(t, err, "exceeds")

	// A program that forks a sleeper and hangs: the whole group dies at the timeout.
	marker := filepath.Join(t.TempDir(), "alive")
	p = Program{Path: writeScript(t, `(sleep 3; touch `+marker+`) & sleep 30`), Timeout: 300 * time.Millisecond, MaxOutput: 1 << 10}
	start := time.Now()
	_, err = p.Solve(ctx, dir)
	require.ErrorContains(t, err, "timed out")
	require.Less(t, time.Since(start), 10*time.Second)
	time.Sleep(3500 * time.Millisecond)
	_, err = os.Stat(marker)
	require.True(t, os.IsNotExist(err), "the agent's child outlived the timeout")
}

func TestExtractDiff(t *testing.T) {
	diff := "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n"
	cases := map[string]string{
		"Here is the fix:\n```diff\n" + diff + "```\nDone.":  diff,
		"```\n" + diff + "```":                               diff,
		"Sure.\n" + diff:                                     diff,
		"```diff\ndiff --git a/x.go b/x.go\n" + diff + "```": "diff --git a/x.go b/x.go\n" + diff,
		"no diff here":                                       "",
		"```diff\n--- a/x\nnot a hunk\n```":                  "",
	}
	for in, want := range cases {
		require.Equal(t, want, string(ExtractDiff(in)), in)
	}
}

// fakeEngine answers Complete with a canned text and records the prompt.
type fakeEngine struct {
	engine.Engine
	text, prompt string
}

func (f *fakeEngine) Complete(_ context.Context, _, prompt string, p engine.Params) (engine.Completion, error) {
	f.prompt = prompt
	return engine.Completion{Text: f.text}, nil
}

func TestEngineSolver(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "repo"), 0o755))
	for name, body := range map[string]string{"STATEMENT.md": "the bug", "CHECKLIST.md": "- tests pass",
		"CONTEXT_PATHS": "x.go\nmissing.go\n", "repo/x.go": "package x // source"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	f := &fakeEngine{text: "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n```\nexplanation"}
	s := EngineSolver{E: f, Model: "m", MaxTokens: 100, MaxContextBytes: 1 << 10}
	got, err := s.Solve(context.Background(), dir)
	require.NoError(t, err)
	require.Equal(t, "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n", string(got))
	for _, want := range []string{"the bug", "- tests pass", "## x.go", "package x // source"} {
		require.Contains(t, f.prompt, want)
	}
	f.text = "I cannot help."
	_, err = s.Solve(context.Background(), dir)
	require.ErrorContains(t, err, "no unified diff")
}
