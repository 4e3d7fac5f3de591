# attn.Graph (python-bindings/attn/graph.py): every op of the builder,
# compiled with attn.compile(graph) and run on random inputs, against numpy
# (elementwise and shape ops: max|out - ref| <= 1e-5 * max(1, max|ref|) by
# close_rule; the attn ops: attn.reference by the rule of SPEC section 4),
# plus the build-time shape errors.

# REQUIRES: python-bindings
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s | FileCheck %s

import math

import numpy as np

import attn
from attn import reference

rng = np.random.default_rng(7)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64))


def softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def layer_norm(x, w, b, eps):
    x = x.astype(np.float64)
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


X, Y, W = randn(2, 5, 16), randn(16), randn(16, 24)
LW, LB, RW = randn(16), randn(16), randn(16)
M = rng.random((2, 1, 5, 5)) > 0.4
M[..., 0] = True

g = attn.Graph()
f = g.function("main")
x, y = f.arg("x", (2, 5, 16)), f.arg("y", (16,))
m = f.arg("m", (2, 1, 5, 5), "i1")
w = f.constant(W, name="w")
cases = {}  # name -> (Value, numpy reference)
cases["add_broadcast"] = (f.add(x, y, name="sum"), X + Y)
cases["scalar_arith"] = (x * 2.0 - y / 3.0, X * 2 - Y / 3)
cases["rsub_rdiv"] = (1.0 - f.div(2.0, f.abs(x) + 1.0), 1 - 2 / (abs(X) + 1))
cases["matmul_weight"] = (x @ w, X @ W)
cases["matmul_batched_tb"] = (f.matmul(x, x, transpose_b=True),
                              X @ X.transpose(0, 2, 1))
cases["matmul_broadcast"] = (f.matmul(f.reshape(x, (2, 1, 5, 16)),
                                      f.reshape(f.transpose(x, (0, 2, 1)),
                                                (1, 2, 16, 5))),
                             X[:, None] @ X.transpose(0, 2, 1)[None])
cases["linear"] = (f.linear(f.slice(x, [0], [8], axes=[2]), W[:8, :16].T, y),
                   X[:, :, :8] @ W[:8, :16] + Y)
cases["layer_norm"] = (f.layer_norm(x, LW, LB, eps=1e-5),
                       layer_norm(X, LW, LB, 1e-5))
cases["rms_norm"] = (f.rms_norm(x, RW, eps=1e-6), X / np.sqrt(
    (X.astype(np.float64) ** 2).mean(-1, keepdims=True) + 1e-6) * RW)
cases["gelu_erf"] = (f.gelu(x), 0.5 * X * (1 + erf(X / math.sqrt(2))))
cases["gelu_tanh"] = (f.gelu(x, approximate="tanh"), 0.5 * X * (1 + np.tanh(
    math.sqrt(2 / math.pi) * (X + 0.044715 * X.astype(np.float64) ** 3))))
cases["silu"] = (f.silu(x), X / (1 + np.exp(-X.astype(np.float64))))
cases["softmax_axis1"] = (f.softmax(x, axis=1), softmax(X.astype(np.float64), 1))
cases["exp_log_sqrt"] = (f.log(f.sqrt(f.exp(x))) + f.tanh(x) * f.rsqrt(
    f.pow(x, 2.0) + 1.0), X / 2 + np.tanh(X) / np.sqrt(X ** 2 + 1))
cases["reshape_collapse"] = (f.reshape(x, (10, 16)), X.reshape(10, 16))
cases["reshape_general"] = (f.reshape(x, (5, 2, -1, 2)), X.reshape(5, 2, 8, 2))
cases["transpose"] = (f.transpose(x, (2, 0, 1)), X.transpose(2, 0, 1))
cases["concat"] = (f.concat([x, f.neg(x)], axis=1),
                   np.concatenate([X, -X], 1))
cases["slice"] = (f.slice(x, [1, -3], [3, 100], axes=[1, 2], steps=[1, 2]),
                  X[:, 1:3, -3::2])
idx = np.array([[4, 0], [-1, 2]])
cases["gather_array"] = (f.gather(x, idx, axis=1), np.take(X, idx, axis=1))
cases["gather_scalar"] = (f.gather(x, 3, axis=2), X[:, :, 3])
cases["gather_value"] = (f.gather(x, f.constant(np.array([1, -2], np.int32)),
                                  axis=0), X[[1, 0]])
cases["reduce_mean_keep"] = (f.reduce_mean(x, axes=[-1], keepdims=True),
                             X.mean(-1, keepdims=True))
cases["reduce_max"] = (f.reduce_max(x, axes=[0, 2]), X.max((0, 2)))
cases["reduce_sum_all"] = (f.reduce_sum(x), X.astype(np.float64).sum())
cases["where_cast"] = (f.where(f.compare("gt", x, 0.0), x, f.cast(
    f.compare("lt", x, -1.0), "f32")), np.where(X > 0, X, (X < -1) * 1.0))
cases["sigmoid_relu_max"] = (f.maximum(f.sigmoid(x), f.relu(x)),
                             np.maximum(1 / (1 + np.exp(-X)), np.maximum(X, 0)))
# einsum: numpy's (product, sum), a custom body (additive attention's
# score w . tanh(a_i + b_j), reduced over the hidden dim h, with odd sizes),
# a max reduction, and no reduction at all.
HW = randn(16)
hw = f.constant(HW, name="hw")
X64 = X.astype(np.float64)
cases["einsum_product"] = (f.einsum("bid,bjd->bij", x, x),
                           np.einsum("bid,bjd->bij", X64, X64))
cases["einsum_additive_score"] = (
    f.einsum("bih,bjh,h->bij", x, f.neg(x), hw,
             body=lambda s, a, b, v: v * s.tanh(a + 0.5 * b)),
    np.einsum("bijh,h->bij", np.tanh(X64[:, :, None] + 0.5 * -X64[:, None]),
              HW.astype(np.float64)))
cases["einsum_max"] = (f.einsum("bid,d->bi", x, y, reduce="max",
                                body=lambda s, a, c: s.maximum(a, c) - 1.0),
                       np.maximum(X64, Y).max(-1) - 1.0)
cases["einsum_elementwise"] = (f.einsum("bid->dbi", x,
                                        body=lambda s, a: s.sigmoid(a) * 2),
                               2 / (1 + np.exp(-X64.transpose(2, 0, 1))))

# attention ops on heads split from a projection.
q = f.transpose(f.reshape(x @ w, (2, 5, 3, 8)), (0, 2, 1, 3), name="q")
Q = (X @ W).reshape(2, 5, 3, 8).transpose(0, 2, 1, 3)
kv = f.slice(q, [0], [1], axes=[1])
KV = Q[:, :1]
attn_cases = {
    "attention_mask_scale": (f.attention(q, q, q, mask=m, scale=0.3),
                             dict(q=Q, k=Q, v=Q, mask=M, scale=0.3)),
    "attention_causal_softcap_gqa": (
        f.attention(q, kv, kv, causal=True, softcap=5.0),
        dict(q=Q, k=KV, v=KV, causal=True, softcap=5.0)),
    "sliding_window": (f.sliding_window_attention(q, q, q, window=(1, 0)),
                       dict(q=Q, k=Q, v=Q, window=(1, 0))),
}
f.ret(*[v for v, _ in cases.values()], *[v for v, _ in attn_cases.values()])

text = str(g)
print("named SSA:", "%sum = linalg.generic" in text and "%q = linalg.transpose"
      in text and "dense_resource<w>" in text)
# CHECK: named SSA: True
exe = attn.compile(g, num_threads=2)
outs = exe.main(X, Y, M)
for (name, (_, ref)), out in zip(cases.items(), outs):
    ref = np.asarray(ref, np.float64)
    rule = reference.close_rule(out, ref, 1e-5)
    ok = rule.ok and out.shape == ref.shape
    print(("PASS " if ok else "FAIL ") + name +
          ("" if ok else f" (err {rule.err:.3g}, shape {out.shape})"))
for (name, (_, kw)), out in zip(attn_cases.items(), outs[len(cases):]):
    ref = reference.sdpa(**kw)
    naive = reference.sdpa(**kw, dtype=np.float32)
    rule = reference.error_rule(out, ref, naive)
    print(("PASS " if rule.ok else "FAIL ") + name)
# CHECK-NOT: FAIL
# CHECK: PASS add_broadcast
# CHECK: PASS gelu_erf
# CHECK: PASS where_cast
# CHECK: PASS einsum_product
# CHECK: PASS einsum_additive_score
# CHECK: PASS einsum_max
# CHECK: PASS einsum_elementwise
# CHECK: PASS attention_mask_scale
# CHECK: PASS attention_causal_softcap_gqa
# CHECK: PASS sliding_window

# compose, dcmha, deformable_sample and ms_deform_attn in a second function
# of another graph.
g2 = attn.Graph()
f2 = g2.function("ops")
b, h, L, d, c = 1, 4, 7, 8, 2
qa = f2.arg("q", (b, h, L, d))
w1, w2 = f2.arg("w1", (b, L, c, h)), f2.arg("w2", (b, L, c, h))
gate = f2.arg("gate", (b, L, h))
st = f2.arg("st", (h, h))
img, grid = f2.arg("img", (1, 6, 5, 3)), f2.arg("grid", (1, 2, 4, 2))
val = f2.arg("val", (1, 6 * 5 + 3 * 2, 2, 4))
loc, aw = f2.arg("loc", (1, 3, 2, 2, 2, 2)), f2.arg("aw", (1, 3, 2, 2, 2))
s = f2.matmul(qa, qa, transpose_b=True)
f2.ret(f2.compose(s, static=st, query_weights=(w1, w2), key_gate=gate),
       f2.dcmha(qa, qa, qa, pre=dict(query_weights=(w1, w2)),
                post=dict(key_gate=gate), causal=True),
       f2.deformable_sample(img, grid, align_corners=True,
                            padding_mode="border"),
       f2.ms_deform_attn(val, loc, aw, [(6, 5), (3, 2)]))
Qa, W1, W2, G, ST = (randn(b, h, L, d), randn(b, L, c, h) * 0.3,
                     randn(b, L, c, h) * 0.3, randn(b, L, h) * 0.3,
                     randn(h, h) * 0.3)
IMG, GRID = randn(1, 6, 5, 3), rng.uniform(-1.1, 1.1, (1, 2, 4, 2)).astype(
    np.float32)
VAL, LOC, AW = randn(1, 36, 2, 4), rng.uniform(0, 1, (1, 3, 2, 2, 2, 2)).astype(
    np.float32), randn(1, 3, 2, 2, 2)
outs = attn.compile(g2, num_threads=2).ops(Qa, W1, W2, G, ST, IMG, GRID, VAL,
                                            LOC, AW)
S = Qa @ Qa.transpose(0, 1, 3, 2)
refs = [
    (reference.compose(S.astype(np.float64), static=ST, query_weights=(W1, W2),
                       key_gate=G),
     reference.compose(S, static=ST, query_weights=(W1, W2), key_gate=G,
                       dtype=np.float32)),
    (reference.dcmha(Qa, Qa, Qa, dict(query_weights=(W1, W2)),
                     dict(key_gate=G), causal=True),
     reference.dcmha(Qa, Qa, Qa, dict(query_weights=(W1, W2)),
                     dict(key_gate=G), causal=True, dtype=np.float32)),
    (reference.deformable_sample(IMG, GRID, align_corners=True,
                                 padding_mode="border"),
     reference.deformable_sample(IMG, GRID, align_corners=True,
                                 padding_mode="border", dtype=np.float32)),
    (reference.ms_deform_attn(VAL, LOC, AW, [(6, 5), (3, 2)]),
     reference.ms_deform_attn(VAL, LOC, AW, [(6, 5), (3, 2)],
                              dtype=np.float32)),
]
for name, out, (ref, naive) in zip(["compose", "dcmha", "deformable_sample",
                                    "ms_deform_attn"], outs, refs):
    rule = reference.error_rule(out, ref, naive)
    print(("PASS " if rule.ok and out.shape == ref.shape else "FAIL ") + name)
# CHECK: PASS compose
# CHECK: PASS dcmha
# CHECK: PASS deformable_sample
# CHECK: PASS ms_deform_attn

# Shape errors are raised while building, naming the op and the operands.
g3 = attn.Graph()
f3 = g3.function("bad")
a, b8 = f3.arg("a", (2, 3, 4)), f3.arg("b", (5, 6))
for what, call in [
        ("matmul", lambda: f3.matmul(a, b8)),
        ("add", lambda: f3.add(a, b8)),
        ("reshape", lambda: f3.reshape(a, (5, 5))),
        ("attention", lambda: f3.attention(f3.reshape(a, (1, 2, 3, 4)),
                                           f3.reshape(a, (1, 3, 2, 4)),
                                           f3.reshape(a, (1, 3, 2, 4)))),
        ("concat", lambda: f3.concat([a, b8], 0)),
        ("transpose", lambda: f3.transpose(a, (0, 0, 1))),
        ("einsum spec", lambda: f3.einsum("ijk,kl", a, b8)),
        ("einsum rank", lambda: f3.einsum("ij,kl->il", a, b8)),
        ("einsum sizes", lambda: f3.einsum("ijk,kl->il", a, b8)),
        ("einsum output", lambda: f3.einsum("ijk->ijz", a)),
        ("einsum body", lambda: f3.einsum("ijk->ij", a,
                                          body=lambda s, v: "x"))]:
    try:
        call()
        print(f"{what}: no error")
    except ValueError as e:
        print(f"{what}: ValueError: {e}")
# CHECK: matmul: ValueError: matmul: contraction sizes differ: tensor<2x3x4xf32> has K = 4, tensor<5x6xf32> has K = 5
# CHECK: add: ValueError: add: shapes (2, 3, 4), (5, 6) do not broadcast
# CHECK: reshape: ValueError: reshape: cannot reshape tensor<2x3x4xf32> (24 elements) to (5, 5)
# CHECK: attention: ValueError: attention: 'query' heads (Hq = 2) must be a multiple of 'key' heads (Hkv = 3)
# CHECK: concat: ValueError: concat: tensor<5x6xf32> does not match tensor<2x3x4xf32> outside dim 0
# CHECK: transpose: ValueError: transpose: [0, 0, 1] is not a permutation of the 3 dims of tensor<2x3x4xf32>
# CHECK: einsum spec: ValueError: einsum 'ijk,kl': needs one '->' between the operands' letters and the output's
# CHECK: einsum rank: ValueError: einsum 'ij,kl->il': operand 0 (tensor<2x3x4xf32>) has rank 3, the spec gives 2 letters ('ij')
# CHECK: einsum sizes: ValueError: einsum 'ijk,kl->il': letter 'k' is 4 in an earlier operand and 5 in operand 1 (tensor<5x6xf32>)
# CHECK: einsum output: ValueError: einsum 'ijk->ijz': output letter 'z' is in no operand
# CHECK: einsum body: ValueError: einsum 'ijk->ij': the body must return a Scalar built from its arguments, got 'x'

# Element types by numpy name; spatial_shapes also flat, as the op's
# attribute and attn.reference take them.
g4 = attn.Graph()
f4 = g4.function("main")
print("dtypes:", f4.arg("x", (2,), dtype="float32").dtype,
      f4.arg("m", (2,), dtype=np.bool_).dtype)
try:
    f4.arg("z", (2,), dtype="float33")
except ValueError as e:
    print(f"arg dtype: ValueError: {e}")
# CHECK: dtypes: f32 i1
# CHECK: arg dtype: ValueError: argument z: unknown element type 'float33'; expected one of f32, f16, bf16
g5 = attn.Graph()
f5 = g5.function("main")
val5 = f5.arg("val", (1, 3 * 4 + 2 * 2, 2, 4))
loc5, aw5 = f5.arg("loc", (1, 3, 2, 2, 2, 2)), f5.arg("aw", (1, 3, 2, 2, 2))
f5.ret(f5.ms_deform_attn(val5, loc5, aw5, [3, 4, 2, 2]))
V5, L5, A5 = (randn(1, 16, 2, 4), rng.random((1, 3, 2, 2, 2, 2)).astype(np.float32),
              rng.random((1, 3, 2, 2, 2)).astype(np.float32))
out5 = attn.compile(g5).main(V5, L5, A5)
ref5 = reference.ms_deform_attn(V5, L5, A5, [(3, 4), (2, 2)])
print("msda flat shapes:", out5.shape, bool(np.abs(out5 - ref5).max() < 1e-5))
# CHECK: msda flat shapes: (1, 3, 8) True

# Regressions. gather checks its indices: an int or array out of
# [-n, n) raises at build time, a Value's stop the call at a run-time check
# (cf.assert -> attn.Error), never a read outside the tensor.
g6 = attn.Graph()
f6 = g6.function("main")
a6 = f6.arg("a", (3, 4))
try:
    f6.gather(a6, [1, 5], axis=1)
except ValueError as e:
    print(f"gather const: ValueError: {e}")
# CHECK: gather const: ValueError: gather: index 5 out of range for dim 1 of tensor<3x4xf32>
i6, z6 = f6.arg("i", (2, 2), "i32"), f6.arg("z", (0,), "i64")
f6.ret(f6.gather(a6, i6, axis=1), f6.gather(a6, z6, axis=1))
print("gather asserts:", str(g6).count("cf.assert"))
# CHECK: gather asserts: 1
exe6 = attn.compile(g6)
A6 = np.arange(12, dtype=np.float32).reshape(3, 4)
I6 = np.array([[0, -4], [3, -1]], np.int32)
print("gather in range:", np.array_equal(exe6.main(A6, I6, np.zeros(0, np.int64))[0],
                                         np.take(A6, I6, axis=1)))
# CHECK: gather in range: True
for bad in ([[0, 4], [0, 0]], [[-5, 0], [0, 0]], [[0, 2 ** 31 - 1], [0, 0]]):
    try:
        exe6.main(A6, np.array(bad, np.int32), np.zeros(0, np.int64))
        print("gather out of range: no error")
    except attn.Error as e:
        print(f"gather out of range: {type(e).__name__}: {e}")
# CHECK-COUNT-3: gather out of range: Error: @main stopped at a run-time check: gather: index out of range [-4, 4) for dim 1 of tensor<3x4xf32>

# Integer tensors: a float scalar that would be truncated is a TypeError (so
# is reduce_mean); an integral one is exact. Out-of-range axes and slice
# lists of different lengths are ValueErrors. Unknown compare kinds and cast
# types too.
g7 = attn.Graph()
f7 = g7.function("main")
n7, x7 = f7.arg("n", (3, 4), "i32"), f7.arg("x", (3, 4))
for what, call in [
        ("int * 0.5", lambda: n7 * 0.5),
        ("int < 0.5", lambda: f7.compare("lt", n7, 0.5)),
        ("int where -inf", lambda: f7.where(f7.compare("gt", n7, 3), n7,
                                            float("-inf"))),
        ("int reduce_mean", lambda: f7.reduce_mean(n7, 1)),
        ("transpose", lambda: f7.transpose(x7, [0, 3])),
        ("slice axis", lambda: f7.slice(x7, [1], [2], axes=[5])),
        ("slice lengths", lambda: f7.slice(x7, [0, 1], [2])),
        ("layer_norm axis", lambda: f7.layer_norm(x7, axis=5)),
        ("rms_norm axis", lambda: f7.rms_norm(x7, axis=-3)),
        ("compare kind", lambda: f7.compare("gtx", x7, 0.0)),
        ("cast type", lambda: f7.cast(x7, "f128"))]:
    try:
        call()
        print(f"{what}: no error")
    except (TypeError, ValueError) as e:
        print(f"{what}: {type(e).__name__}: {e}")
# CHECK: int * 0.5: TypeError: mul: float value 0.5 would be truncated to the tensor's element type i32; cast the tensor to a float type first (cast(x, "f32"))
# CHECK: int < 0.5: TypeError: lt: float value 0.5 would be truncated
# CHECK: int where -inf: TypeError: where: float value -inf would be truncated
# CHECK: int reduce_mean: TypeError: reduce_mean: needs a float tensor, got tensor<3x4xi32>
# CHECK: transpose: ValueError: transpose: [0, 3] is not a permutation of the 2 dims of tensor<3x4xf32>
# CHECK: slice axis: ValueError: slice: axis 5 out of range for rank 2 (tensor<3x4xf32>)
# CHECK: slice lengths: ValueError: slice: starts, ends, axes and steps differ in length (2, 1, 2, 2)
# CHECK: layer_norm axis: ValueError: layer_norm: axis 5 out of range for rank 2 (tensor<3x4xf32>)
# CHECK: rms_norm axis: ValueError: rms_norm: axis -3 out of range for rank 2 (tensor<3x4xf32>)
# CHECK: compare kind: ValueError: compare: unknown kind 'gtx'
# CHECK: cast type: ValueError: cast: unknown element type 'f128'
f7.ret(n7 * 2.0, f7.reduce_mean(f7.cast(n7, "f32"), 1))
N7 = np.arange(12, dtype=np.int32).reshape(3, 4)
o7, m7 = attn.compile(g7).main(N7, randn(3, 4))
print("int exact:", o7.dtype, np.array_equal(o7, N7 * 2), np.allclose(m7, N7.mean(1)))
# CHECK: int exact: int32 True True

# bf16: -inf constants (reduce_max, where, einsum max), bf16 constants and
# f16 <-> bf16 casts (through f32); bf16_from_f32 / bf16_to_f32 keep 0-d.
g8 = attn.Graph()
f8 = g8.function("main")
x8 = f8.arg("x", (3, 4), "bf16")
f8.ret(f8.reduce_max(x8, 1),
       f8.where(f8.compare("gt", x8, 5.0), x8, float("-inf")),
       f8.einsum("ij->i", x8, reduce="max"),
       x8 + f8.constant(np.full((3, 4), 0.5), dtype="bf16"),
       f8.cast(f8.cast(x8, "f16"), "bf16"))
X8 = np.arange(12, dtype=np.float32).reshape(3, 4)
outs8 = [attn.bf16_to_f32(o) for o in attn.compile(g8).main(attn.bf16_from_f32(X8))]
print("bf16:", [bool(np.array_equal(o, r)) for o, r in zip(outs8, [
    X8.max(1), np.where(X8 > 5, X8, -np.inf), X8.max(1), X8 + 0.5, X8])])
# CHECK: bf16: [True, True, True, True, True]
print("bf16 0-d:", attn.bf16_from_f32(np.float32(1.5)).shape,
      attn.bf16_to_f32(attn.bf16_from_f32(np.float32(1.5))))
# CHECK: bf16 0-d: () 1.5

# Arguments named like the SSA values of linalg.generic bodies, and
# reshapes and slices with zero-size results.
g9 = attn.Graph()
f9 = g9.function("main")
args9 = [f9.arg(n, (2, 3)) for n in ("in0", "in1", "out", "t0", "0")]
z9 = f9.arg("z", (0, 6, 8))
f9.ret(f9.exp(args9[0]) + args9[1] * args9[2] - f9.tanh(args9[3]) + args9[4],
       f9.reshape(z9, (6, 0, 8)), f9.reshape(z9, (0, 8, 6)),
       f9.slice(z9, [2], [5], axes=[1]), f9.slice(args9[0], [3], [3], axes=[1]))
exe9 = attn.compile(g9)
print(exe9.functions[0])
X9 = [randn(2, 3) for _ in range(5)]
o9, *r9 = exe9.main(*X9, np.zeros((0, 6, 8), np.float32))
print("names:", np.allclose(o9, np.exp(X9[0]) + X9[1] * X9[2] - np.tanh(X9[3]) + X9[4],
                            atol=1e-5), *[r.shape for r in r9])
# CHECK: @main(%in0: tensor<2x3xf32>, %in1: tensor<2x3xf32>, %out: tensor<2x3xf32>, %t0: tensor<2x3xf32>, %v0: tensor<2x3xf32>, %z: tensor<0x6x8xf32>)
# CHECK: names: True (6, 0, 8) (0, 8, 6) (0, 3, 8) (2, 0)
