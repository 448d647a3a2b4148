#!/usr/bin/env bash
# The learning benchmark (issue #5): on the default world, pretrain the base policy, measure
# it, then train with GRPO (and PPO) under a wall-clock budget and report the curves.
#   make bench-learning                       # defaults below
#   PRETRAIN_STEPS=2400 GRPO_MINUTES=15 PPO_MINUTES=30 ALGOS="grpo ppo" bench/learning/run.sh
# GRPO_SETS / PPO_SETS hold each algorithm's `--set key=value` overrides of the shipped configs
# (defaults below: the settings BENCHMARKS.md reports); TRAIN_SETS applies to both.
# Everything lands in bench/out/learning/; the summary is bench/out/learning/summary.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/searchlab
out=${OUT:-bench/out/learning}
pretrain_steps=${PRETRAIN_STEPS:-2400}
pretrain_args=${PRETRAIN_ARGS:---demonstration-passes 4 --demonstration-share 0.875}
algos=${ALGOS:-grpo ppo}
seed=${SEED:-0}
mkdir -p "$out"
swift build -c release --product searchlab >/dev/null

if [ ! -f "$out/world/world.json" ]; then $bin world --seed 1 --out "$out/world"; fi
if [ ! -f "$out/base/pretrain.json" ]; then
  /usr/bin/time -f "pretrain wall %e s" $bin pretrain --world "$out/world" --out "$out/base" --steps "$pretrain_steps" $pretrain_args
fi
db="$out/runs.sqlite"
if ! sqlite3 "$db" "select 1 from run where name = 'base'" 2>/dev/null | grep -q 1; then
  $bin eval --checkpoint "$out/base" --world "$out/world" --db "$db" --run base
fi

# GRPO: 16 questions × 5 samples, lr 1e-4 with cosine decay over the 150 steps that fit in 15
# minutes with two workers, KL loss coefficient 0.01 and no entropy bonus (BENCHMARKS.md has
# this run and the ones before it).
grpo_sets="data.train_batch_size=16 actor_rollout_ref.actor.ppo_mini_batch_size=8 actor_rollout_ref.actor.ppo_micro_batch_size=8 actor_rollout_ref.actor.optim.lr=1e-4 actor_rollout_ref.actor.optim.warmup_style=cosine actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.02 actor_rollout_ref.actor.kl_loss_coef=0.01 actor_rollout_ref.actor.entropy_coeff=0 trainer.total_training_steps=150 trainer.test_freq=10 trainer.save_freq=10"
ppo_sets="trainer.total_training_steps=1000 data.train_batch_size=32 actor_rollout_ref.actor.ppo_mini_batch_size=16 actor_rollout_ref.actor.optim.lr=5e-5 critic.optim.lr=5e-4 trainer.test_freq=10 trainer.save_freq=10 actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.005 critic.optim.lr_warmup_steps_ratio=0.005"
for algo in $algos; do
  case $algo in
    grpo) minutes=${GRPO_MINUTES:-15}; config=fixtures/configs/grpo.yaml; sets=${GRPO_SETS-$grpo_sets} ;;
    ppo) minutes=${PPO_MINUTES:-30}; config=fixtures/configs/ppo.yaml; sets=${PPO_SETS-$ppo_sets} ;;
    *) echo "unknown algorithm $algo" >&2; exit 2 ;;
  esac
  name="$algo-seed$seed"
  resume=""
  if sqlite3 "$db" "select 1 from run where name = '$name'" 2>/dev/null | grep -q 1; then resume="--resume"; fi
  $bin train --config "$config" --db "$db" --name "$name" $resume --max-minutes "$minutes" \
    --set world.dir="$out/world" --set policy.checkpoint="$out/base" --set trainer.seed="$seed" \
    $(for s in $sets ${TRAIN_SETS:-}; do printf -- '--set %s ' "$s"; done)
  last=$(ls -d "$db.checkpoints/$name"/step-* | sed 's/.*step-//' | sort -n | tail -1)
  $bin eval --checkpoint "$db.checkpoints/$name/step-$last" --world "$out/world" --db "$db" --run "$name-final"
done
.venv/bin/python bench/learning/summarize.py "$db" > "$out/summary.md"
cat "$out/summary.md"
