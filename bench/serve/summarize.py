"""Median run per (engine, batch) of bench/serve results, as a Markdown table."""
import json
import sys
from collections import defaultdict


def main() -> None:
    cells = defaultdict(list)
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            cells[(row["batch"], row["engine"])].append(row)
    print("| queries/request | engine | requests/s | queries/s | p50 ms | p99 ms | errors | runs |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    failed = False
    for (batch, engine), runs in cells.items():
        runs.sort(key=lambda r: r["wrk"]["requests_per_second"])
        median = runs[len(runs) // 2]["wrk"]
        errors = sum(r["wrk"]["socket_errors"] + r["wrk"]["bad_responses"] for r in runs)
        failed |= errors > 0
        print(f"| {batch} | {engine} | {median['requests_per_second']:.0f} | "
              f"{median['requests_per_second'] * batch:.0f} | {median['p50_ms']:.2f} | "
              f"{median['p99_ms']:.2f} | {errors} | {len(runs)} |")
    print()
    for batch in sorted({b for b, _ in cells}):
        ours = {r["repeat"]: r["wrk"]["requests_per_second"] for r in cells.get((batch, "random"), [])}
        peer = {r["repeat"]: r["wrk"]["requests_per_second"] for r in cells.get((batch, "fastapi-peer"), [])}
        ratios = sorted(ours[k] / peer[k] for k in ours if k in peer)
        if ratios:
            print(f"batch {batch}: searchlab serve (random) / FastAPI peer requests/s, median of "
                  f"{len(ratios)} side-by-side rounds: {ratios[len(ratios) // 2]:.1f}x "
                  f"(rounds: {', '.join(f'{r:.1f}x' for r in ratios)})")
    if failed:
        sys.exit("bench-serve: some requests failed (see errors column)")


if __name__ == "__main__":
    main()
