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

// TestSlotsAdmitTheLowestTaskIDFirst: tasks that wait for a slot get it in task id
// order, whatever order they came in, so miners compute a block's tasks alike.
func TestSlotsAdmitTheLowestTaskIDFirst(t *testing.T) {
	s := newSlots(2)
	ctx := context.Background()
	require.NoError(t, s.acquire(ctx, 100))
	require.NoError(t, s.acquire(ctx, 101))

	var mu sync.Mutex
	var order []uint64
	var wg sync.WaitGroup
	ids := []uint64{9, 3, 7, 1, 5}
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.acquire(ctx, id))
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
			s.release()
		}()
		waitQueued(t, s, i+1) // queued in the order given
	}
	s.release() // one slot: the waiters run one after another, each releasing to the next
	wg.Wait()
	require.Equal(t, []uint64{1, 3, 5, 7, 9}, order)
	s.release()
	require.Equal(t, 2, s.free, "every slot back")
}

// TestSlotsWaiterThatGivesUpHoldsNothing: a task whose context ends while waiting
// leaves the queue without a slot, and the next release goes to the next waiter.
func TestSlotsWaiterThatGivesUpHoldsNothing(t *testing.T) {
	s := newSlots(1)
	require.NoError(t, s.acquire(context.Background(), 1))
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- s.acquire(ctx, 2) }()
	waitQueued(t, s, 1)
	got := make(chan struct{})
	go func() {
		if s.acquire(context.Background(), 3) == nil {
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
		require.NoError(t, s.acquire(context.Background(), 1))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.acquire(ctx, 2) }()
		waitQueued(t, s, 1)
		go cancel()
		s.release()
		if err := <-done; err == nil {
			s.release() // it got the slot before its context ended
		}
		require.Equal(t, 1, s.free, "run %d: the slot is free again", i)
	}
}
