# attn.onnx end to end on a ViT-B/16 pre-LN encoder block (B = 1, N = 197
# tokens, d 768, 12 heads, MLP 3072, exact GELU; random weights):
# torch.onnx.export (opset 14; layer norms arrive decomposed, GELU as Erf),
# import, compile, run, against PyTorch in float64 by the rule of SPEC
# section 4. The [B, H, N, D] attention (q k^T * D**-0.5 -> softmax -> @ v)
# must be raised to attn.attention with no softmax left, and the same
# model imported with raise_attention=False (linalg.softmax and batch
# matmuls) must give the same result.

# REQUIRES: python-bindings, onnx, torch
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s %attn_src_root | FileCheck %s

import sys

import torch

import attn
import attn.onnx
from attn import reference

sys.path.insert(0, sys.argv[1] + "/utils")
import torch_models  # noqa: E402

torch.manual_seed(0)
model = torch_models.ViTBlock(768, 12, 3072)
x = torch.randn(1, 197, 768)
onnx_bytes = torch_models.export(model, (x,), ["x"])
ref, naive = torch_models.reference_outputs(model, (x,))
for raise_attention in (True, False):
    text = attn.onnx.import_model(onnx_bytes, raise_attention=raise_attention)
    print("attention ops:", text.count("attn.attention"), "softmax:",
          text.count("linalg.softmax"), "erf:", "math.erf" in text)
    out = attn.compile(text, num_threads=2).main(x.numpy())
    rule = reference.error_rule(out, ref, naive)
    print("vit", "PASS" if rule.ok and out.shape == ref.shape else
          f"FAIL err {rule.err:.3g} > {rule.bound:.3g}")
# CHECK: attention ops: 1 softmax: 0 erf: True
# CHECK-NEXT: vit PASS
# CHECK: attention ops: 0 softmax: 1 erf: True
# CHECK-NEXT: vit PASS
