#!/usr/bin/env python3
"""The bm25s side of the retrieval benchmark, run in a fresh process per measurement.

index: read the JSONL corpus, bm25s.tokenize (its defaults: lower, (?u)\\b\\w\\w+\\b, English
stop words), BM25(method="lucene", k1, b).index, save to a directory — timed as one build.
search: load that directory, tokenize the queries the same way, retrieve k results with one
thread; only tokenize + retrieve is timed. Prints a JSON line of timings.
"""
import argparse
import json
import time

import bm25s
import numpy as np


def read_jsonl(path, field):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)[field] for line in f if line.strip()]


def index(args):
    start, cpu = time.perf_counter(), time.process_time()
    contents = read_jsonl(args.corpus, "contents")
    tokens = bm25s.tokenize(contents, stopwords="en", show_progress=False)
    model = bm25s.BM25(k1=args.k1, b=args.b, method="lucene")
    model.index(tokens, show_progress=False)
    model.save(args.index_dir)
    return {"index_seconds": time.perf_counter() - start, "index_cpu_seconds": time.process_time() - cpu}


def search(args):
    ids = read_jsonl(args.corpus, "id")
    queries = read_jsonl(args.queries, "query")
    model = bm25s.BM25.load(args.index_dir)
    start = time.perf_counter()
    query_tokens = bm25s.tokenize(queries, stopwords="en", show_progress=False, return_ids=False)
    docs, scores = model.retrieve(query_tokens, k=args.k, n_threads=1, show_progress=False)
    seconds = time.perf_counter() - start
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            for row_docs, row_scores in zip(docs, scores):
                hits = [[ids[int(d)], float(s)] for d, s in zip(row_docs, row_scores) if s > 0]
                f.write(json.dumps(hits) + "\n")
    return {"search_seconds": seconds, "queries": len(queries),
            "backend": getattr(model, "backend", "numpy"), "bm25s": bm25s.__version__,
            "numpy": np.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["index", "search"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries")
    ap.add_argument("--index-dir", required=True)
    ap.add_argument("--results")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--k1", type=float, default=0.9)
    ap.add_argument("--b", type=float, default=0.4)
    args = ap.parse_args()
    print(json.dumps(index(args) if args.mode == "index" else search(args)))


if __name__ == "__main__":
    main()
