#!/usr/bin/env python3
"""Independent reference for Search-R1's answer normalisation and rewards.

Re-implements, from the published rules (Search-R1 `verl/utils/reward_score/qa_em.py` and
`qa_em_format.py`, as documented in search-r1-notes.md §3), the functions SearchLab mirrors,
using Python's own `str` and `re` semantics, and writes golden vectors to
fixtures/golden/rewards.jsonl. SearchLab's Swift implementation must match every case.

Run: python3 scripts/reference/rewards_reference.py [--check]
  --check  compare with the committed file instead of writing it (exit 1 on difference).
"""
import json
import re
import string
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "rewards.jsonl"

# ---------------------------------------------------------------- upstream rules

def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def em_check(prediction, golden_answers):
    if isinstance(golden_answers, str):
        golden_answers = [golden_answers]
    p = normalize_answer(prediction)
    return int(any(normalize_answer(g) == p for g in golden_answers))


def subem_check(prediction, golden_answers):
    if isinstance(golden_answers, str):
        golden_answers = [golden_answers]
    p = normalize_answer(prediction)
    return int(any(normalize_answer(g) in p for g in golden_answers))


def extract_solution(solution_str, minimum=2):
    matches = list(re.finditer(r"<answer>(.*?)</answer>", solution_str, re.DOTALL))
    if len(matches) < minimum:
        return None
    return matches[-1].group(1).strip()


def is_valid_response(content):
    for tag in ["think", "search", "information", "answer"]:
        if len(re.findall(f"<{tag}>", content)) != len(re.findall(f"</{tag}>", content)):
            return False
    parts = re.split(r"(</?(?:think|search|information|answer)>)", content)
    state = "start"
    moves = {
        ("<think>", "start"): "in_think", ("<think>", "information"): "in_think",
        ("</think>", "in_think"): "after_think", ("<search>", "after_think"): "in_search",
        ("</search>", "in_search"): "after_search", ("<information>", "after_search"): "in_information",
        ("</information>", "in_information"): "information", ("<answer>", "after_think"): "in_answer",
        ("</answer>", "in_answer"): "end",
    }
    for part in parts:
        if not part.strip():
            continue
        if re.match(r"</?(?:think|search|information|answer)>", part):
            if (part, state) not in moves:
                return False
            state = moves[(part, state)]
        elif state in ("in_think", "in_search", "in_information", "in_answer"):
            pass
        else:
            return False
    return state == "end"


def is_valid_sequence(text):
    m = re.search(r"<\|im_start\|>assistant\s*", text)
    if not m:
        return False
    return is_valid_response(text[m.end():])


def is_retrieval_correct(text, golden_answers):
    for block in re.findall(r"<information>(.*?)</information>", text, re.DOTALL):
        for g in golden_answers:
            if normalize_answer(g) in normalize_answer(block.strip()):
                return True
    return False


def format_reward(answer, em, valid, hit, lf, lff, lr):
    shaped = lf + lr if hit else lf
    if answer is None:
        return shaped if valid else 0
    if em:
        return 1 if valid else 1 - lf
    return shaped if valid else lff

# ---------------------------------------------------------------- SearchLab's response view

PREFIX = ("Answer the given question. You must conduct reasoning inside <think> and </think> first every time "
          "you get new information. After reasoning, if you find you lack some knowledge, you can call a search "
          "engine by <search> query </search> and it will return the top searched results between <information> "
          "and </information>. You can search as many times as your want. If you find no further external "
          "knowledge needed, you can directly provide the answer inside <answer> and </answer>, without detailed "
          "illustrations. For example, <answer> Beijing </answer>. Question: ")
FEEDBACK = ("\nMy previous action is invalid. If I want to search, I should put the query between <search> and "
            "</search>. If I want to give the final answer, I should put the answer between <answer> and </answer>. "
            "Let me try again.\n")


def response_of(seq):
    """The response after the prompt, cut after the last turn by Search-R1's truncation rule."""
    marker = "<|im_start|>assistant"
    if marker in seq:
        start = seq.index(marker) + len(marker)
        if seq[start:start + 1] == "\n":
            start += 1
    elif PREFIX in seq:
        q = seq.index(PREFIX) + len(PREFIX)
        nl = seq.find("\n", q)
        start = len(seq) if nl < 0 else nl + 1
    else:
        start = 0
    resp = seq[start:]
    pos = 0
    while True:  # walk observations in order, as the rollout loop appended them
        info = resp.find("\n\n<information>", pos)
        fb = resp.find(FEEDBACK, pos)
        if fb >= 0 and (info < 0 or fb < info):
            pos = fb + len(FEEDBACK)
            continue
        if info < 0:
            break
        close = resp.find("</information>", info + len("\n\n<information>"))
        if close < 0:
            return resp
        pos = close + len("</information>")
        for _ in range(2):
            if resp[pos:pos + 1] == "\n":
                pos += 1
    last = resp[pos:]
    if "</search>" in last:
        last = last.split("</search>")[0] + "</search>"
    elif "</answer>" in last:
        last = last.split("</answer>")[0] + "</answer>"
    return resp[:pos] + last


def score(seq, golds, scheme, extraction, lf=0.0, lff=0.0, lr=0.0):
    text = seq if extraction == "upstream" else response_of(seq)
    answer = extract_solution(text, 2 if extraction == "upstream" else 1)
    em = bool(answer is not None and em_check(answer, golds))
    valid = is_valid_sequence(text) if extraction == "upstream" else is_valid_response(text)
    hit = valid and is_retrieval_correct(text, golds)
    if scheme == "em":
        value = 1 if em else 0
    elif scheme == "subem":
        value = 0 if answer is None else (1 if subem_check(answer, golds) else 0)
    else:
        value = format_reward(answer, em, valid, hit, lf, lff, lr)
    return {"score": value, "answer": answer, "em": em, "format_valid": valid, "retrieval_hit": hit}

# ---------------------------------------------------------------- cases

def chat(user_question, response, system="You are a helpful assistant."):
    prompt = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{PREFIX}{user_question}\n<|im_end|>\n<|im_start|>assistant\n"
    return prompt + response


def info(*docs):
    body = "".join(f"Doc {i+1}(Title: {t}) {x}\n" for i, (t, x) in enumerate(docs)).strip()
    return f"\n\n<information>{body}</information>\n\n"


NORMALIZE_INPUTS = [
    "The Beatles", "the beatles!", "A Tale of Two Cities", "an apple a day", "The the THE tHe",
    "theatre", "Anthem", "a-b", "a_b", "_the_", "the1", "1the", "Wilhelm Conrad Röntgen",
    "ΟΔΥΣΣΕΥΣ", "ΣΑΣ Σ", "İstanbul", "STRASSE straße", "ﬁnance", "“quoted” — dash",
    "it’s", "x\u00a0y", "x\u3000y", "a\u2028b", "zero\u200bwidth", "tab\tand\nnewline",
    "e\u0301 a", "\u0301a cafe", "café", "cafe\u0301", "the ²", "a Ⅻ", "٣ an ٤", "東京 the 大阪",
    "  leading and trailing  ", "", "!!!", "The", "A", "a.m.", "U.S.A.", "Dr. Who?",
    "\u0130", "ǅungla", "Ǆ", "ᾼ", "the\u00adend", "an\u2060the", "mr. the-end",
]

EM_CASES = [
    ("Beijing", ["Beijing"]), ("beijing.", ["Beijing"]), ("The Beijing", ["beijing"]),
    ("Paris", ["London", "paris"]), ("Paris, France", ["Paris"]), ("", [""]), ("the", [""]),
    ("café", ["cafe\u0301"]), ("cafe\u0301", ["cafe\u0301"]), ("Σ", ["σ"]), ("ΑΣ", ["ας"]),
    ("x\u00a0y", ["x y"]), ("1,000", ["1000"]), ("Röntgen", ["Wilhelm Conrad Röntgen"]),
]

LF, LFF, LR = 0.2, 0.1, 0.05


def sequence_cases():
    q = "who wrote the novel ubik"
    good = chat(q, "<think>I should search.</think>\n<search> ubik novel author </search>"
                + info(('"Ubik"', "Ubik is a 1969 novel by Philip K. Dick."))
                + "<think>It is Philip K. Dick.</think>\n<answer> Philip K. Dick </answer>")
    cases = [
        ("well_formed_correct", good, ["Philip K. Dick"]),
        ("well_formed_wrong", good, ["Ursula K. Le Guin"]),
        ("well_formed_retrieval_hit_wrong_answer",
         chat(q, "<think>search</think><search> ubik </search>" + info(('"Ubik"', "by Philip K. Dick"))
              + "<think>guess</think><answer> Dick </answer>"), ["Philip K. Dick"]),
        ("no_answer_prompt_quirk", chat("what is the capital of china", "<think>hmm</think>\n<search> capital of china </search>"
                                        + info(('"China"', "The capital is Beijing."))), ["Beijing"]),
        ("no_answer_quirk_other_gold", chat(q, "<think>hmm</think>"), ["Philip K. Dick"]),
        ("stray_text_correct", chat(q, "I think it is <answer> Philip K. Dick </answer>"), ["Philip K. Dick"]),
        ("missing_think_before_search",
         chat(q, "<search> ubik </search>" + info(('"Ubik"', "Philip K. Dick")) + "<think>x</think><answer> Philip K. Dick </answer>"),
         ["Philip K. Dick"]),
        ("unbalanced_think", chat(q, "<think>a<think>b</think><answer> x </answer>"), ["x"]),
        ("nested_search", chat(q, "<think>t</think><search> a <search> b </search> </search><answer>x</answer>"), ["x"]),
        ("uppercase_tags", chat(q, "<THINK>t</THINK><Answer> Philip K. Dick </Answer>"), ["Philip K. Dick"]),
        ("invalid_feedback_then_answer",
         chat(q, "no tags here" + FEEDBACK + "<think>ok</think><answer> Philip K. Dick </answer>"), ["Philip K. Dick"]),
        ("text_after_answer", chat(q, "<think>t</think><answer> Philip K. Dick </answer> trailing words"), ["Philip K. Dick"]),
        ("two_answers_last_wins", chat(q, "<think>t</think><answer> wrong </answer><answer> Philip K. Dick </answer>"),
         ["Philip K. Dick"]),
        ("answer_before_search_truncation",
         chat(q, "<think>t</think><answer> Philip K. Dick </answer><search> more </search>"), ["Philip K. Dick"]),
        ("unclosed_answer", chat(q, "<think>t</think><answer> Philip K. Dick"), ["Philip K. Dick"]),
        ("no_chatml", PREFIX + q + "?\n<think>t</think><answer> Philip K. Dick </answer>", ["Philip K. Dick"]),
        ("no_prompt_at_all", "<think>t</think><answer> Philip K. Dick </answer>", ["Philip K. Dick"]),
        ("unicode_answer", chat(q, "<think>t</think><answer> Wilhelm Conrad Röntgen </answer>"), ["wilhelm conrad röntgen"]),
        ("subem_container", chat(q, "<think>t</think><answer> the author Philip K. Dick wrote it </answer>"), ["Philip K. Dick"]),
        ("multiple_golds", chat(q, "<think>t</think><answer>PKD</answer>"), ["Philip K. Dick", "PKD"]),
        ("information_without_search", chat(q, "<think>t</think><information> Philip K. Dick </information><think>u</think><answer> a </answer>"),
         ["Philip K. Dick"]),
        ("multi_turn_two_searches",
         chat(q, "<think>a</think>\n<search> q1 </search>" + info(('"A"', "first"), ('"B"', "second"))
              + "<think>b</think>\n<search> q2 </search>" + info(('"C"', "Philip K. Dick wrote Ubik"))
              + "<think>c</think>\n<answer> Philip K. Dick </answer>"), ["Philip K. Dick"]),
        ("im_end_after_answer", chat(q, "<think>t</think><answer> Philip K. Dick </answer><|im_end|>"), ["Philip K. Dick"]),
        ("whitespace_only_between_tags", chat(q, "<think>t</think>\u3000\n<answer> Philip K. Dick </answer>"), ["Philip K. Dick"]),
        ("empty_answer", chat(q, "<think>t</think><answer></answer>"), [""]),
    ]
    return cases


def build():
    rows = []
    for s in NORMALIZE_INPUTS:
        rows.append({"kind": "normalize", "input": s, "normalized": normalize_answer(s)})
    for pred, golds in EM_CASES:
        rows.append({"kind": "match", "prediction": pred, "golden_answers": golds,
                     "em": bool(em_check(pred, golds)), "subem": bool(subem_check(pred, golds))})
    for name, seq, golds in sequence_cases():
        expected = {}
        for extraction in ("upstream", "response"):
            for scheme in ("em", "subem", "format"):
                expected[f"{scheme}/{extraction}"] = score(seq, golds, scheme, extraction, LF, LFF, LR)
        rows.append({"kind": "sequence", "name": name, "solution_str": seq, "golden_answers": golds,
                     "weights": {"structure_format_score": LF, "final_format_score": LFF, "retrieval_score": LR},
                     "expected": expected})
    rows.append({"kind": "whitespace", "code_points": [c for c in range(0x110000) if chr(c).isspace()]})
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


if __name__ == "__main__":
    text = build()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python3 scripts/reference/rewards_reference.py", file=sys.stderr)
            sys.exit(1)
        print("rewards golden vectors are fresh")
    else:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT} ({text.count(chr(10))} cases)")
