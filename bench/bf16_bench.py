#!/usr/bin/python3
"""bf16_bench.py - bf16 attention on the CPU, side by side in one run with our
f32 kernel on the same shapes, PyTorch 2.x's bf16 CPU flash attention
(anchors/torch2, when its chroot exists) and the machine's f32 FMA peak.

  bench/bf16_bench.py --build-dir build [--threads 2] [--reps 5] [--quick]
                      [--units auto,f32] [--no-torch]

For each shape (issue 13's (1,12,2048,64) and (1,32,2048,128), non-causal
and causal) it times `attn-run --benchmark` (JIT, --num-threads) on the f32
graph and on the bf16 graph once per --units entry (auto = the lowering
config's choice for this CPU; f32, bf16_dot, bf16_dot_emulated, amx,
amx_emulated force one),
and reads the unit that ran from `attn-run --verbose`. It prints a markdown
table: median ms, GFLOP/s (4 D per visible query-key pair, as the rest of
bench/), % of the f32 FMA peak, the bf16/f32 speedup of our kernels, and
PyTorch's bf16 median with its ratio to ours.

bf16_dot needs AVX512-BF16 (Zen 4 and later, Sapphire Rapids and later);
on other CPUs auto is the f32 kernel on widened inputs, and
bf16_dot_emulated runs the pair-dot kernel's layouts with plain FMAs (a
test vehicle: expect it slower than f32).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "utils"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

from attn_reference import attention_flops, bf16_bits  # noqa: E402
import run_bench  # noqa: E402  (peak_fma.c and the torch2 chroot helpers)

SHAPES = [(1, 12, 2048, 64, False), (1, 12, 2048, 64, True),
          (1, 32, 2048, 128, False), (1, 32, 2048, 128, True)]
QUICK = [(1, 4, 512, 64, False), (1, 4, 512, 64, True)]


def graph(b, h, l, d, causal, elt):
    t = f"tensor<{b}x{h}x{l}x{d}x{elt}>"
    attrs = " {causal}" if causal else ""
    return (f"func.func @main(%q: {t}, %k: {t}, %v: {t}) -> {t} {{\n"
            f"  %o = attn.attention %q, %k, %v{attrs} : {t}, {t}, {t} -> {t}\n"
            f"  return %o : {t}\n}}\n")


MEDIAN_RE = re.compile(r"median\s+([\d.]+) ms")
UNIT_RE = re.compile(r"attn\.attention: unit (\w+)")


def run_ours(attn_run, mlir, inputs, threads, reps, unit=None):
    cmd = [attn_run, mlir, f"--num-threads={threads}", f"--benchmark={reps}",
           "--verbose"] + [f"--input={i}" for i in inputs]
    if unit:
        cmd.append(f"--unit={unit}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines() or ["?"]
        errors = [x for x in lines if "error:" in x]
        return {"error": (errors or lines)[0].strip()}
    m = MEDIAN_RE.search(r.stdout)
    u = UNIT_RE.search(r.stderr)
    return {"median_ms": float(m.group(1)), "unit": u.group(1) if u else "?"}


def run_torch(b, h, l, d, causal, threads, reps):
    cmd = ["sh", run_bench.TORCH2_RUN, os.path.join(HERE, "decode_torch2.py"),
           "--shape", str(b), str(h), str(h), str(l), str(l), str(d),
           "--dtype=bf16", f"--threads={threads}", f"--reps={reps}"]
    if causal:
        cmd.append("--causal")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800,
                       env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    res = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    if r.returncode != 0 or len(res) < 2:
        return {"error": ((r.stderr or r.stdout).strip().splitlines()
                          or [f"exit {r.returncode}"])[-1]}
    return {"median_ms": res[-1]["median_ms"], "torch": res[0]["torch"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(REPO, "build"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="small shapes (a smoke test of the script)")
    ap.add_argument("--units", default="auto,f32",
                    help="bf16 runs, comma-separated: auto (the config's "
                         "choice), f32, bf16_dot, bf16_dot_emulated, amx, "
                         "amx_emulated")
    ap.add_argument("--no-torch", action="store_true")
    a = ap.parse_args()
    attn_run = os.path.join(a.build_dir, "bin", "attn-run")
    units = [u for u in a.units.split(",") if u]
    known = {"auto", "f32", "bf16_dot", "bf16_dot_emulated", "amx",
             "amx_emulated"}
    if not units or set(units) - known:
        ap.error(f"--units: expected a comma-separated list of "
                 f"{', '.join(sorted(known))}, got {a.units!r}")

    work = tempfile.mkdtemp(prefix="attn-bf16-bench-")
    peaks, _ = run_bench.measure_peak(work, a.threads)
    peak = peaks.get((run_bench.PEAK_ISA, a.threads))
    torch_missing = "--no-torch" if a.no_torch else run_bench.torch2_missing()
    print(f"# {run_bench.machine_info()['model']}, {a.threads} threads; f32 "
          f"FMA peak {peak:.0f} GF/s ({run_bench.PEAK_ISA}); median of "
          f"{a.reps} calls after a warm-up; torch2: {torch_missing or 'yes'}")

    rows = []
    rng = np.random.default_rng(0)
    for b, h, l, d, causal in (QUICK if a.quick else SHAPES):
        name = f"({b},{h},{l},{d}){' causal' if causal else ''}"
        flops = attention_flops(b, h, l, l, d, causal=causal)
        data = {n: rng.standard_normal((b, h, l, d)).astype(np.float32)
                for n in "qkv"}
        paths = {}
        for elt in ("f32", "bf16"):
            mlir = os.path.join(work, f"{elt}.mlir")
            with open(mlir, "w") as f:
                f.write(graph(b, h, l, d, causal, elt))
            ins = []
            for n, x in data.items():
                p = os.path.join(work, f"{n}_{elt}.npy")
                np.save(p, x if elt == "f32" else bf16_bits(x))
                ins.append(("@" if elt == "f32" else "bf16:@") + p)
            paths[elt] = (mlir, ins)
        f32 = run_ours(attn_run, *paths["f32"], a.threads, a.reps)
        torch = (run_torch(b, h, l, d, causal, a.threads, a.reps)
                 if not torch_missing else None)
        for u in units:
            r = run_ours(attn_run, *paths["bf16"], a.threads, a.reps,
                         None if u == "auto" else u)
            rows.append((name, flops, u, r, f32, torch))

    print("| shape | bf16 run | unit | ms (median) | GF/s | % f32 peak | "
          "f32 kernel ms | bf16 / f32 speed | PyTorch 2.x bf16 ms | "
          "PyTorch / ours |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = 0
    for name, flops, u, r, f32, torch in rows:
        if "error" in r:
            print(f"| {name} | {u} | FAILED: {r['error']} |||||||")
            failed += 1
            continue
        gf = flops / (r["median_ms"] * 1e6)
        f32ms = f32.get("median_ms")
        speed = f"{f32ms / r['median_ms']:.2f}x" if f32ms else "n/a"
        tms = torch.get("median_ms") if torch else None
        tcol = f"{tms:.1f}" if tms else (torch or {}).get("error", "n/a")
        tratio = f"{tms / r['median_ms']:.2f}x" if tms else "n/a"
        print(f"| {name} | {u} | {r['unit']} | {r['median_ms']:.2f} | "
              f"{gf:.1f} | {100 * gf / peak:.1f} | "
              f"{f'{f32ms:.2f}' if f32ms else f32.get('error')} | {speed} | "
              f"{tcol} | {tratio} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
