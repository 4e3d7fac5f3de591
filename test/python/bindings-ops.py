# The Python package `attn`: attn.dcmha and attn.ms_deform_attn compiled
# with attn.compile and called on numpy arrays, against attn.reference
# (utils/attn_reference.py's dcmha and ms_deform_attn) by the rule of SPEC
# section 4.

# REQUIRES: python-bindings
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s | FileCheck %s

import numpy as np

import attn
from attn import reference

rng = np.random.default_rng(1)


def randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def check(name, out, ref, naive):
    rule = reference.error_rule(out, ref, naive)
    ok = rule.ok and out.shape == ref.shape and out.dtype == np.float32
    print(("PASS " if ok else "FAIL ") + name +
          ("" if ok else f" (err {rule.err:.3g} > {rule.bound:.3g})"))


# attn.dcmha, causal, with query-weight and query-gate groups before the
# softmax and a key gate after it (docs/Spec.md 1.4's example, smaller).
b, h, lq, lk, d, c = 1, 4, 19, 19, 32, 2
t_qkv = f"tensor<{b}x{h}x{lq}x{d}xf32>"
t_w = f"tensor<{b}x{lq}x{c}x{h}xf32>"
t_qg = f"tensor<{b}x{lq}x{h}xf32>"
t_kg = f"tensor<{b}x{lk}x{h}xf32>"
exe = attn.compile(f"""
func.func @dcmha(%q: {t_qkv}, %k: {t_qkv}, %v: {t_qkv}, %a1: {t_w}, %a2: {t_w},
                 %ag: {t_qg}, %bg: {t_kg}) -> {t_qkv} {{
  %o = attn.dcmha %q, %k, %v pre(query_weights(%a1, %a2) query_gate(%ag)) post(key_gate(%bg)) {{causal}}
      : {t_qkv}, {t_qkv}, {t_qkv}, {t_w}, {t_w}, {t_qg}, {t_kg} -> {t_qkv}
  return %o : {t_qkv}
}}
""", num_threads=2)
q, k, v = randn(b, h, lq, d), randn(b, h, lk, d), randn(b, h, lk, d)
a1, a2 = randn(b, lq, c, h) * 0.3, randn(b, lq, c, h) * 0.3
ag, bg = randn(b, lq, h) * 0.3, randn(b, lk, h) * 0.3
out = exe.dcmha(q, k, v, a1, a2, ag, bg)
pre = dict(query_weights=(a1, a2), query_gate=ag)
post = dict(key_gate=bg)
check("dcmha", out, reference.dcmha(q, k, v, pre, post, causal=True),
      reference.dcmha(q, k, v, pre, post, causal=True, dtype=np.float32))
# CHECK: PASS dcmha

# attn.ms_deform_attn: two levels (6x4, 3x2), M = 2 heads, D = 8, Lq = 5,
# P = 3 points, locations around [0, 1]^2.
n, m, dh, nq, p = 1, 2, 8, 5, 3
levels = [(6, 4), (3, 2)]
s = sum(hh * ww for hh, ww in levels)
sizes = ", ".join(str(x) for hw in levels for x in hw)
t_val = f"tensor<{n}x{s}x{m}x{dh}xf32>"
t_loc = f"tensor<{n}x{nq}x{m}x{len(levels)}x{p}x2xf32>"
t_wt = f"tensor<{n}x{nq}x{m}x{len(levels)}x{p}xf32>"
t_out = f"tensor<{n}x{nq}x{m * dh}xf32>"
exe = attn.compile(f"""
func.func @msda(%value: {t_val}, %loc: {t_loc}, %w: {t_wt}) -> {t_out} {{
  %o = attn.ms_deform_attn %value, %loc, %w {{spatial_shapes = array<i64: {sizes}>}}
      : {t_val}, {t_loc}, {t_wt} -> {t_out}
  return %o : {t_out}
}}
""")
value = randn(n, s, m, dh)
loc = rng.uniform(-0.1, 1.1, (n, nq, m, len(levels), p, 2)).astype(np.float32)
w = rng.uniform(0, 1, (n, nq, m, len(levels), p)).astype(np.float32)
out = exe["msda"](value, loc, w)
check("ms_deform_attn", out, reference.ms_deform_attn(value, loc, w, levels),
      reference.ms_deform_attn(value, loc, w, levels, dtype=np.float32))
# CHECK: PASS ms_deform_attn
print(exe.functions[0].flops is not None)
# CHECK: True

# attn.reference names every op of docs/Spec.md.
print(all(callable(getattr(reference, name)) for name in
          ("attention", "sliding_window_attention", "compose", "dcmha",
           "deformable_sample", "ms_deform_attn")))
# CHECK: True
