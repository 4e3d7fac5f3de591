# attn.compile(target="opencl"): the GPU kernels of --attn-gpu-pipeline run
# through OpenCL (PoCL on the CPU) from Python, f32 (FMA mapping) and f16
# with the tensor-core mapping (warp primitives emulated), against the
# float64 reference attn.reference.attention.
# REQUIRES: python-bindings, opencl
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s | FileCheck %s

import numpy as np
import attn

SRC = """
func.func @main(%q: tensor<1x4x37x32xDT>, %k: tensor<1x2x45x32xDT>,
                %v: tensor<1x2x45x32xDT>) -> tensor<1x4x37x32xDT> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x37x32xDT>, tensor<1x2x45x32xDT>, tensor<1x2x45x32xDT>
      -> tensor<1x4x37x32xDT>
  return %o : tensor<1x4x37x32xDT>
}
"""

rng = np.random.default_rng(0)
for dtype, np_dtype, tc, tol in [("f32", np.float32, "auto", 1e-5),
                                 ("f16", np.float16, "on", 4e-3)]:
    exe = attn.compile(SRC.replace("DT", dtype), target="opencl",
                       gpu_tensor_cores=tc)
    q = rng.standard_normal((1, 4, 37, 32)).astype(np_dtype)
    k = rng.standard_normal((1, 2, 45, 32)).astype(np_dtype)
    v = rng.standard_normal((1, 2, 45, 32)).astype(np_dtype)
    out = exe["main"](q, k, v)
    ref = attn.reference.attention(q, k, v, causal=True)
    err = np.abs(out.astype(np.float64) - ref).max()
    print(f"{dtype} tensor_cores={tc}: {out.dtype} {'ok' if err < tol else err}")
# CHECK: f32 tensor_cores=auto: float32 ok
# CHECK: f16 tensor_cores=on: float16 ok
