# Part of the attn-mlir project.
#
# Driver of the CPU execution tests (test/Integration/CPU): runs attention
# graphs with `attn-run` (the JIT-compiled CPU code) and with
# `attn-run --backend=reference` (the float64 reference evaluator, the
# project's oracle), and checks every result with the rule of SPEC section 4
# (FlashAttention's):
#
#   max|out - ref| <= 2 * max|naive - ref| + 1e-5 * max(1, max|ref|)
#
# with `ref` the float64 result and `naive` the straightforward unfused math
# in the input dtype; no NaN or Inf where `ref` is finite; the right shape and
# dtype. In addition, query rows without a visible key must be exactly zero,
# and the evaluator must agree with the float64 numpy implementation of SPEC
# 1.1-1.2 (a second, independent oracle). The numpy math and the rule come
# from utils/attn_reference.py, which lit puts on PYTHONPATH (to run this
# file by hand: PYTHONPATH=<repo>/utils /usr/bin/python3 check_attention.py).
#
# Usage:
#
#   check_attention.py --attn-run PATH cases TESTFILE WORKDIR
#       Runs every line `CASE: NAME KEY=VALUE... FLAG...` of TESTFILE and
#       prints `PASS NAME err=... tol=...` or `FAIL NAME: why` per case; exits
#       non-zero when a case failed. Keys (defaults in brackets):
#         b hq [1], hkv [hq], lq [16], lk [lq], d [16], dv [d]   shapes
#         dtype=f32|f16|bf16 [f32]  (bf16: inputs and result as bf16 bits;
#                             the naive baseline rounds every step to bf16)
#         causal  scale=X  softcap=X                           attributes
#         window=L,R  chunk=N      (window -> attn.sliding_window_attention)
#         mask=i1|float  mask_bcast=none|b|h|bh [none]
#         mask_p=P [0.75]     i1: probability of `true`; float: bias ~ N(0,1)
#                             and the fill with probability 1-P when P < 1
#         masked_row=I        row I of the mask is all false / all the fill
#         nan_row=I           float masks: NaN at key 0 of row I (that row's
#                             result must be NaN, as in PyTorch; every other
#                             row finite)
#         mask_fill=-inf|min [-inf]  the float mask's value for hidden keys:
#                             -inf, or the lowest finite value of the dtype
#                             (Hugging Face's padding masks: such keys stay
#                             visible, with a huge penalty)
#         qamp=X [1]          query multiplied by X (sharper softmax)
#         vconst=X            every value X (the result is X: a convex
#                             combination, which shows any drift between
#                             the softmax's numerator and denominator)
#         dynamic             B and the sequence lengths are `?` in the graph
#         dynamic=all         every dim is `?` (but a mask's unit dims)
#         dynamic=every       every dim is `?`, a mask's unit dims too (they
#                             broadcast at run time)
#         same_as=full|causal the result must also match attn.attention
#                             without window/chunk (with `causal`)
#         flags="..."         extra attn-run flags (--num-threads=...,
#                             --block-q=..., --block-k=...) for the CPU run
#         seed=N [0]
#
#   check_attention.py --attn-run PATH graph MLIR WORKDIR --naive NAME
#           --input NAME=SHAPE[*AMP]... [--flags "..."] [--seed N]
#       Runs a hand-written graph (upstream ops around attention) on seeded
#       random float32 inputs (N(0,1) times AMP, one --input per argument of
#       @main, in order) with both backends and checks it the same way; NAME
#       selects the numpy implementation of that graph below (float64 for
#       the cross-check of the evaluator, float32 as the naive baseline).

import argparse
import os
import shlex
import sys

import numpy as np

from attn_reference import close_rule, from_bf16_bits, round_bf16, sdpa
from case_driver import (CaseFailure, check_rule, read_cases, run_cases,
                         run_graph, run_reference, save_inputs, split_spec)

# The .npy dtype of each element type (bf16 travels as its uint16 bits).
DTYPES = {"f32": np.float32, "f16": np.float16, "bf16": np.uint16}


def to_dtype(x, dtype):
    """`x` rounded to the element type `dtype` (bf16: float32 values)."""
    if dtype == "bf16":
        return round_bf16(np.asarray(x, np.float32))
    return np.asarray(x).astype(DTYPES[dtype])


def naive_dtype(dtype):
    """The `dtype` argument of attn_reference.sdpa for the naive baseline."""
    return "bf16" if dtype == "bf16" else DTYPES[dtype]

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


class Case:
    def __init__(self, name, spec):
        self.name = name
        kv, flags = split_spec(spec)
        known = {"b", "hq", "hkv", "lq", "lk", "d", "dv", "dtype", "scale",
                 "softcap", "window", "chunk", "mask", "mask_bcast", "mask_p",
                 "masked_row", "nan_row", "qamp", "same_as", "flags", "seed", "dynamic",
                 "mask_fill", "vconst"}
        unknown = (set(kv) - known) | (flags - {"causal", "dynamic"})
        if unknown:
            raise ValueError(f"case {name}: unknown keys {sorted(unknown)}")
        self.b = int(kv.get("b", 1))
        self.hq = int(kv.get("hq", 1))
        self.hkv = int(kv.get("hkv", self.hq))
        self.lq = int(kv.get("lq", 16))
        self.lk = int(kv.get("lk", self.lq))
        self.d = int(kv.get("d", 16))
        self.dv = int(kv.get("dv", self.d))
        self.dtype = kv.get("dtype", "f32")
        self.causal = "causal" in flags
        self.dynamic = kv.get("dynamic", "bl" if "dynamic" in flags else None)
        if self.dynamic not in (None, "bl", "all", "every"):
            raise ValueError(f"case {name}: dynamic must be bl, all or every")
        self.scale = float(kv["scale"]) if "scale" in kv else None
        self.softcap = float(kv["softcap"]) if "softcap" in kv else None
        self.window = (tuple(int(x) for x in kv["window"].split(","))
                       if "window" in kv else None)
        self.chunk = int(kv["chunk"]) if "chunk" in kv else None
        self.mask = kv.get("mask")
        self.mask_bcast = kv.get("mask_bcast", "none")
        self.mask_p = float(kv.get("mask_p", 0.75))
        self.masked_row = int(kv["masked_row"]) if "masked_row" in kv else None
        self.nan_row = int(kv["nan_row"]) if "nan_row" in kv else None
        self.mask_fill = kv.get("mask_fill", "-inf")
        if self.mask_fill not in ("-inf", "min"):
            raise ValueError(f"case {name}: mask_fill must be -inf or min")
        self.qamp = float(kv.get("qamp", 1.0))
        self.vconst = float(kv["vconst"]) if "vconst" in kv else None
        self.same_as = kv.get("same_as")
        self.flags = shlex.split(kv.get("flags", ""))
        self.seed = int(kv.get("seed", 0))

    # Shapes ---------------------------------------------------------------

    def shapes(self):
        mb = 1 if "b" in self.mask_bcast else self.b
        mh = 1 if "h" in self.mask_bcast else self.hq
        return {
            "q": (self.b, self.hq, self.lq, self.d),
            "k": (self.b, self.hkv, self.lk, self.d),
            "v": (self.b, self.hkv, self.lk, self.dv),
            "mask": (mb, mh, self.lq, self.lk),
            "out": (self.b, self.hq, self.lq, self.dv),
        }

    def tensor_type(self, name, elt):
        shape = self.shapes()[name]
        dims = [str(x) for x in shape]
        if self.dynamic == "every":
            dims = ["?"] * len(shape)
        elif self.dynamic == "all":
            # Every dim but the unit (broadcast) dims of a mask.
            dims = ["1" if name == "mask" and x == 1 and i < 2 else "?"
                    for i, x in enumerate(shape)]
        elif self.dynamic:
            # Batch (unless broadcast) and both sequence lengths are dynamic.
            if not (name == "mask" and shape[0] == 1):
                dims[0] = "?"
            dims[2] = "?"
            if name == "mask":
                dims[3] = "?"
        return "tensor<" + "x".join(dims + [elt]) + ">"

    # The graph ------------------------------------------------------------

    def graph(self, dtype, windowed_op=True, causal=None):
        """func.func @main computing this case; element type `dtype`.
        windowed_op=False writes attn.attention with `causal` instead."""
        elt = dtype
        causal = self.causal if causal is None else causal
        names = ["q", "k", "v"] + (["mask"] if self.mask else [])
        mask_elt = "i1" if self.mask == "i1" else elt
        types = [self.tensor_type(n, mask_elt if n == "mask" else elt)
                 for n in names]
        out_type = self.tensor_type("out", elt)
        args = ", ".join(f"%{n}: {t}" for n, t in zip(names, types))
        attrs = []
        if causal:
            attrs.append("causal")
        if self.scale is not None:
            attrs.append(f"scale = {self.scale!r} : f32")
        if self.softcap is not None:
            attrs.append(f"softcap = {self.softcap!r} : f32")
        use_window = windowed_op and (self.window is not None or
                                      self.chunk is not None)
        if use_window:
            left, right = self.window if self.window else (-1, -1)
            attrs.append(f"window = array<i64: {left}, {right}>")
            if self.chunk is not None:
                attrs.append(f"chunk = {self.chunk} : i64")
        op = "attn.sliding_window_attention" if use_window else "attn.attention"
        operands = "%q, %k, %v" + (" mask %mask" if self.mask else "")
        attr_text = (" {" + ", ".join(attrs) + "}") if attrs else ""
        return (f"func.func @main({args}) -> {out_type} {{\n"
                f"  %o = {op} {operands}{attr_text}\n"
                f"      : {', '.join(types)} -> {out_type}\n"
                f"  return %o : {out_type}\n"
                f"}}\n")

    # Inputs ---------------------------------------------------------------

    def inputs(self):
        rng = np.random.default_rng(self.seed)
        s = self.shapes()
        data = {
            "q": to_dtype(self.qamp * rng.standard_normal(s["q"]), self.dtype),
            "k": to_dtype(rng.standard_normal(s["k"]), self.dtype),
            "v": to_dtype(rng.standard_normal(s["v"]) if self.vconst is None
                          else np.full(s["v"], self.vconst), self.dtype),
        }
        if self.mask == "i1":
            m = rng.random(s["mask"]) < self.mask_p
            if self.masked_row is not None:
                m[:, :, self.masked_row, :] = False
            data["mask"] = m
        elif self.mask == "float":
            m = rng.standard_normal(s["mask"])
            fill = -np.inf
            if self.mask_fill == "min":
                # bf16's lowest finite value is above f32's.
                fill = (-float.fromhex("0x1.fep127") if self.dtype == "bf16"
                        else np.finfo(DTYPES[self.dtype]).min)
            if self.mask_p < 1:
                m[rng.random(s["mask"]) >= self.mask_p] = fill
            if self.masked_row is not None:
                m[:, :, self.masked_row, :] = fill
            if self.nan_row is not None:
                m[:, :, self.nan_row, 0] = np.nan
            data["mask"] = to_dtype(m, self.dtype)
        elif self.mask is not None:
            raise ValueError(f"case {self.name}: mask must be i1 or float")
        return data

    # Semantics ------------------------------------------------------------

    def params(self, windowed=True, causal=None):
        """Keyword arguments of attn_reference.sdpa for this case;
        windowed=False drops window and chunk (the attn.attention of
        same_as), `causal` overrides the case's."""
        return dict(scale=self.scale, softcap=self.softcap,
                    causal=self.causal if causal is None else causal,
                    window=self.window if windowed else None,
                    chunk=self.chunk if windowed else None)


# ---------------------------------------------------------------------------
# Running and checking
# ---------------------------------------------------------------------------


def check_ref_agreement(ref_eval, ref_np, what):
    """The evaluator's float64 result (rounded to f32) against numpy's."""
    r = close_rule(ref_eval, ref_np, 1e-6)
    if not r.ok:
        raise CaseFailure(f"reference evaluator and numpy float64 disagree "
                          f"({what}): {r.err:.3g} > {r.bound:.3g}"
                          + (f", {r.nonfinite} NaN/Inf" if r.nonfinite
                             else ""))


def run_case(case, workdir, attn_run, backend="cpu"):
    cdir = os.path.join(workdir, case.name)
    os.makedirs(cdir, exist_ok=True)
    data = case.inputs()
    paths = save_inputs(cdir, data, bf16=case.dtype == "bf16")
    graph_path = os.path.join(cdir, "graph.mlir")
    with open(graph_path, "w") as f:
        f.write(case.graph(case.dtype))

    out = run_graph(attn_run, graph_path, paths,
                    os.path.join(cdir, "out.npy"), backend, case.flags)
    ref_out = run_reference(attn_run, cdir, case.graph, data, case.dtype)

    q, k, v, mask = data["q"], data["k"], data["v"], data.get("mask")
    ref_np, visible = sdpa(q, k, v, mask, **case.params(),
                           return_row_visible=True)
    check_ref_agreement(ref_out, ref_np, "this case")
    naive = sdpa(q, k, v, mask, **case.params(),
                 dtype=naive_dtype(case.dtype))
    err, tol = check_rule(out, ref_out, naive, case.shapes()["out"],
                          DTYPES[case.dtype])

    if case.nan_row is not None:
        # NaN exactly where the float64 reference has it (the NaN row).
        expected = np.isnan(ref_np)
        if not expected.any():
            raise CaseFailure("nan_row: the reference has no NaN (key 0 of "
                              "that row is not visible?)")
        result = from_bf16_bits(out) if out.dtype == np.uint16 else out
        for name, got in (("result", result), ("reference evaluator", ref_out)):
            if not np.array_equal(np.isnan(np.asarray(got, np.float64)),
                                  expected):
                raise CaseFailure(f"the {name} is not NaN exactly where the "
                                  f"float64 reference is (the mask's NaN)")

    # Rows without a visible key are exactly zero.
    empty = ~visible
    if empty.any() and np.any(out.astype(np.float64)[empty] != 0):
        raise CaseFailure("a query row without visible keys is not all zeros")

    if case.same_as:
        # The same numbers as the plain attn.attention it is equivalent to.
        causal = case.same_as == "causal"
        alt_np = sdpa(q, k, v, mask,
                      **case.params(windowed=False, causal=causal))
        check_ref_agreement(ref_out, alt_np, f"same_as={case.same_as}")
        alt_path = os.path.join(cdir, "graph_same_as.mlir")
        with open(alt_path, "w") as f:
            f.write(case.graph(case.dtype, windowed_op=False, causal=causal))
        alt = run_graph(attn_run, alt_path, paths,
                        os.path.join(cdir, "same_as.npy"), backend, case.flags)
        check_rule(alt, ref_out, naive, case.shapes()["out"],
                   DTYPES[case.dtype])
    return err, tol


def cmd_cases(args):
    cases = read_cases(args.testfile, Case)
    return run_cases(cases,
                     lambda case: run_case(case, args.workdir, args.attn_run,
                                           args.backend))


# ---------------------------------------------------------------------------
# Hand-written graphs
# ---------------------------------------------------------------------------


def naive_projection_attention(x, wq, wk, wv, bias, dt=np.float32):
    """@main of projection-attention.mlir: q/k/v = x @ W, split into heads
    (expand_shape + transpose), causal attention, then out * out + bias."""
    heads = bias.shape[1]
    l, e = x.shape[0], wq.shape[1]
    d = e // heads

    def split(w):
        y = (x.astype(dt) @ w.astype(dt)).astype(dt)
        return y.reshape(1, l, heads, d).transpose(0, 2, 1, 3)

    q, k, v = split(wq), split(wk), split(wv)
    o = sdpa(q, k, v, causal=True, dtype=dt)
    return (o * o + bias.astype(dt)).astype(dt)


NAIVE = {"projection_attention": naive_projection_attention}


def cmd_graph(args):
    cdir = args.workdir
    os.makedirs(cdir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    data, paths = [], []
    for spec in args.input:
        name, shape = spec.split("=")
        shape, _, amp = shape.partition("*")
        a = rng.standard_normal(tuple(int(x) for x in shape.split("x")))
        a = (a * float(amp or 1.0)).astype(np.float32)
        p = os.path.join(cdir, name + ".npy")
        np.save(p, a)
        data.append(a)
        paths.append(p)
    try:
        out = run_graph(args.attn_run, args.mlir, paths,
                        os.path.join(cdir, "out.npy"), "cpu",
                        shlex.split(args.flags))
        ref_out = run_graph(args.attn_run, args.mlir, paths,
                            os.path.join(cdir, "ref.npy"), "reference", [])
        naive_fn = NAIVE[args.naive]
        ref_np = naive_fn(*data, dt=np.float64)
        check_ref_agreement(ref_out, ref_np, args.naive)
        naive = naive_fn(*data, dt=np.float32)
        err, tol = check_rule(out, ref_out, naive, ref_out.shape, np.float32)
    except CaseFailure as e:
        print(f"FAIL {args.naive}: {e}")
        return 1
    print(f"PASS {args.naive} err={err:.3g} tol={tol:.3g}")
    return 0


def main():
    parser = argparse.ArgumentParser(description="attn-run CPU vs reference checks (SPEC section 4)")
    parser.add_argument("--attn-run", required=True, help="path of attn-run")
    parser.add_argument("--backend", default="cpu",
                        choices=["cpu", "opencl", "cuda"],
                        help="attn-run --backend of the checked runs of "
                             "`cases` (the other run is the reference)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("cases")
    p.add_argument("testfile")
    p.add_argument("workdir")
    p = sub.add_parser("graph")
    p.add_argument("mlir")
    p.add_argument("workdir")
    p.add_argument("--naive", required=True, choices=sorted(NAIVE))
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--flags", default="")
    p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    return cmd_cases(args) if args.command == "cases" else cmd_graph(args)


if __name__ == "__main__":
    sys.exit(main())
