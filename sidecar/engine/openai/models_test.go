package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
)

// recorded serves the recorded answers: routes maps a GET path to a file under
// testdata/models (or to an inline body starting with '{'); other GETs get 404.
// POST /v1/completions and /v1/embeddings answer like any OpenAI server, or 500
// for model "broken".
func recorded(t *testing.T, routes map[string]string) (*Client, *sync.Map) {
	t.Helper()
	var hits sync.Map
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		if r.Header.Get("Authorization") != "Bearer secret" {
			http.Error(w, `{"error":{"message":"no key"}}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			var body strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := r.Body.Read(buf)
				body.Write(buf[:n])
				if err != nil {
					break
				}
			}
			if strings.Contains(body.String(), `"model":"broken"`) {
				http.Error(w, `{"error":{"message":"engine died"}}`, http.StatusInternalServerError)
				return
			}
			switch r.URL.Path {
			case "/v1/completions":
				w.Write([]byte(`{"choices":[{"text":" hi","finish_reason":"length"}],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}`))
			case "/v1/embeddings":
				w.Write([]byte(`{"data":[{"index":0,"embedding":[3,4]}],"usage":{"prompt_tokens":2,"total_tokens":2}}`))
			default:
				http.NotFound(w, r)
			}
			return
		}
		src, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b := []byte(src)
		if !strings.HasPrefix(src, "{") {
			var err error
			if b, err = os.ReadFile(filepath.Join("testdata", "models", src)); err != nil {
				t.Errorf("testdata: %v", err)
			}
		}
		w.Write(b)
	}))
	t.Cleanup(ts.Close)
	c := New(ts.URL+"/v1", "secret", 5*time.Second)
	c.Backoff, c.Retries = time.Millisecond, 0
	return c, &hits
}

// clock is a settable time for the served record.
type clock struct{ t time.Time }

func (k *clock) now() time.Time { return k.t }

func withClock(c *Client) *clock {
	k := &clock{t: time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)}
	c.served.now = k.now
	return k
}

func states(t *testing.T, c *Client) map[string]ModelState {
	t.Helper()
	st, err := c.ModelStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ModelState{}
	for _, s := range st {
		if _, dup := out[s.ID]; dup {
			t.Fatalf("model %s listed twice", s.ID)
		}
		out[s.ID] = s
	}
	ms, err := c.Models(context.Background())
	if err != nil || len(ms) != len(st) {
		t.Fatalf("Models: %v, %d entries, ModelStates %d", err, len(ms), len(st))
	}
	for i := range ms {
		if ms[i] != st[i].ModelInfo {
			t.Fatalf("Models[%d] = %+v, ModelStates %+v", i, ms[i], st[i].ModelInfo)
		}
	}
	return out
}

func wantState(t *testing.T, got map[string]ModelState, id string, loaded bool, source string, bytes int64) {
	t.Helper()
	s, ok := got[id]
	if !ok {
		t.Fatalf("model %s missing from %+v", id, got)
	}
	if s.Loaded != loaded || s.Source != source || s.Bytes != bytes {
		t.Fatalf("model %s: loaded %v from %q, %d bytes; want %v from %q, %d bytes", id, s.Loaded, s.Source, s.Bytes, loaded, source, bytes)
	}
}

// vLLM, SGLang and single-model llama.cpp servers do not say what is loaded:
// a model is warm once this client has served it, until WarmFor passes; a
// failed request does not count, and serving one model does not warm another.
func TestModelsServedRecord(t *testing.T) {
	for _, c := range []struct{ file, id string }{
		{"vllm.json", "meta-llama/Llama-3.1-8B-Instruct"},
		{"sglang.json", "Qwen/Qwen2.5-7B-Instruct"},
		{"llamacpp.json", "Llama-3.2-3B-Instruct-Q4_K_M.gguf"},
	} {
		t.Run(c.file, func(t *testing.T) {
			cl, hits := recorded(t, map[string]string{"/v1/models": c.file})
			k := withClock(cl)
			cl.WarmFor = 5 * time.Minute
			var size int64
			if c.file == "llamacpp.json" {
				size = 2019373056 // meta.size
			}
			got := states(t, cl)
			if len(got) != 1 {
				t.Fatalf("%d models, want 1", len(got))
			}
			wantState(t, got, c.id, false, SourceRecord, size)
			if _, asked := hits.Load("/api/ps"); !asked {
				t.Fatal("did not ask /api/ps whether the server is Ollama")
			}

			ctx := context.Background()
			if _, err := cl.Complete(ctx, "broken", "x", engine.Params{MaxTokens: 1}); err == nil {
				t.Fatal("broken model answered")
			}
			if _, err := cl.Complete(ctx, "another-model", "x", engine.Params{MaxTokens: 1}); err != nil {
				t.Fatal(err)
			}
			wantState(t, states(t, cl), c.id, false, SourceRecord, size)

			if _, err := cl.Complete(ctx, c.id, "x", engine.Params{MaxTokens: 1}); err != nil {
				t.Fatal(err)
			}
			wantState(t, states(t, cl), c.id, true, SourceRecord, size)
			k.t = k.t.Add(5*time.Minute - time.Second)
			wantState(t, states(t, cl), c.id, true, SourceRecord, size)
			k.t = k.t.Add(time.Second)
			wantState(t, states(t, cl), c.id, false, SourceRecord, size)

			// an embedding counts as serving too
			if _, _, err := cl.Embed(ctx, c.id, []string{"x"}); err != nil {
				t.Fatal(err)
			}
			wantState(t, states(t, cl), c.id, true, SourceRecord, size)
		})
	}
}

// llama.cpp router mode says per model: only status "loaded" is warm, whatever
// this client served ("loading" and a failed load are cold).
func TestModelsLlamaCppRouter(t *testing.T) {
	cl, hits := recorded(t, map[string]string{"/v1/models": "llamacpp-router.json"})
	withClock(cl)
	if _, err := cl.Complete(context.Background(), "Qwen3-8B-Q4_K_M", "x", engine.Params{MaxTokens: 1}); err != nil {
		t.Fatal(err)
	}
	got := states(t, cl)
	if len(got) != 4 {
		t.Fatalf("%d models, want 4", len(got))
	}
	wantState(t, got, "ggml-org/gemma-3-4b-it-GGUF:Q4_K_M", true, SourceServer, 2489757696)
	wantState(t, got, "Qwen3-8B-Q4_K_M", false, SourceServer, 0) // served, but the router unloaded it since
	wantState(t, got, "Mistral-7B-Instruct-v0.3-Q4_K_M", false, SourceServer, 0)
	wantState(t, got, "phi-4-Q4_K_M", false, SourceServer, 0)
	if _, asked := hits.Load("/api/ps"); asked {
		t.Fatal("asked /api/ps although every entry had a status")
	}

	// older router builds send the status as a bare string
	cl2, _ := recorded(t, map[string]string{"/v1/models": `{"object":"list","data":[{"id":"a","status":"loaded"},{"id":"b","status":"unloaded"}]}`})
	got = states(t, cl2)
	wantState(t, got, "a", true, SourceServer, 0)
	wantState(t, got, "b", false, SourceServer, 0)
}

// Ollama lists installed models on /v1/models; /api/ps says which are loaded
// (names with or without the default tag), whatever this client served.
func TestModelsOllama(t *testing.T) {
	cl, _ := recorded(t, map[string]string{"/v1/models": "ollama-v1-models.json", "/api/ps": "ollama-api-ps.json"})
	withClock(cl)
	if _, err := cl.Complete(context.Background(), "qwen3:8b", "x", engine.Params{MaxTokens: 1}); err != nil {
		t.Fatal(err)
	}
	got := states(t, cl)
	if len(got) != 3 {
		t.Fatalf("%d models, want 3", len(got))
	}
	wantState(t, got, "llama3.2:latest", true, SourceServer, 3338801804)
	wantState(t, got, "qwen3:8b", false, SourceServer, 0) // served, but Ollama unloaded it
	wantState(t, got, "huihui_ai/qwen2.5-abliterate:7b", false, SourceServer, 0)

	// /api/ps naming the model without its tag; nothing loaded at all
	cl2, _ := recorded(t, map[string]string{"/v1/models": "ollama-v1-models.json", "/api/ps": `{"models":[{"name":"llama3.2","model":"llama3.2","size":7}]}`})
	wantState(t, states(t, cl2), "llama3.2:latest", true, SourceServer, 7)
	cl3, _ := recorded(t, map[string]string{"/v1/models": "ollama-v1-models.json", "/api/ps": `{"models":[]}`})
	for id, s := range states(t, cl3) {
		wantState(t, map[string]ModelState{id: s}, id, false, SourceServer, 0)
	}
}

// An /api/ps that is not Ollama's (another JSON shape) leaves the record in charge.
func TestModelsApiPsNotOllama(t *testing.T) {
	cl, _ := recorded(t, map[string]string{"/v1/models": "vllm.json", "/api/ps": `{"status":"ok"}`})
	withClock(cl)
	if _, err := cl.Complete(context.Background(), "meta-llama/Llama-3.1-8B-Instruct", "x", engine.Params{MaxTokens: 1}); err != nil {
		t.Fatal(err)
	}
	wantState(t, states(t, cl), "meta-llama/Llama-3.1-8B-Instruct", true, SourceRecord, 0)
}

// Answers Models cannot read are errors that say what is wrong, never a guess.
func TestModelsRejectsBadAnswers(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"not JSON", `{"data":[`, "/v1/models: bad response"},
		{"no data list", `{"object":"list"}`, `no "data" list`},
		{"entry without id", `{"data":[{"id":"a"},{"object":"model"}]}`, "data[1] has no id"},
		{"status of another shape", `{"data":[{"id":"a","status":{"state":"loaded"}}]}`, "data[0] (a).status"},
		{"status a number", `{"data":[{"id":"a","status":3}]}`, "data[0] (a).status"},
		{"loaded not a bool", `{"data":[{"id":"a","loaded":"yes"}]}`, "/v1/models: bad response"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, _ := recorded(t, map[string]string{"/v1/models": c.body})
			_, err := cl.Models(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	cl, _ := recorded(t, map[string]string{"/v1/models": "{" + strings.Repeat(" ", maxModelsBody) + "}"})
	if _, err := cl.Models(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("oversized answer: %v", err)
	}
	// a missing route is the server's 404, as before
	cl, _ = recorded(t, nil)
	if _, err := cl.Models(context.Background()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
}

// The record stays bounded: past maxRecord models the oldest is dropped.
func TestServedRecordBounded(t *testing.T) {
	var r servedRecord
	k := &clock{t: time.Unix(0, 0)}
	r.now = k.now
	for i := range maxRecord + 1 {
		k.t = k.t.Add(time.Second)
		r.mark(strings.Repeat("m", 1+i%7) + string(rune('A'+i%26)) + time.Duration(i).String())
	}
	if len(r.last) != maxRecord {
		t.Fatalf("%d entries, want %d", len(r.last), maxRecord)
	}
	if r.recent("mA0s", time.Hour) {
		t.Fatal("the oldest entry was kept")
	}
	if !r.recent(strings.Repeat("m", 1+maxRecord%7)+string(rune('A'+maxRecord%26))+time.Duration(maxRecord).String(), time.Hour) {
		t.Fatal("the newest entry was dropped")
	}
}

// Streamed completions, chat and loss mark the model served as well; a failed
// stream does not.
func TestEveryRequestKindMarksServed(t *testing.T) {
	ts, _ := serve(t, nil)
	ctx := context.Background()
	p := engine.Params{MaxTokens: 2, Seed: 1}
	for name, run := range map[string]func(c *Client) error{
		"stream": func(c *Client) error { _, err := c.CompleteStream(ctx, "tiny", "Hello", p, nil); return err },
		"chat": func(c *Client) error {
			_, err := c.ChatStream(ctx, "tiny", []Message{{Role: "user", Content: "hi"}}, p, nil)
			return err
		},
		"loss": func(c *Client) error { _, err := c.Loss(ctx, "tiny", []string{"some text"}); return err },
	} {
		c := client(ts)
		if c.served.recent("tiny", time.Hour) {
			t.Fatalf("%s: fresh client has a record", name)
		}
		if err := run(c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !c.served.recent("tiny", time.Hour) {
			t.Fatalf("%s: not recorded as served", name)
		}
	}
	c := client(ts)
	if _, err := c.CompleteStream(ctx, "missing", "x", p, nil); err == nil {
		t.Fatal("unknown model streamed")
	}
	if c.served.recent("missing", time.Hour) {
		t.Fatal("a failed stream was recorded as served")
	}
}
