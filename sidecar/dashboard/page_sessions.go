package dashboard

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// SessionRow is a session with its escrow.
type SessionRow struct {
	Session sessionstypes.Session
	Balance paymentstypes.SessionBalance
}

// SessionsPage lists sessions newest first (or one owner's, in id order).
type SessionsPage struct {
	Rows   []SessionRow
	Queue  *sessionstypes.QueryQueueLengthResponse
	Owner  string
	Latest uint64
	Pager  Pager
}

// latestID remembers the highest session id seen: ids only grow (x/sessions'
// NextSessionID sequence; sessions are never deleted), so the next search starts there.
type latestID struct {
	mu sync.Mutex
	id uint64
}

// latestSession finds the newest session id with O(log n) Session queries:
// doubling from the last known id, then bisecting.
func (s *Server) latestSession(ctx context.Context) (uint64, error) {
	exists := func(id uint64) (bool, error) {
		_, err := s.b.Sessions.Session(ctx, &sessionstypes.QuerySessionRequest{SessionId: id})
		if status.Code(err) == codes.NotFound {
			return false, nil
		}
		return err == nil, err
	}
	s.sessionSeq.mu.Lock()
	lo := s.sessionSeq.id
	s.sessionSeq.mu.Unlock()
	if lo == 0 {
		ok, err := exists(1)
		if err != nil || !ok {
			return 0, err
		}
		lo = 1
	}
	step := uint64(1)
	hi := lo + step
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, step = hi, step*2
		hi = lo + step
	}
	for hi-lo > 1 { // lo exists, hi does not
		mid := lo + (hi-lo)/2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	s.sessionSeq.mu.Lock()
	s.sessionSeq.id = max(s.sessionSeq.id, lo)
	s.sessionSeq.mu.Unlock()
	return lo, nil
}

func (s *Server) sessions(ctx context.Context, r *http.Request) (*view, error) {
	q := r.URL.Query()
	pp, err := parsePage(q, "")
	if err != nil {
		return nil, err
	}
	before, err := parseUint(q, "before", 0)
	if err != nil {
		return nil, err
	}
	page := SessionsPage{Owner: q.Get("owner")}
	if page.Owner != "" {
		if _, err := sdk.AccAddressFromBech32(page.Owner); err != nil {
			return nil, badRequest("owner=%q: not an address: %v", page.Owner, err)
		}
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	var js []field
	if page.Owner != "" {
		res, err := s.b.Sessions.SessionsByOwner(qc, &sessionstypes.QuerySessionsByOwnerRequest{Owner: page.Owner, Pagination: pp.request(true)})
		if err != nil {
			return nil, queryErr("sessions of "+page.Owner, err)
		}
		for _, ss := range res.Sessions {
			page.Rows = append(page.Rows, SessionRow{Session: ss})
		}
		page.Pager = pager(r.URL, "", pp, len(res.Sessions), res.Pagination)
		js = append(js, field{"sessions", res})
	} else {
		latest, err := s.latestSession(qc)
		if err != nil {
			return nil, queryErr("sessions", err)
		}
		page.Latest = latest
		if before == 0 || before > latest+1 {
			before = latest + 1
		}
		var list []field
		for id := before - 1; id >= 1 && uint64(len(page.Rows)) < pp.Limit; id-- {
			res, err := s.b.Sessions.Session(qc, &sessionstypes.QuerySessionRequest{SessionId: id})
			if err != nil {
				return nil, queryErr("session "+strconv.FormatUint(id, 10), err)
			}
			page.Rows = append(page.Rows, SessionRow{Session: res.Session})
			list = append(list, field{strconv.FormatUint(id, 10), res})
		}
		page.Pager = Pager{Total: latest}
		if len(page.Rows) > 0 {
			first, last := page.Rows[0].Session.Id, page.Rows[len(page.Rows)-1].Session.Id
			page.Pager.From, page.Pager.To = latest-first+1, latest-last+1
			if last > 1 {
				page.Pager.Next = "?before=" + strconv.FormatUint(last, 10) + limitQS(pp)
			}
			if first < latest {
				page.Pager.Prev = "?before=" + strconv.FormatUint(min(latest+1, first+1+pp.Limit), 10) + limitQS(pp)
			}
		}
		js = append(js, field{"latest", latest}, field{"sessions", list})
	}
	var bals []field
	for i := range page.Rows {
		id := page.Rows[i].Session.Id
		b, err := s.b.Payments.SessionBalance(qc, &paymentstypes.QuerySessionBalanceRequest{SessionId: id})
		if err != nil && status.Code(err) != codes.NotFound {
			return nil, queryErr("balance of session "+strconv.FormatUint(id, 10), err)
		}
		if err == nil {
			page.Rows[i].Balance = b.Balance
			bals = append(bals, field{strconv.FormatUint(id, 10), b})
		}
	}
	ql, err := s.b.Sessions.QueueLength(qc, &sessionstypes.QueryQueueLengthRequest{})
	if err != nil {
		return nil, queryErr("queue length", err)
	}
	page.Queue = ql
	js = append(js, field{"balances", bals}, field{"queue", ql})
	return &view{Title: "Sessions", Data: page, JSON: js}, nil
}

func limitQS(p pageParams) string {
	if p.Limit == DefaultPageSize {
		return ""
	}
	return "&limit=" + strconv.FormatUint(p.Limit, 10)
}

// SessionPage is one session with its tasks.
type SessionPage struct {
	Session sessionstypes.Session
	Balance *paymentstypes.SessionBalance
	Queue   *sessionstypes.QueryQueueLengthResponse
	Tasks   []sessionstypes.Task
	Pager   Pager
	Chart   any
}

func (s *Server) session(ctx context.Context, r *http.Request) (*view, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, notFound("session %q not found", r.PathValue("id"))
	}
	pp, err := parsePage(r.URL.Query(), "")
	if err != nil {
		return nil, err
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	sr, err := s.b.Sessions.Session(qc, &sessionstypes.QuerySessionRequest{SessionId: id})
	if err != nil {
		return nil, lookupErr("session "+strconv.FormatUint(id, 10), err)
	}
	page := SessionPage{Session: sr.Session}
	js := []field{{"session", sr}}
	bal, err := s.b.Payments.SessionBalance(qc, &paymentstypes.QuerySessionBalanceRequest{SessionId: id})
	switch {
	case err == nil:
		page.Balance = &bal.Balance
		js = append(js, field{"balance", bal})
	case status.Code(err) != codes.NotFound:
		return nil, queryErr("session balance", err)
	}
	ql, err := s.b.Sessions.QueueLength(qc, &sessionstypes.QueryQueueLengthRequest{SessionId: id})
	if err != nil {
		return nil, queryErr("queue length", err)
	}
	page.Queue = ql
	pr := pp.request(true)
	pr.Reverse = true
	tasks, err := s.b.Sessions.TasksBySession(qc, &sessionstypes.QueryTasksBySessionRequest{SessionId: id, Pagination: pr})
	if err != nil {
		return nil, queryErr("tasks", err)
	}
	page.Tasks = tasks.Tasks
	page.Pager = pager(r.URL, "", pp, len(tasks.Tasks), tasks.Pagination)
	ss := sr.Session
	page.Chart = BarChart([]Bar{{Label: "validated", Value: float64(ss.TasksValidated)}, {Label: "failed", Value: float64(ss.TasksFailed)},
		{Label: "expired", Value: float64(ss.TasksExpired)}, {Label: "queued", Value: float64(ss.Queued)}, {Label: "running", Value: float64(ss.Running)}}, 0, -1, "")
	js = append(js, field{"queue", ql}, field{"tasks", tasks})
	return &view{Title: "Session " + strconv.FormatUint(id, 10), Data: page, JSON: js}, nil
}

// AssignmentView is one node's part in a task.
type AssignmentView struct {
	A              sessionstypes.Assignment
	PrecommitAfter int64 // blocks from assignment to precommit (-1: none)
	CommitAfter    int64 // blocks from precommit to commit (-1: none)
	Similarity     float64
	HasSimilarity  bool
	Pass           string // "pass", "fail" or "" while undecided
}

// TaskPage is one task with its assignments and receipt.
type TaskPage struct {
	Task        sessionstypes.Task
	Assignments []AssignmentView
	Threshold   string
	Chart       any
}

func (s *Server) task(ctx context.Context, r *http.Request) (*view, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, notFound("task %q not found", r.PathValue("id"))
	}
	if len(r.URL.Query()) > 0 && r.URL.Query().Get("format") == "" {
		return nil, badRequest("the task page takes no query parameters but format")
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	tr, err := s.b.Sessions.Task(qc, &sessionstypes.QueryTaskRequest{TaskId: id})
	if err != nil {
		return nil, lookupErr("task "+strconv.FormatUint(id, 10), err)
	}
	params, err := s.b.Sessions.Params(qc, &sessionstypes.QueryParamsRequest{})
	if err != nil {
		return nil, queryErr("session params", err)
	}
	t := tr.Task
	page := TaskPage{Task: t, Threshold: fmtDec(params.Params.SimilarityThreshold)}
	var consensus []int32
	for _, a := range t.Assignments {
		if a.NodeId == t.ConsensusNode {
			consensus = a.Embedding
		}
	}
	var bars []Bar
	sims := []field{}
	for _, a := range t.Assignments {
		v := AssignmentView{A: a, PrecommitAfter: -1, CommitAfter: -1}
		if a.PrecommitHeight > 0 {
			v.PrecommitAfter = a.PrecommitHeight - a.AssignedHeight
		}
		if a.CommitHeight > 0 && a.PrecommitHeight > 0 {
			v.CommitAfter = a.CommitHeight - a.PrecommitHeight
		}
		if len(consensus) > 0 && len(a.Embedding) == len(consensus) {
			v.Similarity, v.HasSimilarity = cosine(a.Embedding, consensus), true
			bars = append(bars, Bar{Label: a.NodeId, Value: v.Similarity})
			sims = append(sims, field{a.NodeId, v.Similarity})
		}
		switch a.Status {
		case sessionstypes.ASSIGNMENT_STATUS_VALIDATED:
			v.Pass = "pass"
		case sessionstypes.ASSIGNMENT_STATUS_REJECTED, sessionstypes.ASSIGNMENT_STATUS_MISSED_COMMIT, sessionstypes.ASSIGNMENT_STATUS_MISSED_PRECOMMIT:
			v.Pass = "fail"
		}
		page.Assignments = append(page.Assignments, v)
	}
	if len(bars) > 0 {
		page.Chart = BarChart(bars, 1, decFloat(params.Params.SimilarityThreshold), "threshold "+page.Threshold)
	}
	return &view{Title: "Task " + strconv.FormatUint(id, 10), Data: page, JSON: []field{
		{"task", tr}, {"similarity_threshold", params.Params.SimilarityThreshold.String()}, {"similarity_to_consensus", sims},
	}}, nil
}

// cosine of two integer embeddings (components × 10^6), for display only.
func cosine(a, b []int32) float64 {
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// taskTokens is the completion tokens of a validated task's consensus result,
// for the overview's tokens per second.
func (s *Server) taskTokens(ctx context.Context, id uint64) (uint64, bool) {
	tr, err := s.b.Sessions.Task(ctx, &sessionstypes.QueryTaskRequest{TaskId: id})
	if err != nil {
		return 0, false
	}
	for _, a := range tr.Task.Assignments {
		if a.NodeId == tr.Task.ConsensusNode {
			return a.CompletionTokens, true
		}
	}
	return 0, false
}
