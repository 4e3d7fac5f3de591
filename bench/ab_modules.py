#!/usr/bin/python3
# Part of the attn-mlir project.
"""ab_modules.py - two compiled variants of one whole module (a model graph),
timed interleaved in one process.

The VMs this project is measured on drift by 30-100% over minutes, far more
than most compiler changes move a model's time, and timing A and then B in
separate runs mostly measures the drift. This script compiles the module
twice with attn-compile (two attn-compile binaries, or two option sets),
loads both shared libraries into one process (ctypes) and calls A then B,
then B then A, ... on the same inputs, so that both see the same machine
phases and neither always runs first. It prints each variant's best and
median time, the median over pairs of the time ratio A/B (> 1: B is
faster) and the largest difference between their outputs.

  # before/after a compiler change: the old build's attn-compile against the new
  /usr/bin/python3 bench/ab_modules.py model.mlir --input=@x.npy \\
      --a-compile /tmp/old-build/bin/attn-compile --b-compile build/bin/attn-compile
  # two option sets of one build
  /usr/bin/python3 bench/ab_modules.py model.mlir --input=@x.npy --input=@mask.npy \\
      --a "--num-threads=2" --b "--num-threads=1"

Inputs are .npy files in argument order, as for attn-run (bool arrays for
i1 arguments). The function must return one tensor (its descriptor is read
from the C header attn-compile writes). A model exported from PyTorch can be
imported to MLIR text with attn.onnx.import_model (docs/Python.md).
"""
import argparse
import ctypes
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_COMPILE = os.path.join(
    os.environ.get("ATTN_BUILD_DIR", os.path.join(REPO, "build")), "bin",
    "attn-compile")

# Element types of the C header's descriptor names (attn_memref_<R>d_<T>).
DTYPES = {"f32": np.float32, "f64": np.float64, "f16": np.uint16,
          "bf16": np.uint16, "i1": np.uint8, "i8": np.int8, "i32": np.int32,
          "i64": np.int64}


def descriptor_type(rank, ctype):
    """ctypes struct of MLIR's ranked memref descriptor (CRunnerUtils.h)."""
    class Descriptor(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]
    Descriptor.ctype = ctype
    return Descriptor


def describe(array):
    """A descriptor viewing a C-contiguous numpy array (kept alive by the
    caller)."""
    d = descriptor_type(array.ndim, None)()
    d.allocated = d.aligned = array.ctypes.data
    d.offset = 0
    for i, (n, s) in enumerate(zip(array.shape, array.strides)):
        d.sizes[i] = n
        d.strides[i] = s // array.itemsize
    return d


def compile_variant(tag, attn_compile, options, src, work):
    lib = os.path.join(work, f"{tag}.so")
    cmd = [attn_compile, src, "-o", lib] + shlex.split(options)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(shlex.quote(c) for c in cmd)}\n{r.stderr}")
    return lib, lib[:-3] + ".h"


def result_signature(header, function):
    """(rank, numpy dtype) of the function's one result, from the header."""
    text = open(header).read()
    m = re.search(rf"int _mlir_ciface_{re.escape(function)}\((\w+) \*result", text)
    if not m:
        sys.exit(f"{header}: no one-result _mlir_ciface_{function} (this script "
                 "times functions with exactly one tensor result)")
    t = re.fullmatch(r"attn_memref_(\d+)d_(\w+)", m.group(1))
    if not t or t.group(2) not in DTYPES:
        sys.exit(f"{header}: result type {m.group(1)} not supported here")
    return int(t.group(1)), DTYPES[t.group(2)]


class Variant:
    def __init__(self, lib, header, function):
        self.dll = ctypes.CDLL(lib, mode=ctypes.RTLD_LOCAL)
        self.fn = getattr(self.dll, f"_mlir_ciface_{function}")
        self.fn.restype = ctypes.c_int
        rank, self.dtype = result_signature(header, function)
        self.result = descriptor_type(rank, None)()
        self.error = self.dll.attn_last_error
        self.error.restype = ctypes.c_char_p

    def call(self, args, keep=False):
        """Runs once and frees the result; returns the call's time (s), and
        with `keep` also a numpy copy of the result."""
        t0 = time.perf_counter()
        rc = self.fn(ctypes.byref(self.result), *[ctypes.byref(a) for a in args])
        elapsed = time.perf_counter() - t0
        if rc != 0:
            sys.exit(f"call failed: {self.error().decode()}")
        r = self.result
        out = None
        if keep:
            shape, strides = tuple(r.sizes), tuple(r.strides)
            extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides))
            ptr = ctypes.cast(r.aligned, ctypes.POINTER(
                np.ctypeslib.as_ctypes_type(self.dtype)))
            flat = np.ctypeslib.as_array(ptr, shape=(r.offset + extent,))[r.offset:]
            out = np.lib.stride_tricks.as_strided(
                flat, shape, [s * flat.itemsize for s in strides]).copy()
        LIBC.free(ctypes.c_void_p(r.allocated))
        return elapsed, out


LIBC = ctypes.CDLL(None)
LIBC.free.argtypes = [ctypes.c_void_p]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", help="MLIR module (text or bytecode)")
    ap.add_argument("--input", action="append", default=[],
                    help="@file.npy, one per argument in order")
    ap.add_argument("--function", default="main")
    ap.add_argument("--a-compile", default=DEFAULT_COMPILE, help="attn-compile of A")
    ap.add_argument("--b-compile", default=None,
                    help="attn-compile of B (default: A's)")
    ap.add_argument("--a", default="--num-threads=2", help="attn-compile options of A")
    ap.add_argument("--b", default=None, help="attn-compile options of B (default: A's)")
    ap.add_argument("--reps", type=int, default=20, help="A/B pairs timed")
    a = ap.parse_args()

    arrays = []
    for spec in a.input:
        if not spec.startswith("@"):
            sys.exit(f"--input {spec}: expected @file.npy")
        x = np.load(spec[1:])
        arrays.append(np.ascontiguousarray(x.view(np.uint8) if x.dtype == bool else x))
    args = [describe(x) for x in arrays]

    with tempfile.TemporaryDirectory(prefix="attn-ab-modules-") as work:
        b_opts = a.b if a.b is not None else a.a
        b_compile = a.b_compile or a.a_compile
        va = Variant(*compile_variant("a", a.a_compile, a.a, a.module, work), a.function)
        vb = Variant(*compile_variant("b", b_compile, b_opts, a.module, work), a.function)
        print(f"A: {a.a_compile} {a.a}\nB: {b_compile} {b_opts}")
        # Warm-up, and the outputs compared.
        out_a, out_b = va.call(args, keep=True)[1], vb.call(args, keep=True)[1]
        diff = float(np.max(np.abs(out_a.astype(np.float64) -
                                   out_b.astype(np.float64)))) if out_a.size else 0.0
        ta, tb, ratios = [], [], []
        for i in range(a.reps):
            if i % 2 == 0:
                t_a, t_b = va.call(args)[0], vb.call(args)[0]
            else:
                t_b, t_a = vb.call(args)[0], va.call(args)[0]
            ta.append(t_a)
            tb.append(t_b)
            ratios.append(t_a / t_b)
    ms = lambda xs: (1e3 * min(xs), 1e3 * float(np.median(xs)))
    print("A: best %.2f ms, median %.2f ms" % ms(ta))
    print("B: best %.2f ms, median %.2f ms" % ms(tb))
    print(f"median time ratio A/B over {a.reps} pairs: {np.median(ratios):.3f} "
          "(> 1: B is faster)")
    print(f"largest |A - B| over the output: {diff:.3g}")


if __name__ == "__main__":
    main()
