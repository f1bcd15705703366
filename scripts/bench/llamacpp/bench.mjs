// llama.cpp's side of scripts/bench/engine-vs-llamacpp.sh: prompt processing and greedy
// generation on a GGUF file through node-llama-cpp's prebuilt CPU binaries (no GPU, no
// build, no download), fed token ids (the same ids the engine gets), not text.
//
//   node bench.mjs --model M.gguf --threads T --ids IDS_FILE --case NAME=P:N [--case ...]
//
// IDS_FILE holds whitespace-separated token ids; a case NAME=P:N evaluates the first P ids
// as one batch (batch size >= P, so one llama_decode; logits of the last position only) with
// the next token sampled greedily (timed as prompt processing), then generates N tokens one
// at a time at temperature 0 (timed as generation). Every case starts from an empty
// sequence; an untimed warm-up (a short prompt and a few tokens) runs first. Prints one JSON
// line per case:
//   {"side":"llama.cpp","case":NAME,"pp_tokens":P,"pp_s":..,"tg_tokens":N,"tg_s":..,
//    "threads":T,"lib":"avx512|avx2|generic","lib_variant":"zen4",...}
// lib says which instruction set the CPU backend llama.cpp loaded was built for (from
// llama_print_system_info of the loaded backend); lib_variant names the library file
// (libggml-cpu-<variant>.so, from ggml's "loaded CPU backend from" log line).
import fs from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

function usage(msg) {
    process.stderr.write(`bench.mjs: ${msg}\nusage: node bench.mjs --model M.gguf --threads T --ids FILE --case NAME=P:N [--case ...]\n`);
    process.exit(2);
}

const args = {cases: []};
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    const v = process.argv[i + 1];
    if (v === undefined) usage(`${a} needs a value`);
    i++;
    switch (a) {
        case "--model": args.model = v; break;
        case "--threads": args.threads = Number(v); break;
        case "--ids": args.ids = v; break;
        case "--case": {
            const m = /^([A-Za-z0-9_@.-]+)=(\d+):(\d+)$/.exec(v);
            if (!m) usage(`bad --case ${JSON.stringify(v)} (want NAME=P:N)`);
            args.cases.push({name: m[1], p: Number(m[2]), n: Number(m[3])});
            break;
        }
        default: usage(`unknown flag ${a}`);
    }
}
if (!args.model) usage("--model is required");
if (!Number.isInteger(args.threads) || args.threads < 1) usage("--threads must be a positive integer");
if (!args.ids) usage("--ids is required");
if (args.cases.length === 0) usage("at least one --case is required");

const ids = fs.readFileSync(args.ids, "utf8").split(/\s+/).filter(s => s !== "").map(Number);
if (ids.some(x => !Number.isInteger(x) || x < 0)) usage(`${args.ids}: not a list of token ids`);
for (const c of args.cases) {
    if (c.p < 1 || c.p > ids.length) usage(`case ${c.name}: prompt of ${c.p} tokens, ${args.ids} has ${ids.length}`);
}

let variant = "";
const llama = await getLlama({
    gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, progressLogs: false,
    maxThreads: args.threads,
    logLevel: LlamaLogLevel.debug, // ggml's "loaded CPU backend" line comes at level "log"
    logger: (level, message) => {
        const m = /loaded CPU backend from .*libggml-cpu-([A-Za-z0-9_]+)\.so/.exec(message);
        if (m) variant = m[1];
        else if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) process.stderr.write(message);
    },
});
const sys = llama.systemInfo;
const lib = /AVX512 = 1/.test(sys) ? "avx512" : /AVX2 = 1/.test(sys) ? "avx2" : "generic";

let t0 = process.hrtime.bigint();
const model = await llama.loadModel({modelPath: args.model, gpuLayers: 0});
const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
// An id outside the vocabulary makes llama_decode fail, which controlledEvaluate reports.
const maxP = Math.max(32, ...args.cases.map(c => c.p));
const maxCtx = Math.max(...args.cases.map(c => c.p + c.n)) + 8;
const context = await model.createContext({
    contextSize: maxCtx, batchSize: maxP, sequences: 1,
    threads: {ideal: args.threads, min: args.threads},
});
const seq = context.getSequence();
// run evaluates prompt and generates n tokens; returns the timings and the generated ids.
// It uses the sequence's evaluate generator, which keeps one sampler for the whole run
// (controlledEvaluate builds a sampler per call, ~3 ms, which would be charged to every
// generated token). Temperature 0 is greedy; yieldEogToken keeps it going past EOS.
async function run(prompt, n) {
    await seq.clearHistory();
    const it = seq.evaluate(prompt, {temperature: 0, yieldEogToken: true});
    let t = process.hrtime.bigint();
    let r = await it.next();
    const ppNs = process.hrtime.bigint() - t;
    if (r.done) throw new Error("no token sampled after the prompt");
    const gen = [r.value];
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
        r = await it.next();
        if (r.done) throw new Error(`generation stopped after ${i} of ${n} tokens`);
        gen.push(r.value);
    }
    const tgNs = process.hrtime.bigint() - t;
    await it.return();
    return {pp_s: Number(ppNs) / 1e9, tg_s: Number(tgNs) / 1e9, gen};
}

await run(ids.slice(0, Math.min(32, ids.length)), 4); // warm-up: page in the weights, size the buffers

for (const c of args.cases) {
    const r = await run(ids.slice(0, c.p), c.n);
    process.stdout.write(JSON.stringify({
        side: "llama.cpp", case: c.name,
        pp_tokens: c.p, pp_s: r.pp_s, tg_tokens: c.n, tg_s: r.tg_s,
        threads: args.threads, ctx_threads: context.currentThreads,
        lib, lib_variant: variant, llama_cpp: llama.llamaCppRelease.release,
        load_s: loadS, flash_attention: context.flashAttention, batch_size: context.batchSize, context_size: context.contextSize,
        max_rss_mib: process.resourceUsage().maxRSS / 1024, // node's own ~50 MiB included
        gen_ids: r.gen.slice(0, 16),
    }) + "\n");
}

await context.dispose();
await model.dispose();
await llama.dispose();
