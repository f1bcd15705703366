package router

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cortnet/cortd/sidecar/chain"
)

// Handler serves /v1/models, /v1/completions, /v1/chat/completions,
// /v1/embeddings (API keys and rate limits apply), /healthz and /metrics.
func (r *Router) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, req *http.Request) {
		r.met.serve(w, req)
		// The submission batcher's counters (messages per tx, splits, resends).
		if b, ok := r.b.(interface{ batchStats() *chain.BatcherStats }); ok && b.batchStats() != nil {
			b.batchStats().WriteMetrics(w, "cortd_router")
		}
		// Its txs whose gas the node simulated, and those signed with the gas model's
		// prediction (no simulation).
		if b, ok := r.b.(interface{ signerStats() *chain.SignerStats }); ok && b.signerStats() != nil {
			s := b.signerStats()
			fmt.Fprintf(w, "# TYPE cortd_router_txs_simulated_total counter\ncortd_router_txs_simulated_total %d\n", s.Simulated.Load())
			fmt.Fprintf(w, "# TYPE cortd_router_txs_gas_predicted_total counter\ncortd_router_txs_gas_predicted_total %d\n", s.Predicted.Load())
		}
	})
	mux.Handle("GET /v1/models", r.guard(r.models))
	mux.Handle("POST /v1/completions", r.guard(r.completions))
	mux.Handle("POST /v1/chat/completions", r.guard(r.chat))
	mux.Handle("POST /v1/embeddings", r.guard(r.embeddings))
	return r.met.wrap(mux)
}

// guard checks the client's address against failed authentications, the bearer
// token and the key's request rate before the handler runs; the key travels in
// the request's context (admission and logs use it).
func (r *Router) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := anonymousKey
		if len(r.cfg.Keys) > 0 {
			ip := clientPrefix(req.RemoteAddr)
			if wait, blocked := r.auth.blocked(ip, r.now()); blocked {
				writeError(w, tooMany("too_many_failed_authentications", wait,
					fmt.Sprintf("Too many failed authentications from your address; retry after %s.", humanWait(wait))))
				return
			}
			tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
			if !ok || !r.cfg.Keys[strings.TrimSpace(tok)] {
				r.auth.fail(ip, r.now())
				writeError(w, &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key",
					Message: "Missing or invalid API key: send Authorization: Bearer <key>."})
				return
			}
			key = strings.TrimSpace(tok)
		}
		if !r.lim.allow(key) {
			writeError(w, &apiError{Status: http.StatusTooManyRequests, Type: "requests", Code: "rate_limit_exceeded",
				Message: fmt.Sprintf("Rate limit reached: %d requests per minute.", r.cfg.RatePerMinute), retryAfter: "1"})
			return
		}
		req.Body = http.MaxBytesReader(w, req.Body, r.cfg.MaxBodyBytes)
		h(w, req.WithContext(withKey(req.Context(), key)))
	})
}

func (r *Router) models(w http.ResponseWriter, req *http.Request) {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	out := []model{}
	var page []byte
	for {
		list, next, err := r.b.ActiveModels(req.Context(), page)
		if err != nil {
			writeError(w, r.internalError(req.Context(), "listing the models", err))
			return
		}
		for _, m := range list {
			out = append(out, model{ID: m.Id, Object: "model", Created: m.RegisteredHeight, OwnedBy: m.Owner})
		}
		if len(next) == 0 {
			break
		}
		page = next
	}
	writeJSON(w, map[string]any{"object": "list", "data": out})
}

// sampling are the request fields both endpoints share.
type sampling struct {
	Model       string   `json:"model"`
	MaxTokens   *int     `json:"max_tokens"`
	Temperature *float64 `json:"temperature"`
	TopP        *float64 `json:"top_p"`
	Seed        uint64   `json:"seed"`
	Stream      bool     `json:"stream"`
	Stop        stopList `json:"stop"`
}

// check validates sampling against the session's limits and fills defaults
// (OpenAI's: 16 tokens, temperature 1, top_p 1).
func (r *Router) check(s *sampling) (uint32, float64, float64, *apiError) {
	if s.Model == "" {
		return 0, 0, 0, badRequest("you must provide a model parameter", "model")
	}
	maxTok := 16
	if s.MaxTokens != nil {
		maxTok = *s.MaxTokens
	}
	if maxTok < 1 || maxTok > int(r.cfg.Sessions.MaxTokens) {
		return 0, 0, 0, badRequest(fmt.Sprintf("max_tokens must be between 1 and %d", r.cfg.Sessions.MaxTokens), "max_tokens")
	}
	temp, topP := 1.0, 1.0
	if s.Temperature != nil {
		temp = *s.Temperature
	}
	if s.TopP != nil {
		topP = *s.TopP
	}
	if temp < 0 || temp > 10 {
		return 0, 0, 0, badRequest("temperature must be between 0 and 10", "temperature")
	}
	if topP <= 0 || topP > 1 {
		return 0, 0, 0, badRequest("top_p must be in (0, 1]", "top_p")
	}
	if e := checkStops(s.Stop); e != nil {
		return 0, 0, 0, e
	}
	return uint32(maxTok), temp, topP, nil
}

func decode(req *http.Request, v any) *apiError {
	if err := json.NewDecoder(req.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error", Message: "request body too large"}
		}
		return badRequest("We could not parse the JSON body of your request: "+err.Error(), "")
	}
	return nil
}

func (r *Router) completions(w http.ResponseWriter, req *http.Request) {
	var body struct {
		sampling
		Prompt any `json:"prompt"`
	}
	if e := decode(req, &body); e != nil {
		writeError(w, e)
		return
	}
	prompt, ok := body.Prompt.(string)
	if !ok || prompt == "" {
		writeError(w, badRequest("prompt must be a non-empty string", "prompt"))
		return
	}
	r.serve(w, req, &body.sampling, prompt, "completion", false)
}

// serve runs a validated request and writes the answer, whole or as SSE chunks.
func (r *Router) serve(w http.ResponseWriter, req *http.Request, s *sampling, prompt, promptType string, chat bool) {
	maxTok, temp, topP, e := r.check(s)
	if e != nil {
		writeError(w, e)
		return
	}
	// One input: redundancy tasks. Admitted before the chain is asked anything, so
	// a key over its limits costs the chain nothing.
	t, e := r.admit(req.Context(), 1)
	if e != nil {
		writeError(w, e)
		return
	}
	defer t.end() // gives back what was not submitted, and the in-flight slots
	if _, e := r.checkModel(req.Context(), s.Model); e != nil {
		writeError(w, e)
		return
	}
	a, e := r.run(req.Context(), t, s.Model, prompt, promptType, maxTok, temp, topP, s.Seed)
	if e != nil {
		writeError(w, e)
		return
	}
	r.extendWrite(w)
	a.Receipt.setHeaders(w)
	finish := "stop"
	if a.CompletionTokens >= uint64(maxTok) {
		finish = "length"
	}
	if text, cut := cutAtStop(a.Text, s.Stop); cut {
		a.Text, finish = text, "stop"
	}
	id := fmt.Sprintf("cmpl-cortd-%d", a.Receipt.TaskID)
	created := time.Now().Unix()
	usage := map[string]uint64{"prompt_tokens": a.PromptTokens, "completion_tokens": a.CompletionTokens, "total_tokens": a.PromptTokens + a.CompletionTokens}
	if s.Stream {
		streamAnswer(w, id, created, s.Model, a.Text, finish, chat)
		return
	}
	if chat {
		writeJSON(w, map[string]any{"id": id, "object": "chat.completion", "created": created, "model": s.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": a.Text}, "finish_reason": finish}},
			"usage":   usage})
		return
	}
	writeJSON(w, map[string]any{"id": id, "object": "text_completion", "created": created, "model": s.Model,
		"choices": []any{map[string]any{"index": 0, "text": a.Text, "logprobs": nil, "finish_reason": finish}},
		"usage":   usage})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
