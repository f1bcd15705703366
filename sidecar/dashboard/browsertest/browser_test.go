//go:build browser

package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// env names what the e2e script started.
type env struct {
	url, cortd, home, node, out string
	nodeID, session, task       string
	challenge                   string
	// rateTasks is how many tasks the script had validated while the dashboard
	// was running (the overview's rates must show them); 0: not checked.
	rateTasks int
}

func readEnv(t *testing.T) env {
	e := env{url: os.Getenv("DASHBOARD_URL"), cortd: os.Getenv("CORTD_BIN"), home: os.Getenv("CORTD_HOME"), node: os.Getenv("CORTD_NODE"),
		out: os.Getenv("OUT_DIR"), nodeID: os.Getenv("NODE_ID"), session: os.Getenv("SESSION_ID"), task: os.Getenv("TASK_ID"),
		challenge: os.Getenv("CHALLENGE_ID")}
	e.rateTasks, _ = strconv.Atoi(os.Getenv("RATE_TASKS"))
	if e.url == "" || e.cortd == "" || e.node == "" {
		t.Skip("DASHBOARD_URL, CORTD_BIN and CORTD_NODE are set by scripts/e2e/dashboard.sh")
	}
	if e.out == "" {
		e.out = "build/screenshots"
	}
	require.NoError(t, os.MkdirAll(e.out, 0o755))
	return e
}

// q runs `cortd q ARGS -o json` and decodes the answer.
func (e env) q(t *testing.T, args ...string) map[string]any {
	t.Helper()
	args = append(append([]string{"q"}, args...), "--node", e.node, "-o", "json")
	if e.home != "" {
		args = append(args, "--home", e.home)
	}
	out, err := exec.Command(e.cortd, args...).Output()
	require.NoError(t, err, "cortd %s", strings.Join(args, " "))
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	return m
}

// path digs a value out of decoded JSON: "node.stake", "targets.#" (length).
func path(m any, p string) string {
	for _, k := range strings.Split(p, ".") {
		switch v := m.(type) {
		case map[string]any:
			m = v[k]
		case []any:
			if k == "#" {
				return strconv.Itoa(len(v))
			}
			i, _ := strconv.Atoi(k)
			if i >= len(v) {
				return ""
			}
			m = v[i]
		default:
			return ""
		}
	}
	switch v := m.(type) {
	case nil:
		return ""
	case string:
		return v
	case []any:
		var s []string
		for _, x := range v {
			s = append(s, fmt.Sprint(x))
		}
		return strings.Join(s, ", ")
	default:
		return fmt.Sprint(v)
	}
}

// short trims an enum to the page's spelling: TASK_STATUS_VALIDATED → validated.
func short(enum, prefix string) string { return strings.ToLower(strings.TrimPrefix(enum, prefix)) }

func browser(t *testing.T) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1366, 900))
	if p := os.Getenv("CHROMIUM_BIN"); p != "" {
		opts = append(opts, chromedp.ExecPath(p))
	} else if p, err := exec.LookPath("chromium"); err == nil {
		opts = append(opts, chromedp.ExecPath(p))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	return ctx, func() { cancelT(); cancelC(); cancelA() }
}

// read is the script that reads a selector's text, or an attribute with "SEL@ATTR"
// (amounts: "#stake .amt@data-ucor" is the exact ucor amount behind "6,000 COR").
func read(sel string) string {
	if i := strings.LastIndex(sel, "@"); i > 0 {
		return fmt.Sprintf(`((document.querySelector(%q) || {getAttribute: () => ""}).getAttribute(%q) || "")`, sel[:i], sel[i+1:])
	}
	return fmt.Sprintf(`(document.querySelector(%q) || {}).textContent`, sel)
}

// check loads url, reads the text of each selector and compares it with want()
// (the CLI's answer, read after the page so a value that moved on between the
// two is retried with a reload), then saves a screenshot.
func check(t *testing.T, ctx context.Context, e env, name, url string, want func() map[string]string) {
	t.Helper()
	var last string
	for attempt := 0; attempt < 4; attempt++ {
		require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(e.url+url), chromedp.WaitVisible("main", chromedp.ByQuery)))
		w := want()
		ok := true
		for sel, v := range w {
			var got string
			tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			// Read with a script, not chromedp.Text: the live script may swap <main>
			// between two reads and a cached node would be stale.
			err := chromedp.Run(tctx, chromedp.Poll(read(sel), &got))
			cancel()
			if err != nil || strings.TrimSpace(got) != v {
				ok, last = false, fmt.Sprintf("%s %s: page %q, CLI %q (err %v)", name, sel, strings.TrimSpace(got), v, err)
				break
			}
		}
		if ok {
			var png []byte
			require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
			require.NoError(t, os.WriteFile(filepath.Join(e.out, name+".png"), png, 0o644))
			t.Logf("%s ok (%d values), screenshot %s.png", name, len(w), name)
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatal(last)
}

func TestDashboardInBrowser(t *testing.T) {
	e := readEnv(t)
	ctx, cancel := browser(t)
	defer cancel()

	check(t, ctx, e, "overview", "/", func() map[string]string {
		vals := e.q(t, "staking", "validators")
		acc := e.q(t, "auth", "module-account", "payments")
		addr := path(acc, "account.base_account.address")
		if addr == "" {
			addr = path(acc, "account.value.address")
		}
		escrow := e.q(t, "bank", "balance", addr, "ucor")
		return map[string]string{"#validators": path(vals, "validators.#"), "#escrow .amt@data-ucor": path(escrow, "balance.amount")}
	})
	if e.rateTasks > 0 {
		checkRates(t, ctx, e)
	}
	check(t, ctx, e, "nodes", "/nodes", func() map[string]string {
		n := e.q(t, "nodes", "node", e.nodeID)
		row := fmt.Sprintf(`tr[data-node="%s"] `, e.nodeID)
		return map[string]string{row + "td.stake .amt@data-ucor": path(n, "node.stake"), row + "td.level": orZero(path(n, "node.level"))}
	})
	check(t, ctx, e, "node", "/nodes/"+e.nodeID, func() map[string]string {
		n := e.q(t, "nodes", "node", e.nodeID)
		return map[string]string{"#stake .amt@data-ucor": path(n, "node.stake"), "#loaded-models": path(n, "node.loaded_models"), "#level": orZero(path(n, "node.level"))}
	})
	check(t, ctx, e, "sessions", "/sessions", func() map[string]string {
		b := e.q(t, "payments", "session-balance", e.session)
		return map[string]string{fmt.Sprintf(`tr[data-session="%s"] td.free .amt@data-ucor`, e.session): path(b, "balance.free")}
	})
	check(t, ctx, e, "session", "/sessions/"+e.session, func() map[string]string {
		b := e.q(t, "payments", "session-balance", e.session)
		s := e.q(t, "sessions", "session", e.session)
		return map[string]string{"#free .amt@data-ucor": path(b, "balance.free"), "#status": short(path(s, "session.status"), "SESSION_STATUS_")}
	})
	check(t, ctx, e, "task", "/tasks/"+e.task, func() map[string]string {
		tk := e.q(t, "sessions", "task", e.task)
		return map[string]string{"#status": short(path(tk, "task.status"), "TASK_STATUS_"), "#consensus": path(tk, "task.consensus_node"),
			"#paid .amt@data-ucor": path(tk, "task.paid")}
	})
	check(t, ctx, e, "data", "/data", func() map[string]string {
		p := e.q(t, "data", "pool")
		return map[string]string{"#epoch": orZero(path(p, "epoch.epoch"))}
	})
	if e.challenge != "" {
		check(t, ctx, e, "challenges", "/challenges", func() map[string]string {
			c := e.q(t, "challenges", "challenge", e.challenge)
			return map[string]string{fmt.Sprintf(`tr[data-challenge="%s"] td:nth-child(3)`, e.challenge): short(path(c, "challenge.status"), "CHALLENGE_STATUS_")}
		})
		check(t, ctx, e, "challenge", "/challenges/"+e.challenge, func() map[string]string {
			c := e.q(t, "challenges", "challenge", e.challenge)
			return map[string]string{"#status": short(path(c, "challenge.status"), "CHALLENGE_STATUS_")}
		})
	}
	check(t, ctx, e, "error-404", "/nodes/no-such-node", func() map[string]string {
		return map[string]string{".err b": "404 Not Found"}
	})

	// Live: with the overview open, a new block updates the height without a reload.
	var before, after string
	require.NoError(t, chromedp.Run(ctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible("#height", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &before),
		chromedp.Evaluate(`window.__noReload = true`, nil)))
	lctx, lcancel := context.WithTimeout(ctx, 30*time.Second)
	defer lcancel()
	require.NoError(t, chromedp.Run(lctx,
		chromedp.Poll(fmt.Sprintf(`document.getElementById("height").textContent.trim() !== %q && document.getElementById("link").className.includes("connected")`, before), nil),
		chromedp.Evaluate(`document.getElementById("height").textContent`, &after)), "no live update after a new block")
	var still bool
	require.NoError(t, chromedp.Run(ctx, chromedp.Evaluate(`window.__noReload === true`, &still)))
	require.True(t, still, "the page reloaded instead of updating in place")
	b, _ := strconv.Atoi(strings.TrimSpace(before))
	a, _ := strconv.Atoi(strings.TrimSpace(after))
	require.Greater(t, a, b)
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
	require.NoError(t, os.WriteFile(filepath.Join(e.out, "overview-live.png"), png, 0o644))
	t.Logf("live update: height %d → %d without a reload", b, a)

	// A phone-sized screen.
	require.NoError(t, chromedp.Run(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.url+"/nodes"),
		chromedp.WaitVisible("main", chromedp.ByQuery), chromedp.FullScreenshot(&png, 100)))
	require.NoError(t, os.WriteFile(filepath.Join(e.out, "nodes-phone.png"), png, 0o644))
}

// checkRates: the script validated e.rateTasks tasks while the dashboard watched
// the node's events, so the overview's rates are not zero: tasks per minute and
// tokens per second positive, at least that many validated, the share 100% (the
// script's miners agree on every task). The figures come from events, not from a
// query, so the check is against what the script did.
func checkRates(t *testing.T, ctx context.Context, e env) {
	t.Helper()
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var perMinute, tokens float64
	var share, counts string
	err := chromedp.Run(rctx, chromedp.Navigate(e.url+"/"), chromedp.WaitVisible("#tasks-per-minute", chromedp.ByQuery),
		chromedp.Poll(fmt.Sprintf(`parseFloat(document.getElementById("tasks-per-minute").textContent) > 0 &&
			parseInt(document.querySelector("#validated-share + span").textContent) >= %d`, e.rateTasks), nil),
		chromedp.Evaluate(`parseFloat(document.getElementById("tasks-per-minute").textContent)`, &perMinute),
		chromedp.Evaluate(`parseFloat(document.getElementById("tokens-per-second").textContent)`, &tokens),
		chromedp.Evaluate(`document.getElementById("validated-share").textContent.trim()`, &share),
		chromedp.Evaluate(`document.querySelector("#validated-share + span").textContent`, &counts))
	require.NoError(t, err, "the overview's rates stayed at zero after %d tasks validated", e.rateTasks)
	require.Positive(t, perMinute)
	require.Positive(t, tokens, "validated tasks carry completion tokens")
	require.Equal(t, "100%", share, counts)
	var png []byte
	require.NoError(t, chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)))
	require.NoError(t, os.WriteFile(filepath.Join(e.out, "overview-rates.png"), png, 0o644))
	t.Logf("overview rates: %.4g tasks/min, %s (%s), %.4g tokens/s", perMinute, share, counts, tokens)
}

// orZero: the chain's JSON omits zero numbers.
func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
