package dashboard

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/types/query"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// NodeRow is one line of the rank table.
type NodeRow struct {
	Node      nodestypes.Node
	Online    bool
	Latest    *nodestypes.PeriodRecord // newest settled period, nil before the first
	Validated uint64                   // validated results over the shown periods
	Records   []nodestypes.PeriodRecord
}

// compareRows orders two rows by a sort key with exact arithmetic (LegacyDec and
// Int comparisons, no floats); a node with no settled period ranks below any score.
// Ties keep id order.
func compareRows(a, b NodeRow, key string) int {
	switch key {
	case "level":
		return cmp.Compare(a.Node.Level, b.Node.Level)
	case "validated":
		return cmp.Compare(a.Validated, b.Validated)
	case "rewards":
		return cmpInt(a.Node.AccruedRewards, b.Node.AccruedRewards)
	case "stake":
		return cmpInt(a.Node.Stake, b.Node.Stake)
	case "total", "precommit", "uptime":
		return cmpDec(recScore(a.Latest, key), recScore(b.Latest, key))
	}
	return 0
}

func recScore(r *nodestypes.PeriodRecord, key string) sdkmath.LegacyDec {
	if r == nil {
		return sdkmath.LegacyDec{}
	}
	switch key {
	case "total":
		return r.TotalScore
	case "precommit":
		return r.PrecommitScore
	default:
		return r.Uptime
	}
}

// cmpDec and cmpInt order nil (absent) values first. LT and Equal compare in place
// (BigInt would copy), which matters when sorting thousands of rows.
func cmpDec(a, b sdkmath.LegacyDec) int {
	switch {
	case a.IsNil() && b.IsNil():
		return 0
	case a.IsNil():
		return -1
	case b.IsNil():
		return 1
	case a.Equal(b):
		return 0
	case a.LT(b):
		return -1
	}
	return 1
}

func cmpInt(a, b sdkmath.Int) int {
	switch {
	case a.IsNil() && b.IsNil():
		return 0
	case a.IsNil():
		return -1
	case b.IsNil():
		return 1
	case a.Equal(b):
		return 0
	case a.LT(b):
		return -1
	}
	return 1
}

// sortKeys are the rank table's columns (?sort=), "id" the chain's own order.
var sortKeys = []string{"id", "level", "total", "precommit", "uptime", "validated", "rewards", "stake"}

// NodesPage is the nodes page's data.
type NodesPage struct {
	Rows    []NodeRow
	Sort    string
	Order   string
	Pager   Pager
	Heatmap any
	Periods []uint64
	Query   string // the page's query without sort/order, for the column links
	// Ranked is the census walk the order comes from (sort other than id), else nil.
	Ranked *Ranking
	Ranks  int // nodes ranked
}

func (s *Server) nodes(ctx context.Context, r *http.Request) (*view, error) {
	q := r.URL.Query()
	pp, err := parsePage(q, "")
	if err != nil {
		return nil, err
	}
	sortBy := q.Get("sort")
	if sortBy == "" {
		sortBy = "id"
	}
	if !slices.Contains(sortKeys, sortBy) {
		return nil, badRequest("sort=%q: want one of %s", sortBy, strings.Join(sortKeys, ", "))
	}
	order := q.Get("order")
	if order == "" {
		order = "desc"
		if sortBy == "id" {
			order = "asc"
		}
	}
	if order != "asc" && order != "desc" {
		return nil, badRequest("order=%q: want asc or desc", order)
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	params, err := s.b.Nodes.Params(qc, &nodestypes.QueryParamsRequest{})
	if err != nil {
		return nil, queryErr("node params", err)
	}
	blk, err := s.b.Comet.GetLatestBlock(qc, &cmtservice.GetLatestBlockRequest{})
	if err != nil {
		return nil, queryErr("latest block", err)
	}
	height := blockHeight(blk)
	page := NodesPage{Sort: sortBy, Order: order}
	var res *nodestypes.QueryNodesResponse
	if sortBy == "id" {
		// The chain's own order: one paged query (reversed for desc).
		pr := pp.request(true)
		pr.Reverse = order == "desc"
		if res, err = s.b.Nodes.Nodes(qc, &nodestypes.QueryNodesRequest{Pagination: pr}); err != nil {
			return nil, queryErr("nodes", err)
		}
		for _, n := range res.Nodes {
			page.Rows = append(page.Rows, NodeRow{Node: n, Online: online(params.Params, n, height)})
		}
		page.Pager = pager(r.URL, "", pp, len(res.Nodes), res.Pagination)
	} else {
		// No query orders nodes by score: the whole set comes from the census walk
		// (every node, paged, kept between walks), sorted here, and cut to the page.
		// The cursor (key=) of the id order means nothing here; offset pages.
		rk, err := s.census.ensureRanking(ctx, s.b, s.cfg.QueryTimeout)
		if err != nil {
			return nil, queryErr("node ranking", err)
		}
		page.Ranked, page.Ranks = rk, len(rk.Rows)
		sorted := rk.sorted(sortBy, order)
		from := min(pp.Offset, uint64(len(sorted)))
		to := min(from+pp.Limit, uint64(len(sorted)))
		res = &nodestypes.QueryNodesResponse{Pagination: &query.PageResponse{Total: uint64(len(sorted))}}
		for _, i := range sorted[from:to] {
			row := rk.Rows[i]
			row.Online = online(params.Params, row.Node, height)
			page.Rows = append(page.Rows, row)
			res.Nodes = append(res.Nodes, row.Node)
		}
		page.Pager = offsetPager(r.URL, pp, len(page.Rows), uint64(len(sorted)))
	}
	periods := map[uint64]bool{}
	recs := make([]*nodestypes.QueryNodePeriodsResponse, len(page.Rows))
	for i := range page.Rows {
		row := &page.Rows[i]
		// One paged query per listed node: the page costs O(rows × periods shown).
		pr, err := s.b.Nodes.NodePeriods(qc, &nodestypes.QueryNodePeriodsRequest{NodeId: row.Node.Id,
			Pagination: &query.PageRequest{Limit: uint64(s.cfg.HeatPeriods), Reverse: true}})
		if err != nil {
			return nil, queryErr("periods of node "+row.Node.Id, err)
		}
		recs[i] = pr
		row.Records = pr.Records
		for j := range pr.Records {
			periods[pr.Records[j].Period] = true
		}
		if sortBy == "id" {
			for j := range pr.Records {
				row.Validated += pr.Records[j].Stats.Validated
			}
			if len(pr.Records) > 0 {
				row.Latest = &pr.Records[0]
			}
		}
	}
	for p := range periods {
		page.Periods = append(page.Periods, p)
	}
	slices.Sort(page.Periods)
	if len(page.Periods) > s.cfg.HeatPeriods {
		page.Periods = page.Periods[len(page.Periods)-s.cfg.HeatPeriods:]
	}
	page.Heatmap = heatmapOf(page.Rows, page.Periods)
	qs := r.URL.Query()
	qs.Del("sort")
	qs.Del("order")
	qs.Del("format")
	qs.Del("key") // a cursor belongs to one order; a new order starts from the top
	qs.Del("offset")
	page.Query = qs.Encode()
	js := []field{{"nodes", res}, {"sort", sortBy}, {"order", order}, {"order_ids", rowIDs(page.Rows)}}
	if page.Ranked != nil {
		js = append(js, field{"ranked_height", page.Ranked.Height}, field{"ranked_nodes", page.Ranks}, field{"ranked_truncated", page.Ranked.Truncated})
	}
	js = append(js, field{"periods", recsJSON(page.Rows, recs)})
	return &view{Title: "Nodes", Data: page, JSON: js}, nil
}

// sorted is the ranking's row indices in one order, computed once per walk and key.
func (rk *Ranking) sorted(key, order string) []int {
	rk.mu.Lock()
	defer rk.mu.Unlock()
	if idx, ok := rk.orders[key+" "+order]; ok {
		return idx
	}
	idx := make([]int, len(rk.Rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { // stable over id order: ties stay by id
		d := compareRows(rk.Rows[a], rk.Rows[b], key)
		if order == "desc" {
			d = -d
		}
		return d
	})
	if rk.orders == nil {
		rk.orders = map[string][]int{}
	}
	rk.orders[key+" "+order] = idx
	return idx
}

// offsetPager is pager for a table cut from a list held here: prev and next step by
// offset.
func offsetPager(u *url.URL, p pageParams, rows int, total uint64) Pager {
	pg := Pager{From: p.Offset + 1, To: p.Offset + uint64(rows), Total: total}
	if rows == 0 {
		pg.From = p.Offset
	}
	link := func(off uint64) string {
		q := u.Query()
		q.Del("key")
		q.Del("format")
		if off == 0 {
			q.Del("offset")
		} else {
			q.Set("offset", strconv.FormatUint(off, 10))
		}
		return "?" + q.Encode()
	}
	if pg.To < total {
		pg.Next = link(pg.To)
	}
	if p.Offset > 0 {
		pg.Prev = link(p.Offset - min(p.Offset, p.Limit))
	}
	return pg
}

// heatmapOf shades each node's total score per period (blank: no record).
func heatmapOf(rows []NodeRow, periods []uint64) any {
	labels := make([]string, len(periods))
	for i, p := range periods {
		labels[i] = strconv.FormatUint(p, 10)
	}
	var hr []HeatRow
	for _, r := range rows {
		cells := make([]float64, len(periods))
		for i := range cells {
			cells[i] = math.NaN()
		}
		for _, rec := range r.Records {
			if i, ok := slices.BinarySearch(periods, rec.Period); ok {
				cells[i] = decFloat(rec.TotalScore)
			}
		}
		hr = append(hr, HeatRow{Label: r.Node.Id, Cells: cells})
	}
	return Heatmap(hr, labels)
}

func rowIDs(rows []NodeRow) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.Node.Id
	}
	return ids
}

func recsJSON(rows []NodeRow, recs []*nodestypes.QueryNodePeriodsResponse) []field {
	out := make([]field, len(rows))
	for i, r := range rows {
		out[i] = field{r.Node.Id, recs[i]}
	}
	return out
}

// NodePage is one node's page.
type NodePage struct {
	Node        nodestypes.Node
	Inactive    bool
	History     *nodestypes.QueryLevelHistoryResponse
	LevelChart  any
	Periods     []nodestypes.PeriodRecord
	PeriodPager Pager
	Current     *nodestypes.QueryCurrentPeriodResponse
	Tasks       []TaskOutcome
	TaskPager   Pager
	Pending     string
	MinStake    sdkmath.Int
	// Short are the shown periods paid less than entitled because the rewards pool
	// could not cover the period; Unpaid those whose payout is still to come.
	Short  []nodestypes.PeriodRecord
	Unpaid []uint64
}

// TaskOutcome is one of the node's assignments as the node page lists it.
type TaskOutcome struct {
	Task       sessionstypes.Task
	Assignment sessionstypes.Assignment
}

func (s *Server) node(ctx context.Context, r *http.Request) (*view, error) {
	id := r.PathValue("id")
	q := r.URL.Query()
	pp, err := parsePage(q, "p_")
	if err != nil {
		return nil, err
	}
	tp, err := parsePage(q, "t_")
	if err != nil {
		return nil, err
	}
	qc, cancel := s.qctx(ctx)
	defer cancel()
	nr, err := s.b.Nodes.Node(qc, &nodestypes.QueryNodeRequest{NodeId: id})
	if err != nil {
		return nil, lookupErr("node "+strconv.Quote(id), err)
	}
	page := NodePage{Node: nr.Node, Inactive: nr.Inactive}
	hist, err := s.b.Nodes.LevelHistory(qc, &nodestypes.QueryLevelHistoryRequest{NodeId: id,
		Pagination: &query.PageRequest{Limit: 30, Reverse: true}})
	if err != nil {
		return nil, queryErr("level history", err)
	}
	page.History = hist
	var levels, scores []float64
	var labels []string
	for i := len(hist.History) - 1; i >= 0; i-- { // oldest first on the chart
		h := hist.History[i]
		levels = append(levels, float64(h.LevelAfter))
		scores = append(scores, 10*decFloat(h.TotalScore))
		labels = append(labels, strconv.FormatUint(h.Period, 10))
	}
	page.LevelChart = LineChart([]Series{{Name: "level", Points: levels}, {Name: "total score ×10", Points: scores}}, labels)
	pr := pp.request(true)
	pr.Reverse = true
	periods, err := s.b.Nodes.NodePeriods(qc, &nodestypes.QueryNodePeriodsRequest{NodeId: id, Pagination: pr})
	if err != nil {
		return nil, queryErr("node periods", err)
	}
	page.Periods = periods.Records
	for _, rec := range periods.Records {
		switch {
		case !rec.Paid:
			page.Unpaid = append(page.Unpaid, rec.Period)
		case !rec.RewardPaid.IsNil() && !rec.RewardEntitled.IsNil() && rec.RewardPaid.LT(rec.RewardEntitled):
			page.Short = append(page.Short, rec)
		}
	}
	page.PeriodPager = pager(r.URL, "p_", pp, len(periods.Records), periods.Pagination)
	cur, err := s.b.Nodes.CurrentPeriod(qc, &nodestypes.QueryCurrentPeriodRequest{NodeId: id})
	if err != nil {
		return nil, queryErr("current period", err)
	}
	page.Current = cur
	tr := tp.request(true)
	tr.Reverse = true
	tasks, err := s.b.Sessions.NodeAssignments(qc, &sessionstypes.QueryNodeAssignmentsRequest{NodeId: id, Pagination: tr})
	if err != nil {
		return nil, queryErr("node assignments", err)
	}
	for _, t := range tasks.Tasks {
		for _, a := range t.Assignments {
			if a.NodeId == id {
				page.Tasks = append(page.Tasks, TaskOutcome{Task: t, Assignment: a})
			}
		}
	}
	page.TaskPager = pager(r.URL, "t_", tp, len(tasks.Tasks), tasks.Pagination)
	pend, err := s.b.Payments.PendingPayments(qc, &paymentstypes.QueryPendingPaymentsRequest{Operator: nr.Node.Operator})
	if err != nil {
		return nil, queryErr("pending payments", err)
	}
	page.Pending = pend.Amount.String()
	params, err := s.b.Nodes.Params(qc, &nodestypes.QueryParamsRequest{})
	if err != nil {
		return nil, queryErr("node params", err)
	}
	page.MinStake = sdkmath.ZeroInt()
	for _, p := range params.Params.Pools {
		if p.Id == nr.Node.PoolId {
			page.MinStake = p.MinStake
		}
	}
	return &view{Title: "Node " + id, Data: page, JSON: []field{
		{"node", nr}, {"level_history", hist}, {"periods", periods}, {"current_period", cur},
		{"assignments", tasks}, {"pending_payments", pend},
	}}, nil
}
