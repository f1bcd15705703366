package auditor

import (
	"context"
	"fmt"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/miner"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// SessionSubject checks sampled session tasks (subject module "sessions"), following
// the auditor contract in x/sessions/README.md ("Session audits"): every paid node's
// committed embedding is compared with the auditor's own embedding of the text it
// embedded; the answer of every paid node of a completion or chat task is replayed under
// the model (engines that implement engine.Replayer), or, on engines that cannot replay,
// compared with the auditor's own greedy completion.
type SessionSubject struct {
	Q   sessionstypes.QueryClient
	Eng engine.Engine
}

// Check implements Subject. A task that cannot be read (unknown, pruned, results
// missing) is an error: the contract says not to report it.
func (s SessionSubject) Check(ctx context.Context, a *auditstypes.Audit) (*Finding, error) {
	id, err := sessionstypes.ParseTaskSubject(a.SubjectId)
	if err != nil {
		return nil, err
	}
	tr, err := s.Q.Task(ctx, &sessionstypes.QueryTaskRequest{TaskId: id})
	if err != nil {
		return nil, fmt.Errorf("task %d: %w", id, err)
	}
	pr, err := s.Q.Params(ctx, &sessionstypes.QueryParamsRequest{})
	if err != nil {
		return nil, fmt.Errorf("sessions params: %w", err)
	}
	return CheckSessionTask(ctx, s.Eng, &tr.Task, pr.Params)
}

// nodeVerdict is one audited node's outcome: the check it failed ("" if none), the
// figure value for its fraud figure, and its replay score when it was replayed.
type nodeVerdict struct {
	failed, value, score string
}

// CheckSessionTask runs the embedding check and the replay check (or, on an engine that
// cannot replay, the greedy output check) on a task's paid nodes. It returns nil when
// nothing failed and there is nothing to report; a Finding without Check (a pass) that
// carries the replay scores; or a Finding with Check (fraud).
func CheckSessionTask(ctx context.Context, eng engine.Engine, t *sessionstypes.Task, p sessionstypes.Params) (*Finding, error) {
	if t.Pruned {
		return nil, fmt.Errorf("task %d is pruned: its results cannot be checked", t.Id)
	}
	embedding := t.PromptType == sessionstypes.PromptTypeEmbedding
	own := map[string][]int32{} // text → the auditor's embedding, each text embedded once
	embed := func(text string) ([]int32, error) {
		if e, ok := own[text]; ok {
			return e, nil
		}
		if text == "" {
			// an empty completion: the protocol's fixed vector, as every miner commits
			return miner.EmptyResultEmbedding(t.EmbeddingDim), nil
		}
		vs, _, err := eng.Embed(ctx, t.ModelId, []string{text})
		if err != nil {
			return nil, fmt.Errorf("embedding with %s: %w", t.ModelId, err)
		}
		if len(vs) != 1 || len(vs[0]) != int(t.EmbeddingDim) {
			return nil, fmt.Errorf("the engine's embedding of %s does not have the task's %d components", t.ModelId, t.EmbeddingDim)
		}
		e, err := miner.Quantize(vs[0])
		if err != nil {
			return nil, err
		}
		own[text] = e
		return e, nil
	}
	var audited []*sessionstypes.Assignment
	verdicts := map[string]*nodeVerdict{}
	for i := range t.Assignments {
		as := &t.Assignments[i]
		if as.Status != sessionstypes.ASSIGNMENT_STATUS_VALIDATED {
			continue
		}
		if len(as.Embedding) == 0 {
			return nil, fmt.Errorf("task %d: node %s's results are missing", t.Id, as.NodeId)
		}
		audited = append(audited, as)
		v := &nodeVerdict{}
		verdicts[as.NodeId] = v
		text := as.ResultText
		if embedding {
			text = t.Prompt
		}
		b, err := embed(text)
		if err != nil {
			return nil, err
		}
		if !sessionstypes.WithinAuditTolerance(as.Embedding, b, p.AuditEmbeddingTolerance) {
			v.failed = sessionstypes.AuditCheckEmbedding
			v.value = sessionstypes.FraudFigureValue(sessionstypes.AuditCheckEmbedding, sessionstypes.AuditDistance(as.Embedding, b))
		}
	}
	var detail []string
	if !embedding {
		sp, err := miner.EngineParams(t.Sampling, t.PromptType)
		if err != nil {
			return nil, err
		}
		if rp, ok := eng.(engine.Replayer); ok {
			if detail, err = replayCheck(ctx, rp, t, sp, p, audited, verdicts); err != nil {
				return nil, err
			}
		} else if err := outputCheck(ctx, eng, t, sp, p, audited, verdicts, embed); err != nil {
			return nil, err
		}
	}
	return finding(audited, verdicts, detail), nil
}

// outputCheck is the fallback for engines that cannot replay (greedy tasks only): the
// auditor's own greedy completion, embedded, against each node's committed embedding.
func outputCheck(ctx context.Context, eng engine.Engine, t *sessionstypes.Task, sp engine.Params, p sessionstypes.Params,
	audited []*sessionstypes.Assignment, verdicts map[string]*nodeVerdict, embed func(string) ([]int32, error)) error {
	if !t.Sampling.Temperature.IsZero() {
		return nil
	}
	left := false
	for _, as := range audited {
		left = left || verdicts[as.NodeId].failed == ""
	}
	if !left {
		return nil
	}
	c, err := eng.Complete(ctx, t.ModelId, t.Prompt, sp)
	if err != nil {
		return fmt.Errorf("completion with %s: %w", t.ModelId, err)
	}
	b, err := embed(strings.ToValidUTF8(c.Text, "\uFFFD")) // as the miner repairs it
	if err != nil {
		return err
	}
	for _, as := range audited {
		v := verdicts[as.NodeId]
		if v.failed == "" && !sessionstypes.WithinAuditTolerance(as.Embedding, b, p.AuditOutputTolerance) {
			v.failed = sessionstypes.AuditCheckOutput
			v.value = sessionstypes.FraudFigureValue(sessionstypes.AuditCheckOutput, sessionstypes.AuditDistance(as.Embedding, b))
		}
	}
	return nil
}

// finding builds the outcome in assignment order: a "node:<id>" figure per failing node
// (the contract's "<check>:<figure>"), then a "replay:<id>" score figure per replayed node
// (failing ones included, so the scores of every audited node are on chain). Fraud figures
// come first so that trimming to max_figures (Auditor.fitFigures) drops scores only.
func finding(audited []*sessionstypes.Assignment, verdicts map[string]*nodeVerdict, detail []string) *Finding {
	f := &Finding{Failed: map[string]string{}}
	for _, as := range audited {
		if v := verdicts[as.NodeId]; v.failed != "" {
			f.Failed[as.NodeId] = v.failed
			f.add(sessionstypes.FraudFigureName(as.NodeId), v.value)
			detail = append(detail, as.NodeId+":"+v.failed)
		}
	}
	for _, as := range audited {
		if v := verdicts[as.NodeId]; v.score != "" {
			f.add(sessionstypes.ReplayFigureName(as.NodeId), v.score)
		}
	}
	f.Detail = strings.Join(detail, " ")
	if len(f.Failed) > 0 {
		// embedding beats replay beats output: the check the report leads with.
		for _, c := range []string{sessionstypes.AuditCheckOutput, sessionstypes.AuditCheckReplay, sessionstypes.AuditCheckEmbedding} {
			for _, got := range f.Failed {
				if got == c {
					f.Check = c
				}
			}
		}
		return f
	}
	if len(f.Figures) == 0 {
		return nil
	}
	return f
}

// Confirms implements Confirmer: yes only when the report names at least one node and
// every named node is a paid node that fails, by this auditor's computation, the check
// its figure names.
func (s SessionSubject) Confirms(r *auditstypes.FraudReport, own *Finding) bool {
	if r == nil || !own.Fraud() {
		return false
	}
	named := 0
	for _, fg := range r.Figures {
		node, ok := strings.CutPrefix(fg.Name, sessionstypes.FraudFigurePrefix)
		if !ok || node == "" {
			continue
		}
		named++
		check, _, _ := strings.Cut(fg.Value, ":")
		if own.Failed[node] != check {
			return false
		}
	}
	return named > 0
}
