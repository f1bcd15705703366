package openai

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/native"
	"github.com/cortnet/cortd/sidecar/engine/server"
	"github.com/cortnet/cortd/sidecar/models"
)

// serve starts `cortd-sidecar serve`'s handler on loopback over a models
// directory holding one tiny model, and returns it with the native engine.
func serve(t *testing.T, wrap func(http.Handler) http.Handler) (*httptest.Server, *native.Engine) {
	t.Helper()
	dir := t.TempDir()
	if _, err := models.Init(models.Spec{Arch: "llama", Layers: 2, Dim: 64, Heads: 4, KVHeads: 2, Vocab: "bytes", Context: 256, Seed: 3}, filepath.Join(dir, "tiny")); err != nil {
		t.Fatal(err)
	}
	ne := &native.Engine{M: native.NewManager(dir, 0, nil)}
	var h http.Handler = (&server.Server{E: ne}).Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, ne
}

func client(ts *httptest.Server) *Client {
	c := New(ts.URL+"/v1", "secret", 10*time.Second)
	c.Backoff = time.Millisecond
	return c
}

func TestAgainstServe(t *testing.T) {
	ts, ne := serve(t, nil)
	c := client(ts)
	ctx := context.Background()
	p := engine.Params{MaxTokens: 10, Seed: 1}

	want, err := ne.Complete(ctx, "tiny", "Hello", p)
	if err != nil {
		t.Fatal(err)
	}
	// A random byte-level model emits invalid UTF-8, which JSON (here as in
	// every OpenAI server) carries as U+FFFD.
	want.Text = viaJSON(want.Text)
	got, err := c.Complete(ctx, "tiny", "Hello", p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != want.Text || got.Usage != want.Usage || got.FinishReason != want.FinishReason {
		t.Fatalf("remote %+v, native %+v", got, want)
	}

	var pieces []string
	st, err := c.CompleteStream(ctx, "tiny", "Hello", p, func(s string) error { pieces = append(pieces, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Text != want.Text || strings.Join(pieces, "") != want.Text || st.Usage != want.Usage || len(pieces) < 2 {
		t.Fatalf("stream %q in %d pieces, usage %+v; want %q", st.Text, len(pieces), st.Usage, want.Text)
	}

	chatWant, _ := ne.Complete(ctx, "tiny", server.ChatPrompt([]server.ChatMessage{{Role: "user", Content: "hi"}}), p)
	chatWant.Text = viaJSON(chatWant.Text)
	var chatPieces string
	ch, err := c.ChatStream(ctx, "tiny", []Message{{Role: "user", Content: "hi"}}, p, func(s string) error { chatPieces += s; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if ch.Text != chatWant.Text || chatPieces != chatWant.Text {
		t.Fatalf("chat %q, want %q", ch.Text, chatWant.Text)
	}

	texts := []string{"one text", "another, longer text"}
	ev, _, err := c.Embed(ctx, "tiny", texts)
	if err != nil {
		t.Fatal(err)
	}
	nv, _, _ := ne.Embed(ctx, "tiny", texts)
	for i := range nv {
		var dot float64
		for j := range nv[i] {
			dot += float64(nv[i][j]) * float64(ev[i][j])
		}
		if math.Abs(dot-1) > 1e-6 {
			t.Fatalf("embedding %d cosine %v", i, dot)
		}
	}

	// Loss through echo+logprobs sums the same float64 terms in the same
	// order as the native loss, so it matches exactly.
	lr, err := c.Loss(ctx, "tiny", texts)
	if err != nil {
		t.Fatal(err)
	}
	nl, _ := ne.Loss(ctx, "tiny", texts)
	for i := range nl {
		if lr[i] != nl[i] {
			t.Fatalf("loss %d: remote %+v native %+v", i, lr[i], nl[i])
		}
	}

	ms, err := c.Models(ctx)
	if err != nil || len(ms) != 1 || ms[0].ID != "tiny" || !ms[0].Loaded {
		t.Fatalf("models %+v %v", ms, err)
	}
}

func viaJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}

func TestServerErrors(t *testing.T) {
	ts, _ := serve(t, nil)
	c := client(ts)
	ctx := context.Background()
	if _, err := c.Complete(ctx, "missing", "x", engine.Params{MaxTokens: 1}); !errors.Is(err, engine.ErrUnknownModel) {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := c.Complete(ctx, "../etc", "x", engine.Params{MaxTokens: 1}); !errors.Is(err, engine.ErrUnknownModel) {
		t.Fatalf("path escape: %v", err)
	}
	if _, err := c.Complete(ctx, "tiny", "x", engine.Params{MaxTokens: 1, TopP: 2}); !errors.Is(err, engine.ErrBadRequest) {
		t.Fatalf("bad params: %v", err)
	}
	if _, err := c.CompleteStream(ctx, "missing", "x", engine.Params{MaxTokens: 1}, nil); !errors.Is(err, engine.ErrUnknownModel) {
		t.Fatalf("stream unknown model: %v", err)
	}
	if _, err := c.Loss(ctx, "tiny", []string{strings.Repeat("x", 300)}); err == nil {
		t.Fatal("loss past the context accepted")
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	var calls atomic.Int32
	ts, _ := serve(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= 2 {
				http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	c := client(ts)
	if _, err := c.Complete(context.Background(), "tiny", "x", engine.Params{MaxTokens: 2}); err != nil {
		t.Fatalf("after retries: %v", err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d calls, want 3", calls.Load())
	}
	calls.Store(-100) // every call fails now
	c.Retries = 1
	_, err := c.Complete(context.Background(), "tiny", "x", engine.Params{MaxTokens: 2})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 503 || !strings.Contains(ae.Message, "overloaded") {
		t.Fatalf("want the server's 503, got %v", err)
	}
}

func TestLossUnsupported(t *testing.T) {
	// A server that completes but never returns prompt log-probabilities.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"choices":[{"text":"","finish_reason":"length"}]}`))
	}))
	defer ts.Close()
	_, err := client(ts).Loss(context.Background(), "m", []string{"some text"})
	if !errors.Is(err, ErrNoPromptLogprobs) || !errors.Is(err, engine.ErrNotSupported) {
		t.Fatalf("want a clear unsupported error, got %v", err)
	}
}

func TestTimeout(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer ts.Close()
	c := New(ts.URL, "", 50*time.Millisecond)
	c.Retries, c.Backoff = 1, time.Millisecond
	start := time.Now()
	if _, err := c.Complete(context.Background(), "m", "x", engine.Params{MaxTokens: 1}); err == nil {
		t.Fatal("hung server did not time out")
	}
	if time.Since(start) > 1500*time.Millisecond {
		t.Fatal("timeout not applied")
	}
}
