package challenger

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"

	"github.com/cortnet/cortd/sidecar/evaluator"
	"github.com/cortnet/cortd/x/challenges/types"
)

// ContextSelection is a prepared context-selection challenge (TASK_TYPE_CONTEXT_SELECTION):
// a bugfix challenge's buggy snapshot and a statement of the symptom, whose answer is
// the list of files the mutation touched. The key is known because the challenger made
// the bug; it is packed as the challenge's hidden "tests" archive, so it stays secret
// until the miners have revealed (the same commit-then-reveal as a bugfix's tests).
type ContextSelection struct {
	Bug *Bugfix
	// Key is the answer: the files the mutation changed (sorted, canonical).
	Key []string
	// Tests is the key archive: one file, evaluator.ContextKeyFile, the canonical list.
	Tests []byte
}

// MakeContextSelection plants a bug with MakeBugfix (it builds, the repository's tests
// fail with it and pass without it) and turns it into a context-selection challenge.
func MakeContextSelection(ctx context.Context, o BugfixOptions) (*ContextSelection, error) {
	b, err := MakeBugfix(ctx, o)
	if err != nil {
		return nil, err
	}
	p := types.DefaultParams()
	key, err := types.NormalizeFileList([]string{b.Site.File}, p.MaxAnswerFiles, p.MaxPathBytes)
	if err != nil {
		return nil, fmt.Errorf("answer key: %w", err)
	}
	tests, err := packFile(evaluator.ContextKeyFile, types.EncodeFileList(key))
	if err != nil {
		return nil, err
	}
	return &ContextSelection{Bug: b, Key: key, Tests: tests}, nil
}

// Challenge turns the prepared context selection into a postable challenge. The
// statement describes the symptom and names the function whose behaviour broke (the
// identifier a reader would search for), never a file.
func (c *ContextSelection) Challenge() Challenge {
	fn := c.Bug.Site.Func
	return Challenge{
		TaskType: types.TASK_TYPE_CONTEXT_SELECTION, Snapshot: c.Bug.Snapshot, Tests: c.Tests,
		Statement: fmt.Sprintf("A recent change broke `%s`: its results are wrong for some inputs, and the "+
			"repository's hidden tests of it fail. Which files must be read and changed to fix it? Answer with "+
			"the repository-relative paths of those files (a context-selection answer: the list, sorted, one "+
			"path per line). Answers are scored by precision and recall (F1) against the files of the fix.",
			strings.TrimPrefix(fn, "*")),
		Checklist: []string{"list every file the fix must change", "list nothing else: extra files lower the precision"},
	}
}

// packFile is a deterministic tar.gz of one file (as PackTarGz writes them).
func packFile(name string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
