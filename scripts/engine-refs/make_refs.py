#!/usr/bin/python3
"""Reference outputs for the native engine's model families (issue 18 item 5).

For each family (gpt2, llama, llama3, mistral, qwen2, qwen3, plus a sharded,
a bf16 and an f16 variant) this writes a small random model in the exact
Hugging Face published layout -- config.json, generation_config.json,
tokenizer.json, model.safetensors (or model.safetensors.index.json and
shards), tensor names as transformers saves them -- and computes, with its
own float64 implementation of each family's published forward pass in
PyTorch, independent of the Go code:

  * logits at several positions of a few token-id sequences,
  * the mean negative log-likelihood of each sequence,
  * 16 greedy ids after a prompt (with the smallest top-1/top-2 gap, so a
    near-tie cannot make the comparison flaky),
  * every stored tensor's shape and value sums (checks decoding alone).

They go to sidecar/engine/native/testdata/refs/<name>/refs.json.gz; the
weight and tokenizer files are gzipped too (the Go test unpacks them into a
temporary folder; config.json and the shard index stay plain). Weights in f16/bf16 are rounded once when drawn and the references
are computed from the stored values upcast to float64.

Run by hand (`make engine-refs`), with Debian's torch:
  apt-get install -y python3-torch python3-numpy
  /usr/bin/python3 scripts/engine-refs/make_refs.py [OUTDIR]
"""

import gzip
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "sidecar", "engine", "native", "testdata", "refs")

# Shared small sizes: every family has 2 layers, 4 query heads and (except
# GPT-2) 2 key/value heads; 256 byte tokens plus 8 special ones.
VOCAB = 264
LAYERS = 2
HIDDEN = 32
HEADS = 4
KV_HEADS = 2
FF = 64
CONTEXT = 128
TRANSFORMERS_VERSION = "4.51.0"


# ---------------------------------------------------------------- configs


def specials(family):
    """Special tokens (ids 256..263) named as the family's tokenizer names them."""
    if family == "gpt2":
        names = ["<|endoftext|>"]
    elif family in ("llama", "mistral"):
        names = ["<unk>", "<s>", "</s>"]
    elif family == "llama3":
        names = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    else:  # qwen2, qwen3
        names = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    names += ["<|reserved_special_token_%d|>" % i for i in range(VOCAB - 256 - len(names))]
    return {256 + i: n for i, n in enumerate(names)}


def config_for(family, dtype):
    torch_dtype = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}[dtype]
    sp = {v: k for k, v in specials(family).items()}
    if family == "gpt2":
        return {
            "activation_function": "gelu_new",
            "architectures": ["GPT2LMHeadModel"],
            "attn_pdrop": 0.1,
            "bos_token_id": sp["<|endoftext|>"],
            "embd_pdrop": 0.1,
            "eos_token_id": sp["<|endoftext|>"],
            "initializer_range": 0.02,
            "layer_norm_epsilon": 1e-05,
            "model_type": "gpt2",
            "n_ctx": CONTEXT,
            "n_embd": HIDDEN,
            "n_head": HEADS,
            "n_inner": None,
            "n_layer": LAYERS,
            "n_positions": CONTEXT,
            "reorder_and_upcast_attn": False,
            "resid_pdrop": 0.1,
            "scale_attn_by_inverse_layer_idx": False,
            "scale_attn_weights": True,
            "summary_activation": None,
            "summary_first_dropout": 0.1,
            "summary_proj_to_labels": True,
            "summary_type": "cls_index",
            "summary_use_proj": True,
            "torch_dtype": torch_dtype,
            "transformers_version": TRANSFORMERS_VERSION,
            "use_cache": True,
            "vocab_size": VOCAB,
        }
    if family in ("llama", "llama3"):
        c = {
            "architectures": ["LlamaForCausalLM"],
            "attention_bias": False,
            "attention_dropout": 0.0,
            "bos_token_id": sp["<s>"] if family == "llama" else sp["<|begin_of_text|>"],
            "eos_token_id": sp["</s>"] if family == "llama" else sp["<|end_of_text|>"],
            "head_dim": HIDDEN // HEADS,
            "hidden_act": "silu",
            "hidden_size": HIDDEN,
            "initializer_range": 0.02,
            "intermediate_size": FF,
            "max_position_embeddings": CONTEXT,
            "mlp_bias": False,
            "model_type": "llama",
            "num_attention_heads": HEADS,
            "num_hidden_layers": LAYERS,
            "num_key_value_heads": KV_HEADS,
            "pretraining_tp": 1,
            "rms_norm_eps": 1e-05,
            "rope_scaling": None,
            "rope_theta": 10000.0,
            "tie_word_embeddings": False,
            "torch_dtype": torch_dtype,
            "transformers_version": TRANSFORMERS_VERSION,
            "use_cache": True,
            "vocab_size": VOCAB,
        }
        if family == "llama3":
            # Llama 3.2 1B's settings, with the original context shrunk so
            # that the short test sequences see all three frequency bands
            # (unchanged, smoothed, divided by the factor).
            c["rope_theta"] = 500000.0
            c["rope_scaling"] = {
                "factor": 32.0,
                "high_freq_factor": 4.0,
                "low_freq_factor": 1.0,
                "original_max_position_embeddings": 64,
                "rope_type": "llama3",
            }
            c["tie_word_embeddings"] = True
        return c
    if family == "mistral":
        return {
            "architectures": ["MistralForCausalLM"],
            "attention_dropout": 0.0,
            "bos_token_id": sp["<s>"],
            "eos_token_id": sp["</s>"],
            "head_dim": HIDDEN // HEADS,
            "hidden_act": "silu",
            "hidden_size": HIDDEN,
            "initializer_range": 0.02,
            "intermediate_size": FF,
            "max_position_embeddings": CONTEXT,
            "model_type": "mistral",
            "num_attention_heads": HEADS,
            "num_hidden_layers": LAYERS,
            "num_key_value_heads": KV_HEADS,
            "rms_norm_eps": 1e-05,
            "rope_theta": 1000000.0,
            "sliding_window": None,
            "tie_word_embeddings": False,
            "torch_dtype": torch_dtype,
            "transformers_version": TRANSFORMERS_VERSION,
            "use_cache": True,
            "vocab_size": VOCAB,
        }
    if family == "qwen2":
        return {
            "architectures": ["Qwen2ForCausalLM"],
            "attention_dropout": 0.0,
            "bos_token_id": sp["<|endoftext|>"],
            "eos_token_id": sp["<|endoftext|>"],
            "hidden_act": "silu",
            "hidden_size": HIDDEN,
            "initializer_range": 0.02,
            "intermediate_size": FF,
            "max_position_embeddings": CONTEXT,
            "max_window_layers": LAYERS,
            "model_type": "qwen2",
            "num_attention_heads": HEADS,
            "num_hidden_layers": LAYERS,
            "num_key_value_heads": KV_HEADS,
            "rms_norm_eps": 1e-06,
            "rope_scaling": None,
            "rope_theta": 1000000.0,
            "sliding_window": CONTEXT,
            "tie_word_embeddings": True,
            "torch_dtype": torch_dtype,
            "transformers_version": TRANSFORMERS_VERSION,
            "use_cache": True,
            "use_mrope": False,
            "use_sliding_window": False,
            "vocab_size": VOCAB,
        }
    if family == "qwen3":
        # Qwen3 0.6B's shape in small: head_dim is explicit and
        # heads*head_dim (64) differs from hidden_size (32).
        return {
            "architectures": ["Qwen3ForCausalLM"],
            "attention_bias": False,
            "attention_dropout": 0.0,
            "bos_token_id": sp["<|endoftext|>"],
            "eos_token_id": sp["<|im_end|>"],
            "head_dim": 16,
            "hidden_act": "silu",
            "hidden_size": HIDDEN,
            "initializer_range": 0.02,
            "intermediate_size": FF,
            "max_position_embeddings": CONTEXT,
            "max_window_layers": LAYERS,
            "model_type": "qwen3",
            "num_attention_heads": HEADS,
            "num_hidden_layers": LAYERS,
            "num_key_value_heads": KV_HEADS,
            "rms_norm_eps": 1e-06,
            "rope_scaling": None,
            "rope_theta": 1000000,
            "sliding_window": None,
            "tie_word_embeddings": True,
            "torch_dtype": torch_dtype,
            "transformers_version": TRANSFORMERS_VERSION,
            "use_cache": True,
            "use_sliding_window": False,
            "vocab_size": VOCAB,
        }
    raise ValueError(family)


def generation_config(cfg):
    g = {"_from_model_config": True, "bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"],
         "transformers_version": TRANSFORMERS_VERSION}
    return g


# ---------------------------------------------------------------- tokenizer


def bytes_to_unicode():
    """GPT-2's byte -> printable-character table (byte-level BPE symbols)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def tokenizer_json(family):
    """A byte-level BPE tokenizer.json: id b is byte b, 256.. the specials.
    The references work on token ids, so the tokenizer only has to cover the
    vocabulary (the engine samples only ids the tokenizer can decode)."""
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    added = []
    for i, name in sorted(specials(family).items()):
        vocab[name] = i
        added.append({"id": i, "content": name, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True})
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


# ---------------------------------------------------------------- weights


def round_bf16(a):
    """float32 -> nearest bfloat16 (ties to even), returned as float32."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


def store(a, dtype):
    """The values the file will hold (as float32) for a float32 draw."""
    a = a.astype(np.float32)
    if dtype == "F32":
        # Multiples of 1/64: the weights are still arbitrary to the maths
        # (activations after the first norm are not), but the files gzip
        # to a fifth of their size.
        return (np.round(a * 64.0) / 64.0).astype(np.float32)
    if dtype == "BF16":
        return round_bf16(a)
    if dtype == "F16":
        return a.astype(np.float16).astype(np.float32)
    raise ValueError(dtype)


def make_weights(family, cfg, dtype, seed):
    """name -> float32 array of stored values, in transformers' names."""
    rng = np.random.default_rng(seed)
    W = {}

    def normal(shape, std):
        W_ = rng.standard_normal(size=shape) * std
        return store(W_, dtype)

    def lin(name, out, inp, bias=False):
        W[name + ".weight"] = normal((out, inp), 1 / math.sqrt(inp))
        if bias:
            W[name + ".bias"] = normal((out,), 0.2)

    def norm(name, n, bias=False):
        W[name + ".weight"] = store(1 + rng.standard_normal(size=(n,)) * 0.2, dtype)
        if bias:
            W[name + ".bias"] = normal((n,), 0.1)

    D, V = HIDDEN, VOCAB
    if family == "gpt2":
        W["transformer.wte.weight"] = normal((V, D), 0.3)
        W["transformer.wpe.weight"] = normal((CONTEXT, D), 0.2)
        for i in range(LAYERS):
            p = "transformer.h.%d." % i
            norm(p + "ln_1", D, True)
            # Conv1D: weight is in x out.
            W[p + "attn.c_attn.weight"] = normal((D, 3 * D), 1 / math.sqrt(D))
            W[p + "attn.c_attn.bias"] = normal((3 * D,), 0.2)
            W[p + "attn.c_proj.weight"] = normal((D, D), 1 / math.sqrt(D))
            W[p + "attn.c_proj.bias"] = normal((D,), 0.1)
            norm(p + "ln_2", D, True)
            # n_inner is null in GPT-2's config: the MLP is 4 * n_embd wide.
            W[p + "mlp.c_fc.weight"] = normal((D, 4 * D), 1 / math.sqrt(D))
            W[p + "mlp.c_fc.bias"] = normal((4 * D,), 0.2)
            W[p + "mlp.c_proj.weight"] = normal((4 * D, D), 1 / math.sqrt(4 * D))
            W[p + "mlp.c_proj.bias"] = normal((D,), 0.1)
        norm("transformer.ln_f", D, True)
        return W
    hd = cfg.get("head_dim") or D // HEADS
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    bias = family == "qwen2"
    W["model.embed_tokens.weight"] = normal((V, D), 0.3)
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        norm(p + "input_layernorm", D)
        lin(p + "self_attn.q_proj", H * hd, D, bias)
        lin(p + "self_attn.k_proj", KV * hd, D, bias)
        lin(p + "self_attn.v_proj", KV * hd, D, bias)
        lin(p + "self_attn.o_proj", D, H * hd)
        if family == "qwen3":
            norm(p + "self_attn.q_norm", hd)
            norm(p + "self_attn.k_norm", hd)
        norm(p + "post_attention_layernorm", D)
        lin(p + "mlp.gate_proj", FF, D)
        lin(p + "mlp.up_proj", FF, D)
        lin(p + "mlp.down_proj", D, FF)
    norm("model.norm", D)
    if not cfg["tie_word_embeddings"]:
        # save_pretrained drops lm_head.weight when it is tied.
        W["lm_head.weight"] = normal((V, D), 1 / math.sqrt(D))
    return W


# ---------------------------------------------------------------- safetensors


def safetensors_bytes(tensors, dtype):
    """The safetensors file for tensors (name -> float32 stored values):
    u64 little-endian header length, JSON header padded with spaces to a
    multiple of 8, then the data, tensors in name order as safetensors
    writes them (all share one dtype, so alignment ordering is moot)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    off = 0
    for name in sorted(tensors):
        a = tensors[name]
        if dtype == "F32":
            raw = a.astype("<f4").tobytes()
        elif dtype == "BF16":
            raw = (a.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            raw = a.astype("<f2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs), off


def write_gz(path, data):
    # mtime 0 and no file name: rerunning the script gives the same bytes.
    with open(path + ".gz", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(data)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- forward


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = (x - mu).pow(2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))


def inv_freqs(cfg, hd, ablate):
    """transformers' rope init: default inv_freq, then
    _compute_llama3_parameters when rope_scaling.rope_type is llama3."""
    base = float(cfg["rope_theta"])
    inv = 1.0 / (base ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3" and "rope_scaling" not in ablate:
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wl, high_wl = old / lo, old / hi
        wl = 2 * math.pi / inv
        scaled = torch.where(wl > low_wl, inv / factor, inv)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wl < high_wl) * ~(wl > low_wl)
        inv = torch.where(medium, smoothed, scaled)
    elif rs and "rope_scaling" not in ablate:
        raise ValueError("rope_scaling %r not implemented" % rs)
    return inv


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def causal_attention(q, k, v):
    """q: H x T x hd, k/v: H x T x hd (already repeated for GQA)."""
    T, hd = q.shape[1], q.shape[2]
    s = q @ k.transpose(1, 2) / math.sqrt(hd)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    s = s.masked_fill(mask, float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def forward(family, cfg, W, ids, ablate=()):
    """Logits (T x V, float64) of the family's published forward pass."""
    ids = torch.tensor(ids, dtype=torch.long)
    T = len(ids)
    D = cfg.get("hidden_size") or cfg["n_embd"]
    if family == "gpt2":
        H = cfg["n_head"]
        hd = D // H
        eps = cfg["layer_norm_epsilon"]
        x = W["transformer.wte.weight"][ids] + W["transformer.wpe.weight"][:T]
        for i in range(cfg["n_layer"]):
            p = "transformer.h.%d." % i
            h = layer_norm(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
            qkv = h @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
            q, k, v = qkv.split(D, dim=-1)
            q, k, v = (t.view(T, H, hd).transpose(0, 1) for t in (q, k, v))
            a = causal_attention(q, k, v).transpose(0, 1).reshape(T, D)
            x = x + a @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
            h = layer_norm(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
            f = gelu_new(h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"])
            x = x + f @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
        x = layer_norm(x, W["transformer.ln_f.weight"], W["transformer.ln_f.bias"], eps)
        return x @ W["transformer.wte.weight"].T
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or D // H
    eps = cfg["rms_norm_eps"]
    inv = inv_freqs(cfg, hd, ablate)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = emb.cos(), emb.sin()  # T x hd

    def bias(name):
        b = W.get(name)
        return 0 if b is None or "bias" in ablate else b

    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = h @ W[p + "self_attn.q_proj.weight"].T + bias(p + "self_attn.q_proj.bias")
        k = h @ W[p + "self_attn.k_proj.weight"].T + bias(p + "self_attn.k_proj.bias")
        v = h @ W[p + "self_attn.v_proj.weight"].T + bias(p + "self_attn.v_proj.bias")
        q = q.view(T, H, hd).transpose(0, 1)
        k = k.view(T, KV, hd).transpose(0, 1)
        v = v.view(T, KV, hd).transpose(0, 1)
        if family == "qwen3" and "qk_norm" not in ablate:
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = H // KV  # repeat_kv: query head j uses kv head j // rep
        k = k.repeat_interleave(rep, dim=0)
        v = v.repeat_interleave(rep, dim=0)
        a = causal_attention(q, k, v).transpose(0, 1).reshape(T, H * hd)
        x = x + a @ W[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        u = h @ W[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ head.T


def mean_nll(logits, ids):
    lp = torch.log_softmax(logits[:-1], dim=-1)
    t = torch.tensor(ids[1:], dtype=torch.long)
    return float(-lp[torch.arange(len(t)), t].mean())


def greedy(family, cfg, W, prompt, steps):
    """Greedy ids after prompt (each step recomputes the whole sequence)
    and the smallest gap between the best and second-best logit."""
    seq = list(prompt)
    gap = float("inf")
    for _ in range(steps):
        lg = forward(family, cfg, W, seq)[-1]
        top = torch.topk(lg, 2).values
        gap = min(gap, float(top[0] - top[1]))
        seq.append(int(torch.argmax(lg)))
    return seq[len(prompt):], gap


# ---------------------------------------------------------------- models

# name, family, stored dtype, shards, seed, features the test must depend on
MODELS = [
    ("gpt2", "gpt2", "F32", 1, 101, []),
    ("llama", "llama", "F32", 1, 102, []),
    ("llama3", "llama3", "F32", 1, 103, ["rope_scaling"]),
    ("mistral", "mistral", "F32", 1, 104, []),
    ("qwen2", "qwen2", "F32", 1, 105, ["bias"]),
    ("qwen3", "qwen3", "F32", 1, 106, ["qk_norm"]),
    ("qwen3-sharded", "qwen3", "F32", 2, 107, ["qk_norm"]),
    ("llama3-bf16", "llama3", "BF16", 1, 108, ["rope_scaling"]),
    ("mistral-f16", "mistral", "F16", 1, 109, []),
]

LOGIT_TOL = 5e-5
GREEDY_STEPS = 16
MIN_GAP = 5e-3  # top-1/top-2 logit gap every greedy step must keep


def build(name, family, dtype, shards, seed, features, out):
    d = os.path.join(out, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    cfg = config_for(family, dtype)
    Wnp = make_weights(family, cfg, dtype, seed)
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "generation_config.json"), generation_config(cfg))
    write_gz(os.path.join(d, "tokenizer.json"), json.dumps(tokenizer_json(family), ensure_ascii=False).encode())
    names = sorted(Wnp)
    if shards == 1:
        data, _ = safetensors_bytes(Wnp, dtype)
        write_gz(os.path.join(d, "model.safetensors"), data)
    else:
        # transformers splits in name order by size; two halves here.
        parts = [names[: len(names) // 2], names[len(names) // 2:]]
        weight_map, total = {}, 0
        for i, part in enumerate(parts):
            fn = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
            data, size = safetensors_bytes({n: Wnp[n] for n in part}, dtype)
            total += size
            write_gz(os.path.join(d, fn), data)
            for n in part:
                weight_map[n] = fn
        write_json(os.path.join(d, "model.safetensors.index.json"),
                   {"metadata": {"total_size": total}, "weight_map": weight_map})

    W = {k: torch.from_numpy(v.astype(np.float64)) for k, v in Wnp.items()}
    rng = np.random.default_rng(seed + 1000)
    seqs = [rng.integers(0, VOCAB, size=n).tolist() for n in (9, 33, 70)]
    refs = {"model": name, "family": family, "dtype": dtype, "vocab_size": VOCAB,
            "sequences": [], "greedy": None,
            "note": "generated by scripts/engine-refs/make_refs.py; float64 PyTorch forward from the stored weights",
            # Every stored tensor's shape and the float64 sum of its values
            # and of their magnitudes: the loader's decoding checked on its own.
            "tensors": {n: {"shape": list(a.shape), "sum": float(a.astype(np.float64).sum()),
                            "sum_abs": float(np.abs(a.astype(np.float64)).sum())} for n, a in Wnp.items()}}
    for ids in seqs:
        lg = forward(family, cfg, W, ids)
        for feat in features:
            # The family's own feature must matter far beyond the tolerance,
            # so an engine that ignores it cannot pass.
            diff = float((forward(family, cfg, W, ids, ablate=(feat,)) - lg).abs().max())
            assert diff > 100 * LOGIT_TOL, (name, feat, diff)
        positions = sorted({0, len(ids) // 2, len(ids) - 1})
        refs["sequences"].append({
            "ids": ids,
            "nll": mean_nll(lg, ids),
            "logits": [{"pos": p, "values": [round(float(v), 7) for v in lg[p]]} for p in positions],
        })
    # The first prompt whose greedy path has no near-tie.
    for attempt in range(50):
        prompt = rng.integers(0, VOCAB, size=8).tolist()
        ids, gap = greedy(family, cfg, W, prompt, GREEDY_STEPS)
        if gap >= MIN_GAP:
            refs["greedy"] = {"prompt": prompt, "ids": ids, "min_gap": gap}
            break
    assert refs["greedy"], name
    write_gz(os.path.join(d, "refs.json"), json.dumps(refs, sort_keys=True).encode())
    print("%-14s %-8s %-4s shards=%d nll=%s gap=%.4f" % (
        name, family, dtype, shards, ",".join("%.4f" % s["nll"] for s in refs["sequences"]), refs["greedy"]["min_gap"]))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(out, exist_ok=True)
    for m in MODELS:
        build(*m, out)


if __name__ == "__main__":
    main()
