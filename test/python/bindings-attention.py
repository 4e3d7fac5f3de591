# The Python package `attn` (python-bindings/, docs/Python.md): attention
# compiled with attn.compile and called on numpy arrays, checked against
# attn.reference (utils/attn_reference.py, copied into the package) by the
# rule of SPEC section 4: causal, GQA, odd lengths, f16, bf16 (uint16
# bits), i1 (bool) masks, compile options, and a function with several
# results.

# REQUIRES: python-bindings
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s | FileCheck %s

import numpy as np

import attn
from attn.reference import error_rule, sdpa

rng = np.random.default_rng(0)


def randn(shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if not ok else ""))


def tensor(shape, elt):
    return "tensor<" + "x".join(str(s) for s in shape) + "x" + elt + ">"


def attention_source(qs, ks, vs, elt="f32", attrs="", mask=None):
    """@main(%query, %key, %value[, %mask]) with one attn.attention."""
    out = qs[:3] + vs[3:]
    types = [tensor(qs, elt), tensor(ks, elt), tensor(vs, elt)]
    args = [f"%query: {types[0]}", f"%key: {types[1]}", f"%value: {types[2]}"]
    operands = "%query, %key, %value"
    if mask is not None:
        shape, mask_elt = mask
        types.append(tensor(shape, mask_elt))
        args.append(f"%mask: {types[-1]}")
        operands += " mask %mask"
    out_type = tensor(out, elt)
    return (f"func.func @main({', '.join(args)}) -> {out_type} {{\n"
            f"  %o = attn.attention {operands}{attrs}\n"
            f"      : {', '.join(types)} -> {out_type}\n"
            f"  return %o : {out_type}\n}}\n")


def run_case(name, qs, ks, vs, dtype=np.float32, elt="f32", causal=False,
             mask=None, **options):
    attrs = " {causal}" if causal else ""
    mask_spec = None if mask is None else (mask.shape, "i1")
    exe = attn.compile(attention_source(qs, ks, vs, elt, attrs, mask_spec),
                       **options)
    q, k, v = randn(qs, dtype), randn(ks, dtype), randn(vs, dtype)
    args = [q, k, v] + ([] if mask is None else [mask])
    out = exe["main"](*args)
    ref = sdpa(q, k, v, mask, causal=causal)
    naive = sdpa(q, k, v, mask, causal=causal,
                 dtype=np.float16 if dtype == np.float16 else np.float32)
    rule = error_rule(out, ref, naive)
    ok = (out.dtype == dtype and out.shape == ref.shape and rule.ok)
    check(name, ok, f"dtype {out.dtype}, shape {out.shape}, err {rule.err:.3g}"
                    f" > {rule.bound:.3g}")


run_case("mha_f32", (2, 4, 33, 64), (2, 4, 33, 64), (2, 4, 33, 64))
# CHECK: PASS mha_f32
run_case("causal_odd_lengths", (1, 3, 17, 40), (1, 3, 29, 40), (1, 3, 29, 24),
         causal=True)
# CHECK: PASS causal_odd_lengths
run_case("gqa_causal", (1, 8, 19, 64), (1, 2, 19, 64), (1, 2, 19, 64),
         causal=True, num_threads=2)
# CHECK: PASS gqa_causal
run_case("gqa_decode_split_keys", (1, 8, 1, 64), (1, 2, 257, 64),
         (1, 2, 257, 64), split_keys=4)
# CHECK: PASS gqa_decode_split_keys
run_case("f16", (1, 4, 31, 64), (1, 4, 45, 64), (1, 4, 45, 64),
         dtype=np.float16, elt="f16")
# CHECK: PASS f16
run_case("options", (1, 2, 37, 32), (1, 2, 41, 32), (1, 2, 41, 32),
         causal=True, num_threads=1, block_q=16, block_k=8)
# CHECK: PASS options
run_case("decompose_all", (1, 2, 9, 16), (1, 2, 11, 16), (1, 2, 11, 16),
         decompose_all=True)
# CHECK: PASS decompose_all

# An i1 mask from a numpy bool array (padding: the last keys of batch 1 are
# hidden from every query).
mask = np.ones((2, 1, 13, 21), dtype=bool)
mask[1, :, :, 15:] = False
run_case("bool_mask", (2, 4, 13, 32), (2, 4, 21, 32), (2, 4, 21, 32),
         mask=mask)
# CHECK: PASS bool_mask

# bf16: arrays of uint16 bit patterns in and out (attn.bf16_from_f32 and
# attn.bf16_to_f32 convert).
shape = (1, 2, 23, 32)
exe = attn.compile(attention_source(shape, shape, shape, "bf16"))
q32, k32, v32 = randn(shape), randn(shape), randn(shape)
q, k, v = (attn.bf16_from_f32(x) for x in (q32, k32, v32))
out = exe["main"](q, k, v)
ref = sdpa(*(attn.bf16_to_f32(x) for x in (q, k, v)))
err = np.abs(attn.bf16_to_f32(out) - ref).max()
check("bf16", out.dtype == np.uint16 and err < 3e-2, f"err {err}")
# CHECK: PASS bf16
# The bf16 pair-dot kernel's layouts (unit="bf16_dot_emulated" runs them on
# any CPU; "bf16_dot" needs AVX512-BF16), P rounded to bf16.
exe = attn.compile(attention_source(shape, shape, shape, "bf16"),
                   unit="bf16_dot_emulated")
err = np.abs(attn.bf16_to_f32(exe["main"](q, k, v)) - ref).max()
check("bf16_pairs", err < 3e-2, f"err {err}")
# CHECK: PASS bf16_pairs
check("bf16_round_trip",
      np.array_equal(attn.bf16_from_f32(np.array([1.0, -2.5, 3.0e38],
                                                 np.float32)),
                     np.array([0x3F80, 0xC020, 0x7F62], np.uint16)))
# CHECK: PASS bf16_round_trip

# Several results come back as a tuple, in result order; exe.main is
# exe["main"].
shape = (1, 2, 9, 16)
t = tensor(shape, "f32")
exe = attn.compile(f"""
func.func @main(%q: {t}, %k: {t}, %v: {t}) -> ({t}, {t}) {{
  %full = attn.attention %q, %k, %v : {t}, {t}, {t} -> {t}
  %causal = attn.attention %q, %k, %v {{causal}} : {t}, {t}, {t} -> {t}
  return %full, %causal : {t}, {t}
}}
""")
q, k, v = randn(shape), randn(shape), randn(shape)
results = exe.main(q, k, v)
check("several_results",
      isinstance(results, tuple) and len(results) == 2 and
      np.allclose(results[0], sdpa(q, k, v), atol=1e-5) and
      np.allclose(results[1], sdpa(q, k, v, causal=True), atol=1e-5))
# CHECK: PASS several_results

# A rank-0 result and a Python scalar argument (it takes the parameter's
# dtype).
exe = attn.compile("""
func.func @scale(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<f32>
  %r = linalg.mul ins(%x, %y : tensor<f32>, tensor<f32>) outs(%e : tensor<f32>) -> tensor<f32>
  return %r : tensor<f32>
}
""")
r = exe["scale"](np.float32(3.0) * np.ones((), np.float32), 2.5)
check("scalar", r.shape == () and r.dtype == np.float32 and float(r) == 7.5,
      repr(r))
# CHECK: PASS scalar

# A path instead of text (an example of the repository).
import os  # noqa: E402
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "examples", "vit_b16_self_attention.mlir")
exe = attn.compile(path, num_threads=2)
print(exe.functions[0])
# CHECK: @main(%query: tensor<1x12x197x64xf32>, %key: tensor<1x12x197x64xf32>, %value: tensor<1x12x197x64xf32>) -> tensor<1x12x197x64xf32>
