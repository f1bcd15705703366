package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

func TestParseCase(t *testing.T) {
	c, err := parseCase("tg128@1024=1024:128")
	require.NoError(t, err)
	require.Equal(t, benchCase{"tg128@1024", 1024, 128}, c)
	c, err = parseCase("pp512=512:0")
	require.NoError(t, err)
	require.Equal(t, benchCase{"pp512", 512, 0}, c)
	for _, bad := range []string{"", "pp512", "pp=512", "pp=512:", "=5:1", "pp=0:1", "pp=-1:1", "pp=1:-1", "a b=1:1",
		"pp=99999999:0", "pp=1:99999999", "pp=1:2:3"} {
		_, err := parseCase(bad)
		require.Error(t, err, bad)
	}
}

func TestReadIDs(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ids")
	require.NoError(t, os.WriteFile(p, []byte("5 7\n 0\t12\n"), 0o644))
	ids, err := readIDs(p)
	require.NoError(t, err)
	require.Equal(t, []int{5, 7, 0, 12}, ids)
	for name, body := range map[string]string{"empty": " \n", "negative": "1 -2", "word": "1 x 3", "float": "1.5"} {
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		_, err := readIDs(p)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), p, name)
	}
	_, err = readIDs(filepath.Join(dir, "missing"))
	require.Error(t, err)
}

// testTokenizer is a BPE with 4 ordinary tokens and two specials,
// one of which the post-processor puts first (a BOS).
const testTokenizer = `{
 "added_tokens": [
  {"id": 4, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
  {"id": 5, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
 ],
 "normalizer": null,
 "pre_tokenizer": null,
 "post_processor": {"type": "TemplateProcessing",
  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
  "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
  "special_tokens": {"<s>": {"id": "<s>", "ids": [4], "tokens": ["<s>"]}}},
 "decoder": null,
 "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null, "end_of_word_suffix": null,
  "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
  "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3}, "merges": ["a b"]}
}`

func TestMakeIDs(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(testTokenizer), 0o644))
	tok, err := tokenizer.Load(filepath.Join(dir, "tokenizer.json"))
	require.NoError(t, err)
	require.Equal(t, []int{4}, tok.Prefix())
	ids, err := makeIDs(tok, 200, 7)
	require.NoError(t, err)
	require.Len(t, ids, 200)
	require.Equal(t, 4, ids[0], "the tokenizer's BOS comes first")
	seen := map[int]bool{}
	for _, id := range ids[1:] {
		require.True(t, id >= 0 && id <= 3, "ordinary tokens only, got %d", id)
		seen[id] = true
	}
	require.Len(t, seen, 4, "200 draws reach all 4 ordinary tokens")
	again, err := makeIDs(tok, 200, 7)
	require.NoError(t, err)
	require.Equal(t, ids, again, "a seed gives the same ids")
	other, err := makeIDs(tok, 200, 8)
	require.NoError(t, err)
	require.NotEqual(t, ids, other)
	one, err := makeIDs(tok, 1, 7)
	require.NoError(t, err)
	require.Equal(t, []int{4}, one)

	// The -write-ids mode writes them for a folder's tokenizer.json.
	out := filepath.Join(dir, "ids")
	require.NoError(t, mainErr([]string{"-model", dir, "-write-ids", "200", "-seed", "7", "-out", out}, &bytes.Buffer{}))
	got, err := readIDs(out)
	require.NoError(t, err)
	require.Equal(t, ids, got)
}

func TestMainRefusals(t *testing.T) {
	dir := t.TempDir()
	ids := filepath.Join(dir, "ids")
	require.NoError(t, os.WriteFile(ids, []byte("1 2 3"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-ids", ids, "-case", "a=1:1"}, "-model is required"},
		{[]string{"-model", dir, "-write-ids", "5"}, "-write-ids needs -out"},
		{[]string{"-model", dir, "-write-ids", "5", "-out", filepath.Join(dir, "o")}, "tokenizer.json"},
		{[]string{"-model", dir, "-threads", "0", "-ids", ids, "-case", "a=1:1"}, "-threads 0"},
		{[]string{"-model", dir, "-ids", ids}, "-case"},
		{[]string{"-model", dir, "-case", "a=1:1"}, "-ids"},
		{[]string{"-model", dir, "-ids", ids, "-case", "a=4:0"}, "case a: prompt of 4 tokens"},
		{[]string{"-model", dir, "-ids", ids, "-case", "bad"}, "bad case"},
		{[]string{"-model", dir, "-ids", ids, "-case", "a=1:0", "extra"}, "unexpected arguments"},
		{[]string{"-model", dir, "-ids", ids, "-case", "a=1:0", "-kernels", "nonesuch"}, "not available"},
		{[]string{"-model", dir, "-ids", ids, "-case", "a=1:0"}, "config.json"},
	} {
		err := mainErr(tc.args, &bytes.Buffer{})
		require.Error(t, err, tc.args)
		require.Contains(t, err.Error(), tc.want, tc.args)
	}
}

func TestMedian(t *testing.T) {
	xs := []float64{5, 1, 4, 2}
	require.Equal(t, 3.0, median(xs))
	require.Equal(t, []float64{5, 1, 4, 2}, xs, "the input is not reordered")
	require.Equal(t, 4.0, median([]float64{9, 4, 1}))
	require.Equal(t, 0.0, median(nil))
}

func TestRate(t *testing.T) {
	v, err := record{PPTokens: 512, PPS: 2}.rate()
	require.NoError(t, err)
	require.Equal(t, 256.0, v, "prompt processing: tokens over seconds")
	v, err = record{PPTokens: 16, PPS: 0.5, TGTokens: 128, TGS: 4}.rate()
	require.NoError(t, err)
	require.Equal(t, 32.0, v, "a generating case is rated by its generation")
	_, err = record{PPTokens: 16, PPS: 0.5, TGTokens: 128}.rate()
	require.Error(t, err)
	_, err = record{PPTokens: 16}.rate()
	require.Error(t, err)
}

func TestReadRecordsRefusals(t *testing.T) {
	good := `{"model":"m","format":"f32","round":1,"side":"engine","case":"pp","pp_tokens":4,"pp_s":1,"threads":1}`
	recs, err := readRecords(strings.NewReader(good+"\n\n"+strings.Replace(good, `"engine"`, `"llama.cpp"`, 1)), "r.jsonl")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	for name, body := range map[string]string{
		"not json":   "{",
		"bad side":   strings.Replace(good, `"engine"`, `"other"`, 1),
		"no case":    strings.Replace(good, `"case":"pp"`, `"case":""`, 1),
		"no format":  strings.Replace(good, `"format":"f32"`, `"format":""`, 1),
		"no threads": strings.Replace(good, `"threads":1`, `"threads":0`, 1),
	} {
		_, err := readRecords(strings.NewReader(good+"\n"+body), "r.jsonl")
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "r.jsonl:2", name)
	}
}

func TestWriteTable(t *testing.T) {
	var lines []string
	add := func(side, format, cas string, threads int, pp, ppS float64, tg int, tgS float64, ids string) {
		lines = append(lines, `{"model":"gpt2","format":"`+format+`","round":1,"side":"`+side+`","case":"`+cas+`","threads":`+
			itoa(threads)+`,"pp_tokens":`+ftoa(pp)+`,"pp_s":`+ftoa(ppS)+`,"tg_tokens":`+itoa(tg)+`,"tg_s":`+ftoa(tgS)+
			`,"lib":"avx2","input":"folder","max_rss_mib":100,"gen_ids":`+ids+`}`)
	}
	// pp512 at 1 thread, f32: engine 512/1, 512/2, 512/4 tok/s (median 256);
	// llama.cpp 512/4, 512/4 (128): ratio 2.00.
	for _, s := range []float64{1, 2, 4} {
		add("engine", "f32", "pp512", 1, 512, s, 0, 0, "[1,2,3]")
	}
	add("llama.cpp", "f32", "pp512", 1, 512, 4, 0, 0, "[1,2,9]")
	add("llama.cpp", "f32", "pp512", 1, 512, 4, 0, 0, "[1,2,9]")
	// A generation case on q8_0 at 2 threads, listed before f32 at 1 thread.
	add("engine", "q8_0", "tg128", 2, 16, 1, 128, 8, "[7]")
	add("llama.cpp", "q8_0", "tg128", 2, 16, 1, 128, 4, "[7]")
	add("engine", "q8_0", "tg128", 1, 16, 1, 128, 16, "[7]")
	var out bytes.Buffer
	require.NoError(t, writeTable(&out, mustRecords(t, strings.Join(lines, "\n"))))
	got := out.String()
	require.Contains(t, got, "| gpt2 | prompt processing: 512 tokens (tok/s) | 1 | f32 | folder | 256 | 128 | 2.00 | 3/2 | 2/3 | 100 / 100 |")
	require.Contains(t, got, "| gpt2 | generation: 128 tokens after 16 (tok/s) | 2 | q8_0 | folder | 16.0 | 32.0 | 0.50 | 1/1 | 1/1 |")
	require.Contains(t, got, "| gpt2 | generation: 128 tokens after 16 (tok/s) | 1 | q8_0 | folder | 8.00 | - | - | 1/0 | - |")
	i1 := strings.Index(got, "| 1 | q8_0 |")
	i2 := strings.Index(got, "| 2 | q8_0 |")
	require.True(t, i1 >= 0 && i2 > i1, "threads ascend within a case:\n%s", got)
	require.Less(t, strings.Index(got, "prompt processing"), strings.Index(got, "generation"), "cases in the order first seen")
	require.Contains(t, got, "engine: avx2; llama.cpp: avx2")

	_, err := readRecords(strings.NewReader(lines[0]), "x")
	require.NoError(t, err)
	bad := mustRecords(t, strings.Replace(lines[0], `"pp_s":1`, `"pp_s":0`, 1))
	require.Error(t, writeTable(&bytes.Buffer{}, bad), "a record without a time is refused")
}

func mustRecords(t *testing.T, s string) []record {
	t.Helper()
	recs, err := readRecords(strings.NewReader(s), "test")
	require.NoError(t, err)
	return recs
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// refModel unpacks the engine's tiny GPT-2 reference folder (2 layers, 32 wide,
// 264 tokens, context 128) into a temporary folder.
func refModel(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "..", "sidecar", "engine", "native", "testdata", "refs", "gpt2")
	dir := t.TempDir()
	for _, name := range []string{"config.json", "generation_config.json", "model.safetensors.gz", "tokenizer.json.gz"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		require.NoError(t, err)
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			require.NoError(t, err)
			b, err = io.ReadAll(zr)
			require.NoError(t, err)
			name = strings.TrimSuffix(name, ".gz")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

func TestBenchRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	dir := refModel(t)
	ids := filepath.Join(t.TempDir(), "ids")
	require.NoError(t, mainErr([]string{"-model", dir, "-write-ids", "100", "-out", ids}, &bytes.Buffer{}))
	list, err := readIDs(ids)
	require.NoError(t, err)
	require.Len(t, list, 100)
	var gens [][]int
	for _, threads := range []string{"1", "2"} {
		var out bytes.Buffer
		require.NoError(t, mainErr([]string{"-model", dir, "-threads", threads, "-ids", ids,
			"-case", "pp=64:0", "-case", "tg=8:20", "-case", "long=100:27"}, &out))
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 3)
		var recs []record
		for _, l := range lines {
			var r record
			require.NoError(t, json.Unmarshal([]byte(l), &r))
			require.Equal(t, "engine", r.Side)
			require.Equal(t, "folder", r.Input)
			require.Equal(t, threads, strconv.Itoa(r.Threads))
			require.NotEmpty(t, r.Lib)
			require.Greater(t, r.PPS, 0.0)
			recs = append(recs, r)
		}
		require.Equal(t, []string{"pp", "tg", "long"}, []string{recs[0].Case, recs[1].Case, recs[2].Case})
		require.Equal(t, []int{64, 0}, []int{recs[0].PPTokens, recs[0].TGTokens})
		require.Len(t, recs[0].GenIDs, 1, "a prompt-only case samples the one token after the prompt")
		require.Equal(t, []int{8, 20}, []int{recs[1].PPTokens, recs[1].TGTokens})
		require.Greater(t, recs[1].TGS, 0.0)
		require.Len(t, recs[1].GenIDs, 16, "21 tokens made, the first 16 reported")
		require.Equal(t, []int{100, 27}, []int{recs[2].PPTokens, recs[2].TGTokens})
		gens = append(gens, recs[1].GenIDs, recs[2].GenIDs)
	}
	require.Equal(t, gens[0], gens[2], "greedy ids do not depend on the thread count")
	require.Equal(t, gens[1], gens[3])

	// 100 prompt tokens + 29 generated overflow the context of 128.
	err = mainErr([]string{"-model", dir, "-ids", ids, "-case", "over=100:29"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "case over: context full after 28 of 29")
	// Ids outside the model's vocabulary are refused before any run.
	require.NoError(t, os.WriteFile(ids, []byte("1 2 264"), 0o644))
	err = mainErr([]string{"-model", dir, "-ids", ids, "-case", "a=2:0"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "token id 264 is outside the model's vocabulary (264)")
}
