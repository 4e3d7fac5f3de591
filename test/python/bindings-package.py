# The Python package `attn` imports from a clean PYTHONPATH holding only
# build/python_packages (as README.md and docs/Python.md show), with no
# site-packages (-S: nothing but the standard library and Debian's numpy,
# added below) and from another working directory: it finds its extension,
# libMLIR and the JIT's run-time libraries by itself, and attn.reference is
# the copy of utils/attn_reference.py inside the package.

# REQUIRES: python-bindings
# RUN: rm -rf %t && mkdir -p %t && cd %t && env -i PATH=/usr/bin:/bin PYTHONPATH=%attn_python_packages %PYTHON -S %s %attn_python_packages | FileCheck %s

import os
import sys

packages = os.path.realpath(sys.argv[1])
print([os.path.realpath(p) for p in sys.path if "python_packages" in p]
      == [packages])
# CHECK: True

# Debian's numpy lives in dist-packages, which -S leaves out.
sys.path.append("/usr/lib/python3/dist-packages")
import numpy as np  # noqa: E402

import attn  # noqa: E402

print(os.path.dirname(os.path.realpath(attn.__file__)) ==
      os.path.join(packages, "attn"))
# CHECK: True
print(sorted(n for n in os.listdir(os.path.join(packages, "attn"))
             if n.endswith(".py")))
# CHECK: ['__init__.py', '_attn_reference.py', 'graph.py', 'onnx.py', 'reference.py']
print(attn.reference.sdpa.__module__)
# CHECK: attn._attn_reference
try:
    import attn_reference  # noqa: F401
    print("utils/ is on the path")
except ImportError:
    print("utils/ is not on the path")
# CHECK: utils/ is not on the path

exe = attn.compile("""
func.func @main(%q: tensor<1x1x3x4xf32>, %k: tensor<1x1x5x4xf32>, %v: tensor<1x1x5x4xf32>) -> tensor<1x1x3x4xf32> {
  %o = attn.attention %q, %k, %v {causal} : tensor<1x1x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32> -> tensor<1x1x3x4xf32>
  return %o : tensor<1x1x3x4xf32>
}
""", num_threads=2)
rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal(s).astype(np.float32)
           for s in ((1, 1, 3, 4), (1, 1, 5, 4), (1, 1, 5, 4)))
out = exe["main"](q, k, v)
print(np.allclose(out, attn.reference.sdpa(q, k, v, causal=True), atol=1e-5))
# CHECK: True
