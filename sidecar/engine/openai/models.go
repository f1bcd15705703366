package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
)

// DefaultWarmFor is how long a served model counts as loaded on a server that
// cannot say what it holds. Ollama unloads an idle model after 5 minutes by
// default; vLLM and SGLang never unload, so a longer window would also be true
// for them, but the record must not outlive a restart of the server by much.
const DefaultWarmFor = 10 * time.Minute

// maxModelsBody bounds what /v1/models and /api/ps may send.
const maxModelsBody = 4 << 20

// Where Models took a model's loaded state from.
const (
	SourceServer = "server" // the server said: cortd's loaded, llama.cpp's status, Ollama's /api/ps
	SourceRecord = "record" // the server cannot say: this client served it within WarmFor
)

// ModelState is one entry of ModelStates.
type ModelState struct {
	engine.ModelInfo
	Source string // SourceServer or SourceRecord
}

// Models implements engine.Engine with /v1/models. The servers a GPU operator
// runs answer it differently, and most do not say what is loaded:
//
//   - cortd-sidecar serve: every entry has "loaded" (and "bytes").
//   - llama.cpp server in router mode: every entry has "status": {"value":
//     "loaded" | "loading" | "unloaded", ...} (older builds: a bare string);
//     only "loaded" is warm. Its "meta.size" is the model's size in bytes.
//   - Ollama: /v1/models lists the installed models; GET /api/ps lists the
//     loaded ones ({"models": [{"name", "model", "size", ...}]}), which decides.
//   - vLLM, SGLang, single-model llama.cpp server and any other server: the
//     entries carry no state, and /api/ps does not answer. Then a model is
//     loaded if this client has served it (a completion, embedding or loss
//     that succeeded) within WarmFor: the miner's own record.
func (c *Client) Models(ctx context.Context) ([]engine.ModelInfo, error) {
	st, err := c.ModelStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]engine.ModelInfo, len(st))
	for i, s := range st {
		out[i] = s.ModelInfo
	}
	return out, nil
}

// modelEntry is one element of /v1/models' "data", with the fields any of the
// servers above uses.
type modelEntry struct {
	ID     string          `json:"id"`
	Loaded *bool           `json:"loaded"` // cortd-sidecar serve
	Bytes  int64           `json:"bytes"`  // cortd-sidecar serve
	Status json.RawMessage `json:"status"` // llama.cpp router mode
	Meta   *struct {
		Size int64 `json:"size"`
	} `json:"meta"` // llama.cpp
}

// routerStatus reads llama.cpp's status: {"value": "loaded", ...} or "loaded".
func routerStatus(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var o struct {
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(raw, &o); err != nil || o.Value == nil {
		return "", fmt.Errorf(`want a string or {"value": string}, got %.64s`, raw)
	}
	return *o.Value, nil
}

// ModelStates is Models with where each loaded state came from.
func (c *Client) ModelStates(ctx context.Context) ([]ModelState, error) {
	body, status, err := c.get(ctx, "/v1/models")
	if err != nil {
		return nil, err
	}
	if status/100 != 2 {
		return nil, statusError(status, body)
	}
	var r struct {
		Data *[]modelEntry `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("openai backend: /v1/models: bad response: %w", err)
	}
	if r.Data == nil {
		return nil, fmt.Errorf(`openai backend: /v1/models: no "data" list in the answer`)
	}
	out := make([]ModelState, 0, len(*r.Data))
	unknown := false
	for i, e := range *r.Data {
		if e.ID == "" {
			return nil, fmt.Errorf("openai backend: /v1/models: data[%d] has no id", i)
		}
		ms := ModelState{ModelInfo: engine.ModelInfo{ID: e.ID, Bytes: e.Bytes}}
		if e.Meta != nil && ms.Bytes == 0 {
			ms.Bytes = e.Meta.Size
		}
		switch {
		case e.Loaded != nil:
			ms.Loaded, ms.Source = *e.Loaded, SourceServer
		case len(e.Status) > 0 && string(e.Status) != "null":
			v, err := routerStatus(e.Status)
			if err != nil {
				return nil, fmt.Errorf("openai backend: /v1/models: data[%d] (%s).status: %w", i, e.ID, err)
			}
			ms.Loaded, ms.Source = v == "loaded", SourceServer
		default:
			unknown = true
		}
		out = append(out, ms)
	}
	if !unknown {
		return out, nil
	}
	ps, isOllama := c.ollamaLoaded(ctx)
	for i := range out {
		if out[i].Source != "" {
			continue
		}
		if isOllama {
			size, ok := ps[ollamaKey(out[i].ID)]
			out[i].Loaded, out[i].Source = ok, SourceServer
			if ok && out[i].Bytes == 0 {
				out[i].Bytes = size
			}
			continue
		}
		out[i].Loaded, out[i].Source = c.served.recent(out[i].ID, c.warmFor()), SourceRecord
	}
	return out, nil
}

// ollamaLoaded asks Ollama's /api/ps for the loaded models (key → size in
// bytes). ok is false when the server is not Ollama (no such route, or another
// answer), and also when the request fails: then the record decides.
func (c *Client) ollamaLoaded(ctx context.Context) (map[string]int64, bool) {
	body, status, err := c.get(ctx, "/api/ps")
	if err != nil {
		if ctx.Err() == nil {
			c.Log.Warn("openai backend: /api/ps failed; using the served-model record", "err", err)
		}
		return nil, false
	}
	if status != http.StatusOK {
		return nil, false
	}
	var r struct {
		Models *[]struct {
			Name  string `json:"name"`
			Model string `json:"model"`
			Size  int64  `json:"size"`
		} `json:"models"`
	}
	if json.Unmarshal(body, &r) != nil || r.Models == nil {
		return nil, false
	}
	out := make(map[string]int64, 2*len(*r.Models))
	for _, m := range *r.Models {
		for _, n := range []string{m.Name, m.Model} {
			if n != "" {
				out[ollamaKey(n)] = m.Size
			}
		}
	}
	return out, true
}

// ollamaKey names an Ollama model with its tag (Ollama's default tag is "latest").
func ollamaKey(name string) string {
	if strings.Contains(name[strings.LastIndex(name, "/")+1:], ":") {
		return name
	}
	return name + ":latest"
}

func (c *Client) warmFor() time.Duration {
	if c.WarmFor > 0 {
		return c.WarmFor
	}
	return DefaultWarmFor
}

// get reads path (at most maxModelsBody bytes) and returns the body and status.
func (c *Client) get(ctx context.Context, path string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return nil, 0, err
	}
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxModelsBody+1))
	if err != nil {
		return nil, 0, fmt.Errorf("openai backend: %s: %w", path, err)
	}
	if len(b) > maxModelsBody {
		return nil, 0, fmt.Errorf("openai backend: %s: answer larger than %d bytes", path, maxModelsBody)
	}
	return b, resp.StatusCode, nil
}

// statusError turns a non-2xx answer already read into the error readError gives.
func statusError(status int, body []byte) error {
	return readError(&http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body))})
}

// servedRecord is when this client last served each model. The zero value is
// ready to use.
type servedRecord struct {
	mu   sync.Mutex
	last map[string]time.Time
	now  func() time.Time // nil: time.Now
}

// maxRecord bounds the record; past it, entries too old to matter are dropped.
const maxRecord = 1024

func (r *servedRecord) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

func (r *servedRecord) mark(model string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.clock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	if _, ok := r.last[model]; !ok && len(r.last) >= maxRecord {
		oldest := ""
		for m, at := range r.last {
			if oldest == "" || at.Before(r.last[oldest]) {
				oldest = m
			}
		}
		delete(r.last, oldest)
	}
	r.last[model] = t
}

func (r *servedRecord) recent(model string, window time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.last[model]
	return ok && r.clock().Sub(at) < window
}
