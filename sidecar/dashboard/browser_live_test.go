//go:build browser

package dashboard

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	"net/http/httptest"
)

// TestLiveUpdateInBrowser: headless Chromium on the fake backend, fed one block
// every 300 ms. The overview's height changes in place (no reload), the link badge
// follows the feed, and with JavaScript off the page still renders every figure.
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
					onBlock(chain.Block{Height: f.height.Add(1)})
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

	var before, after, badge string
	var still bool
	run(true, chromedp.Navigate(hs.URL+"/"), chromedp.WaitVisible("#height", chromedp.ByQuery),
		chromedp.Evaluate(`window.__noReload = true`, nil),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &before),
		// The predicate reads the first height from the page itself: the Go value
		// is not known yet when the actions are built.
		chromedp.Evaluate(`window.__first = document.getElementById("height").textContent.trim()`, nil),
		chromedp.Poll(`document.getElementById("height").textContent.trim() !== window.__first`, nil),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &after),
		chromedp.Evaluate(`document.getElementById("link").textContent`, &badge),
		chromedp.Evaluate(`window.__noReload === true`, &still))
	b, _ := strconv.Atoi(strings.TrimSpace(before))
	a, _ := strconv.Atoi(strings.TrimSpace(after))
	require.Greater(t, a, b, "the height moved on in place")
	require.True(t, still, "updated without a reload")
	require.Contains(t, badge, "connected")
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
