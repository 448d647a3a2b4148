#!/usr/bin/env bash
# `make bench-analysis`: SearchLab's run store and analysis commands on 1,000,000 synthetic
# trajectories, with the same per-step count done in pandas on the same SQLite file.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out/analysis
N=${BENCH_TRAJECTORIES:-1000000}
mkdir -p "$OUT"
swift build -c release --product searchlab
BIN=.build/release/searchlab
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
# Only pandas is needed here (the full bench requirements include torch).
.venv/bin/pip install -q "$(grep -x 'pandas[^ ]*' scripts/requirements-bench.txt)"
DB=$OUT/bench.sqlite
rm -f "$DB" "$DB-wal" "$DB-shm"
# 100 steps x 2,500 questions x 4 samples (a GRPO run), one transaction per 50,000.
"$BIN" import --synthetic "$N" --questions 2500 --samples 4 --seed 1 --db "$DB" --run big | tee "$OUT/import.txt"
# Two runs over the same 10,000 questions, for the run-vs-run diff.
"$BIN" import --synthetic 10000 --questions 10000 --samples 1 --seed 2 --db "$DB" --run diff-a
"$BIN" import --synthetic 10000 --questions 10000 --samples 1 --seed 3 --db "$DB" --run diff-b
# One question with 400 rollouts: a group graph of about a thousand nodes.
"$BIN" import --synthetic 400 --questions 1 --samples 400 --seed 4 --db "$DB" --run group
.venv/bin/python bench/analysis/bench.py --bin "$BIN" --db "$DB" --import-log "$OUT/import.txt" --out "$OUT/results.json"
