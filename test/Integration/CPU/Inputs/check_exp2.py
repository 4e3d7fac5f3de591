# Part of the attn-mlir project.
#
# Helper of the execution tests of the CPU exp2 and the online-softmax
# builders (exp2-*.mlir, online-softmax-*.mlir; test passes of test/lib):
# makes the .npy inputs, then checks attn-run's outputs against numpy in
# float64.
#
#   check_exp2.py make-exp2 DIR LANES
#       DIR/x.npy: float32 [rows, LANES]; row 0 holds the named points
#       -inf, -126, -125, -0.5, 0, 0.5, 10, 127 (and, with 16 lanes, -125.5,
#       -124.99, -1, 1, 126.5, 1e-7, -1e-7, 126), then a sweep of
#       [-125, 127] and a dense grid of [-1, 1].
#   check_exp2.py check-exp2 DIR
#       DIR/y.npy against exp2(DIR/x.npy): exactly 0 where x <= -125
#       (-inf included), relative error < 3e-7 elsewhere.
#   check_exp2.py make-softmax DIR LANES
#       DIR/s.npy, DIR/v.npy: float32 [16 keys, LANES rows] of scores and
#       values; row 0 has -inf in its last 8 keys, row 1 in its first 8,
#       row 2 everywhere, row 3 a wide spread of scores, row 4 a few -inf.
#   check_exp2.py check-softmax DIR SCALE
#       DIR/merged.npy (two partial states over keys [0, 8) and [8, 16)
#       merged) and DIR/single.npy (one state over all keys) against the
#       direct softmax(SCALE * s) . v per row: |out - ref| <= 2e-6 *
#       max(1, |ref|); rows without a finite score exactly 0.

import os
import sys

import numpy as np


def make_exp2(workdir, lanes):
    named = [-np.inf, -126, -125, -0.5, 0, 0.5, 10, 127]
    if lanes == 16:
        named += [-125.5, -124.99, -1, 1, 126.5, 1e-7, -1e-7, 126]
    assert len(named) == lanes
    rng = np.random.default_rng(0)
    sweep = rng.uniform(-125, 127, size=(192, lanes))
    grid = np.linspace(-1, 1, 64 * lanes).reshape(64, lanes)
    x = np.concatenate([np.array([named]), sweep, grid]).astype(np.float32)
    np.save(os.path.join(workdir, "x.npy"), x)


def check_exp2(workdir):
    x = np.load(os.path.join(workdir, "x.npy")).astype(np.float64)
    y = np.load(os.path.join(workdir, "y.npy"))
    if y.shape != x.shape or y.dtype != np.float32:
        sys.exit(f"FAIL exp2: got {y.dtype} {y.shape}, expected float32 {x.shape}")
    y = y.astype(np.float64)
    zero = x <= -125
    if np.any(y[zero] != 0):
        bad = np.flatnonzero(y[zero] != 0)[0]
        sys.exit(f"FAIL exp2({x[zero][bad]}) = {y[zero][bad]}, expected exactly 0")
    ref = np.exp2(x[~zero])
    rel = np.abs(y[~zero] - ref) / ref
    worst = int(np.argmax(rel))
    print(f"exp2 named points: {' '.join(f'{v:.9g}' for v in y[0])}")
    print(f"exp2 max relative error {rel[worst]:.3g} at x = {x[~zero][worst]!r}")
    if not rel[worst] < 3e-7:
        sys.exit("FAIL exp2: relative error >= 3e-7")
    print("PASS exp2")


def make_softmax(workdir, lanes):
    rng = np.random.default_rng(1)
    s = rng.standard_normal((16, lanes)) * 3
    v = rng.standard_normal((16, lanes))
    s[8:, 0] = -np.inf
    s[:8, 1] = -np.inf
    s[:, 2] = -np.inf
    s[:, 3] = np.linspace(-80, 80, 16)
    s[[1, 6, 11], 4] = -np.inf
    np.save(os.path.join(workdir, "s.npy"), s.astype(np.float32))
    np.save(os.path.join(workdir, "v.npy"), v.astype(np.float32))


def check_softmax(workdir, scale):
    s = np.load(os.path.join(workdir, "s.npy")).astype(np.float64) * scale
    v = np.load(os.path.join(workdir, "v.npy")).astype(np.float64)
    seen = np.isfinite(s).any(axis=0)
    m = np.where(seen, np.max(np.where(np.isfinite(s), s, -np.inf), axis=0), 0)
    p = np.exp(s - m)
    ref = np.where(seen, (p * v).sum(axis=0) / np.maximum(p.sum(axis=0), 1e-300), 0)
    ok = True
    for name in ("merged", "single"):
        out = np.load(os.path.join(workdir, name + ".npy")).astype(np.float64)
        if out.shape != ref.shape or not np.all(np.isfinite(out)):
            print(f"FAIL {name}: {out}")
            ok = False
            continue
        err = np.abs(out - ref) / np.maximum(1, np.abs(ref))
        if np.any(out[~seen] != 0) or err.max() > 2e-6:
            print(f"FAIL {name}: max err {err.max():.3g}\n out={out}\n ref={ref}")
            ok = False
            continue
        print(f"PASS {name} err={err.max():.3g}")
    if not ok:
        sys.exit(1)


def main(argv):
    cmd, workdir = argv[1], argv[2]
    if cmd == "make-exp2":
        make_exp2(workdir, int(argv[3]))
    elif cmd == "check-exp2":
        check_exp2(workdir)
    elif cmd == "make-softmax":
        make_softmax(workdir, int(argv[3]))
    elif cmd == "check-softmax":
        check_softmax(workdir, float(argv[3]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
