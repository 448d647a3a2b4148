#!/usr/bin/env bash
# What the step pipeline costs (issue #15): the same short GRPO run with two searchlab binaries,
# alternately, ROUNDS times; prints the median wall seconds per step (the whole process, so the
# commit, the fsyncs and the checkpoints are in it) and the ratio NEW / OLD.
#   OLD=/path/to/old/searchlab NEW=.build/release/searchlab WORLD=DIR BASE=CKPT bench/learning/pipeline.sh
# Defaults: NEW is this tree's release build; STEPS=4, ROUNDS=3, a checkpoint every step
# (trainer.save_freq=1, the worst case for the fsyncs) and a validation every second step.
set -euo pipefail
cd "$(dirname "$0")/../.."
old=${OLD:?set OLD to the searchlab binary to compare against}
new=${NEW:-.build/release/searchlab}
world=${WORLD:-bench/out/learning/world}
base=${BASE:-bench/out/learning/base}
steps=${STEPS:-4}
rounds=${ROUNDS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sets=(--set world.dir="$world" --set policy.checkpoint="$base" --set trainer.total_training_steps="$steps"
      --set data.train_batch_size=16 --set actor_rollout_ref.actor.ppo_mini_batch_size=8
      --set actor_rollout_ref.actor.ppo_micro_batch_size=8 --set trainer.save_freq=1 --set trainer.test_freq=2
      --set trainer.val_before_train=false --set data.val_batch_size=32)
declare -A times
for round in $(seq 1 "$rounds"); do
  for side in old new; do
    bin=$old; [ "$side" = new ] && bin=$new
    db="$out/$side-$round.sqlite"
    start=$(date +%s.%N)
    "$bin" train --config fixtures/configs/grpo.yaml --db "$db" --name r "${sets[@]}" >"$out/$side.log" 2>&1 \
      || { cat "$out/$side.log" >&2; exit 1; }
    end=$(date +%s.%N)
    times[$side]+="$(echo "($end - $start) / $steps" | bc -l) "
  done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mo=$(median "${times[old]}"); mn=$(median "${times[new]}")
printf '| binary | s/step per round | median s/step |\n|---|---|---:|\n'
printf '| old (%s) | %s | %.2f |\n' "$old" "${times[old]}" "$mo"
printf '| new (%s) | %s | %.2f |\n' "$new" "${times[new]}" "$mn"
printf 'new / old = %.3f (load: %s)\n' "$(echo "$mn / $mo" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
