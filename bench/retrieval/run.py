#!/usr/bin/env python3
"""Retrieval benchmark: SearchLab vs bm25s on the same corpus and queries, side by side.

First builds a simulated world with `searchlab world` (by default 40,000 entities × 5
passages = 200,000 passages) and takes the queries from its training questions (the first
--queries question texts, cycled in order if the world has fewer). Then, for each of --runs
rounds: build the index with `searchlab index` (--threads 1 and 2) and with bm25s, then
answer every query (top-10) with `searchlab search --queries` (one thread; wall time of the
whole process: start, index load, search, JSON-lines output of ids and scores) and with bm25s
(tokenize + retrieve only, in-process, one thread). Reports medians and ratios, and the
top-10 agreement with exact scores recomputed in float64 from the formula (see
BENCHMARKS.md for the tie rule). Writes bench/out/retrieval/results.json.
"""
import argparse
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PY = sys.executable
STOP = set("a an and are as at be but by for if in into is it no not of on or such that the their "
           "then there these they this to was will with".split())
TOKEN = re.compile(r"(?u)\b\w\w+\b")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd, **kw):
    """Wall seconds, CPU seconds (user + system of the child) and stdout of a command."""
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    return time.perf_counter() - start, children_cpu() - cpu, done.stdout


def analyze(text):
    return [t for t in TOKEN.findall(text.lower()) if t not in STOP]


class ExactScorer:
    """The formula in float64 over the whole corpus, for agreement checks."""

    def __init__(self, corpus_path, k1, b):
        self.ids, self.tf, self.dl, self.df = [], [], [], Counter()
        with open(corpus_path, encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                terms = analyze(doc["contents"])
                self.ids.append(doc["id"])
                counts = Counter(terms)
                self.tf.append(counts)
                self.dl.append(len(terms))
                self.df.update(counts.keys())
        self.row = {d: i for i, d in enumerate(self.ids)}
        self.n, self.avgdl, self.k1, self.b = len(self.ids), sum(self.dl) / len(self.ids), k1, b

    def score(self, query_terms, doc_id):
        i = self.row[doc_id]
        total = 0.0
        for t in query_terms:
            tf = self.tf[i].get(t, 0)
            if tf:
                n = self.df[t]
                idf = math.log(1 + (self.n - n + 0.5) / (n + 0.5))
                total += idf * (tf / (tf + self.k1 * (1 - self.b + self.b * self.dl[i] / self.avgdl)))
        return total


def agreement(scorer, queries, ours, theirs, k):
    """Counts of strict, exact-tie-aware and float32-tolerant agreement (see BENCHMARKS.md)."""
    strict = ties = f32 = 0
    worst_score_error = 0.0
    for query, mine, other in zip(queries, ours, theirs):
        terms = analyze(query)
        mine_ids = [h["id"] for h in mine]
        other_ids = [h[0] for h in other]
        for h in mine:
            exact = scorer.score(terms, h["id"])
            worst_score_error = max(worst_score_error, abs(h["score"] - exact) / max(1.0, exact))
        strict += mine_ids == other_ids
        exact = {d: scorer.score(terms, d) for d in set(mine_ids) | set(other_ids)}
        # bm25s's list re-ordered by SearchLab's rule (exact score desc, id bytes asc).
        reordered = sorted(other_ids, key=lambda d: (-exact[d], d.encode()))
        same_length = len(reordered) == len(mine_ids)
        tied = same_length and all(
            a == b or exact[a] == exact[b] for a, b in zip(reordered, mine_ids))
        close = same_length and all(
            a == b or abs(exact[a] - exact[b]) <= 1e-6 * max(exact[a], exact[b]) for a, b in zip(reordered, mine_ids))
        ties += tied
        f32 += close
    n = len(queries)
    return {"queries": n, "strict": strict / n, "tie_aware": ties / n, "float32_tolerant": f32 / n,
            "max_relative_score_error_vs_formula": worst_score_error}


def build_world(binary, seed, entities, train, queries, data):
    """A fresh world in data/world and its first `queries` question texts in data/queries.jsonl.

    The world is regenerated on every benchmark run (a few seconds), so the corpus is exactly
    what this binary's generator makes for the seed. `train` questions are generated (the
    generator refuses a count it cannot fill, so smaller worlds need a smaller --questions);
    when that is fewer than `queries` the list is cycled in file order.
    """
    world = data / "world"
    seconds, _, _ = timed([binary, "world", "--seed", str(seed), "--entities", str(entities),
                           "--train", str(train), "--test", "0", "--out", str(world), "--force"])
    manifest = json.loads((world / "world.json").read_text(encoding="utf-8"))
    with open(world / "train.jsonl", encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    if not questions:
        sys.exit("bench-retrieval: the world has no training questions")
    chosen = [questions[i % len(questions)] for i in range(queries)]
    with open(data / "queries.jsonl", "w", encoding="utf-8") as f:
        for q in chosen:
            f.write(json.dumps({"query": q}) + "\n")
    return world / "corpus.jsonl", data / "queries.jsonl", {
        "seed": seed, "entities": entities, "generate_seconds": seconds, "sizes": manifest.get("sizes"),
        "corpus_sha256": manifest["files"]["corpus.jsonl"]["sha256"],
        "distinct_questions": len(questions), "queries": queries}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20260325, help="seed of `searchlab world`")
    ap.add_argument("--entities", type=int, default=40_000, help="world entities (5 passages each)")
    ap.add_argument("--min-passages", type=int, default=200_000, help="refuse a smaller world")
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--questions", type=int, help="training questions to generate (default: --queries)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=str(ROOT / ".build/release/searchlab"))
    ap.add_argument("--out", default=str(ROOT / "bench/out/retrieval"))
    ap.add_argument("--no-search", action="store_true", help="time index builds only")
    args = ap.parse_args()
    out = Path(args.out)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    corpus_path, queries_path, world = build_world(args.binary, args.seed, args.entities, args.questions or args.queries,
                                                   args.queries, data)
    passages = world["sizes"]["passages"]
    print(f"world: {passages} passages, {world['distinct_questions']} training questions, "
          f"generated in {world['generate_seconds']:.2f}s", flush=True)
    if passages < args.min_passages:
        sys.exit(f"bench-retrieval: the world has {passages} passages, fewer than --min-passages {args.min_passages}")
    corpus, queries_path = str(corpus_path), str(queries_path)
    index, bdir = str(out / "searchlab.index"), str(out / "bm25s-index")
    ours_results, theirs_results = out / "searchlab-results.jsonl", out / "bm25s-results.jsonl"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    t = {k: [] for k in ("ours_index_1", "ours_index_2", "bm25s_index", "ours_search", "bm25s_search",
                         "ours_index_1_cpu", "ours_index_2_cpu", "bm25s_index_cpu")}
    info = {}
    for run in range(args.runs):
        for threads in (1, 2):
            s, cpu, _ = timed([args.binary, "index", "--corpus", corpus, "--out", index, "--threads", str(threads)])
            t[f"ours_index_{threads}"].append(s)
            t[f"ours_index_{threads}_cpu"].append(cpu)
        _, _, line = timed([PY, str(HERE / "bm25s_side.py"), "index", "--corpus", corpus, "--index-dir", bdir], env=env)
        t["bm25s_index"].append(json.loads(line)["index_seconds"])
        t["bm25s_index_cpu"].append(json.loads(line)["index_cpu_seconds"])
        if args.no_search:
            print(f"run {run + 1}: " + ", ".join(f"{k}={v[-1]:.2f}s" for k, v in t.items() if v), flush=True)
            continue
        with open(ours_results, "w") as f:
            start = time.perf_counter()
            subprocess.run([args.binary, "search", "--index", index, "--queries", queries_path, "--topk", "10",
                            "--format", "ids"], check=True, stdout=f)
            t["ours_search"].append(time.perf_counter() - start)
        _, _, line = timed([PY, str(HERE / "bm25s_side.py"), "search", "--corpus", corpus, "--queries", queries_path,
                         "--index-dir", bdir, "--results", str(theirs_results), "--k", "10"], env=env)
        info = json.loads(line)
        t["bm25s_search"].append(info["search_seconds"])
        print(f"run {run + 1}: " + ", ".join(f"{k}={v[-1]:.2f}s" for k, v in t.items()), flush=True)
    med = {k: statistics.median(v) for k, v in t.items() if v}
    if args.no_search:
        result = {"passages": passages, "world": world, "runs": args.runs, "seconds": t, "median_seconds": med,
                  "ratios": {"index_build_1_thread": med["bm25s_index"] / med["ours_index_1"],
                             "index_build_2_threads": med["bm25s_index"] / med["ours_index_2"],
                             "index_build_cpu_1_thread": med["bm25s_index_cpu"] / med["ours_index_1_cpu"],
                             "index_build_cpu_2_threads": med["bm25s_index_cpu"] / med["ours_index_2_cpu"]}}
        (out / "results-index.json").write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result, indent=1))
        return
    n = args.queries
    queries = [json.loads(l)["query"] for l in open(queries_path, encoding="utf-8")]
    ours = [json.loads(l)["result"] for l in open(ours_results, encoding="utf-8")]
    theirs = [json.loads(l) for l in open(theirs_results, encoding="utf-8")]
    scorer = ExactScorer(corpus, 0.9, 0.4)
    agree = agreement(scorer, queries, ours, theirs, 10)
    result = {
        "passages": passages, "world": world, "queries": n, "runs": args.runs, "seconds": t, "median_seconds": med,
        "qps": {"searchlab": n / med["ours_search"], "bm25s": n / med["bm25s_search"]},
        "ratios": {"qps": med["bm25s_search"] / med["ours_search"],
                   "index_build_1_thread": med["bm25s_index"] / med["ours_index_1"],
                   "index_build_2_threads": med["bm25s_index"] / med["ours_index_2"],
                   "index_build_cpu_1_thread": med["bm25s_index_cpu"] / med["ours_index_1_cpu"],
                   "index_build_cpu_2_threads": med["bm25s_index_cpu"] / med["ours_index_2_cpu"]},
        "agreement": agree, "bm25s": info.get("bm25s"), "numpy": info.get("numpy"),
    }
    (out / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
