"""Peer for the serve benchmark: Search-R1's serving stack with an equivalent random engine.

Search-R1's `retrieval_server.py` is FastAPI + pydantic + uvicorn (one process) with a
synchronous endpoint; its retrievers need a GPU and a 14 GB corpus, so this peer keeps the
stack and the request/response contract and swaps the retriever for the same kind of
engine `searchlab serve --engine random` runs: k distinct passages drawn per query from a
corpus JSONL, seeded by the query text, scored uniformly and sorted by score then id.
Both servers therefore do comparable per-query work and the measurement is the serving path.

Usage: peer_fastapi.py CORPUS PORT
"""
import hashlib
import json
import random
import sys
from typing import List, Optional

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel


class QueryRequest(BaseModel):
    queries: List[str]
    topk: Optional[int] = None
    return_scores: bool = False


def load(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


corpus = load(sys.argv[1])
app = FastAPI()


def draw(query: str, k: int) -> list:
    key = int.from_bytes(hashlib.sha256(b"1\0" + query.encode()).digest()[:8], "little")
    rng = random.Random(key)
    picks = rng.sample(range(len(corpus)), min(k, len(corpus)))
    hits = [(rng.random(), corpus[i]) for i in picks]
    hits.sort(key=lambda h: (-h[0], h[1]["id"]))
    return hits


@app.post("/retrieve")
def retrieve(request: QueryRequest):
    k = request.topk or 3
    results = [draw(q, k) for q in request.queries]
    if request.return_scores:
        return {"result": [[{"document": doc, "score": score} for score, doc in hits] for hits in results]}
    return {"result": [[doc for _, doc in hits] for hits in results]}


if __name__ == "__main__":
    print(f"peer listening on http://127.0.0.1:{sys.argv[2]}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
