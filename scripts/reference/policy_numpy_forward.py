#!/usr/bin/env python3
"""Independent numpy forward pass of the SearchLab policy transformer.

Loads fixtures/golden/policy_tiny/model.safetensors with the `safetensors` package
(numpy backend), runs the architecture documented in docs/policy.md in float64, and
compares the logits with fixtures/golden/policy_tiny_logits.json, which a Swift test
(InteropFixtureTests) checks against the Swift forward pass. Exit status 1 on mismatch.

Usage: scripts/reference/policy_numpy_forward.py [--check] [--checkpoint DIR] [--expected FILE]
"""
import argparse
import json
import math
import pathlib
import sys

import numpy as np
from safetensors.numpy import load_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOLERANCE = 1e-4


def rmsnorm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def gelu(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(weights, config, tokens):
    """Logits (T, V) of one unpadded sequence."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    c, nh, eps = config["n_embd"], config["n_head"], config["rms_norm_eps"]
    hs = c // nh
    t = len(tokens)
    x = w["wte.weight"][tokens] + w["wpe.weight"][np.arange(t)]
    causal = np.tril(np.ones((t, t), dtype=bool))
    for layer in range(config["n_layer"]):
        p = f"h.{layer}."
        h = rmsnorm(x, w[p + "ln_1.weight"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"].T + w[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :c], qkv[:, c:2 * c], qkv[:, 2 * c:]
        heads = []
        for head in range(nh):
            s = slice(head * hs, (head + 1) * hs)
            scores = q[:, s] @ k[:, s].T / math.sqrt(hs)
            scores = np.where(causal, scores, -np.inf)
            scores = np.exp(scores - scores.max(axis=1, keepdims=True))
            heads.append((scores / scores.sum(axis=1, keepdims=True)) @ v[:, s])
        y = np.concatenate(heads, axis=1)
        x = x + y @ w[p + "attn.c_proj.weight"].T + w[p + "attn.c_proj.bias"]
        h = rmsnorm(x, w[p + "ln_2.weight"], eps)
        h = gelu(h @ w[p + "mlp.c_fc.weight"].T + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"].T + w[p + "mlp.c_proj.bias"]
    x = rmsnorm(x, w["ln_f.weight"], eps)
    return x @ w["wte.weight"].T  # tied embeddings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if any logit differs by more than 1e-4")
    parser.add_argument("--checkpoint", default=str(ROOT / "fixtures/golden/policy_tiny"))
    parser.add_argument("--expected", default=str(ROOT / "fixtures/golden/policy_tiny_logits.json"))
    args = parser.parse_args()
    ckpt = pathlib.Path(args.checkpoint)
    config = json.loads((ckpt / "config.json").read_text())
    weights = load_file(str(ckpt / "model.safetensors"))
    expected = json.loads(pathlib.Path(args.expected).read_text())
    worst = 0.0
    for tokens, logits in zip(expected["sequences"], expected["logits"]):
        ours = forward(weights, config, np.array(tokens))
        worst = max(worst, float(np.max(np.abs(ours - np.array(logits, dtype=np.float64)))))
    print(f"policy numpy forward: {len(weights)} tensors, max |logit difference| = {worst:.3g} (tolerance {TOLERANCE})")
    ok = worst <= TOLERANCE
    # tokenizer.json must load in Hugging Face `tokenizers` and decode exactly; sequence 0
    # is the Swift encoding of this text (InteropFixtureTests.record)
    from tokenizers import Tokenizer
    hf = Tokenizer.from_file(str(ckpt / "tokenizer.json"))
    decoded = hf.decode(expected["sequences"][0], skip_special_tokens=False)
    want = "<search> Hamlet author </search>"
    print(f"tokenizers: vocab {hf.get_vocab_size()}, decode {decoded!r} {'==' if decoded == want else '!='} {want!r}")
    ok = ok and decoded == want and hf.get_vocab_size() == config["vocab_size"]
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
