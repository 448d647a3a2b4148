#!/usr/bin/env bash
# Time per phase of a GRPO step of the shipped config (64 questions × 5 samples, small model),
# with 1 and 2 trainer workers, side by side in one run (issue #5's speed target).
#   make bench-step                  # WORLD/BASE default to bench-learning's outputs
#   WORLD=DIR BASE=CKPT STEPS=4 THREADS="1 2" bench/learning/step.sh
# The first step also allocates every buffer, so the medians are over steps 2..STEPS.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/release/searchlab
world=${WORLD:-bench/out/learning/world}
base=${BASE:-bench/out/learning/base}
steps=${STEPS:-4}
threads_list=${THREADS:-1 2}
if [ ! -f "$world/world.json" ] || [ ! -f "$base/model.safetensors" ]; then
  echo "bench-step: needs a world and a pretrained base policy ($world, $base): run make bench-learning first, or set WORLD and BASE" >&2
  exit 2
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swift build -c release --product searchlab >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
echo "| trainer.threads | steps | step (median) | generation | retrieval | scoring | backward | optimizer |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for threads in $threads_list; do
  $bin train --config fixtures/configs/grpo.yaml --db "$out/t$threads.sqlite" --name "t$threads" \
    --set world.dir="$world" --set policy.checkpoint="$base" --set trainer.threads="$threads" \
    --set trainer.total_training_steps="$steps" --set trainer.val_before_train=false \
    --set trainer.test_freq=-1 --set trainer.save_freq=-1 >"$out/t$threads.log" 2>&1 \
    || { cat "$out/t$threads.log" >&2; exit 1; }
  sqlite3 "$out/t$threads.sqlite" "
    with phases(name) as (values ('step'), ('generation'), ('retrieval'), ('scoring'), ('backward'), ('optimizer')),
    ranked as (
      select p.name, m.value, row_number() over (partition by p.name order by m.value) as k,
             count(*) over (partition by p.name) as n
      from phases p join metric m on m.name = 'timing/' || p.name || '_s' where m.step >= 1)
    select name, printf('%.1f s', avg(value)) from ranked where k in ((n + 1) / 2, (n + 2) / 2) group by name" \
    | awk -F'|' -v t="$threads" -v s="$((steps - 1))" '{ v[$1] = $2 }
        END { printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", t, s, v["step"], v["generation"], v["retrieval"], v["scoring"], v["backward"], v["optimizer"] }'
done
