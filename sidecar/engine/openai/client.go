// Package openai is the engine backend for any OpenAI-compatible server
// (vLLM, SGLang, llama.cpp server, Ollama, TGI, or another cortd-sidecar
// serve). Which models are warm (loaded) comes from what the server reports
// where it can (llama.cpp router status, Ollama's /api/ps, cortd's loaded
// field) and otherwise from this client's record of what it served recently:
// see Models.
package openai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/engine"
)

// Client talks to one server. The zero value is not usable; use New.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8000 (with or without /v1)
	APIKey  string
	HTTP    *http.Client
	// Retries is how many times a request is retried after a connection
	// error or a 429/5xx answer, with exponential backoff from Backoff.
	Retries int
	Backoff time.Duration
	Log     *slog.Logger
	// WarmFor is how long a model this client has served counts as loaded when the
	// server cannot say what it holds (see Models). Zero means DefaultWarmFor.
	WarmFor time.Duration

	served servedRecord
}

var _ engine.Engine = (*Client)(nil)

// New returns a client with connection reuse and a per-request timeout.
func New(baseURL, apiKey string, timeout time.Duration) *Client {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &Client{BaseURL: strings.TrimSuffix(strings.TrimSuffix(baseURL, "/"), "/v1"), APIKey: apiKey,
		HTTP: &http.Client{Transport: tr, Timeout: timeout}, Retries: 3, Backoff: 200 * time.Millisecond, Log: slog.Default()}
}

// APIError is a non-2xx answer.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("openai backend: HTTP %d: %s", e.Status, e.Message)
}

func retryable(status int) bool { return status == 429 || status >= 500 }

// post sends body to path and returns the response (caller closes), retrying
// transient failures. Streaming requests are retried only before any byte
// of the answer arrives, which is all post ever sees.
func (c *Client) post(ctx context.Context, path string, body any) (*http.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var last error
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			d := c.Backoff << (attempt - 1)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(d):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		if c.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+c.APIKey)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			last = err
			c.Log.Warn("openai backend request failed", "path", path, "attempt", attempt+1, "err", err)
			continue
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		last = readError(resp)
		if !retryable(resp.StatusCode) {
			return nil, last
		}
		c.Log.Warn("openai backend request failed", "path", path, "attempt", attempt+1, "err", last)
	}
	return nil, last
}

func readError(resp *http.Response) error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	msg := strings.TrimSpace(string(b))
	if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
		msg = e.Error.Message
	}
	ae := &APIError{Status: resp.StatusCode, Message: msg}
	switch resp.StatusCode {
	case 404:
		return fmt.Errorf("%w: %w", engine.ErrUnknownModel, ae)
	case 400:
		return fmt.Errorf("%w: %w", engine.ErrBadRequest, ae)
	}
	return ae
}

func (c *Client) postJSON(ctx context.Context, path string, body, out any) error {
	resp, err := c.post(ctx, path, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("openai backend: %s: bad response: %w", path, err)
	}
	return nil
}

func completionBody(model, prompt string, p engine.Params, stream bool) map[string]any {
	b := map[string]any{"model": model, "prompt": prompt, "max_tokens": p.MaxTokens, "temperature": p.Temperature, "stream": stream}
	if p.TopP > 0 {
		b["top_p"] = p.TopP
	}
	if p.TopK > 0 {
		b["top_k"] = p.TopK
	}
	if p.Seed != 0 {
		b["seed"] = p.Seed
	}
	if len(p.Stop) > 0 {
		b["stop"] = p.Stop
	}
	if stream {
		b["stream_options"] = map[string]any{"include_usage": true}
	}
	return b
}

type completionResp struct {
	Choices []struct {
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
		Delta        *struct {
			Content string `json:"content"`
		} `json:"delta"`
		Message *struct {
			Content string `json:"content"`
		} `json:"message"`
		Logprobs *struct {
			TokenLogprobs []*float64 `json:"token_logprobs"`
		} `json:"logprobs"`
		// vLLM's prompt_logprobs: per position null or {token_id: {logprob}}.
		PromptLogprobs []map[string]struct {
			Logprob float64 `json:"logprob"`
		} `json:"prompt_logprobs"`
	} `json:"choices"`
	Usage *engine.Usage `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Complete implements engine.Engine with /v1/completions.
func (c *Client) Complete(ctx context.Context, model, prompt string, p engine.Params) (engine.Completion, error) {
	var r completionResp
	if err := c.postJSON(ctx, "/v1/completions", completionBody(model, prompt, p, false), &r); err != nil {
		return engine.Completion{}, err
	}
	if len(r.Choices) == 0 {
		return engine.Completion{}, errors.New("openai backend: completion without choices")
	}
	out := engine.Completion{Text: r.Choices[0].Text, FinishReason: r.Choices[0].FinishReason}
	if r.Usage != nil {
		out.Usage = *r.Usage
	}
	c.served.mark(model)
	return out, nil
}

// CompleteStream implements engine.Engine with streamed /v1/completions.
func (c *Client) CompleteStream(ctx context.Context, model, prompt string, p engine.Params, emit func(string) error) (engine.Completion, error) {
	return c.streamed(ctx, model, "/v1/completions", completionBody(model, prompt, p, true), emit)
}

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatStream runs /v1/chat/completions with streaming; emit gets each delta.
func (c *Client) ChatStream(ctx context.Context, model string, msgs []Message, p engine.Params, emit func(string) error) (engine.Completion, error) {
	b := completionBody(model, "", p, true)
	delete(b, "prompt")
	b["messages"] = msgs
	return c.streamed(ctx, model, "/v1/chat/completions", b, emit)
}

func (c *Client) streamed(ctx context.Context, model, path string, body map[string]any, emit func(string) error) (engine.Completion, error) {
	resp, err := c.post(ctx, path, body)
	if err != nil {
		return engine.Completion{}, err
	}
	defer resp.Body.Close()
	var out engine.Completion
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	done := false
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data:")
		if !ok {
			continue
		}
		data = strings.TrimSpace(data)
		if data == "[DONE]" {
			done = true
			break
		}
		var r completionResp
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return out, fmt.Errorf("openai backend: bad stream event: %w", err)
		}
		if r.Error != nil {
			return out, fmt.Errorf("openai backend: stream error: %s", r.Error.Message)
		}
		if r.Usage != nil {
			out.Usage = *r.Usage
		}
		for _, ch := range r.Choices {
			piece := ch.Text
			if ch.Delta != nil {
				piece = ch.Delta.Content
			}
			if piece != "" {
				text.WriteString(piece)
				if emit != nil {
					if err := emit(piece); err != nil {
						return out, err
					}
				}
			}
			if ch.FinishReason != "" {
				out.FinishReason = ch.FinishReason
			}
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("openai backend: stream: %w", err)
	}
	if !done {
		return out, errors.New("openai backend: stream ended without [DONE]")
	}
	out.Text = text.String()
	c.served.mark(model)
	return out, nil
}

// Embed implements engine.Engine with /v1/embeddings. Vectors are
// re-normalised (servers differ on whether they normalise).
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, engine.Usage, error) {
	var r struct {
		Data []struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		} `json:"data"`
		Usage engine.Usage `json:"usage"`
	}
	if err := c.postJSON(ctx, "/v1/embeddings", map[string]any{"model": model, "input": texts}, &r); err != nil {
		return nil, engine.Usage{}, err
	}
	out := make([][]float32, len(texts))
	for _, d := range r.Data {
		if d.Index < 0 || d.Index >= len(texts) {
			return nil, engine.Usage{}, fmt.Errorf("openai backend: embedding index %d out of range", d.Index)
		}
		out[d.Index] = normalise(d.Embedding)
	}
	for i, v := range out {
		if v == nil {
			return nil, engine.Usage{}, fmt.Errorf("openai backend: no embedding for input %d", i)
		}
	}
	c.served.mark(model)
	return out, r.Usage, nil
}

func normalise(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return v
	}
	inv := 1 / sqrt(s)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
	return v
}
