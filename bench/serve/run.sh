#!/usr/bin/env bash
# Load benchmark of `searchlab serve`: requests/second and latency percentiles with 8
# concurrent keep-alive clients (wrk, 2 threads) on loopback, for several engine setups.
#
#   bench/serve/run.sh            # what `make bench-serve` runs
#   DURATION=10 REPEATS=3 ENGINES="random record replay" BATCHES="1 64" bench/serve/run.sh
#
# Each (engine, batch) cell runs REPEATS times against a fresh server; the median run (by
# requests/second) is reported, and the median over rounds of searchlab/peer requests/second. Output: bench/out/serve/results.jsonl and a Markdown table.
# Engines: bm25 (BM25 search of a `searchlab world` of 50,000 passages, indexed with
# `searchlab index`), random (live sampling), record (random wrapped in a SQLite recorder),
# replay (answers read back from the log the record runs wrote), and the peer
# fastapi-peer: Search-R1's serving stack (FastAPI + pydantic + uvicorn, sync endpoint) with an
# equivalent random engine (bench/serve/peer_fastapi.py), run side by side in the same loop.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}
REPEATS=${REPEATS:-3}
ENGINES=${ENGINES:-"bm25 random record replay fastapi-peer"}
BATCHES=${BATCHES:-"1 64"}
CLIENTS=8
OUT=bench/out/serve
mkdir -p "$OUT"
for engine in $ENGINES; do
  case "$engine" in
    bm25|random|record|replay|fastapi-peer) ;;
    *) echo "bench-serve: unknown engine $engine (bm25, random, record, replay, fastapi-peer)" >&2; exit 1 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "bench-serve: installing wrk (Debian package)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
swift build -c release --product searchlab >/dev/null
BIN=.build/release/searchlab
CORPUS=$OUT/corpus.jsonl
[ -s "$CORPUS" ] || python3 bench/serve/make_corpus.py "$CORPUS" 50000
.venv/bin/python -c 'import fastapi, uvicorn' 2>/dev/null || .venv/bin/pip install -q -r scripts/requirements-bench.txt
LOG=$OUT/retrieval-log.sqlite
WORLD=$OUT/world
INDEX=$OUT/world.index
case " $ENGINES " in
  *" bm25 "*)
    # A fresh seeded world (10,000 entities x 5 passages) and its BM25 index, built once per run.
    "$BIN" world --seed 1 --entities 10000 --out "$WORLD" --force >/dev/null
    "$BIN" index --corpus "$WORLD/corpus.jsonl" --out "$INDEX" >/dev/null ;;
esac
rm -f "$LOG" "$LOG-wal" "$LOG-shm" "$OUT/results.jsonl"

server_pid=""
# A server's exit status after SIGTERM is not a benchmark failure.
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
trap stop_server EXIT

start_peer() {
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .venv/bin/python bench/serve/peer_fastapi.py "$CORPUS" "$PORT" >"$OUT/announce.txt" 2>"$OUT/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"queries":["x"]}' "http://127.0.0.1:$PORT/retrieve" && return
    sleep 0.2
  done
  echo "bench-serve: peer did not start: $(cat "$OUT/server.err")" >&2; exit 1
}

start_server() {
  local announce=$OUT/announce.txt
  # Empty it here, not in the child's redirection: otherwise the wait below can still see the
  # previous server's "listening" line and read no port (a race that stopped whole runs).
  : >"$announce"
  "$BIN" serve --port 0 "$@" >"$announce" 2>"$OUT/server.err" &
  server_pid=$!
  for _ in $(seq 600); do grep -q listening "$announce" 2>/dev/null && break; sleep 0.1; done
  PORT=$(grep -o '127.0.0.1:[0-9]*' "$announce" | head -1 | cut -d: -f2)
  [ -n "$PORT" ] || { echo "bench-serve: server did not start: $(cat "$OUT/server.err")" >&2; exit 1; }
}

engine_args() {
  case "$1" in
    bm25) echo "--engine bm25 --index $INDEX" ;;
    random) echo "--engine random --corpus $CORPUS --seed 1" ;;
    record) echo "--engine random --corpus $CORPUS --seed 1 --record $LOG" ;;
    replay) echo "--engine random --corpus $CORPUS --seed 1 --replay $LOG" ;;
  esac
}

# Repeats are the outer loop so that every engine and the peer run side by side in each round.
for batch in $BATCHES; do
  for repeat in $(seq "$REPEATS"); do
    for engine in $ENGINES; do
      if [ "$engine" = fastapi-peer ]; then
        start_peer
      else
        # shellcheck disable=SC2046
        start_server $(engine_args "$engine")
      fi
      line=$(BATCH=$batch wrk -t 2 -c $CLIENTS -d "${DURATION}s" --latency -s bench/serve/retrieve.lua \
               "http://127.0.0.1:$PORT/retrieve" | tail -1)
      stop_server
      echo "{\"engine\": \"$engine\", \"batch\": $batch, \"clients\": $CLIENTS, \"repeat\": $repeat, \"wrk\": $line}" >> "$OUT/results.jsonl"
    done
  done
done

python3 bench/serve/summarize.py "$OUT/results.jsonl"
