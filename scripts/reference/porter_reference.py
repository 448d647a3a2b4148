#!/usr/bin/env python3
"""Golden Porter stems from an independent implementation: NLTK's PorterStemmer in
MARTIN_EXTENSIONS mode (Porter's reference implementation: "bli"->"ble", "logi"->"log",
words of one or two letters untouched).

Vocabulary: the examples of Porter's 1980 paper plus every lowercase token of the
Search-R1 sample files in fixtures/search-r1/. Writes fixtures/golden/porter.json
(--check compares instead). Needs `pip install nltk` (scripts/requirements-test.txt).
"""
import json
import re
import sys
from pathlib import Path

from nltk.stem.porter import PorterStemmer

ROOT = Path(__file__).resolve().parents[2]
PAPER_EXAMPLES = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated
troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional
rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti
sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
adjustment dependent adoption homologou communism activate angulariti homologous effective
bowdlerize probate rate cease controll roll generalizations oscillators archaeology tree by trouble
troubles oaten orrery""".split()


def vocabulary():
    words = set(PAPER_EXAMPLES)
    for path in sorted((ROOT / "fixtures/search-r1").iterdir()):
        words.update(w for w in re.findall(r"[a-z0-9_]+", path.read_text(encoding="utf-8").lower()))
    return sorted(words)


def main():
    stemmer = PorterStemmer(mode=PorterStemmer.MARTIN_EXTENSIONS)
    pairs = [[w, stemmer.stem(w, to_lowercase=False)] for w in vocabulary()]
    text = json.dumps(pairs, ensure_ascii=False, indent=0) + "\n"
    path = ROOT / "fixtures/golden/porter.json"
    if "--check" in sys.argv:
        if path.read_text(encoding="utf-8") != text:
            print(f"{path}: differs from the reference", file=sys.stderr)
            sys.exit(1)
    else:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(pairs)} words)")


if __name__ == "__main__":
    main()
