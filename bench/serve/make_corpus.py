"""Writes a Search-R1-format corpus of invented passages for the serve benchmark.

Deterministic (seeded), ~100-word passages like wiki-18's DPR chunks, so responses have
realistic sizes. Usage: make_corpus.py OUT.jsonl [N]
"""
import json
import random
import sys

WORDS = ("river city founded museum council province author novel league harbour "
         "railway festival bishop dynasty university orchestra mountain treaty parish "
         "company engineer painter senate island bridge archive cathedral").split()


def main() -> None:
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    rng = random.Random(20251125)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            title = f"Entity {i} ({rng.choice(WORDS)})"
            text = " ".join(rng.choice(WORDS) for _ in range(100))
            f.write(json.dumps({"id": str(i), "contents": f'"{title}"\n{title} {text}.'}) + "\n")


if __name__ == "__main__":
    main()
