# SearchLab — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Golden comparisons assume one BLAS thread (OpenBLAS sums in a thread-dependent order).
export OPENBLAS_NUM_THREADS ?= 1
BIN := .build/debug/searchlab

.PHONY: all bootstrap build test demo bench clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

## test: everything CI runs — Swift tests, then the Python reference checks.
test: build
	$(SWIFT) test
	.venv/bin/python scripts/reference/rewards_reference.py --check
	.venv/bin/python scripts/reference/rl_reference.py --check
	.venv/bin/python scripts/reference/policy_numpy_forward.py --check
	.venv/bin/python scripts/reference/bm25_reference.py --check
	.venv/bin/python scripts/reference/porter_reference.py --check

## demo: the main job end to end on embedded defaults.
demo: bootstrap
	$(SWIFT) build -c release
	@scripts/demo

clean:
	rm -rf .build demo-out

# --- trainer: RL golden vectors -------------------------------------------------------------
.PHONY: check-rl-golden rl-golden
## check-rl-golden: fail if fixtures/golden/rl_algorithms.json differs from what the numpy reference writes.
check-rl-golden: bootstrap
	.venv/bin/python scripts/reference/rl_reference.py --check

## rl-golden: regenerate fixtures/golden/rl_algorithms.json from the numpy reference.
rl-golden: bootstrap
	.venv/bin/python scripts/reference/rl_reference.py

# --- world (searchlab world) -------------------------------------------------------------
.PHONY: bench-world
## bench-world: time `searchlab world` writing 1,000,000 passages (release build, 3 runs).
bench-world: bootstrap
	bench/world/run.sh
# --- engines & retrieval server (SearchLabEngines, SearchLabServer) ---
.PHONY: bench-serve
## bench-serve: requests/s and p99 latency of `searchlab serve` with 8 loopback clients (wrk).
bench-serve: bootstrap
	bench/serve/run.sh


# --- run store and analysis (issue 6) ---
.PHONY: bench-analysis
## bench-analysis: store 1,000,000 synthetic trajectories; time count/diff/graph, count vs pandas.
bench-analysis:
	bench/analysis/run.sh

## bench-policy: policy training/generation throughput vs PyTorch CPU (small and base).
.PHONY: bench-policy
bench-policy: bootstrap
	bench/policy/run.sh

## policy-reference: numpy + safetensors + tokenizers reproduce the committed tiny policy.
.PHONY: policy-reference
policy-reference: bootstrap
	.venv/bin/python scripts/reference/policy_numpy_forward.py --check

# --- retrieval (BM25 index and search) ------------------------------------------------
.PHONY: bench-retrieval check-retrieval-reference
## bench-retrieval: SearchLab vs bm25s side by side on a `searchlab world` of 200,000 passages
## and 10,000 of its questions (index build, QPS, top-10 agreement). Override with
## BENCH_RETRIEVAL_ARGS="--entities 40000 --queries 10000 --runs 3 --seed 20260325" (a smaller
## world may need --questions N < --queries; its questions are then cycled).
# Only bm25s and numpy from the bench requirements (not torch, which bench-policy needs).
bench-retrieval: bootstrap
	$(SWIFT) build -c release --product searchlab
	grep -E '^(bm25s|numpy)' scripts/requirements-bench.txt | xargs .venv/bin/pip install -q --disable-pip-version-check
	.venv/bin/python bench/retrieval/run.py $(BENCH_RETRIEVAL_ARGS)

## check-retrieval-reference: the BM25/analyzer/Porter goldens still match their Python references.
check-retrieval-reference: bootstrap
	.venv/bin/python scripts/reference/bm25_reference.py --check
	.venv/bin/python scripts/reference/porter_reference.py --check
