package router

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// qwenStyle is a ChatML template in the style of Qwen's: it refuses a
// conversation that starts with an assistant turn.
const qwenStyle = `{%- if messages[0].role == 'assistant' %}{{ raise_exception('Conversation must start with a user or system turn') }}{%- endif %}` +
	`{%- for message in messages %}{{- '<|im_start|>' + message.role + '\n' + message.content.strip() + '<|im_end|>\n' }}{%- endfor %}` +
	`{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}`

// modelsDir writes <dir>/m/tokenizer_config.json with the given template
// (absent when cfg is "").
func modelsDir(t *testing.T, cfg string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "m"), 0o755))
	if cfg != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "m", "tokenizer_config.json"), []byte(cfg), 0o644))
	}
	return dir
}

func templateConfig(t *testing.T, tmpl string) string {
	b, err := json.Marshal(map[string]any{"chat_template": tmpl, "bos_token": "<s>", "eos_token": "<|im_end|>"})
	require.NoError(t, err)
	return string(b)
}

// submittedPrompt is the prompt of the last task the fake chain received.
func submittedPrompt(t *testing.T, f *fakeRouter) string {
	t.Helper()
	f.chain.mu.Lock()
	defer f.chain.mu.Unlock()
	var last uint64
	for id := range f.chain.tasks {
		last = max(last, id)
	}
	require.NotZero(t, last, "no task submitted")
	// The fake chain's result is "ok " + the task's prompt.
	p, ok := strings.CutPrefix(f.chain.tasks[last].ResultText, "ok ")
	require.True(t, ok)
	return p
}

func chatContent(t *testing.T, rec interface{ Result() *http.Response }, body []byte) (string, string) {
	t.Helper()
	var out struct {
		Choices []struct {
			Message      struct{ Content string } `json:"message"`
			FinishReason string                   `json:"finish_reason"`
		} `json:"choices"`
	}
	require.NoError(t, json.Unmarshal(body, &out), string(body))
	require.Len(t, out.Choices, 1)
	return out.Choices[0].Message.Content, out.Choices[0].FinishReason
}

func TestChatRendersTheModelsTemplate(t *testing.T) {
	f := newFakeRouter(t, Config{ModelsDir: modelsDir(t, templateConfig(t, qwenStyle))})
	rec := f.call(t, "/v1/chat/completions", "sk-a", `{"model":"m","messages":[
		{"role":"system","content":"Be brief."},
		{"role":"user","content":"  hi  "},
		{"role":"assistant","content":"hello"},
		{"role":"user","content":[{"type":"text","text":"how "},{"type":"text","text":"are you?"}]}]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n" +
		"<|im_start|>assistant\nhello<|im_end|>\n<|im_start|>user\nhow are you?<|im_end|>\n<|im_start|>assistant\n"
	require.Equal(t, want, submittedPrompt(t, f))
	// The fake chain answers "ok " + the task's prompt: the answer is the rendered prompt's.
	content, _ := chatContent(t, rec, rec.Body.Bytes())
	require.Equal(t, "ok "+want, content)
}

func TestChatWithoutTemplateKeepsTheTranscript(t *testing.T) {
	for name, dir := range map[string]string{
		"no models dir":       "",
		"no tokenizer config": modelsDir(t, ""),
		"config, no template": modelsDir(t, `{"bos_token":"<s>"}`),
	} {
		f := newFakeRouter(t, Config{ModelsDir: dir})
		rec := f.call(t, "/v1/chat/completions", "sk-a", `{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}]}`)
		require.Equal(t, http.StatusOK, rec.Code, name+": "+rec.Body.String())
		require.Equal(t, "system: s\nuser: hi\nassistant:", submittedPrompt(t, f), name)
	}
}

func TestChatRefusals(t *testing.T) {
	f := newFakeRouter(t, Config{ModelsDir: modelsDir(t, templateConfig(t, qwenStyle))})
	cases := []struct{ body, param, msg string }{
		{`{"model":"m","messages":[{"role":"tool","content":"x"}]}`, "messages", "messages[0].role"},
		{`{"model":"m","messages":[{"role":"user","content":"a"},{"role":"developer","content":"x"}]}`, "messages", "messages[1].role"},
		{`{"model":"m","messages":[{"role":"user","content":5}]}`, "messages", "messages[0].content"},
		{`{"model":"m","messages":[{"role":"user"}]}`, "messages", "messages[0].content"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, "messages", "messages[0].content"},
		{`{"model":"m","messages":[{"role":"user","content":[]}]}`, "messages", "messages[0].content"},
		// The template's own refusal reaches the client.
		{`{"model":"m","messages":[{"role":"assistant","content":"x"}]}`, "messages", "Conversation must start with a user or system turn"},
		{`{"model":"m","stop":["a","b","c","d","e"],"messages":[{"role":"user","content":"x"}]}`, "stop", "at most 4"},
		{`{"model":"m","stop":"","messages":[{"role":"user","content":"x"}]}`, "stop", "must not be empty"},
		{`{"model":"m","stop":5,"messages":[{"role":"user","content":"x"}]}`, "", "stop must be a string or an array"},
		{`{"model":"m","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"x"}]}`, "tools", "not supported"},
	}
	for _, c := range cases {
		rec := f.call(t, "/v1/chat/completions", "sk-a", c.body)
		require.Equal(t, http.StatusBadRequest, rec.Code, c.body)
		e := apiErr(t, rec)
		require.Equal(t, "invalid_request_error", e.Error.Type, c.body)
		require.Equal(t, c.param, e.Error.Param, c.body)
		require.Contains(t, e.Error.Message, c.msg, c.body)
	}
	f.chain.mu.Lock()
	defer f.chain.mu.Unlock()
	require.Zero(t, f.chain.submits, "a refused request reached the chain")
}

func TestChatBrokenTemplateIsAServerError(t *testing.T) {
	f := newFakeRouter(t, Config{ModelsDir: modelsDir(t, `{"chat_template":"{% for m in messages %}"}`)})
	rec := f.call(t, "/v1/chat/completions", "sk-a", chatBody)
	require.Equal(t, http.StatusInternalServerError, rec.Code, rec.Body.String())
	e := apiErr(t, rec)
	require.NotContains(t, e.Error.Message, "tokenizer_config.json", "file paths stay in the log")
	require.Contains(t, f.logs.String(), "tokenizer_config.json")
}

func TestStopStrings(t *testing.T) {
	f := newFakeRouter(t, Config{})
	// The fake chain answers "ok " + prompt; the prompt here is "say: one two three".
	for _, c := range []struct {
		stop, want, finish string
	}{
		{`"two"`, "ok say: one ", "stop"},
		{`["three","one"]`, "ok say: ", "stop"},      // the earliest match wins
		{`["zzz"]`, "ok say: one two three", "stop"}, // no match: the answer as it came (2 tokens of 32)
		{`null`, "ok say: one two three", "stop"},
	} {
		rec := f.call(t, "/v1/completions", "sk-a", `{"model":"m","max_tokens":32,"prompt":"say: one two three","stop":`+c.stop+`}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out struct {
			Choices []struct {
				Text         string `json:"text"`
				FinishReason string `json:"finish_reason"`
			} `json:"choices"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		require.Equal(t, c.want, out.Choices[0].Text, c.stop)
		require.Equal(t, c.finish, out.Choices[0].FinishReason, c.stop)
	}
	// Chat answers are cut the same way (the transcript prompt holds "user").
	rec := f.call(t, "/v1/chat/completions", "sk-a", `{"model":"m","stop":"user","messages":[{"role":"user","content":"x"}]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	content, finish := chatContent(t, rec, rec.Body.Bytes())
	require.Equal(t, "ok ", content)
	require.Equal(t, "stop", finish)
}

func TestCutAtStop(t *testing.T) {
	text, cut := cutAtStop("abc<|eot|>def", []string{"def", "<|eot|>"})
	require.True(t, cut)
	require.Equal(t, "abc", text)
	text, cut = cutAtStop("abc", []string{"x"})
	require.False(t, cut)
	require.Equal(t, "abc", text)
}

func TestTemplatesIgnoreNonFolderIDs(t *testing.T) {
	dir := modelsDir(t, templateConfig(t, qwenStyle))
	tm := &templates{dir: filepath.Join(dir, "m")}
	for _, id := range []string{"../m", "/etc", "a/b", `a\b`, "..", ".", "nope"} {
		got, err := tm.get(id)
		require.NoError(t, err, id)
		require.Nil(t, got, id)
	}
	require.Empty(t, tm.m, "ids without a folder are not cached")
	// The model's own folder is found and cached.
	tm = &templates{dir: dir}
	got, err := tm.get("m")
	require.NoError(t, err)
	require.NotNil(t, got)
	require.Len(t, tm.m, 1)
}

// TestChatWithPublishedTemplates: a chat completion to a model folder holding
// the published Llama 3.1, Llama 3.2 or Qwen3 tokenizer_config.json submits exactly the
// prompt @huggingface/jinja renders (sidecar/engine/chattemplate/testdata).
func TestChatWithPublishedTemplates(t *testing.T) {
	td := filepath.Join("..", "engine", "chattemplate", "testdata")
	var rc struct {
		Cases []struct {
			Name     string            `json:"name"`
			Messages []json.RawMessage `json:"messages"`
		} `json:"cases"`
	}
	b, err := os.ReadFile(filepath.Join(td, "cases.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rc))
	for _, fam := range []string{"llama3_1", "llama3_2", "qwen3"} {
		cfg, err := os.ReadFile(filepath.Join(td, fam+".tokenizer_config.json"))
		require.NoError(t, err)
		f := newFakeRouter(t, Config{ModelsDir: modelsDir(t, string(cfg))})
		f.clock.t = time.Date(2024, 7, 26, 9, 0, 0, 0, time.UTC) // Llama 3.2's "Today Date" in the references
		for _, c := range rc.Cases {
			msgs, err := json.Marshal(c.Messages)
			require.NoError(t, err)
			rec := f.call(t, "/v1/chat/completions", "sk-a", `{"model":"m","messages":`+string(msgs)+`}`)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			want, err := os.ReadFile(filepath.Join(td, fam+"."+c.Name+".txt"))
			require.NoError(t, err)
			require.Equal(t, string(want), submittedPrompt(t, f), fam+" "+c.Name)
		}
	}
}
