package miner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Result is what a node precommits and later reveals for one task.
type Result struct {
	TaskID           uint64  `json:"task_id"`
	NodeID           string  `json:"node_id"`
	Text             string  `json:"text"`
	Embedding        []int32 `json:"embedding"`
	PromptTokens     uint64  `json:"prompt_tokens"`
	CompletionTokens uint64  `json:"completion_tokens"`
	Salt             []byte  `json:"salt"`
	Hash             []byte  `json:"hash"`
}

// Store keeps results on disk, one file per task, written atomically (temp file,
// fsync, rename) before the hash is precommitted.
type Store struct{ dir string }

// OpenStore creates dir if needed.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("result store %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(task uint64) string {
	return filepath.Join(s.dir, "task-"+strconv.FormatUint(task, 10)+".json")
}

// Get returns the stored result of a task, or ok=false.
func (s *Store) Get(task uint64) (Result, bool, error) {
	bz, err := os.ReadFile(s.path(task))
	if errors.Is(err, os.ErrNotExist) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	var r Result
	if err := json.Unmarshal(bz, &r); err != nil {
		return Result{}, false, fmt.Errorf("result of task %d is corrupt: %w", task, err)
	}
	return r, true, nil
}

// Put writes a result durably. The text must be valid UTF-8: JSON would silently
// replace invalid bytes and the revealed text would no longer match the hash.
func (s *Store) Put(r Result) error {
	if !utf8.ValidString(r.Text) {
		return fmt.Errorf("result of task %d: text is not valid UTF-8", r.TaskID)
	}
	bz, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, "tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(bz); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path(r.TaskID))
}

// Delete forgets a task (it ended).
func (s *Store) Delete(task uint64) error {
	err := os.Remove(s.path(task))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Tasks lists the task ids with a stored result.
func (s *Store) Tasks() ([]uint64, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "task-") || !strings.HasSuffix(n, ".json") {
			continue
		}
		if id, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(n, "task-"), ".json"), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}
