package miner

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestQuantizeNormalisesAndScales(t *testing.T) {
	q, err := Quantize([]float32{3, 4})
	require.NoError(t, err)
	require.Equal(t, []int32{600_000, 800_000}, q)
	// The chain's norm check passes: |Σx² − 10¹²| ≤ 1% of 10¹².
	require.NoError(t, sessionstypes.CheckEmbedding(q, 2, sdkmath.LegacyNewDecWithPrec(1, 2)))

	q, err = Quantize([]float32{-1, 0, 0})
	require.NoError(t, err)
	require.Equal(t, []int32{-1_000_000, 0, 0}, q)
}

func TestQuantizeRejectsBadVectors(t *testing.T) {
	_, err := Quantize([]float32{0, 0})
	require.ErrorContains(t, err, "zero vector")
	_, err = Quantize([]float32{1, float32(math.NaN())})
	require.ErrorContains(t, err, "NaN")
	_, err = Quantize([]float32{float32(math.Inf(1))})
	require.Error(t, err)
}

func TestStoreRoundTripAndForget(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	require.NoError(t, err)
	_, ok, err := s.Get(7)
	require.NoError(t, err)
	require.False(t, ok)

	r := Result{TaskID: 7, NodeID: "n", Text: "héllo", Embedding: []int32{1, -2}, PromptTokens: 3, CompletionTokens: 4, Salt: make([]byte, 32)}
	r.Hash = sessionstypes.PrecommitHash(r.TaskID, r.NodeID, r.Text, r.Embedding, r.PromptTokens, r.CompletionTokens, r.Salt)
	require.NoError(t, s.Put(r))
	// A second store on the same folder (a restarted miner) reads the same result.
	s2, err := OpenStore(dir)
	require.NoError(t, err)
	got, ok, err := s2.Get(7)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, r, got)
	ids, err := s2.Tasks()
	require.NoError(t, err)
	require.Equal(t, []uint64{7}, ids)

	require.NoError(t, s2.Delete(7))
	require.NoError(t, s2.Delete(7)) // idempotent
	ids, err = s2.Tasks()
	require.NoError(t, err)
	require.Empty(t, ids)

	// A closed store refuses writes instead of losing them.
	require.NoError(t, s2.Close())
	require.ErrorContains(t, s2.Put(r), "closed")
	require.NoError(t, s2.Close())
}

func TestStoreReportsCorruptFile(t *testing.T) {
	// An earlier version's result file that does not parse is reported, not skipped.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "task-9.json"), []byte("{"), 0o600))
	_, err := OpenStore(dir)
	require.ErrorContains(t, err, "corrupt")

	// So is a bad line inside the log; a torn last line (a crash in the middle of an
	// append, whose Put never returned) is dropped.
	dir = t.TempDir()
	s, err := OpenStore(dir)
	require.NoError(t, err)
	require.NoError(t, s.Put(Result{TaskID: 1, Text: "a"}))
	require.NoError(t, s.Put(Result{TaskID: 2, Text: "b"}))
	require.NoError(t, s.Close())
	log := filepath.Join(dir, "results.log")
	bz, err := os.ReadFile(log)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(log, append(bz, []byte(`{"put":{"task_id":3,"te`)...), 0o600))
	s, err = OpenStore(dir)
	require.NoError(t, err)
	ids, _ := s.Tasks()
	require.Equal(t, []uint64{1, 2}, ids)
	require.NoError(t, s.Close())
	require.NoError(t, os.WriteFile(log, append([]byte("{oops\n"), bz...), 0o600))
	_, err = OpenStore(dir)
	require.ErrorContains(t, err, "line 1 is corrupt")
}

// Results stored one file per task by an earlier miner are moved into the log.
func TestStoreMovesOldFilesIntoTheLog(t *testing.T) {
	dir := t.TempDir()
	r := Result{TaskID: 12, NodeID: "n", Text: "old", Salt: []byte{1}}
	bz, err := json.Marshal(r)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "task-12.json"), bz, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tmp-123"), []byte("half"), 0o600))
	s, err := OpenStore(dir)
	require.NoError(t, err)
	got, ok, _ := s.Get(12)
	require.True(t, ok)
	require.Equal(t, r, got)
	require.NoError(t, s.Close())
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1, "only results.log is left")
	s, err = OpenStore(dir)
	require.NoError(t, err)
	require.True(t, s.Has(12))
}

// Concurrent Puts (the miner's workers) are all durable and readable after a reopen,
// and the log is rewritten with the live results once deletes dominate it.
func TestStoreConcurrentPutsAndRewrite(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				id := uint64(w*1000 + i + 1)
				assert.NoError(t, s.Put(Result{TaskID: id, Text: fmt.Sprint(id)}))
			}
		}()
	}
	wg.Wait()
	ids, _ := s.Tasks()
	require.Len(t, ids, 2400)
	log := filepath.Join(dir, "results.log")
	before, err := os.Stat(log)
	require.NoError(t, err)
	// Forget all but the tasks of worker 0: the deletes outnumber the live results and
	// the log shrinks to those.
	for _, id := range ids {
		if id > 1000 {
			require.NoError(t, s.Delete(id))
		}
	}
	after, err := os.Stat(log)
	require.NoError(t, err)
	require.Less(t, after.Size(), before.Size()/2)
	require.NoError(t, s.Put(Result{TaskID: 5000, Text: "after the rewrite"}))
	require.NoError(t, s.Close())

	s, err = OpenStore(dir)
	require.NoError(t, err)
	ids, _ = s.Tasks()
	require.Len(t, ids, 301)
	for _, id := range ids[:300] {
		r, ok, _ := s.Get(id)
		require.True(t, ok)
		require.Equal(t, fmt.Sprint(id), r.Text)
	}
	r, ok, _ := s.Get(5000)
	require.True(t, ok)
	require.Equal(t, "after the rewrite", r.Text)
}

func TestGarbageIsAValidButForeignResult(t *testing.T) {
	task := &sessionstypes.Task{Id: 1, EmbeddingDim: 64}
	a, err := garbage(task)
	require.NoError(t, err)
	b, err := garbage(task)
	require.NoError(t, err)
	require.NotEqual(t, a.Text, b.Text)
	// Well formed (the chain accepts the commit) so that validation, not the
	// commit checks, is what rejects it.
	require.NoError(t, sessionstypes.CheckEmbedding(a.Embedding, 64, sdkmath.LegacyNewDecWithPrec(1, 2)))
}

func TestStoreRefusesInvalidUTF8(t *testing.T) {
	s, err := OpenStore(t.TempDir())
	require.NoError(t, err)
	require.ErrorContains(t, s.Put(Result{TaskID: 1, Text: "a\xffb"}), "UTF-8")
}

// The full poll runs at every tick while no block event comes, at the tick after a
// failure, and at every backstopEvery-th tick otherwise.
func TestBackstopPollsWhenEventsMayHaveMissedSomething(t *testing.T) {
	m := &Miner{cfg: Config{PollInterval: 3 * time.Second}}
	now := time.Unix(1_000_000, 0)
	m.lastBlock.Store(now.Add(-time.Second).UnixNano())
	var due []int
	for tick := 1; tick <= 2*backstopEvery; tick++ {
		if m.backstopDue(tick, now) {
			due = append(due, tick)
		}
	}
	require.Equal(t, []int{backstopEvery, 2 * backstopEvery}, due, "events arriving: only the safety net")

	m.failed.Store(true)
	require.True(t, m.backstopDue(1, now), "a failed read or step is retried at the next tick")
	require.False(t, m.backstopDue(2, now), "once")

	require.True(t, m.backstopDue(1, now.Add(3*time.Second)), "no block event for a tick: every tick")
}
