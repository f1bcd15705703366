package miner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitQueued waits until n tasks wait for a slot.
func waitQueued(t *testing.T, s *slots, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.waiting) == n
	}, 5*time.Second, time.Millisecond)
}

// admitted queues the tasks (id, precommit deadline) for one held slot in the order
// given, at block height h, and returns the order they were handed the slot.
func admitted(t *testing.T, h int64, tasks [][2]int64) []uint64 {
	t.Helper()
	s := newSlots(1)
	s.setHeight(h)
	ctx := context.Background()
	require.NoError(t, s.acquire(ctx, 1000, 0))
	var mu sync.Mutex
	var order []uint64
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.acquire(ctx, uint64(task[0]), task[1]))
			mu.Lock()
			order = append(order, uint64(task[0]))
			mu.Unlock()
			s.release()
		}()
		waitQueued(t, s, i+1)
	}
	s.release() // the waiters run one after another, each releasing to the next
	wg.Wait()
	require.Equal(t, 1, s.free, "the slot is back")
	return order
}

// TestSlotsRunTheNewestBlockFirstInIDOrder: whatever order the tasks came in, the
// ones of the latest block (the latest precommit deadline) run first, lowest id
// first, then the block before's; a task with no known deadline runs last. Every
// miner so computes a block's tasks alike, and those that can still make the next
// block before those that have missed it.
func TestSlotsRunTheNewestBlockFirstInIDOrder(t *testing.T) {
	// precommit window 20: deadline 31 is a task assigned at 11, 30 at 10
	order := admitted(t, 11, [][2]int64{{9, 30}, {14, 31}, {3, 30}, {0x7f, 0}, {12, 31}, {7, 30}})
	require.Equal(t, []uint64{12, 14, 3, 7, 9, 0x7f}, order)
}

// TestSlotsRunUrgentTasksFirst: a task whose precommit deadline is urgentBlocks or
// fewer blocks away runs before the newest block's, earliest deadline first, so the
// newest-first order never lets an old task's window close.
func TestSlotsRunUrgentTasksFirst(t *testing.T) {
	h := int64(40)
	order := admitted(t, h, [][2]int64{{20, 60}, {2, h + urgentBlocks}, {21, 60}, {1, h + urgentBlocks + 1}, {3, h + 1}})
	require.Equal(t, []uint64{3, 2, 20, 21, 1}, order)
}

// TestSlotsWaiterThatGivesUpHoldsNothing: a task whose context ends while waiting
// leaves the queue without a slot, and the next release goes to the next waiter.
func TestSlotsWaiterThatGivesUpHoldsNothing(t *testing.T) {
	s := newSlots(1)
	require.NoError(t, s.acquire(context.Background(), 1, 0))
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.acquire(ctx, 2, 0) }()
	waitQueued(t, s, 1)
	got := make(chan struct{})
	go func() {
		if s.acquire(context.Background(), 3, 0) == nil {
			close(got)
		}
	}()
	waitQueued(t, s, 2)
	cancel()
	require.ErrorIs(t, <-gaveUp, context.Canceled)
	waitQueued(t, s, 1)
	s.release()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the slot did not pass to the next waiter")
	}
	s.release()
	require.Equal(t, 1, s.free)
}

// TestSlotsGrantRacingACancelIsPassedOn: a slot handed to a waiter whose context ended
// at the same moment is released again, not lost.
func TestSlotsGrantRacingACancelIsPassedOn(t *testing.T) {
	for i := 0; i < 200; i++ {
		s := newSlots(1)
		require.NoError(t, s.acquire(context.Background(), 1, 0))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.acquire(ctx, 2, 0) }()
		waitQueued(t, s, 1)
		go cancel()
		s.release()
		if err := <-done; err == nil {
			s.release() // it got the slot before its context ended
		}
		require.Equal(t, 1, s.free, "run %d: the slot is free again", i)
	}
}
