package dashboard

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var nextRE = regexp.MustCompile(`href="(\?[^"]+)" rel="next"`)

// walkRanked follows the rank table's next links from url and returns the node ids
// in the order shown, page after page.
func walkRanked(t *testing.T, h http.Handler, url string) []string {
	t.Helper()
	var ids []string
	for range 100 {
		code, body := get(t, h, url)
		require.Equal(t, http.StatusOK, code, url)
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		next := nextRE.FindStringSubmatch(body)
		if next == nil {
			return ids
		}
		url = "/nodes" + strings.ReplaceAll(next[1], "&amp;", "&")
	}
	t.Fatal("no last page")
	return nil
}

// TestRankTableSortsTheWholeSet: the order is over every node, not within a page:
// the first page of "rewards, highest first" starts with the network's top earner,
// and the pages together list every node once in order.
func TestRankTableSortsTheWholeSet(t *testing.T) {
	f := newFake(60, 1, 1, 3)
	h := testServer(f).Handler()

	// Accrued rewards are i×7 ucor: node-000059 earns most, and is not on the id
	// order's first page.
	ids := walkRanked(t, h, "/nodes?limit=10&sort=rewards")
	require.Len(t, ids, 60)
	require.Equal(t, "node-000059", ids[0])
	require.Equal(t, "node-000000", ids[59])
	for i := 1; i < len(ids); i++ {
		a, b := f.nodes[f.byID[ids[i-1]]].AccruedRewards, f.nodes[f.byID[ids[i]]].AccruedRewards
		require.True(t, a.GTE(b), "%s (%s) before %s (%s)", ids[i-1], a, ids[i], b)
	}
	uniq := slices.Clone(ids)
	slices.Sort(uniq)
	require.Len(t, slices.Compact(uniq), 60, "every node once")

	// By total score (the newest record's), lowest first: ties keep id order.
	ids = walkRanked(t, h, "/nodes?limit=25&sort=total&order=asc")
	require.Len(t, ids, 60)
	score := func(id string) int64 {
		return fakeNodes{f: f}.record(id, f.periods-1).TotalScore.BigInt().Int64()
	}
	for i := 1; i < len(ids); i++ {
		a, b := score(ids[i-1]), score(ids[i])
		require.True(t, a < b || (a == b && ids[i-1] < ids[i]), "%s (%d) before %s (%d)", ids[i-1], a, ids[i], b)
	}

	// The chain's order, reversed, is one paged query.
	code, body := get(t, h, "/nodes?limit=5&order=desc")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "node-000059", rowRE.FindStringSubmatch(body)[1])

	// The twin: the rows as shown, and where the order comes from.
	_, js := get(t, h, "/nodes?limit=3&sort=stake&order=asc&format=json")
	var tw struct {
		Nodes struct {
			Nodes []struct {
				ID string `json:"id"`
			} `json:"nodes"`
			Pagination struct {
				Total string `json:"total"`
			} `json:"pagination"`
		} `json:"nodes"`
		OrderIDs []string `json:"order_ids"`
		Ranked   int      `json:"ranked_nodes"`
		Height   int64    `json:"ranked_height"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &tw), js)
	require.Equal(t, []string{"node-000000", "node-000001", "node-000002"}, tw.OrderIDs) // equal stakes: id order
	require.Len(t, tw.Nodes.Nodes, 3)
	require.Equal(t, "60", tw.Nodes.Pagination.Total)
	require.Equal(t, 60, tw.Ranked)
	require.Equal(t, int64(1000), tw.Height)
}

// TestRankingReadsRecordsOnlyOnChange: the census keeps each node's records between
// walks and reads them again only when the node settled a new period.
func TestRankingReadsRecordsOnlyOnChange(t *testing.T) {
	f := newFake(30, 1, 1, 2)
	s := testServer(f)
	require.NoError(t, s.RefreshCensus(t.Context()))
	require.EqualValues(t, 30, f.periodCalls.Load())
	require.NoError(t, s.RefreshCensus(t.Context()))
	require.EqualValues(t, 30, f.periodCalls.Load(), "nothing settled: no record read again")
	f.nodes[4].LastSettledPeriod++
	require.NoError(t, s.RefreshCensus(t.Context()))
	require.EqualValues(t, 31, f.periodCalls.Load(), "one node settled: its records read again")

	// A sorted page reads the records of its own rows only (for the heatmap).
	before := f.periodCalls.Load()
	code, _ := get(t, s.Handler(), "/nodes?sort=total&limit=7")
	require.Equal(t, http.StatusOK, code)
	require.EqualValues(t, before+7, f.periodCalls.Load())
}

// TestRankingBound: past maxRankNodes the page ranks the first nodes by id and says so.
func TestRankingBound(t *testing.T) {
	old := maxRankNodes
	maxRankNodes = 8
	defer func() { maxRankNodes = old }()
	f := newFake(12, 1, 1, 1)
	s := testServer(f)
	_, body := get(t, s.Handler(), "/nodes?sort=level&limit=100")
	require.Len(t, rowRE.FindAllStringSubmatch(body, -1), 8)
	require.Contains(t, body, "only the first 8 by id are ranked")
	require.Equal(t, 12, s.census.get().Total, "the census still counts every node")
}
