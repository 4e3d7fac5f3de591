# Concurrent calls of one compiled graph from several threads, each with its
# own inputs, give each call its own results: the graph's intermediates lie
# in a workspace kept between calls (-attn-transient-workspace), which one
# call at a time takes; the others allocate their own. Also: the IR after
# bufferization has the workspace, and serial calls (which reuse it) keep
# giving the right results.

# REQUIRES: python-bindings
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s 2>&1 | FileCheck %s

import threading

import numpy as np

import attn

SOURCE = """
#id = affine_map<(i, j) -> (i, j)>
func.func @main(%x: tensor<96x256xf32>, %w1: tensor<256x384xf32>,
                %w2: tensor<384x256xf32>) -> tensor<96x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<96x384xf32>
  %c1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<96x384xf32>) -> tensor<96x384xf32>
  %h = linalg.matmul ins(%x, %w1 : tensor<96x256xf32>, tensor<256x384xf32>)
                     outs(%c1 : tensor<96x384xf32>) -> tensor<96x384xf32>
  %e2 = tensor.empty() : tensor<96x384xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<96x384xf32>) outs(%e2 : tensor<96x384xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<96x384xf32>
  %e3 = tensor.empty() : tensor<96x256xf32>
  %c3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<96x256xf32>) -> tensor<96x256xf32>
  %y = linalg.matmul ins(%r, %w2 : tensor<96x384xf32>, tensor<384x256xf32>)
                     outs(%c3 : tensor<96x256xf32>) -> tensor<96x256xf32>
  %e4 = tensor.empty() : tensor<96x256xf32>
  %out = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %x : tensor<96x256xf32>, tensor<96x256xf32>) outs(%e4 : tensor<96x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<96x256xf32>
  return %out : tensor<96x256xf32>
}
"""

exe = attn.compile(SOURCE, num_threads=1)
print("workspace", "@__attn_workspace_main" in exe.ir("lowered"))
# CHECK: workspace True
rng = np.random.default_rng(0)
w1 = rng.standard_normal((256, 384)).astype(np.float32) / 16
w2 = rng.standard_normal((384, 256)).astype(np.float32) / 16
xs = [rng.standard_normal((96, 256)).astype(np.float32) for _ in range(8)]


def reference(x):
    x, a, b = (v.astype(np.float64) for v in (x, w1, w2))
    return np.maximum(x @ a, 0) @ b + x


expected = [reference(x) for x in xs]


def close(got, ref):
    return np.max(np.abs(got - ref) / np.maximum(1, np.abs(ref))) <= 1e-5


# Serial calls reuse the workspace.
print("serial", all(close(exe.main(x, w1, w2), ref)
                    for x, ref in zip(xs * 3, expected * 3)))
# CHECK: serial True

# Four threads, each calling with its own inputs in turn.
bad = []


def worker(t):
    for i in range(40):
        k = (t + i) % len(xs)
        if not close(exe.main(xs[k], w1, w2), expected[k]):
            bad.append((t, i))


threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", not bad)
# CHECK: threads True
