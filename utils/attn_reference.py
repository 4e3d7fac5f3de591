# Part of the attn-mlir project.
"""attn_reference - numpy attention math for the Python helpers.

The one numpy implementation of scaled dot-product attention (docs/Spec.md
1.1-1.2), of DCFormer's cross-head composition and fused DCMHA (1.3-1.4), of
bilinear deformable sampling and multi-scale deformable attention (1.5-1.6)
and of the error rules that the tests apply, shared by
test/Integration/CPU/Inputs/check_attention.py, check_dcmha.py and
check_sampling.py, test/Tools/Inputs/npytool.py, scripts/demo_inputs.py
(scripts/demo.sh) and bench/. It needs numpy only (Debian's /usr/bin/python3).

It shares no code with the C++ reference evaluator (lib/Reference) or the
compiler: the CPU execution tests check the evaluator against `sdpa`,
`compose`, `dcmha`, `grid_sample_cl` and `ms_deform_attn` here, a second,
independent oracle written from the spec.

Importing: the module lives in <repo>/utils. The lit suite puts that folder
on PYTHONPATH (test/lit.cfg.py); the scripts under scripts/ and bench/ add it
to sys.path from their own location.

  sdpa(q, k, v, mask, scale=, causal=, softcap=, window=, chunk=, dtype=)
      attention in float64 (the reference) or, with dtype=np.float32,
      np.float16 or "bf16", the straightforward unfused math in that dtype
      (the "naive" baseline of the error rule)
  round_bf16(x), bf16_bits(x), from_bf16_bits(bits)
      bfloat16 without a numpy dtype: float32 values rounded to bf16
      (round to nearest even), their uint16 bit patterns (attn-run's
      `bf16:` .npy files) and back
  visibility(lq, lk, causal=, window=, chunk=)   [lq, lk] bool geometry
  visible_pairs(...), attention_flops(...)       work of one attention
  compose(a, static=, query_weights=, key_weights=, query_gate=, key_gate=,
          dtype=)
      attn.compose (docs/Spec.md 1.3): DCFormer's cross-head composition
  dcmha(q, k, v, pre=, post=, scale=, causal=, window=, dtype=)
      attn.dcmha (docs/Spec.md 1.4): attention with compose before and
      after the softmax; pre/post are {group name: operands} dicts
  compose_flops(b, h, lq, lk, static=, cq=, ck=, query_gate=, key_gate=)
  grid_sample_cl(input, grid, align_corners=, padding_mode=, dtype=)
      attn.deformable_sample (docs/Spec.md 1.5): grid_sample(bilinear) in
      channels-last layout
  ms_deform_attn(value, loc, weights, spatial_shapes, dtype=)
      attn.ms_deform_attn (docs/Spec.md 1.6): Deformable DETR's multi-scale
      deformable attention
  error_rule(out, ref, naive)   docs/Spec.md "Numerics" (SPEC section 4)
  close_rule(out, ref, tol)     max|out - ref| <= tol * max(1, max|ref|)
"""

from typing import NamedTuple, Optional, Tuple

import numpy as np

__all__ = [
    "sdpa", "visibility", "visible_pairs", "attention_flops", "grid_sample_cl",
    "ms_deform_attn", "compose", "dcmha", "compose_flops", "COMPOSE_GROUPS",
    "error_rule", "close_rule", "RuleCheck", "round_bf16", "bf16_bits",
    "from_bf16_bits",
]


# ---------------------------------------------------------------------------
# bfloat16 (numpy has no such dtype)
# ---------------------------------------------------------------------------


def bf16_bits(x):
    """The bfloat16 bit patterns (uint16) of `x` rounded to nearest even;
    Inf stays Inf (NaN inputs are not expected)."""
    b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)


def from_bf16_bits(bits):
    """float32 values of bfloat16 bit patterns (uint16), exactly."""
    return (np.asarray(bits, np.uint16).astype(np.uint32) << 16).view(
        np.float32)


def round_bf16(x):
    """`x` rounded to bfloat16 (nearest even), as float32."""
    return from_bf16_bits(bf16_bits(x))

# ---------------------------------------------------------------------------
# Geometry: which keys a query sees
# ---------------------------------------------------------------------------


def _sides(causal, window):
    """(left, right) of the band, -1 = unbounded; `causal` makes right 0."""
    left, right = (-1, -1) if window is None else (int(window[0]),
                                                    int(window[1]))
    if left < -1 or right < -1:
        raise ValueError(f"window sides must be >= -1, got {window}")
    if causal:
        right = 0
    return left, right


def _check_chunk(chunk):
    if chunk is not None and int(chunk) <= 0:
        raise ValueError(f"chunk must be > 0, got {chunk}")


def visibility(lq, lk, *, causal=False, window=None, chunk=None):
    """[lq, lk] bool: key j is visible from query i under causal, window and
    chunk (docs/Spec.md 1.1-1.2). With i' = i + (lk - lq) (bottom-right
    alignment), the window keeps i' - left <= j <= i' + right (-1 leaves a
    side unbounded, causal makes right 0) and chunk keeps
    floor(i' / chunk) == floor(j / chunk). Masks are applied by `sdpa`."""
    left, right = _sides(causal, window)
    _check_chunk(chunk)
    i = np.arange(lq, dtype=np.int64)[:, None] + (lk - lq)
    j = np.arange(lk, dtype=np.int64)[None, :]
    vis = np.ones((lq, lk), bool)
    # Distances (i - j, j - i) cannot overflow int64 for extents up to
    # INT64_MAX, unlike i - left or i + right.
    if left >= 0:
        vis &= (i - j) <= left
    if right >= 0:
        vis &= (j - i) <= right
    if chunk is not None:
        vis &= np.floor_divide(i, chunk) == np.floor_divide(j, chunk)
    return vis


def visible_pairs(lq, lk, *, causal=False, window=None, chunk=None):
    """The number of visible (query, key) pairs of one (batch, head), as
    `visibility(...).sum()` but in O(lq) memory (for long sequences)."""
    left, right = _sides(causal, window)
    _check_chunk(chunk)
    # Any extent >= lq + lk behaves as lq + lk (every |i' - j| is smaller),
    # and any chunk > lq + lk splits the rows and keys as lq + lk + 1 does:
    # clamping keeps the int64 arithmetic below from overflowing.
    span = lq + lk
    i = np.arange(lq, dtype=np.int64) + (lk - lq)
    lo = np.zeros(lq, np.int64)
    hi = np.full(lq, lk - 1, np.int64)
    if left >= 0:
        lo = np.maximum(lo, i - min(left, span))
    if right >= 0:
        hi = np.minimum(hi, i + min(right, span))
    if chunk is not None:
        c = min(int(chunk), span + 1)
        start = np.floor_divide(i, c) * c
        lo = np.maximum(lo, start)
        hi = np.minimum(hi, start + c - 1)
    return int(np.maximum(hi - lo + 1, 0).sum())


def attention_flops(b, hq, lq, lk, d, dv=None, *, causal=False, window=None,
                    chunk=None):
    """FLOP of one attention by the convention of attn-run and bench/:
    2 * (D + Dv) per visible (query, key) pair (q.k and p.v), times B * Hq.
    Softmax and exp are not counted."""
    dv = d if dv is None else dv
    pairs = visible_pairs(lq, lk, causal=causal, window=window, chunk=chunk)
    return 2.0 * (d + dv) * b * hq * pairs


# ---------------------------------------------------------------------------
# Scaled dot-product attention
# ---------------------------------------------------------------------------


def sdpa(q, k, v, mask=None, *, scale=None, causal=False, softcap=None,
         window=None, chunk=None, dtype=np.float64, return_row_visible=False):
    """attn.attention / attn.sliding_window_attention (docs/Spec.md 1.1-1.2).

    q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv] with
    Hq % Hkv == 0 (query head h reads K/V head h // (Hq // Hkv): MHA, GQA,
    MQA). `mask` broadcasts to [B, Hq, Lq, Lk]: bool hides keys where false;
    a float mask is an additive bias after soft-capping, and -inf hides the
    key. `scale` defaults to 1/sqrt(D); `scale` and `softcap` are f32
    attributes of the op, so they are rounded to float32 first. `causal`,
    `window` (left, right) and `chunk` as in `visibility`. A query row with
    no visible key gives zeros. Returns [B, Hq, Lq, Dv].

    dtype=np.float64 is the reference. Another dtype (np.float32,
    np.float16 or "bf16") gives the straightforward unfused math in that
    dtype, the "naive" baseline of `error_rule`: every step rounds to
    `dtype`, and the two products and the softmax sum accumulate in float32
    for float16 and bf16 (as BLAS would).

    With return_row_visible=True, returns (out, row_visible) where
    row_visible [B, Hq, Lq] says which rows have a visible key.
    """
    bf16 = isinstance(dtype, str) and dtype == "bf16"
    dt = np.float32 if bf16 else np.dtype(dtype).type

    def cast(x):
        x = np.asarray(x).astype(dt)
        return round_bf16(x) if bf16 else x

    hq, hkv = q.shape[1], k.shape[1]
    if hkv <= 0 or hq % hkv:
        raise ValueError(f"query heads ({hq}) must be a multiple of key "
                         f"heads ({hkv})")
    if softcap is not None and not softcap > 0:
        raise ValueError(f"softcap must be > 0 (None = off), got {softcap}")
    if window is not None and len(window) != 2:
        raise ValueError(f"window must be (left, right), got {window!r}")
    if mask is not None and not (np.asarray(mask).dtype == np.bool_ or
                                 np.issubdtype(np.asarray(mask).dtype,
                                               np.floating)):
        raise TypeError(f"mask must be bool (i1) or floating (an additive "
                        f"bias), got {np.asarray(mask).dtype}")
    d = q.shape[-1]
    q, k, v = cast(q), cast(k), cast(v)
    k = np.repeat(k, hq // hkv, axis=1)
    v = np.repeat(v, hq // hkv, axis=1)
    acc = np.float32 if dt == np.float16 else dt

    def matmul(a, b):
        return cast(a.astype(acc) @ b.astype(acc))

    scale = 1.0 / np.sqrt(d) if scale is None else float(np.float32(scale))
    s = cast(matmul(q, np.swapaxes(k, -1, -2)) * dt(scale))
    if softcap is not None:
        cap = dt(np.float32(softcap))
        s = cast(cap * np.tanh(s / cap))
    vis = np.broadcast_to(
        visibility(q.shape[2], k.shape[2], causal=causal, window=window,
                   chunk=chunk), s.shape)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            vis = vis & mask
        else:
            s = cast(s + cast(mask))
            vis = vis & (mask != -np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.where(vis, s, dt(-np.inf))
        m = s.max(axis=-1, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, dt(0))
        e = cast(np.where(vis, np.exp(s - m), dt(0)))
        l = cast(e.sum(axis=-1, keepdims=True, dtype=dt))
        # l == 0: no visible key (zeros); a NaN score makes l NaN, and the
        # row NaN, as IEEE arithmetic and PyTorch give.
        p = cast(np.where(l == 0, dt(0), e / np.where(l == 0, dt(1), l)))
    out = matmul(p, v)
    if return_row_visible:
        return out, vis.any(axis=-1)
    return out


# ---------------------------------------------------------------------------
# DCFormer's cross-head composition: attn.compose and attn.dcmha
# ---------------------------------------------------------------------------

# The groups of attn.compose, in the order the ops write them (docs/Spec.md
# 1.3): `static` is W [H, H]; the weight groups are pairs (w1, w2); the gates
# are single tensors.
COMPOSE_GROUPS = ("static", "query_weights", "key_weights", "query_gate",
                  "key_gate")


def _compose_types(dtype):
    """(the type of the result and of every unfused step, the accumulation
    type of the contractions): float64 and float32 compute in themselves;
    float16 rounds every step to float16 and accumulates each contraction
    in float32 (as `sdpa`'s naive matmuls do)."""
    dt = np.dtype(dtype).type
    if dt not in (np.float64, np.float32, np.float16):
        raise ValueError(f"dtype must be float64, float32 or float16, got "
                         f"{np.dtype(dtype)}")
    return dt, (np.float32 if dt == np.float16 else dt)


def compose(a, static=None, query_weights=None, key_weights=None,
            query_gate=None, key_gate=None, *, dtype=np.float64):
    """attn.compose (docs/Spec.md 1.3): DCFormer's CrossHeadProjection, one
    head group. a [B, H, Lq, Lk]; static W [H, H]; query_weights (qw1, qw2)
    [B, Lq, Cq, H] each; key_weights (kw1, kw2) [B, Lk, Ck, H] each;
    query_gate qdd [B, Lq, H]; key_gate kdd [B, Lk, H] -> [B, H, Lq, Lk]:

        out[b,h,t,s] = sum_g A[b,g,t,s] * W[g,h]        (A itself without W)
                     + sum_c qw2[b,t,c,h] * sum_g qw1[b,t,c,g] * A[b,g,t,s]
                     + sum_c kw2[b,s,c,h] * sum_g kw1[b,s,c,g] * A[b,g,t,s]
                     + A[b,h,t,s] * (qdd[b,t,h] + kdd[b,s,h])

    An absent group adds nothing (`static` absent: W = identity).

    dtype=np.float64 is the reference. Another dtype gives the
    straightforward unfused math in that dtype, the "naive" baseline of
    `error_rule`: each term is its own contraction (float32 accumulation for
    float16, as BLAS would), rounded to `dtype`, and the terms are added in
    `dtype`."""
    dt, acc = _compose_types(dtype)
    a = np.asarray(a)
    if a.ndim != 4:
        raise ValueError(f"A must be [B, H, Lq, Lk], got {a.shape}")
    b, h, lq, lk = a.shape
    aa = a.astype(acc)

    def term(x):
        return np.asarray(x, acc).astype(dt)

    def want(name, x, shape):
        if tuple(x.shape) != shape:
            raise ValueError(f"{name}: expected {shape}, got {x.shape}")
        return np.asarray(x).astype(acc)

    if static is None:
        out = a.astype(dt)
    else:
        w = want("static", np.asarray(static), (h, h))
        out = term(np.einsum("bgts,gh->bhts", aa, w, optimize=True))
    for name, pair, seq, sub in (("query_weights", query_weights, lq, "t"),
                                 ("key_weights", key_weights, lk, "s")):
        if pair is None:
            continue
        w1, w2 = (np.asarray(x) for x in pair)
        if w1.ndim != 4:
            raise ValueError(f"{name}: expected [B, L, C, H], got {w1.shape}")
        c = w1.shape[2]
        w1 = want(name + " w1", w1, (b, seq, c, h))
        w2 = want(name + " w2", w2, (b, seq, c, h))
        # hidden[b,c,t,s] = sum_g w1[b,(t|s),c,g] * A[b,g,t,s], then
        # out[b,h,t,s] += sum_c w2[b,(t|s),c,h] * hidden[b,c,t,s].
        hidden = np.einsum(f"b{sub}cg,bgts->bcts", w1, aa, optimize=True)
        hidden = hidden.astype(dt).astype(acc)
        out = (out + term(np.einsum(f"b{sub}ch,bcts->bhts", w2, hidden,
                                    optimize=True))).astype(dt)
    if query_gate is not None:
        qdd = want("query_gate", np.asarray(query_gate), (b, lq, h))
        gate = np.transpose(qdd, (0, 2, 1))[:, :, :, None].astype(dt)
        out = (out + (a.astype(dt) * gate).astype(dt)).astype(dt)
    if key_gate is not None:
        kdd = want("key_gate", np.asarray(key_gate), (b, lk, h))
        gate = np.transpose(kdd, (0, 2, 1))[:, :, None, :].astype(dt)
        out = (out + (a.astype(dt) * gate).astype(dt)).astype(dt)
    return out


def dcmha(q, k, v, pre=None, post=None, *, scale=None, causal=False,
          window=None, dtype=np.float64, return_row_visible=False):
    """attn.dcmha (docs/Spec.md 1.4): attention whose logits pass through
    compose_pre and whose probabilities pass through compose_post:

        S  = scale * Q @ K^T            [B, H, Lq, Lk], scale = 1/sqrt(D)
        S' = compose(S, **pre)          (identity when pre is None)
        P  = softmax over the visible keys of S' (invisible: P = 0)
        P' = compose(P, **post)         (identity when post is None)
        O  = P' @ V                     [B, H, Lq, Dv]

    q [B, H, Lq, D], k [B, H, Lk, D], v [B, H, Lk, Dv] (MHA only); `pre` and
    `post` map group names (COMPOSE_GROUPS) to their operands as `compose`
    takes them. `causal` and `window` (left, right) as `visibility` (no
    chunk, no mask). A row with no visible key gives zeros. `scale` is an
    f32 attribute, so it is rounded to float32 first.

    dtype as in `sdpa`: np.float64 is the reference; another dtype the
    straightforward unfused math in that dtype (every step rounded to it,
    products accumulated in float32 for float16), the "naive" baseline."""
    dt, acc = _compose_types(dtype)
    if q.shape[1] != k.shape[1] or k.shape[1] != v.shape[1]:
        raise ValueError(f"attn.dcmha is MHA only: heads {q.shape[1]}, "
                         f"{k.shape[1]}, {v.shape[1]}")
    d = q.shape[-1]

    def matmul(x, y):
        return (x.astype(acc) @ y.astype(acc)).astype(dt)

    scale = 1.0 / np.sqrt(d) if scale is None else float(np.float32(scale))
    s = (matmul(q.astype(dt), np.swapaxes(k.astype(dt), -1, -2))
         * dt(scale)).astype(dt)
    if pre:
        s = compose(s, **pre, dtype=dt)
    vis = np.broadcast_to(visibility(q.shape[2], k.shape[2], causal=causal,
                                     window=window), s.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.where(vis, s, dt(-np.inf))
        m = s.max(axis=-1, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, dt(0))
        e = np.where(vis, np.exp(s - m), dt(0)).astype(dt)
        l = e.sum(axis=-1, keepdims=True, dtype=dt)
        p = np.where(l == 0, dt(0), e / np.where(l == 0, dt(1), l)).astype(dt)
    if post:
        # Every term of compose is a multiple of A at the same (t, s), so
        # masked positions (P = 0 in every head) stay 0.
        p = compose(p, **post, dtype=dt)
    out = matmul(p, v.astype(dt))
    if return_row_visible:
        return out, vis.any(axis=-1)
    return out


def compose_flops(b, h, lq, lk, *, static=False, cq=0, ck=0, query_gate=False,
                  key_gate=False):
    """FLOP of one attn.compose on [B, H, Lq, Lk] (2 per multiply-add):
    static 2H^2, each rank of a weight pair 4H (w1 reduction and w2
    broadcast), each gate 2H, per (b, t, s). The convention of
    anchors/dcmha_torch.py's compose_flops (which also counts the static
    group and a residual add)."""
    per = (2 * h * h if static else 0) + 4 * h * (cq + ck) + \
        2 * h * (int(query_gate) + int(key_gate))
    return float(b) * lq * lk * per


# ---------------------------------------------------------------------------
# Bilinear sampling: attn.deformable_sample and attn.ms_deform_attn
# ---------------------------------------------------------------------------

# Rows of sampled values gathered per step (bounds the temporaries at a few
# tens of MB however large the problem).
_GATHER_ELEMS = 1 << 21


def _compute_type(dtype):
    """(the arithmetic type, the result type) of the sampling functions:
    float64 for the reference, float32 for float32 and, as the spec's
    "accumulation is always in f32" and PyTorch's opmath for half do,
    float32 for float16 too (the result is rounded to float16 once)."""
    dt = np.dtype(dtype).type
    if dt not in (np.float64, np.float32, np.float16):
        raise ValueError(f"dtype must be float64, float32 or float16, got "
                         f"{np.dtype(dtype)}")
    return (np.float32 if dt == np.float16 else dt), dt


def _bilinear_corners(ok, ix, iy, height, width, border):
    """The four corners of the bilinear kernel at pixel coordinates (ix, iy)
    (arrays of one float type; `height` and `width` broadcast against them).
    `ok` says where the normalized coordinates were both finite: elsewhere
    the point contributes zero. (Finite coordinates can overflow to +-inf
    when unnormalized in float32; they are clamped like any far point.)

    Returns [((wy0, wx0), pos00), ((wy0, wx1), pos01), ((wy1, wx0), pos10),
    ((wy1, wx1), pos11)], with pos = y * width + x the corner's index in its
    row-major map, or -1 where the corner lies outside the map (it reads 0).
    With `border`, coordinates are first clamped to [0, size - 1]. No index
    is ever outside the map, however large the coordinate."""
    ct = ix.dtype.type
    ix = np.where(ok, ix, ct(0))
    iy = np.where(ok, iy, ct(0))
    w = np.asarray(width, ct)
    h = np.asarray(height, ct)
    if border:
        ix = np.clip(ix, ct(0), w - ct(1))
        iy = np.clip(iy, ct(0), h - ct(1))
    # Beyond [-1, size] every corner is outside the map: clamping to
    # [-2, size + 1] keeps that true and makes the integer conversion exact.
    ix = np.clip(ix, ct(-2), w + ct(1))
    iy = np.clip(iy, ct(-2), h + ct(1))
    fx, fy = np.floor(ix), np.floor(iy)
    wx1 = (ix - fx).astype(ct)
    wy1 = (iy - fy).astype(ct)
    wx0, wy0 = ct(1) - wx1, ct(1) - wy1
    x0, y0 = fx.astype(np.int64), fy.astype(np.int64)
    wi = np.asarray(width, np.int64)
    hi = np.asarray(height, np.int64)
    corners = []
    for dy, wy in ((0, wy0), (1, wy1)):
        for dx, wx in ((0, wx0), (1, wx1)):
            xx, yy = x0 + dx, y0 + dy
            inside = ok & (xx >= 0) & (xx < wi) & (yy >= 0) & (yy < hi)
            corners.append(((wy, wx), np.where(inside, yy * wi + xx, -1)))
    return corners


def _blend(corners, gather):
    """wy0 * (wx0 * v00 + wx1 * v01) + wy1 * (wx0 * v10 + wx1 * v11), the
    order of torch's grid_sample; gather(pos) returns the corner values
    [..., C] (zeros where pos is -1)."""
    (w00, p00), (w01, p01), (w10, p10), (w11, p11) = corners
    top = (w00[1][..., None] * gather(p00) + w01[1][..., None] * gather(p01))
    bottom = (w10[1][..., None] * gather(p10) +
              w11[1][..., None] * gather(p11))
    return w00[0][..., None] * top + w10[0][..., None] * bottom


def _row_table(rows, ct):
    """[R, C] rows in `ct` with a zero row appended at index R: corners
    outside the map gather it."""
    return np.concatenate([rows.astype(ct), np.zeros((1, rows.shape[1]), ct)])


def grid_sample_cl(input, grid, *, align_corners=False, padding_mode="zeros",
                   dtype=np.float64):
    """attn.deformable_sample (docs/Spec.md 1.5): torch's
    grid_sample(mode="bilinear") in channels-last layout.

    input [N, Hin, Win, C], grid [N, Hout, Wout, 2] with (x, y) normalized to
    [-1, 1] -> [N, Hout, Wout, C]. Pixel coordinates: with align_corners,
    x_pix = (x + 1) / 2 * (Win - 1); without, x_pix = ((x + 1) * Win - 1) / 2
    (y likewise with Hin). padding_mode "zeros": corners outside the map read
    0; "border": the pixel coordinates are clamped to [0, size - 1] first. A
    non-finite coordinate contributes zero in both modes (unlike torch, which
    clamps +-inf in border mode); no coordinate reads outside `input`.

    dtype=np.float64 is the reference. np.float32 gives the same math in
    float32 (the "naive" baseline of `error_rule`); np.float16 computes in
    float32 on the float16 values and rounds the result to float16 once (f32
    accumulation, as the spec requires of every kernel)."""
    if padding_mode not in ("zeros", "border"):
        raise ValueError(f"padding_mode must be 'zeros' or 'border', got "
                         f"{padding_mode!r}")
    input, grid = np.asarray(input), np.asarray(grid)
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or \
            grid.shape[0] != input.shape[0]:
        raise ValueError(f"expected input [N, Hin, Win, C] and grid "
                         f"[N, Hout, Wout, 2], got {input.shape} and "
                         f"{grid.shape}")
    ct, rt = _compute_type(dtype)
    n, hin, win, c = input.shape
    hout, wout = grid.shape[1:3]
    out = np.zeros((n, hout * wout, c), rt)
    if out.size == 0:
        return out.reshape(n, hout, wout, c)
    table = _row_table(input.reshape(n * hin * win, c), ct)
    zero_row = n * hin * win
    step = max(1, _GATHER_ELEMS // max(c, 1))
    for ni in range(n):
        g = grid[ni].reshape(-1, 2)
        for s in range(0, hout * wout, step):
            x = g[s:s + step, 0].astype(ct)
            y = g[s:s + step, 1].astype(ct)
            with np.errstate(over="ignore", invalid="ignore"):
                if align_corners:
                    ix = (x + ct(1)) / ct(2) * ct(win - 1)
                    iy = (y + ct(1)) / ct(2) * ct(hin - 1)
                else:
                    ix = ((x + ct(1)) * ct(win) - ct(1)) / ct(2)
                    iy = ((y + ct(1)) * ct(hin) - ct(1)) / ct(2)
            corners = _bilinear_corners(np.isfinite(x) & np.isfinite(y),
                                        ix.astype(ct), iy.astype(ct), hin, win,
                                        padding_mode == "border")

            def gather(pos, base=ni * hin * win):
                rows = np.where(pos >= 0, base + pos, zero_row)
                return np.take(table, rows, axis=0)

            out[ni, s:s + step] = _blend(corners, gather)
    return out.reshape(n, hout, wout, c)


def ms_deform_attn(value, loc, weights, spatial_shapes, *, dtype=np.float64):
    """attn.ms_deform_attn (docs/Spec.md 1.6): Deformable DETR's
    multi-scale deformable attention (ms_deform_attn_core_pytorch).

    value [N, S, M, D] (levels concatenated along S, each row-major (y, x)),
    loc [N, Lq, M, L, P, 2] with (x, y) normalized to [0, 1], weights
    [N, Lq, M, L, P], spatial_shapes [(H_0, W_0), ...] (L of them, with
    S = sum H_l * W_l) -> [N, Lq, M * D]:

        out[n, q, m*D:(m+1)*D] =
            sum_l sum_p weights[n, q, m, l, p] *
                        bilinear_l(value[n, :, m, :], loc[n, q, m, l, p])

    bilinear_l is grid_sample(align_corners=False, padding_mode="zeros") on
    level l: x_pix = x * W_l - 0.5, y_pix = y * H_l - 0.5. A point with a
    non-finite coordinate contributes zero (whatever its weight); corners
    outside the level read 0.

    dtype as in `grid_sample_cl`: np.float64 is the reference, np.float32
    the same math in float32, np.float16 float32 math on the float16 values
    rounded to float16 once."""
    value, loc, weights = (np.asarray(a) for a in (value, loc, weights))
    shapes = np.asarray(spatial_shapes, np.int64).reshape(-1, 2)
    if value.ndim != 4 or loc.ndim != 6 or weights.ndim != 5:
        raise ValueError(f"expected value [N, S, M, D], loc [N, Lq, M, L, P, "
                         f"2] and weights [N, Lq, M, L, P], got {value.shape},"
                         f" {loc.shape} and {weights.shape}")
    n, s_len, m, d = value.shape
    lq, levels, points = loc.shape[1], loc.shape[3], loc.shape[4]
    if loc.shape != (n, lq, m, levels, points, 2) or \
            weights.shape != loc.shape[:5]:
        raise ValueError(f"loc {loc.shape} and weights {weights.shape} do not "
                         f"match value {value.shape}")
    if len(shapes) != levels:
        raise ValueError(f"{len(shapes)} spatial shapes for {levels} levels")
    sizes = shapes[:, 0] * shapes[:, 1]
    if int(sizes.sum()) != s_len:
        raise ValueError(f"value has S = {s_len} rows, the spatial shapes "
                         f"sum to {int(sizes.sum())}")
    ct, rt = _compute_type(dtype)
    out = np.zeros((n, lq, m, d), rt)
    if out.size == 0 or levels * points == 0:
        return out.reshape(n, lq, m * d)
    # value[n, start_l + y*W_l + x, m, :] is row (n*S + start_l + pos)*M + m.
    table = _row_table(value.reshape(n * s_len * m, d), ct)
    zero_row = n * s_len * m
    starts = (np.cumsum(sizes) - sizes).reshape(1, 1, levels, 1)
    hl = shapes[:, 0].reshape(1, 1, levels, 1)
    wl = shapes[:, 1].reshape(1, 1, levels, 1)
    heads = np.arange(m, dtype=np.int64).reshape(1, m, 1, 1)
    step = max(1, _GATHER_ELEMS // max(m * levels * points * d, 1))
    for ni in range(n):
        for s in range(0, lq, step):
            x = loc[ni, s:s + step, ..., 0].astype(ct)  # [q, M, L, P]
            y = loc[ni, s:s + step, ..., 1].astype(ct)
            with np.errstate(over="ignore", invalid="ignore"):
                ix = (x * wl.astype(ct) - ct(0.5)).astype(ct)
                iy = (y * hl.astype(ct) - ct(0.5)).astype(ct)
            ok = np.isfinite(x) & np.isfinite(y)
            corners = _bilinear_corners(ok, ix, iy, hl, wl, border=False)

            def gather(pos, base=ni * s_len):
                rows = np.where(pos >= 0, (base + starts + pos) * m + heads,
                                zero_row)
                return np.take(table, rows, axis=0)

            sampled = _blend(corners, gather)  # [q, M, L, P, D]
            aw = np.where(ok, weights[ni, s:s + step].astype(ct), ct(0))
            out[ni, s:s + step] = np.einsum("qmlp,qmlpd->qmd", aw, sampled)
    return out.reshape(n, lq, m * d)


# ---------------------------------------------------------------------------
# Error rules
# ---------------------------------------------------------------------------


class RuleCheck(NamedTuple):
    """The outcome of `error_rule` or `close_rule`."""
    ok: bool
    err: float  # max |out - ref| over the entries where both are finite
    bound: float  # the largest `err` allowed
    worst: Optional[Tuple[int, ...]]  # index of `err` (None: no entries)
    nonfinite: int  # entries where `ref` is finite and `out` is not
    first_nonfinite: Optional[Tuple[int, ...]]  # the first of them
    ref_max: float  # max |ref| over its finite entries
    naive_err: float = 0.0  # error_rule only: max |naive - ref|


def _check(out, ref, bound_of):
    """RuleCheck of `out` against `ref`; bound_of(finite, ref, ref_max)
    returns (bound, naive_err), `finite` being where `ref` is finite."""
    out = np.asarray(out, np.float64)
    ref = np.asarray(ref, np.float64)
    if out.shape != ref.shape:
        raise ValueError(f"shapes differ: {out.shape} and {ref.shape}")
    finite = np.isfinite(ref)
    bad = finite & ~np.isfinite(out)
    nonfinite = int(np.count_nonzero(bad))
    first_bad = tuple(int(i) for i in np.argwhere(bad)[0]) if nonfinite else None
    diff = np.where(finite & np.isfinite(out), np.abs(out - ref), 0.0)
    err, worst = 0.0, None
    if diff.size:
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(diff),
                                                       diff.shape))
        err = float(diff[worst])
    ref_max = float(np.max(np.abs(ref[finite]), initial=0.0))
    bound, naive_err = bound_of(finite, ref, ref_max)
    return RuleCheck(nonfinite == 0 and err <= bound, err, bound, worst,
                     nonfinite, first_bad, ref_max, naive_err)


def error_rule(out, ref, naive):
    """FlashAttention's rule (docs/Spec.md "Numerics", SPEC section 4):

        max|out - ref| <= 2 * max|naive - ref| + 1e-5 * max(1, max|ref|)

    and no NaN or Inf in `out` where `ref` is finite. `ref` is the float64
    result, `naive` the unfused math in the input dtype (`sdpa(...,
    dtype=...)`); the maxima run over the entries where `ref` is finite."""
    naive = np.asarray(naive, np.float64)

    def bound_of(finite, ref, ref_max):
        naive_err = float(np.max(np.abs(naive - ref)[finite], initial=0.0))
        return 2 * naive_err + 1e-5 * max(1.0, ref_max), naive_err

    return _check(out, ref, bound_of)


def close_rule(out, ref, tol):
    """max|out - ref| <= tol * max(1, max|ref|), and no NaN or Inf in `out`
    where `ref` is finite (the rule of small exact graphs, and of the
    float64 cross-check of the reference evaluator)."""
    return _check(out, ref,
                  lambda finite, ref, ref_max: (tol * max(1.0, ref_max), 0.0))
