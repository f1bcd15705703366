#!/usr/bin/env bash
# The native engine side by side with llama.cpp on the same GGUF files (issue 19; `make
# bench-engine`). Long: GPT-2 small ~20 min on 2 cores (defaults; ~25 s per engine +
# llama.cpp round), the 1B model several hours; CI does not run it.
#
#   scripts/bench/engine-vs-llamacpp.sh
#
# What it does, on a fresh clone (needs go, node >= 20 and npm; linux x64):
#   1. builds cortd-sidecar and scripts/bench/enginebench into $OUT/bin;
#   2. installs llama.cpp's prebuilt CPU binaries from npm, node-llama-cpp 3.21.1 pinned by
#      scripts/bench/llamacpp/package-lock.json (npm ci, skipped when already installed; no
#      build, no download: NODE_LLAMA_CPP_SKIP_DOWNLOAD=true; the AVX2 / AVX-512 library is
#      chosen at run time by ggml);
#   3. writes each model's random weights with `cortd-sidecar model init` (kept in $OUT):
#        gpt2    GPT-2 small: 12 layers, 768 wide, 12 heads, GPT-2's 50,257-token BPE, f32,
#                with 2,048 positions instead of 1,024 so a 1,024-token prompt can be followed
#                by 128 generated tokens;
#        llama1b Llama 3.2 1B-shaped: 16 layers, 2048 wide, 32 heads, 8 KV heads, MLP 8192,
#                Llama 3 rope scaling, tied embeddings, bf16 (the family's small vocabulary:
#                no published 128k vocabulary can be downloaded, so the output head is small);
#   4. converts each to GGUF in every format of $FORMATS (`cortd-sidecar model quantize`);
#   5. writes 1,024 token ids (the tokenizer's BOS, if any, then seeded random ordinary ids)
#      that both sides get as ids, not text;
#   6. for each model x threads x format runs $ROUNDS interleaved rounds A B A B ... (A = the
#      engine, B = llama.cpp); each run loads the model once and measures every case:
#        pp512       prompt processing of 512 tokens (one batch), tokens/s
#        pp1024      prompt processing of 1,024 tokens
#        tg128       generation of 128 tokens (greedy) after a 16-token prompt, tokens/s
#        tg128@1024  generation of 128 tokens after a 1,024-token prompt
#   7. prints a markdown table (medians, ratio engine / llama.cpp, whether the first greedy
#      ids agree, peak RSS) with the CPU model, its instruction sets, the path each side
#      chose and the load average before and after (and its range over the runs).
#
# The engine reads the .gguf file when native.Load accepts it, else the model folder (then
# every format row compares the engine's folder weights with llama.cpp's file in that
# format); the "engine input" column says which.
#
# Knobs (environment):
#   ROUNDS=4                 rounds per side
#   THREADS=1,2              thread counts (GOMAXPROCS for the engine, n_threads for llama.cpp)
#   FORMATS=f32,f16,q8_0,q4_0,q4_k_m
#   CASES=pp512,pp1024,tg128,tg128@1024   (or NAME=P:N for P prompt tokens, N generated)
#   MODELS=gpt2              gpt2, llama1b or both (gpt2,llama1b)
#   OUT=/tmp/cortd-bench-engine   work folder: binaries, models, GGUF files, results
#   ENGINE_INPUT=auto        auto | gguf | folder
#   ISA=native               native: each side's fastest path; avx2: both sides held to AVX2 on a
#                            machine with AVX-512 (the engine with -kernels avx2, llama.cpp from a
#                            copy of its binaries without the AVX-512 and AVX-VNNI CPU libraries,
#                            so ggml loads its haswell one: AVX2, FMA, F16C), to give AVX2-machine
#                            figures side by side; the table's paths line says what each side ran
#   QUANTIZE="$OUT/bin/cortd-sidecar model quantize"   converter, called as QUANTIZE --type FMT DIR OUT.gguf
#
# Raw results (one JSON line per run and case) go to $OUT/results-<time>.jsonl and the
# table to $OUT/table-<time>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

ROUNDS=${ROUNDS:-4}
THREADS=${THREADS:-1,2}
FORMATS=${FORMATS:-f32,f16,q8_0,q4_0,q4_k_m}
CASES=${CASES:-pp512,pp1024,tg128,tg128@1024}
MODELS=${MODELS:-gpt2}
OUT=${OUT:-/tmp/cortd-bench-engine}
ENGINE_INPUT=${ENGINE_INPUT:-auto}
ISA=${ISA:-native}
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true

say() { echo "# $(date -u +%H:%M:%S) $*" >&2; }
die() { echo "engine-vs-llamacpp: $*" >&2; exit 1; }

case "$ENGINE_INPUT" in auto | gguf | folder) ;; *) die "ENGINE_INPUT=$ENGINE_INPUT: want auto, gguf or folder" ;; esac
case "$ISA" in native | avx2) ;; *) die "ISA=$ISA: want native or avx2" ;; esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS=$ROUNDS: want a positive integer"
IFS=, read -r -a threads_list <<<"$THREADS"
IFS=, read -r -a formats <<<"$FORMATS"
IFS=, read -r -a models <<<"$MODELS"
IFS=, read -r -a case_names <<<"$CASES"
for t in "${threads_list[@]}"; do [[ "$t" =~ ^[1-9][0-9]*$ ]] || die "THREADS=$THREADS: want positive integers"; done
for f in "${formats[@]}"; do
	case "$f" in f32 | f16 | q8_0 | q4_0 | q4_k_m) ;; *) die "FORMATS: unknown format $f (f32, f16, q8_0, q4_0, q4_k_m)" ;; esac
done
case_args=()
maxp=0
for c in "${case_names[@]}"; do
	case "$c" in
	pp512) spec=pp512=512:0 ;;
	pp1024) spec=pp1024=1024:0 ;;
	tg128) spec=tg128=16:128 ;;
	tg128@1024) spec=tg128@1024=1024:128 ;;
	*=*:*) spec=$c ;;
	*) die "CASES: unknown case $c (pp512, pp1024, tg128, tg128@1024 or NAME=P:N)" ;;
	esac
	[[ "$spec" =~ ^[A-Za-z0-9_@.-]+=([0-9]+):([0-9]+)$ ]] || die "CASES: bad case $spec"
	p=${BASH_REMATCH[1]}
	((p > maxp)) && maxp=$p
	case_args+=(--case "$spec")
done
for m in "${models[@]}"; do
	case "$m" in gpt2 | llama1b) ;; *) die "MODELS: unknown model $m (gpt2, llama1b)" ;; esac
done
command -v go >/dev/null || die "go is needed"
command -v node >/dev/null || die "node (>= 20) and npm are needed"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "llama.cpp's prebuilt package here is linux x64 only"

mkdir -p "$OUT/bin" "$OUT/models"
say "building cortd-sidecar and enginebench into $OUT/bin"
go build -o "$OUT/bin/cortd-sidecar" ./cmd/cortd-sidecar
go build -o "$OUT/bin/enginebench" ./scripts/bench/enginebench
SIDECAR=$OUT/bin/cortd-sidecar
EB=$OUT/bin/enginebench
QUANTIZE=${QUANTIZE:-$SIDECAR model quantize}

LL=$ROOT/scripts/bench/llamacpp
want=$(node -p 'require(process.argv[1]).dependencies["node-llama-cpp"]' "$LL/package.json")
have=$(node -p 'try { require(process.argv[1]).version } catch { "" }' "$LL/node_modules/node-llama-cpp/package.json" 2>/dev/null || true)
if [ "$have" != "$want" ] || [ ! -d "$LL/node_modules/@node-llama-cpp/linux-x64/bins" ]; then
	say "installing node-llama-cpp $want (npm ci; prebuilt linux-x64 CPU binaries only)"
	(cd "$LL" && npm ci --omit=optional --ignore-scripts --no-audit --no-fund >&2)
else
	say "node-llama-cpp $have already installed"
fi
engine_isa=()
if [ "$ISA" = avx2 ]; then
	engine_isa=(-kernels avx2)
	# ggml loads the best CPU library its loader finds: without the AVX-512 and AVX-VNNI
	# ones that is haswell's (AVX2, FMA, F16C).
	rm -rf "$OUT/llamacpp-avx2"
	mkdir -p "$OUT/llamacpp-avx2"
	cp -a "$LL/bench.mjs" "$LL/package.json" "$LL/node_modules" "$OUT/llamacpp-avx2/"
	for v in zen4 skylakex cascadelake cooperlake cannonlake icelake sapphirerapids alderlake; do
		rm -f "$OUT/llamacpp-avx2/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-cpu-$v.so"
	done
	LL=$OUT/llamacpp-avx2
	say "ISA=avx2: engine -kernels avx2; llama.cpp from $LL (AVX-512 and AVX-VNNI libraries removed)"
fi

# model_init NAME DIR writes the random model folder.
model_init() {
	case "$1" in
	gpt2) "$SIDECAR" model init --arch gpt2 --dim 768 --layers 12 --heads 12 --vocab bpe --context 2048 \
		--dtype f32 --seed 1 --out "$2" >/dev/null ;;
	llama1b) "$SIDECAR" model init --arch llama3 --dtype bf16 --dim 2048 --layers 16 --heads 32 --kv-heads 8 \
		--ff 8192 --context 2048 --seed 1 --out "$2" >/dev/null ;;
	esac
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
loads=()
load_before=$(loadavg)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$OUT/results-$stamp.jsonl
table=$OUT/table-$stamp.md
: >"$results"

# tag adds model, format and round to each JSON line.
tag() { sed "s/^{/{\"model\":\"$1\",\"format\":\"$2\",\"round\":$3,/"; }

for m in "${models[@]}"; do
	dir=$OUT/models/$m
	if [ ! -f "$dir/config.json" ]; then
		say "$m: writing the random model into $dir"
		rm -rf "$dir.tmp" && model_init "$m" "$dir.tmp" && mv "$dir.tmp" "$dir"
	fi
	ids=$OUT/models/$m.ids
	[ -s "$ids" ] || "$EB" -model "$dir" -write-ids "$maxp" -seed 1 -out "$ids"
	n=$(wc -w <"$ids")
	((n >= maxp)) || "$EB" -model "$dir" -write-ids "$maxp" -seed 1 -out "$ids"
	declare -A input=()
	for f in "${formats[@]}"; do
		g=$OUT/models/$m-$f.gguf
		if [ ! -s "$g" ]; then
			say "$m: converting to $f GGUF"
			rm -f "$g" # the converter writes through a temporary file and renames it at the end
			$QUANTIZE --type "$f" "$dir" "$g" >&2
		fi
		case "$ENGINE_INPUT" in
		gguf) input[$f]=$g ;;
		folder) input[$f]=$dir ;;
		auto)
			if err=$("$EB" -model "$g" -ids "$ids" -case probe=4:1 2>&1 >/dev/null); then
				input[$f]=$g
			else
				say "$m $f: the engine does not load the .gguf ($(echo "$err" | head -1)); it runs the folder"
				input[$f]=$dir
			fi
			;;
		esac
	done
	say "$m: $(du -sh "$dir" | cut -f1) folder; GGUF sizes: $(cd "$OUT/models" && for f in "${formats[@]}"; do printf '%s %s  ' "$f" "$(du -h "$m-$f.gguf" | cut -f1)"; done)"
	for t in "${threads_list[@]}"; do
		for f in "${formats[@]}"; do
			g=$OUT/models/$m-$f.gguf
			for ((r = 1; r <= ROUNDS; r++)); do
				loads+=("$(cut -d' ' -f1 /proc/loadavg)")
				s0=$SECONDS
				"$EB" -model "${input[$f]}" -threads "$t" "${engine_isa[@]}" -ids "$ids" "${case_args[@]}" | tag "$m" "$f" "$r" >>"$results"
				s1=$SECONDS
				loads+=("$(cut -d' ' -f1 /proc/loadavg)")
				(cd "$LL" && node bench.mjs --model "$g" --threads "$t" --ids "$ids" "${case_args[@]}") | tag "$m" "$f" "$r" >>"$results"
				say "$m threads $t $f round $r/$ROUNDS: engine $((s1 - s0)) s, llama.cpp $((SECONDS - s1)) s, load $(loadavg)"
			done
		done
	done
	unset input
done
load_after=$(loadavg)
lmin=$(printf '%s\n' "${loads[@]}" | sort -g | head -1)
lmax=$(printf '%s\n' "${loads[@]}" | sort -g | tail -1)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
flags=$(grep -m1 '^flags' /proc/cpuinfo)
isa=""
for x in avx2 avx512f avx512bw avx512vl avx512_vnni avx512_bf16 avx_vnni f16c fma; do
	[[ " $flags " == *" $x "* ]] && isa+="$x "
done
level=avx2
[[ " $flags " == *" avx512f "* ]] || level="avx2 only (no avx512f)"
[[ " $flags " == *" avx2 "* ]] || level="no avx2"
{
	echo "engine vs llama.cpp ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); node-llama-cpp $want), $(date -u +%FT%TZ)"
	echo
	echo "cpu: $cpu, $(nproc) cores; $([[ " $flags " == *" avx512f "* ]] && echo "AVX-512" || echo "$level"); flags: $isa"
	echo "load average before: $load_before; after: $load_after; 1-min over the runs: $lmin .. $lmax"
	echo "rounds $ROUNDS per side, interleaved (engine, llama.cpp, ...); medians; tokens/s; results: $results"
	"$EB" -table "$results"
} | tee "$table"
