package dashboard

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func get(t *testing.T, h http.Handler, url string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestUnknownObjectsAre404(t *testing.T) {
	f := newFake(5, 3, 4, 2)
	h := testServer(f).Handler()
	for _, u := range []string{"/nodes/no-such-node", "/tasks/999", "/tasks/abc", "/sessions/99", "/sessions/-1",
		"/audits/7", "/challenges/9", "/no/such/page"} {
		code, body := get(t, h, u)
		require.Equal(t, http.StatusNotFound, code, u)
		require.Contains(t, body, `data-code="404"`, u)
		require.Contains(t, body, "not found", u)
	}
	code, body := get(t, h, "/tasks/999?format=json")
	require.Equal(t, http.StatusNotFound, code)
	var e map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	require.EqualValues(t, 404, e["code"])
}

func TestMalformedParamsAre400(t *testing.T) {
	f := newFake(5, 3, 4, 2)
	h := testServer(f).Handler()
	for _, u := range []string{"/nodes?sort=bogus", "/nodes?order=up", "/nodes?limit=0", "/nodes?limit=101", "/nodes?limit=x",
		"/nodes?offset=-3", "/nodes?key=%%%", "/nodes/node-000001?p_limit=abc", "/sessions?owner=nobody", "/sessions?before=x",
		"/data?status=bogus", "/data?epoch=-1", "/data?a_limit=0", "/challenges?status=nope", "/challenges?type=x",
		"/challenges?epoch=-2", "/?format=xml", "/?x=1", "/tasks/1?x=2"} {
		calls := f.calls.Load()
		code, body := get(t, h, u)
		require.Equal(t, http.StatusBadRequest, code, u)
		require.Contains(t, body, `data-code="400"`, u)
		if !strings.HasPrefix(u, "/nodes/") && !strings.Contains(u, "before") {
			require.Equal(t, calls, f.calls.Load(), "%s: a malformed request must be refused before any query", u)
		}
	}
}

func TestUnreachableNodeIs503AndRecovers(t *testing.T) {
	f := newFake(5, 3, 4, 2)
	h := testServer(f).Handler()
	f.down.Store(true)
	for _, u := range []string{"/", "/nodes", "/nodes/node-000001", "/sessions", "/sessions/1", "/tasks/1", "/data", "/audits/1", "/challenges", "/challenges/1"} {
		code, body := get(t, h, u)
		require.Equal(t, http.StatusServiceUnavailable, code, u)
		require.Contains(t, body, "the node is unreachable", u)
	}
	f.down.Store(false)
	for _, u := range []string{"/", "/nodes", "/nodes/node-000001", "/sessions", "/sessions/1", "/tasks/1", "/data", "/audits/1", "/challenges", "/challenges/1"} {
		code, body := get(t, h, u)
		require.Equal(t, http.StatusOK, code, u+": "+body)
	}
	code, _ := get(t, h, "/healthz")
	require.Equal(t, http.StatusOK, code)
	_, m := get(t, h, "/metrics")
	require.Contains(t, m, `cortd_dashboard_requests_total{page="nodes",code="503"} 1`)
	require.Contains(t, m, `cortd_dashboard_requests_total{page="nodes",code="200"} 1`)
}

var rowRE = regexp.MustCompile(`<tr data-node="([^"]+)">`)

// TestNodePageShowsSlashes: each settled period's slash count (fraud found by an audit)
// is in the node page's periods table, as the NodePeriods query returns it.
func TestNodePageShowsSlashes(t *testing.T) {
	f := newFake(3, 1, 1, 3)
	h := testServer(f).Handler()
	code, body := get(t, h, "/nodes/node-000001")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<th class="num">slashes</th>`)
	cells := regexp.MustCompile(`<td class="num">[^<]*</td><td class="num">(\d+)</td><td>\d+ → \d+</td>`).FindAllStringSubmatch(body, -1)
	require.NotEmpty(t, cells)
	total := 0
	for _, c := range cells {
		n, err := strconv.Atoi(c[1])
		require.NoError(t, err)
		total += n
	}
	want := 0
	for p := range 3 {
		want += int(fakeNodes{f: f}.record("node-000001", p).Stats.Slashes)
	}
	require.Equal(t, want, total, "slashes over the shown periods")
	require.Positive(t, want)
}

func TestNodesPagedSortedAndTwin(t *testing.T) {
	f := newFake(60, 1, 1, 3)
	h := testServer(f).Handler()
	code, body := get(t, h, "/nodes?limit=10")
	require.Equal(t, http.StatusOK, code)
	rows := rowRE.FindAllStringSubmatch(body, -1)
	require.Len(t, rows, 10)
	require.Equal(t, "node-000000", rows[0][1])
	require.Contains(t, body, "rows 1–10 of 60")
	next := regexp.MustCompile(`href="(\?[^"]+)" rel="next"`).FindStringSubmatch(body)
	require.NotNil(t, next)
	_, body2 := get(t, h, "/nodes"+strings.ReplaceAll(next[1], "&amp;", "&"))
	rows2 := rowRE.FindAllStringSubmatch(body2, -1)
	require.Len(t, rows2, 10)
	require.Equal(t, "node-000010", rows2[0][1])
	require.Contains(t, body2, `rel="prev"`)

	// Sorted by level, highest first, within the page.
	_, sorted := get(t, h, "/nodes?limit=20&sort=level")
	levels := regexp.MustCompile(`class="num level">(\d+)<`).FindAllStringSubmatch(sorted, -1)
	require.Len(t, levels, 20)
	for i := 1; i < len(levels); i++ {
		a, _ := strconv.Atoi(levels[i-1][1])
		b, _ := strconv.Atoi(levels[i][1])
		require.GreaterOrEqual(t, a, b, "rows sorted by level, highest first")
	}
	require.Equal(t, "10", levels[0][1])

	// The JSON twin carries the query's own answer.
	_, js := get(t, h, "/nodes?limit=10&format=json")
	var tw struct {
		Nodes struct {
			Nodes []struct {
				ID    string `json:"id"`
				Level int    `json:"level"`
				Stake string `json:"stake"`
			} `json:"nodes"`
			Pagination struct {
				Total string `json:"total"`
			} `json:"pagination"`
		} `json:"nodes"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &tw))
	require.Len(t, tw.Nodes.Nodes, 10)
	require.Equal(t, f.nodes[3].Id, tw.Nodes.Nodes[3].ID)
	require.Equal(t, f.nodes[3].Stake.String(), tw.Nodes.Nodes[3].Stake)
	require.Equal(t, "60", tw.Nodes.Pagination.Total)
}

func TestTaskPageTimingSimilarityReceipt(t *testing.T) {
	f := newFake(3, 2, 5, 1)
	h := testServer(f).Handler()
	code, body := get(t, h, "/tasks/3")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "11 (+1)") // precommit one block after assignment
	require.Contains(t, body, "13 (+2)") // commit two blocks after the precommit
	require.Contains(t, body, `<td class="num sim">1</td>`)
	require.Contains(t, body, `<td class="num sim">0.6</td>`) // cos((0.6,0.8),(1,0))
	require.Contains(t, body, `class="pass"`)
	require.Contains(t, body, `class="fail"`)
	require.Contains(t, body, "010203")
	require.Contains(t, body, "hello &lt;b&gt;world&lt;/b&gt;") // result text escaped
	_, js := get(t, h, "/tasks/3?format=json")
	require.Contains(t, js, `"similarity_threshold":"0.850000000000000000"`)
	require.Contains(t, js, `"consensus_node":"node-000001"`)
}

func TestSessionsNewestFirst(t *testing.T) {
	f := newFake(3, 57, 2, 1)
	s := testServer(f)
	h := s.Handler()
	_, body := get(t, h, "/sessions?limit=5")
	ids := regexp.MustCompile(`<tr data-session="(\d+)">`).FindAllStringSubmatch(body, -1)
	require.Len(t, ids, 5)
	require.Equal(t, "57", ids[0][1])
	require.Equal(t, "53", ids[4][1])
	require.Contains(t, body, `href="?before=53&amp;limit=5" rel="next"`)
	_, body = get(t, h, "/sessions?before=3&limit=5")
	ids = regexp.MustCompile(`<tr data-session="(\d+)">`).FindAllStringSubmatch(body, -1)
	require.Len(t, ids, 2)
	require.Contains(t, body, `<td class="num free"><span class="amt" title="2000 ucor" data-ucor="2000">0.002 COR</span></td>`)
}

func TestDataAndChallengesPages(t *testing.T) {
	f := newFake(3, 1, 1, 1)
	h := testServer(f).Handler()
	code, body := get(t, h, "/data")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<td class="num bond"><span class="amt" title="4242 ucor" data-ucor="4242">0.004242 COR</span></td>`)
	require.Contains(t, body, `yes <span class="amt" title="70 ucor" data-ucor="70">0.00007 COR</span> / no`)
	require.Contains(t, body, `<title>yes (fraud): 70%</title>`)
	require.Contains(t, body, "2/3 of stake")
	_, body = get(t, h, "/audits/1")
	require.Contains(t, body, `<b id="yes-share">70%</b>`)
	_, body = get(t, h, "/challenges/1")
	require.Contains(t, body, `<td class="num median">65%</td>`)
	require.Contains(t, body, "cor1evaluator2: 90%")
	require.Contains(t, body, "median 65%")
	_, body = get(t, h, "/challenges")
	require.Contains(t, body, "epochs up to 2")
	require.Contains(t, body, `<td class="num">20%</td>`) // weight 0.2 of the epoch
}

func TestOverviewFigures(t *testing.T) {
	f := newFake(22, 1, 1, 1)
	s := testServer(f)
	require.NoError(t, s.RefreshCensus(t.Context()))
	_, body := get(t, s.Handler(), "/")
	require.Contains(t, body, `<b id="height">1000</b>`)
	require.Contains(t, body, `<b id="validators">4</b>`)
	require.Contains(t, body, `<b id="nodes-online">22 / 22</b>`)
	require.Contains(t, body, `<b id="escrow"><span class="amt" title="123456789 ucor" data-ucor="123456789">123.456789 COR</span></b>`)
	require.Contains(t, body, `<b id="validated-share">–</b>`) // nothing judged yet
	require.Contains(t, body, `<b id="open-audits">1</b>`)
	require.Contains(t, body, `<b id="block-seconds">1 s</b>`)
}
