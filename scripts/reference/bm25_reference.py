#!/usr/bin/env python3
"""Independent reference for SearchLab's BM25 and analyzer (plain Python, no SearchLab code).

Analyzer: bm25s's default tokenisation written out from its definition -
text.lower(), re.findall(r"(?u)\\b\\w\\w+\\b"), drop bm25s's 33 English stop words.
Scoring: Lucene BM25 without the (k1+1) factor and with exact lengths -
idf = ln(1 + (N - n + 0.5) / (n + 0.5)), tf part = tf / (tf + k1 * (1 - b + b * dl / avgdl)),
summed over query tokens (a repeated query token counts each time, as in bm25s).
Ranking: score descending, ties by id (UTF-8 byte order, which for str is code point order).

Writes fixtures/golden/bm25.json and fixtures/golden/analyzer.json; --check compares instead.
"""
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STOPWORDS_EN = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
}
TOKEN = re.compile(r"(?u)\b\w\w+\b")


def analyze(text, stopwords):
    tokens = TOKEN.findall(text.lower())
    return [t for t in tokens if not (stopwords == "en" and t in STOPWORDS_EN)]


def bm25(corpus, queries, k1, b, stopwords, topk):
    docs = [(d["id"], analyze(d["contents"], stopwords)) for d in corpus]
    n_docs = len(docs)
    avgdl = sum(len(t) for _, t in docs) / n_docs
    df = {}
    for _, terms in docs:
        for term in set(terms):
            df[term] = df.get(term, 0) + 1
    out = []
    for query in queries:
        scores = {}
        for doc_id, terms in docs:
            total, matched = 0.0, False
            for q in analyze(query, stopwords):
                tf = terms.count(q)
                if tf == 0:
                    continue
                matched = True
                n = df[q]
                idf = math.log(1 + (n_docs - n + 0.5) / (n + 0.5))
                total += idf * (tf / (tf + k1 * (1 - b + b * len(terms) / avgdl)))
            if matched:
                scores[doc_id] = total
        ranking = sorted(scores, key=lambda i: (-scores[i], i.encode("utf-8")))[:topk]
        out.append({"query": query, "scores": scores, "ranking": ranking})
    return out


QUERIES = [
    "capital of France",
    "Paris Paris",
    "paris",
    "river boats",
    "the river",
    "Seine river Paris capital",
    "snake_case max_len __init__",
    "x y z",
    "1998 CO2 ①②",
    "ὀδυσσεύς café",
    "οδυσσευς οδυσσεας",
    "nothing matches zzzz",
    "capital capital city",
]

ANALYZER_TEXTS = [
    "Hello, World! It's a don't-stop test.",
    "snake_case __init__ _x x_ a_b_c",
    "I a x 1 2 ab 12 a1 Z9",
    "3.14 1,000 2nd ½ ①② ٣٤ ² CO2",
    "café cafe\u0301 naïve Ångström",
    "ΟΔΥΣΣΕΥΣ ΣΑΣ Σ σΣ ΌΣΟΣ",
    "İstanbul DŽungla ǅ ß ẞ",
    "東京タワー 北京 一二三",
    "tab\there\nnewline\u00a0nbsp\u2003emspace",
    "the THE The and AND of Of",
    "emoji 😀 test 👍🏽ok",
    "",
]

CONFIGS = [
    {"stopwords": "en", "k1": 0.9, "b": 0.4, "topk": 5},
    {"stopwords": "none", "k1": 1.2, "b": 0.75, "topk": 5},
]


def build():
    corpus = [json.loads(l) for l in (ROOT / "fixtures/retrieval/small-corpus.jsonl").read_text().splitlines() if l.strip()]
    bm25_golden = {
        "corpus": "retrieval/small-corpus.jsonl",
        "configs": [dict(c, results=bm25(corpus, QUERIES, c["k1"], c["b"], c["stopwords"], c["topk"])) for c in CONFIGS],
    }
    analyzer_golden = [
        {"text": t, "tokens": analyze(t, "none"), "terms_en": analyze(t, "en")} for t in ANALYZER_TEXTS
    ]
    return {
        "bm25.json": json.dumps(bm25_golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        "analyzer.json": json.dumps(analyzer_golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    }


def main():
    check = "--check" in sys.argv
    ok = True
    for name, text in build().items():
        path = ROOT / "fixtures/golden" / name
        if check:
            if path.read_text(encoding="utf-8") != text:
                print(f"{path}: differs from the reference", file=sys.stderr)
                ok = False
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
