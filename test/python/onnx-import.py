# attn.onnx on small models built with onnx.helper (no PyTorch): the
# attention raise on hand-written patterns (a constant causal mask made by
# Trilu / ConstantOfShape / Shape arithmetic, a Where-based boolean mask
# input, scale on Q and on the logits), the cases it must leave alone, the
# error that lists every unsupported op, dynamic shapes, and the accepted
# model forms (ModelProto, bytes, path).

# REQUIRES: python-bindings, onnx
# RUN: rm -rf %t && mkdir -p %t && env PYTHONPATH=%attn_python_packages %PYTHON %s %t | FileCheck %s

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import attn
import attn.onnx
from attn import reference

rng = np.random.default_rng(3)
B, H, L, D = 2, 3, 6, 8


def model(nodes, inputs, outputs, inits=(), opset=14):
    g = helper.make_graph(nodes, "g", inputs, outputs,
                          [numpy_helper.from_array(v, k) for k, v in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def tin(name, shape, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, shape)


def const(name, value):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(
        np.asarray(value), name))


qkv = [tin(n, [B, H, L, D]) for n in "qkv"]
Q, K, V = (rng.standard_normal((B, H, L, D)).astype(np.float32)
           for _ in range(3))

# 1. softmax((q * 0.5) @ k^T * 0.7 + causal) @ v, the causal mask built from
#    Shape/Gather/ConstantOfShape/Trilu/Where that fold to a constant.
nodes = [
    const("half", np.float32(0.5)), const("c07", np.float32(0.7)),
    helper.make_node("Mul", ["q", "half"], ["qs"]),
    helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
    helper.make_node("MatMul", ["qs", "kt"], ["s0"]),
    helper.make_node("Mul", ["s0", "c07"], ["s1"]),
    helper.make_node("Shape", ["q"], ["qshape"]),
    const("i2", np.array([2], np.int64)),
    helper.make_node("Gather", ["qshape", "i2"], ["len"], axis=0),
    helper.make_node("Concat", ["len", "len"], ["mshape"], axis=0),
    helper.make_node("ConstantOfShape", ["mshape"], ["ones"],
                     value=numpy_helper.from_array(np.ones(1, np.float32))),
    const("one", np.int64(1)),
    helper.make_node("Trilu", ["ones", "one"], ["upper"], upper=1),
    const("ninf", np.float32(-np.inf)), const("zero", np.float32(0)),
    helper.make_node("Cast", ["upper"], ["upper_b"], to=TensorProto.BOOL),
    helper.make_node("Where", ["upper_b", "ninf", "zero"], ["causal"]),
    helper.make_node("Add", ["s1", "causal"], ["s2"]),
    helper.make_node("Softmax", ["s2"], ["p"], axis=-1),
    helper.make_node("MatMul", ["p", "v"], ["o"]),
]
m1 = model(nodes, qkv, [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m1)
line = [x for x in text.splitlines() if "attn.attention" in x][0]
print("causal:", "{causal, scale = 0.35" in line, "mask" in line,
      "softmax" in text, "Trilu" in text)
# CHECK: causal: True False False False
out = attn.compile(text).main(Q, K, V)
ok = reference.error_rule(out, reference.sdpa(Q, K, V, scale=0.35, causal=True),
                          reference.sdpa(Q, K, V, scale=0.35, causal=True,
                                         dtype=np.float32)).ok
print("causal result:", ok)
# CHECK: causal result: True

# 2. Where(mask, scores, -inf) with a [B, 1, 1, L] bool input: an i1 mask
#    broadcast to [B, 1, L, L]; default scale 1/sqrt(D) via Div.
nodes = [
    const("sqrt_d", np.float32(np.sqrt(D))),
    helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
    helper.make_node("MatMul", ["q", "kt"], ["s0"]),
    helper.make_node("Div", ["s0", "sqrt_d"], ["s1"]),
    const("ninf", np.float32(-np.inf)),
    helper.make_node("Where", ["keep", "s1", "ninf"], ["s2"]),
    helper.make_node("Softmax", ["s2"], ["p"], axis=3),
    helper.make_node("MatMul", ["p", "v"], ["o"]),
]
m2 = model(nodes, qkv + [tin("keep", [B, 1, 1, L], TensorProto.BOOL)],
           [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m2)
line = [x for x in text.splitlines() if "attn.attention" in x][0]
print(line.split(" : ")[-1])
# CHECK: tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x1x6x6xi1> -> tensor<2x3x6x8xf32>
KEEP = rng.random((B, 1, 1, L)) > 0.3
KEEP[..., 0] = True
out = attn.compile(text).main(Q, K, V, KEEP)
mask = np.broadcast_to(KEEP, (B, 1, L, L))
print("bool mask result:", reference.error_rule(
    out, reference.sdpa(Q, K, V, mask), reference.sdpa(Q, K, V, mask,
                                                       dtype=np.float32)).ok)
# CHECK: bool mask result: True

# 2b. A finite fill (Hugging Face's finfo.min) keeps the masked keys: an
#     additive f32 mask, and a row whose keys are all masked is the mean of V
#     as in PyTorch (a boolean mask would give zeros). An identity Cast of P
#     (p.to(q.dtype)) does not stop the raise.
FMIN = float(np.finfo(np.float32).min)
nodes_fill = [
    helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
    helper.make_node("MatMul", ["q", "kt"], ["s0"]),
    const("fmin", np.float32(FMIN)),
    helper.make_node("Where", ["keep", "s0", "fmin"], ["s1"]),
    helper.make_node("Softmax", ["s1"], ["p"], axis=-1),
    helper.make_node("Cast", ["p"], ["pc"], to=TensorProto.FLOAT),
    helper.make_node("MatMul", ["pc", "v"], ["o"]),
]
m2b = model(nodes_fill, qkv + [tin("keep", [B, 1, L, L], TensorProto.BOOL)],
            [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m2b)
line = [x for x in text.splitlines() if "attn.attention" in x][0]
print("finite fill:", line.split(" : ")[-1], "linalg.softmax" in text)
# CHECK: finite fill: tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x3x6x8xf32>, tensor<2x1x6x6xf32> -> tensor<2x3x6x8xf32> False
KEEP2 = rng.random((B, 1, L, L)) > 0.4
KEEP2[0, 0, 2, :] = False
bias = np.where(KEEP2, 0.0, FMIN)
out = attn.compile(text).main(Q, K, V, KEEP2)
ref = reference.sdpa(Q, K, V, bias, scale=1.0)
print("finite fill result:", reference.error_rule(
    out, ref, reference.sdpa(Q, K, V, bias.astype(np.float32), scale=1.0,
                             dtype=np.float32)).ok,
      np.allclose(out[0, :, 2], V[0].mean(axis=1), atol=1e-5))
# CHECK: finite fill result: True True

# 2c. A constant 2-D band mask (not causal) on 4-D heads: an i1 constant
#     broadcast to [1, 1, L, L]; and Where with one-element constant
#     branches (an additive -1e4 padding bias, as old GPT-2 code makes it).
band = np.abs(np.arange(L)[:, None] - np.arange(L)[None]) <= 1
scores = [helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
          helper.make_node("MatMul", ["q", "kt"], ["s0"])]
tail = [helper.make_node("Softmax", ["s1"], ["p"], axis=-1),
        helper.make_node("MatMul", ["p", "v"], ["o"])]
m2c = model(scores + [const("band", band), const("ninf", np.float32(-np.inf)),
                      helper.make_node("Where", ["band", "s0", "ninf"], ["s1"])]
            + tail, qkv, [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m2c)
out = attn.compile(text).main(Q, K, V)
bias = np.where(band, 0.0, -np.inf)
print("band:", text.count("attn.attention"),
      reference.error_rule(out, reference.sdpa(Q, K, V, bias, scale=1.0),
                           reference.sdpa(Q, K, V, bias.astype(np.float32),
                                          scale=1.0, dtype=np.float32)).ok)
# CHECK: band: 1 True
m2d = model(scores + [const("m1e4", np.array([-1e4], np.float32)),
                      const("z1", np.array([0.0], np.float32)),
                      helper.make_node("Where", ["pad", "m1e4", "z1"], ["pb"]),
                      helper.make_node("Add", ["s0", "pb"], ["s1"])] + tail,
            qkv + [tin("pad", [B, 1, 1, L], TensorProto.BOOL)],
            [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m2d)
PAD = rng.random((B, 1, 1, L)) > 0.7
out = attn.compile(text).main(Q, K, V, PAD)
bias = np.broadcast_to(np.where(PAD, -1e4, 0.0), (B, 1, L, L))
print("scalar where:", text.count("attn.attention"),
      reference.error_rule(out, reference.sdpa(Q, K, V, bias, scale=1.0),
                           reference.sdpa(Q, K, V, bias.astype(np.float32),
                                          scale=1.0, dtype=np.float32)).ok)
# CHECK: scalar where: 1 True

# 3. Not raised: the probabilities are also a graph output (the softmax is
#    kept; both results still right), and a softmax over another axis.
m3 = model(nodes[:-2] + [helper.make_node("Softmax", ["s2"], ["p"], axis=3),
                         helper.make_node("MatMul", ["p", "v"], ["o"])],
           qkv + [tin("keep", [B, 1, 1, L], TensorProto.BOOL)],
           [tin("o", [B, H, L, D]), tin("p", [B, H, L, L])])
text = attn.onnx.import_model(m3)
print("kept:", "attn.attention" in text, text.count("linalg.softmax"))
# CHECK: kept: False 1
o, p = attn.compile(text).main(Q, K, V, KEEP)
print("kept result:", reference.close_rule(
    o, reference.sdpa(Q, K, V, mask), 1e-5).ok)
# CHECK: kept result: True
m4 = model([helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 1, 3, 2]),
            helper.make_node("MatMul", ["q", "kt"], ["s"]),
            helper.make_node("Softmax", ["s"], ["p"], axis=2),
            helper.make_node("MatMul", ["p", "v"], ["o"])], qkv,
           [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m4)
print("axis 2:", "attn.attention" in text, "linalg.softmax dimension(2)" in text)
# CHECK: axis 2: False True

# 4. Every unsupported node is listed, with its name, in one error.
m5 = model([helper.make_node("Relu", ["q"], ["r"], name="ok_relu"),
            helper.make_node("TopK", ["r", "kk"], ["t", "ti"], name="top",
                             axis=-1),
            helper.make_node("NonZero", ["t"], ["nz"], name="nonzero"),
            helper.make_node("MyOp", ["nz"], ["o"], name="custom",
                             domain="com.example")],
           qkv[:1], [tin("o", [2])], inits=[("kk", np.array([2], np.int64))])
try:
    attn.onnx.import_model(m5)
except attn.onnx.UnsupportedOpError as e:
    print(type(e).__name__, isinstance(e, ValueError), e.ops)
    print(e)
# CHECK: UnsupportedOpError True [('TopK', 'top'), ('NonZero', 'nonzero'), ('MyOp', 'custom')]
# CHECK-NEXT: 3 unsupported ONNX node(s) of type(s) MyOp, NonZero, TopK: TopK (node 'top'); NonZero (node 'nonzero'); MyOp (node 'custom')

# 5. Dynamic dims need input_shapes=; the model forms.
m6 = model([helper.make_node("Relu", ["x"], ["y"])], [tin("x", ["n", 4])],
           [tin("y", ["n", 4])])
try:
    attn.onnx.import_model(m6)
except attn.onnx.OnnxImportError as e:
    print(e)
# CHECK: input 'x' has a dynamic dimension 'n': pass input_shapes={'x': (...)} (static shapes only)
path = os.path.join(sys.argv[1], "relu.onnx")
onnx.save(m6, path)
for form in (m6, m6.SerializeToString(), path):
    exe = attn.compile(attn.onnx.import_model(form, input_shapes={"x": (3, 4)}))
    print(str(exe.functions[0]), exe.main(np.float32([[-1, 2, -3, 4]] * 3))[0])
# CHECK-COUNT-3: @main(%x: tensor<3x4xf32>) -> tensor<3x4xf32> [0. 2. 0. 4.]
for shapes in ({"x": (3, 4), "y": (3, 4)}, {"x": (3, 5)}):
    try:
        attn.onnx.import_model(m6, input_shapes=shapes)
    except attn.onnx.OnnxImportError as e:
        print(e)
# CHECK: input_shapes names 'y', which the model has no input of; its inputs: 'x'
# CHECK: input_shapes['x'] = (3, 5) does not fit the model's input shape (n, 4)
try:
    attn.onnx.import_model(42)
except TypeError as e:
    print(e)
# CHECK: import_model: expected an onnx.ModelProto, bytes or a path, got int

# 6. Regressions. Graph inputs/outputs named like the SSA values of
#    linalg.generic bodies (in0, t0, out); a Gather of run-time ids (an
#    embedding) checks them when it runs (attn.Error, not a read outside
#    the table).
m7 = model([helper.make_node("Gather", ["in0", "t0"], ["g"], axis=0),
            helper.make_node("Relu", ["g"], ["out"])],
           [tin("in0", [4, 3]), tin("t0", [2], TensorProto.INT64)],
           [tin("out", [2, 3])])
exe = attn.compile(attn.onnx.import_model(m7))
print(str(exe.functions[0]))
# CHECK: @main(%in0: tensor<4x3xf32>, %t0: tensor<2xi64>) -> tensor<2x3xf32>
TABLE = rng.standard_normal((4, 3)).astype(np.float32)
print("embedding:", np.array_equal(exe.main(TABLE, np.array([3, -4])),
                                   np.maximum(TABLE[[3, 0]], 0)))
# CHECK: embedding: True
try:
    exe.main(TABLE, np.array([1, 12]))
except attn.Error as e:
    print(e)
# CHECK: @main stopped at a run-time check: gather: index out of range [-4, 4) for dim 0 of tensor<4x3xf32>

# 7. A mask whose broadcast widens the scores ([H, L, D] Q/K/V, a
#    [B, 1, L, L] mask) is not raised, and the result keeps the batch dim.
m8 = model([helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
            helper.make_node("MatMul", ["q", "kt"], ["s0"]),
            helper.make_node("Add", ["s0", "mask"], ["s1"])] + tail,
           [tin(n, [H, L, D]) for n in "qkv"] + [tin("mask", [B, 1, L, L])],
           [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m8)
MASK = rng.standard_normal((B, 1, L, L)).astype(np.float32)
out = attn.compile(text).main(Q[0], K[0], V[0], MASK)
ref = reference.sdpa(np.broadcast_to(Q[0], (B, H, L, D)),
                     np.broadcast_to(K[0], (B, H, L, D)),
                     np.broadcast_to(V[0], (B, H, L, D)), MASK, scale=1.0)
print("widening mask:", text.count("attn.attention"), out.shape,
      reference.close_rule(out, ref, 1e-5).ok)
# CHECK: widening mask: 0 (2, 3, 6, 8) True

# 8. Constant folding: integer Div truncates toward zero (ONNX, C); Cos,
#    Sin (rotary tables from Range) and Tile of constants fold with numpy;
#    Tile and Clip (bounds as inputs, either optional, or opset-10
#    attributes) also on run-time tensors.
nodes = [const("a", np.array([-3, -1, 1, 3], np.int64)),
         const("two", np.array(2, np.int64)),
         helper.make_node("Div", ["a", "two"], ["d"]),
         helper.make_node("Cast", ["d"], ["df"], to=TensorProto.FLOAT),
         const("r0", np.float32(0)), const("r4", np.float32(4)),
         const("r1", np.float32(1)),
         helper.make_node("Range", ["r0", "r4", "r1"], ["r"]),
         helper.make_node("Cos", ["r"], ["cos"]),
         helper.make_node("Sin", ["r"], ["sin"]),
         helper.make_node("Add", ["cos", "sin"], ["cs"]),
         helper.make_node("Add", ["cs", "df"], ["row"]),
         const("ax0", np.array([0], np.int64)),
         helper.make_node("Unsqueeze", ["row", "ax0"], ["row2"]),
         const("reps", np.array([2, 1], np.int64)),
         helper.make_node("Tile", ["row2", "reps"], ["table"]),
         helper.make_node("Add", ["x", "table"], ["y0"]),
         const("reps2", np.array([1, 2], np.int64)),
         helper.make_node("Tile", ["y0", "reps2"], ["y"]),
         const("lo", np.float32(-0.5)), const("hi", np.float32(0.5)),
         helper.make_node("Clip", ["x", "lo", "hi"], ["c1"]),
         helper.make_node("Clip", ["x", "", "hi"], ["c2"]),
         helper.make_node("Clip", ["x", "lo"], ["c3"])]
m9 = model(nodes, [tin("x", [2, 4])], [tin("y", [2, 8])] + [
    tin(c, [2, 4]) for c in ("c1", "c2", "c3")])
text = attn.onnx.import_model(m9)
X = rng.standard_normal((2, 4)).astype(np.float32)
y, c1, c2, c3 = attn.compile(text).main(X)
R = np.arange(4, dtype=np.float32)
print("folded:", "Cos" not in text and "math.cos" not in text,
      np.allclose(y, np.tile(X + np.cos(R) + np.sin(R) + [-1, 0, 0, 1],
                             (1, 2)), atol=1e-6),
      np.array_equal(c1, np.clip(X, -0.5, 0.5)),
      np.array_equal(c2, np.minimum(X, 0.5)),
      np.array_equal(c3, np.maximum(X, -0.5)))
# CHECK: folded: True True True True True
m10 = model([helper.make_node("Clip", ["x"], ["y"], min=0.0)],
            [tin("x", [2, 4])], [tin("y", [2, 4])], opset=10)
print("clip opset 10:", np.array_equal(attn.compile(
    attn.onnx.import_model(m10)).main(X), np.maximum(X, 0)))
# CHECK: clip opset 10: True
m11 = model([helper.make_node("Cos", ["x"], ["y"], name="cos")],
            [tin("x", [2, 4])], [tin("y", [2, 4])])
try:
    attn.onnx.import_model(m11)
except attn.onnx.UnsupportedOpError as e:
    print(e)
# CHECK: 1 unsupported ONNX node(s) of type(s) Cos: Cos (node 'cos') (these ops are only evaluated when all their inputs are constant)

# 9. An identity Cast between the scores and the Softmax (T5's
#    softmax(scores.float())) is raised like one after it.
m12 = model(scores + [helper.make_node("Cast", ["s0"], ["s1"],
                                       to=TensorProto.FLOAT)] + tail,
            qkv, [tin("o", [B, H, L, D])])
text = attn.onnx.import_model(m12)
out = attn.compile(text).main(Q, K, V)
print("cast before softmax:", text.count("attn.attention"),
      "linalg.softmax" in text, reference.error_rule(
          out, reference.sdpa(Q, K, V, scale=1.0),
          reference.sdpa(Q, K, V, scale=1.0, dtype=np.float32)).ok)
# CHECK: cast before softmax: 1 False True

# 10. Einsum with run-time inputs: two-operand contractions become
#     transposes, reshapes and one matmul (attention written as einsums,
#     '...', an implicit output, a letter only one input has); others one
#     linalg.generic. A diagonal is an error.
A4 = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
B4 = rng.standard_normal((2, 3, 6, 4)).astype(np.float32)
V2 = rng.standard_normal((5,)).astype(np.float32)
cases = [("bhqd,bhkd->bhqk", [A4, B4]), ("...ij,...kj->...ik", [A4, B4]),
         ("bhqd,bhkd", [A4, B4]), ("bhqd,bhkd->bk", [A4, B4]),
         ("i,j->ij", [V2, V2]), ("bhqd->bd", [A4]),
         ("i,i,i->", [V2, V2, V2])]
for eq, arrays in cases:
    names = [f"x{i}" for i in range(len(arrays))]
    ref = np.einsum(eq, *[a.astype(np.float64) for a in arrays])
    m = model([helper.make_node("Einsum", names, ["y"], equation=eq)],
              [tin(n, list(a.shape)) for n, a in zip(names, arrays)],
              [tin("y", list(ref.shape))], opset=12)
    text = attn.onnx.import_model(m)
    out = attn.compile(text).main(*arrays)
    print(f"einsum {eq}:", out.shape == ref.shape,
          bool(np.abs(out - ref).max() <= 1e-5 * max(1, np.abs(ref).max())),
          "linalg.batch_matmul" in text or "linalg.matmul" in text)
# CHECK: einsum bhqd,bhkd->bhqk: True True True
# CHECK: einsum ...ij,...kj->...ik: True True True
# CHECK: einsum bhqd,bhkd: True True True
# CHECK: einsum bhqd,bhkd->bk: True True True
# CHECK: einsum i,j->ij: True True True
# CHECK: einsum bhqd->bd: True True False
# CHECK: einsum i,i,i->: True True False
m13 = model([helper.make_node("Einsum", ["x"], ["y"], equation="ii->i")],
            [tin("x", [3, 3])], [tin("y", [3])], opset=12)
try:
    attn.onnx.import_model(m13)
except attn.onnx.OnnxImportError as e:
    print(e)
# CHECK: Einsum 'ii->i': a letter repeated in one input (diagonals) is not supported

# 11. BART / OPT / Whisper: [B*H, L, L] scores viewed as [B, H, L, L] for
#     an additive mask and back before the Softmax: raised in the [B, H]
#     view (Q, K, V and the output reshaped around the op).
MASK = np.where(rng.random((B, 1, L, L)) < 0.3, -np.inf, 0).astype(np.float32)
MASK[..., 0] = 0
nodes = [const("s3", np.array([B * H, L, D], np.int64)),
         const("s4", np.array([B, H, L, L], np.int64)),
         const("s3l", np.array([B * H, L, L], np.int64)),
         helper.make_node("Reshape", ["q", "s3"], ["q3"]),
         helper.make_node("Reshape", ["k", "s3"], ["k3"]),
         helper.make_node("Reshape", ["v", "s3"], ["v3"]),
         helper.make_node("Transpose", ["k3"], ["kt3"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["q3", "kt3"], ["w3"]),
         helper.make_node("Reshape", ["w3", "s4"], ["w4"]),
         helper.make_node("Add", ["w4", "mask"], ["w4m"]),
         helper.make_node("Reshape", ["w4m", "s3l"], ["w3m"]),
         helper.make_node("Softmax", ["w3m"], ["p3"], axis=-1),
         helper.make_node("MatMul", ["p3", "v3"], ["o"])]
m14 = model(nodes, qkv + [tin("mask", [B, 1, L, L])], [tin("o", [B * H, L, D])])
text = attn.onnx.import_model(m14)
out = attn.compile(text).main(Q, K, V, MASK)
ref64 = reference.sdpa(Q, K, V, mask=MASK, scale=1.0).reshape(B * H, L, D)
ref32 = reference.sdpa(Q, K, V, mask=MASK, scale=1.0,
                       dtype=np.float32).reshape(B * H, L, D)
print("viewed scores:", text.count("attn.attention"),
      "linalg.softmax" in text, reference.error_rule(out, ref64, ref32).ok)
# CHECK: viewed scores: 1 False True
