"""Summarises bench/learning runs from the run database: the base policy's EM, each training
run's curves (reward, EM, searches per trajectory, validation EM per data source against
cumulative wall time) and its final EM, as Markdown for BENCHMARKS.md."""
import sqlite3
import sys


def metrics(db, run):
    rows = db.execute(
        "select m.step, m.name, m.value from metric m join run r on r.id = m.run_id where r.name = ? order by m.step",
        (run,)).fetchall()
    steps = {}
    for step, name, value in rows:
        steps.setdefault(step, {})[name] = value
    return steps


def em_by_source(db, run):
    rows = db.execute(
        "select t.data_source, avg(t.exact_match), count(*), avg(t.search_count) from trajectory t "
        "join run r on r.id = t.run_id where r.name = ? group by t.data_source order by t.data_source", (run,)).fetchall()
    return rows


def fmt(value, digits=3):
    return "-" if value is None else f"{value:.{digits}f}"


def main(path):
    db = sqlite3.connect(path)
    runs = [name for (name,) in db.execute("select name from run order by id")]
    print("## Base policy and final checkpoints (greedy, whole test split)\n")
    print("| run | data source | EM | n | searches/trajectory |")
    print("|---|---|---:|---:|---:|")
    for run in runs:
        if run == "base" or run.endswith("-final"):
            for source, em, n, searches in em_by_source(db, run):
                print(f"| {run} | {source} | {em:.3f} | {n} | {searches:.2f} |")
    for run in runs:
        if run == "base" or run.endswith("-final"):
            continue
        steps = metrics(db, run)
        if not steps:
            continue
        print(f"\n## {run}: curves\n")
        sources = sorted({k[len("val/em/"):] for s in steps.values() for k in s if k.startswith("val/em/")})
        header = "| step | minutes | reward | EM | searches | valid actions | " + " | ".join(f"val {s}" for s in sources) + " |"
        print(header)
        print("|" + "---:|" * (6 + len(sources)))
        elapsed = 0.0
        for step in sorted(steps):
            m = steps[step]
            elapsed += m.get("timing/step_s", 0) / 60
            vals = " | ".join(fmt(m.get(f"val/em/{s}")) for s in sources)
            print(f"| {step} | {elapsed:.1f} | {fmt(m.get('reward/mean'))} | {fmt(m.get('em/mean'))} | "
                  f"{fmt(m.get('env/number_of_valid_search'), 2)} | {fmt(m.get('env/ratio_of_valid_action'), 2)} | {vals} |")
        phases = ["generation", "retrieval", "scoring", "backward", "optimizer", "validation"]
        print("\nMedian seconds per step by phase: " + ", ".join(
            f"{p} {median([m.get(f'timing/{p}_s', 0) for m in steps.values()]):.1f}" for p in phases)
            + f"; whole step {median([m.get('timing/step_s', 0) for m in steps.values()]):.1f}.")


def median(values):
    values = sorted(values)
    if not values:
        return 0.0
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


if __name__ == "__main__":
    main(sys.argv[1])
