#!/usr/bin/python3
"""demo_inputs.py - seeded inputs and the numerics check of scripts/demo.sh.

  demo_inputs.py gen MODEL.mlir OUTDIR [--seed N]
      Reads the argument types of @main, writes one seeded random .npy per
      argument into OUTDIR (arg0.npy, arg1.npy, ...) and prints their paths,
      one a line, in order. Floats are standard normal, except weight matrices
      (arguments named %w*, [rows, cols] or a batch [G, rows, cols]), which
      are scaled by 1/sqrt(rows) so that projected activations stay at unit
      scale, and the operands of
      attn.ms_deform_attn, named as in Deformable DETR: %sampling_locations
      [N, Lq, M, L, P, 2] lie around a reference point per query (as
      ../shared/bench/anchors/msda_torch.py makes them) and %attention_weights
      [N, Lq, M, L, P] are a softmax over each head's L*P points. i1 masks are
      padding masks: each batch row gets a seeded valid length in [L/4, L]
      (the first row is full), true = real token.

  demo_inputs.py check MODEL.mlir OUTDIR OUT.npy REF.npy
      Compares the JIT result OUT.npy with the float64 reference REF.npy
      (attn-run --backend=reference) by docs/Spec.md 4 / SPEC section 4:
        max|out - ref| <= 2 * max|naive - ref| + 1e-5 * max(1, max|ref|)
      and no NaN/Inf where ref is finite, with `naive` the straightforward
      unfused float32 numpy math of the graph (q k^T, scale, mask, softmax, p v,
      bilinear sampling, and the projections around them). Prints PASS or
      FAIL with the errors; exits 1 on FAIL.

The attention and sampling math and the rule are utils/attn_reference.py's
(sdpa, grid_sample_cl, ms_deform_attn, error_rule), shared with the tests
and bench/. Needs Debian's numpy: run with
/usr/bin/python3.
"""
import argparse
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "utils"))
from attn_reference import (dcmha, error_rule,  # noqa: E402
                            grid_sample_cl, ms_deform_attn, sdpa)

DTYPES = {"f32": np.float32, "f16": np.float16, "i1": np.bool_}


def signature(path):
    """[(name, shape, dtype)] of the arguments of func.func @main."""
    text = open(path).read()
    m = re.search(r"func\.func\s+@main\s*\((.*?)\)\s*->", text, re.S)
    if not m:
        sys.exit(f"{path}: no 'func.func @main(...) ->' found")
    args = []
    for name, dims, elt in re.findall(r"%(\w+)\s*:\s*tensor<((?:\d+x)+)(\w+)>", m.group(1)):
        if elt not in DTYPES:
            sys.exit(f"{path}: argument %{name}: element type {elt} not supported here")
        args.append((name, tuple(int(d) for d in dims[:-1].split("x")), DTYPES[elt]))
    return args


def make_input(rng, name, shape, dtype):
    if dtype is np.bool_:
        # Padding mask: [..., L] keys; the leading dim is the batch.
        b, l = shape[0], shape[-1]
        lengths = rng.integers(l // 4, l + 1, size=b)
        lengths[0] = l
        keep = np.arange(l)[None, :] < lengths[:, None]  # [B, L]
        keep = keep.reshape((b,) + (1,) * (len(shape) - 2) + (l,))
        return np.ascontiguousarray(np.broadcast_to(keep, shape))
    if name == "sampling_locations" and len(shape) == 6:
        ref = rng.random(shape[:2] + (1, 1, 1, 2))
        loc = np.clip(ref + 0.05 * rng.standard_normal(shape), -0.05, 1.05)
        return loc.astype(dtype)
    if name == "attention_weights" and len(shape) == 5:
        logits = rng.standard_normal(shape[:3] + (shape[3] * shape[4],))
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return (e / e.sum(axis=-1, keepdims=True)).reshape(shape).astype(dtype)
    x = rng.standard_normal(shape)
    if name.startswith("w") and len(shape) == 2:
        x /= np.sqrt(shape[0])
    elif name.startswith("w") and len(shape) == 3:
        # A batch of weight matrices [G, rows, cols] (dcformer_block's
        # per-slot W_qkw): each scaled by 1/sqrt(rows).
        x /= np.sqrt(shape[1])
    return x.astype(dtype)


def gen(a):
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    for i, (name, shape, dtype) in enumerate(signature(a.model)):
        path = os.path.join(a.outdir, f"arg{i}.npy")
        np.save(path, make_input(rng, name, shape, dtype))
        print(path)


# --- naive math, in the inputs' dtype (float32) ---------------------------------


def naive_vit_block(x, wq, wk, wv, wo):
    L, E = x.shape
    H, D = 12, E // 12

    def heads(t):  # [L, E] -> [1, H, L, D]
        return t.reshape(1, L, H, D).transpose(0, 2, 1, 3)

    o = sdpa(heads(x @ wq), heads(x @ wk), heads(x @ wv), dtype=x.dtype)
    return o.transpose(0, 2, 1, 3).reshape(L, E) @ wo


def naive_bert(q, k, v, attention_mask):
    B, L = attention_mask.shape
    return sdpa(q, k, v, attention_mask.reshape(B, 1, 1, L), dtype=q.dtype)


def naive_attention_only(q, k, v):
    return sdpa(q, k, v, dtype=q.dtype)


DETR_LEVELS = [(100, 150), (50, 75), (25, 38), (13, 19)]


def naive_detr_msda(value, loc, weights):
    return ms_deform_attn(value, loc, weights, DETR_LEVELS, dtype=value.dtype)


def naive_dcnv4_msda(value, loc, weights):
    return ms_deform_attn(value, loc, weights, [(100, 152)], dtype=value.dtype)


def naive_dat_block(x, wq, wk, wv, wo, offset_dw, w_offset):
    """examples/dat_t_stage3_block.mlir: 14x14 map, C = 256, 8 heads, 4
    offset groups, 7x7 sampled points."""
    dt = x.dtype.type
    n, h, w, c = x.shape
    groups, heads, hk = 4, 8, 7
    cg, d = c // groups, c // heads
    q = x.reshape(h * w, c) @ wq  # [196, 256]
    # Offset network: groups as the batch, 2x2 stride-2 depthwise conv, GELU
    # (tanh form), 1x1 projection to (x, y).
    qg = q.reshape(h, w, groups, cg).transpose(2, 0, 1, 3)  # [4, 14, 14, 64]
    blocks = qg.reshape(groups, hk, 2, hk, 2, cg)
    dw = np.einsum("giajbc,abc->gijc", blocks, offset_dw).astype(dt)
    k0, k1 = dt(0.7978845608), dt(0.044715)
    gelu = (dw * dt(0.5)) * (np.tanh((dw + dw * dw * dw * k1) * k0) + dt(1))
    off = (gelu.reshape(-1, cg) @ w_offset).reshape(groups, hk, hk, 2)
    centres = ((2 * np.arange(hk) + 1) / hk - 1).astype(dt)
    ref = np.stack(np.broadcast_arrays(centres[None, :], centres[:, None]), -1)
    grid = ref + np.tanh(off) * dt(0.3333333333)
    xg = x.reshape(h, w, groups, cg).transpose(2, 0, 1, 3)
    xs = grid_sample_cl(xg, grid, align_corners=True, dtype=dt)
    xs = xs.transpose(1, 2, 0, 3).reshape(hk * hk, c)  # [49, 256]

    def split(t):  # [L, 256] -> [1, 8, L, 32]
        return t.reshape(1, -1, heads, d).transpose(0, 2, 1, 3)

    o = sdpa(split(q), split(xs @ wk), split(xs @ wv), dtype=dt)
    return (o.transpose(0, 2, 1, 3).reshape(h * w, c) @ wo).reshape(n, h, w, c)


def naive_dcformer_block(x, wq, wk, wv, wo, w_dw1, w_qkw, w_dd):
    """examples/dcformer_block.mlir: DCFormer++'s DynamicWeightProjection
    (exact GELU, per-slot qkw, RMS norm without scale on w1, tanh gates),
    Q/K/V projections to 16 heads of 64, attn.dcmha with the four dynamic
    groups before and after the softmax, window [256, 0], output
    projection. Slots: pre-query, pre-key, post-query, post-key."""
    dt = x.dtype.type
    L, E = x.shape
    H, C = 16, 2
    D = E // H
    erf = np.vectorize(math.erf, otypes=[np.float64])
    h = (x @ w_dw1).reshape(L, 4, -1).transpose(1, 0, 2)  # [4, L, K]
    h = (h * dt(0.5) * (erf(h * dt(0.70710678118654752)).astype(dt) + dt(1))
         ).astype(dt)
    w = np.matmul(h, w_qkw).reshape(4, L, 2, C, H)  # [slot, L, w1|w2, C, H]
    w1, w2 = w[:, :, 0], w[:, :, 1]
    ms = (w1 * w1).sum(-1, keepdims=True, dtype=dt) * dt(1.0 / H)
    w1 = (w1 / np.sqrt(ms + dt(1e-6))).astype(dt)
    dd = np.tanh(x @ w_dd).reshape(L, 4, H).transpose(1, 0, 2)  # [4, L, H]

    def groups(qs, ks):
        return dict(query_weights=(w1[qs][None], w2[qs][None]),
                    key_weights=(w1[ks][None], w2[ks][None]),
                    query_gate=dd[qs][None], key_gate=dd[ks][None])

    def heads(t):  # [L, E] -> [1, H, L, D]
        return t.reshape(1, L, H, D).transpose(0, 2, 1, 3)

    o = dcmha(heads(x @ wq), heads(x @ wk), heads(x @ wv), pre=groups(0, 1),
              post=groups(2, 3), window=(256, 0), dtype=dt)
    return o.transpose(0, 2, 1, 3).reshape(L, E) @ wo


def naive_additive_attention(q, k, wq, wk, wv):
    """Bahdanau attention with the example's source lengths (50, 37, 12, 1)."""
    qp, kp = q @ wq, k @ wk  # [B, Lq, 128], [B, Lk, 128]
    s = (np.tanh(qp[:, :, None, :] + kp[:, None, :, :]) * wv).sum(-1)
    lens = np.array([50, 37, 12, 1])
    s = np.where(np.arange(k.shape[1])[None, None, :] < lens[:, None, None],
                 s, np.float32(-np.inf))
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ k


def naive_se(x, w1, b1, w2, b2):
    """Squeeze-and-excitation: x * sigmoid(relu(mean_hw(x) W1 + b1) W2 + b2)."""
    s = x.mean(axis=(2, 3))  # [N, C]
    e = np.maximum(s @ w1 + b1, 0) @ w2 + b2
    return x * (1 / (1 + np.exp(-e)))[:, :, None, None]


def naive_cbam(x, w1, w2, wconv):
    """CBAM: channel attention (shared MLP on avg- and max-pooled
    features), then spatial attention (7x7 conv on the channel mean and
    max, zero padding 3)."""
    mlp = lambda t: np.maximum(t @ w1, 0) @ w2
    a = mlp(x.mean(axis=(2, 3))) + mlp(x.max(axis=(2, 3)))
    x = x * (1 / (1 + np.exp(-a)))[:, :, None, None]
    pooled = np.stack([x.mean(1), x.max(1)], 1)  # [N, 2, H, W]
    n, _, h, w = pooled.shape
    padded = np.zeros((n, 2, h + 6, w + 6), x.dtype)
    padded[:, :, 3:-3, 3:-3] = pooled
    conv = np.zeros((n, h, w), x.dtype)
    for c in range(2):
        for dy in range(7):
            for dx in range(7):
                conv += wconv[0, c, dy, dx] * padded[:, c, dy:dy + h, dx:dx + w]
    return x * (1 / (1 + np.exp(-conv)))[:, None, :, :]


# Examples whose naive math is known here, by file name.
NAIVE = {
    "vit_b16_self_attention": naive_attention_only,
    "vit_b16_attention_block": naive_vit_block,
    "bert_base_padding_mask": naive_bert,
    "deformable_detr_msda_encoder": naive_detr_msda,
    "deformable_detr_msda_decoder": naive_detr_msda,
    "dcnv4_msda": naive_dcnv4_msda,
    "dat_t_stage3_block": naive_dat_block,
    "dcformer_block": naive_dcformer_block,
    "additive_attention": naive_additive_attention,
    "se_channel_attention": naive_se,
    "cbam_attention": naive_cbam,
}


def check(a):
    stem = os.path.splitext(os.path.basename(a.model))[0]
    if stem not in NAIVE:
        sys.exit(f"demo_inputs.py: no naive math for {stem}; known: {', '.join(NAIVE)}")
    args = [np.load(os.path.join(a.outdir, f"arg{i}.npy"))
            for i in range(len(signature(a.model)))]
    out = np.load(a.out)
    ref = np.load(a.ref)
    if out.shape != ref.shape or out.dtype != args[0].dtype:
        print(f"FAIL {stem}: result {out.dtype}{list(out.shape)}, expected "
              f"{args[0].dtype}{list(ref.shape)}")
        return 1
    r = error_rule(out, ref, NAIVE[stem](*args))
    print(f"{'PASS' if r.ok else 'FAIL'} {stem}: max|out-ref| = {r.err:.3e} "
          f"{'<=' if r.err <= r.bound else '>'} bound {r.bound:.3e} "
          f"(2 * max|naive-ref| = {2 * r.naive_err:.3e}, max|ref| = {r.ref_max:.3g}); "
          f"non-finite where ref is finite: {r.nonfinite}")
    return 0 if r.ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("model")
    g.add_argument("outdir")
    g.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("check")
    c.add_argument("model")
    c.add_argument("outdir")
    c.add_argument("out")
    c.add_argument("ref")
    a = ap.parse_args()
    sys.exit(gen(a) if a.cmd == "gen" else check(a))


if __name__ == "__main__":
    main()
