#!/usr/bin/env bash
# The learning benchmark (issue #5): on the default world, pretrain the base policy, measure
# it, then train with GRPO (and PPO) under a wall-clock budget and report the curves.
#   make bench-learning                       # defaults below
#   PRETRAIN_STEPS=1200 GRPO_MINUTES=15 PPO_MINUTES=30 ALGOS="grpo ppo" bench/learning/run.sh
# Everything lands in bench/out/learning/; the summary is bench/out/learning/summary.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/searchlab
out=${OUT:-bench/out/learning}
pretrain_steps=${PRETRAIN_STEPS:-1200}
algos=${ALGOS:-grpo ppo}
seed=${SEED:-0}
mkdir -p "$out"
swift build -c release --product searchlab >/dev/null

if [ ! -f "$out/world/world.json" ]; then $bin world --seed 1 --out "$out/world"; fi
if [ ! -f "$out/base/pretrain.json" ]; then
  /usr/bin/time -f "pretrain wall %e s" $bin pretrain --world "$out/world" --out "$out/base" --steps "$pretrain_steps"
fi
db="$out/runs.sqlite"
if ! sqlite3 "$db" "select 1 from run where name = 'base'" 2>/dev/null | grep -q 1; then
  $bin eval --checkpoint "$out/base" --world "$out/world" --db "$db" --run base
fi

for algo in $algos; do
  case $algo in
    grpo) minutes=${GRPO_MINUTES:-15}; config=fixtures/configs/grpo.yaml ;;
    ppo) minutes=${PPO_MINUTES:-30}; config=fixtures/configs/ppo.yaml ;;
    *) echo "unknown algorithm $algo" >&2; exit 2 ;;
  esac
  name="$algo-seed$seed"
  resume=""
  if sqlite3 "$db" "select 1 from run where name = '$name'" 2>/dev/null | grep -q 1; then resume="--resume"; fi
  $bin train --config "$config" --db "$db" --name "$name" $resume --max-minutes "$minutes" \
    --set world.dir="$out/world" --set policy.checkpoint="$out/base" --set trainer.seed="$seed" \
    --set trainer.total_training_steps=1000 ${TRAIN_SETS:-}
  last=$(ls -d "$db.checkpoints/$name"/step-* | sed 's/.*step-//' | sort -n | tail -1)
  $bin eval --checkpoint "$db.checkpoints/$name/step-$last" --world "$out/world" --db "$db" --run "$name-final"
done
.venv/bin/python bench/learning/summarize.py "$db" > "$out/summary.md"
cat "$out/summary.md"
