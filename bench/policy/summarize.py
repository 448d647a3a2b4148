#!/usr/bin/env python3
"""Summarises bench/out/policy/runs.jsonl as a Markdown table of medians and ratios."""
import json
import statistics
import sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]


def median(impl, config, key):
    values = [r["result"][key] for r in runs if r["impl"] == impl and r["result"]["config"] == config and key in r["result"]]
    return statistics.median(values) if values else float("nan")


print("| config | params | train tok/s SearchLab | train tok/s PyTorch | ratio | GFLOP/s | sgemm peak | % peak "
      "| gen tok/s SearchLab | gen tok/s PyTorch | ratio | peak RSS MiB SearchLab | PyTorch |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for config in ["small", "base"]:
    if not any(r["result"]["config"] == config for r in runs):
        continue
    params = next(r["result"]["params"] for r in runs if r["impl"] == "searchlab" and r["result"]["config"] == config)
    ts, tt = median("searchlab", config, "train_tokens_per_s"), median("torch", config, "train_tokens_per_s")
    gs, gt = median("searchlab", config, "gen_tokens_per_s"), median("torch", config, "gen_tokens_per_s")
    gflops, peak = median("searchlab", config, "train_gflops"), median("searchlab", config, "sgemm_peak_gflops")
    print(f"| {config} | {params / 1e6:.2f}M | {ts:.0f} | {tt:.0f} | {ts / tt:.2f}x | {gflops:.1f} | {peak:.1f} "
          f"| {100 * gflops / peak:.0f}% | {gs:.0f} | {gt:.0f} | {gs / gt:.2f}x "
          f"| {median('searchlab', config, 'peak_rss_mb'):.0f} | {median('torch', config, 'peak_rss_mb'):.0f} |")
