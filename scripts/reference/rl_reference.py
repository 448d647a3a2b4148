#!/usr/bin/env python3
"""Independent numpy reference for SearchLab's RL algorithms.

Written from the published formulas (search-r1-notes.md §4.2, peers-notes.md §A.1: verl's
`core_algos.py` as Search-R1 uses it), not from SearchLab's Swift code, and structured
differently on purpose (vectorised where the Swift code loops; GAE's masked skip done by
compressing each row to its real tokens). Writes fixtures/golden/rl_algorithms.json;
SearchLab's tests must match every number within 1e-5.

Run: python3 scripts/reference/rl_reference.py [--check]
  --check  compare with the committed file instead of writing it (exit 1 on difference).

Numbers are written with 12 significant digits so the file does not depend on the last bit of
a platform's exp().
"""
import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "rl_algorithms.json"


def r12(x):
    """Round to 12 significant digits (lists, arrays, scalars)."""
    if isinstance(x, (list, tuple, np.ndarray)):
        return [r12(v) for v in np.asarray(x, dtype=np.float64).ravel().tolist()]
    if x is None:
        return None
    return float(f"{float(x):.12g}")


def inputs(rng, shape, lo=-1.0, hi=1.0):
    """Random inputs, rounded to 6 decimals so they are exact in the file."""
    return np.round(rng.uniform(lo, hi, size=shape), 6)


# ------------------------------------------------------------------ masked statistics

def masked_mean(x, m):
    s = m.sum()
    return 0.0 if s == 0 else float((x * m).sum() / s)


def masked_var_unbiased(x, m):
    n = m.sum()
    if n < 2:
        return 0.0
    mu = masked_mean(x, m)
    return float(((x - mu) ** 2 * m).sum() / n * n / (n - 1))


def masked_whiten(x, m):
    return (x - masked_mean(x, m)) / np.sqrt(masked_var_unbiased(x, m) + 1e-8)


# ------------------------------------------------------------------ advantage estimators

def gae(rewards, values, mask, gamma, lam):
    """GAE on each row's mask-1 tokens only; a mask-0 token takes the advantage of the next
    mask-1 token to its right (0 if none), which is what verl's masked skip produces."""
    B, L = rewards.shape
    adv = np.zeros((B, L))
    for i in range(B):
        real = np.flatnonzero(mask[i] == 1)
        a_real = np.zeros(len(real))
        nxt_v, nxt_a = 0.0, 0.0
        for j in range(len(real) - 1, -1, -1):
            t = real[j]
            delta = rewards[i, t] + gamma * nxt_v - values[i, t]
            a_real[j] = delta + gamma * lam * nxt_a
            nxt_v, nxt_a = values[i, t], a_real[j]
        for t in range(L):
            later = np.flatnonzero(real >= t)
            adv[i, t] = a_real[later[0]] if len(later) else 0.0
    returns = adv + values
    return masked_whiten(adv, mask), returns


def group_stats(scores, ids):
    out = {}
    for g in dict.fromkeys(ids):
        s = scores[[k for k, x in enumerate(ids) if x == g]]
        out[g] = (0.0, 1.0) if len(s) == 1 else (float(s.mean()), float(s.std(ddof=1)))
    return out


def grpo(rewards, mask, ids, norm_by_std, eps=1e-6):
    scores = rewards.sum(axis=1)
    st = group_stats(scores, ids)
    mean = np.array([st[g][0] for g in ids])
    std = np.array([st[g][1] for g in ids])
    a = (scores - mean) / (std + eps) if norm_by_std else scores - mean
    adv = a[:, None] * mask
    return adv, adv


def rloo(rewards, mask, ids):
    scores = rewards.sum(axis=1)
    a = np.empty_like(scores)
    for k, g in enumerate(ids):
        others = [j for j, x in enumerate(ids) if x == g and j != k]
        a[k] = scores[k] - (scores[others].mean() if others else 0.0)
    adv = a[:, None] * mask
    return adv, adv


def reinforce_pp(rewards, mask, gamma):
    B, L = rewards.shape
    ret = np.zeros((B, L))
    running = np.zeros(B)
    for t in range(L - 1, -1, -1):
        running = rewards[:, t] + gamma * running
        ret[:, t] = running
        running = running * mask[:, t]
    return masked_whiten(ret, mask) * mask, ret


def reinforce_pp_baseline(rewards, mask, ids):
    scores = rewards.sum(axis=1)
    st = group_stats(scores, ids)
    a = scores - np.array([st[g][0] for g in ids])
    tiled = np.tile(a[:, None], (1, rewards.shape[1])) * mask
    adv = masked_whiten(tiled, mask) * mask
    return adv, adv


# ------------------------------------------------------------------ KL

def kl_estimate(logp, ref, kind):
    d = logp - ref
    if kind == "kl":
        return d
    if kind == "abs":
        return np.abs(d)
    if kind == "mse":
        return 0.5 * d * d
    if kind == "low_var_kl":
        k = np.clip(ref - logp, -20, 20)
        return np.clip(np.exp(k) - k - 1, -10, 10)
    raise ValueError(kind)


def kl_in_reward(scores, old, ref, mask, kind, beta):
    kld = kl_estimate(old, ref, kind)
    rewards = scores - beta * kld * mask
    sums = mask.sum(axis=1)
    rows = [(kld[i] * mask[i]).sum() / sums[i] for i in range(len(sums)) if sums[i] > 0]
    return rewards, (float(np.mean(rows)) if rows else 0.0)


def adaptive_kl(coef, target, horizon, updates):
    out = []
    for kl, n in updates:
        err = np.clip(kl / target - 1, -0.2, 0.2)
        coef *= 1 + err * n / horizon
        out.append(coef)
    return out


# ------------------------------------------------------------------ losses

def agg(loss, mask, mode, scale=None):
    if mode == "token-mean":
        return float((loss * mask).sum() / mask.sum())
    row_sum = (loss * mask).sum(axis=1)
    nonempty = mask.sum(axis=1) > 0
    if mode == "seq-mean-token-sum":
        return float(row_sum[nonempty].mean())
    if mode == "seq-mean-token-mean":
        return float((row_sum / (mask.sum(axis=1) + 1e-8))[nonempty].mean())
    if mode == "seq-mean-token-sum-norm":
        return float((loss * mask).sum() / (scale if scale is not None else mask.shape[1]))
    raise ValueError(mode)


def policy_loss(c):
    logp, old, adv, mask = (np.array(c[k]) for k in ("logp", "old_logp", "advantages", "mask"))
    shape = (c["rows"], c["length"])
    logp, old, adv, mask = (x.reshape(shape) for x in (logp, old, adv, mask))
    neg_kl = np.clip(logp - old, -20, 20)
    ratio = np.exp(neg_kl)
    l1 = -adv * ratio
    l2 = -adv * np.clip(ratio, 1 - c["clip_ratio_low"], 1 + c["clip_ratio_high"])
    clip1 = np.maximum(l1, l2)
    if c["clip_ratio_c"] is not None:
        l3 = -adv * c["clip_ratio_c"]
        pg = np.where(adv < 0, np.minimum(l3, clip1), clip1)
        lower = masked_mean(((clip1 > l3) & (adv < 0)).astype(float), mask)
    else:
        pg, lower = clip1, 0.0
    mode, scale = c["loss_agg_mode"], c["loss_scale_factor"]
    out = {
        "pg_loss": agg(pg, mask, mode, scale),
        "pg_clipfrac": masked_mean((l2 > l1).astype(float), mask),
        "pg_clipfrac_lower": lower,
        "ppo_kl": masked_mean(-neg_kl, mask),
        "entropy_loss": 0.0, "kl_loss": 0.0,
    }
    loss = out["pg_loss"]
    if c["entropy"] is not None:
        out["entropy_loss"] = agg(np.array(c["entropy"]).reshape(shape), mask, mode, scale)
        loss -= c["entropy_coeff"] * out["entropy_loss"]
    if c["kl_loss_coef"] != 0:
        kl = kl_estimate(logp, np.array(c["ref_logp"]).reshape(shape), c["kl_loss_type"])
        out["kl_loss"] = agg(kl, mask, mode, scale)
        loss += c["kl_loss_coef"] * out["kl_loss"]
    out["loss"] = loss
    return {k: r12(v) for k, v in out.items()}


def value_loss(c):
    shape = (c["rows"], c["length"])
    v, old, ret, mask = (np.array(c[k]).reshape(shape) for k in ("values", "old_values", "returns", "mask"))
    vclip = np.clip(v, old - c["cliprange_value"], old + c["cliprange_value"])
    e1, e2 = (v - ret) ** 2, (vclip - ret) ** 2
    return {"loss": r12(0.5 * agg(np.maximum(e1, e2), mask, c["loss_agg_mode"])),
            "vf_clipfrac": r12(masked_mean((e2 > e1).astype(float), mask))}


# ------------------------------------------------------------------ learning-rate schedules

def lr_multiplier(style, warmup, total, min_ratio, step):
    """Linear warm-up from 0, then constant or a half-cosine down to min_ratio."""
    if step < warmup:
        return step / max(1, warmup)
    if style == "constant":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, min_ratio + (1 - min_ratio) * (1 + np.cos(np.pi * progress)) / 2)


def schedule_cases():
    out = []
    for style, warmup, total, min_ratio in (("constant", 5, 20, 0.0), ("constant", 0, 10, 0.0),
                                            ("cosine", 3, 12, 0.1), ("cosine", 0, 8, 0.0)):
        steps = list(range(total + 1))
        out.append({"style": style, "warmup_steps": warmup, "total_steps": total, "min_lr_ratio": min_ratio,
                    "multipliers": r12([lr_multiplier(style, warmup, total, min_ratio, t) for t in steps])})
    return out


# ------------------------------------------------------------------ cases

def padded_mask(lengths, L):
    return np.array([[1.0 if t < n else 0.0 for t in range(L)] for n in lengths])


def terminal_rewards(scores, lengths, L):
    r = np.zeros((len(scores), L))
    for i, (s, n) in enumerate(zip(scores, lengths)):
        r[i, n - 1] = s
    return r


def adv_case(name, estimator, rewards, mask, values=None, ids=None, **params):
    B, L = rewards.shape
    if estimator == "gae":
        adv, ret = gae(rewards, values, mask, params["gamma"], params["lam"])
    elif estimator == "grpo":
        adv, ret = grpo(rewards, mask, ids, params["norm_adv_by_std_in_grpo"])
    elif estimator == "rloo":
        adv, ret = rloo(rewards, mask, ids)
    elif estimator == "reinforce_plus_plus":
        adv, ret = reinforce_pp(rewards, mask, params["gamma"])
    else:
        adv, ret = reinforce_pp_baseline(rewards, mask, ids)
    return {
        "name": name, "estimator": estimator, "rows": B, "length": L,
        "gamma": params.get("gamma", 1.0), "lam": params.get("lam", 1.0),
        "norm_adv_by_std_in_grpo": params.get("norm_adv_by_std_in_grpo", True),
        "token_rewards": r12(rewards), "values": r12(values) if values is not None else [],
        "response_mask": r12(mask), "group_ids": ids if ids is not None else [str(i) for i in range(B)],
        "advantages": r12(adv), "returns": r12(ret),
    }


def advantage_cases(rng):
    L = 8
    lengths = [8, 5, 3, 6]
    mask = padded_mask(lengths, L)
    vals = inputs(rng, (4, L)) * mask
    cases = [
        adv_case("gae: terminal reward, γ=λ=1, right padding", "gae",
                 terminal_rewards([1, 0, 1, 0], lengths, L), mask, vals, gamma=1.0, lam=1.0),
        adv_case("gae: dense rewards, γ=0.99, λ=0.95", "gae",
                 inputs(rng, (4, L)) * mask, mask, vals, gamma=0.99, lam=0.95),
    ]
    # Information tokens in the middle of each response (mask 0), with non-zero values and
    # rewards there: they must not change any mask-1 advantage.
    info = padded_mask([8, 7, 6], L)
    info[0, 2:4] = 0
    info[1, 1:5] = 0
    info[2, 3] = 0
    cases.append(adv_case("gae: information tokens masked mid-response", "gae",
                          terminal_rewards([1, 0.5, -1], [8, 7, 6], L) + inputs(rng, (3, L)) * (1 - info) * 0.3,
                          info, inputs(rng, (3, L)), gamma=0.9, lam=0.8))

    # The notes' worked example: one group of five, scores (1,0,0,0,0).
    lens5 = [6, 4, 6, 2, 5]
    cases.append(adv_case("grpo: n=5, scores (1,0,0,0,0)", "grpo", terminal_rewards([1, 0, 0, 0, 0], lens5, 6),
                          padded_mask(lens5, 6), ids=["q7"] * 5, norm_adv_by_std_in_grpo=True))
    ids = ["a", "b", "a", "c", "b", "a", "d", "d"]
    lens = [5, 3, 4, 5, 2, 5, 1, 4]
    scores = [1.0, 0.2, 0.0, 0.7, 0.2, 1.0, 0.3, 0.3]   # b and d: all equal; c: singleton
    grp_r, grp_m = terminal_rewards(scores, lens, 5), padded_mask(lens, 5)
    cases += [
        adv_case("grpo: groups, singleton, all-equal groups", "grpo", grp_r, grp_m, ids=ids, norm_adv_by_std_in_grpo=True),
        adv_case("grpo: Dr.GRPO form (no std)", "grpo", grp_r, grp_m, ids=ids, norm_adv_by_std_in_grpo=False),
        adv_case("rloo: groups with a singleton", "rloo", grp_r, grp_m, ids=ids),
        adv_case("reinforce_plus_plus_baseline: groups", "reinforce_plus_plus_baseline", grp_r, grp_m, ids=ids),
        adv_case("reinforce_plus_plus: γ=1", "reinforce_plus_plus", terminal_rewards([1, 0, 0.5, 1], lengths, L),
                 mask, gamma=1.0),
        adv_case("reinforce_plus_plus: dense rewards, γ=0.9", "reinforce_plus_plus",
                 inputs(rng, (4, L)) * mask, mask, gamma=0.9),
    ]
    return cases


def kl_cases(rng):
    logp = np.concatenate([inputs(rng, 10, -3, 0), [-0.5, -25.0, -1.0, -30.0, -0.2, -14.0]])
    ref = np.concatenate([inputs(rng, 10, -3, 0), [-0.5, -1.0, -25.0, -2.0, -30.0, -1.0]])
    return [{"estimator": k, "logp": r12(logp), "ref_logp": r12(ref), "values": r12(kl_estimate(logp, ref, k))}
            for k in ("kl", "abs", "mse", "low_var_kl")]


def kl_reward_cases(rng):
    L, lengths = 6, [6, 4, 0]
    mask = padded_mask(lengths, L)
    mask[0, 2:4] = 0   # information tokens: never penalised
    scores = terminal_rewards([1, 0], lengths[:2], L)
    scores = np.vstack([scores, np.zeros(L)])
    old, ref = inputs(rng, (3, L), -3, 0), inputs(rng, (3, L), -3, 0)
    out = []
    for kind, beta in (("kl", 0.001), ("low_var_kl", 0.05), ("mse", 0.5), ("abs", 0.1)):
        rewards, mean_kl = kl_in_reward(scores, old, ref, mask, kind, beta)
        out.append({"estimator": kind, "beta": beta, "rows": 3, "length": L, "scores": r12(scores),
                    "old_logp": r12(old), "ref_logp": r12(ref), "mask": r12(mask),
                    "rewards": r12(rewards), "mean_kl": r12(mean_kl)})
    return out


def controller_cases():
    updates = [[0.05, 512], [0.3, 512], [0.11, 64], [0.0, 1000], [0.1, 10]]
    return [{"kind": "adaptive", "kl_coef": 0.001, "target_kl": 0.1, "horizon": 10000, "updates": updates,
             "coefficients": r12(adaptive_kl(0.001, 0.1, 10000, updates))},
            {"kind": "fixed", "kl_coef": 0.001, "target_kl": 0.1, "horizon": 10000, "updates": updates,
             "coefficients": [0.001] * len(updates)}]


def policy_cases(rng):
    B, L = 4, 6
    mask = padded_mask([6, 4, 5, 2], L)
    mask[0, 2] = 0   # an information token inside row 0
    logp = inputs(rng, (B, L), -3, -0.1)
    # Log-ratios spread over both sides of the clip range, two beyond the ±20 clamp.
    shift = inputs(rng, (B, L), -0.6, 0.6)
    shift[0, 0], shift[1, 1], shift[2, 0], shift[3, 1] = 1.5, -1.2, 22.0, -21.0
    old = logp - shift
    adv = inputs(rng, (B, L), -2, 2)
    adv[2, 0] = 1.0    # ratio e^20 (clamped log-ratio) with A > 0: the clip holds it at 1.2
    dual_adv = adv.copy()
    dual_adv[2, 0] = -1.0   # ratio e^20 with A < 0: only the dual clip bounds the loss
    entropy = inputs(rng, (B, L), 0, 3)
    ref = logp + inputs(rng, (B, L), -0.5, 0.5)
    empty_row = mask.copy()
    empty_row[3] = 0
    base = {"rows": B, "length": L, "logp": r12(logp), "old_logp": r12(old), "advantages": r12(adv),
            "entropy": None, "ref_logp": [], "clip_ratio_low": 0.2, "clip_ratio_high": 0.2,
            "clip_ratio_c": None, "entropy_coeff": 0.0, "kl_loss_coef": 0.0, "kl_loss_type": "low_var_kl",
            "loss_agg_mode": "token-mean", "loss_scale_factor": None}
    variants = [
        ("clip, token-mean", {}),
        ("dual clip c=3", {"clip_ratio_c": 3.0, "advantages": r12(dual_adv)}),
        ("asymmetric clip 0.2/0.28 + entropy + low_var_kl loss", {
            "clip_ratio_high": 0.28, "entropy": r12(entropy), "entropy_coeff": 0.001,
            "ref_logp": r12(ref), "kl_loss_coef": 0.001}),
        ("seq-mean-token-sum, dual clip", {"loss_agg_mode": "seq-mean-token-sum", "clip_ratio_c": 3.0,
                                           "advantages": r12(dual_adv)}),
        ("seq-mean-token-mean, empty row", {"loss_agg_mode": "seq-mean-token-mean", "mask": r12(empty_row),
                                            "entropy": r12(entropy), "entropy_coeff": 0.01}),
        ("seq-mean-token-sum, empty row", {"loss_agg_mode": "seq-mean-token-sum", "mask": r12(empty_row)}),
        ("seq-mean-token-sum-norm, default factor", {"loss_agg_mode": "seq-mean-token-sum-norm"}),
        ("seq-mean-token-sum-norm, factor 500 + mse kl loss", {
            "loss_agg_mode": "seq-mean-token-sum-norm", "loss_scale_factor": 500.0,
            "ref_logp": r12(ref), "kl_loss_coef": 0.1, "kl_loss_type": "mse"}),
    ]
    out = []
    for name, change in variants:
        c = dict(base, mask=r12(mask), name=name)
        c.update(change)
        c["expected"] = policy_loss(c)
        out.append(c)
    return out


def value_cases(rng):
    B, L = 3, 5
    mask = padded_mask([5, 3, 4], L)
    old = inputs(rng, (B, L), -1, 1)
    v = old + inputs(rng, (B, L), -1, 1)   # about half beyond the 0.5 clip range
    ret = inputs(rng, (B, L), -1.5, 1.5)
    out = []
    for mode in ("token-mean", "seq-mean-token-mean"):
        c = {"name": f"clipped value loss, {mode}", "rows": B, "length": L, "values": r12(v), "old_values": r12(old),
             "returns": r12(ret), "mask": r12(mask), "cliprange_value": 0.5, "loss_agg_mode": mode}
        c["expected"] = value_loss(c)
        out.append(c)
    return out


def metric_cases(rng):
    mask = padded_mask([5, 3, 4], 5)
    ret, vals = inputs(rng, (3, 5), -1, 1), inputs(rng, (3, 5), -1, 1)
    diff = ret - vals
    ev = 1 - masked_var_unbiased(diff, mask) / (masked_var_unbiased(ret, mask) + 1e-5)
    ids = ["a", "a", "b", "b", "b", "c", "d", "d"]
    scores = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    multi = {g for g in ids if ids.count(g) > 1}
    equal = [g for g in multi if len({scores[k] for k, x in enumerate(ids) if x == g}) == 1]
    loss_mask = mask.copy()
    loss_mask[0, 1:3] = 0
    return {"explained_variance": {"returns": r12(ret), "values": r12(vals), "mask": r12(mask), "expected": r12(ev)},
            "all_equal_groups": {"scores": scores, "group_ids": ids, "expected": r12(len(equal) / len(multi))},
            "state_tokens": {"loss_mask": r12(loss_mask), "response_mask": r12(mask),
                             "total": r12(loss_mask.sum()), "coverage": r12(loss_mask.sum() / mask.sum())}}


def build():
    rng = np.random.default_rng(20250318)
    return {
        "about": "Golden vectors for SearchLab's RL algorithms; regenerate with scripts/reference/rl_reference.py.",
        "tolerance": 1e-5,
        "advantages": advantage_cases(rng),
        "kl_estimators": kl_cases(rng),
        "kl_in_reward": kl_reward_cases(rng),
        "kl_controllers": controller_cases(),
        "policy_loss": policy_cases(rng),
        "value_loss": value_cases(rng),
        "metrics": metric_cases(rng),
        "lr_schedules": schedule_cases(),
    }


def main():
    text = json.dumps(build(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date; run python3 scripts/reference/rl_reference.py", file=sys.stderr)
            sys.exit(1)
        print(f"{OUT.name} is up to date")
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
