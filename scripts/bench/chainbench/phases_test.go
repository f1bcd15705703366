package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// A task whose second precommit missed its block opens the commit phase a block late,
// and each reveal counts from that last precommit; a replaced node that never revealed
// and a task that did not validate count nowhere.
func TestPhasesSplitsATaskIntoItsSteps(t *testing.T) {
	p := newPhases()
	p.add(sessionstypes.Task{
		Status: sessionstypes.TASK_STATUS_VALIDATED, SubmittedHeight: 10, AssignedHeight: 10, EndedHeight: 14,
		Assignments: []sessionstypes.Assignment{
			{NodeId: "a", AssignedHeight: 10, PrecommitHeight: 11, CommitHeight: 13},
			{NodeId: "b", AssignedHeight: 10, PrecommitHeight: 12, CommitHeight: 13},
			{NodeId: "c", AssignedHeight: 10}, // replaced: no precommit
			{NodeId: "d", AssignedHeight: 11, PrecommitHeight: 12, CommitHeight: 14},
		},
	})
	p.add(sessionstypes.Task{Status: sessionstypes.TASK_STATUS_FAILED, SubmittedHeight: 10, AssignedHeight: 10, EndedHeight: 20})
	require.Equal(t, map[int64]int{0: 1}, p.assign)
	require.Equal(t, map[int64]int{1: 2, 2: 1}, p.precommit)
	require.Equal(t, map[int64]int{2: 1}, p.phase)
	require.Equal(t, map[int64]int{1: 2, 2: 1}, p.reveal)
	require.Equal(t, map[int64]int{4: 1}, p.total)
	require.Contains(t, p.table(), "| each reveal (from the last precommit) | 1 | 3 | 0.0 % | 66.7 % | 33.3 % | 0.0 % | 0.0 % |")
	// Per node: a and d (the replacement, a block after its own assignment) at the floor, b not.
	require.Contains(t, p.table(), "Precommits at the floor by node: a 100.0 % of 1, b 0.0 % of 1, d 100.0 % of 1\n")
}
