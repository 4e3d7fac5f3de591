#!/usr/bin/env python3
# Part of the attn-mlir project.
"""The upstream matmuls around attention (-attn-vectorize-matmuls) against
OpenBLAS sgemm, side by side in one run, with the machine's FMA peak.

  ours      a linalg.matmul module compiled by attn.compile (2 threads by
            default), called on numpy arrays
  OpenBLAS  numpy's `a @ b`, which Debian's numpy runs through OpenBLAS
            (libopenblas0-pthread, OPENBLAS_NUM_THREADS set to --threads)

Rounds alternate ours and OpenBLAS for each shape; each reports the best
of --reps calls after a warm-up. The FMA peak is anchors/peak_fma.c, built
and run as bench/run_bench.py does, before the shapes.

  PYTHONPATH=build/python_packages /usr/bin/python3 bench/matmul_bench.py \\
      [--threads 2] [--reps 10] [--rounds 3] [--shapes M,K,N;...]

Prints a markdown table (docs/benchmarks.md, "Matmuls around attention").
"""

import argparse
import os
import sys
import tempfile
import time

# OpenBLAS reads its thread count when it is loaded (numpy import).
_threads = "2"
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv):
        _threads = sys.argv[i + 1]
    elif arg.startswith("--threads="):
        _threads = arg.split("=", 1)[1]
os.environ["OPENBLAS_NUM_THREADS"] = _threads

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "utils"))

import attn  # noqa: E402
import run_bench  # noqa: E402

# Square sizes and the projections of BERT-base (B*L = 8*128 rows) and
# ViT-B/16 (197 rows): QKV, output projection, MLP up and down.
DEFAULT_SHAPES = [
    (1024, 1024, 1024), (2048, 2048, 2048), (4096, 4096, 4096),
    (1024, 768, 2304), (1024, 768, 768), (1024, 768, 3072), (1024, 3072, 768),
    (197, 768, 2304), (197, 768, 768), (197, 768, 3072), (197, 3072, 768),
]


def matmul_module(m, k, n):
    return f"""
func.func @main(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{m}x{n}xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  %r = linalg.matmul ins(%a, %b : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>)
                     outs(%c : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  return %r : tensor<{m}x{n}xf32>
}}
"""


def best_ms(fn, reps):
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", default="",
                        help="M,K,N;M,K,N;... (default: squares and the "
                             "BERT/ViT projections)")
    args = parser.parse_args()
    from blas_check import warn_if_reference_blas
    warn_if_reference_blas()
    shapes = DEFAULT_SHAPES
    if args.shapes:
        shapes = [tuple(int(x) for x in s.split(",")) for s in args.shapes.split(";")]

    with tempfile.TemporaryDirectory() as work:
        peaks, _ = run_bench.measure_peak(work, args.threads)
    peak = peaks.get((run_bench.PEAK_ISA, args.threads))

    rng = np.random.default_rng(0)
    rows = []
    for m, k, n in shapes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        exe = attn.compile(matmul_module(m, k, n), num_threads=args.threads)
        ours = exe.main(a, b)
        ref = a.astype(np.float64) @ b.astype(np.float64)
        err = float(np.abs(ours - ref).max() / np.abs(ref).max())
        # Fewer calls for the big squares (4096^3 is 137 GFLOP).
        reps = max(2, min(args.reps, int(2e10 / (2 * m * n * k)) + 1))
        t_ours, t_blas = float("inf"), float("inf")
        for _ in range(args.rounds):
            t_ours = min(t_ours, best_ms(lambda: exe.main(a, b), reps))
            t_blas = min(t_blas, best_ms(lambda: a @ b, reps))
        flops = 2.0 * m * n * k
        rows.append((m, k, n, t_ours, flops / t_ours / 1e6, t_blas,
                     flops / t_blas / 1e6, err))

    print(f"\n{args.threads} threads; best of {args.rounds} rounds x up to "
          f"{args.reps} calls; FMA peak ({run_bench.PEAK_ISA}, "
          f"{args.threads} threads): "
          + (f"{peak:.1f} GF/s" if peak else "not measured") + "\n")
    print("| M x K x N | ours ms | ours GF/s | % peak | OpenBLAS ms | "
          "OpenBLAS GF/s | ours / OpenBLAS | max rel. error |")
    print("|---|---|---|---|---|---|---|---|")
    for m, k, n, to, go, tb, gb, err in rows:
        pct = f"{100 * go / peak:.0f}" if peak else "-"
        print(f"| {m} x {k} x {n} | {to:.2f} | {go:.1f} | {pct} | {tb:.2f} | "
              f"{gb:.1f} | {go / gb:.2f} | {err:.1e} |")


if __name__ == "__main__":
    main()
