# Part of the attn-mlir project.
#
# The pieces shared by the execution-test drivers (check_attention.py,
# check_sampling.py, check_dcmha.py): running attn-run on a graph and .npy
# inputs with any backend, the evaluator run for f16 graphs, the error rule of SPEC section 4
# with readable failures, and the `CASE:` line format of the .test files.
# Python puts this folder on sys.path when a driver runs, so the drivers
# import it by name.

import os
import shlex
import subprocess
import sys

import numpy as np

from attn_reference import bf16_bits, error_rule, from_bf16_bits


class CaseFailure(Exception):
    """A case did not pass; the message says why."""


def run_tool(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CaseFailure(f"`{' '.join(cmd)}` exited with {proc.returncode}: "
                          + proc.stderr.strip().replace("\n", " | ")[:2000])


def run_graph(attn_run, mlir_path, input_paths, out_path, backend, flags):
    """Runs @main of `mlir_path` with attn-run and returns its one result
    (bf16 results as their uint16 bits). An input path `bf16:PATH` is a
    file of bf16 bits (save_inputs with bf16=True)."""
    cmd = [attn_run, mlir_path, "--function=main", f"--backend={backend}"]
    cmd += [f"--input=bf16:@{p[5:]}" if p.startswith("bf16:")
            else f"--input=@{p}" for p in input_paths]
    cmd += [f"--output=@{out_path}"] + list(flags)
    run_tool(cmd)
    return np.load(out_path)


def save_inputs(cdir, data, suffix="", widen=False, bf16=False):
    """Writes the arrays of `data` (name -> array) as NAME{suffix}.npy in
    `cdir`, in order, and returns the paths; `widen` stores float arrays as
    float32 (exactly, for f16 data) and leaves bool arrays as they are;
    `bf16` stores float arrays (float32 holding bf16 values) as bf16 bits,
    their paths prefixed with `bf16:` for run_graph."""
    paths = []
    for name, a in data.items():
        p = os.path.join(cdir, name + suffix + ".npy")
        if bf16 and a.dtype != np.bool_:
            np.save(p, bf16_bits(a))
            p = "bf16:" + p
        else:
            np.save(p, a.astype(np.float32) if widen and a.dtype != np.bool_
                    else a)
        paths.append(p)
    return paths


def run_reference(attn_run, cdir, graph_of, data, dtype):
    """The float64 evaluator's result for the case. It rounds its result to
    the result type; for a non-f32 `dtype` it runs the f32 graph
    (`graph_of("f32")`) on the exactly widened inputs, so the reference keeps
    float32 precision."""
    if dtype == "f32":
        paths = save_inputs(cdir, data)
        graph = os.path.join(cdir, "graph.mlir")
    else:
        paths = save_inputs(cdir, data, suffix="_ref", widen=True)
        graph = os.path.join(cdir, "graph_ref.mlir")
        with open(graph, "w") as f:
            f.write(graph_of("f32"))
    return run_graph(attn_run, graph, paths, os.path.join(cdir, "ref.npy"),
                     "reference", [])


def check_rule(out, ref_out, naive, shape, dtype):
    """SPEC section 4. Returns (err, tol) or raises CaseFailure. `dtype` is
    the .npy dtype of the result: np.uint16 for bf16 bits."""
    if out.shape != tuple(shape):
        raise CaseFailure(f"shape {out.shape}, expected {tuple(shape)}")
    if out.dtype != dtype:
        raise CaseFailure(f"dtype {out.dtype}, expected {np.dtype(dtype)}")
    if out.dtype == np.uint16:
        out = from_bf16_bits(out)
    r = error_rule(out, ref_out, naive)
    if r.nonfinite:
        raise CaseFailure(f"{r.nonfinite} NaN/Inf where the reference is "
                          f"finite, first at {r.first_nonfinite}")
    if not r.ok:
        raise CaseFailure(f"max|out-ref| = {r.err:.3g} > tol {r.bound:.3g} "
                          f"(worst at {r.worst}: out {out[r.worst]:.6g}, "
                          f"ref {ref_out[r.worst]:.6g})")
    return r.err, r.bound


def split_spec(spec):
    """The `KEY=VALUE` tokens of a case line as a dict and the bare `FLAG`
    tokens as a set."""
    kv, flags = {}, set()
    for tok in spec:
        if "=" in tok:
            key, value = tok.split("=", 1)
            kv[key] = value
        else:
            flags.add(tok)
    return kv, flags


def read_cases(path, make_case):
    """The `CASE: NAME KEY=VALUE... FLAG...` lines of `path`, each made into a
    case by `make_case(name, tokens)`; names must be unique."""
    cases = []
    with open(path) as f:
        for line in f:
            if "CASE:" not in line:
                continue
            tokens = shlex.split(line.split("CASE:", 1)[1])
            cases.append(make_case(tokens[0], tokens[1:]))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("duplicate case names in " + path)
    if not cases:
        sys.exit("no CASE: lines in " + path)
    return cases


def run_cases(cases, run_one):
    """Runs `run_one(case) -> (err, tol)` on every case, printing
    `PASS NAME err=... tol=...` or `FAIL NAME: why`, then a summary line;
    returns the exit status (1 when a case failed)."""
    failed = 0
    for case in cases:
        try:
            err, tol = run_one(case)
            print(f"PASS {case.name} err={err:.3g} tol={tol:.3g}", flush=True)
        except CaseFailure as e:
            failed += 1
            print(f"FAIL {case.name}: {e}", flush=True)
    print(f"{len(cases) - failed} of {len(cases)} cases passed")
    return 1 if failed else 0


def cases_main(description, make_case, run_case):
    """The command line of a case driver: `--attn-run PATH [--backend
    cpu|opencl|cuda] [--cpu-backend cpu|reference] cases TESTFILE WORKDIR`
    runs every case of TESTFILE with `run_case(case, workdir, attn_run,
    backend)`, `backend` being the attn-run --backend of the checked run
    (`reference` with --cpu-backend=reference); returns the exit status."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--attn-run", required=True, help="path of attn-run")
    parser.add_argument("--backend", default="cpu",
                        choices=["cpu", "opencl", "cuda"],
                        help="attn-run --backend of the checked runs (the "
                             "other run is the reference)")
    parser.add_argument("--cpu-backend", default="cpu",
                        choices=["cpu", "reference"],
                        help="reference: run the checked side on the "
                             "evaluator too (a debug aid that checks the "
                             "driver and the oracles)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("cases")
    p.add_argument("testfile")
    p.add_argument("workdir")
    args = parser.parse_args()
    backend = "reference" if args.cpu_backend == "reference" else args.backend
    cases = read_cases(args.testfile, make_case)
    return run_cases(cases, lambda case: run_case(
        case, args.workdir, args.attn_run, backend))
