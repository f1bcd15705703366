package auditor

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/fetch"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
)

// Subject checks the subject of an audit. A nil Finding means the subject holds; an
// error means the auditor could not judge it (it then neither passes nor reports).
type Subject interface {
	Check(ctx context.Context, a *auditstypes.Audit) (*Finding, error)
}

// Confirmer is implemented by subjects whose votes need more than "my own check
// failed too": it says whether a fraud report is confirmed by the voter's own finding
// (nil when its check passed). Subjects without it vote yes on any own finding.
type Confirmer interface {
	Confirms(report *auditstypes.FraudReport, own *Finding) bool
}

// DataSubject checks x/data submissions (subject module "data", subject id = target id).
type DataSubject struct {
	Q     datatypes.QueryClient
	Eng   engine.Engine
	Tol   Tolerances
	Fetch fetch.Options
}

// Check implements Subject.
func (d DataSubject) Check(ctx context.Context, a *auditstypes.Audit) (*Finding, error) {
	id, err := strconv.ParseUint(a.SubjectId, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("data subject id %q is not a target id", a.SubjectId)
	}
	t, err := d.Q.Target(ctx, &datatypes.QueryTargetRequest{Id: id})
	if err != nil {
		return nil, fmt.Errorf("target %d: %w", id, err)
	}
	s, err := d.Q.Submission(ctx, &datatypes.QuerySubmissionRequest{TargetId: id})
	if err != nil {
		return nil, fmt.Errorf("submission of target %d: %w", id, err)
	}
	return CheckData(ctx, d.Eng, &t.Target, &s.Submission, d.Tol, d.Fetch)
}
