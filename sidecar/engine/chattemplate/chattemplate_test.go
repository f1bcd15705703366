package chattemplate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cortnet/cortd/sidecar/engine/gguf"
)

type refCases struct {
	Families map[string]struct {
		BOS string `json:"bos_token"`
		EOS string `json:"eos_token"`
	} `json:"families"`
	Cases []struct {
		Name     string    `json:"name"`
		Messages []Message `json:"messages"`
	} `json:"cases"`
}

// TestReferences: the published Llama 3, 3.1, 3.2 and Qwen3 templates render
// every conversation exactly as @huggingface/jinja did (scripts/chat-refs).
func TestReferences(t *testing.T) {
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var rc refCases
	if err := json.Unmarshal(b, &rc); err != nil {
		t.Fatal(err)
	}
	if len(rc.Families) != 4 || len(rc.Cases) != 6 {
		t.Fatalf("references hold %d families and %d cases", len(rc.Families), len(rc.Cases))
	}
	for fam, f := range rc.Families {
		cfg, err := os.ReadFile(filepath.Join("testdata", fam+".tokenizer_config.json"))
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := FromTokenizerConfig(cfg)
		if err != nil {
			t.Fatalf("%s: %v", fam, err)
		}
		if tmpl.BOS != f.BOS || tmpl.EOS != f.EOS {
			t.Errorf("%s: special tokens %q %q, want %q %q", fam, tmpl.BOS, tmpl.EOS, f.BOS, f.EOS)
		}
		for _, c := range rc.Cases {
			want, err := os.ReadFile(filepath.Join("testdata", fam+"."+c.Name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			// The references render Llama 3.2's date line for 26 Jul 2024.
			got, err := tmpl.Render(c.Messages, Options{Now: time.Date(2024, 7, 26, 9, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatalf("%s %s: %v", fam, c.Name, err)
			}
			if got != string(want) {
				t.Errorf("%s %s:\n got %q\nwant %q", fam, c.Name, got, want)
			}
		}
	}
}

func TestTokenizerConfigShapes(t *testing.T) {
	tmpl, err := FromTokenizerConfig([]byte(`{"bos_token":{"content":"<s>","lstrip":false},"eos_token":"</s>",
		"chat_template":[{"name":"tool_use","template":"T"},{"name":"default","template":"{{bos_token}}{{messages[0].content}}{{eos_token}}"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render([]Message{{Role: "user", Content: "hi"}}, Options{})
	if err != nil || got != "<s>hi</s>" {
		t.Fatalf("got %q, %v", got, err)
	}
	for name, cfg := range map[string]string{
		"absent":     `{"bos_token":"<s>"}`,
		"null":       `{"chat_template":null}`,
		"empty":      `{"chat_template":""}`,
		"no default": `{"chat_template":[{"name":"rag","template":"x"}]}`,
	} {
		if _, err := FromTokenizerConfig([]byte(cfg)); !errors.Is(err, ErrNoTemplate) {
			t.Errorf("%s: %v, want ErrNoTemplate", name, err)
		}
	}
	for name, cfg := range map[string]string{
		"not json":        `{`,
		"template number": `{"chat_template":5}`,
		"bos number":      `{"chat_template":"x","bos_token":5}`,
		"eos no content":  `{"chat_template":"x","eos_token":{"lstrip":true}}`,
		"syntax":          `{"chat_template":"{% for m in messages %}"}`,
	} {
		_, err := FromTokenizerConfig([]byte(cfg))
		if err == nil || errors.Is(err, ErrNoTemplate) {
			t.Errorf("%s: %v, want a parse error", name, err)
		} else if !strings.Contains(err.Error(), "tokenizer_config.json") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, err := Parse(strings.Repeat("x", MaxTemplateBytes+1), "", ""); err == nil {
		t.Error("oversized template accepted")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(`{"chat_template":"{{ messages|length }}"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tmpl.Render(make([]Message, 3), Options{}); err != nil || got != "3" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestRenderErrors(t *testing.T) {
	render := func(src string, opt Options) error {
		t.Helper()
		tmpl, err := Parse(src, "", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = tmpl.Render([]Message{{Role: "user", Content: "hi"}}, opt)
		return err
	}
	var re *RenderError
	err := render(`{% if messages[0].role == 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}`, Options{})
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "Conversation roles must alternate") {
		t.Errorf("raise_exception: %v", err)
	}
	if err := render(`{% for i in range(100000000) %}x{% endfor %}`, Options{}); !errors.As(err, &re) || !strings.Contains(re.Msg, "range") {
		t.Errorf("huge range: %v", err)
	}
	if err := render(`{% for i in range(3, 'a') %}x{% endfor %}`, Options{}); !errors.As(err, &re) {
		t.Errorf("bad range argument: %v", err)
	}
	if err := render(`{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}`, Options{MaxOutput: 1 << 20}); !errors.As(err, &re) || !strings.Contains(re.Msg, "bytes") {
		t.Errorf("2 MB output: %v", err)
	}
	start := time.Now()
	err = render(`{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}`, Options{Timeout: 50 * time.Millisecond})
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "longer than") {
		t.Errorf("slow template: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("timeout of 50ms took %s", time.Since(start))
	}
}

func TestStrftimeNow(t *testing.T) {
	tmpl, err := Parse(`{{ strftime_now("%d %b %Y") }}|{{ strftime_now() }}`, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Render(nil, Options{Now: time.Date(2024, 7, 26, 12, 0, 0, 0, time.UTC)})
	if err != nil || got != "26 Jul 2024|2024-07-26" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestBusy: while MaxConcurrent renders hold their slots, another render is
// refused at once with ErrBusy; a slot frees when its render really ends.
func TestBusy(t *testing.T) {
	// Take every free slot (a timed-out render of another test may hold one).
	taken := 0
fill:
	for {
		select {
		case slots <- struct{}{}:
			taken++
		default:
			break fill
		}
	}
	tmpl, err := Parse("x", "", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(nil, Options{})
	for range taken {
		<-slots
	}
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("got %v, want ErrBusy", err)
	}
	if taken > 0 {
		if got, err := tmpl.Render(nil, Options{}); err != nil || got != "x" {
			t.Fatalf("after the slots freed: %q %v", got, err)
		}
	}
}

func BenchmarkRenderQwen3(b *testing.B) {
	cfg, err := os.ReadFile("testdata/qwen3.tokenizer_config.json")
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := FromTokenizerConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	msgs := []Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Count to three."},
		{Role: "assistant", Content: "1, 2, 3"}, {Role: "user", Content: "Now backwards."}}
	for b.Loop() {
		if _, err := tmpl.Render(msgs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadGGUF: a folder holding only model.gguf renders with the file's
// tokenizer.chat_template, BOS and EOS being the tokens the file's ids name;
// a file without the key is ErrNoTemplate, an id past the tokens an error.
func TestLoadGGUF(t *testing.T) {
	write := func(kvs map[string]any) string {
		t.Helper()
		dir := t.TempDir()
		w := gguf.NewWriter()
		for _, k := range []string{"general.architecture", "tokenizer.ggml.tokens", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.chat_template"} {
			if v, ok := kvs[k]; ok {
				if err := w.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
		}
		f, err := os.Create(filepath.Join(dir, "model.gguf"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := w.WriteHeader(f); err != nil {
			t.Fatal(err)
		}
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	base := map[string]any{"general.architecture": "llama", "tokenizer.ggml.tokens": []string{"<s>", "</s>", "a"},
		"tokenizer.ggml.bos_token_id": uint32(0), "tokenizer.ggml.eos_token_id": uint32(1),
		"tokenizer.chat_template": "{{ bos_token }}{{ messages|length }}{{ eos_token }}"}
	tmpl, err := Load(write(base))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tmpl.Render(make([]Message, 2), Options{}); err != nil || got != "<s>2</s>" {
		t.Fatalf("got %q, %v", got, err)
	}
	noTmpl := map[string]any{}
	for k, v := range base {
		if k != "tokenizer.chat_template" {
			noTmpl[k] = v
		}
	}
	if _, err := Load(write(noTmpl)); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("no template key: %v", err)
	}
	bad := map[string]any{}
	for k, v := range base {
		bad[k] = v
	}
	bad["tokenizer.ggml.eos_token_id"] = uint32(9)
	if _, err := Load(write(bad)); err == nil || !strings.Contains(err.Error(), "not one of the 3 tokens") {
		t.Fatalf("eos id past the tokens: %v", err)
	}
}
