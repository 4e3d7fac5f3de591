# attn.onnx end to end on BERT-base: one torch.nn.TransformerEncoderLayer
# (d_model 768, 12 heads, feed-forward 3072, post-LN, ReLU; random weights)
# on B = 8 sequences of L = 128 tokens with a key padding mask, exported by
# torch.onnx.export (opset 14), imported, compiled and run, against PyTorch
# in float64 by the rule of SPEC section 4 (PyTorch float32 is the naive
# result). The attention subgraph must be raised to attn.attention with the
# padding mask as a compact i1 [B, 1, Lq, Lk] mask and no softmax left.
# bench/e2e_models.py times the same shape.

# REQUIRES: python-bindings, onnx, torch
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s %attn_src_root | FileCheck %s

import sys
import time

import numpy as np
import torch

import attn
import attn.onnx
from attn import reference

sys.path.insert(0, sys.argv[1] + "/utils")
import torch_models  # noqa: E402

torch.manual_seed(0)
B, L = 8, 128
model = torch_models.BertLayer(768, 12, 3072)
x = torch.randn(B, L, 768)
pad = torch.zeros(B, L, dtype=torch.bool)
for b, n in enumerate([128, 100, 37, 1, 128, 64, 127, 5]):   # real tokens per sequence
    pad[b, n:] = True
t0 = time.time()
text = attn.onnx.import_model(torch_models.export(model, (x, pad),
                                                  ["x", "pad"]))
print("raised:", text.count("attn.attention"), "linalg.softmax" in text)
# CHECK: raised: 1 False
print([line.split(" : ")[-1] for line in text.splitlines()
       if "attn.attention" in line])
# CHECK: tensor<8x12x128x64xf32>, tensor<8x12x128x64xf32>, tensor<8x12x128x64xf32>, tensor<8x1x128x128xi1> -> tensor<8x12x128x64xf32>
exe = attn.compile(text, num_threads=2)
out = exe.main(x.numpy(), pad.numpy())
ref, naive = torch_models.reference_outputs(model, (x, pad))
rule = reference.error_rule(out, ref, naive)
print("bert", "PASS" if rule.ok and out.shape == ref.shape else
      f"FAIL err {rule.err:.3g} > {rule.bound:.3g}")
# CHECK: bert PASS
print(f"seconds: {time.time() - t0:.1f}", file=sys.stderr)
