# Part of the attn-mlir project.
#
# Helper of matmul-constant-weights.test: writes a module whose matmuls take
# their B operands (weights) as constants, the way an imported model holds
# its weights, and checks attn-run's outputs against numpy in float64.
#
#   constant_matmuls.py make DIR
#       DIR/x300.npy [53, 300], DIR/y300.npy [100, 300], DIR/r300.npy
#       [1, 300] inputs and DIR/weights.mlir, whose functions are
#         @split   x300 @ W1             tiled over N only (the column
#                                        blocks of a wide matmul)
#         @tiles   y300 @ W2             M x N cache tiles
#         @gelu    gelu(x300 @ W1 + b1)  fused bias and epilogue
#         @shared  y300 @ W2 + y300 @ W2 one packed constant for both
#         @row     r300 @ W1             one row
#       W1 [300, 600] is a dense_resource blob (as the ONNX importer writes
#       weights), W2 [300, 70] and b1 [600] dense literals. K = 300 is one
#       panel of 256 and a peeled one of 44; N = 600 and 70 leave a partial
#       last strip of register-tile columns (zero padding in the packed
#       constant).
#   constant_matmuls.py check DIR
#       DIR/<function>.npy against numpy float64: |out - ref| <= 1e-5 *
#       max(1, |ref|).

import math
import os
import sys

import numpy as np


def weights():
    rng = np.random.default_rng(20261205)
    w1 = rng.standard_normal((300, 600)).astype(np.float32) / 16
    w2 = rng.standard_normal((300, 70)).astype(np.float32) / 16
    b1 = rng.standard_normal(600).astype(np.float32)
    return w1, w2, b1


def dense(a):
    """An MLIR dense literal of the float32 array `a` (exact values)."""
    if a.ndim == 1:
        return "[" + ", ".join("%.9e" % v for v in a) + "]"
    return "[" + ", ".join(dense(row) for row in a) + "]"


def resource_hex(a):
    """The hex text of a dense_resource blob: 4-byte alignment, then the data."""
    return "0x04000000" + a.astype("<f4").tobytes().hex().upper()


def matmul(name, x, w, m, k, n, acc="zero"):
    """Lines computing `name` = x @ w into an [m, n] accumulator."""
    return [
        f"  %{name}_e = tensor.empty() : tensor<{m}x{n}xf32>",
        f"  %{name}_c = linalg.fill ins(%zero : f32) outs(%{name}_e : "
        f"tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>",
        f"  %{name} = linalg.matmul ins({x}, {w} : tensor<{m}x{k}xf32>, "
        f"tensor<{k}x{n}xf32>) outs(%{name}_c : tensor<{m}x{n}xf32>) -> "
        f"tensor<{m}x{n}xf32>",
    ]


def add_bias(name, src, bias, m, n):
    return [
        f"  %{name}_e = tensor.empty() : tensor<{m}x{n}xf32>",
        f"  %{name} = linalg.generic {{indexing_maps = [affine_map<(i, j) -> "
        f"(i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], "
        f"iterator_types = [\"parallel\", \"parallel\"]}} ins({src}, {bias} : "
        f"tensor<{m}x{n}xf32>, tensor<{n}xf32>) outs(%{name}_e : "
        f"tensor<{m}x{n}xf32>) {{",
        "  ^bb0(%p: f32, %q: f32, %o: f32):",
        "    %s = arith.addf %p, %q : f32",
        "    linalg.yield %s : f32",
        "  } -> tensor<%dx%dxf32>" % (m, n),
    ]


def gelu(name, src, m, n):
    return [
        f"  %{name}_e = tensor.empty() : tensor<{m}x{n}xf32>",
        f"  %{name} = linalg.generic {{indexing_maps = [affine_map<(i, j) -> "
        f"(i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = "
        f"[\"parallel\", \"parallel\"]}} ins({src} : tensor<{m}x{n}xf32>) "
        f"outs(%{name}_e : tensor<{m}x{n}xf32>) {{",
        "  ^bb0(%p: f32, %o: f32):",
        "    %h = arith.constant 0.5 : f32",
        "    %one = arith.constant 1.0 : f32",
        "    %r = arith.constant 0.707106769 : f32",
        "    %t = arith.mulf %p, %r : f32",
        "    %e = math.erf %t : f32",
        "    %u = arith.addf %e, %one : f32",
        "    %v = arith.mulf %p, %u : f32",
        "    %g = arith.mulf %v, %h : f32",
        "    linalg.yield %g : f32",
        "  } -> tensor<%dx%dxf32>" % (m, n),
    ]


def function(name, arg, m, body, result, n):
    return ([f"func.func @{name}(%x: tensor<{m}x300xf32>) -> "
             f"tensor<{m}x{n}xf32> {{",
             "  %zero = arith.constant 0.0 : f32"]
            + body + [f"  return {result} : tensor<{m}x{n}xf32>", "}"])


def make(out):
    rng = np.random.default_rng(7)
    for name, m in (("x300", 53), ("y300", 100), ("r300", 1)):
        np.save(os.path.join(out, name + ".npy"),
                rng.standard_normal((m, 300)).astype(np.float32))
    w1, w2, b1 = weights()
    consts = lambda names: [
        {"w1": "  %w1 = arith.constant dense_resource<w1_blob> : "
               "tensor<300x600xf32>",
         "w2": f"  %w2 = arith.constant dense<{dense(w2)}> : "
               "tensor<300x70xf32>",
         "b1": f"  %b1 = arith.constant dense<{dense(b1)}> : "
               "tensor<600xf32>"}[n] for n in names]
    lines = []
    lines += function("split", "%x", 53, consts(["w1"]) +
                      matmul("mm", "%x", "%w1", 53, 300, 600), "%mm", 600)
    lines += function("tiles", "%x", 100, consts(["w2"]) +
                      matmul("mm", "%x", "%w2", 100, 300, 70), "%mm", 70)
    lines += function("gelu", "%x", 53, consts(["w1", "b1"]) +
                      matmul("mm", "%x", "%w1", 53, 300, 600) +
                      add_bias("biased", "%mm", "%b1", 53, 600) +
                      gelu("act", "%biased", 53, 600), "%act", 600)
    shared = (consts(["w2"]) + matmul("mm1", "%x", "%w2", 100, 300, 70) +
              matmul("mm2", "%x", "%w2", 100, 300, 70))
    shared += [
        "  %sum_e = tensor.empty() : tensor<100x70xf32>",
        "  %sum = linalg.add ins(%mm1, %mm2 : tensor<100x70xf32>, "
        "tensor<100x70xf32>) outs(%sum_e : tensor<100x70xf32>) -> "
        "tensor<100x70xf32>"]
    lines += function("shared", "%x", 100, shared, "%sum", 70)
    lines += function("row", "%x", 1, consts(["w1"]) +
                      matmul("mm", "%x", "%w1", 1, 300, 600), "%mm", 600)
    lines += ["{-#", "  dialect_resources: {", "    builtin: {",
              f"      w1_blob: \"{resource_hex(w1)}\"", "    }", "  }", "#-}"]
    with open(os.path.join(out, "weights.mlir"), "w") as f:
        f.write("\n".join(lines) + "\n")


def check(out):
    w1, w2, b1 = weights()
    load = lambda n: np.load(os.path.join(out, n + ".npy")).astype(np.float64)
    x, y, r = load("x300"), load("y300"), load("r300")
    w1, w2, b1 = (a.astype(np.float64) for a in (w1, w2, b1))
    erf = np.vectorize(math.erf)
    h = x @ w1 + b1
    expected = {
        "split": x @ w1,
        "tiles": y @ w2,
        "gelu": 0.5 * h * (1 + erf(h / math.sqrt(2))),
        "shared": 2 * (y @ w2),
        "row": r @ w1,
    }
    failed = False
    for name, ref in expected.items():
        got = np.load(os.path.join(out, name + ".npy"))
        err = np.max(np.abs(got - ref) / np.maximum(1, np.abs(ref)))
        ok = got.shape == ref.shape and err <= 1e-5
        print(f"{name}: shape {got.shape}, max error {err:.2e}: "
              f"{'ok' if ok else 'FAIL'}")
        failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
