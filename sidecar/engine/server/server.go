package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/httpmetrics"
)

// LogprobModel is implemented by backends that can score prompt tokens
// (needed for echo+logprobs); the native engine's models do.
type LogprobModel interface {
	PromptLogprobs(ctx context.Context, model, prompt string) (tokens []string, logprobs []float64, err error)
}

// Server is the HTTP handler.
type Server struct {
	E   engine.Engine
	Log *slog.Logger
	// MaxBody bounds request bodies.
	MaxBody int64
	// DefaultMaxTokens applies when a request gives none (OpenAI uses 16).
	DefaultMaxTokens int
	seq              atomic.Uint64

	once      sync.Once
	handler   http.Handler
	generated *prometheus.CounterVec // completion tokens by model
}

// Handler returns the routes, /healthz and /metrics (the requests' metrics and the
// tokens generated). It is built once: every call returns the same handler.
func (s *Server) Handler() http.Handler {
	s.once.Do(func() { s.handler = s.newHandler() })
	return s.handler
}

func (s *Server) newHandler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.MaxBody == 0 {
		s.MaxBody = 16 << 20
	}
	if s.DefaultMaxTokens == 0 {
		s.DefaultMaxTokens = 16
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("POST /v1/completions", s.completions)
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("POST /v1/loss", s.loss)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	m := httpmetrics.New("cortd_engine")
	s.generated = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "cortd_engine", Name: "tokens_generated_total",
		Help: "Completion tokens generated (plain, chat and streamed completions that finished), by model."}, []string{"model"})
	m.Registry.MustRegister(s.generated)
	mux.Handle("GET /metrics", m.Handler())
	return m.Wrap(mux)
}

// countGenerated adds a finished completion's tokens to the metric. Only finished
// completions count, so the model label is always a model the engine served.
func (s *Server) countGenerated(model string, u engine.Usage) {
	if s.generated != nil && u.CompletionTokens > 0 {
		s.generated.WithLabelValues(model).Add(float64(u.CompletionTokens))
	}
}

func (s *Server) id(prefix string) string { return fmt.Sprintf("%s-%d", prefix, s.seq.Add(1)) }

type apiError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, typ := http.StatusInternalServerError, "server_error"
	switch {
	case errors.Is(err, engine.ErrUnknownModel):
		code, typ = http.StatusNotFound, "model_not_found"
	case errors.Is(err, engine.ErrBadRequest), errors.Is(err, engine.ErrContextTooLong):
		code, typ = http.StatusBadRequest, "invalid_request_error"
	case errors.Is(err, engine.ErrNotSupported):
		code, typ = http.StatusNotImplemented, "not_supported"
	case errors.Is(err, engine.ErrOverloaded):
		code, typ = http.StatusServiceUnavailable, "overloaded"
	case errors.Is(err, context.Canceled):
		code = 499
	}
	s.Log.Warn("request failed", "path", r.URL.Path, "status", code, "err", err)
	var e apiError
	e.Error.Message, e.Error.Type = err.Error(), typ
	writeJSON(w, code, e)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, s.MaxBody))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: body: %v", engine.ErrBadRequest, err)
	}
	return nil
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	ms, err := s.E.Models(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		OwnedBy string `json:"owned_by"`
		Loaded  bool   `json:"loaded"`
		Bytes   int64  `json:"bytes,omitempty"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range ms {
		out.Data = append(out.Data, model{ID: m.ID, Object: "model", OwnedBy: "cortd", Loaded: m.Loaded, Bytes: m.Bytes})
	}
	writeJSON(w, 200, out)
}

func (s *Server) params(maxTokens *int, temp *float64, topP float64, topK int, seed uint64, stop []string) (engine.Params, error) {
	p := engine.Params{MaxTokens: s.DefaultMaxTokens, Temperature: 1, TopP: topP, TopK: topK, Seed: seed, Stop: stop}
	if maxTokens != nil {
		p.MaxTokens = *maxTokens
	}
	if temp != nil {
		p.Temperature = *temp
	}
	if p.MaxTokens < 0 || p.Temperature < 0 || p.TopP < 0 || p.TopP > 1 || p.TopK < 0 || len(p.Stop) > 4 {
		return p, fmt.Errorf("%w: max_tokens, temperature, top_p (<= 1), top_k must be non-negative; at most 4 stop sequences", engine.ErrBadRequest)
	}
	return p, nil
}

func (s *Server) completions(w http.ResponseWriter, r *http.Request) {
	var req CompletionRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.params(req.MaxTokens, req.Temperature, req.TopP, req.TopK, req.Seed, req.Stop)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Prompt) != 1 {
		s.fail(w, r, fmt.Errorf("%w: exactly one prompt is supported", engine.ErrBadRequest))
		return
	}
	prompt := req.Prompt[0]
	start := time.Now()
	id := s.id("cmpl")
	if req.Stream {
		s.stream(w, r, id, "text_completion", req.Model, func(emit func(string) error) (engine.Completion, error) {
			return s.E.CompleteStream(r.Context(), req.Model, prompt, p, emit)
		}, false)
		return
	}
	type choice struct {
		Text         string    `json:"text"`
		Index        int       `json:"index"`
		FinishReason string    `json:"finish_reason"`
		Logprobs     *Logprobs `json:"logprobs"`
	}
	ch := choice{}
	var c engine.Completion
	if p.MaxTokens > 0 {
		if c, err = s.E.Complete(r.Context(), req.Model, prompt, p); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		c.FinishReason = "length"
	}
	ch.Text, ch.FinishReason = c.Text, c.FinishReason
	if req.Echo {
		ch.Text = prompt + c.Text
		if req.Logprobs != nil {
			lm, ok := s.E.(LogprobModel)
			if !ok {
				s.fail(w, r, fmt.Errorf("%w: prompt logprobs", engine.ErrNotSupported))
				return
			}
			toks, lps, err := lm.PromptLogprobs(r.Context(), req.Model, prompt)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			lp := &Logprobs{Tokens: toks, TokenLogprobs: make([]*float64, len(toks))}
			for i := 1; i < len(toks); i++ {
				v := lps[i-1]
				lp.TokenLogprobs[i] = &v
			}
			ch.Logprobs = lp
			c.Usage.PromptTokens = len(toks)
			c.Usage.TotalTokens = c.Usage.PromptTokens + c.Usage.CompletionTokens
		}
	}
	s.countGenerated(req.Model, c.Usage)
	s.Log.Info("completion", "model", req.Model, "prompt_tokens", c.Usage.PromptTokens, "completion_tokens", c.Usage.CompletionTokens, "ms", time.Since(start).Milliseconds())
	writeJSON(w, 200, map[string]any{"id": id, "object": "text_completion", "created": time.Now().Unix(),
		"model": req.Model, "choices": []choice{ch}, "usage": c.Usage})
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.params(req.MaxTokens, req.Temperature, req.TopP, req.TopK, req.Seed, req.Stop)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Messages) == 0 {
		s.fail(w, r, fmt.Errorf("%w: messages is empty", engine.ErrBadRequest))
		return
	}
	prompt := ChatPrompt(req.Messages)
	id := s.id("chatcmpl")
	if req.Stream {
		s.stream(w, r, id, "chat.completion.chunk", req.Model, func(emit func(string) error) (engine.Completion, error) {
			return s.E.CompleteStream(r.Context(), req.Model, prompt, p, emit)
		}, true)
		return
	}
	c, err := s.E.Complete(r.Context(), req.Model, prompt, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.countGenerated(req.Model, c.Usage)
	writeJSON(w, 200, map[string]any{"id": id, "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []map[string]any{{"index": 0, "message": ChatMessage{Role: "assistant", Content: c.Text}, "finish_reason": c.FinishReason}},
		"usage":   c.Usage})
}

// stream writes server-sent events: one chunk per text piece, a final chunk
// with the finish reason and usage, then [DONE]. An error after the stream
// started is sent as an error event (the status is already 200).
func (s *Server) stream(w http.ResponseWriter, r *http.Request, id, object, model string, run func(func(string) error) (engine.Completion, error), chat bool) {
	fl, _ := w.(http.Flusher)
	started := false
	send := func(v any) error {
		if !started {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-cache")
			w.WriteHeader(200)
			started = true
		}
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return err
		}
		if fl != nil {
			fl.Flush()
		}
		return nil
	}
	chunk := func(text string, finish *string, usage *engine.Usage) map[string]any {
		ch := map[string]any{"index": 0, "finish_reason": finish}
		if chat {
			ch["delta"] = map[string]string{"content": text}
		} else {
			ch["text"] = text
		}
		m := map[string]any{"id": id, "object": object, "created": time.Now().Unix(), "model": model, "choices": []any{ch}}
		if usage != nil {
			m["usage"] = usage
		}
		return m
	}
	c, err := run(func(piece string) error { return send(chunk(piece, nil, nil)) })
	if err != nil {
		if !started {
			s.fail(w, r, err)
			return
		}
		var e apiError
		e.Error.Message, e.Error.Type = err.Error(), "server_error"
		send(e)
		return
	}
	s.countGenerated(model, c.Usage)
	send(chunk("", &c.FinishReason, &c.Usage))
	fmt.Fprint(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req EmbeddingRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Input) == 0 {
		s.fail(w, r, fmt.Errorf("%w: input is empty", engine.ErrBadRequest))
		return
	}
	vecs, u, err := s.E.Embed(r.Context(), req.Model, req.Input)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(vecs))
	for i, v := range vecs {
		data[i] = item{Object: "embedding", Index: i, Embedding: v}
	}
	writeJSON(w, 200, map[string]any{"object": "list", "model": req.Model, "data": data, "usage": u})
}

func (s *Server) loss(w http.ResponseWriter, r *http.Request) {
	var req LossRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(req.Input) == 0 {
		s.fail(w, r, fmt.Errorf("%w: input is empty", engine.ErrBadRequest))
		return
	}
	rs, err := s.E.Loss(r.Context(), req.Model, req.Input)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mean := engine.MeanLoss(rs)
	writeJSON(w, 200, map[string]any{"object": "loss", "model": req.Model, "results": rs, "loss": mean.Loss, "tokens": mean.Tokens})
}
