# Part of the attn-mlir project.
#
# Driver of the CPU execution tests of DCFormer's ops (test/Integration/CPU):
# runs attn.dcmha (SPEC 1.4) and attn.compose (SPEC 1.3) graphs with
# `attn-run` (the JIT-compiled CPU code) and with `attn-run
# --backend=reference` (the float64 reference evaluator, the project's
# oracle), and checks every result with the rule of SPEC section 4:
#
#   max|out - ref| <= 2 * max|naive - ref| + 1e-5 * max(1, max|ref|)
#
# with `ref` the evaluator's result and `naive` the straightforward unfused
# numpy math in the input dtype (f16: every step rounded to f16, the
# contractions accumulated in f32); no NaN or Inf where `ref` is finite; the
# right shape and dtype. attn.dcmha rows without a visible key must be
# exactly zero. The evaluator must also agree with the float64 numpy
# implementation of SPEC 1.3-1.4 (utils/attn_reference.py's `compose` and
# `dcmha`, a second, independent oracle) to 1e-6. lit puts utils/ on
# PYTHONPATH (to run this file by hand:
# PYTHONPATH=<repo>/utils /usr/bin/python3 check_dcmha.py ...).
#
# Usage:
#
#   check_dcmha.py --attn-run PATH [--backend=cpu|opencl|cuda]
#           [--cpu-backend=cpu|reference] cases TESTFILE WORKDIR
#       Runs every line `CASE: NAME KEY=VALUE... FLAG...` of TESTFILE and
#       prints `PASS NAME err=... tol=...` or `FAIL NAME: why` per case, then
#       `K of N cases passed`; exits non-zero when a case failed. Keys
#       (defaults in brackets):
#         op=dcmha|compose [dcmha]
#         b [1], h [4], lq [16], lk [lq], d [16], dv [d]     shapes (compose:
#                                                            A is [b,h,lq,lk])
#         pre=GROUPS post=GROUPS   dcmha: the groups of pre(...) / post(...)
#                                  (absent: no pre / no post)
#         groups=GROUPS            compose: its groups [none: the identity]
#             GROUPS is a comma list of static, query_weights, key_weights,
#             query_gate, key_gate (written in the op's order whatever the
#             list's), or `all` (the five) or `dynamic` (all but static,
#             DCFormer++'s set), or `none`
#         cq [2], ck [cq]          ranks of query_weights / key_weights
#         causal  window=L,R  scale=X                        (dcmha)
#         dtype=f32|f16 [f32]
#         amp=X [1]                scales the composition weights (w2,
#                                  gates, W - I)
#         qamp=X [1]               dcmha: query multiplied by X
#         input=scores|probs [scores]  compose: A ~ N(0,1) or softmax rows
#         dynamic                  B, Lq and Lk are `?` in the graph
#         dynamic=all              every dim is `?` but H, the ranks C and
#                                  the head dims D, Dv, which the DCMHA
#                                  kernels unroll over (must be static)
#         flags="..."              extra attn-run flags for the CPU run
#         seed=N [0]
#
#   --backend picks the attn-run backend of the checked run (default cpu;
#   opencl and cuda run the GPU kernels of attn.compose,
#   test/Integration/GPU); `flags` apply to cpu runs only.
#   --cpu-backend=reference (a debug aid; lit: ATTN_CHECK_DCMHA_BACKEND=
#   reference, see lit.local.cfg) runs the checked side on the evaluator
#   too: it checks the driver, its cases and the numpy oracle while the code
#   generation of the ops is missing or suspect.
#
# Composition weights are drawn the way DCFormer's DynamicWeightProjection
# makes them: w1 RMS-normalized over the heads (entries ~ N(0,1)), w2 ~
# N(0,1) / sqrt(H * C), gates tanh(N(0,1)), static W = I + N(0,1) / sqrt(H)
# (DCFormer's trained w + I); `amp` scales w2, the gates and W - I.

import os
import shlex
import sys

import numpy as np

from attn_reference import COMPOSE_GROUPS, close_rule, compose, dcmha
from case_driver import (CaseFailure, cases_main, check_rule, run_graph,
                         run_reference, save_inputs, split_spec)

DTYPES = {"f32": np.float32, "f16": np.float16}

# Operand names of each group, in the order the op takes them.
GROUP_OPERANDS = {
    "static": ["W"],
    "query_weights": ["qw1", "qw2"],
    "key_weights": ["kw1", "kw2"],
    "query_gate": ["qdd"],
    "key_gate": ["kdd"],
}


def parse_groups(name, text):
    if text in (None, "none", ""):
        return []
    if text == "all":
        return list(COMPOSE_GROUPS)
    if text == "dynamic":
        return list(COMPOSE_GROUPS[1:])
    groups = text.split(",")
    unknown = set(groups) - set(COMPOSE_GROUPS)
    if unknown or len(set(groups)) != len(groups):
        raise ValueError(f"case {name}: bad group list {text!r}")
    return [g for g in COMPOSE_GROUPS if g in groups]


class Case:
    def __init__(self, name, spec):
        self.name = name
        kv, flags = split_spec(spec)
        self.op = kv.get("op", "dcmha")
        if self.op not in ("dcmha", "compose"):
            raise ValueError(f"case {name}: op must be dcmha or compose")
        common = {"op", "b", "h", "lq", "lk", "cq", "ck", "dtype", "amp",
                  "dynamic", "flags", "seed"}
        known = common | ({"d", "dv", "pre", "post", "window", "scale",
                           "qamp"} if self.op == "dcmha"
                          else {"groups", "input"})
        known_flags = {"dynamic"} | ({"causal"} if self.op == "dcmha"
                                     else set())
        unknown = (set(kv) - known) | (flags - known_flags)
        if unknown:
            raise ValueError(f"case {name}: unknown keys {sorted(unknown)}")
        self.b = int(kv.get("b", 1))
        self.h = int(kv.get("h", 4))
        self.lq = int(kv.get("lq", 16))
        self.lk = int(kv.get("lk", self.lq))
        self.d = int(kv.get("d", 16))
        self.dv = int(kv.get("dv", self.d))
        self.cq = int(kv.get("cq", 2))
        self.ck = int(kv.get("ck", self.cq))
        self.dtype = kv.get("dtype", "f32")
        if self.dtype not in DTYPES:
            raise ValueError(f"case {name}: dtype must be f32 or f16")
        self.amp = float(kv.get("amp", 1.0))
        self.qamp = float(kv.get("qamp", 1.0))
        self.causal = "causal" in flags
        self.window = (tuple(int(x) for x in kv["window"].split(","))
                       if "window" in kv else None)
        self.scale = float(kv["scale"]) if "scale" in kv else None
        self.input = kv.get("input", "scores")
        if self.input not in ("scores", "probs"):
            raise ValueError(f"case {name}: input must be scores or probs")
        self.dynamic = kv.get("dynamic", "bl" if "dynamic" in flags else None)
        if self.dynamic not in (None, "bl", "all"):
            raise ValueError(f"case {name}: dynamic must be a flag or all")
        self.flags = shlex.split(kv.get("flags", ""))
        self.seed = int(kv.get("seed", 0))
        if self.op == "dcmha":
            self.blocks = {"pre": parse_groups(name, kv.get("pre")),
                           "post": parse_groups(name, kv.get("post"))}
            if "pre" in kv and not self.blocks["pre"]:
                raise ValueError(f"case {name}: pre= needs a group")
            if "post" in kv and not self.blocks["post"]:
                raise ValueError(f"case {name}: post= needs a group")
        else:
            self.blocks = {"": parse_groups(name, kv.get("groups"))}

    # Operands -------------------------------------------------------------

    def operands(self):
        """[(name, shape, dynamic dims)] of @main's arguments, in order.
        `dynamic dims` are the positions that are `?` with dynamic (B, Lq,
        Lk); dynamic=all makes every dim `?` but the static ones of
        `static_dims`."""
        b, h, lq, lk, d, dv = (self.b, self.h, self.lq, self.lk, self.d,
                               self.dv)
        ops = []
        if self.op == "dcmha":
            ops += [("q", (b, h, lq, d), (0, 2)), ("k", (b, h, lk, d), (0, 2)),
                    ("v", (b, h, lk, dv), (0, 2))]
        else:
            ops.append(("A", (b, h, lq, lk), (0, 2, 3)))
        for block, groups in self.blocks.items():
            prefix = block + "_" if block else ""
            for g in groups:
                for operand in GROUP_OPERANDS[g]:
                    shape, dyn = {
                        "W": ((h, h), ()),
                        "qw1": ((b, lq, self.cq, h), (0, 1)),
                        "qw2": ((b, lq, self.cq, h), (0, 1)),
                        "kw1": ((b, lk, self.ck, h), (0, 1)),
                        "kw2": ((b, lk, self.ck, h), (0, 1)),
                        "qdd": ((b, lq, h), (0, 1)),
                        "kdd": ((b, lk, h), (0, 1)),
                    }[operand]
                    ops.append((prefix + operand, shape, dyn))
        return ops

    def out_shape(self):
        if self.op == "dcmha":
            return (self.b, self.h, self.lq, self.dv)
        return (self.b, self.h, self.lq, self.lk)

    def static_dims(self, shape):
        """Positions the CPU kernels need static under dynamic=all: the
        heads H (the kernels unroll the compose over them), the compose
        ranks and the head dims D, Dv (the scores and P V tiles)."""
        if len(shape) == 2:  # W [H, H]
            return {0, 1}
        if len(shape) == 3:  # gates [B, L, H]
            return {2}
        if shape in ((self.b, self.lq, self.cq, self.h),
                     (self.b, self.lk, self.ck, self.h)):
            return {2, 3}  # query/key weights [B, L, C, H]
        return {1, 3} if self.op == "dcmha" else {1}  # q/k/v/out, or A

    def tensor_type(self, shape, dyn, elt):
        dims = [str(x) for x in shape]
        fixed = self.static_dims(tuple(shape))
        for i in range(len(dims)):
            if (self.dynamic == "all" and i not in fixed) or (
                    self.dynamic and i in dyn):
                dims[i] = "?"
        return "tensor<" + "x".join(dims + [elt]) + ">"

    # The graph ------------------------------------------------------------

    def graph(self, elt):
        """func.func @main computing this case with element type `elt`."""
        ops = self.operands()
        types = [self.tensor_type(s, dyn, elt) for _, s, dyn in ops]
        out_dyn = (0, 2) if self.op == "dcmha" else (0, 2, 3)
        out_type = self.tensor_type(self.out_shape(), out_dyn, elt)
        args = ", ".join(f"%{n}: {t}" for (n, _, _), t in zip(ops, types))

        def group_text(block):
            prefix = block + "_" if block else ""
            parts = []
            for g in self.blocks[block]:
                names = ", ".join(f"%{prefix}{o}" for o in GROUP_OPERANDS[g])
                parts.append(f"{g}({names})")
            return " ".join(parts)

        if self.op == "dcmha":
            text = "attn.dcmha %q, %k, %v"
            for block in ("pre", "post"):
                if self.blocks[block]:
                    text += f" {block}({group_text(block)})"
            attrs = []
            if self.causal:
                attrs.append("causal")
            if self.scale is not None:
                attrs.append(f"scale = {self.scale!r} : f32")
            if self.window is not None:
                attrs.append(f"window = array<i64: {self.window[0]}, "
                             f"{self.window[1]}>")
            if attrs:
                text += " {" + ", ".join(attrs) + "}"
        else:
            text = "attn.compose %A"
            if self.blocks[""]:
                text += " " + group_text("")
        return (f"func.func @main({args}) -> {out_type} {{\n"
                f"  %o = {text}\n"
                f"      : {', '.join(types)} -> {out_type}\n"
                f"  return %o : {out_type}\n"
                f"}}\n")

    # Inputs ---------------------------------------------------------------

    def inputs(self):
        """{operand: array} in the input dtype, seeded."""
        rng = np.random.default_rng(self.seed)
        dt = DTYPES[self.dtype]
        data = {}
        for name, shape, _ in self.operands():
            base = name.split("_")[-1]
            x = rng.standard_normal(shape)
            if base == "q":
                x *= self.qamp
            elif base == "A" and self.input == "probs":
                e = np.exp(2 * x - (2 * x).max(axis=-1, keepdims=True))
                x = e / e.sum(axis=-1, keepdims=True)
            elif base == "W":
                x = np.eye(shape[0]) + self.amp * x / np.sqrt(shape[0])
            elif base in ("qw1", "kw1"):
                # DCFormer's RMSnormNoscale over the heads.
                x = x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + 1e-6)
            elif base in ("qw2", "kw2"):
                x = self.amp * x / np.sqrt(shape[-1] * shape[-2])
            elif base in ("qdd", "kdd"):
                x = self.amp * np.tanh(x)
            data[name] = x.astype(dt)
        return data

    # Semantics ------------------------------------------------------------

    def group_args(self, data, block):
        prefix = block + "_" if block else ""
        args = {}
        for g in self.blocks[block]:
            vals = [data[prefix + o] for o in GROUP_OPERANDS[g]]
            args[g] = tuple(vals) if len(vals) == 2 else vals[0]
        return args

    def evaluate(self, data, dtype=np.float64, return_row_visible=False):
        """The numpy result (float64: the reference; the input dtype: the
        naive baseline)."""
        if self.op == "compose":
            out = compose(data["A"], **self.group_args(data, ""), dtype=dtype)
            return (out, None) if return_row_visible else out
        return dcmha(data["q"], data["k"], data["v"],
                     pre=self.group_args(data, "pre") or None,
                     post=self.group_args(data, "post") or None,
                     scale=self.scale, causal=self.causal, window=self.window,
                     dtype=dtype, return_row_visible=return_row_visible)


# ---------------------------------------------------------------------------
# Running and checking
# ---------------------------------------------------------------------------


def run_case(case, workdir, attn_run, backend):
    cdir = os.path.join(workdir, case.name)
    os.makedirs(cdir, exist_ok=True)
    data = case.inputs()
    paths = save_inputs(cdir, data)
    graph_path = os.path.join(cdir, "graph.mlir")
    with open(graph_path, "w") as f:
        f.write(case.graph(case.dtype))

    out = run_graph(attn_run, graph_path, paths,
                    os.path.join(cdir, "out.npy"), backend,
                    case.flags if backend == "cpu" else [])
    ref_out = run_reference(attn_run, cdir, case.graph, data, case.dtype)

    ref_np, visible = case.evaluate(data, return_row_visible=True)
    r = close_rule(ref_out, ref_np, 1e-6)
    if not r.ok:
        raise CaseFailure(f"reference evaluator and numpy float64 disagree: "
                          f"{r.err:.3g} > {r.bound:.3g}"
                          + (f" (worst at {r.worst})" if r.worst else "")
                          + (f", {r.nonfinite} NaN/Inf" if r.nonfinite
                             else ""))
    naive = case.evaluate(data, DTYPES[case.dtype])
    err, tol = check_rule(out, ref_out, naive, case.out_shape(),
                          DTYPES[case.dtype])
    # Rows without a visible key are exactly zero (SPEC 1.4).
    if visible is not None:
        empty = ~visible
        if empty.any() and np.any(out.astype(np.float64)[empty] != 0):
            raise CaseFailure("a query row without visible keys is not all "
                              "zeros")
    return err, tol


def main():
    return cases_main(
        "attn-run CPU vs reference checks of attn.dcmha and "
        "attn.compose (SPEC 1.3, 1.4, section 4)",
        Case, run_case)


if __name__ == "__main__":
    sys.exit(main())
