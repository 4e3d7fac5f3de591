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
