#!/usr/bin/env python3
"""Seeded synthetic Search-R1-format corpus and queries for the retrieval benchmark.

Passages are ~100 words drawn from a Zipfian vocabulary (exponent 1.0 over 60,000 invented
words; the most frequent ranks are real English function words, so stop-word removal
matters as it does on Wikipedia). Each passage mixes the global distribution with a small
topic vocabulary, so queries built from a passage have a few strongly matching documents.
Queries are 2-6 words taken from a random passage, sometimes plus one common word.

Temporary: once the world generator is merged this should build the corpus with
`searchlab world --seed S --out DIR` instead.
"""
import argparse
import json
from pathlib import Path

import numpy as np

FUNCTION_WORDS = ("the of and in to a is was for on as by with he at from his that it an "
                  "which were also are this be or first one had their after who its new has "
                  "two but not they into such then there these will no if").split()
SYLLABLES = ("ka ri to na me su lo vi de ra po ne mi ta ko ze lu fa bi gor tan vel mar "
             "sen dal kor rin tes vor lin bra dru fen gil hal jor kel mon nor pel quin "
             "ros sul tor ul vas wen yor zan").split()


def vocabulary(rng, size):
    words, seen = list(FUNCTION_WORDS), set(FUNCTION_WORDS)
    while len(words) < size:
        n = rng.integers(1, 5)
        w = "".join(rng.choice(SYLLABLES, size=n))
        if rng.random() < 0.02:
            w += str(rng.integers(0, 3000))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20260325)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    words = np.array(vocabulary(rng, 60_000))
    ranks = np.arange(1, len(words) + 1)
    p = 1.0 / ranks
    p /= p.sum()
    lengths = np.clip(rng.normal(100, 20, size=args.passages).astype(int), 30, 200)
    background = rng.choice(len(words), size=int(lengths.sum()), p=p)
    topics = rng.integers(200, len(words), size=(args.passages, 6))
    passages = []
    at = 0
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as f:
        for i, n in enumerate(lengths):
            ids = background[at:at + n].copy()
            at += n
            mask = rng.random(n) < 0.12
            ids[mask] = topics[i][rng.integers(0, 6, size=int(mask.sum()))]
            title = " ".join(w.capitalize() for w in words[topics[i][:2]])
            text = " ".join(words[ids])
            passages.append(ids)
            f.write(json.dumps({"id": f"p{i}", "contents": f'"{title}"\n{text}'}) + "\n")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as f:
        for q in range(args.queries):
            ids = passages[rng.integers(0, args.passages)]
            k = int(rng.integers(2, 7))
            chosen = list(words[rng.choice(ids, size=k, replace=False)])
            if rng.random() < 0.3:
                chosen.append(str(words[rng.integers(0, 200)]))
            f.write(json.dumps({"query": " ".join(chosen)}) + "\n")
    print(f"wrote {args.passages} passages and {args.queries} queries to {out}")


if __name__ == "__main__":
    main()
