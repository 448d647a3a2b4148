"""Times `searchlab count/diff/graph` on the benchmark database and the same per-step count in
pandas, checks that both counts agree, and prints a Markdown table for BENCHMARKS.md.

Each figure is the median of --repeats runs after one warm-up run. searchlab is timed as a
whole process (start-up included); pandas is timed in-process (interpreter start-up and
`import pandas` excluded), reading the columns it needs from the same SQLite file.
"""
import argparse, csv, io, json, re, sqlite3, statistics, subprocess, sys, time

import pandas as pd


def timed(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def run(bin_, *args):
    return subprocess.run([bin_, *args], check=True, capture_output=True, text=True).stdout


def pandas_count(db, run):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    df = pd.read_sql_query(
        "SELECT t.step, t.exact_match, t.reward, t.search_actions, t.invalid_actions, t.repeated_queries,"
        " t.searches_after_hit, t.answer_retrieved, t.turn_count, t.status, t.valid_action_count, t.search_count"
        " FROM trajectory t JOIN run r ON r.id = t.run_id WHERE r.name = ?", con, params=(run,))
    con.close()
    df["finished"] = (df.status == "finished").astype(float)
    df["ratio"] = df.valid_action_count / df.turn_count.clip(lower=1)
    df["retrieved_not_answered"] = ((df.answer_retrieved == 1) & (df.exact_match == 0)).astype(int)
    table = df.groupby("step").agg(
        trajectories=("exact_match", "size"), em=("exact_match", "mean"), reward_mean=("reward", "mean"),
        search_actions_mean=("search_actions", "mean"), invalid_actions_mean=("invalid_actions", "mean"),
        repeated_queries=("repeated_queries", "sum"), searches_after_hit=("searches_after_hit", "sum"),
        retrieved_not_answered=("retrieved_not_answered", "sum"),
        actions_mean=("turn_count", "mean"), actions_max=("turn_count", "max"), actions_min=("turn_count", "min"),
        finish_ratio=("finished", "mean"), valid_action=("valid_action_count", "mean"),
        ratio_valid=("ratio", "mean"), valid_search=("search_count", "mean"))
    histogram = df.groupby(["step", "search_count"]).size()
    return table, histogram


def agree(searchlab_csv, table):
    rows = list(csv.DictReader(io.StringIO(searchlab_csv)))
    assert len(rows) == len(table), (len(rows), len(table))
    pairs = [("env/number_of_actions/mean", "actions_mean"), ("env/finish_ratio", "finish_ratio"),
             ("env/number_of_valid_search", "valid_search"), ("env/ratio_of_valid_action", "ratio_valid"),
             ("em", "em"), ("trajectories", "trajectories"), ("repeated_queries", "repeated_queries")]
    for row in rows:
        expected = table.loc[int(row["step"])]
        for ours, theirs in pairs:
            # searchlab's table and CSV print 4 decimals.
            assert abs(float(row[ours]) - float(expected[theirs])) <= 5e-5, (row["step"], ours, row[ours], expected[theirs])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--import-log", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()

    log = open(a.import_log).read()
    imported = int(re.search(r"imported (\d+)", log).group(1))
    store_s = float(re.search(r"stored in ([0-9.]+) s", log).group(1))

    count_s, count_csv = timed(lambda: run(a.bin, "count", "--db", a.db, "--run", "big", "--by", "step", "--format", "csv"), a.repeats)
    pandas_s, (table, _) = timed(lambda: pandas_count(a.db, "big"), a.repeats)
    agree(count_csv, table)
    diff_s, diff_json = timed(lambda: run(a.bin, "diff", "--run-a", "diff-a", "--run-b", "diff-b", "--db", a.db, "--format", "json"), a.repeats)
    totals = json.loads(diff_json)["totals"]
    dot_path = a.out.replace(".json", "-group.dot")
    run(a.bin, "graph", "--group", "sq0", "--run", "group", "--db", a.db, "--format", "dot", "--out", dot_path)
    dot = open(dot_path).read()
    nodes = len(re.findall(r"^  n\d+ \[", dot, flags=re.M))
    svg_path = a.out.replace(".json", "-group.svg")
    graph_s, _ = timed(lambda: run(a.bin, "graph", "--group", "sq0", "--run", "group", "--db", a.db, "--format", "svg", "--out", svg_path), a.repeats)

    results = {
        "trajectories": imported, "store_seconds": store_s, "store_rate": imported / store_s,
        "count_by_step_seconds": count_s, "pandas_count_by_step_seconds": pandas_s,
        "pandas_over_searchlab": pandas_s / count_s, "steps": len(table),
        "diff_runs_seconds": diff_s, "diff_shared_questions": totals["shared"],
        "diff_flips": totals["right_to_wrong"] + totals["wrong_to_right"],
        "group_graph_nodes": nodes, "group_graph_svg_seconds": graph_s,
    }
    json.dump(results, open(a.out, "w"), indent=2, sort_keys=True)
    r = results
    print(f"| store {r['trajectories']:,} trajectories (one transaction per 50,000) | {r['store_seconds']:.2f} s | {r['store_rate']:,.0f} trajectories/s | ≥ 50,000/s |")
    print(f"| `count --by step` ({r['steps']} steps) | {r['count_by_step_seconds']:.3f} s | pandas {r['pandas_count_by_step_seconds']:.3f} s (pandas/searchlab = {r['pandas_over_searchlab']:.2f}×) | < 1 s |")
    print(f"| `diff --run-a --run-b` ({r['diff_shared_questions']:,} questions, {r['diff_flips']:,} flips) | {r['diff_runs_seconds']:.3f} s | | < 2 s |")
    print(f"| `graph --group` to SVG ({r['group_graph_nodes']:,} nodes) | {r['group_graph_svg_seconds']:.3f} s | | < 1 s |")


if __name__ == "__main__":
    sys.exit(main())
