#!/usr/bin/env python3
"""The paper's findings (issue #5) from the merged databases of `make ablations-paper`.

Reads each grid's database (runs named CELL-HASH-sSEED by `searchlab ablate`), pools a cell's
seeds, and prints mean ± 95% Student-t half-width over seeds for:
  - final test EM (the last validation, whole test split), overall and per hop count;
  - early reward: each run's mean training reward over its first 8 steps;
  - search calls per multi-hop (2- and 3-hop) training trajectory, first 4 steps against last 4.
The store numbers steps from 0: stored step k holds training step k + 1 (and step 0 also the
validation before training).
then the four comparisons the paper makes (search vs none, GRPO vs PPO early reward, masking
on vs off, searches rising). Standard library only.
  python3 bench/ablations/findings.py .build/ablations/{ppo-vs-grpo,state-masking,search}.sqlite
"""
import re
import sqlite3
import statistics
import sys

# Two-sided 95% Student t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def interval(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, float("nan"), len(values)
    half = T95.get(len(values) - 1, 1.96) * statistics.stdev(values) / len(values) ** 0.5
    return mean, half, len(values)


def show(stat):
    if stat is None:
        return "-"
    mean, half, n = stat
    return f"{mean:.3f} ± {half:.3f}" if n > 1 else f"{mean:.3f}"


def metric_mean(db, run_id, name, first, last):
    row = db.execute("SELECT AVG(value) FROM metric WHERE run_id = ? AND name = ? AND step BETWEEN ? AND ?",
                     (run_id, name, first, last)).fetchone()
    return row[0]


def final(db, run_id, name):
    row = db.execute("SELECT value FROM metric WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1",
                     (run_id, name)).fetchone()
    return row[0] if row else None


def multihop_searches(db, run_id, first, last):
    values = [metric_mean(db, run_id, f"env/number_of_valid_search/sim-{h}hop", first, last) for h in (2, 3)]
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def cells(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    last_step = {}
    grouped = {}
    for run_id, name in db.execute("SELECT id, name FROM run ORDER BY created_order"):
        match = re.fullmatch(r"(.+)-[0-9a-f]{8}-s(\d+)", name)
        cell = match.group(1) if match else name
        last_step[run_id] = db.execute("SELECT MAX(step) FROM metric WHERE run_id = ?", (run_id,)).fetchone()[0] or 0
        grouped.setdefault(cell, []).append(run_id)
    out = {}
    for cell, runs in grouped.items():
        end = min(last_step[r] for r in runs)
        out[cell] = {
            "seeds": len(runs),
            "test EM": interval([final(db, r, "val/em") for r in runs]),
            "EM 1hop": interval([final(db, r, "val/em/sim-1hop") for r in runs]),
            "EM 2hop": interval([final(db, r, "val/em/sim-2hop") for r in runs]),
            "EM 3hop": interval([final(db, r, "val/em/sim-3hop") for r in runs]),
            "reward 1-8": interval([metric_mean(db, r, "reward/mean", 0, 7) for r in runs]),
            "multi-hop searches early": interval([multihop_searches(db, r, 0, 3) for r in runs]),
            "multi-hop searches late": interval([multihop_searches(db, r, end - 3, end) for r in runs]),
            "base test EM": interval([metric_mean(db, r, "val/em", 0, 0) for r in runs]),
        }
    return out


def main(paths):
    every = {}
    for path in paths:
        grid = re.sub(r"\.sqlite$", "", path.split("/")[-1])
        for cell, stats in cells(path).items():
            every[(grid, cell)] = stats
    columns = ["seeds", "test EM", "EM 1hop", "EM 2hop", "EM 3hop", "reward 1-8",
               "multi-hop searches early", "multi-hop searches late"]
    print("| grid | cell | " + " | ".join(columns) + " |")
    print("|" + "---|" * (len(columns) + 2))
    for (grid, cell), stats in every.items():
        values = [str(stats["seeds"])] + [show(stats[c]) for c in columns[1:]]
        print(f"| {grid} | {cell} | " + " | ".join(values) + " |")
    base = next((s["base test EM"] for s in every.values() if s["base test EM"]), None)
    print(f"\nBase policy (step 0 validation, the same for every run): test EM {show(base)}")

    def get(grid, cell, column):
        stats = every.get((grid, cell))
        return stats[column][0] if stats and stats[column] else None

    print("\nFindings:")
    on, off = get("search", "true", "test EM"), get("search", "false", "test EM")
    if on is not None and off is not None:
        relative = (on - off) / off if off > 0 else float("inf")
        print(f"- search vs no search: test EM {on:.3f} vs {off:.3f}, {relative * 100:+.0f}% relative "
              f"(paper: ≥ 40%) — {'reproduced' if relative >= 0.40 else 'NOT reproduced'}")
    grpo, ppo = get("ppo-vs-grpo", "grpo", "reward 1-8"), get("ppo-vs-grpo", "ppo", "reward 1-8")
    if grpo is not None and ppo is not None:
        print(f"- early reward (steps 1-8): GRPO {grpo:.3f} vs PPO {ppo:.3f} — "
              f"{'reproduced' if grpo > ppo else 'NOT reproduced'} (GRPO rises faster)")
    masked, unmasked = get("state-masking", "true", "test EM"), get("state-masking", "false", "test EM")
    if masked is not None and unmasked is not None:
        print(f"- retrieved-token masking: test EM {masked:.3f} (on) vs {unmasked:.3f} (off) — "
              f"{'reproduced' if masked >= unmasked else 'NOT reproduced'} (masking ends no worse)")
    for (grid, cell), stats in every.items():
        early, late = stats["multi-hop searches early"], stats["multi-hop searches late"]
        if early and late and early[0] > 0:  # cells without search have nothing to rise
            print(f"- searches per multi-hop trajectory, {grid}/{cell}: {early[0]:.2f} (steps 1-4) → {late[0]:.2f} (last 4 steps)"
                  f" — {'rises' if late[0] > early[0] else 'does NOT rise'}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
