# Part of the attn-mlir project.
#
# Driver of the CPU execution tests of the sampling ops (test/Integration/CPU):
# runs attn.deformable_sample (SPEC 1.5) and attn.ms_deform_attn (SPEC 1.6)
# graphs with `attn-run` (the JIT-compiled CPU code) and with
# `attn-run --backend=reference` (the float64 reference evaluator, the
# project's oracle), and checks every result with the rule of SPEC section 4:
#
#   max|out - ref| <= 2 * max|naive - ref| + 1e-5 * max(1, max|ref|)
#
# with `ref` the evaluator's result and `naive` the straightforward numpy math
# in the input dtype (f16: float32 math on the f16 values, rounded once); no
# NaN or Inf where `ref` is finite; the right shape and dtype. The evaluator
# must also agree with the float64 numpy implementation of SPEC 1.5-1.6 (a
# second, independent oracle) to 1e-6. The numpy math and the rules come from
# utils/attn_reference.py, which lit puts on PYTHONPATH (to run this file by
# hand: PYTHONPATH=<repo>/utils /usr/bin/python3 check_sampling.py ...).
#
# Usage:
#
#   check_sampling.py --attn-run PATH [--backend=cpu|opencl|cuda]
#           [--cpu-backend=cpu|reference] cases TESTFILE WORKDIR
#       Runs every line `CASE: NAME KEY=VALUE... FLAG...` of TESTFILE and
#       prints `PASS NAME err=... tol=...` or `FAIL NAME: why` per case, then
#       `K of N cases passed`; exits non-zero when a case failed. Keys
#       (defaults in brackets):
#         op=sample|msda [sample]
#         sample: n [1], hin [8], win [hin], c [4], hout [hin], wout [hout]
#                 align_corners (or align_corners=true|false; absent: the
#                   op's default, false), padding=zeros|border (absent: the
#                   op's default, zeros)
#         msda:   n [1], lq [8], m [2], d [4], p [2],
#                 shapes=H0xW0,H1xW1,... [6x4,3x2] (L = number of levels)
#         dtype=f32|f16 [f32]
#         coords=near|uniform|adversarial [uniform]
#             near: around a reference point per output position, as the
#               models produce them (sample: the output pixel's centre plus
#               offsets of about one input pixel, DAT-style; msda: a
#               reference point per query plus 0.05 * N(0, 1), clamped to
#               [-0.05, 1.05], as ../shared/bench/anchors/msda_torch.py's make_inputs)
#             uniform: sample U[-1.1, 1.1], msda U[0, 1]
#             adversarial: most components replaced by NaN, +-Inf, +-1e30,
#               the largest finite value, -0.0, the exact map boundaries
#               (-1/0/1 or 0/1), values just outside them, coordinates that
#               land exactly on the first and last pixel, half a pixel and
#               one pixel beyond them (per level for msda)
#         dynamic   sample: N, Hout and Wout are `?` in the graph; msda: N
#                   and Lq (dynamic=all: every dim is `?`, but the
#                   sample input's Hin and Win, which code generation
#                   needs static)
#         flags="..."   extra attn-run flags for the CPU run (--num-threads=1)
#         seed=N [0]
#
#   --backend picks the attn-run backend of the checked run (default cpu;
#   opencl and cuda run the GPU kernels, test/Integration/GPU); `flags`
#   apply to cpu runs only. --cpu-backend=reference (a debug aid) runs the
#   checked side on the evaluator too: it checks the driver, its cases and
#   the numpy oracle while the code generation of an op is missing or
#   suspect.

import os
import shlex
import sys

import numpy as np

from attn_reference import close_rule, grid_sample_cl, ms_deform_attn
from case_driver import (CaseFailure, cases_main, check_rule, run_graph,
                         run_reference, save_inputs, split_spec)

DTYPES = {"f32": np.float32, "f16": np.float16}

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

SAMPLE_KEYS = {"n", "hin", "win", "c", "hout", "wout", "align_corners",
               "padding"}
MSDA_KEYS = {"n", "lq", "m", "d", "p", "shapes"}
COMMON_KEYS = {"op", "dtype", "coords", "dynamic", "flags", "seed"}


def parse_bool(name, key, text):
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(f"case {name}: {key} must be true or false, got {text!r}")


class Case:
    def __init__(self, name, spec):
        self.name = name
        kv, flags = split_spec(spec)
        self.op = kv.get("op", "sample")
        if self.op not in ("sample", "msda"):
            raise ValueError(f"case {name}: op must be sample or msda")
        known = COMMON_KEYS | (SAMPLE_KEYS if self.op == "sample"
                               else MSDA_KEYS)
        known_flags = {"dynamic"} | ({"align_corners"} if self.op == "sample"
                                     else set())
        unknown = (set(kv) - known) | (flags - known_flags)
        if unknown:
            raise ValueError(f"case {name}: unknown keys {sorted(unknown)}")
        self.n = int(kv.get("n", 1))
        self.dtype = kv.get("dtype", "f32")
        if self.dtype not in DTYPES:
            raise ValueError(f"case {name}: dtype must be f32 or f16")
        self.coords = kv.get("coords", "uniform")
        if self.coords not in ("near", "uniform", "adversarial"):
            raise ValueError(f"case {name}: coords must be near, uniform or "
                             f"adversarial")
        self.dynamic = kv.get("dynamic", "some" if "dynamic" in flags
                              else None)
        if self.dynamic not in (None, "some", "all"):
            raise ValueError(f"case {name}: dynamic must be a flag or all")
        self.flags = shlex.split(kv.get("flags", ""))
        self.seed = int(kv.get("seed", 0))
        if self.op == "sample":
            self.hin = int(kv.get("hin", 8))
            self.win = int(kv.get("win", self.hin))
            self.c = int(kv.get("c", 4))
            self.hout = int(kv.get("hout", self.hin))
            self.wout = int(kv.get("wout", self.hout))
            # None: the attribute is left out (the op's default).
            self.align_corners = (
                True if "align_corners" in flags else
                parse_bool(name, "align_corners", kv["align_corners"])
                if "align_corners" in kv else None)
            self.padding = kv.get("padding")
            if self.padding not in (None, "zeros", "border"):
                raise ValueError(f"case {name}: padding must be zeros or "
                                 f"border")
        else:
            self.lq = int(kv.get("lq", 8))
            self.m = int(kv.get("m", 2))
            self.d = int(kv.get("d", 4))
            self.p = int(kv.get("p", 2))
            self.levels = [tuple(int(x) for x in s.split("x"))
                           for s in kv.get("shapes", "6x4,3x2").split(",")]
            if any(len(s) != 2 for s in self.levels):
                raise ValueError(f"case {name}: shapes must be HxW,HxW,...")

    # Shapes ---------------------------------------------------------------

    def shapes(self):
        """{operand: shape} in the order of @main's arguments, then `out`."""
        if self.op == "sample":
            return {"input": (self.n, self.hin, self.win, self.c),
                    "grid": (self.n, self.hout, self.wout, 2),
                    "out": (self.n, self.hout, self.wout, self.c)}
        s = sum(h * w for h, w in self.levels)
        loc = (self.n, self.lq, self.m, len(self.levels), self.p, 2)
        return {"value": (self.n, s, self.m, self.d),
                "loc": loc,
                "weights": loc[:5],
                "out": (self.n, self.lq, self.m * self.d)}

    def tensor_type(self, name, elt):
        shape = self.shapes()[name]
        dims = [str(x) for x in shape]
        if self.dynamic == "all":
            dims = ["?"] * len(shape)
            if self.op == "sample" and name == "input":
                # The CPU code needs a static map size (the gather's level
                # sizes; docs/CodeGen.md): H and W stay static.
                dims[1], dims[2] = str(shape[1]), str(shape[2])
        elif self.dynamic:
            # Batch everywhere; the output positions (Hout, Wout / Lq).
            dims[0] = "?"
            if self.op == "sample" and name in ("grid", "out"):
                dims[1] = dims[2] = "?"
            if self.op == "msda" and name != "value":
                dims[1] = "?"
        return "tensor<" + "x".join(dims + [elt]) + ">"

    # The graph ------------------------------------------------------------

    def graph(self, elt):
        """func.func @main computing this case with element type `elt`."""
        names = [n for n in self.shapes() if n != "out"]
        types = [self.tensor_type(n, elt) for n in names]
        out_type = self.tensor_type("out", elt)
        args = ", ".join(f"%{n}: {t}" for n, t in zip(names, types))
        attrs = []
        if self.op == "sample":
            op = "attn.deformable_sample"
            if self.align_corners is not None:
                attrs.append("align_corners = "
                             + ("true" if self.align_corners else "false"))
            if self.padding is not None:
                attrs.append(f"padding_mode = #attn<padding_mode "
                             f"{self.padding}>")
        else:
            op = "attn.ms_deform_attn"
            sizes = ", ".join(str(x) for hw in self.levels for x in hw)
            attrs.append(f"spatial_shapes = array<i64: {sizes}>")
        operands = ", ".join(f"%{n}" for n in names)
        attr_text = (" {" + ", ".join(attrs) + "}") if attrs else ""
        return (f"func.func @main({args}) -> {out_type} {{\n"
                f"  %o = {op} {operands}{attr_text}\n"
                f"      : {', '.join(types)} -> {out_type}\n"
                f"  return %o : {out_type}\n"
                f"}}\n")

    # Inputs ---------------------------------------------------------------

    def inputs(self):
        """{operand: array} in the input dtype, seeded."""
        rng = np.random.default_rng(self.seed)
        s = self.shapes()
        dt = DTYPES[self.dtype]
        if self.op == "sample":
            data = {"input": rng.standard_normal(s["input"]),
                    "grid": self.sample_grid(rng)}
        else:
            lp = len(self.levels) * self.p
            logits = rng.standard_normal(s["weights"][:3] + (lp,))
            e = np.exp(logits - logits.max(axis=-1, keepdims=True))
            aw = (e / e.sum(axis=-1, keepdims=True)).reshape(s["weights"])
            data = {"value": rng.standard_normal(s["value"]),
                    "loc": self.msda_locations(rng),
                    "weights": aw}
        with np.errstate(over="ignore"):
            return {k: v.astype(dt) for k, v in data.items()}

    def sample_grid(self, rng):
        shape = self.shapes()["grid"]
        if self.coords == "uniform":
            return rng.uniform(-1.1, 1.1, shape)
        if self.coords == "near":
            # The output pixel's centre in [-1, 1] (DAT's reference points)
            # plus offsets of about one input pixel.
            ys = (2 * np.arange(self.hout) + 1) / self.hout - 1
            xs = (2 * np.arange(self.wout) + 1) / self.wout - 1
            ref = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]),
                           axis=-1)
            step = np.array([2.0 / self.win, 2.0 / self.hin])
            return ref + step * rng.standard_normal(shape)
        g = rng.uniform(-1.2, 1.2, shape)
        ac = bool(self.align_corners)
        specials = [self.specials_sample(self.win, ac),
                    self.specials_sample(self.hin, ac)]
        return replace_with_specials(rng, g, specials)

    def msda_locations(self, rng):
        shape = self.shapes()["loc"]
        if self.coords == "uniform":
            return rng.uniform(0.0, 1.0, shape)
        if self.coords == "near":
            ref = rng.random(shape[:2] + (1, 1, 1, 2))
            return np.clip(ref + 0.05 * rng.standard_normal(shape), -0.05,
                           1.05)
        loc = rng.uniform(-0.1, 1.1, shape)
        for lvl, (h, w) in enumerate(self.levels):
            loc[:, :, :, lvl] = replace_with_specials(
                rng, loc[:, :, :, lvl],
                [self.specials_msda(w), self.specials_msda(h)])
        return loc

    def big(self):
        """The largest finite value of the input dtype."""
        return float(np.finfo(DTYPES[self.dtype]).max)

    def specials_sample(self, size, align_corners):
        """Hard normalized coordinates in [-1, 1] units for an axis of
        `size` pixels."""
        one_up = float(np.nextafter(DTYPES[self.dtype](1), 2))
        minus_one_down = float(np.nextafter(DTYPES[self.dtype](-1), -2))
        vals = [np.nan, np.inf, -np.inf, 1e30, -1e30, self.big(), -self.big(),
                -1.0, 0.0, 1.0, -0.0, one_up, minus_one_down, 1.001, -1.001]
        if align_corners and size > 1:
            to_norm = lambda pix: 2.0 * pix / (size - 1) - 1.0  # noqa: E731
        else:
            to_norm = lambda pix: (2.0 * pix + 1.0) / size - 1.0  # noqa: E731
        for pix in (0, size - 1, -1, size, -0.5, size - 0.5, -1e-3,
                    size - 1 + 1e-3, size - 1e-3, 0.5, size - 1.5):
            vals.append(to_norm(pix))
        return vals

    def specials_msda(self, size):
        """Hard normalized coordinates in [0, 1] units for a level axis of
        `size` pixels (x_pix = x * size - 0.5)."""
        one_up = float(np.nextafter(DTYPES[self.dtype](1), 2))
        zero_down = -float(np.finfo(DTYPES[self.dtype]).smallest_subnormal)
        vals = [np.nan, np.inf, -np.inf, 1e30, -1e30, self.big(), -self.big(),
                0.0, 1.0, -0.0, one_up, zero_down, 1.001, -0.001, 0.5]
        to_norm = lambda pix: (pix + 0.5) / size  # noqa: E731
        for pix in (0, size - 1, -1, size, -0.5, size - 0.5, -1e-3,
                    size - 1 + 1e-3, size - 1e-3, 0.5, size - 1.5):
            vals.append(to_norm(pix))
        return vals

    # Semantics ------------------------------------------------------------

    def evaluate(self, data, dtype=np.float64):
        """The numpy result of this case (float64: the reference; the input
        dtype: the naive baseline)."""
        if self.op == "sample":
            return grid_sample_cl(data["input"], data["grid"],
                                  align_corners=bool(self.align_corners),
                                  padding_mode=self.padding or "zeros",
                                  dtype=dtype)
        return ms_deform_attn(data["value"], data["loc"], data["weights"],
                              self.levels, dtype=dtype)


def replace_with_specials(rng, coords, specials, p=0.6):
    """Replaces each component of coords [..., 2] with probability p by one
    of specials[0] (x) or specials[1] (y)."""
    coords = coords.copy()
    for axis in (0, 1):
        part = coords[..., axis]
        pick = rng.random(part.shape) < p
        part[pick] = rng.choice(np.array(specials[axis]), size=pick.sum())
    return coords


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

    # Every coordinate, however wild, gives a finite result (finite values
    # and weights): the numpy oracle must say so, and the evaluator agree.
    ref_np = case.evaluate(data)
    if not np.isfinite(ref_np).all():
        raise CaseFailure("the numpy float64 result is not finite")
    r = close_rule(ref_out, ref_np, 1e-6)
    if not r.ok:
        raise CaseFailure(f"reference evaluator and numpy float64 disagree: "
                          f"{r.err:.3g} > {r.bound:.3g}"
                          + (f" (worst at {r.worst})" if r.worst else "")
                          + (f", {r.nonfinite} NaN/Inf" if r.nonfinite
                             else ""))
    naive = case.evaluate(data, DTYPES[case.dtype])
    return check_rule(out, ref_out, naive, case.shapes()["out"],
                      DTYPES[case.dtype])


def main():
    return cases_main(
        "attn-run CPU vs reference checks of the sampling ops "
        "(SPEC 1.5, 1.6, section 4)",
        Case, run_case)


if __name__ == "__main__":
    sys.exit(main())
