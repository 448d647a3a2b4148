#!/usr/bin/env python3
"""PyTorch (CPU, eager) twin of the SearchLab policy for side-by-side benchmarks.

Same architecture as docs/policy.md (RMSNorm, GELU-tanh MLP, learned positions, tied
embeddings), same sizes, same measurement as `searchlab bench-policy`; prints one JSON line.
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {"tiny": (64, 32, 2, 4), "small": (512, 128, 4, 4), "base": (512, 384, 6, 6)}


class RMSNorm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.weight


class Block(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.nh = nh
        self.ln_1, self.ln_2 = RMSNorm(c), RMSNorm(c)
        self.c_attn, self.attn_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x, cache=None):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.nh, c // self.nh).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        y = F.scaled_dot_product_attention(q, k, v, is_causal=(t > 1))
        x = x + self.attn_proj(y.transpose(1, 2).contiguous().view(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, ctx, c, depth, nh):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, c), nn.Embedding(ctx, c)
        self.h = nn.ModuleList(Block(c, nh) for _ in range(depth))
        self.ln_f = RMSNorm(c)

    def forward(self, idx, start=0, caches=None):
        pos = torch.arange(start, start + idx.shape[1])
        x = self.wte(idx) + self.wpe(pos)
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.weight.T


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="small")
    p.add_argument("--vocab", type=int, default=8192)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--micro-batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--gen-batch", type=int, default=32)
    p.add_argument("--gen-prompt", type=int, default=16)
    p.add_argument("--gen-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    ctx, c, depth, nh = CONFIGS[a.config]
    ctx = max(ctx, a.seq, a.gen_prompt + a.gen_tokens)
    model = GPT(a.vocab, ctx, c, depth, nh)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    micro = [torch.randint(0, a.vocab, (a.micro_batch, a.seq)) for _ in range(a.batch // a.micro_batch)]

    def step():
        opt.zero_grad(set_to_none=False)
        for x in micro:
            logits = model(x[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, a.vocab), x[:, 1:].reshape(-1)) / len(micro)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    median = sorted(times)[len(times) // 2]
    result = {"config": a.config, "train_tokens_per_s": a.batch * a.seq / median}

    prompts = torch.randint(0, a.vocab, (a.gen_batch, a.gen_prompt))
    with torch.no_grad():
        t0 = time.perf_counter()
        caches = [{} for _ in range(depth)]
        logits = model(prompts, 0, caches)[:, -1]
        pos = a.gen_prompt
        for _ in range(a.gen_tokens):
            token = torch.multinomial(F.softmax(logits, -1), 1)
            if pos - a.gen_prompt + 1 == a.gen_tokens:
                break
            logits = model(token, pos, caches)[:, -1]
            pos += 1
        result["gen_tokens_per_s"] = a.gen_batch * a.gen_tokens / (time.perf_counter() - t0)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
