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

## demo: the main job end to end on embedded defaults.
demo: build
	@scripts/demo

clean:
	rm -rf .build demo-out

# --- retrieval (BM25 index and search) ------------------------------------------------
.PHONY: bench-retrieval check-retrieval-reference
## bench-retrieval: SearchLab vs bm25s side by side (index build, QPS, top-10 agreement).
## Override sizes with BENCH_RETRIEVAL_ARGS="--passages 200000 --queries 10000 --runs 3".
bench-retrieval: bootstrap
	$(SWIFT) build -c release --product searchlab
	.venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-bench.txt
	.venv/bin/python bench/retrieval/run.py $(BENCH_RETRIEVAL_ARGS)

## check-retrieval-reference: the BM25/analyzer/Porter goldens still match their Python references.
check-retrieval-reference: bootstrap
	.venv/bin/python scripts/reference/bm25_reference.py --check
	.venv/bin/python scripts/reference/porter_reference.py --check
