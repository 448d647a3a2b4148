#!/usr/bin/env python3
"""How hard is retrieval in a world? Recall@k of the first supporting passage when the
question itself is the query, with a small pure-Python BM25 (Lucene idf, k1=0.9, b=0.4,
bm25s-style `\\w\\w+` lowercase tokens, ties by id). Usage: bm25_recall.py WORLD_DIR [K]"""
import collections
import json
import math
import re
import sys


def tokens(text):
    return re.findall(r"\w\w+", text.lower())


class BM25:
    def __init__(self, docs, k1=0.9, b=0.4):
        self.ids = [d["id"] for d in docs]
        self.lengths = []
        self.postings = collections.defaultdict(list)
        for i, d in enumerate(docs):
            toks = tokens(d["contents"])
            self.lengths.append(len(toks))
            for word, count in collections.Counter(toks).items():
                self.postings[word].append((i, count))
        self.n = len(docs)
        self.avgdl = sum(self.lengths) / self.n
        self.k1, self.b = k1, b

    def search(self, query, k):
        scores = collections.Counter()
        for word in set(tokens(query)):
            postings = self.postings.get(word, [])
            df = len(postings)
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            for i, tf in postings:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avgdl)
                scores[i] += idf * tf / (tf + norm)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], int(self.ids[item[0]])))
        return [self.ids[i] for i, _ in ranked[:k]]


def main():
    world, k = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    engine = BM25([json.loads(line) for line in open(f"{world}/corpus.jsonl")])
    questions = [json.loads(line) for split in ("train", "test") for line in open(f"{world}/{split}.jsonl")]
    hits = collections.defaultdict(lambda: [0, 0])
    for q in questions:
        first = q["metadata"]["supporting_passages"][0]
        found = first in engine.search(q["question"], k)
        keys = [q["data_source"]]
        if q["data_source"] == "sim-1hop":
            keys.append("sim-1hop " + q["metadata"]["relation_chain"][0])
        for key in keys:
            hits[key][0] += found
            hits[key][1] += 1
    for key, (found, total) in sorted(hits.items()):
        print(f"{key:28} recall@{k} {found / total:.3f}  ({total} questions)")


if __name__ == "__main__":
    main()
