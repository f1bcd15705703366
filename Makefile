# cortd build, test and local network targets. Everything here works on a fresh Debian
# machine with only Go installed: tools are built from pinned versions into .bin/.

GO        ?= go
BUILD_DIR ?= build
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/cosmos/cosmos-sdk/version.Name=cortd \
             -X github.com/cosmos/cosmos-sdk/version.AppName=cortd \
             -X github.com/cosmos/cosmos-sdk/version.Version=$(VERSION) \
             -X github.com/cosmos/cosmos-sdk/version.Commit=$(shell git rev-parse HEAD 2>/dev/null)

.PHONY: all build build-cortd build-sidecar install test test-deps test-short bench fuzz e2e lint vet fmt-check proto-gen proto-check localnet localnet-stop demo bench-router bench-dashboard bench-engine bench-verify engine-refs chat-refs clean

all: build

build: build-cortd build-sidecar

build-cortd:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BUILD_DIR)/cortd ./cmd/cortd

build-sidecar:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BUILD_DIR)/cortd-sidecar ./cmd/cortd-sidecar

install:
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/cortd ./cmd/cortd-sidecar

# The test command of the README and of CI: every package, race-free, with a generous
# timeout for the in-process multi-validator network tests on 2 cores. The evaluator's
# sandbox tests need bubblewrap, which test-deps installs (apt-get) when it is missing.
test: test-deps
	$(GO) test -count=1 -timeout 30m ./...

test-deps:
	bash scripts/install-bwrap.sh

test-short:
	$(GO) test -short ./...

# All benchmarks, once each (figures recorded in docs/performance.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1s ./...

# Brief runs of every fuzz target (CI runs this).
fuzz:
	bash scripts/fuzz.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$' | grep -v '\.pb\.gw\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

proto-gen:
	bash scripts/protocgen.sh

# Regenerating must leave the tree unchanged: generated code is committed.
proto-check: proto-gen
	@git diff --exit-code -- '*.pb.go' '*.pb.gw.go' '*.pulsar.go' || { echo "generated protobuf code is stale: run make proto-gen and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- '*.pb.go' '*.pb.gw.go' '*.pulsar.go')" || { echo "untracked generated files:"; git status --porcelain -- '*.pb.go' '*.pb.gw.go' '*.pulsar.go'; exit 1; }

# The v2 software upgrade end to end: 4 validators under cosmovisor go from v1 (V1_REF, built
# from a git worktree) to this tree through a gov proposal (scripts/e2e/upgrade.sh; needs git
# history, jq and curl; builds cosmovisor into .bin the first time).
.PHONY: e2e-upgrade
e2e-upgrade:
	bash scripts/ci-deps.sh
	bash scripts/e2e/upgrade.sh

# End-to-end runs on real binaries (they need jq and curl, scripts/ci-deps.sh; the dashboard one Chromium).
e2e:
	bash scripts/e2e/localnet-keys.sh
	bash scripts/e2e/models-export.sh
	bash scripts/ci-deps.sh
	bash scripts/e2e/sessions.sh
	bash scripts/e2e/real-models.sh
	bash scripts/e2e/data.sh
	bash scripts/e2e/challenges.sh
	bash scripts/install-chromium.sh
	bash scripts/e2e/dashboard.sh
	bash scripts/e2e/statesync.sh
	bash scripts/e2e/devnet-faults.sh
	bash scripts/e2e/upgrade.sh

localnet:
	bash scripts/localnet.sh

localnet-stop:
	bash scripts/localnet.sh stop

# 4 validators on one machine (ports from DEVNET_BASE_PORT, default 29000), each with a miner
# and an auditor sidecar, plus the router and the dashboard (scripts/devnet.sh: start, stop,
# status, kill NAME, restart NAME; knobs in its header). Needs curl and jq.
.PHONY: devnet devnet-stop devnet-status
devnet:
	bash scripts/devnet.sh start

devnet-stop:
	bash scripts/devnet.sh stop

devnet-status:
	bash scripts/devnet.sh status

# The main job: the local network (chain, two models, three miners, the router), then one
# chat completion through the router with its answer and on-chain record. Needs curl.
demo:
	bash scripts/localnet.sh demo

# Every marked walk-through of README.md and x/*/README.md, verbatim, on the network make demo
# left running (scripts/e2e/walkthroughs.sh; --list shows them). CI runs it after make demo.
.PHONY: walkthroughs
walkthroughs:
	bash scripts/e2e/walkthroughs.sh

# Router throughput and latency (seconds and blocks) at 1, 10 and 50 concurrent clients on
# a network of its own (ports from 25600); figures in docs/performance.md.
bench-router:
	bash scripts/bench/router.sh

# App simulation (issue 21): the SDK's simulator runs the app from a randomized genesis with
# weighted operations for every message of our modules (sessions -> tasks -> precommits ->
# commits, data -> audits -> votes, challenges -> commits -> reveals -> scores) and checks
# every invariant of our modules every SIM_PERIOD blocks and at the end (app/sim_test.go);
# then the same seed twice must give the same app hash. `make sim` is CI's short run (about
# 3 minutes on 2 cores with the build, ~2 GB); `make sim-long` is the long one
# (SIM_LONG_BLOCKS blocks per seed in SIM_LONG_SEEDS, on goleveldb: the in-memory store of
# the short run keeps every version and passed 7 GB within a 2,000-block run; ~6 minutes
# and ~4 GB per seed). Both print blocks/s and what every operation did (figures: docs/performance.md).
SIM_SEED        ?= 1
SIM_BLOCKS      ?= 300
SIM_BLOCK_SIZE  ?= 100
SIM_PERIOD      ?= 5
SIM_LONG_BLOCKS ?= 1000
SIM_LONG_SEEDS  ?= 1 2 4 6
SIM_FLAGS        = -Enabled -Period=$(SIM_PERIOD) -BlockSize=$(SIM_BLOCK_SIZE) -Commit=true
.PHONY: sim sim-long
sim:
	$(GO) test ./app -count=1 -timeout 30m -run 'TestAppSimulation$$' -v $(SIM_FLAGS) -Seed=$(SIM_SEED) -NumBlocks=$(SIM_BLOCKS)
	$(GO) test ./app -count=1 -timeout 30m -run 'TestAppSimulationDeterminism$$' -v $(SIM_FLAGS) -Seed=$(SIM_SEED) -NumBlocks=100

sim-long:
	set -e; for seed in $(SIM_LONG_SEEDS); do \
		$(GO) test ./app -count=1 -timeout 6h -run 'TestAppSimulation$$' -v $(SIM_FLAGS) -Seed=$$seed -NumBlocks=$(SIM_LONG_BLOCKS) -DBBackend=goleveldb; \
	done

# Chain throughput (issue 20) on networks of its own (ports from 28400): offline-signed bank
# sends and session submissions (flat out or at RATES, 1 and 10 messages per tx), then requests
# through the router counted in txs per validated task; knobs in scripts/bench/chain.sh.
.PHONY: bench-chain
bench-chain:
	bash scripts/bench/chain.sh

# The native engine side by side with llama.cpp (node-llama-cpp 3.21.1's prebuilt CPU
# binaries from npm) on the same GGUF files in f32, f16, q8_0, q4_0 and q4_k_m: prompt
# processing and generation, 1 and 2 threads, interleaved rounds, medians, ratios and the
# load average. Long (GPT-2 small ~20 min on 2 cores, the 1B model hours); needs node and npm. Knobs:
# ROUNDS, THREADS, FORMATS, CASES, MODELS (gpt2,llama1b), OUT (scripts/bench/engine-vs-llamacpp.sh).
bench-engine:
	bash scripts/bench/engine-vs-llamacpp.sh

# Verification (issue 24): honest-reject and catch rates per attack class in both verification
# modes, the chain's judges and the auditor's replay in one process, and what a replay costs;
# ~3 min on 2 cores. Knobs: TASKS, MAX_TOKENS, MODELS, MODEL, OUT, BIG (scripts/bench/verify.sh).
bench-verify:
	bash scripts/bench/verify.sh

# Dashboard page cost with 10,000 nodes and 100,000 tasks (fake paged backend).
bench-dashboard:
	$(GO) test -run '^$$' -bench . -benchmem ./sidecar/dashboard

# Regenerates the engine's per-family reference models and outputs (testdata of
# sidecar/engine/native) with an independent PyTorch forward pass; run by hand, needs
# Debian's python3-torch and python3-numpy (scripts/engine-refs/README.md).
engine-refs:
	/usr/bin/python3 scripts/engine-refs/make_refs.py

# Rendered chat-template references for sidecar/engine/chattemplate (run by hand;
# needs node, npm and go): the published Llama 3, 3.1, 3.2 and Qwen3 templates rendered
# with @huggingface/jinja.
chat-refs:
	cd scripts/chat-refs && npm ci --no-audit --no-fund && node make_refs.mjs

clean:
	rm -rf $(BUILD_DIR) .proto-out

# Reference token ids + gzipped published tokenizer files for
# sidecar/engine/tokenizer tests (needs node and npm; run by hand, not in CI).
tokenizer-refs:
	cd scripts/tokenizer-refs && npm ci --no-audit --no-fund && node make_refs.mjs
.PHONY: tokenizer-refs
