# Tests of utils/attn_reference.py, the numpy attention math that the CPU
# execution tests, the tools tests, the demo and bench/ share: hand-computed
# values, and the properties of docs/Spec.md 1.1-1.6 that tie the
# options to each other (as unittests/Reference does for the C++ evaluator).

# RUN: %PYTHON %s | FileCheck %s

import numpy as np

from attn_reference import (attention_flops, close_rule, compose,
                            compose_flops, dcmha, error_rule, grid_sample_cl,
                            ms_deform_attn, sdpa, visibility, visible_pairs)

rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape)


def check(name, ok):
    print(("PASS " if ok else "FAIL ") + name)


# One query, two keys: softmax([0, ln 3]) = [1/4, 3/4].
q = np.array([[[[1.0, 0.0]]]])
k = np.array([[[[0.0, 0.0], [np.log(3.0), 0.0]]]])
v = np.array([[[[1.0, 0.0], [0.0, 1.0]]]])
check("hand_computed", np.allclose(sdpa(q, k, v, scale=1.0), [[[[0.25, 0.75]]]],
                                   rtol=0, atol=1e-7))
# CHECK: PASS hand_computed

q, k, v = randn(2, 4, 5, 8), randn(2, 4, 7, 8), randn(2, 4, 7, 3)
check("default_scale",
      np.allclose(sdpa(q, k, v), sdpa(q, k, v, scale=1 / np.sqrt(8))) and
      np.allclose(sdpa(q, k, v, scale=0.5), sdpa(q * 0.5, k, v, scale=1.0)))
# CHECK: PASS default_scale

# Causal is aligned to the bottom right: with Lq = 2, Lk = 4, row 0 sees
# keys 0..2 and row 1 sees all four.
check("causal_bottom_right",
      visibility(2, 4, causal=True).tolist() ==
      [[True, True, True, False], [True, True, True, True]])
# CHECK: PASS causal_bottom_right

# Lq > Lk: the first Lq - Lk rows see no key and are zero; so are rows whose
# mask is all false or all -inf.
out, rows = sdpa(randn(1, 2, 6, 4), randn(1, 2, 3, 4), randn(1, 2, 3, 4),
                 causal=True, return_row_visible=True)
m = rng.random((1, 1, 5, 7)) < 0.6
m[..., 2, :] = False
bias = np.where(m, randn(1, 1, 5, 7), -np.inf)
out_i1 = sdpa(q, k, v, m)
out_f = sdpa(q, k, v, bias)
check("empty_rows_are_zero",
      not rows[..., :3].any() and rows[..., 3:].all() and
      not out[..., :3, :].any() and not out_i1[..., 2, :].any() and
      not out_f[..., 2, :].any() and np.isfinite(out_f).all())
# CHECK: PASS empty_rows_are_zero

# A float mask of 0 / -inf is the i1 mask; finite entries are a bias added
# to the logits (a bias constant along a row changes nothing).
q1, k1, v1 = np.ones((1, 1, 1, 2)), np.ones((1, 1, 2, 2)), np.eye(2)[None, None]
row_bias = np.broadcast_to(randn(1, 4, 5, 1), (1, 4, 5, 7))
check("float_mask",
      np.allclose(sdpa(q, k, v, np.where(m, 0.0, -np.inf)), out_i1) and
      np.allclose(sdpa(q1, k1, v1, np.array([[[[0.0, np.log(3.0)]]]])),
                  [[[[0.25, 0.75]]]]) and
      np.allclose(sdpa(q, k, v, row_bias), sdpa(q, k, v)))
# CHECK: PASS float_mask

# GQA: query head h reads K/V head h // (Hq / Hkv).
kg, vg = randn(2, 2, 7, 8), randn(2, 2, 7, 3)
check("gqa_is_repeat",
      np.allclose(sdpa(q, kg, vg, causal=True),
                  sdpa(q, np.repeat(kg, 2, 1), np.repeat(vg, 2, 1),
                       causal=True)))
# CHECK: PASS gqa_is_repeat

check("window_forms",
      np.array_equal(sdpa(q, k, v, window=(-1, -1)), sdpa(q, k, v)) and
      np.array_equal(sdpa(q, k, v, window=(-1, 0)), sdpa(q, k, v, causal=True))
      and np.array_equal(sdpa(q, k, v, window=(3, 5), causal=True),
                         sdpa(q, k, v, window=(3, 0))))
# CHECK: PASS window_forms

# Chunks use floor division of i' = i + (Lk - Lq), also when i' < 0.
check("chunk_floor",
      visibility(4, 2, chunk=2).tolist() ==
      [[False, False], [False, False], [True, True], [True, True]])
# CHECK: PASS chunk_floor

# Soft-capping bounds the logits: with a huge scale the capped softmax stays
# finite and equals the softmax of cap * tanh(s / cap).
s = q @ np.swapaxes(k, -1, -2) * 1e6
p = np.exp(np.tanh(s / 2) * 2)
expect = (p / p.sum(-1, keepdims=True)) @ v
check("softcap", np.allclose(sdpa(q, k, v, scale=1e6, softcap=2.0), expect))
# CHECK: PASS softcap

# The counts of work agree with the visibility they summarise, also for
# window extents and chunks up to INT64_MAX.
big = 2**63 - 1
cases = [(5, 7, True, None, None), (7, 5, False, (2, 1), None),
         (9, 9, False, None, 4), (6, 9, True, (big, big), big),
         (3, 8, False, (-1, big), 3), (0, 4, True, None, None)]
check("visible_pairs",
      all(visible_pairs(lq, lk, causal=c, window=w, chunk=ch) ==
          visibility(lq, lk, causal=c, window=w, chunk=ch).sum()
          for lq, lk, c, w, ch in cases) and
      visible_pairs(4096, 4096, window=(511, 0)) ==
      sum(min(i, 511) + 1 for i in range(4096)) and
      attention_flops(1, 12, 512, 512, 64, causal=True) ==
      4.0 * 64 * 12 * 512 * 513 // 2)
# CHECK: PASS visible_pairs

# float32 math is close to float64, and the error rule accepts it.
naive = sdpa(q, k, v, m, dtype=np.float32)
ref = sdpa(q, k, v, m)
r = error_rule(naive, ref, naive)
bad = naive.copy()
bad[0, 0, 0, 0] = np.nan
check("error_rule",
      naive.dtype == np.float32 and r.ok and r.bound >= 2 * r.err and
      not error_rule(bad, ref, naive).ok and
      error_rule(bad, ref, naive).first_nonfinite == (0, 0, 0, 0) and
      not error_rule(naive + np.float32(1e-3), ref, naive).ok)
# CHECK: PASS error_rule

check("close_rule",
      close_rule(ref + 1e-7, ref, 1e-6).ok and
      not close_rule(ref + 1e-5, ref, 1e-6).ok)
# CHECK: PASS close_rule

# --- grid_sample_cl (docs/Spec.md 1.5) ---------------------------------------

# A 2x3 map with one channel: value 10*y + x at pixel (y, x).
img = np.array([[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]).reshape(1, 2, 3, 1)


def sample_at(grid_xy, **kw):
    return grid_sample_cl(img, np.array(grid_xy, float).reshape(1, 1, -1, 2),
                          **kw)[0, 0, :, 0]


# align_corners: -1/1 are the centres of the first/last pixels; without it,
# the outer edges (x_pix = ((x+1)*W-1)/2: x=0 is the centre of the map).
check("sample_hand_computed",
      np.allclose(sample_at([[-1, -1], [1, 1], [0, 0]], align_corners=True),
                  [0.0, 12.0, 6.0]) and
      np.allclose(sample_at([[0, 0], [-2 / 3, -0.5]]), [6.0, 0.0]) and
      # Half a pixel left of the first centre: half of pixel 0 and half of
      # the zero padding (zeros), or pixel 0 alone (border).
      np.allclose(sample_at([[-1, -0.5]]), [0.0]) and
      np.allclose(sample_at([[-1, 0.5]]), [5.0]) and
      np.allclose(sample_at([[-1, 0.5]], padding_mode="border"), [10.0]))
# CHECK: PASS sample_hand_computed

# Sampling at the pixel centres (align_corners: linspace(-1, 1)) is the
# identity, in both padding modes.
maps = rng.standard_normal((2, 5, 7, 3))
gx, gy = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-1, 1, 5))
ident = np.broadcast_to(np.stack([gx, gy], -1), (2, 5, 7, 2))
check("sample_identity",
      all(np.allclose(grid_sample_cl(maps, ident, align_corners=True,
                                     padding_mode=pm), maps)
          for pm in ("zeros", "border")))
# CHECK: PASS sample_identity

# Non-finite coordinates give 0 in both modes; far finite ones give 0 with
# zeros and are clamped to the border with border (y = 0 is between the two
# rows); just past the last pixel (x_pix = 2.5, y_pix = 1.5) a quarter of
# pixel (1, 2) is inside the map. No error for any of them.
wild = [[np.nan, 0], [np.inf, 0], [-np.inf, 0], [0, np.nan], [1e300, 0],
        [-1e300, 1e300], [1.0 + 1e-12, 1.0]]
check("sample_wild_coordinates",
      np.allclose(sample_at(wild), [0, 0, 0, 0, 0, 0, 3.0]) and
      np.allclose(sample_at(wild, padding_mode="border"),
                  [0, 0, 0, 0, 7.0, 10.0, 12.0]) and
      np.allclose(sample_at(wild, padding_mode="border", align_corners=True),
                  [0, 0, 0, 0, 7.0, 10.0, 12.0]))
# CHECK: PASS sample_wild_coordinates

# float32 and float16: the same math, close to float64, in the input dtype.
g = rng.uniform(-1.1, 1.1, (2, 4, 6, 2))
ref = grid_sample_cl(maps, g, padding_mode="border")
f32 = grid_sample_cl(maps.astype(np.float32), g.astype(np.float32),
                     padding_mode="border", dtype=np.float32)
f16 = grid_sample_cl(maps.astype(np.float16), g.astype(np.float16),
                     padding_mode="border", dtype=np.float16)
check("sample_dtypes",
      f32.dtype == np.float32 and f16.dtype == np.float16 and
      error_rule(f32, ref, f32).ok and np.allclose(f32, ref, atol=1e-5) and
      np.allclose(f16, ref, atol=0.05))
# CHECK: PASS sample_dtypes

# --- ms_deform_attn (docs/Spec.md 1.6) ---------------------------------------

# One head, one level, one point: out = weight * bilinear at x*W - 0.5.
val = img.reshape(1, 6, 1, 1)
loc = np.array([0.5, 0.5, 0.5 / 3, 0.25, 1.0, 1.0, np.nan, 0.5,
                1e30, 0.5]).reshape(1, 5, 1, 1, 1, 2)
w = np.array([2.0, 1.0, 1.0, np.inf, 1.0]).reshape(1, 5, 1, 1, 1)
check("msda_hand_computed",
      np.allclose(ms_deform_attn(val, loc, w, [(2, 3)])[0, :, 0],
                  [2 * 6.0, 0.0, 0.25 * 12.0, 0.0, 0.0]))
# CHECK: PASS msda_hand_computed

# The sum over levels and points of the weights times grid_sample
# (align_corners=False, zeros) on 2 * loc - 1, per head (SPEC 1.6).
shapes = [(6, 4), (3, 2), (1, 1)]
n, lq, m, d, p = 2, 5, 3, 4, 2
value = rng.standard_normal((n, sum(h * w for h, w in shapes), m, d))
loc = rng.uniform(-0.2, 1.2, (n, lq, m, len(shapes), p, 2))
aw = rng.random((n, lq, m, len(shapes), p))
expect = np.zeros((n, lq, m, d))
start = 0
for lvl, (h, wd) in enumerate(shapes):
    for head in range(m):
        plane = value[:, start:start + h * wd, head].reshape(n, h, wd, d)
        s = grid_sample_cl(plane, 2 * loc[:, :, head, lvl] - 1)  # n,lq,p,d
        expect[:, :, head] += np.einsum("nqp,nqpd->nqd", aw[:, :, head, lvl],
                                        s)
    start += h * wd
out = ms_deform_attn(value, loc, aw, shapes)
out32 = ms_deform_attn(value.astype(np.float32), loc.astype(np.float32),
                       aw.astype(np.float32), shapes, dtype=np.float32)
check("msda_is_grid_sample",
      out.shape == (n, lq, m * d) and
      np.allclose(out, expect.reshape(n, lq, m * d)) and
      out32.dtype == np.float32 and np.allclose(out32, out, atol=1e-5))
# CHECK: PASS msda_is_grid_sample

# attn.compose (SPEC 1.3), term by term from the formula, with explicit
# loops; Cq != Ck, Lq != Lk.
b, h, lq, lk, cq, ck = 2, 3, 4, 5, 2, 3
a = randn(b, h, lq, lk)
w = randn(h, h)
qw1, qw2 = randn(b, lq, cq, h), randn(b, lq, cq, h)
kw1, kw2 = randn(b, lk, ck, h), randn(b, lk, ck, h)
qdd, kdd = randn(b, lq, h), randn(b, lk, h)
expect = np.zeros_like(a)
for bi in range(b):
    for hi in range(h):
        for t in range(lq):
            for s_ in range(lk):
                col = a[bi, :, t, s_]
                x = col @ w[:, hi]
                x += sum(qw2[bi, t, c, hi] * (qw1[bi, t, c] @ col)
                         for c in range(cq))
                x += sum(kw2[bi, s_, c, hi] * (kw1[bi, s_, c] @ col)
                         for c in range(ck))
                x += col[hi] * (qdd[bi, t, hi] + kdd[bi, s_, hi])
                expect[bi, hi, t, s_] = x
groups = dict(static=w, query_weights=(qw1, qw2), key_weights=(kw1, kw2),
              query_gate=qdd, key_gate=kdd)
got = compose(a, **groups)
got32 = compose(a.astype(np.float32), **{
    k: tuple(x.astype(np.float32) for x in v) if isinstance(v, tuple)
    else v.astype(np.float32) for k, v in groups.items()}, dtype=np.float32)
check("compose_formula",
      np.allclose(got, expect, rtol=0, atol=1e-12) and
      got32.dtype == np.float32 and np.allclose(got32, expect, atol=1e-5))
# CHECK: PASS compose_formula

# No group: the identity; static(I): the identity; the groups add up.
parts = [compose(a, **{k: v}) - (0 if k == "static" else a)
         for k, v in groups.items()]
check("compose_identity_and_sum",
      np.array_equal(compose(a), a) and
      np.allclose(compose(a, static=np.eye(h)), a, rtol=0, atol=1e-15) and
      np.allclose(sum(parts), got, rtol=0, atol=1e-12))
# CHECK: PASS compose_identity_and_sum

# attn.dcmha (SPEC 1.4): without compose it is attention (any mask); with
# compose it is the unfused chain S -> compose -> mask -> softmax ->
# compose -> @V, and rows without a visible key are zero.
q, k, v = randn(b, h, lq, 8), randn(b, h, lk, 8), randn(b, h, lk, 6)
check("dcmha_without_compose_is_sdpa",
      np.allclose(dcmha(q, k, v, causal=True), sdpa(q, k, v, causal=True),
                  rtol=0, atol=1e-14) and
      np.allclose(dcmha(q, k, v, window=(1, 1), scale=0.3),
                  sdpa(q, k, v, window=(1, 1), scale=0.3), rtol=0,
                  atol=1e-14))
# CHECK: PASS dcmha_without_compose_is_sdpa

qk = {k_: v_ for k_, v_ in groups.items() if k_ != "key_weights"}
pre = dict(groups)
post = dict(static=randn(h, h), key_weights=(kw2, kw1), query_gate=qdd * 0.5)
vis = visibility(lq, lk, window=(2, 0))
sc = compose(np.einsum("bhtd,bhsd->bhts", q, k) / np.sqrt(8), **pre)
sc = np.where(vis, sc, -np.inf)
pr = np.exp(sc - sc.max(-1, keepdims=True))
pr = compose(pr / pr.sum(-1, keepdims=True), **post)
out, rows = dcmha(q, k, v, pre=pre, post=post, window=(2, 0),
                  return_row_visible=True)
q2 = randn(1, h, 6, 8)
k2, v2 = randn(1, h, 3, 8), randn(1, h, 3, 8)
out2, rows2 = dcmha(q2, k2, v2, pre=dict(query_gate=randn(1, 6, h)),
                    post=dict(static=randn(h, h)), causal=True,
                    return_row_visible=True)
check("dcmha_is_the_chain",
      np.allclose(out, pr @ v, rtol=0, atol=1e-12) and rows.all() and
      not rows2[..., :3].any() and rows2[..., 3:].all() and
      not out2[..., :3, :].any() and np.isfinite(out2).all())
# CHECK: PASS dcmha_is_the_chain

# compose_post cannot move probability onto a masked key: the chain's P' is
# zero wherever the mask hides the key, in every head.
check("dcmha_post_keeps_mask", not np.any(pr[..., ~vis]))
# CHECK: PASS dcmha_post_keeps_mask

# The naive baselines stay close to the reference.
q16 = q.astype(np.float16)
k16, v16 = k.astype(np.float16), v.astype(np.float16)
g16 = {k_: tuple(x.astype(np.float16) for x in v_) if isinstance(v_, tuple)
       else v_.astype(np.float16) for k_, v_ in qk.items()}
ref16 = dcmha(q16, k16, v16, pre=g16, post=g16, causal=True)
nv16 = dcmha(q16, k16, v16, pre=g16, post=g16, causal=True,
             dtype=np.float16)
check("dcmha_naive_f16",
      nv16.dtype == np.float16 and
      np.abs(nv16 - ref16).max() < 0.05 * max(1, np.abs(ref16).max()))
# CHECK: PASS dcmha_naive_f16

# 2H^2 + 4H per rank + 2H per gate, per (b, t, s).
check("compose_flops",
      compose_flops(2, 4, 3, 5, static=True, cq=2, ck=1, query_gate=True,
                    key_gate=True) == 2 * 3 * 5 * (32 + 16 * 3 + 16))
# CHECK: PASS compose_flops

# A NaN score (here from a NaN in q) makes its row NaN, as IEEE arithmetic
# and PyTorch give; only a row without a visible key is zeros.
qn = rng.standard_normal((1, 1, 2, 4))
qn[0, 0, 0, 0] = np.nan
kn, vn = rng.standard_normal((1, 1, 3, 4)), rng.standard_normal((1, 1, 3, 2))
outn = sdpa(qn, kn, vn)
check("nan_score_row_is_nan",
      np.isnan(outn[0, 0, 0]).all() and np.isfinite(outn[0, 0, 1]).all())
# CHECK: PASS nan_score_row_is_nan

# Arguments SPEC forbids are errors: softcap <= 0, a mask that is neither
# bool nor floating, a window that is not (left, right).
def raises(call, error):
    try:
        call()
    except error:
        return True
    return False
check("reference_argument_errors",
      raises(lambda: sdpa(qn, kn, vn, softcap=0.0), ValueError) and
      raises(lambda: sdpa(qn, kn, vn, mask=np.ones((1, 1, 2, 3), np.uint8)),
             TypeError) and
      raises(lambda: sdpa(qn, kn, vn, window=(1,)), ValueError))
# CHECK: PASS reference_argument_errors
