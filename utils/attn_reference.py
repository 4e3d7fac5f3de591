# Part of the attn-mlir project.
"""attn_reference - numpy attention math for the Python helpers.

The one numpy implementation of scaled dot-product attention (docs/Spec.md
1.1-1.2) and of the error rules that the tests apply, shared by
test/Integration/CPU/Inputs/check_attention.py, test/Tools/Inputs/npytool.py,
scripts/demo_inputs.py (scripts/demo.sh) and bench/. It needs numpy only
(Debian's /usr/bin/python3).

It shares no code with the C++ reference evaluator (lib/Reference) or the
compiler: the CPU execution tests check the evaluator against `sdpa` here, a
second, independent oracle written from the spec.

Importing: the module lives in <repo>/utils. The lit suite puts that folder
on PYTHONPATH (test/lit.cfg.py); the scripts under scripts/ and bench/ add it
to sys.path from their own location.

  sdpa(q, k, v, mask, scale=, causal=, softcap=, window=, chunk=, dtype=)
      attention in float64 (the reference) or, with dtype=np.float32 or
      np.float16, the straightforward unfused math in that dtype (the
      "naive" baseline of the error rule)
  visibility(lq, lk, causal=, window=, chunk=)   [lq, lk] bool geometry
  visible_pairs(...), attention_flops(...)       work of one attention
  error_rule(out, ref, naive)   docs/Spec.md "Numerics" (SPEC section 4)
  close_rule(out, ref, tol)     max|out - ref| <= tol * max(1, max|ref|)
"""

from typing import NamedTuple, Optional, Tuple

import numpy as np

__all__ = [
    "sdpa", "visibility", "visible_pairs", "attention_flops", "error_rule",
    "close_rule", "RuleCheck",
]

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

    dtype=np.float64 is the reference. Another dtype gives the
    straightforward unfused math in that dtype, the "naive" baseline of
    `error_rule`: every step rounds to `dtype`, and the two products
    accumulate in float32 for float16 (as BLAS would).

    With return_row_visible=True, returns (out, row_visible) where
    row_visible [B, Hq, Lq] says which rows have a visible key.
    """
    dt = np.dtype(dtype).type
    hq, hkv = q.shape[1], k.shape[1]
    if hkv <= 0 or hq % hkv:
        raise ValueError(f"query heads ({hq}) must be a multiple of key "
                         f"heads ({hkv})")
    d = q.shape[-1]
    q, k, v = q.astype(dt), k.astype(dt), v.astype(dt)
    k = np.repeat(k, hq // hkv, axis=1)
    v = np.repeat(v, hq // hkv, axis=1)
    acc = np.float32 if dt == np.float16 else dt

    def matmul(a, b):
        return (a.astype(acc) @ b.astype(acc)).astype(dt)

    scale = 1.0 / np.sqrt(d) if scale is None else float(np.float32(scale))
    s = matmul(q, np.swapaxes(k, -1, -2)) * dt(scale)
    if softcap is not None:
        cap = dt(np.float32(softcap))
        s = cap * np.tanh(s / cap)
    vis = np.broadcast_to(
        visibility(q.shape[2], k.shape[2], causal=causal, window=window,
                   chunk=chunk), s.shape)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            vis = vis & mask
        else:
            s = s + mask.astype(dt)
            vis = vis & (mask != -np.inf)
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.where(vis, s, dt(-np.inf))
        m = s.max(axis=-1, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, dt(0))
        e = np.where(vis, np.exp(s - m), dt(0)).astype(dt)
        l = e.sum(axis=-1, keepdims=True, dtype=dt)
        p = np.where(l > 0, e / np.where(l > 0, l, dt(1)), dt(0)).astype(dt)
    out = matmul(p, v)
    if return_row_visible:
        return out, vis.any(axis=-1)
    return out


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
