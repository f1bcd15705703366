package evaluator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/fetch"
	"github.com/cortnet/cortd/x/challenges/types"
)

// deadURL is an http URL on loopback where nothing listens.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// availabilityServer answers GET /availability (and /base/availability) like a miner.
func availabilityServer(t *testing.T) (*httptest.Server, *sync.Map) {
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(int))
		*(n.(*int))++
		switch r.URL.Path {
		case "/availability", "/base/availability":
			w.Write([]byte(`{"node_id":"n1","available":false}`)) // busy is still available
		case "/big/availability":
			w.Write([]byte(strings.Repeat("x", ProbeMaxBytes+10)))
		case "/redirect/availability":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			http.Error(w, "nope", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	srv, hits := availabilityServer(t)
	local := fetch.Options{AllowLocal: true}
	require.NoError(t, Probe(ctx, srv.URL, time.Second, local), "a live miner")
	require.NoError(t, Probe(ctx, srv.URL+"/base/", time.Second, local), "an endpoint with a path")
	require.NoError(t, Probe(ctx, srv.URL+"/big", time.Second, local), "an oversize answer still answered (read up to the cap)")
	v, ok := hits.Load("/base/availability")
	require.True(t, ok)
	require.Equal(t, 1, *(v.(*int)))

	err := Probe(ctx, deadURL(t), time.Second, local)
	require.ErrorIs(t, err, fetch.ErrUnavailable, "a dead miner")
	require.ErrorIs(t, Probe(ctx, srv.URL+"/500", time.Second, local), fetch.ErrUnavailable, "an error status")
	// the endpoint is attacker input: the fetch rules hold
	err = Probe(ctx, srv.URL, time.Second, fetch.Options{})
	require.ErrorIs(t, err, fetch.ErrRefused, "loopback without --allow-local-network")
	err = Probe(ctx, srv.URL+"/redirect", time.Second, local)
	require.ErrorIs(t, err, fetch.ErrRefused, "a redirect to the metadata address, refused even on a local network")
	for _, bad := range []string{"", "ftp://example.org", "file:///etc/passwd", "not a url", "http://"} {
		require.ErrorIs(t, Probe(ctx, bad, time.Second, local), fetch.ErrUnavailable, bad)
	}
	// a server that never answers: the timeout
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer hang.Close()
	start := time.Now()
	require.ErrorIs(t, Probe(ctx, hang.URL, 200*time.Millisecond, local), fetch.ErrUnavailable)
	require.Less(t, time.Since(start), 3*time.Second)
}

// metric reads a counter of the prober as registered with the role's metrics (the
// value of the series whose labels include label, "" for none).
func metric(t *testing.T, m *Metrics, name, label string) float64 {
	mfs, err := m.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetValue() == label {
					return s.GetCounter().GetValue()
				}
			}
			if label == "" {
				return s.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// fakeProberChain serves one challenge in COMMIT and records reports.
type fakeProberChain struct {
	mu        sync.Mutex
	answers   []types.Answer
	endpoints map[string]string
	reported  []*types.MsgReportUnavailable
	reportErr error
}

func (f *fakeProberChain) Committing(context.Context) ([]types.Challenge, error) {
	return []types.Challenge{{Id: 7, Status: types.CHALLENGE_STATUS_COMMIT}}, nil
}

func (f *fakeProberChain) Answers(context.Context, uint64) ([]types.Answer, error) {
	return f.answers, nil
}

func (f *fakeProberChain) NodeEndpoint(_ context.Context, id string) (string, error) {
	e, ok := f.endpoints[id]
	if !ok {
		return "", errors.New("no such node")
	}
	return e, nil
}

func (f *fakeProberChain) ReportUnavailable(_ context.Context, m *types.MsgReportUnavailable) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reported = append(f.reported, m)
	return f.reportErr
}

func (f *fakeProberChain) Address() string { return "cor1validator" }

// The prober probes each invited node without a commitment once per challenge, reports
// the one that never answers, leaves the live and the committed ones alone, and does not
// probe or report again on the next pass.
func TestProberReportsDeadMiners(t *testing.T) {
	srv, hits := availabilityServer(t)
	dead := deadURL(t)
	f := &fakeProberChain{
		answers: []types.Answer{
			{ChallengeId: 7, NodeId: "live"},
			{ChallengeId: 7, NodeId: "dead"},
			{ChallengeId: 7, NodeId: "committed", Commitment: "ab"}, // answered: not probed
		},
		endpoints: map[string]string{"live": srv.URL, "dead": dead, "committed": dead},
	}
	p := NewProber(f, ProberConfig{Attempts: 2, Retry: 10 * time.Millisecond, Timeout: time.Second,
		Fetch: fetch.Options{AllowLocal: true}}, nil)
	m := NewMetrics()
	p.Register(m)
	ctx := context.Background()
	require.NoError(t, p.Pass(ctx))
	require.Equal(t, []*types.MsgReportUnavailable{{Reporter: "cor1validator", ChallengeId: 7, NodeId: "dead"}}, f.reported)
	require.Equal(t, 1.0, metric(t, m, "cortd_evaluator_availability_probes_total", "available"))
	require.Equal(t, 1.0, metric(t, m, "cortd_evaluator_availability_probes_total", "unavailable"))
	require.Equal(t, 1.0, metric(t, m, "cortd_evaluator_unavailable_reports_total", ""))

	require.NoError(t, p.Pass(ctx))
	require.Len(t, f.reported, 1, "once per challenge and node")
	v, _ := hits.Load("/availability")
	require.Equal(t, 1, *(v.(*int)), "a live node is probed once per challenge")

	// a report the chain already has is not retried; a node the chain does not know is
	// an error left for the next pass
	f2 := &fakeProberChain{answers: []types.Answer{{ChallengeId: 7, NodeId: "dead"}, {ChallengeId: 7, NodeId: "ghost"}},
		endpoints: map[string]string{"dead": dead}, reportErr: types.ErrAlreadyReported}
	p2 := NewProber(f2, ProberConfig{Attempts: 1, Timeout: time.Second, Fetch: fetch.Options{AllowLocal: true}}, nil)
	require.ErrorContains(t, p2.Pass(ctx), "ghost")
	require.Len(t, f2.reported, 1)
	require.ErrorContains(t, p2.Pass(ctx), "ghost")
	require.Len(t, f2.reported, 1, "dead is done")
}
