#!/usr/bin/env python3
"""The demo's read-outs from its run database (scripts/demo calls it; standard library only).

  base-info PRETRAIN.json            how the shipped base policy was made
  table DB                           test EM per hop, base vs trained, and searches
  pick DB                            a question the trained policy answers and the base did not
  side-by-side DB A B A.svg B.svg OUT.html   both trajectories' graphs on one page
  failing DB                         a trajectory the trained policy still gets wrong
  summary DB STEPS SECONDS OUT.json  the headline figures (demo-out/summary.json)

The eval runs are `base-eval` and `trained-eval` (one step, 0), the training run `grpo-demo`.
"""
import hashlib
import html
import json
import sqlite3
import sys

SOURCES = ["sim-1hop", "sim-2hop", "sim-3hop"]


def rows(db, run):
    """(question_id, data_source, exact_match, search_count, content_digest) in stored order."""
    con = sqlite3.connect(db)
    out = con.execute(
        "SELECT t.question_id, t.data_source, t.exact_match, t.search_count, t.content_digest FROM trajectory t "
        "JOIN run r ON r.id = t.run_id WHERE r.name = ? ORDER BY t.id", (run,)).fetchall()
    if not out:
        sys.exit(f"error: {db}: run {run} has no trajectories")
    return out


def em(rs, source=None):
    picked = [r for r in rs if source is None or r[1] == source]
    return sum(r[2] for r in picked) / len(picked) if picked else None


def searches(rs, source=None):
    picked = [r for r in rs if source is None or r[1] == source]
    return sum(r[3] for r in picked) / len(picked) if picked else None


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def base_info(path):
    with open(path) as f:
        p = json.load(f)
    s = p["settings"]
    print(f"pretrained with `searchlab pretrain --preset {s['preset']} --steps {s['steps']} "
          f"--demonstration-passes {s['demonstrationPasses']} --demonstration-share {s['demonstrationShare']}` "
          f"(seed {s['seed']}): loss {p['losses'][0]:.2f} -> {p['losses'][-1]:.2f}, "
          f"{p['demonstrations']} scripted demonstrations, {p['seconds'] / 60:.0f} min wall when recorded "
          f"(about 40 min on 2 idle cores)")
    print(f"weights sha256 {p['checkpointDigest']}")


def table(db):
    base, trained = rows(db, "base-eval"), rows(db, "trained-eval")
    print(f"{'test EM':<10}{'base':>8}{'trained':>9}{'change':>9}{'n':>6}")
    for source in SOURCES + [None]:
        b, t = em(base, source), em(trained, source)
        n = len([r for r in base if source is None or r[1] == source])
        change = "-" if b is None else f"{t - b:+.3f}"
        print(f"{source or 'all':<10}{fmt(b):>8}{fmt(t):>9}{change:>9}{n:>6}")
    print(f"{'searches per trajectory':<31}base {fmt(searches(base), 2)}  trained {fmt(searches(trained), 2)}")
    print(f"{'searches per 2-hop trajectory':<31}base {fmt(searches(base, 'sim-2hop'), 2)}  "
          f"trained {fmt(searches(trained, 'sim-2hop'), 2)}")


def pick(db):
    base = {r[0]: r for r in rows(db, "base-eval")}
    trained = rows(db, "trained-eval")
    fixed = [r for r in trained if r[2] and r[0] in base and not base[r[0]][2]]
    if not fixed:
        sys.exit("error: the trained policy answers no test question that the base policy missed")
    # Prefer a multi-hop question the trained policy answered with several searches: the
    # behaviour the demo is about. Else the first fixed question in test order.
    multi = [r for r in fixed if r[1] != "sim-1hop" and r[3] >= 2]
    q = (multi or fixed)[0][0]
    print(f"base-eval:0:{q}:0 trained-eval:0:{q}:0")


def failing(db):
    trained = rows(db, "trained-eval")
    wrong = [r for r in trained if not r[2]]
    if not wrong:
        sys.exit("error: the trained policy answers every test question; nothing fails")
    # A wrong answer after at least one search, so the what-if has retrieval to change.
    searched = [r for r in wrong if r[3] >= 1]
    print(f"trained-eval:0:{(searched or wrong)[0][0]}:0")


def side_by_side(db, a, b, svg_a, svg_b, out):
    con = sqlite3.connect(db)

    def info(ref):
        run, step, qid, sample = ref.split(":")
        return con.execute(
            "SELECT t.question, t.golden_answers_json, t.extracted_answer, t.exact_match, t.search_count FROM trajectory t "
            "JOIN run r ON r.id = t.run_id WHERE r.name = ? AND t.step = ? AND t.question_id = ? AND t.sample_index = ?",
            (run, int(step), qid, int(sample))).fetchone()

    def column(title, ref, svg):
        question, goldens, answer, exact, n = info(ref)
        with open(svg) as f:
            picture = f.read()
        verdict = "correct" if exact else "wrong"
        return (f"<div class=col><h2>{html.escape(title)}</h2><p><code>{html.escape(ref)}</code><br>"
                f"answer <b>{html.escape(answer or '(none)')}</b> ({verdict}), {n} search{'es' if n != 1 else ''}</p>"
                f"{picture}</div>")

    question, goldens = info(a)[:2]
    page = ("<!doctype html><meta charset=utf-8><title>SearchLab demo: before and after</title>"
            "<style>body{font-family:sans-serif;margin:1.5em}.row{display:flex;gap:2em;align-items:flex-start}"
            ".col{flex:1;overflow:auto}svg{max-width:100%;height:auto}</style>"
            f"<h1>{html.escape(question)}</h1><p>golden answers: {html.escape(', '.join(json.loads(goldens)))}</p>"
            f"<div class=row>{column('base policy', a, svg_a)}{column('after GRPO', b, svg_b)}</div>")
    with open(out, "w") as f:
        f.write(page)
    print(f"wrote {out}")


def summary(db, steps, seconds, out):
    base, trained = rows(db, "base-eval"), rows(db, "trained-eval")

    def figures(rs):
        d = {"all": round(em(rs), 4)}
        for source in SOURCES:
            value = em(rs, source)
            if value is not None:
                d[source] = round(value, 4)
        return d

    def digest(run):
        con = sqlite3.connect(db)
        h = hashlib.sha256()
        for (d,) in con.execute("SELECT t.content_digest FROM trajectory t JOIN run r ON r.id = t.run_id "
                                "WHERE r.name = ? ORDER BY t.step, t.question_id, t.sample_index", (run,)):
            h.update(d.encode() + b"\n")
        return h.hexdigest()

    result = {
        "base": figures(base),
        "trained": figures(trained),
        "steps": int(steps),
        "seconds": float(seconds),
        "test_questions": len(base),
        "searches_per_2hop_trajectory": {"base": round(searches(base, "sim-2hop") or 0, 4),
                                         "trained": round(searches(trained, "sim-2hop") or 0, 4)},
        "trajectory_digests": {run: digest(run) for run in ["base-eval", "grpo-demo", "trained-eval"]},
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    commands = {"base-info": base_info, "table": table, "pick": pick, "side-by-side": side_by_side,
                "failing": failing, "summary": summary}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
