#!/usr/bin/python3
"""ab_compare.py - two builds or option sets of the attention kernel, timed
interleaved in one process.

This VM's speed drifts by 30-40% within seconds to minutes (other tenants on
the host), far more than most code changes move the time. Timing A and then
B in separate runs therefore says little; this script compiles both
variants ahead of time (attn-opt --attn-cpu-pipeline, mlir-translate,
clang -O3 -march=native), links them into one C program and calls A, B, A,
B, ... on the same inputs, so that both see the same machine phases. It
reports each variant's best and median GF/s and the median of the per-pair
time ratios A/B (> 1: B is faster).

  /usr/bin/python3 bench/ab_compare.py --shape 1,12,2048,64 \\
      --a "num-threads=2 block-q=64" --b "num-threads=2 block-q=128"
  # two builds, same options:
  /usr/bin/python3 bench/ab_compare.py --shape 1,12,4096,64 --window 511,0 \\
      --a-opt /tmp/old-build/bin/attn-opt --b-opt build/bin/attn-opt
  # causal against non-causal at one shape (the time ratio is the speedup):
  /usr/bin/python3 bench/ab_compare.py --shape 1,12,512,64 --b-causal
  # a decode row (Lq = 1, GQA): split-K chosen by the pipeline against 1 split
  /usr/bin/python3 bench/ab_compare.py --shape 1,32,32768,128 --hkv 8 --lq 1 \
      --causal --a "num-threads=2 split-keys=1" --b "num-threads=2 split-keys=0"

Needs attn-opt, mlir-translate and clang from LLVM 22 and libomp
(libomp-22-dev). FLOP convention as run_bench.py (4 * D per visible pair,
utils/attn_reference.py's attention_flops).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
from attn_reference import attention_flops  # noqa: E402
LLVM = "/usr/lib/llvm-22"

HARNESS = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
typedef struct { float *alloc, *aligned; int64_t offset, sizes[4], strides[4]; } M4;
void _mlir_ciface_attn_a(M4 *, M4 *, M4 *, M4 *);
void _mlir_ciface_attn_b(M4 *, M4 *, M4 *, M4 *);
static M4 make(int64_t b, int64_t h, int64_t l, int64_t d, unsigned seed) {
  M4 m; size_t n = (size_t)(b * h * l * d);
  float *p = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
  for (size_t i = 0; i < n; ++i)
    p[i] = (float)(((i + seed) * 2654435761u) % 1000u) / 500.0f - 1.0f;
  m.alloc = m.aligned = p; m.offset = 0;
  int64_t s[4] = {b, h, l, d};
  for (int i = 0; i < 4; ++i) m.sizes[i] = s[i];
  m.strides[3] = 1; m.strides[2] = d; m.strides[1] = l * d; m.strides[0] = h * l * d;
  return m;
}
static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}
int main(int argc, char **argv) {
  /* Q is [B, H, LQ, D]; K and V are [B, HKV, L, D] */
  int64_t B = atoll(argv[1]), H = atoll(argv[2]), HKV = atoll(argv[3]),
          LQ = atoll(argv[4]), L = atoll(argv[5]), D = atoll(argv[6]);
  int reps = atoi(argv[7]);
  double flop_a = atof(argv[8]), flop_b = atof(argv[9]);
  double kv_bytes = argc > 10 ? atof(argv[10]) : 0.0; /* > 0: also print K/V GB/s */
  M4 q = make(B, H, LQ, D, 1), k = make(B, HKV, L, D, 2), v = make(B, HKV, L, D, 3), r;
  double *ta = malloc(reps * sizeof(double)), *tb = malloc(reps * sizeof(double)),
         *ratio = malloc(reps * sizeof(double));
  for (int i = -1; i < reps; ++i) {  /* i = -1: warm-up */
    double t0 = now(); _mlir_ciface_attn_a(&r, &q, &k, &v); double t1 = now();
    free(r.alloc);
    double t2 = now(); _mlir_ciface_attn_b(&r, &q, &k, &v); double t3 = now();
    free(r.alloc);
    if (i >= 0) { ta[i] = t1 - t0; tb[i] = t3 - t2; ratio[i] = ta[i] / tb[i]; }
  }
  qsort(ta, reps, sizeof(double), cmp); qsort(tb, reps, sizeof(double), cmp);
  qsort(ratio, reps, sizeof(double), cmp);
  printf("A: best %.3f ms (%.1f GF/s), median %.3f ms (%.1f GF/s)\n", ta[0] * 1e3,
         flop_a / ta[0] * 1e-9, ta[reps / 2] * 1e3, flop_a / ta[reps / 2] * 1e-9);
  printf("B: best %.3f ms (%.1f GF/s), median %.3f ms (%.1f GF/s)\n", tb[0] * 1e3,
         flop_b / tb[0] * 1e-9, tb[reps / 2] * 1e3, flop_b / tb[reps / 2] * 1e-9);
  if (kv_bytes > 0)
    printf("K/V read (%.1f MB per call): A best %.1f GB/s, median %.1f GB/s; "
           "B best %.1f GB/s, median %.1f GB/s\n", kv_bytes * 1e-6,
           kv_bytes / ta[0] * 1e-9, kv_bytes / ta[reps / 2] * 1e-9,
           kv_bytes / tb[0] * 1e-9, kv_bytes / tb[reps / 2] * 1e-9);
  printf("median time ratio A/B over %d pairs: %.3f (> 1: B is faster)\n", reps,
         ratio[reps / 2]);
  return 0;
}
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(shlex.quote(c) for c in cmd)}\n{r.stderr}")
    return r.stdout


def graph(B, H, HKV, LQ, L, D, causal, window):
    q = f"tensor<{B}x{H}x{LQ}x{D}xf32>"
    kv = f"tensor<{B}x{HKV}x{L}x{D}xf32>"
    if window:
        op = (f"attn.sliding_window_attention %q, %k, %v "
              f"{{window = array<i64: {window[0]}, {window[1]}>}}")
    else:
        op = "attn.attention %q, %k, %v" + (" {causal}" if causal else "")
    return (f"func.func @attn(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n"
            f"  %o = {op} : {q}, {kv}, {kv} -> {q}\n"
            f"  return %o : {q}\n}}\n")


def build_variant(tag, attn_opt, options, src, workdir):
    lowered = run([attn_opt, src, f"--attn-cpu-pipeline={options}"])
    lowered = re.sub(r"@(_mlir_ciface_)?attn\b", lambda m: f"@{m.group(1) or ''}attn_{tag}",
                     lowered)
    mlir = os.path.join(workdir, f"{tag}.mlir")
    ll, obj = mlir[:-5] + ".ll", mlir[:-5] + ".o"
    with open(mlir, "w") as f:
        f.write(lowered)
    run([f"{LLVM}/bin/mlir-translate", "--mlir-to-llvmir", mlir, "-o", ll])
    run([f"{LLVM}/bin/clang", "-O3", "-march=native", "-Wno-override-module", "-c", ll,
         "-o", obj])
    return obj


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", required=True, help="B,H,L,D (L: the keys' length)")
    ap.add_argument("--hkv", type=int, help="K/V heads (GQA; default H)")
    ap.add_argument("--lq", type=int,
                    help="query rows (default L); e.g. 1 for a decode shape, where causal is "
                         "aligned bottom-right (the query sees all L keys) and K/V GB/s is "
                         "printed too")
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--window", help="LEFT,RIGHT: attn.sliding_window_attention")
    ap.add_argument("--b-causal", action="store_true",
                    help="B runs the causal form of the graph (e.g. to measure causal "
                         "against non-causal at one shape)")
    ap.add_argument("--a", default="num-threads=2", help="pipeline options of A")
    ap.add_argument("--b", default=None, help="pipeline options of B (default: A's)")
    default_opt = os.path.join(os.environ.get("ATTN_BUILD_DIR", os.path.join(REPO, "build")),
                               "bin", "attn-opt")
    ap.add_argument("--a-opt", default=default_opt, help="attn-opt of A")
    ap.add_argument("--b-opt", default=None, help="attn-opt of B (default: A's)")
    ap.add_argument("--reps", type=int, default=10, help="A/B pairs timed")
    a = ap.parse_args()
    B, H, L, D = (int(x) for x in a.shape.split(","))
    hkv = a.hkv or H
    lq = L if a.lq is None else a.lq
    if not 1 <= lq <= L:
        sys.exit(f"--lq {lq}: needs 1 <= Lq <= L = {L}")
    window = tuple(int(x) for x in a.window.split(",")) if a.window else None
    b_causal = a.causal or a.b_causal

    def flops(causal):  # graph() drops `causal` when there is a window
        return attention_flops(B, H, lq, L, D, causal=causal and window is None,
                               window=window)

    flop, flop_b = flops(a.causal), flops(b_causal)
    with tempfile.TemporaryDirectory(prefix="attn-ab-") as work:
        src = os.path.join(work, "graph.mlir")
        with open(src, "w") as f:
            f.write(graph(B, H, hkv, lq, L, D, a.causal, window))
        src_b = src
        if b_causal != a.causal:
            src_b = os.path.join(work, "graph_b.mlir")
            with open(src_b, "w") as f:
                f.write(graph(B, H, hkv, lq, L, D, b_causal, window))
        obj_a = build_variant("a", a.a_opt, a.a, src, work)
        obj_b = build_variant("b", a.b_opt or a.a_opt, a.b if a.b is not None else a.a,
                              src_b, work)
        harness = os.path.join(work, "harness.c")
        with open(harness, "w") as f:
            f.write(HARNESS)
        exe = os.path.join(work, "ab")
        run([f"{LLVM}/bin/clang", "-O2", harness, obj_a, obj_b, "-o", exe,
             f"-L{LLVM}/lib", "-lomp", f"-Wl,-rpath,{LLVM}/lib", "-lm"])
        shape = (f"(B,H/Hkv,L,D) = ({B},{H}/{hkv},{L},{D})" if lq == L else
                 f"(B,H/Hkv,Lq,Lk,D) = ({B},{H}/{hkv},{lq},{L},{D})")
        print(f"shape {shape}"
              f"{' causal' if a.causal else ''}{f' window {window}' if window else ''}; "
              f"{flop / 1e9:.3f} GFLOP per call")
        if b_causal != a.causal:
            print(f"B runs the causal graph: {flop_b / 1e9:.3f} GFLOP per call")
        print(f"A: {a.a_opt} --attn-cpu-pipeline='{a.a}'")
        print(f"B: {a.b_opt or a.a_opt} --attn-cpu-pipeline='{a.b if a.b is not None else a.a}'")
        # No mmap per call: each call's output (32 MiB at D = 128) would be a
        # fresh mapping whose first-touch page faults cost 20-30% of the call
        # (run_bench.py gives attn-run and the PyTorch anchor the same setting).
        env = dict(os.environ, MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_="1000000000000")
        kv_bytes = 2 * B * hkv * L * D * 4 if lq < L else 0
        sys.stdout.write(run([exe, str(B), str(H), str(hkv), str(lq), str(L), str(D),
                              str(a.reps), repr(flop), repr(flop_b), repr(kv_bytes)], env=env))


if __name__ == "__main__":
    main()
