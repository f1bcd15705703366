// Package chattemplate renders chat conversations into a model's prompt with
// the Jinja chat_template the model publishes in tokenizer_config.json, the way
// Hugging Face transformers does (messages, bos_token, eos_token,
// add_generation_prompt; no tools). Rendering goes through
// github.com/ardanlabs/jinja and is bounded: template size, output size, time,
// range() length and concurrent renders, because messages come from clients and
// templates from model folders.
package chattemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cortnet/cortd/sidecar/engine/gguf"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ardanlabs/jinja"
)

// Limits on one template and one render.
const (
	MaxTemplateBytes = 256 << 10 // a published template is a few KiB (Qwen3: 4 KiB)
	MaxRangeItems    = 10_000    // range() longer than this is an error
	DefaultMaxOutput = 1 << 20
	DefaultTimeout   = 2 * time.Second
	// MaxConcurrent renders run at once; a render past its timeout keeps its
	// slot until it really ends, so runaway templates cannot pile up.
	MaxConcurrent = 8
)

// ErrNoTemplate: the tokenizer_config.json has no chat_template.
var ErrNoTemplate = errors.New("no chat_template")

// ErrBusy: MaxConcurrent renders are running (some may be past their timeout);
// retry later.
var ErrBusy = errors.New("chat template: too many renders running")

// RenderError is a template's own failure (raise_exception, a type error, a
// limit): the message is safe to show to the client who sent the messages.
type RenderError struct{ Msg string }

func (e *RenderError) Error() string { return "chat template: " + e.Msg }

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Template is a compiled chat template with the model's special tokens.
type Template struct {
	t        *jinja.Template
	BOS, EOS string
}

// Options tune one render; the zero value means the defaults.
type Options struct {
	MaxOutput int           // bytes; 0: DefaultMaxOutput
	Timeout   time.Duration // 0: DefaultTimeout
	// Now is what strftime_now() (Llama 3.1+ templates' date) returns;
	// zero: the current UTC time.
	Now time.Time
}

// Parse compiles src with the given special tokens.
func Parse(src, bos, eos string) (*Template, error) {
	if len(src) > MaxTemplateBytes {
		return nil, fmt.Errorf("chat_template of %d bytes, at most %d", len(src), MaxTemplateBytes)
	}
	t, err := jinja.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("chat_template: %w", err)
	}
	return &Template{t: t, BOS: bos, EOS: eos}, nil
}

// tokenizerConfig holds the fields of tokenizer_config.json the renderer reads.
// chat_template is a string or a list of {name, template} (the default one is
// used); special tokens are strings or AddedToken objects {"content": ...}.
type tokenizerConfig struct {
	ChatTemplate json.RawMessage `json:"chat_template"`
	BOS          json.RawMessage `json:"bos_token"`
	EOS          json.RawMessage `json:"eos_token"`
}

// FromTokenizerConfig reads a tokenizer_config.json's bytes; ErrNoTemplate when
// it has no chat_template.
func FromTokenizerConfig(b []byte) (*Template, error) {
	var c tokenizerConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: %w", err)
	}
	src, err := templateSource(c.ChatTemplate)
	if err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: %w", err)
	}
	bos, err := tokenString(c.BOS)
	if err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: bos_token: %w", err)
	}
	eos, err := tokenString(c.EOS)
	if err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: eos_token: %w", err)
	}
	t, err := Parse(src, bos, eos)
	if err != nil {
		return nil, fmt.Errorf("tokenizer_config.json: %w", err)
	}
	return t, nil
}

// Load reads dir/tokenizer_config.json, or, for a GGUF model folder
// without one, model.gguf's tokenizer.chat_template (FromGGUF);
// ErrNoTemplate (wrapped) when neither has a chat_template.
func Load(dir string) (*Template, error) {
	path := filepath.Join(dir, "tokenizer_config.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		g := filepath.Join(dir, "model.gguf")
		if _, err := os.Stat(g); err == nil {
			return FromGGUF(g)
		}
		return nil, fmt.Errorf("%s: %w", path, ErrNoTemplate)
	}
	if err != nil {
		return nil, err
	}
	t, err := FromTokenizerConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// FromGGUF reads a GGUF file's tokenizer.chat_template, with BOS and EOS
// the tokens tokenizer.ggml.bos_token_id and eos_token_id name (what
// llama.cpp renders with); ErrNoTemplate (wrapped) when the key is absent.
func FromGGUF(path string) (*Template, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !f.Has("tokenizer.chat_template") {
		return nil, fmt.Errorf("%s: tokenizer.chat_template: %w", path, ErrNoTemplate)
	}
	src, err := f.String("tokenizer.chat_template")
	if err != nil {
		return nil, err
	}
	if src == "" {
		return nil, fmt.Errorf("%s: tokenizer.chat_template: %w", path, ErrNoTemplate)
	}
	var special [2]string
	if f.Has("tokenizer.ggml.tokens") {
		toks, err := f.Strings("tokenizer.ggml.tokens")
		if err != nil {
			return nil, err
		}
		for i, key := range []string{"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"} {
			if !f.Has(key) {
				continue
			}
			id, err := f.Uint(key)
			if err != nil {
				return nil, err
			}
			if id >= uint64(len(toks)) {
				return nil, fmt.Errorf("%s: %s = %d is not one of the %d tokens", path, key, id, len(toks))
			}
			special[i] = toks[id]
		}
	}
	t, err := Parse(src, special[0], special[1])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func templateSource(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", ErrNoTemplate
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return "", ErrNoTemplate
		}
		return s, nil
	}
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return "", errors.New("chat_template must be a string or a list of {name, template}")
	}
	for _, e := range list {
		if e.Name == "default" && e.Template != "" {
			return e.Template, nil
		}
	}
	return "", fmt.Errorf("chat_template list has no \"default\" entry: %w", ErrNoTemplate)
}

func tokenString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var tok struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil || tok.Content == nil {
		return "", errors.New("must be a string or an object with a string \"content\"")
	}
	return *tok.Content, nil
}

var slots = make(chan struct{}, MaxConcurrent)

// Render renders msgs with add_generation_prompt true. Roles and contents are
// passed as given (the caller checks them); a failure of the template itself
// is a *RenderError.
func (t *Template) Render(msgs []Message, opt Options) (string, error) {
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = DefaultMaxOutput
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	list := make([]jinja.Value, len(msgs))
	for i, m := range msgs {
		list[i] = jinja.FromGoValue(map[string]any{"role": m.Role, "content": m.Content})
	}
	data := map[string]jinja.Value{
		"messages":              jinja.NewList(list),
		"bos_token":             jinja.NewString(t.BOS),
		"eos_token":             jinja.NewString(t.EOS),
		"add_generation_prompt": jinja.NewBool(true),
		"strftime_now":          jinja.NewCallable("strftime_now", strftimeNow(now)),
		"range":                 jinja.NewCallable("range", boundedRange),
	}
	select {
	case slots <- struct{}{}:
	default:
		return "", ErrBusy
	}
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-slots }()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("%v", p)}
			}
		}()
		s, err := t.t.RenderValues(data)
		done <- result{s, err}
	}()
	timer := time.NewTimer(opt.Timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return "", &RenderError{Msg: r.err.Error()}
		}
		if len(r.s) > opt.MaxOutput {
			return "", &RenderError{Msg: fmt.Sprintf("rendered prompt of %d bytes, at most %d", len(r.s), opt.MaxOutput)}
		}
		return r.s, nil
	case <-timer.C:
		return "", &RenderError{Msg: fmt.Sprintf("rendering took longer than %s", opt.Timeout)}
	}
}

// boundedRange is Jinja's range() refusing more than MaxRangeItems items.
func boundedRange(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	var start, stop, step int64 = 0, 0, 1
	ints := make([]int64, len(args))
	for i, a := range args {
		if !a.IsInt() {
			return jinja.Undefined(), fmt.Errorf("range: argument %d is not an integer", i+1)
		}
		ints[i] = a.AsInt()
	}
	switch len(ints) {
	case 1:
		stop = ints[0]
	case 2:
		start, stop = ints[0], ints[1]
	case 3:
		start, stop, step = ints[0], ints[1], ints[2]
	default:
		return jinja.Undefined(), fmt.Errorf("range: expected 1-3 arguments, got %d", len(args))
	}
	if step == 0 {
		return jinja.Undefined(), errors.New("range: step must not be zero")
	}
	var items []jinja.Value
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if len(items) == MaxRangeItems {
			return jinja.Undefined(), fmt.Errorf("range: more than %d items", MaxRangeItems)
		}
		items = append(items, jinja.NewInt(i))
	}
	return jinja.NewList(items), nil
}

var strftime = strings.NewReplacer(
	"%Y", "2006", "%m", "01", "%d", "02", "%H", "15", "%M", "04", "%S", "05",
	"%b", "Jan", "%B", "January", "%a", "Mon", "%A", "Monday", "%y", "06", "%p", "PM", "%%", "%",
)

func strftimeNow(now time.Time) func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	return func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		format := "%Y-%m-%d"
		if len(args) > 0 {
			if !args[0].IsString() {
				return jinja.Undefined(), errors.New("strftime_now: format must be a string")
			}
			format = args[0].AsString()
		}
		return jinja.NewString(now.Format(strftime.Replace(format))), nil
	}
}
