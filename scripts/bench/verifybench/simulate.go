package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cortnet/cortd/sidecar/auditor"
	"github.com/cortnet/cortd/sidecar/miner"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// nodes of every task; the class's node sits at position Idx mod 3, so no position (the
// medoid's tie-break favours the lowest index) is favoured.
var nodeIDs = []string{"node-a", "node-b", "node-c"}

// tally is what one (class, mode) row counts.
type tally struct {
	Tasks         int
	NotApplicable int // class cannot be built for the model
	Identical     int // the class's node committed exactly the honest result: no cheat to catch
	HonestNodes   int
	HonestReject  int // honest nodes not paid (REJECTED, including by a failed task)
	Dishonest     int // tasks where the class's node differs from honest
	NotPaid       int // of those, its commit was not paid (caught by validation)
	Audited       int // tasks audited (its node paid; for the honest class: every validated task)
	AuditCaught   int // of those, the audit names the class's node
	HonestAudited int // honest paid nodes on audited tasks
	HonestFlagged int // of those, the nodes an audit named (false fraud reports)
	FailedTasks   int
	AuditTime     time.Duration
	AuditErrors   int
	// How the audit caught the class's node: the embedding check; the replay's end rule
	// (EndOK false); its score below replay_min_score; only the exact rule (exact tasks);
	// and how many caught answers hold U+FFFD (repaired partial UTF-8, see the README).
	ByEmbedding, ByEnd, ByScore, ByExact, CaughtFFFD int
	HonestErrors                                     int // tasks an honest node could not compute (not judged)
	NoCommit                                         int // tasks the class's node had nothing to commit for (counted as not paid)
	Notes                                            []string
}

// note keeps the first few error messages for the report.
func (t *tally) note(s string) {
	if len(t.Notes) < 3 {
		t.Notes = append(t.Notes, s)
	}
}

// run measures one class in one mode over the tasks.
func (h *harness) run(ctx context.Context, c class, mode sessionstypes.VerificationMode, p sessionstypes.Params, quorum int) (tally, error) {
	var tl tally
	for _, t := range h.tasks {
		if c.prepare != nil {
			t = c.prepare(t)
		}
		honest, err := h.honest(ctx, t)
		if err != nil {
			// An honest miner cannot commit either (an engine error): no node is judged
			// on such a task.
			tl.HonestErrors++
			tl.note(fmt.Sprintf("task %d: honest node: %v", t.Idx, err))
			continue
		}
		bad, err := c.commit(ctx, h, t, honest)
		if errors.Is(err, errNotApplicable) {
			tl.NotApplicable++
			continue
		}
		noCommit := err != nil
		if noCommit {
			// The class's node has nothing to commit: it misses the commit, is not paid.
			tl.NoCommit++
			tl.note(fmt.Sprintf("task %d: %s node: %v", t.Idx, c.Name, err))
		}
		tl.Tasks++
		isHonestClass := c.Name == "honest"
		same := !noCommit && sameCommit(bad, honest)
		if same && !isHonestClass {
			tl.Identical++
		}
		pos := t.Idx % len(nodeIDs)
		commits := make([]miner.Result, len(nodeIDs))
		for i := range commits {
			commits[i] = honest
		}
		commits[pos] = bad
		st := h.chainTask(t, mode, t.Model)
		judged := commits
		if noCommit { // only the revealed results are judged (the keeper skips MISSED_COMMIT)
			judged = slices.Delete(slices.Clone(commits), pos, pos+1)
		}
		jp, validated := judge(st, judged, p, quorum)
		pass := jp
		if noCommit {
			pass = slices.Insert(slices.Clone(jp), pos, false)
		}
		if !validated {
			tl.FailedTasks++
		}
		for i, r := range commits {
			a := assignment(nodeIDs[i], r, validated && pass[i])
			if noCommit && i == pos {
				a = sessionstypes.Assignment{NodeId: nodeIDs[i], Status: sessionstypes.ASSIGNMENT_STATUS_MISSED_COMMIT}
			}
			st.Assignments = append(st.Assignments, a)
		}
		for i := range commits {
			if i == pos && !isHonestClass {
				continue
			}
			tl.HonestNodes++
			if !(validated && pass[i]) {
				tl.HonestReject++
			}
		}
		if !isHonestClass && !same {
			tl.Dishonest++
			if !(validated && pass[pos]) {
				tl.NotPaid++
				continue
			}
		}
		if !validated || (same && !isHonestClass) {
			continue
		}
		// Audit: what the chain's sampled auditor (and every voter) runs on the task.
		start := time.Now()
		f, err := auditor.CheckSessionTask(ctx, h.eng, st, p)
		tl.AuditTime += time.Since(start)
		if err != nil {
			tl.AuditErrors++
			tl.note(fmt.Sprintf("task %d: audit: %v", t.Idx, err))
			continue
		}
		tl.Audited++
		for i, n := range nodeIDs {
			named := f.Fraud() && f.Failed[n] != ""
			switch {
			case i == pos && !isHonestClass:
				if named {
					tl.AuditCaught++
					if err := h.why(ctx, &tl, st, i, f.Failed[n], p); err != nil {
						return tl, err
					}
				}
			case st.Assignments[i].Status != sessionstypes.ASSIGNMENT_STATUS_VALIDATED:
			case !named:
				tl.HonestAudited++
			default:
				tl.HonestAudited++
				tl.HonestFlagged++
			}
		}
	}
	return tl, nil
}

func sameCommit(a, b miner.Result) bool {
	return a.Text == b.Text && slices.Equal(a.Embedding, b.Embedding) && a.CompletionTokens == b.CompletionTokens
}

func assignment(node string, r miner.Result, paid bool) sessionstypes.Assignment {
	s := sessionstypes.ASSIGNMENT_STATUS_REJECTED
	if paid {
		s = sessionstypes.ASSIGNMENT_STATUS_VALIDATED
	}
	return sessionstypes.Assignment{NodeId: node, Status: s, ResultText: r.Text, Embedding: r.Embedding,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens}
}

// judge is the chain's validation of the task's commits (x/sessions keeper validate): the
// pure judge of the task's mode, then quorum. pass[i] is the judge's verdict on node i.
func judge(t *sessionstypes.Task, commits []miner.Result, p sessionstypes.Params, quorum int) (pass []bool, validated bool) {
	var v sessionstypes.Verdict
	if t.Verification.Effective() == sessionstypes.VERIFICATION_MODE_EXACT {
		rs := make([]sessionstypes.ExactResult, len(commits))
		for i, c := range commits {
			rs[i] = sessionstypes.NewExactResult(c.Text, c.Embedding, c.CompletionTokens)
		}
		v = sessionstypes.JudgeExact(rs)
	} else {
		vs := make([][]int32, len(commits))
		for i, c := range commits {
			vs[i] = c.Embedding
		}
		v = sessionstypes.Judge(vs, p.SimilarityThresholdFor(t.ModelId))
	}
	return v.Pass, len(commits) >= quorum && v.Passed >= quorum
}

// why records which rule of the audit named node i (one more replay of its answer).
func (h *harness) why(ctx context.Context, tl *tally, st *sessionstypes.Task, i int, check string, p sessionstypes.Params) error {
	as := st.Assignments[i]
	if strings.ContainsRune(as.ResultText, utf8.RuneError) {
		tl.CaughtFFFD++
	}
	if check != sessionstypes.AuditCheckReplay {
		tl.ByEmbedding++
		return nil
	}
	sp, err := miner.EngineParams(st.Sampling, st.PromptType)
	if err != nil {
		return err
	}
	r, err := h.eng.Replay(ctx, st.ModelId, st.Prompt, as.ResultText, int(as.CompletionTokens), sp)
	if err != nil {
		return err
	}
	switch {
	case !r.EndOK:
		tl.ByEnd++
	case auditor.ReplayScore(r.Score).LT(p.ReplayMinScoreFor(st.ModelId)):
		tl.ByScore++
	default:
		tl.ByExact++
	}
	return nil
}
