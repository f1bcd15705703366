package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	sdkmath "cosmossdk.io/math"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
)

// TargetRow is a target with its submission, when it has one.
type TargetRow struct {
	Target     datatypes.Target
	Submission *datatypes.Submission
}

// AuditRow is an open audit with its live tally.
type AuditRow struct {
	Audit auditstypes.Audit
	Tally *auditstypes.QueryTallyResponse
	Chart any
}

// DataPage is the data page: the epoch, targets, submissions, open audits and votes.
type DataPage struct {
	Pool        *datatypes.QueryPoolResponse
	Status      string
	Epoch       int64
	Targets     []TargetRow
	TargetPager Pager
	Audits      []AuditRow
	AuditPager  Pager
}

func (s *Server) data(ctx context.Context, r *http.Request) (*view, error) {
	q := r.URL.Query()
	tp, err := parsePage(q, "")
	if err != nil {
		return nil, err
	}
	ap, err := parsePage(q, "a_")
	if err != nil {
		return nil, err
	}
	st, err := parseEnum(q.Get("status"), "status", "TARGET_STATUS_", datatypes.TargetStatus_value)
	if err != nil {
		return nil, err
	}
	epoch := int64(0)
	if v := q.Get("epoch"); v != "" {
		if epoch, err = strconv.ParseInt(v, 10, 64); err != nil || epoch < 0 {
			return nil, badRequest("epoch=%q: want a non-negative number", v)
		}
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	page := DataPage{Status: q.Get("status"), Epoch: epoch}
	pool, err := s.b.Data.Pool(qc, &datatypes.QueryPoolRequest{})
	if err != nil {
		return nil, queryErr("data pool", err)
	}
	page.Pool = pool
	pr := tp.request(true)
	pr.Reverse = true
	targets, err := s.b.Data.Targets(qc, &datatypes.QueryTargetsRequest{Status: datatypes.TargetStatus(st), Epoch: epoch, Pagination: pr})
	if err != nil {
		return nil, queryErr("targets", err)
	}
	var subs []field
	for _, t := range targets.Targets {
		row := TargetRow{Target: t}
		if t.Status != datatypes.TARGET_STATUS_OPEN && t.Status != datatypes.TARGET_STATUS_EXPIRED {
			sub, err := s.b.Data.Submission(qc, &datatypes.QuerySubmissionRequest{TargetId: t.Id})
			switch {
			case err == nil:
				row.Submission = &sub.Submission
				subs = append(subs, field{strconv.FormatUint(t.Id, 10), sub})
			case status.Code(err) != codes.NotFound:
				return nil, queryErr("submission of target "+strconv.FormatUint(t.Id, 10), err)
			}
		}
		page.Targets = append(page.Targets, row)
	}
	page.TargetPager = pager(r.URL, "", tp, len(targets.Targets), targets.Pagination)
	audits, err := s.b.Audits.OpenAudits(qc, &auditstypes.QueryOpenAuditsRequest{Pagination: ap.request(true)})
	if err != nil {
		return nil, queryErr("open audits", err)
	}
	var tallies []field
	for _, a := range audits.Audits {
		row := AuditRow{Audit: a}
		if a.Status == auditstypes.AUDIT_STATUS_VOTING {
			t, err := s.b.Audits.Tally(qc, &auditstypes.QueryTallyRequest{AuditId: a.Id})
			if err != nil {
				return nil, queryErr("tally of audit "+strconv.FormatUint(a.Id, 10), err)
			}
			row.Tally, row.Chart = t, tallyChart(t.Tally)
			tallies = append(tallies, field{strconv.FormatUint(a.Id, 10), t})
		}
		page.Audits = append(page.Audits, row)
	}
	page.AuditPager = pager(r.URL, "a_", ap, len(audits.Audits), audits.Pagination)
	return &view{Title: "Data", Data: page, JSON: []field{
		{"pool", pool}, {"targets", targets}, {"submissions", subs}, {"open_audits", audits}, {"tallies", tallies},
	}}, nil
}

// tallyChart draws yes and no stake as percentages of the total against the 2/3 line;
// the bars' texts are exact decimal percentages, the floats only place the bars.
func tallyChart(t auditstypes.Tally) any {
	share := func(part sdkmath.Int) (float64, string) {
		if part.IsNil() || t.TotalStake.IsNil() || !t.TotalStake.IsPositive() {
			return 0, "0%"
		}
		d := sdkmath.LegacyNewDecFromInt(part).QuoInt(t.TotalStake)
		return 100 * decFloat(d), fmtPct(d)
	}
	yes, yesText := share(t.YesStake)
	no, noText := share(t.NoStake)
	return BarChart([]Bar{{"yes (fraud)", yes, yesText}, {"no", no, noText}}, 100, 200.0/3, "2/3 of stake")
}

// AuditPage is one audit with its votes.
type AuditPage struct {
	Audit auditstypes.Audit
	// Tally is nil for an audit without a fraud vote (pending, passed, missed).
	Tally *auditstypes.QueryTallyResponse
	Votes []auditstypes.Vote
	Pager Pager
	Chart any
	// YesShare is the yes stake over the total, shown beside the 2/3 line.
	YesShare sdkmath.LegacyDec
	// Outcome says in one sentence where the audit stands.
	Outcome string
}

// hasVote mirrors x/audits' Tally query: only an audit in its fraud vote, or one
// that finished it (fraud, cleared), has a tally; for the others the query answers
// FailedPrecondition, which is not an error of the page.
func hasVote(a auditstypes.Audit) bool {
	return a.Tally != nil || a.Status == auditstypes.AUDIT_STATUS_VOTING
}

// auditOutcome is the page's sentence for each status.
func auditOutcome(a auditstypes.Audit) string {
	switch a.Status {
	case auditstypes.AUDIT_STATUS_PENDING:
		return fmt.Sprintf("Waiting for the auditor to pass or report until height %d.", a.DeadlineHeight)
	case auditstypes.AUDIT_STATUS_VOTING:
		return fmt.Sprintf("The auditor reported fraud; bonded validators vote until height %d.", a.VotingEndHeight)
	case auditstypes.AUDIT_STATUS_PASSED:
		return fmt.Sprintf("The auditor passed the subject at height %d.", a.DecidedHeight)
	case auditstypes.AUDIT_STATUS_FRAUD:
		return fmt.Sprintf("Fraud: yes-voters held at least 2/3 of the bonded stake when the vote closed (height %d).", a.DecidedHeight)
	case auditstypes.AUDIT_STATUS_CLEARED:
		return fmt.Sprintf("Cleared: the fraud report did not reach 2/3 of the bonded stake (height %d); the subject stands.", a.DecidedHeight)
	case auditstypes.AUDIT_STATUS_MISSED:
		return fmt.Sprintf("Missed: the auditor did nothing by height %d; the subject passes.", a.DeadlineHeight)
	}
	return "Unknown status " + a.Status.String() + "."
}

func (s *Server) audit(ctx context.Context, r *http.Request) (*view, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, notFound("audit %q not found", r.PathValue("id"))
	}
	pp, err := parsePage(r.URL.Query(), "")
	if err != nil {
		return nil, err
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	ar, err := s.b.Audits.Audit(qc, &auditstypes.QueryAuditRequest{Id: id})
	if err != nil {
		return nil, lookupErr("audit "+strconv.FormatUint(id, 10), err)
	}
	var tally *auditstypes.QueryTallyResponse
	if hasVote(ar.Audit) {
		tally, err = s.b.Audits.Tally(qc, &auditstypes.QueryTallyRequest{AuditId: id})
		// FailedPrecondition: the audit left its vote between the two queries with no
		// stored tally; the page shows it without one.
		if err != nil && status.Code(err) != codes.FailedPrecondition {
			return nil, queryErr("tally", err)
		}
	}
	votes, err := s.b.Audits.Votes(qc, &auditstypes.QueryVotesRequest{AuditId: id, Pagination: pp.request(true)})
	if err != nil {
		return nil, queryErr("votes", err)
	}
	page := AuditPage{Audit: ar.Audit, Tally: tally, Votes: votes.Votes,
		Pager: pager(r.URL, "", pp, len(votes.Votes), votes.Pagination), YesShare: sdkmath.LegacyZeroDec(), Outcome: auditOutcome(ar.Audit)}
	if tally != nil {
		page.Chart = tallyChart(tally.Tally)
		if t := tally.Tally; !t.TotalStake.IsNil() && t.TotalStake.IsPositive() && !t.YesStake.IsNil() {
			page.YesShare = sdkmath.LegacyNewDecFromInt(t.YesStake).QuoInt(t.TotalStake)
		}
	}
	return &view{Title: "Audit " + strconv.FormatUint(id, 10), Data: page, JSON: []field{
		{"audit", ar}, {"tally", tally}, {"votes", votes},
	}}, nil
}
