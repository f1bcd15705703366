package dashboard

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/cosmos/cosmos-sdk/types/query"

	challengestypes "github.com/cortnet/cortd/x/challenges/types"
)

// weightEpochs is how many epochs the weights chart spans, and weightNodes how
// many nodes (the latest epoch's first page) it follows.
const (
	weightEpochs = 8
	weightNodes  = 10
)

// ChallengesPage lists challenges and the miners' weights over epochs.
type ChallengesPage struct {
	Challenges []challengestypes.Challenge
	Pager      Pager
	Status     string
	Type       string
	Epoch      uint64
	Weights    []challengestypes.Weight // the epoch's, first page
	Chart      any
}

func (s *Server) challenges(ctx context.Context, r *http.Request) (*view, error) {
	q := r.URL.Query()
	pp, err := parsePage(q, "")
	if err != nil {
		return nil, err
	}
	st, err := parseEnum(q.Get("status"), "status", "CHALLENGE_STATUS_", challengestypes.ChallengeStatus_value)
	if err != nil {
		return nil, err
	}
	tt, err := parseEnum(q.Get("type"), "type", "TASK_TYPE_", challengestypes.TaskType_value)
	if err != nil {
		return nil, err
	}
	if tt == 0 {
		tt = int32(challengestypes.TASK_TYPE_CODEGEN)
	}
	epoch, err := parseUint(q, "epoch", 0)
	if err != nil {
		return nil, err
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	pr := pp.request(true)
	pr.Reverse = true
	res, err := s.b.Challenges.Challenges(qc, &challengestypes.QueryChallengesRequest{Status: challengestypes.ChallengeStatus(st), Pagination: pr})
	if err != nil {
		return nil, queryErr("challenges", err)
	}
	page := ChallengesPage{Challenges: res.Challenges, Pager: pager(r.URL, "", pp, len(res.Challenges), res.Pagination),
		Status: q.Get("status"), Type: trimStatus(challengestypes.TaskType(tt)), Epoch: epoch}
	if page.Epoch == 0 && len(res.Challenges) > 0 {
		page.Epoch = res.Challenges[0].Epoch // the newest listed challenge's epoch
	}
	// One paged query per epoch shown: weightEpochs × weightNodes rows at most.
	var perEpoch []field
	series := map[string][]float64{}
	var order []string
	var labels []string
	first := uint64(0)
	if page.Epoch >= weightEpochs {
		first = page.Epoch - weightEpochs + 1
	}
	for e := first; e <= page.Epoch; e++ {
		w, err := s.b.Challenges.Weights(qc, &challengestypes.QueryWeightsRequest{Epoch: e, TaskType: challengestypes.TaskType(tt),
			Pagination: &query.PageRequest{Limit: weightNodes}})
		if err != nil {
			return nil, queryErr("weights of epoch "+strconv.FormatUint(e, 10), err)
		}
		perEpoch = append(perEpoch, field{strconv.FormatUint(e, 10), w})
		labels = append(labels, strconv.FormatUint(e, 10))
		idx := len(labels) - 1
		for _, x := range w.Weights {
			if _, ok := series[x.NodeId]; !ok {
				order = append(order, x.NodeId)
			}
			pts := series[x.NodeId]
			for len(pts) < idx {
				pts = append(pts, 0)
			}
			series[x.NodeId] = append(pts, decFloat(x.Weight))
		}
		if e == page.Epoch {
			page.Weights = w.Weights
		}
	}
	slices.Sort(order)
	var ss []Series
	for _, n := range order {
		pts := series[n]
		for len(pts) < len(labels) {
			pts = append(pts, 0)
		}
		ss = append(ss, Series{Name: n, Points: pts})
	}
	page.Chart = LineChart(ss, labels)
	return &view{Title: "Challenges", Data: page, JSON: []field{
		{"challenges", res}, {"epoch", page.Epoch}, {"weights", perEpoch},
	}}, nil
}

// AnswerRow is an answer with each evaluator's score of it.
type AnswerRow struct {
	Answer challengestypes.Answer
	Scores []EvaluatorScore
	Chart  any
}

// EvaluatorScore is one validator's score of one answer.
type EvaluatorScore struct {
	Evaluator string
	ScoreBps  uint32
}

// ChallengePage is one challenge with answers and score submissions.
type ChallengePage struct {
	Challenge   challengestypes.Challenge
	Answers     []AnswerRow
	Pager       Pager
	Submissions []challengestypes.ScoreSubmission
	SubPager    Pager
}

func (s *Server) challenge(ctx context.Context, r *http.Request) (*view, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, notFound("challenge %q not found", r.PathValue("id"))
	}
	q := r.URL.Query()
	pp, err := parsePage(q, "")
	if err != nil {
		return nil, err
	}
	sp, err := parsePage(q, "s_")
	if err != nil {
		return nil, err
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	cr, err := s.b.Challenges.Challenge(qc, &challengestypes.QueryChallengeRequest{Id: id})
	if err != nil {
		return nil, lookupErr("challenge "+strconv.FormatUint(id, 10), err)
	}
	ans, err := s.b.Challenges.Answers(qc, &challengestypes.QueryAnswersRequest{ChallengeId: id, Pagination: pp.request(true)})
	if err != nil {
		return nil, queryErr("answers", err)
	}
	subs, err := s.b.Challenges.Submissions(qc, &challengestypes.QuerySubmissionsRequest{ChallengeId: id, Pagination: sp.request(true)})
	if err != nil {
		return nil, queryErr("score submissions", err)
	}
	page := ChallengePage{Challenge: cr.Challenge, Submissions: subs.Submissions,
		Pager: pager(r.URL, "", pp, len(ans.Answers), ans.Pagination), SubPager: pager(r.URL, "s_", sp, len(subs.Submissions), subs.Pagination)}
	for _, a := range ans.Answers {
		row := AnswerRow{Answer: a}
		var bars []Bar
		for _, sub := range subs.Submissions {
			for _, sc := range sub.Scores {
				if sc.NodeId == a.NodeId {
					row.Scores = append(row.Scores, EvaluatorScore{Evaluator: sub.Evaluator, ScoreBps: sc.ScoreBps})
					bars = append(bars, Bar{Label: short(sub.Evaluator), Value: float64(sc.ScoreBps) / 100, Text: fmtBps(sc.ScoreBps)})
				}
			}
		}
		if len(bars) > 0 {
			line, label := -1.0, ""
			if a.Scored {
				line, label = float64(a.ScoreBps)/100, "median "+fmtBps(a.ScoreBps)
			}
			row.Chart = BarChart(bars, 100, line, label)
		}
		page.Answers = append(page.Answers, row)
	}
	return &view{Title: "Challenge " + strconv.FormatUint(id, 10), Data: page, JSON: []field{
		{"challenge", cr}, {"answers", ans}, {"submissions", subs},
	}}, nil
}
