package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// phases splits validated tasks' latency into the protocol's steps, in blocks, so a run
// says which step missed its block: the floor is 0 for assignment (assigned in the
// submission's EndBlock), 1 for each precommit (the block after assignment), 1 for the
// precommit phase (its last precommit), 1 for each reveal (the block after the phase's
// last precommit), 2 in all (validated in the EndBlock of submission + 2).
type phases struct {
	assign, precommit, phase, reveal, total map[int64]int
	// nodeFloor counts each node's precommits and those at the floor: a task's commit
	// phase opens at the floor only when every node's precommit made it, so nodes that
	// each make the floor often but for different tasks (or one slower node) show here.
	nodeFloor map[string]*floorCount
}

// floorCount is one node's precommits: all of them, and those at the floor.
type floorCount struct{ atFloor, all int }

func newPhases() *phases {
	return &phases{assign: map[int64]int{}, precommit: map[int64]int{}, phase: map[int64]int{}, reveal: map[int64]int{}, total: map[int64]int{},
		nodeFloor: map[string]*floorCount{}}
}

// add counts one validated task. Only assignments with both heights count (replaced
// nodes never revealed), and the phase ends at the last precommit of those.
func (p *phases) add(t sessionstypes.Task) {
	if t.Status != sessionstypes.TASK_STATUS_VALIDATED || t.AssignedHeight == 0 {
		return
	}
	p.assign[t.AssignedHeight-t.SubmittedHeight]++
	p.total[t.EndedHeight-t.SubmittedHeight]++
	var last int64
	for _, a := range t.Assignments {
		if a.PrecommitHeight > 0 && a.CommitHeight > 0 {
			p.precommit[a.PrecommitHeight-a.AssignedHeight]++
			last = max(last, a.PrecommitHeight)
			c := p.nodeFloor[a.NodeId]
			if c == nil {
				c = &floorCount{}
				p.nodeFloor[a.NodeId] = c
			}
			c.all++
			if a.PrecommitHeight-a.AssignedHeight <= 1 {
				c.atFloor++
			}
		}
	}
	if last == 0 {
		return
	}
	p.phase[last-t.AssignedHeight]++
	for _, a := range t.Assignments {
		if a.PrecommitHeight > 0 && a.CommitHeight > 0 {
			p.reveal[a.CommitHeight-last]++
		}
	}
}

// table is one row per step: how many landed 0, 1, 2, 3 and 4 or more blocks after the
// step before it, as shares.
func (p *phases) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| step (blocks after the step before) | floor | count | 0 | 1 | 2 | 3 | 4+ |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, floor int, h map[int64]int) {
		n := 0
		var buckets [5]int
		for d, c := range h {
			n += c
			buckets[min(max(d, 0), 4)] += c
		}
		fmt.Fprintf(&b, "| %s | %d | %d |", name, floor, n)
		for _, c := range buckets {
			if n == 0 {
				fmt.Fprintf(&b, " - |")
				continue
			}
			fmt.Fprintf(&b, " %.1f %% |", 100*float64(c)/float64(n))
		}
		b.WriteString("\n")
	}
	row("assigned (from the submission's block)", 0, p.assign)
	row("each precommit (from assignment)", 1, p.precommit)
	row("last precommit: commit phase opens (from assignment)", 1, p.phase)
	row("each reveal (from the last precommit)", 1, p.reveal)
	row("validated (from the submission's block)", 2, p.total)
	if len(p.nodeFloor) > 0 {
		nodes := make([]string, 0, len(p.nodeFloor))
		for n := range p.nodeFloor {
			nodes = append(nodes, n)
		}
		sort.Strings(nodes)
		parts := make([]string, len(nodes))
		for i, n := range nodes {
			c := p.nodeFloor[n]
			parts[i] = fmt.Sprintf("%s %.1f %% of %d", n, 100*float64(c.atFloor)/float64(c.all), c.all)
		}
		fmt.Fprintf(&b, "\nPrecommits at the floor by node: %s\n", strings.Join(parts, ", "))
	}
	return b.String()
}

// readPhases reads the tasks by id, 1,000 at a time, and counts the validated ones.
func readPhases(ctx context.Context, read func(context.Context, []uint64) ([]sessionstypes.Task, []uint64, error), ids []uint64) (*phases, error) {
	p := newPhases()
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		tasks, _, err := read(ctx, ids[:n])
		if err != nil {
			return nil, err
		}
		for _, t := range tasks {
			p.add(t)
		}
		ids = ids[n:]
	}
	return p, nil
}
