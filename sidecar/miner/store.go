package miner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// logName is the store's file in its folder.
const logName = "results.log"

// record is one line of the log: a result put, or a task forgotten.
type record struct {
	Put    *Result `json:"put,omitempty"`
	Delete uint64  `json:"delete,omitempty"`
}

// Store keeps results between precommit and reveal, so a restarted miner can still
// reveal what it precommitted. It is an append-only log of JSON lines (results.log)
// with the live results in memory:
//   - Put returns once its line is on disk (fsync): the precommit goes out only after.
//     Puts that arrive together share one fsync (group commit): under load a miner
//     stores hundreds of results a second, and one file plus one fsync per result
//     (the earlier layout) was a fifth of its CPU.
//   - Delete appends without waiting for the disk: a forgotten task that comes back
//     after a crash is one the chain has ended, which the miner drops again.
//   - When forgotten lines outnumber the live ones, the log is rewritten with the
//     live results only (temp file, fsync, rename), so it stays a few times the
//     results in flight.
//
// A crash in the middle of an append leaves a torn last line, which opening ignores
// (its Put never returned); a bad line anywhere else is reported as corruption.
// Results written one file per task by earlier versions (task-N.json) are read once
// and moved into the log.
type Store struct {
	dir string

	mu      sync.Mutex // guards the fields below
	f       *os.File
	live    map[uint64]Result
	written uint64 // lines appended to f
	dead    int    // lines in f that no longer matter (deleted or overwritten)

	syncMu sync.Mutex // one fsync (or rewrite) at a time; taken before mu
	synced uint64     // lines of f known on disk (under syncMu)
}

// OpenStore opens (creating dir and the log if needed) the store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("result store %s: %w", dir, err)
	}
	s := &Store{dir: dir, live: map[uint64]Result{}}
	if err := s.replay(); err != nil {
		return nil, fmt.Errorf("result store %s: %w", dir, err)
	}
	old, err := s.readOldFiles()
	if err != nil {
		return nil, fmt.Errorf("result store %s: %w", dir, err)
	}
	// Start from a clean log: torn tail dropped, old files folded in.
	s.syncMu.Lock()
	s.mu.Lock()
	err = s.rewriteLocked()
	s.mu.Unlock()
	s.syncMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("result store %s: %w", dir, err)
	}
	for _, p := range old {
		_ = os.Remove(p) // in the log now
	}
	return s, nil
}

// replay reads the log into memory.
func (s *Store) replay() error {
	bz, err := os.ReadFile(filepath.Join(s.dir, logName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	r := bufio.NewReader(bytes.NewReader(bz))
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			return nil // a line without its newline is a torn append: its Put never returned
		}
		var rec record
		if jerr := json.Unmarshal(line, &rec); jerr != nil {
			return fmt.Errorf("%s line %d is corrupt: %w", logName, n, jerr)
		}
		s.apply(rec)
	}
}

// readOldFiles loads the one-file-per-task results of earlier versions and returns
// their paths (removed once the log holds them). Temp files of interrupted writes
// are removed.
func (s *Store) readOldFiles() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range ents {
		n := e.Name()
		p := filepath.Join(s.dir, n)
		if strings.HasPrefix(n, "tmp-") {
			_ = os.Remove(p)
			continue
		}
		if !strings.HasPrefix(n, "task-") || !strings.HasSuffix(n, ".json") {
			continue
		}
		if _, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(n, "task-"), ".json"), 10, 64); err != nil {
			continue
		}
		bz, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var r Result
		if err := json.Unmarshal(bz, &r); err != nil {
			return nil, fmt.Errorf("result file %s is corrupt: %w", n, err)
		}
		if _, ok := s.live[r.TaskID]; !ok {
			s.live[r.TaskID] = r
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// apply is one log line's effect on memory.
func (s *Store) apply(rec record) {
	switch {
	case rec.Put != nil:
		if _, ok := s.live[rec.Put.TaskID]; ok {
			s.dead++
		}
		s.live[rec.Put.TaskID] = *rec.Put
	case rec.Delete != 0:
		if _, ok := s.live[rec.Delete]; ok {
			delete(s.live, rec.Delete)
			s.dead++
		}
		s.dead++ // the delete line itself
	}
}

// Get returns the stored result of a task, or ok=false.
func (s *Store) Get(task uint64) (Result, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.live[task]
	return r, ok, nil
}

// Has reports whether a task has a stored result.
func (s *Store) Has(task uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.live[task]
	return ok
}

// Put writes a result durably. The text must be valid UTF-8: JSON would silently
// replace invalid bytes and the revealed text would no longer match the hash.
func (s *Store) Put(r Result) error {
	if !utf8.ValidString(r.Text) {
		return fmt.Errorf("result of task %d: text is not valid UTF-8", r.TaskID)
	}
	if r.TaskID == 0 {
		return fmt.Errorf("result without a task id")
	}
	seq, err := s.append(record{Put: &r})
	if err != nil {
		return err
	}
	return s.syncThrough(seq)
}

// Delete forgets a task (it ended). Forgetting a task not stored is a no-op.
func (s *Store) Delete(task uint64) error {
	if !s.Has(task) {
		return nil
	}
	if _, err := s.append(record{Delete: task}); err != nil {
		return err
	}
	s.mu.Lock()
	due := s.dead > 1024 && s.dead > 2*len(s.live)
	s.mu.Unlock()
	if !due {
		return nil
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rewriteLocked()
}

// append writes one line and applies it; it returns the line's number in the file.
func (s *Store) append(rec record) (uint64, error) {
	bz, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	bz = append(bz, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return 0, errors.New("result store is closed")
	}
	if _, err := s.f.Write(bz); err != nil {
		return 0, fmt.Errorf("result store: %w", err)
	}
	s.written++
	s.apply(rec)
	return s.written, nil
}

// syncThrough returns once line seq of the current file is on disk. The first
// caller to get here fsyncs everything written so far; those waiting behind it find
// their lines already covered.
func (s *Store) syncThrough(seq uint64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced >= seq {
		return nil
	}
	s.mu.Lock()
	f, upto := s.f, s.written
	s.mu.Unlock()
	if f == nil {
		return errors.New("result store is closed")
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("result store: %w", err)
	}
	s.synced = upto
	return nil
}

// rewriteLocked replaces the log with the live results (temp file, fsync, rename,
// folder fsync) and appends to the new file from then on. Called with syncMu and mu
// held; everything in the new file is on disk when it returns.
func (s *Store) rewriteLocked() error {
	tmp, err := os.CreateTemp(s.dir, "tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	w := bufio.NewWriter(tmp)
	ids := make([]uint64, 0, len(s.live))
	for id := range s.live {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := s.live[id]
		bz, err := json.Marshal(record{Put: &r})
		if err != nil {
			tmp.Close()
			return err
		}
		w.Write(bz)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, logName)); err != nil {
		tmp.Close()
		return err
	}
	if d, err := os.Open(s.dir); err == nil {
		_ = d.Sync() // the rename itself survives a crash
		d.Close()
	}
	if s.f != nil {
		s.f.Close()
	}
	s.f = tmp // same file, now named results.log; opened read-write, offset at its end
	s.written, s.synced, s.dead = uint64(len(ids)), uint64(len(ids)), 0
	return nil
}

// Close closes the log; Puts after it fail.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Tasks lists the task ids with a stored result, in increasing order.
func (s *Store) Tasks() ([]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]uint64, 0, len(s.live))
	for id := range s.live {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}
