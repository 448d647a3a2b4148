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
    if failed:
        sys.exit("bench-serve: some requests failed (see errors column)")


if __name__ == "__main__":
    main()
