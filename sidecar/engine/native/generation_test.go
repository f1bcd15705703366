package native

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

func writeJSON(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEOSIDs(t *testing.T) {
	tok, err := tokenizer.Parse(mustByteTokenizer(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		gen, cfg string // "" : file absent
		want     []int
	}{
		{`{"eos_token_id": 7}`, `{"eos_token_id": 9}`, []int{7}},
		{`{"eos_token_id": [128001, 128008, 128009, 128008]}`, ``, []int{128001, 128008, 128009}},
		{`{"bos_token_id": 1}`, `{"eos_token_id": [3, 2]}`, []int{2, 3}},
		{`{"eos_token_id": null}`, `{"eos_token_id": 5}`, []int{5}},
		{``, `{"eos_token_id": 4}`, []int{4}},
		{``, `{}`, []int{tok.EOS()}},
	}
	for i, c := range cases {
		dir := t.TempDir()
		if c.gen != "" {
			writeJSON(t, dir, "generation_config.json", c.gen)
		}
		if c.cfg != "" {
			writeJSON(t, dir, "config.json", c.cfg)
		}
		got, err := EOSIDs(dir, 128256, tok)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("case %d: %v %v, want %v", i, got, err, c.want)
		}
	}
	if got, err := EOSIDs(t.TempDir(), 10, nil); err != nil || got != nil {
		t.Errorf("nothing anywhere: %v %v", got, err)
	}
	for name, gen := range map[string]string{
		"out of range": `{"eos_token_id": 300}`,
		"negative":     `{"eos_token_id": [-1]}`,
		"string":       `{"eos_token_id": "</s>"}`,
		"float":        `{"eos_token_id": 2.5}`,
		"bad json":     `{"eos_token_id": `,
		"too many":     `{"eos_token_id": [` + strings.Repeat("1,", maxEOSIDs) + `1]}`,
	} {
		dir := t.TempDir()
		writeJSON(t, dir, "generation_config.json", gen)
		_, err := EOSIDs(dir, 257, tok)
		if err == nil || !strings.Contains(err.Error(), "generation_config.json") {
			t.Errorf("%s: %v, want an error naming generation_config.json", name, err)
		}
	}
}

// mustByteTokenizer is the tokenizer.json of the byte vocabulary tiny models use.
func mustByteTokenizer(t *testing.T) []byte {
	t.Helper()
	_, dir := tinyModel(t, "gpt2-tiny")
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// greedyIDs are the first n greedy tokens after prompt, with no EOS check.
func greedyIDs(t *testing.T, m *Model, prompt string, n int) []int {
	t.Helper()
	g, err := m.NewGenerator(m.Tok.Encode(prompt), engine.Params{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var ids []int
	for len(ids) < n {
		tok, ok, err := g.Next()
		if err != nil || !ok {
			t.Fatal(err, ok)
		}
		ids = append(ids, tok)
	}
	return ids
}

// TestGenerationStopsAtEveryEOSID: any id of generation_config.json's list ends
// the completion (finish "stop", the EOS token counted but not in the text).
func TestGenerationStopsAtEveryEOSID(t *testing.T) {
	m, dir := tinyModel(t, "llama-tiny")
	ids := greedyIDs(t, m, "Once upon a time", 12)
	stopAt := 4
	for slices.Index(ids, ids[stopAt]) != stopAt { // the first occurrence of its id
		stopAt--
	}
	eos := ids[stopAt]
	other := (eos + 1) % m.Tok.VocabSize()
	for slices.Contains(ids[:stopAt+1], other) {
		other = (other + 1) % m.Tok.VocabSize()
	}
	writeJSON(t, dir, "generation_config.json", `{"eos_token_id": [`+strconv.Itoa(other)+`, `+strconv.Itoa(eos)+`]}`)
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := m2.Generate(context.Background(), "Once upon a time", engine.Params{MaxTokens: 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Tok.Decode(ids[:stopAt])
	if c.FinishReason != "stop" || c.Usage.CompletionTokens != stopAt+1 || c.Text != want {
		t.Fatalf("got %q (%s, %d tokens), want %q (stop, %d tokens)", c.Text, c.FinishReason, c.Usage.CompletionTokens, want, stopAt+1)
	}
	// Without the list the same model runs to max_tokens.
	c, err = m.Generate(context.Background(), "Once upon a time", engine.Params{MaxTokens: 12}, nil)
	if err != nil || c.FinishReason != "length" || c.Usage.CompletionTokens != 12 {
		t.Fatalf("no EOS list: %+v %v", c, err)
	}
	// A bad list refuses the model at load, naming the file.
	writeJSON(t, dir, "generation_config.json", `{"eos_token_id": [1, 1000000]}`)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "generation_config.json") {
		t.Fatalf("bad eos_token_id loaded: %v", err)
	}
}

// TestGenerationStopStrings: the text ends before the earliest stop string,
// with finish "stop", streamed or not.
func TestGenerationStopStrings(t *testing.T) {
	m, _ := tinyModel(t, "gpt2-tiny")
	full, err := m.Generate(context.Background(), "abc", engine.Params{MaxTokens: 24}, nil)
	if err != nil || len(full.Text) < 8 {
		t.Fatalf("%q %v", full.Text, err)
	}
	stop := full.Text[5:7]
	cut := strings.Index(full.Text, stop)
	var pieces strings.Builder
	c, err := m.Generate(context.Background(), "abc", engine.Params{MaxTokens: 24, Stop: []string{"\x00never", stop}}, func(s string) error {
		pieces.WriteString(s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Text != full.Text[:cut] || c.FinishReason != "stop" || pieces.String() != c.Text {
		t.Fatalf("stop %q: text %q (%s), streamed %q; want %q", stop, c.Text, c.FinishReason, pieces.String(), full.Text[:cut])
	}
	if full.FinishReason != "length" {
		t.Fatalf("without stop strings finish %q", full.FinishReason)
	}
}
