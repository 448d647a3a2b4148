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

## bench-policy: policy training/generation throughput vs PyTorch CPU (small and base).
.PHONY: bench-policy
bench-policy: bootstrap
	bench/policy/run.sh

## policy-reference: numpy + safetensors + tokenizers reproduce the committed tiny policy.
.PHONY: policy-reference
policy-reference: bootstrap
	.venv/bin/python scripts/reference/policy_numpy_forward.py --check
