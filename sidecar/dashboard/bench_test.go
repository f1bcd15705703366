package dashboard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The network of the benchmark: 10,000 nodes and 100,000 tasks (1,000 sessions of
// 100), 12 settled periods per node. Every page reads one page of rows, so its
// cost (time, bytes, queries) stays O(page size) however large the network is;
// queries/op is reported to show it.
func benchPage(b *testing.B, url string) {
	f := newFake(10_000, 1_000, 100, 12)
	s := testServer(f)
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
	}
	f.calls.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	b.ReportMetric(float64(f.calls.Load())/float64(b.N), "queries/op")
}

func BenchmarkOverview(b *testing.B)        { benchPage(b, "/") }
func BenchmarkNodes25(b *testing.B)         { benchPage(b, "/nodes") }
func BenchmarkNodes100(b *testing.B)        { benchPage(b, "/nodes?limit=100") }
func BenchmarkNodes100Sorted(b *testing.B)  { benchPage(b, "/nodes?limit=100&sort=total") }
func BenchmarkNodesDeepPage(b *testing.B)   { benchPage(b, "/nodes?offset=9900&limit=100") }
func BenchmarkNodesJSON(b *testing.B)       { benchPage(b, "/nodes?limit=100&format=json") }
func BenchmarkNode(b *testing.B)            { benchPage(b, "/nodes/node-000001") }
func BenchmarkSessions(b *testing.B)        { benchPage(b, "/sessions") }
func BenchmarkSessionTasks100(b *testing.B) { benchPage(b, "/sessions/500?limit=100") }
func BenchmarkTask(b *testing.B)            { benchPage(b, "/tasks/99999") }
func BenchmarkData(b *testing.B)            { benchPage(b, "/data") }
func BenchmarkChallenges(b *testing.B)      { benchPage(b, "/challenges") }
