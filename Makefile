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
	.venv/bin/python scripts/reference/student_t_reference.py --check
	@$(UPDATE_REFERENCE_CHECK)
	.venv/bin/python scripts/check_notebooks.py notebooks-export

## demo: the main job end to end: GRPO from the shipped base policy, before/after test EM
## (about 4 minutes after the build on 2 idle cores; DEMO_TRAIN_STEPS, DEMO_TEST, … in scripts/demo).
demo: bootstrap
	$(SWIFT) build -c release --product searchlab
	@scripts/demo

## base-fixture: pretrain fixtures/base-small again with its recipe and check its SHA-256
## (about 40 minutes on 2 idle cores); UPDATE=1 re-records it (SHA256SUMS, check.json).
.PHONY: base-fixture
base-fixture: bootstrap
	$(SWIFT) build -c release --product searchlab
	scripts/base-fixture

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

# --- trainer: the whole PPO/GRPO update against PyTorch ------------------------------------
# torch is a bench requirement, not a test one: without it the check prints one line and skips
# (the Swift test reads the committed golden file either way).
UPDATE_REFERENCE_CHECK = if .venv/bin/python -c 'import torch' 2>/dev/null; then \
	  echo ".venv/bin/python scripts/reference/update_reference.py --check"; \
	  .venv/bin/python scripts/reference/update_reference.py --check; \
	else echo "skip: scripts/reference/update_reference.py --check (torch is not installed in .venv; pip install -r scripts/requirements-bench.txt)"; fi
.PHONY: update-golden
## update-golden: regenerate fixtures/golden/update_reference.json with the torch reference (needs torch).
update-golden: bootstrap
	.venv/bin/python scripts/reference/update_reference.py

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

## bench-learning: pretrain on the default world, then GRPO (15 min) and PPO (30 min) learning curves.
.PHONY: bench-learning
bench-learning: bootstrap
	bench/learning/run.sh

## bench-step: time per phase of a 64x5 GRPO step of the shipped config, 1 and 2 trainer workers.
.PHONY: bench-step
bench-step:
	bench/learning/step.sh

# --- ablations, notebooks and reports (issue 7) ------------------------------------------
.PHONY: report-fixture notebooks check-notebooks check-interval-reference
REPORT_FIXTURE := fixtures/runs/tiny.sqlite
REPORT_TRAIN_SETS := --set data.train_batch_size=4 --set data.val_batch_size=8 --set actor_rollout_ref.rollout.n_agent=3 \
	--set actor_rollout_ref.actor.ppo_mini_batch_size=6 --set actor_rollout_ref.actor.ppo_micro_batch_size=3 \
	--set data.max_start_length=512 --set data.max_response_length=64 --set max_turns=3 \
	--set trainer.total_training_steps=6 --set trainer.test_freq=2 --set trainer.save_freq=6

## report-fixture: regenerate fixtures/runs/tiny.sqlite: two 6-step runs (grpo, ppo) of a tiny model.
report-fixture: build
	rm -rf .build/report-fixture $(REPORT_FIXTURE) $(REPORT_FIXTURE)-wal $(REPORT_FIXTURE)-shm
	mkdir -p .build/report-fixture fixtures/runs
	$(BIN) world --seed 3 --entities 60 --train 40 --test 10 --out .build/report-fixture/world
	$(BIN) pretrain --world .build/report-fixture/world --out .build/report-fixture/base --preset tiny --steps 600 --batch-rows 4
	cd fixtures/runs && for algo in grpo ppo; do \
	  ../../$(BIN) train --config ../configs/$$algo.yaml $(REPORT_TRAIN_SETS) --set world.dir=../../.build/report-fixture/world \
	    --set policy.checkpoint=../../.build/report-fixture/base --db tiny.sqlite --name $$algo || exit 1; done
	rm -rf $(REPORT_FIXTURE).checkpoints
	# Left in WAL mode, as searchlab opens it, so opening it never rewrites the file.
	sqlite3 $(REPORT_FIXTURE) "UPDATE checkpoint SET path = substr(path, instr(path, 'tiny.sqlite.checkpoints')); \
	  VACUUM; PRAGMA wal_checkpoint(TRUNCATE);"
	rm -f $(REPORT_FIXTURE)-wal $(REPORT_FIXTURE)-shm

## notebooks: regenerate notebooks-export/ from the fixture run (a test checks they are fresh).
notebooks: build
	$(BIN) export notebook --db $(REPORT_FIXTURE) --run grpo --compare ppo \
	  --out notebooks-export/tiny-grpo-vs-ppo.ipynb --notebook-db ../$(REPORT_FIXTURE)
	$(BIN) export notebook --db $(REPORT_FIXTURE) --run ppo --out notebooks-export/tiny-ppo.ipynb --notebook-db ../$(REPORT_FIXTURE)

## check-notebooks: the exported notebooks validate (nbformat) and run headless (nbclient).
check-notebooks: bootstrap
	.venv/bin/python scripts/check_notebooks.py notebooks-export

## check-interval-reference: the Student t golden vectors still match SciPy.
check-interval-reference: bootstrap
	.venv/bin/python scripts/reference/student_t_reference.py --check

## ablations-paper: PPO vs GRPO, masking on/off and search on/off, 3 seeds each, with wall times (for BENCHMARKS.md).
## Needs a world and a pretrained base: make ablations-paper WORLD=DIR BASE=CHECKPOINT [JOBS=2]
.PHONY: ablations-paper
## Results (databases, tables, cell logs) go to .build/ablations/; rerunning resumes.
ablations-paper: bootstrap
	@test -n "$(WORLD)" -a -n "$(BASE)" || { echo "usage: make ablations-paper WORLD=DIR BASE=CHECKPOINT [JOBS=2]"; exit 1; }
	$(SWIFT) build -c release --product searchlab
	mkdir -p .build/ablations
	set -o pipefail; for grid in ppo-vs-grpo state-masking search; do \
	  /usr/bin/time -f "$$grid: wall %e s" .build/release/searchlab ablate --grid fixtures/grids/$$grid.yaml --seeds 3 \
	    --jobs $(or $(JOBS),2) --db .build/ablations/$$grid.sqlite --set world.dir=$(WORLD) --set policy.checkpoint=$(BASE) \
	    | tee .build/ablations/$$grid.txt || exit 1; done
	python3 bench/ablations/findings.py .build/ablations/ppo-vs-grpo.sqlite .build/ablations/state-masking.sqlite \
	  .build/ablations/search.sqlite | tee .build/ablations/findings.md
