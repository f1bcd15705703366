package evaluator

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cortnet/cortd/x/challenges/types"
)

// A context-selection challenge (TASK_TYPE_CONTEXT_SELECTION) asks for the files that
// matter to a problem. Its "tests" archive, committed at posting and revealed after the
// miners' reveals like a bugfix challenge's hidden tests, holds one file, ContextKeyFile:
// the answer key as a canonical file list (types.EncodeFileList). Nothing runs: each
// revealed answer (a canonical file list, checked by the chain at the reveal) scores
// types.ScoreFileList's F1 in basis points, integer arithmetic, so every honest
// evaluator submits the same scores.

// ContextKeyFile is the name of the answer key in a context-selection tests archive.
const ContextKeyFile = "CONTEXT_SELECTION_KEY"

// maxKeyBytes bounds the unpacked key: the chain's caps on paths and path length.
const maxKeyBytes = types.MaxContextPathsCap * (types.MaxPathBytesCap + 1)

// LoadContextKey fetches a context-selection challenge's tests archive (size and sha256
// as revealed on chain) and returns its answer key. The archive must hold exactly
// ContextKeyFile, a canonical file list within the chain's caps; anything else is
// ErrBadTests (the challenge is then not scored by this evaluator).
func (e *Evaluator) LoadContextKey(ctx context.Context, ch Challenge) ([]string, error) {
	data, err := e.fetch(ctx, ch.Tests, e.cfg.MaxTestsBytes, "answer key")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(e.cfg.WorkRoot, fmt.Sprintf("key-%d-", ch.ID))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	names, err := Unpack(data, dir, UnpackLimits{MaxBytes: maxKeyBytes, MaxFiles: 1})
	if err != nil {
		return nil, fmt.Errorf("%w: answer key: %w", ErrBadTests, err)
	}
	if len(names) != 1 || names[0] != ContextKeyFile {
		return nil, fmt.Errorf("%w: the answer key archive must hold exactly %s, holds %q", ErrBadTests, ContextKeyFile, names)
	}
	b, err := readInside(dir, ContextKeyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: answer key: %w", ErrBadTests, err)
	}
	key, err := types.ParseFileList(b, types.MaxContextPathsCap, types.MaxPathBytesCap)
	if err != nil {
		return nil, fmt.Errorf("%w: answer key: %w", ErrBadTests, err)
	}
	return key, nil
}

// ScoreContextAnswer scores one revealed context-selection answer against the key: its
// F1 in basis points, or 0 with the reason when the answer is not a canonical file list
// within the chain's caps (the chain refuses such reveals, so only a forged answer
// gets there).
func ScoreContextAnswer(key []string, answer []byte) Outcome {
	start := time.Now()
	list, err := types.ParseFileList(answer, types.MaxContextPathsCap, types.MaxPathBytesCap)
	if err != nil {
		return Outcome{Reason: err.Error(), Duration: time.Since(start)}
	}
	s := types.ScoreFileList(list, key)
	return Outcome{ScoreBps: s.ScoreBps, Passed: s.Hits, Run: s.Key, Reason: "scored", Duration: time.Since(start)}
}
