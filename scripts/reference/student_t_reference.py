#!/usr/bin/env python3
"""Golden vectors for `searchlab compare`'s interval maths, from SciPy (an independent
implementation): Student t quantiles and mean ± 95% half-widths of small samples.

    python scripts/reference/student_t_reference.py          # writes fixtures/golden/student_t.json
    python scripts/reference/student_t_reference.py --check  # fails if the committed file differs
"""
import json
import pathlib
import sys

import numpy as np
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "student_t.json"


def build():
    quantiles = []
    for df in [1, 2, 3, 4, 5, 7, 9, 10, 15, 29, 30, 60, 120, 1000]:
        for p in [0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.025]:
            quantiles.append({"p": p, "df": df, "t": float(stats.t.ppf(p, df))})
    rng = np.random.default_rng(7)
    samples = [[0.41, 0.38, 0.45], [1.0, 1.0], [0.2], [0.0, 0.5, 0.25, 0.75, 1.0]]
    samples += [list(map(float, np.round(rng.normal(0.3, 0.1, n), 6))) for n in (2, 3, 5, 10)]
    intervals = []
    for xs in samples:
        a = np.asarray(xs)
        half = None
        if len(a) > 1:
            half = float(stats.t.ppf(0.975, len(a) - 1) * a.std(ddof=1) / np.sqrt(len(a)))
        intervals.append({"values": xs, "mean": float(a.mean()), "half_width": half})
    return {"source": "scipy.stats.t.ppf", "quantiles": quantiles, "intervals": intervals}


def close(a, b):
    """Equal structure, floats within 1e-12 relative (SciPy versions may differ in the last bit)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a))
    return a == b


def main():
    golden = build()
    text = json.dumps(golden, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        if not close(golden, json.loads(OUT.read_text())):
            sys.exit(f"{OUT} differs from the SciPy reference; regenerate it")
        print(f"{OUT.name}: matches the SciPy reference")
        return
    OUT.write_text(text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
