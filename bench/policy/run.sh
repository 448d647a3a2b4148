#!/usr/bin/env bash
# make bench-policy: the SearchLab policy (Swift + OpenBLAS) against the same architecture
# in PyTorch (CPU, eager), side by side in one run, alternating runs to share machine noise.
# Prints a Markdown table of medians; raw JSON lines go to bench/out/policy/.
#
#   BENCH_REPS (default 3)   runs per implementation and config
#   BENCH_THREADS (default 2) threads for OpenBLAS and for torch
#   BENCH_BASE_BATCH (default 32) sequences per step for base (micro-batches of 8)
#   BENCH_STEPS (default 2)   timed training steps per run
#   BENCH_CONFIGS (default "small base")
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${BENCH_REPS:-3}
threads=${BENCH_THREADS:-2}
swift build -c release --product searchlab >/dev/null
bin=.build/release/searchlab
py=.venv/bin/python
"$py" -c "import torch" 2>/dev/null || { echo "bench-policy: torch missing; run .venv/bin/pip install -r scripts/requirements-bench.txt" >&2; exit 1; }
out=bench/out/policy
mkdir -p "$out"
raw="$out/runs.jsonl"
: >"$raw"
declare -A shape=(
  [small]="--batch 32 --seq 256 --micro-batch 8"
  [base]="--batch ${BENCH_BASE_BATCH:-32} --seq 512 --micro-batch 8"
)
for config in ${BENCH_CONFIGS:-small base}; do
  args="--config $config --vocab 8192 ${shape[$config]} --steps ${BENCH_STEPS:-2} --gen-batch 32 --gen-prompt 16 --gen-tokens 64"
  for rep in $(seq "$reps"); do
    echo "bench-policy: $config run $rep/$reps" >&2
    line=$(OPENBLAS_NUM_THREADS=$threads "$bin" bench-policy $args)
    echo "{\"impl\":\"searchlab\",\"rep\":$rep,\"result\":$line}" >>"$raw"
    line=$(OMP_NUM_THREADS=$threads "$py" bench/policy/torch_policy.py $args --threads "$threads")
    echo "{\"impl\":\"torch\",\"rep\":$rep,\"result\":$line}" >>"$raw"
  done
done
"$py" bench/policy/summarize.py "$raw"
