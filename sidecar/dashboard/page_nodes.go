package dashboard

import (
	"context"
	"math"
	"net/http"
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

func (n NodeRow) score(key string) float64 {
	switch key {
	case "level":
		return float64(n.Node.Level)
	case "rewards":
		return intFloat(n.Node.AccruedRewards)
	case "validated":
		return float64(n.Validated)
	}
	if n.Latest == nil {
		return -1
	}
	switch key {
	case "total":
		return decFloat(n.Latest.TotalScore)
	case "precommit":
		return decFloat(n.Latest.PrecommitScore)
	case "uptime":
		return decFloat(n.Latest.Uptime)
	}
	return 0
}

// sortKeys are the rank table's columns (?sort=), "id" the chain's own order.
var sortKeys = []string{"id", "level", "total", "precommit", "uptime", "validated", "rewards"}

// NodesPage is the nodes page's data.
type NodesPage struct {
	Rows    []NodeRow
	Sort    string
	Order   string
	Pager   Pager
	Heatmap any
	Periods []uint64
	Query   string // the page's query without sort/order, for the column links
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
	res, err := s.b.Nodes.Nodes(qc, &nodestypes.QueryNodesRequest{Pagination: pp.request(true)})
	if err != nil {
		return nil, queryErr("nodes", err)
	}
	params, err := s.b.Nodes.Params(qc, &nodestypes.QueryParamsRequest{})
	if err != nil {
		return nil, queryErr("node params", err)
	}
	blk, err := s.b.Comet.GetLatestBlock(qc, &cmtservice.GetLatestBlockRequest{})
	if err != nil {
		return nil, queryErr("latest block", err)
	}
	height := blockHeight(blk)
	page := NodesPage{Sort: sortBy, Order: order, Pager: pager(r.URL, "", pp, len(res.Nodes), res.Pagination)}
	periods := map[uint64]bool{}
	recs := make([]*nodestypes.QueryNodePeriodsResponse, len(res.Nodes))
	for i, n := range res.Nodes {
		// One paged query per listed node: the page costs O(rows × periods shown).
		pr, err := s.b.Nodes.NodePeriods(qc, &nodestypes.QueryNodePeriodsRequest{NodeId: n.Id,
			Pagination: &query.PageRequest{Limit: uint64(s.cfg.HeatPeriods), Reverse: true}})
		if err != nil {
			return nil, queryErr("periods of node "+n.Id, err)
		}
		recs[i] = pr
		row := NodeRow{Node: n, Online: online(params.Params, n, height), Records: pr.Records}
		for j := range pr.Records {
			row.Validated += pr.Records[j].Stats.Validated
			periods[pr.Records[j].Period] = true
		}
		if len(pr.Records) > 0 {
			row.Latest = &pr.Records[0]
		}
		page.Rows = append(page.Rows, row)
	}
	if sortBy != "id" {
		slices.SortStableFunc(page.Rows, func(a, b NodeRow) int {
			d := cmpF(a.score(sortBy), b.score(sortBy))
			if order == "desc" {
				d = -d
			}
			return d
		})
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
	page.Query = qs.Encode()
	return &view{Title: "Nodes", Data: page, JSON: []field{
		{"nodes", res}, {"sort", sortBy}, {"order", order}, {"order_ids", rowIDs(page.Rows)}, {"periods", recsJSON(res.Nodes, recs)},
	}}, nil
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

func recsJSON(nodes []nodestypes.Node, recs []*nodestypes.QueryNodePeriodsResponse) []field {
	out := make([]field, len(nodes))
	for i, n := range nodes {
		out[i] = field{n.Id, recs[i]}
	}
	return out
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func intFloat(i sdkmath.Int) float64 {
	if i.IsNil() {
		return 0
	}
	f, _ := i.ToLegacyDec().Float64()
	return f
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
