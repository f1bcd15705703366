//go:build browser

package dashboard

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// TestLiveUpdateInBrowser: headless Chromium on the fake backend, fed one block
// every 300 ms, each ending a validated task in EndBlock (the event as the node's
// websocket delivers it, mode attribute included). The overview's height and rates
// change in place (no reload), the link badge follows the feed, and with
// JavaScript off the page still renders every figure.
func TestLiveUpdateInBrowser(t *testing.T) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (scripts/install-chromium.sh)")
	}
	f := newFake(30, 3, 3, 4)
	s := testServer(f)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One validated task ends per block, cycling over the fake's tasks (built here:
	// require must not fail from the feed's goroutine).
	var ended []abci.Event
	for id := 1; id <= f.sessions*f.tasksPer; id++ {
		ended = append(ended, endBlockEvent(t, &sessionstypes.EventTaskEnded{TaskId: uint64(id), SessionId: 1,
			Status: sessionstypes.TASK_STATUS_VALIDATED}))
	}
	go func() {
		_ = s.Live.Run(ctx, func(ctx context.Context, onBlock func(chain.Block), onGap func(string)) error {
			onGap("subscribed")
			tick := time.NewTicker(300 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-tick.C:
					h := f.height.Add(1)
					onBlock(chain.Block{Height: h, Events: []abci.Event{ended[h%int64(len(ended))]}})
				}
			}
		}, 0)
	}()

	run := func(js bool, actions ...chromedp.Action) {
		t.Helper()
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.DisableGPU, chromedp.ExecPath(path))
		if !js {
			opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
		}
		actx, c1 := chromedp.NewExecAllocator(ctx, opts...)
		defer c1()
		bctx, c2 := chromedp.NewContext(actx)
		defer c2()
		tctx, c3 := context.WithTimeout(bctx, time.Minute)
		defer c3()
		require.NoError(t, chromedp.Run(tctx, actions...))
	}

	var before, after, badge, share string
	var still bool
	var perMinute, tokens float64
	run(true, chromedp.Navigate(hs.URL+"/"), chromedp.WaitVisible("#height", chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload = true`, nil),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &before),
		// The predicate reads the first height from the page itself: the Go value
		// is not known yet when the actions are built.
		chromedp.Evaluate(`window.__first = document.getElementById("height").textContent.trim()`, nil),
		chromedp.Poll(`document.getElementById("height").textContent.trim() !== window.__first`, nil),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &after),
		chromedp.Evaluate(`document.getElementById("link").textContent`, &badge),
		// The rates follow the validated tasks, in place too.
		chromedp.Poll(`parseFloat(document.getElementById("tasks-per-minute").textContent) > 0 &&
			document.getElementById("validated-share").textContent.trim() === "100%" &&
			parseFloat(document.getElementById("tokens-per-second").textContent) > 0`, nil),
		chromedp.Evaluate(`parseFloat(document.getElementById("tasks-per-minute").textContent)`, &perMinute),
		chromedp.Evaluate(`parseFloat(document.getElementById("tokens-per-second").textContent)`, &tokens),
		chromedp.Evaluate(`document.getElementById("validated-share").textContent.trim()`, &share),
		chromedp.Evaluate(`window.__noReload === true`, &still))
	b, _ := strconv.Atoi(strings.TrimSpace(before))
	a, _ := strconv.Atoi(strings.TrimSpace(after))
	require.Greater(t, a, b, "the height moved on in place")
	require.True(t, still, "updated without a reload")
	require.Contains(t, badge, "connected")
	r := s.Live.Rates()
	require.Positive(t, r.Validated)
	require.Positive(t, perMinute)
	require.Positive(t, tokens) // 7 tokens per task from the fake's consensus node
	require.Equal(t, "100%", share)
	t.Logf("overview rates in the browser: %.4g tasks/min, %s validated, %.4g tokens/s", perMinute, share, tokens)
	if dir := os.Getenv("OUT_DIR"); dir != "" {
		var png []byte
		run(true, chromedp.Navigate(hs.URL+"/nodes"), chromedp.WaitVisible("#nodes", chromedp.ByQuery), chromedp.FullScreenshot(&png, 100))
		require.NoError(t, os.WriteFile(dir+"/fake-nodes.png", png, 0o644))
	}

	// JavaScript off: the figures and charts are all in the HTML.
	var rows int
	var heat bool
	run(false, chromedp.Navigate(hs.URL+"/nodes"), chromedp.WaitVisible("#nodes", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#nodes tbody tr").length`, &rows),
		chromedp.Evaluate(`document.querySelector("svg.heat") !== null`, &heat))
	require.Equal(t, DefaultPageSize, rows)
	require.True(t, heat)
}
