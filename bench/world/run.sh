#!/usr/bin/env bash
# World generation at scale: times `searchlab world` (release build) writing a
# 1,000,000-passage world, three runs, and reports the median wall time and the
# peak resident memory. Usage: bench/world/run.sh [ENTITIES] [PASSAGES_PER_ENTITY]
set -euo pipefail
cd "$(dirname "$0")/../.."
entities=${1:-200000}
per=${2:-5}
scratch=${SCRATCH:-.build-release}
swift build -c release --product searchlab --scratch-path "$scratch" >&2
bin="$scratch/release/searchlab"
out=bench/out/world-$((entities * per))
mkdir -p bench/out
times=()
for run in 1 2 3; do
  rm -rf "$out"
  /usr/bin/time -f "%e %M %U %S" -o bench/out/world-time.txt \
    "$bin" world --seed 1 --entities "$entities" --passages-per-entity "$per" \
      --train 10000 --test 1000 --out "$out" > bench/out/world-stdout.txt
  read -r seconds kilobytes user system < bench/out/world-time.txt
  times+=("$seconds")
  echo "run $run: ${seconds}s wall (${user}s user, ${system}s system), peak RSS $((kilobytes / 1024)) MiB" >&2
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
bytes=$(stat -c %s "$out/corpus.jsonl")
echo "world generation: $((entities * per)) passages ($((bytes / 1048576)) MiB corpus), 11000 questions: median ${median}s over 3 runs"
cat bench/out/world-stdout.txt
echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
