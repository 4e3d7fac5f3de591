#!/usr/bin/env python3
# Part of the attn-mlir project.
"""Whole-model timings through the ONNX front end: the ViT-B/16 encoder
block (B=1, N=197) and the BERT-base encoder layer (B=8, L=128, key padding
mask), exported by PyTorch 1.13's torch.onnx.export (opset 14) to .onnx
files, then timed as

  attn      attn.onnx.import_model -> attn.compile -> repeated calls
  torch     PyTorch 1.13 eager (torch.no_grad, the same module)
  ort       ONNX Runtime 1.30 on the same .onnx file through
            /work/shared/bench/anchors/ort/ort_run.js (node +
            onnxruntime-node in $HOME/.cache/attn-ort; see its README)

with the same thread count (--threads, default 2), one warm-up and --reps
timed calls each, in --rounds rounds (attn, torch, ort, attn, torch, ort,
...); prints min and median milliseconds over all rounds and, per anchor,
the median over rounds of its time divided by ours (min of each in the
round; > 1: ours is faster) as a markdown table. The VMs this project is
measured on drift by 30-100% over minutes; rounds put every side in each
phase, and the per-round ratios compare sides in the same phase.

  PYTHONPATH=build/python_packages /usr/bin/python3 bench/e2e_models.py \\
      [--threads 2] [--reps 10] [--rounds 3] [--out /tmp/e2e] \\
      [--models vit,bert]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils"))

ORT_RUN = "/work/shared/bench/anchors/ort/ort_run.js"
ORT_MODULES = os.path.expanduser("~/.cache/attn-ort/node_modules")


def timed(fn, reps):
    """The times (ms) of `reps` calls after one warm-up."""
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def ort_time(path, threads, reps, specs):
    """(min, median) ms from ort_run.js, or the reason it cannot run."""
    if not shutil.which("node"):
        return "node not installed"
    if not os.path.exists(ORT_RUN):
        return f"{ORT_RUN} missing"
    if not os.path.isdir(os.path.join(ORT_MODULES, "onnxruntime-node")):
        return ("onnxruntime-node not installed (npm install --ignore-scripts "
                "--prefix ~/.cache/attn-ort onnxruntime-node@1.30.0)")
    env = dict(os.environ, NODE_PATH=ORT_MODULES)
    r = subprocess.run(["node", ORT_RUN, path, str(threads), str(reps)] + specs,
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return "ort_run.js failed: " + (r.stderr.strip().splitlines() or
                                        ["?"])[-1]
    j = json.loads(r.stdout.strip().splitlines()[-1])
    return j["min_ms"], j["median_ms"]


def summary(rounds):
    """(min, median) ms over all calls of all rounds (lists of times; for
    ONNX Runtime (min, median) tuples: the min of the mins and the median of
    the medians), or the first round's reason when a side could not run."""
    if any(isinstance(r, str) for r in rounds):
        return next(r for r in rounds if isinstance(r, str))
    if isinstance(rounds[0], tuple):
        return min(r[0] for r in rounds), float(np.median([r[1] for r in rounds]))
    times = [t for r in rounds for t in r]
    return min(times), float(np.median(times))


def ratio(anchor_rounds, our_rounds):
    """The median over rounds of the anchor's min time / ours."""
    if any(isinstance(r, str) for r in anchor_rounds):
        return "n/a"
    return float(np.median([(a[0] if isinstance(a, tuple) else min(a)) / min(o)
                            for a, o in zip(anchor_rounds, our_rounds)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="/tmp/attn-e2e")
    ap.add_argument("--models", default="vit,bert")
    args = ap.parse_args()

    import torch
    import attn
    import attn.onnx
    import torch_models

    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from blas_check import warn_if_reference_blas
    warn_if_reference_blas()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    models = {
        "vit": ("ViT-B/16 block, B=1 N=197",
                lambda: torch_models.ViTBlock(768, 12, 3072),
                lambda: (torch.randn(1, 197, 768),), ["x"]),
        "bert": ("BERT-base layer, B=8 L=128, padding mask",
                 lambda: torch_models.BertLayer(768, 12, 3072),
                 lambda: (torch.randn(8, 128, 768),
                          torch.arange(128)[None, :] >= torch.tensor(
                              [128, 100, 37, 1, 128, 64, 127, 5])[:, None]),
                 ["x", "pad"]),
    }
    for key in args.models.split(","):
        title, make, inputs, names = models[key]
        model = make().eval()
        xs = inputs()
        path = os.path.join(args.out, f"{key}.onnx")
        with open(path, "wb") as f:
            f.write(torch_models.export(model, xs, names))
        t0 = time.perf_counter()
        text = attn.onnx.import_model(path)
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        exe = attn.compile(text, num_threads=args.threads)
        arrays = [x.numpy() for x in xs]
        exe.main(*arrays)
        t_compile = time.perf_counter() - t0
        specs = [f"{n}:{'bool' if x.dtype == torch.bool else 'f32'}:"
                 + "x".join(str(d) for d in x.shape) for n, x in zip(names, xs)]
        ours, eager, ort = [], [], []
        for _ in range(args.rounds):
            ours.append(timed(lambda: exe.main(*arrays), args.reps))
            with torch.no_grad():
                eager.append(timed(lambda: model(*xs), args.reps))
            ort.append(ort_time(path, args.threads, args.reps, specs))
        rows.append((title, t_import, t_compile, summary(ours), summary(eager),
                     summary(ort), ratio(eager, ours), ratio(ort, ours)))

    fmt = lambda t: f"{t[0]:.1f} / {t[1]:.1f}" if isinstance(t, tuple) else t
    fmt_ratio = lambda r: f"{r:.2f}" if isinstance(r, float) else r
    print(f"\n{args.threads} threads, {args.rounds} rounds of {args.reps} timed "
          "calls after one warm-up each; min / median ms over all calls (ONNX "
          "Runtime: of its rounds' min and median); anchor / attn: median "
          "over rounds of the anchor's min / ours (> 1: attn is faster)\n")
    print("| model | attn import + compile (s) | attn | PyTorch 1.13 eager "
          "| ONNX Runtime 1.30 | eager / attn | ORT / attn |")
    print("|---|---|---|---|---|---|---|")
    for title, ti, tc, ours, eager, ort, r_eager, r_ort in rows:
        print(f"| {title} | {ti:.1f} + {tc:.1f} | {fmt(ours)} | {fmt(eager)} "
              f"| {fmt(ort)} | {fmt_ratio(r_eager)} | {fmt_ratio(r_ort)} |")


if __name__ == "__main__":
    main()
