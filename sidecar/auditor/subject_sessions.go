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
// embedded; for greedy tasks also with the embedding of the auditor's own completion.
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

// CheckSessionTask runs the embedding and output checks on a task's paid nodes.
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
	f := &Finding{Failed: map[string]string{}}
	var audited []*sessionstypes.Assignment
	for i := range t.Assignments {
		as := &t.Assignments[i]
		if as.Status != sessionstypes.ASSIGNMENT_STATUS_VALIDATED {
			continue
		}
		if len(as.Embedding) == 0 {
			return nil, fmt.Errorf("task %d: node %s's results are missing", t.Id, as.NodeId)
		}
		audited = append(audited, as)
		text := as.ResultText
		if embedding {
			text = t.Prompt
		}
		b, err := embed(text)
		if err != nil {
			return nil, err
		}
		if !sessionstypes.WithinAuditTolerance(as.Embedding, b, p.AuditEmbeddingTolerance) {
			f.fail(as.NodeId, sessionstypes.AuditCheckEmbedding, sessionstypes.AuditDistance(as.Embedding, b))
		}
	}
	if !embedding && t.Sampling.Temperature.IsZero() && len(audited) > len(f.Failed) {
		sp, err := miner.EngineParams(t.Sampling, t.PromptType)
		if err != nil {
			return nil, err
		}
		c, err := eng.Complete(ctx, t.ModelId, t.Prompt, sp)
		if err != nil {
			return nil, fmt.Errorf("completion with %s: %w", t.ModelId, err)
		}
		b, err := embed(strings.ToValidUTF8(c.Text, "\uFFFD")) // as the miner repairs it
		if err != nil {
			return nil, err
		}
		for _, as := range audited {
			if _, failed := f.Failed[as.NodeId]; failed {
				continue
			}
			if !sessionstypes.WithinAuditTolerance(as.Embedding, b, p.AuditOutputTolerance) {
				f.fail(as.NodeId, sessionstypes.AuditCheckOutput, sessionstypes.AuditDistance(as.Embedding, b))
			}
		}
	}
	if len(f.Failed) == 0 {
		return nil, nil
	}
	f.Check = sessionstypes.AuditCheckOutput
	for _, c := range f.Failed {
		if c == sessionstypes.AuditCheckEmbedding {
			f.Check = sessionstypes.AuditCheckEmbedding
		}
	}
	return f, nil
}

// fail records a failing node with its figure (the contract's "node:<id>" =
// "<check>:<distance>"), in assignment order.
func (f *Finding) fail(node, check, distance string) {
	f.Failed[node] = check
	f.add(sessionstypes.FraudFigureName(node), sessionstypes.FraudFigureValue(check, distance))
	f.Detail = strings.TrimSpace(f.Detail + " " + node + ":" + check)
}

// Confirms implements Confirmer: yes only when the report names at least one node and
// every named node is a paid node that fails, by this auditor's computation, the check
// its figure names.
func (s SessionSubject) Confirms(r *auditstypes.FraudReport, own *Finding) bool {
	if r == nil || own == nil {
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
