# attn.onnx end to end on small PyTorch exports (random weights):
# torch.nn.MultiheadAttention (batch_first, with and without a causal
# attn_mask), and Deformable DETR's grid_sample-based multi-scale
# deformable attention core (opset 16), imported, compiled, run, and
# compared with PyTorch in float64 by the rule of SPEC section 4.

# REQUIRES: python-bindings, onnx, torch
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s %attn_src_root | FileCheck %s

import sys

import numpy as np
import torch

import attn
import attn.onnx
from attn import reference

sys.path.insert(0, sys.argv[1] + "/utils")
import torch_models  # noqa: E402

torch.manual_seed(0)


def check(name, model, args, names, opset=14, **import_args):
    text = attn.onnx.import_model(
        torch_models.export(model, args, names, opset), **import_args)
    out = attn.compile(text, num_threads=2).main(*[a.numpy() for a in args])
    ref, naive = torch_models.reference_outputs(model, args)
    rule = reference.error_rule(out, ref, naive)
    print(name, "PASS" if rule.ok and out.shape == ref.shape else
          f"FAIL err {rule.err:.3g} > {rule.bound:.3g}")
    return text


def attention_lines(text):
    return [line.strip().split(" : ")[0] for line in text.splitlines()
            if "attn.attention" in line]


# MultiheadAttention: [B*H, L, D] heads, the query divided by sqrt(D).
text = check("mha", torch_models.MHA(64, 4), (torch.randn(2, 10, 64),), ["x"])
print(attention_lines(text), "linalg.softmax" in text)
# CHECK: mha PASS
# CHECK-NEXT: attn.attention {{.*}} {scale = 0.25'] False

# A causal float mask (triu of -inf) folds to a constant and becomes
# `causal`: no mask operand.
text = check("mha_causal", torch_models.MHA(32, 2, causal=True),
             (torch.randn(3, 7, 32),), ["x"])
lines = attention_lines(text)
print(len(lines), "{causal, scale = 0.25" in lines[0], " mask " in lines[0])
# CHECK: mha_causal PASS
# CHECK-NEXT: 1 True False

# Multi-scale deformable attention (2 levels): one attn.ms_deform_attn,
# no GridSample left; without the raise, GridSample -> attn.deformable_sample.
levels = [(6, 5), (3, 2)]
n, m, d, lq, p = 2, 2, 4, 5, 3
args = (torch.randn(n, sum(h * w for h, w in levels), m, d),
        torch.rand(n, lq, m, len(levels), p, 2) * 1.2 - 0.1,
        torch.randn(n, lq, m, len(levels), p))
names = ["value", "loc", "weights"]
msda = torch_models.MSDeformAttnCore(levels)
text = check("msda", msda, args, names, opset=16)
print("msda ops:", text.count("attn.ms_deform_attn"),
      text.count("attn.deformable_sample"), text.count("linalg.generic"))
# CHECK: msda PASS
# CHECK-NEXT: msda ops: 1 0 0
print([line.strip() for line in text.splitlines() if "ms_deform_attn" in line])
# CHECK-NEXT: {spatial_shapes = array<i64: 6, 5, 3, 2>} : tensor<2x36x2x4xf32>, tensor<2x5x2x2x3x2xf32>, tensor<2x5x2x2x3xf32> -> tensor<2x5x8xf32>
text = check("msda_unraised", msda, args, names, opset=16, raise_msda=False)
print("msda ops:", text.count("attn.ms_deform_attn"),
      text.count("attn.deformable_sample"))
# CHECK: msda_unraised PASS
# CHECK-NEXT: msda ops: 0 2
