package router

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cortnet/cortd/sidecar/engine/chattemplate"
)

// maxStops is OpenAI's limit on stop sequences.
const maxStops = 4

// chatMessage is one entry of "messages": content is a string or an array of
// {"type": "text", "text": ...} parts (joined without separator).
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

func (m chatMessage) text() (string, bool) {
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, true
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil || len(parts) == 0 {
		return "", false
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", false
		}
		b.WriteString(*p.Text)
	}
	return b.String(), true
}

// stopList is OpenAI's "stop": null, a string or an array of up to 4 strings.
type stopList []string

func (s *stopList) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stopList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("stop must be a string or an array of strings")
	}
	*s = many
	return nil
}

func checkStops(s stopList) *apiError {
	if len(s) > maxStops {
		return badRequest(fmt.Sprintf("stop may hold at most %d sequences", maxStops), "stop")
	}
	for i, v := range s {
		if v == "" {
			return badRequest(fmt.Sprintf("stop[%d] must not be empty", i), "stop")
		}
	}
	return nil
}

// cutAtStop cuts text before the earliest stop sequence. The chain's task runs to
// EOS or max_tokens; the cut is applied to the validated result, so anyone can
// recompute it from the task record and the request.
func cutAtStop(text string, stops []string) (string, bool) {
	best := -1
	for _, s := range stops {
		if i := strings.Index(text, s); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return text, false
	}
	return text[:best], true
}

// templates caches each model's chat template, read once from
// <ModelsDir>/<id>/tokenizer_config.json (nil: the model has none).
type templates struct {
	dir string
	mu  sync.Mutex
	m   map[string]*chattemplate.Template
}

// get returns the model's template, nil when there is no models folder or the
// model has no chat_template.
func (t *templates) get(model string) (*chattemplate.Template, error) {
	if t == nil || t.dir == "" {
		return nil, nil
	}
	if model == "." || !filepath.IsLocal(model) || strings.ContainsAny(model, `/\`) {
		return nil, nil // not a folder name: no template (chain ids never are)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tmpl, ok := t.m[model]; ok {
		return tmpl, nil
	}
	dir := filepath.Join(t.dir, model)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		// No folder: no template, and nothing cached, so request ids cannot grow
		// the cache (it holds at most the folders the operator made).
		return nil, nil
	}
	tmpl, err := chattemplate.Load(dir)
	if errors.Is(err, chattemplate.ErrNoTemplate) {
		tmpl, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.m == nil {
		t.m = map[string]*chattemplate.Template{}
	}
	t.m[model] = tmpl
	return tmpl, nil
}

// chatPrompt turns the messages into the task's prompt: the model's chat
// template when it has one, else the plain transcript "role: content\n...
// assistant:".
func (r *Router) chatPrompt(model string, raw []chatMessage) (string, *apiError) {
	if len(raw) == 0 {
		return "", badRequest("messages must be a non-empty array", "messages")
	}
	msgs := make([]chattemplate.Message, len(raw))
	for i, m := range raw {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return "", badRequest(fmt.Sprintf("messages[%d].role must be system, user or assistant", i), "messages")
		}
		text, ok := m.text()
		if !ok {
			return "", badRequest(fmt.Sprintf("messages[%d].content must be a string or an array of text parts", i), "messages")
		}
		msgs[i] = chattemplate.Message{Role: m.Role, Content: text}
	}
	tmpl, err := r.tmpl.get(model)
	if err != nil {
		r.log.Error("reading the chat template", "model", model, "err", err)
		return "", &apiError{Status: http.StatusInternalServerError, Type: "server_error",
			Message: "The model's chat template could not be read; the router's operator has the details."}
	}
	if tmpl == nil {
		var b strings.Builder
		for _, m := range msgs {
			fmt.Fprintf(&b, "%s: %s\n", m.Role, m.Content)
		}
		b.WriteString("assistant:")
		return b.String(), nil
	}
	prompt, err := tmpl.Render(msgs, chattemplate.Options{MaxOutput: int(r.cfg.MaxBodyBytes) * 2, Now: r.now().UTC()})
	if err != nil {
		if errors.Is(err, chattemplate.ErrBusy) {
			return "", &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "busy",
				Message: "The router is rendering too many chat prompts; retry shortly.", retryAfter: "1"}
		}
		var re *chattemplate.RenderError
		if errors.As(err, &re) {
			return "", badRequest("The model's chat template refused the messages: "+re.Msg, "messages")
		}
		return "", badRequest(err.Error(), "messages")
	}
	return prompt, nil
}

func (r *Router) chat(w http.ResponseWriter, req *http.Request) {
	var body struct {
		sampling
		Messages []chatMessage     `json:"messages"`
		Tools    []json.RawMessage `json:"tools"`
	}
	if e := decode(req, &body); e != nil {
		writeError(w, e)
		return
	}
	if len(body.Tools) > 0 {
		// Templates are rendered without tools; silently dropping them would
		// answer a different question than the one asked.
		writeError(w, badRequest("tools are not supported", "tools"))
		return
	}
	if body.Model == "" {
		writeError(w, badRequest("you must provide a model parameter", "model"))
		return
	}
	prompt, e := r.chatPrompt(body.Model, body.Messages)
	if e != nil {
		writeError(w, e)
		return
	}
	// The task's prompt on chain is the rendered prompt (prompt_type "chat").
	r.serve(w, req, &body.sampling, prompt, "chat", true)
}
