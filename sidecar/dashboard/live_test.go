package dashboard

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// readEvents returns the names and data of server-sent events as they arrive.
func readEvents(t *testing.T, url string) (<-chan [2]string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	out := make(chan [2]string, 64)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = line[7:]
			case strings.HasPrefix(line, "data: "):
				out <- [2]string{name, line[6:]}
			}
		}
	}()
	return out, cancel
}

func next(t *testing.T, ch <-chan [2]string, name string) string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev[0] == name {
				return ev[1]
			}
		case <-deadline:
			t.Fatalf("no %q event", name)
		}
	}
}

func TestLiveBlocksDropsAndReconnects(t *testing.T) {
	f := newFake(2, 1, 3, 1)
	s := testServer(f)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()

	ended, err := sdk.TypedEventToEvent(&sessionstypes.EventTaskEnded{TaskId: 2, SessionId: 1, Status: sessionstypes.TASK_STATUS_VALIDATED})
	require.NoError(t, err)
	blocks := make(chan chain.Block)
	gaps := make(chan string)
	src := func(ctx context.Context, onBlock func(chain.Block), onGap func(string)) error {
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case b := <-blocks:
				onBlock(b)
			case g := <-gaps:
				onGap(g)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Live.Run(ctx, src, 300*time.Millisecond) }()

	evs, stop := readEvents(t, hs.URL+"/events")
	defer stop()
	require.Contains(t, next(t, evs, "link"), `"state":"connecting"`)
	gaps <- "subscribed"
	require.Contains(t, next(t, evs, "link"), `"state":"connected"`)
	blocks <- chain.Block{Height: 7, Events: []abci.Event{abci.Event(ended)}}
	data := next(t, evs, "block")
	require.Contains(t, data, `"height":7`)
	require.Contains(t, data, `"cortd.sessions.v1.EventTaskEnded":1`)
	r := s.Live.Rates()
	require.Equal(t, 1, r.Validated)
	require.Greater(t, r.TokensPerSecond, 0.0) // 7 tokens of the consensus node over the window

	// No block within the stall limit: the page is told the link dropped.
	require.Contains(t, next(t, evs, "link"), `"state":"dropped"`)
	_, body := get(t, s.Handler(), "/nodes")
	require.Contains(t, body, "The websocket to the node dropped")
	// The subscription is re-established.
	gaps <- "subscribed"
	l := next(t, evs, "link")
	require.Contains(t, l, `"state":"reconnected"`)
	require.Contains(t, l, `"reconnects":1`)
	_, body = get(t, s.Handler(), "/nodes")
	require.Contains(t, body, "was re-established")
	_, m := get(t, s.Handler(), "/metrics")
	require.Contains(t, m, "cortd_dashboard_websocket_reconnects_total 1")
	require.Contains(t, m, "cortd_dashboard_sse_clients 1")

	// A partial render (the live script's request) is the <main> alone.
	req := httptest.NewRequest(http.MethodGet, "/nodes", nil)
	req.Header.Set("X-Partial", "1")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	require.True(t, strings.HasPrefix(rec.Body.String(), "<main"))
	require.NotContains(t, rec.Body.String(), "<html")
}
