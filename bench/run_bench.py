#!/usr/bin/python3
"""run_bench.py - attn-mlir's attention kernels next to the PyTorch anchor and
the machine's FMA peak, in one run.

For every row (a shape, causal or not, GQA, sliding window), it
  - writes the graph (one attn.attention / attn.sliding_window_attention) and
    seeded random .npy inputs, and times it with
    `attn-run --benchmark=N --num-threads=T` (JIT, host CPU);
  - times the same case with the unfused PyTorch anchor
    (/work/shared/bench/anchors/sdpa_torch.py: its naive, tuned(baddbmm) and
    F._scaled_dot_product_attention variants, or its GQA / sliding-window
    variants), in a worker process started with the tuned malloc
    (MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000);
  - reports ms (median of N), GF/s, % of the 2-thread fp32 FMA peak measured
    at the start of the run (anchors/peak_fma.c), the ratio anchor_ms / our_ms,
    the peak RSS of the attn-run process and its compile time;
  - decode rows (Lq = 1 against a long KV cache, GQA) are bandwidth-bound:
    they report K/V GB/s (2 * B * Hkv * Lk * D * 4 bytes per call) and its
    % of the STREAM triad measured in the same run (anchors/stream_triad.c),
    next to the PyTorch 1.13 anchor;
  - DCMHA rows (attn.dcmha, DCFormer's composed attention, causal, B=1, H=16,
    D=64, C=2, the four dynamic groups before and after the softmax, at L =
    1024 and 2048) next to attn.attention {causal} at the same shape and
    anchors/dcmha_torch.py (run as a child process with --json); with
    --dcmha-memory, the peak RSS of attn.dcmha at L = 8192 and 16384;
  - MSDA rows (attn.ms_deform_attn at Deformable DETR's shapes: the encoder,
    Lq = 19947, and the decoder, Lq = 300, at batch 1 and 2, f32 and f16) run
    on the inputs of anchors/msda_torch.py's make_inputs (locations around a
    reference point per query) and report ms, bilinear samples/s, gathered
    GB/s (4 corners * D * itemsize per sample) and the ratio to
    msda_torch.py's msda_reference (PyTorch 1.13; f32 only: its CPU
    grid_sample has no half kernel, so the f16 rows are compared with the f32
    anchor).

FLOP convention (also attn-run's and the anchor's): 4 * D FLOP per visible
(query, key) pair (2*D for q.k, 2*Dv for p.v, D = Dv), times B * Hq; causal,
window and chunk restrictions remove pairs. Softmax and exp are not counted.
The count is utils/attn_reference.py's attention_flops, shared with the
tests and ab_compare.py.

Usage:
  /usr/bin/python3 bench/run_bench.py [--quick] [--out docs/benchmarks.md]
      [--build-dir DIR] [--threads 2] [--no-torch] [--only REGEX] [--reps N]
      [--no-msda] [--no-dcmha] [--dcmha-lengths L,..] [--dcmha-memory]
      [--dcmha-memory-lengths L,..] [--backend cpu|reference]
Run with Debian's /usr/bin/python3 (numpy, torch 1.13). Needs attn-run built
in --build-dir (default $ATTN_BUILD_DIR or <repo>/build) and gcc for
peak_fma.c and stream_triad.c.
"""
import argparse
import datetime
import functools
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "utils"))
from attn_reference import attention_flops, compose_flops, visible_pairs  # noqa: E402

ANCHORS = os.environ.get("ATTN_BENCH_ANCHORS", "/work/shared/bench/anchors")
TUNED_MALLOC = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "1000000000000"}


# --- the rows ------------------------------------------------------------------


class Case:
    """One row. `L` is the keys' length Lk; `Lq` (default L) the queries'. Rows
    with Lq < Lk (decode: one new token against a long KV cache) are
    bandwidth-bound and get their own table (K/V GB/s against STREAM triad);
    causal is bottom-right aligned there (docs/Spec.md 1.1): with Lq = 1 the
    query sees every key."""

    def __init__(self, name, B, H, L, D, causal=False, Hkv=None, window=None, reps=None,
                 anchor="sdpa", memory=False, Lq=None):
        self.name, self.B, self.H, self.D = name, B, H, D
        self.Lk = L
        self.Lq = L if Lq is None else Lq
        self.Hkv = Hkv or H
        self.causal, self.window = causal, window
        self.anchor = anchor  # "sdpa" | "gqa" | "swa" | "decode" | None
        self.memory = memory
        self.reps = reps
        if anchor in ("sdpa", "gqa", "swa") and self.Lq != self.Lk:
            raise ValueError(f"{name}: the {anchor} anchor takes Lq = Lk")

    @property
    def decode(self):
        return self.Lq < self.Lk

    @property
    def label(self):
        heads = f"{self.H}/{self.Hkv}" if self.Hkv != self.H else f"{self.H}"
        if self.Lq != self.Lk:
            return f"({self.B},{heads},{self.Lq},{self.Lk},{self.D})"
        return f"({self.B},{heads},{self.Lk},{self.D})"

    @property
    def mask_label(self):
        if self.window is not None:
            return f"window [{self.window[0]},{self.window[1]}]"
        return "causal" if self.causal else "none"

    def pairs(self):
        """Visible (query, key) pairs of one (batch, head), docs/Spec.md 1.1-1.2."""
        return visible_pairs(self.Lq, self.Lk, causal=self.causal, window=self.window)

    def flops(self):
        return attention_flops(self.B, self.H, self.Lq, self.Lk, self.D,
                               causal=self.causal, window=self.window)

    def kv_bytes(self):
        """K and V as read once per call (f32): the decode rows' traffic."""
        return 2 * self.B * self.Hkv * self.Lk * self.D * 4

    def anchor_bytes(self):
        """One f32 [B*Hq, Lq, Lk] score temporary of the unfused anchor (it holds
        2-3 of them at once)."""
        return 4 * self.B * self.H * self.Lq * self.Lk

    def mlir(self):
        q = f"tensor<{self.B}x{self.H}x{self.Lq}x{self.D}xf32>"
        kv = f"tensor<{self.B}x{self.Hkv}x{self.Lk}x{self.D}xf32>"
        if self.window is not None:
            op = "attn.sliding_window_attention"
            attrs = f" {{window = array<i64: {self.window[0]}, {self.window[1]}>}}"
        else:
            op = "attn.attention"
            attrs = " {causal}" if self.causal else ""
        return (f"// run_bench.py: {self.name} {self.label} mask={self.mask_label}\n"
                f"func.func @main(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n"
                f"  %o = {op} %q, %k, %v{attrs} : {q}, {kv}, {kv} -> {q}\n"
                f"  return %o : {q}\n}}\n")

    def key(self):
        ls = f"L{self.Lk}" if self.Lq == self.Lk else f"Lq{self.Lq}_Lk{self.Lk}"
        return (f"B{self.B}_H{self.H}_{self.Hkv}_{ls}_D{self.D}_"
                f"{'c' if self.causal else 'n'}"
                + (f"_w{self.window[0]}_{self.window[1]}" if self.window else ""))


def default_reps(flops):
    """Few repetitions for big shapes: about 0.3-3 s of timed calls per row."""
    if flops < 5e9:
        return 10
    if flops < 2e10:
        return 5
    if flops < 1e11:
        return 3
    return 1


# The unfused PyTorch anchor materializes [B*Hq, Lq, Lk] f32 scores (2-3 such
# temporaries at once): rows where one of them would exceed this skip it.
ANCHOR_MAX_BYTES = 4 * 2**30


def cases(quick):
    rows = []
    sdpa = [(1, 12, 512, 64), (1, 12, 1024, 64), (1, 12, 2048, 64), (1, 12, 4096, 64),
            (4, 16, 1024, 128), (1, 32, 2048, 128),
            # head dims other than 64 / 128 (Phi-2: 80, Qwen / Llama-2-like 96,
            # Gemma: 256): the register tiles' D remainders
            (1, 16, 2048, 80), (1, 16, 2048, 96), (1, 8, 2048, 256)]
    if quick:
        sdpa = sdpa[:3]
    for (B, H, L, D) in sdpa:
        for causal in (False, True):
            rows.append(Case("MHA", B, H, L, D, causal))
    if not quick:
        # Long causal prefill: the unfused anchor's [12, 8192, 8192] scores are
        # 3 GiB (under ANCHOR_MAX_BYTES; it peaks at about twice that).
        rows.append(Case("MHA", 1, 12, 8192, 64, causal=True))
    for causal in (() if quick else (False, True)):
        rows.append(Case("GQA 32/8", 1, 32, 2048, 128, causal, Hkv=8, anchor="gqa"))
    # sdpa_torch.py's sliding window: causal and j > i - 512, i.e. each query
    # sees itself and the 511 keys before it: window = [511, 0].
    rows.append(Case("SWA 512", 1, 12, 4096, 64, window=(511, 0), anchor="swa"))
    # Memory: [L, L] per head would be 1 GiB; the anchor is skipped by
    # ANCHOR_MAX_BYTES (12 GiB per [H, L, L] temporary).
    rows.append(Case("memory", 1, 12, 16384, 64, causal=quick, memory=True, reps=1))
    # Decode: one new query per head against a long KV cache, f32, causal
    # (bottom-right: the query sees all Lk keys); attn-run picks split-K
    # (--split-keys=0). Bandwidth-bound: reported as K/V GB/s against STREAM.
    decode = [(1, 8, 1, 131072, 128), (1, 32, 8, 32768, 128)]
    for (B, H, Hkv, Lk, D) in (decode[1:] if quick else decode):
        rows.append(Case(f"decode {H}/{Hkv}", B, H, Lk, D, causal=True, Hkv=Hkv, Lq=1,
                         anchor="decode"))
    return rows


# --- multi-scale deformable attention rows ---------------------------------------

# anchors/msda_torch.py's SPATIAL: Deformable DETR's 4 levels (S = 19947).
MSDA_LEVELS = [(100, 150), (50, 75), (25, 38), (13, 19)]
MSDA_ITEMSIZE = {"f32": 4, "f16": 2}


class MsdaCase:
    """One attn.ms_deform_attn row at Deformable DETR's shapes: 4 levels
    (S = 19947), M = 8 heads of D = 32, P = 4 points; the encoder (Lq = S) or
    the decoder (Lq = 300 object queries), batch N, f32 or f16. Inputs are
    anchors/msda_torch.py's make_inputs(N, Lq) (seed 0): the arrays the
    PyTorch anchor times."""
    M, D, P = 8, 32, 4
    anchor = "msda"
    decode = False
    memory = False

    def __init__(self, part, N, dtype="f32", reps=None):
        self.part, self.N, self.dtype, self.reps = part, N, dtype, reps
        self.S = sum(h * w for h, w in MSDA_LEVELS)
        self.L = len(MSDA_LEVELS)
        self.Lq = {"encoder": self.S, "decoder": 300}[part]
        self.name = f"MSDA {part}"

    @property
    def label(self):
        return f"({self.N},{self.Lq},{self.M},{self.D})"

    @property
    def mask_label(self):
        """The element type (what `--only` matches in the third place)."""
        return self.dtype

    def samples(self):
        """Bilinear samples per call: N * Lq * M * L * P."""
        return self.N * self.Lq * self.M * self.L * self.P

    def gathered_bytes(self):
        """4 corners of D values per sample, as anchors/msda_torch.py counts
        them (its 4 B per value; here the element size)."""
        return self.samples() * 4 * self.D * MSDA_ITEMSIZE[self.dtype]

    def flops(self):
        """anchors/msda_torch.py's convention: 10 FLOP per sample and channel
        (4 corner FMAs of the bilinear blend and the weight's FMA)."""
        return 10.0 * self.samples() * self.D

    def key(self):
        return f"msda_{self.part}_N{self.N}_{self.dtype}"

    def mlir(self):
        t = self.dtype
        n, lq, m, d, l, p = self.N, self.Lq, self.M, self.D, self.L, self.P
        value = f"tensor<{n}x{self.S}x{m}x{d}x{t}>"
        loc = f"tensor<{n}x{lq}x{m}x{l}x{p}x2x{t}>"
        aw = f"tensor<{n}x{lq}x{m}x{l}x{p}x{t}>"
        out = f"tensor<{n}x{lq}x{m * d}x{t}>"
        shapes = ", ".join(str(x) for hw in MSDA_LEVELS for x in hw)
        return (f"// run_bench.py: {self.name} {self.label} {self.dtype}\n"
                f"func.func @main(%value: {value}, %sampling_locations: {loc},\n"
                f"                %attention_weights: {aw}) -> {out} {{\n"
                f"  %o = attn.ms_deform_attn %value, %sampling_locations, %attention_weights\n"
                f"      {{spatial_shapes = array<i64: {shapes}>}}\n"
                f"      : {value}, {loc}, {aw} -> {out}\n"
                f"  return %o : {out}\n}}\n")

    def write_inputs(self, workdir):
        """The model and its three .npy inputs (written by a child process
        running make_inputs, so that this process never loads torch and its
        idle OpenMP threads cannot compete with attn-run)."""
        import numpy as np
        d = os.path.join(workdir, self.key())
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, "model.mlir")
        with open(model, "w") as f:
            f.write(self.mlir())
        paths = [os.path.join(d, f"{n}.npy")
                 for n in ("value", "sampling_locations", "attention_weights")]
        dtype = np.float16 if self.dtype == "f16" else np.float32
        shapes = [(self.N, self.S, self.M, self.D),
                  (self.N, self.Lq, self.M, self.L, self.P, 2),
                  (self.N, self.Lq, self.M, self.L, self.P)]
        if not all(os.path.exists(p) and
                   np.load(p, mmap_mode="r").shape == shape and
                   np.load(p, mmap_mode="r").dtype == dtype
                   for p, shape in zip(paths, shapes)):
            sh([sys.executable, os.path.abspath(__file__), "--msda-inputs",
                f"{self.N},{self.Lq},{self.dtype},{d}"])
        return model, paths


def write_msda_inputs(spec):
    """--msda-inputs N,LQ,DTYPE,DIR: anchors/msda_torch.py's make_inputs(N,
    LQ) as DIR/{value,sampling_locations,attention_weights}.npy."""
    import numpy as np
    n, lq, dtype, d = spec.split(",", 3)
    sys.path.insert(0, ANCHORS)
    import msda_torch
    arrays = msda_torch.make_inputs(int(n), int(lq), MsdaCase.M, MsdaCase.D, MsdaCase.P)
    dt = np.float16 if dtype == "f16" else np.float32
    for name, a in zip(("value", "sampling_locations", "attention_weights"), arrays):
        np.save(os.path.join(d, f"{name}.npy"), a.numpy().astype(dt))
    return 0


def msda_cases(quick):
    if quick:
        return [MsdaCase("encoder", 1), MsdaCase("decoder", 1), MsdaCase("encoder", 1, "f16")]
    return ([MsdaCase(part, n) for part in ("encoder", "decoder") for n in (1, 2)] +
            [MsdaCase(part, n, "f16") for part in ("encoder", "decoder") for n in (1, 2)])


# --- DCMHA rows (DCFormer's dynamically composable multi-head attention) ---------

# The four dynamic compose groups of DCFormer++ (no static weights), in the
# order attn.dcmha writes them; each appears in pre(...) and in post(...).
DCMHA_GROUPS = (("query_weights", ("qw1", "qw2")), ("key_weights", ("kw1", "kw2")),
                ("query_gate", ("qdd",)), ("key_gate", ("kdd",)))
DCMHA_ANCHOR = os.path.join(ANCHORS, "dcmha_torch.py")
DCMHA_ANCHOR_LENGTHS = (1024, 2048)  # what dcmha_torch.py measures


class DcmhaCase:
    """One DCMHA-table row: causal, B = 1, H = 16, D = 64 (DCFormer++-405M's
    attention; anchors/dcmha_torch.py's shape), L = Lq = Lk. `op` "dcmha":
    attn.dcmha with query_weights, key_weights (rank C = 2), query_gate and
    key_gate in both pre(...) and post(...); "attention": attn.attention
    {causal} on the same q, k, v (the ratio's baseline). `memory` rows time
    one call and report the peak RSS of the attn-run process."""
    anchor = "dcmha"
    decode = False

    def __init__(self, L, op="dcmha", memory=False, B=1, H=16, D=64, C=2, reps=None):
        self.Lq = self.Lk = self.L = L
        self.op, self.memory, self.B, self.H, self.D, self.C = op, memory, B, H, D, C
        self.Hkv = H
        self.reps = 1 if memory and reps is None else reps
        self.causal, self.window = True, None
        self.name = ("DCMHA memory" if memory else
                     "DCMHA" if op == "dcmha" else "DCMHA-base MHA")

    @property
    def label(self):
        return f"({self.B},{self.H},{self.L},{self.D})"

    @property
    def mask_label(self):
        return "causal"

    def pairs(self):
        return visible_pairs(self.L, self.L, causal=True)

    def attention_flops(self):
        return attention_flops(self.B, self.H, self.L, self.L, self.D, causal=True)

    def compose_flops(self):
        """Both compositions over the visible pairs (the masked ones are never
        needed): utils/attn_reference.py's compose_flops per pair, twice."""
        if self.op != "dcmha":
            return 0.0
        return 2 * self.pairs() * compose_flops(self.B, self.H, 1, 1, cq=self.C, ck=self.C,
                                                query_gate=True, key_gate=True)

    def flops(self):
        return self.attention_flops() + self.compose_flops()

    def score_bytes(self):
        """One f32 [B, H, L, L] score tensor (what the unfused form holds)."""
        return 4 * self.B * self.H * self.L * self.L

    def key(self):
        return f"dcmha_{self.op}_B{self.B}_H{self.H}_L{self.L}_D{self.D}_C{self.C}_c"

    def operands(self):
        """[(name, shape)] of @main's arguments, in order."""
        b, h, l, d, c = self.B, self.H, self.L, self.D, self.C
        ops = [("q", (b, h, l, d)), ("k", (b, h, l, d)), ("v", (b, h, l, d))]
        if self.op == "dcmha":
            for block in ("pre", "post"):
                for _, names in DCMHA_GROUPS:
                    for n in names:
                        ops.append((f"{block}_{n}", (b, l, h) if n.endswith("dd")
                                    else (b, l, c, h)))
        return ops

    def mlir(self):
        def ty(shape):
            return "tensor<" + "x".join(str(x) for x in shape) + "xf32>"
        ops = self.operands()
        out = ty((self.B, self.H, self.L, self.D))
        args = ",\n                ".join(f"%{n}: {ty(s)}" for n, s in ops)
        types = ", ".join(ty(s) for _, s in ops)
        if self.op == "dcmha":
            blocks = " ".join(
                f"{block}(" + " ".join(
                    f"{g}(" + ", ".join(f"%{block}_{n}" for n in names) + ")"
                    for g, names in DCMHA_GROUPS) + ")"
                for block in ("pre", "post"))
            body = f"attn.dcmha %q, %k, %v {blocks} {{causal}}"
        else:
            body = "attn.attention %q, %k, %v {causal}"
        return (f"// run_bench.py: {self.name} {self.label} {self.mask_label}\n"
                f"func.func @main({args}) -> {out} {{\n"
                f"  %o = {body}\n      : {types} -> {out}\n"
                f"  return %o : {out}\n}}\n")

    def write_inputs(self, workdir):
        """The model and seeded inputs: q, k, v ~ N(0, 1); the composition
        weights as DCFormer's DynamicWeightProjection makes them (w1
        RMS-normalized over the heads, w2 ~ N(0, 1) / sqrt(C * H), gates
        tanh(N(0, 1))). The attention row shares the dcmha row's q, k, v."""
        import numpy as np
        d = os.path.join(workdir, self.key())
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, "model.mlir")
        with open(model, "w") as f:
            f.write(self.mlir())
        shared = os.path.join(workdir, f"dcmha_qkv_B{self.B}_H{self.H}_L{self.L}_D{self.D}")
        os.makedirs(shared, exist_ok=True)
        rng = np.random.default_rng(0)
        paths = []
        for name, shape in self.operands():
            p = os.path.join(shared if name in ("q", "k", "v") else d, f"{name}.npy")
            paths.append(p)
            if os.path.exists(p) and np.load(p, mmap_mode="r").shape == shape:
                continue
            x = rng.standard_normal(shape, dtype=np.float32)
            if name.endswith("w1"):
                x /= np.sqrt((x * x).mean(axis=-1, keepdims=True) + 1e-6)
            elif name.endswith("w2"):
                x /= np.sqrt(self.C * self.H)
            elif name.endswith("dd"):
                x = np.tanh(x)
            np.save(p, x.astype(np.float32))
        return model, paths


def dcmha_cases(a):
    """The DCMHA rows: for each of --dcmha-lengths, attn.dcmha and the
    attn.attention baseline; with --dcmha-memory, attn.dcmha at
    --dcmha-memory-lengths, one timed call each (peak RSS)."""
    if a.no_dcmha:
        return []
    rows = []
    for L in a.dcmha_lengths:
        rows += [DcmhaCase(L, "dcmha"), DcmhaCase(L, "attention")]
    if a.dcmha_memory:
        rows += [DcmhaCase(L, "dcmha", memory=True) for L in a.dcmha_memory_lengths]
    return rows


def run_dcmha_anchor(threads, reps, max_wait, workdir):
    """anchors/dcmha_torch.py --json as a child process (its own torch,
    tuned malloc, OMP_NUM_THREADS=threads): {L: {case: row}} for L = 1024
    and 2048, or {"error": why}."""
    import common
    if not os.path.exists(DCMHA_ANCHOR):
        return {"error": f"{DCMHA_ANCHOR} not found"}
    common.wait_quiet(max_wait=max_wait)
    out = os.path.join(workdir, "dcmha_torch.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = [sys.executable, DCMHA_ANCHOR, f"--threads={threads}", f"--reps={reps}",
           f"--json={out}"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800,
                           env=dict(os.environ, **TUNED_MALLOC, OMP_NUM_THREADS=str(threads)))
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 1800 s"}
    if r.returncode != 0 or not os.path.exists(out):
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        return {"error": tail[0]}
    res = {}
    with open(out) as f:
        for row in json.load(f):
            res.setdefault(row["L"], {})[row["case"].strip()] = row
    return {"rows": res, "log": r.stdout}


def run_dcmha_rows(cases_todo, a, attn_run, attn_compile, workdir, common):
    """Our DCMHA rows (one round), then the PyTorch anchor once for all of
    them (dcmha_torch.py measures L = 1024 and 2048 in one run)."""
    rows = []
    for c in cases_todo:
        reps = a.reps or c.reps or default_reps(c.flops())
        busy = common.wait_quiet(max_wait=a.max_wait)
        ours = run_ours(c, attn_run, None if a.backend == "reference" else attn_compile,
                        workdir, a.threads, reps, False, backend=a.backend)
        rows.append({"case": c, "ours": ours, "busy": busy})
        if "error" in ours:
            print(f"{c.name:14s} {c.label:18s} FAILED: {ours['error']}", flush=True)
            continue
        ms = ours["median_ms"]
        print(f"{c.name:14s} {c.label:18s} {c.mask_label:7s} {ms:10.2f} ms "
              f"{c.flops() / (ms * 1e6):7.1f} GF/s  rss {ours['rss_mb']:7.0f} MB  "
              f"compile {ours['compile_s']:.2f} s  busy {100 * busy:.0f}%", flush=True)
    anchor = None
    if not a.no_torch and any(c.L in DCMHA_ANCHOR_LENGTHS and not c.memory for c in cases_todo):
        reps = a.reps or (2 if a.quick else 5)
        print(f"PyTorch DCMHA anchor: {DCMHA_ANCHOR} --reps={reps} (L = 1024 and 2048)",
              flush=True)
        anchor = run_dcmha_anchor(a.threads, reps, a.max_wait, workdir)
        if "error" in anchor:
            print(f"  PyTorch DCMHA anchor failed: {anchor['error']}", flush=True)
        else:
            print(anchor["log"].rstrip(), flush=True)
    return rows, anchor


# dcmha_torch.py's row names: the DCMHA variants (the fastest is compared),
# the plain causal MHA variants, the dynamic-weight projection alone.
DCMHA_ANCHOR_DCMHA = ("DCMHA broadcast", "DCMHA merged-W einsum")
DCMHA_ANCHOR_PLAIN = ("plain MHA (causal)", "plain MHA tuned baddbmm")
DCMHA_ANCHOR_WEIGHTS = "dyn-weight proj only"


def dcmha_table(rows, anchor):
    """Ours (attn.dcmha and attn.attention, causal) next to dcmha_torch.py at
    each L, and the peak-RSS rows."""
    by_l = {}
    for r in rows:
        if not r["case"].memory:
            by_l.setdefault(r["case"].L, {})[r["case"].op] = r
    head = ("| (B,H,L,D) causal, C=2 | ours attn.dcmha ms (median) | ours best ms | GF/s "
            "(attention + compose) | ours attn.attention ms | dcmha / attention (ours) | "
            "PyTorch DCMHA best ms (variant) | PyTorch DCMHA - weights ms | "
            "PyTorch plain MHA best ms | DCMHA / plain (PyTorch) | anchor/ours | "
            "peak RSS MB (ours dcmha) | PyTorch DCMHA peak extra MB | compile s |")
    ncol = head.count("|") - 1
    lines = [head, "|" + "|".join(["---"] * ncol) + "|"]
    arows = (anchor or {}).get("rows", {})
    for L in sorted(by_l):
        d, m = by_l[L].get("dcmha"), by_l[L].get("attention")
        c = (d or m)["case"]
        cells = [f"{c.label}"]
        od = d["ours"] if d else {"error": ["not run"]}
        om = m["ours"] if m else {"error": ["not run"]}
        if "error" in od:
            cells += [f"FAILED: {' '.join(od['error'])}", "", ""]
        else:
            cells += [f"{od['median_ms']:.2f}", f"{od['min_ms']:.2f}",
                      f"{d['case'].flops() / (od['median_ms'] * 1e6):.1f}"]
        cells.append(f"FAILED: {' '.join(om['error'])}" if "error" in om
                     else f"{om['median_ms']:.2f}")
        cells.append(f"{od['median_ms'] / om['median_ms']:.2f}x"
                     if "error" not in od and "error" not in om else "n/a")
        t = arows.get(L)
        if t and any(v in t for v in DCMHA_ANCHOR_DCMHA):
            best = min((v for v in DCMHA_ANCHOR_DCMHA if v in t), key=lambda v: t[v]["ms"])
            plain = min((t[v]["ms"] for v in DCMHA_ANCHOR_PLAIN if v in t), default=None)
            wts = t.get(DCMHA_ANCHOR_WEIGHTS, {}).get("ms")
            cells += [f"{t[best]['ms']:.1f} ({best})",
                      f"{t[best]['ms'] - wts:.1f}" if wts is not None else "n/a",
                      f"{plain:.1f}" if plain else "n/a",
                      f"{t[best]['ms'] / plain:.2f}x" if plain else "n/a",
                      f"{t[best]['ms'] / od['median_ms']:.2f}x" if "error" not in od else "n/a"]
            pm = t[best].get("peak_mb")
            peak_extra = f"{pm:.0f}" if isinstance(pm, (int, float)) and pm == pm else "n/a"
        else:
            why = ("skipped: the anchor measures L = 1024, 2048" if L not in
                   DCMHA_ANCHOR_LENGTHS else (anchor or {}).get("error", "not run"))
            cells += [why, "n/a", "n/a", "n/a", "n/a"]
            peak_extra = "n/a"
        cells += [f"{od['rss_mb']:.0f}" if "error" not in od else "n/a", peak_extra,
                  (f"{od['compile_s']:.2f}" + ("" if od["compile_how"] == "attn-compile"
                                               else " (est.)")) if "error" not in od else "n/a"]
        lines.append("| " + " | ".join(cells) + " |")
    mem = [r for r in rows if r["case"].memory]
    if mem:
        lines += ["", "| (B,H,L,D) causal, C=2 | ours attn.dcmha ms (1 call) | peak RSS MB | "
                  "inputs + output MB | one [B,H,L,L] f32 score tensor GiB |",
                  "|---|---|---|---|---|"]
        for r in mem:
            c, o = r["case"], r["ours"]
            io_mb = 4 * (4 * c.B * c.H * c.L * c.D + 2 * c.B * c.L * c.H * (4 * c.C + 2)) / 2**20
            lines.append(f"| {c.label} | " + (
                f"FAILED: {' '.join(o['error'])} | n/a" if "error" in o else
                f"{o['median_ms']:.0f} | {o['rss_mb']:.0f}") +
                f" | {io_mb:.0f} | {c.score_bytes() / 2**30:.1f} |")
    return "\n".join(lines) if len(lines) > 2 else ""


# --- helpers ---------------------------------------------------------------------


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def machine_info():
    info = {"model": platform.processor() or "?", "cpus": os.cpu_count()}
    try:
        out = sh(["lscpu"])
        for line in out.splitlines():
            k, _, v = line.partition(":")
            v = v.strip()
            if k == "Model name":
                info["model"] = v
            elif k == "CPU(s)":
                info["cpus"] = int(v)
            elif k == "Core(s) per socket":
                info["cores_per_socket"] = v
            elif k == "Thread(s) per core":
                info["threads_per_core"] = v
            elif k == "Hypervisor vendor":
                info["hypervisor"] = v
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        mem = open("/proc/meminfo").readline().split()
        info["mem_gb"] = int(mem[1]) / 2**20
    except OSError:
        pass
    return info


def has_avx512f():
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx512f" in line for line in f)
    except OSError:
        return True


# The widest FMA the machine has: peak_fma.c runs its zmm (AVX-512) loop
# first and unconditionally, which dies of SIGILL on CPUs without AVX-512
# (some EPYC VMs here); there it is built without its zmm calls.
PEAK_ISA = "zmm" if has_avx512f() else "ymm"


def peak_exe(workdir):
    """Builds anchors/peak_fma.c (a copy without the bench("zmm", ...) calls
    when the CPU has no AVX-512F) and returns the executable."""
    src = os.path.join(ANCHORS, "peak_fma.c")
    exe = os.path.join(workdir, "peak_fma" if PEAK_ISA == "zmm" else "peak_fma_ymm")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        build_src = src
        if PEAK_ISA != "zmm":
            with open(src) as f:
                text = re.sub(r'\n\s*bench\("zmm", 512, \w+\);', "", f.read())
            build_src = os.path.join(workdir, "peak_fma_ymm.c")
            with open(build_src, "w") as f:
                f.write(text)
        sh(["gcc", "-O3", "-march=native", "-fopenmp", build_src, "-o", exe])
    return exe


def measure_peak(workdir, threads):
    """Compile and run peak_fma.c; {(isa, threads): GF/s}."""
    out = sh([peak_exe(workdir), str(threads)])
    peaks = {}
    for m in re.finditer(r"^(\w+)\s+threads=(\d+)\s+best [\d.]+ s\s+([\d.]+) GFLOP/s", out, re.M):
        peaks[(m.group(1), int(m.group(2)))] = float(m.group(3))
    return peaks, out


def local_peak(workdir, threads):
    """The {threads}-thread zmm (without AVX-512: ymm) FMA peak right now:
    peak_fma.c (built by measure_peak) is stopped once it has printed that
    line (it measures the 1-thread figures first; about 6 s in all)."""
    p = subprocess.Popen(["stdbuf", "-oL", peak_exe(workdir), str(threads)],
                         stdout=subprocess.PIPE, text=True)
    gf = None
    for line in p.stdout:
        m = re.match(PEAK_ISA + r"\s+threads=(\d+)\s+best [\d.]+ s\s+([\d.]+) GFLOP/s", line)
        if m and int(m.group(1)) == threads:
            gf = float(m.group(2))
            break
    p.kill()
    p.wait()
    return gf


STREAM_RE = re.compile(r"STREAM threads=(\d+)\s+array=(\d+) MB\s+copy\s+([\d.]+) GB/s\s+"
                       r"triad\s+([\d.]+) GB/s")


def measure_stream(workdir, threads):
    """STREAM triad GB/s at `threads` threads: anchors/stream_triad.c (gcc -O3
    -march=native -fopenmp, OMP_NUM_THREADS=threads), stopped once it has
    printed its STREAM lines (the row-gather tests after them take longer).
    It runs 1 thread and omp_get_num_procs() threads, so on a machine with
    more CPUs than `threads` it is pinned (taskset) to `threads` of them.
    Returns {"triad": GB/s, "copy": GB/s, "threads": n, "line": text} or None."""
    src = os.path.join(ANCHORS, "stream_triad.c")
    exe = os.path.join(workdir, "stream_triad")
    if not os.path.exists(src):
        return None
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        sh(["gcc", "-O3", "-march=native", "-fopenmp", src, "-o", exe])
    cmd = ["stdbuf", "-oL", exe]
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > threads:
        cmd = ["taskset", "-c", ",".join(str(c) for c in cpus[:threads])] + cmd
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    found = []
    for line in p.stdout:
        m = STREAM_RE.search(line)
        if m:
            found.append({"threads": int(m.group(1)), "copy": float(m.group(3)),
                          "triad": float(m.group(4)), "line": line.strip()})
            if found[-1]["threads"] == threads:
                break
        elif line.startswith("GATHER"):
            break
    p.kill()
    p.wait()
    exact = [f for f in found if f["threads"] == threads]
    return exact[0] if exact else (found[-1] if found else None)


def local_measure(case, workdir, threads):
    """The machine's limit right before a row's timed calls: the FMA peak for
    compute-bound rows, STREAM triad GB/s for decode rows."""
    if case.decode:
        st = measure_stream(workdir, threads)
        return "local_triad", (st["triad"] if st else None)
    return "local_peak", local_peak(workdir, threads)


def run_child(cmd, env=None):
    """Runs cmd with os.wait4 so that the child's own peak RSS is known."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        return p.returncode, fo.read(), fe.read(), wall, ru.ru_maxrss  # KiB on Linux


# --- our side ------------------------------------------------------------------


def write_inputs(case, workdir):
    import numpy as np
    d = os.path.join(workdir, case.key())
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "model.mlir")
    with open(model, "w") as f:
        f.write(case.mlir())
    rng = np.random.default_rng(0)
    paths = []
    for name, heads in (("q", case.H), ("k", case.Hkv), ("v", case.Hkv)):
        p = os.path.join(d, f"{name}.npy")
        shape = (case.B, heads, case.Lq if name == "q" else case.Lk, case.D)
        if not os.path.exists(p) or np.load(p, mmap_mode="r").shape != shape:
            np.save(p, rng.standard_normal(shape, dtype=np.float32))
        paths.append(p)
    return model, paths


def run_ours(case, attn_run, attn_compile, workdir, threads, reps, with_local,
             backend="cpu"):
    model, inputs = (case.write_inputs(workdir) if hasattr(case, "write_inputs")
                     else write_inputs(case, workdir))
    # Decode rows: split-K chosen by attn-run (0 = automatic, also the default).
    extra = ["--split-keys=0"] if case.decode else []
    cmd = [attn_run, model, "--function=main", f"--num-threads={threads}",
           f"--benchmark={reps}"] + extra + [f"--input=@{p}" for p in inputs]
    if backend != "cpu":
        # --backend=reference: a smoke test of the script's paths (the float64
        # evaluator's times mean nothing).
        cmd.append(f"--backend={backend}")
    # The FMA peak (decode: STREAM triad) just before the timed calls, for
    # "% local peak" ("% local triad").
    local_key, local_now = (local_measure(case, workdir, threads) if with_local
                            else ("local_triad" if case.decode else "local_peak", None))
    # The anchor's malloc settings (no mmap per allocation, no trimming) for
    # attn-run too: without them each call's 32 MiB output (the D = 128 rows)
    # is a fresh mmap, and the call pays its first-touch page faults.
    rc, out, err, wall, rss_kb = run_child(cmd, env=dict(os.environ, **TUNED_MALLOC))
    if rc != 0:
        # The diagnostic's own line (an MLIR error ends with the source line
        # and a caret), else the last line.
        lines = (err or out).strip().splitlines()
        msg = [x for x in lines if "error:" in x][-1:] or lines[-1:]
        return {"error": [m.strip() for m in msg] or [f"exit {rc}"]}
    vals = {k: float(v) for k, v in re.findall(r"^\s+(min|median|max)\s+([\d.]+) ms", out, re.M)}
    fl = re.search(r"; ([\d.e+]+) FLOP per call", out)
    res = dict(min_ms=vals["min"], median_ms=vals["median"], max_ms=vals["max"],
               rss_mb=rss_kb / 1024.0, wall_s=wall, reps=reps,
               attn_run_flops=float(fl.group(1)) if fl else None,
               cmd=" ".join(shlex.quote(c) for c in cmd))
    res[local_key] = local_now
    # attn-run makes 1 call (the result summary), 1 warm-up and `reps` timed
    # calls; everything else in the process's wall time is start-up, reading
    # the .npy inputs and the JIT compile (parse to callable).
    res["compile_est_s"] = max(0.0, wall - (reps + 2) * vals["median"] / 1e3)
    res["compile_s"], res["compile_how"] = res["compile_est_s"], "estimate"
    if attn_compile:
        # The same parse, pipeline, LLVM -O3 and code generation as the JIT,
        # ahead of time to an object file: parse-to-callable minus the JIT's
        # in-memory link, for exactly this module.
        obj = os.path.join(os.path.dirname(model), "model.o")
        ccmd = [attn_compile, model, "--emit=obj", "-o", obj,
                f"--num-threads={threads}"] + extra
        t0 = time.perf_counter()
        r = subprocess.run(ccmd, capture_output=True, text=True)
        if r.returncode == 0:
            res["compile_s"], res["compile_how"] = time.perf_counter() - t0, "attn-compile"
    return res


# --- the PyTorch worker --------------------------------------------------------


def torch_worker(threads, max_wait):
    """Reads one JSON case per line on stdin, answers {variant: best ms}."""
    sys.path.insert(0, ANCHORS)
    import common
    import sdpa_torch as st
    import torch

    common.wait_quiet = functools.partial(common.wait_quiet, max_wait=max_wait)
    nt = common.setup_threads(threads)
    torch.manual_seed(0)
    print(json.dumps({"torch": torch.__version__, "threads": nt,
                      "tuned_malloc": common.tuned_malloc()}), flush=True)
    dt = torch.float32
    for line in sys.stdin:
        c = json.loads(line)
        if c["anchor"] == "msda":
            print(json.dumps(msda_anchor(c)), flush=True)
            continue
        B, H, Hkv, L, D, reps = c["B"], c["H"], c["Hkv"], c["Lk"], c["D"], c["reps"]
        Lq = c["Lq"]
        res = {}
        with torch.inference_mode():
            q = torch.randn(B, H, Lq, D, dtype=dt)
            k, v = (torch.randn(B, Hkv, L, D, dtype=dt) for _ in range(2))
            if c["anchor"] == "sdpa":
                mask = st.causal_mask(L, dt)[0] if c["causal"] else None
                fns = [("naive", lambda: st.naive(q, k, v, mask)),
                       ("tuned(baddbmm)", lambda: st.tuned(q, k, v, mask)),
                       ("F._sdpa(1.13)", lambda: st.sdpa_private(q, k, v, None, c["causal"]))]
            elif c["anchor"] == "gqa":
                mask = st.causal_mask(L, dt)[0] if c["causal"] else None
                fns = [("GQA repeat+naive", lambda: st.gqa_repeat(q, k, v, mask, st.naive)),
                       ("GQA repeat+tuned", lambda: st.gqa_repeat(q, k, v, mask, st.tuned)),
                       ("GQA grouped view", lambda: st.gqa_grouped(q, k, v, mask))]
            elif c["anchor"] == "decode":
                # Lq < Lk, causal bottom-right aligned (query i sees keys
                # j <= i + Lk - Lq); with Lq = 1 nothing is masked, so the
                # non-causal calls do the same work. torch 1.13 has no GQA
                # in its SDPA: repeat_interleave K/V (a copy per call, what
                # a 1.13 user writes) or view the G query heads of one KV
                # head as G query rows (no copy).
                mask = keep = None
                if c["causal"] and Lq > 1:
                    keep = (torch.arange(L).view(1, L)
                            <= torch.arange(Lq).view(Lq, 1) + (L - Lq))
                    mask = torch.zeros(Lq, L, dtype=dt).masked_fill_(~keep, float("-inf"))
                if Hkv != H:
                    def sdpa_m(q_, k_, v_, m_):
                        return st.sdpa_private(q_, k_, v_, keep, False)
                    fns = [("GQA repeat+naive", lambda: st.gqa_repeat(q, k, v, mask, st.naive)),
                           ("GQA repeat+F._sdpa", lambda: st.gqa_repeat(q, k, v, mask, sdpa_m)),
                           ("GQA grouped view", lambda: st.gqa_grouped(q, k, v, mask))]
                else:
                    fns = [("naive", lambda: st.naive(q, k, v, mask)),
                           ("tuned(baddbmm)", lambda: st.tuned(q, k, v, mask)),
                           ("F._sdpa(1.13)", lambda: st.sdpa_private(q, k, v, keep, False))]
            else:  # swa: sdpa_torch.py's window W = left + 1
                mask, keep = st.causal_mask(L, dt, window=c["window"][0] + 1)
                fns = [("SWA naive(mask)", lambda: st.naive(q, k, v, mask)),
                       ("SWA tuned(mask)", lambda: st.tuned(q, k, v, mask)),
                       ("SWA F._sdpa(bool)", lambda: st.sdpa_private(q, k, v, keep, False))]
            busy = []
            for name, fn in fns:
                res[name] = common.bench(fn, reps) * 1e3
                busy.append(common.LAST_BUSY[0])
        print(json.dumps({"ms": res, "busy": max(busy)}), flush=True)


def msda_anchor(c):
    """In the worker: anchors/msda_torch.py's msda_reference on its own
    make_inputs(N, Lq), in f32 (PyTorch 1.13's CPU grid_sample has no half
    kernel)."""
    import common
    import msda_torch
    import torch
    value, loc, aw = msda_torch.make_inputs(c["N"], c["Lq"], c["M"], c["D"], c["P"])
    with torch.inference_mode():
        ms = common.bench(lambda: msda_torch.msda_reference(value, msda_torch.SPATIAL, loc, aw),
                          c["reps"]) * 1e3
    return {"ms": {"msda_reference (f32)": ms}, "busy": common.LAST_BUSY[0]}


class Torch:
    def __init__(self, threads, max_wait):
        env = dict(os.environ, **TUNED_MALLOC, OMP_NUM_THREADS=str(threads))
        self.p = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--torch-worker",
             f"--threads={threads}", f"--max-wait={max_wait}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.info = json.loads(self.p.stdout.readline())

    def run(self, case, reps):
        self.p.stdin.write(json.dumps(dict(
            B=case.B, H=case.H, Hkv=case.Hkv, Lq=case.Lq, Lk=case.Lk, D=case.D,
            causal=case.causal,
            window=case.window, anchor=case.anchor, reps=reps)) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("the PyTorch worker died")
        return json.loads(line)

    def run_msda(self, case, reps):
        self.p.stdin.write(json.dumps(dict(anchor="msda", N=case.N, Lq=case.Lq, M=case.M,
                                           D=case.D, P=case.P, reps=reps)) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("the PyTorch worker died")
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait()


# --- PyTorch 2.x (CPU flash attention) in its chroot, for the decode rows ---------


TORCH2_RUN = os.path.join(ANCHORS, "torch2", "run.sh")


def torch2_missing():
    """None when the PyTorch 2.x chroot of anchors/torch2/setup.sh is usable,
    else why not."""
    root = os.environ.get("ATTN_TORCH2_ROOT",
                          os.path.expanduser("~/.cache/attn-torch2"))
    if not os.path.exists(TORCH2_RUN):
        return f"{TORCH2_RUN} not found"
    if not os.access(os.path.join(root, "usr", "bin", "python3"), os.X_OK):
        return f"no chroot at {root} (anchors/torch2/setup.sh builds it)"
    if not os.path.isdir(os.path.join(root, "usr", "lib", "python3", "dist-packages", "torch")):
        return f"the chroot at {root} has no torch yet (setup.sh unfinished?)"
    return None


def run_torch2(case, threads, reps, max_wait):
    """bench/decode_torch2.py through anchors/torch2/run.sh: its JSON result
    plus "torch" and "busy", or {"error": ...}."""
    import common
    busy = common.wait_quiet(max_wait=max_wait)
    cmd = ["sh", TORCH2_RUN, os.path.join(REPO, "bench", "decode_torch2.py"), "--shape",
           *(str(x) for x in (case.B, case.H, case.Hkv, case.Lq, case.Lk, case.D)),
           f"--threads={threads}", f"--reps={reps}"] + (["--causal"] if case.causal else [])
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                           env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 900 s"}
    res = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    if r.returncode != 0 or len(res) < 2:
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        return {"error": tail[0]}
    return dict(res[-1], torch=res[0]["torch"], busy=busy)


# --- report --------------------------------------------------------------------


def table(rows, peak):
    head = ("| case | (B,H[/Hkv],L,D) | mask | ours ms (median) | GF/s | % peak | "
            "% local peak | "
            "ours best ms | % peak (best) | "
            "PyTorch best ms (variant) | anchor/ours | peak RSS MB | compile s | "
            "others' CPU % |")
    sep = "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"
    if all(r["case"].decode for r in rows):
        return ""
    lines = [head, sep]
    for r in rows:
        c, o, t = r["case"], r["ours"], r.get("torch")
        if c.decode:
            continue
        if "error" in o:
            lines.append(f"| {c.name} | {c.label} | {c.mask_label} | FAILED: "
                         f"{' '.join(o['error'])} | | | | | | | | | | |")
            continue
        gf = c.flops() / (o["median_ms"] * 1e6)
        gf_best = c.flops() / (o["min_ms"] * 1e6)
        if t:
            best = min(t["ms"], key=t["ms"].get)
            tcol = f"{t['ms'][best]:.1f} ({best})"
            ratio = f"{t['ms'][best] / o['median_ms']:.2f}x"
        else:
            tcol, ratio = r.get("anchor_skipped", "n/a"), "n/a"
        busy = max(r["busy"], t["busy"] if t else 0.0)
        lp = o.get("local_peak")
        lcol = f"{100 * gf / lp:.1f} ({lp:.0f})" if lp else "n/a"
        lines.append(
            f"| {c.name} | {c.label} | {c.mask_label} | {o['median_ms']:.2f} | {gf:.1f} | "
            f"{100 * gf / peak:.1f} | {lcol} | {o['min_ms']:.2f} | {100 * gf_best / peak:.1f} | "
            f"{tcol} | {ratio} | {o['rss_mb']:.0f} | "
            f"{o['compile_s']:.2f}{'' if o['compile_how'] == 'attn-compile' else ' (est.)'} | "
            f"{100 * busy:.0f} |")
    return "\n".join(lines)


def decode_table(rows, triad):
    """The decode rows (Lq < Lk): bandwidth-bound, so K/V GB/s (K and V read
    once per call) against the STREAM triad of the same run."""
    head = ("| case | (B,Hq/Hkv,Lq,Lk,D) | mask | ours ms (median) | K/V GB/s | % triad | "
            "% local triad | ours best ms | K/V GB/s (best) | GF/s | "
            "PyTorch 1.13 best ms (variant) | anchor/ours | PyTorch 2.x flash best ms | "
            "flash/ours | peak RSS MB | compile s | others' CPU % |")
    ncol = head.count("|") - 1
    lines = [head, "|" + "|".join(["---"] * ncol) + "|"]
    for r in rows:
        c, o, t = r["case"], r["ours"], r.get("torch")
        if not c.decode:
            continue
        if "error" in o:
            lines.append(f"| {c.name} | {c.label} | {c.mask_label} | FAILED: "
                         f"{' '.join(o['error'])} |" + " |" * (ncol - 4))
            continue
        gbs = c.kv_bytes() / (o["median_ms"] * 1e6)
        gbs_best = c.kv_bytes() / (o["min_ms"] * 1e6)
        if t:
            best = min(t["ms"], key=t["ms"].get)
            tcol = f"{t['ms'][best]:.2f} ({best})"
            ratio = f"{t['ms'][best] / o['median_ms']:.2f}x"
        else:
            tcol, ratio = r.get("anchor_skipped", "n/a"), "n/a"
        t2 = r.get("torch2")
        if t2 and "error" not in t2:
            t2col = f"{t2['min_ms']:.2f}" + ("" if t2["backend"] == "flash" else " (not flash)")
            ratio2 = f"{t2['min_ms'] / o['median_ms']:.2f}x"
        else:
            t2col, ratio2 = (f"failed: {t2['error']}" if t2 else
                             r.get("torch2_skipped", "n/a")), "n/a"
        lt = o.get("local_triad")
        busy = max(r["busy"], t["busy"] if t else 0.0,
                   t2["busy"] if t2 and "busy" in t2 else 0.0)
        lines.append(
            f"| {c.name} | {c.label} | {c.mask_label} | {o['median_ms']:.2f} | {gbs:.1f} | "
            f"{f'{100 * gbs / triad:.0f}' if triad else 'n/a'} | "
            f"{f'{100 * gbs / lt:.0f} ({lt:.1f})' if lt else 'n/a'} | "
            f"{o['min_ms']:.2f} | {gbs_best:.1f} | {c.flops() / (o['median_ms'] * 1e6):.1f} | "
            f"{tcol} | {ratio} | {t2col} | {ratio2} | {o['rss_mb']:.0f} | "
            f"{o['compile_s']:.2f}{'' if o['compile_how'] == 'attn-compile' else ' (est.)'} | "
            f"{100 * busy:.0f} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def msda_table(rows):
    """The MSDA rows: time, samples/s and gathered GB/s, next to the PyTorch
    anchor (f32)."""
    head = ("| case | (N,Lq,M,D) | dtype | ours ms (median) | Msamples/s | gathered GB/s | "
            "ours best ms | gathered GB/s (best) | PyTorch 1.13 best ms (variant) | "
            "anchor/ours | peak RSS MB | compile s | others' CPU % |")
    ncol = head.count("|") - 1
    lines = [head, "|" + "|".join(["---"] * ncol) + "|"]
    for r in rows:
        c, o, t = r["case"], r["ours"], r.get("torch")
        if "error" in o:
            lines.append(f"| {c.name} | {c.label} | {c.dtype} | FAILED: "
                         f"{' '.join(o['error'])} |" + " |" * (ncol - 4))
            continue
        if t:
            best = min(t["ms"], key=t["ms"].get)
            tcol = f"{t['ms'][best]:.2f} ({best})"
            ratio = f"{t['ms'][best] / o['median_ms']:.2f}x"
        else:
            tcol, ratio = "n/a", "n/a"
        busy = max(r["busy"], t["busy"] if t else 0.0)
        lines.append(
            f"| {c.name} | {c.label} | {c.dtype} | {o['median_ms']:.2f} | "
            f"{c.samples() / (o['median_ms'] * 1e3):.1f} | "
            f"{c.gathered_bytes() / (o['median_ms'] * 1e6):.1f} | {o['min_ms']:.2f} | "
            f"{c.gathered_bytes() / (o['min_ms'] * 1e6):.1f} | {tcol} | {ratio} | "
            f"{o['rss_mb']:.0f} | "
            f"{o['compile_s']:.2f}{'' if o['compile_how'] == 'attn-compile' else ' (est.)'} | "
            f"{100 * busy:.0f} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def run_msda_rows(cases_todo, a, attn_run, attn_compile, workdir, torch_w, common):
    """Our MSDA rows (one round) and the PyTorch anchor right after each; the
    anchor is timed once per (N, Lq) and shared by the f32 and f16 rows."""
    rows, anchor_ms = [], {}
    for c in cases_todo:
        reps = a.reps or c.reps or default_reps(c.flops())
        busy = common.wait_quiet(max_wait=a.max_wait)
        ours = run_ours(c, attn_run, attn_compile, workdir, a.threads, reps, False)
        row = {"case": c, "ours": ours, "busy": busy}
        if torch_w:
            key = (c.N, c.Lq)
            if key not in anchor_ms:
                anchor_ms[key] = torch_w.run_msda(c, max(2, min(reps, 3 if a.quick else 7)))
            row["torch"] = anchor_ms[key]
        rows.append(row)
        if "error" in ours:
            print(f"{c.name:12s} {c.label:20s} {c.dtype:4s} FAILED: {ours['error']}", flush=True)
            continue
        t = row.get("torch")
        tb = f"torch best {min(t['ms'].values()):9.2f} ms" if t else "torch n/a"
        ms = ours["median_ms"]
        print(f"{c.name:12s} {c.label:20s} {c.dtype:4s} {ms:9.2f} ms "
              f"{c.samples() / (ms * 1e3):7.1f} Msamples/s "
              f"{c.gathered_bytes() / (ms * 1e6):6.1f} GB/s gathered  {tb}  "
              f"rss {ours['rss_mb']:6.0f} MB  compile {ours['compile_s']:.2f} s  "
              f"busy {100 * busy:.0f}%", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="a subset (MHA at L <= 2048, the sliding window, the memory row causal, "
                         "the GQA 32/8 decode row; fewer anchor repetitions, one peak "
                         "measurement): about 2 minutes")
    ap.add_argument("--out", help="write the report (markdown) to this file")
    ap.add_argument("--build-dir",
                    default=os.environ.get("ATTN_BUILD_DIR", os.path.join(REPO, "build")))
    ap.add_argument("--workdir", help="models, inputs and peak_fma (default <build-dir>/bench)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=None,
                    help="times each of our rows is measured, minutes apart; the round with "
                         "the lowest median is kept (default 2, 1 with --quick)")
    ap.add_argument("--max-wait", type=float,
                    help="seconds to wait for other processes to go quiet before each timing "
                         "(default 5, 2 with --quick)")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch anchor")
    ap.add_argument("--no-torch2", action="store_true",
                    help="skip the PyTorch 2.x flash anchor of the decode rows")
    ap.add_argument("--only", metavar="REGEX",
                    help="only the rows whose 'case (B,H,..,D) mask' matches (smoke tests); "
                         "MSDA rows read 'MSDA encoder|decoder (N,Lq,M,D) f32|f16'")
    ap.add_argument("--reps", type=int,
                    help="timed attn-run calls per row (default: by the row's FLOP)")
    ap.add_argument("--json", help="also write the raw results as JSON")
    ap.add_argument("--no-msda", action="store_true",
                    help="skip the multi-scale deformable attention (MSDA) rows")
    ap.add_argument("--no-dcmha", action="store_true",
                    help="skip the DCMHA rows (attn.dcmha against attn.attention and "
                         "anchors/dcmha_torch.py)")
    ap.add_argument("--dcmha-lengths", metavar="L,L,...",
                    help="sequence lengths of the DCMHA rows (default 1024,2048, the "
                         "anchor's; none with --quick)")
    ap.add_argument("--dcmha-memory", action="store_true",
                    help="add the DCMHA peak-RSS rows (attn.dcmha at --dcmha-memory-lengths, "
                         "one timed call each; slow)")
    ap.add_argument("--dcmha-memory-lengths", metavar="L,L,...", default="8192,16384",
                    help="sequence lengths of the DCMHA peak-RSS rows (default 8192,16384)")
    ap.add_argument("--backend", default="cpu", choices=["cpu", "reference"],
                    help="attn-run backend of our rows (reference: a smoke test of this "
                         "script with small shapes; its times mean nothing)")
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--msda-inputs", help=argparse.SUPPRESS)
    a = ap.parse_args()
    lengths = a.dcmha_lengths if a.dcmha_lengths is not None else ("" if a.quick else "1024,2048")
    a.dcmha_lengths = [int(x) for x in lengths.split(",") if x]
    a.dcmha_memory_lengths = [int(x) for x in a.dcmha_memory_lengths.split(",") if x]
    if a.msda_inputs:
        return write_msda_inputs(a.msda_inputs)
    if a.rounds is None:
        a.rounds = 1 if a.quick else 2
    if a.max_wait is None:
        a.max_wait = 2.0 if a.quick else 5.0
    if a.torch_worker:
        return torch_worker(a.threads, a.max_wait)

    sys.path.insert(0, ANCHORS)
    import common  # timing helpers of the anchors (no torch import)

    t_start = time.time()
    attn_run = os.path.join(a.build_dir, "bin", "attn-run")
    if not os.access(attn_run, os.X_OK):
        sys.exit(f"run_bench.py: {attn_run} not found; build it "
                 f"(ninja -C {a.build_dir} attn-run) or pass --build-dir")
    attn_compile = os.path.join(a.build_dir, "bin", "attn-compile")
    if not os.access(attn_compile, os.X_OK):
        print(f"note: {attn_compile} not found: the compile time is estimated from "
              "attn-run's wall time (ninja attn-compile for a measured one)", flush=True)
        attn_compile = None
    workdir = a.workdir or os.path.join(a.build_dir, "bench")
    os.makedirs(workdir, exist_ok=True)
    info = machine_info()
    print(f"machine: {info.get('model')}, {info.get('cpus')} CPUs; attn-run: {attn_run}",
          flush=True)

    peaks, peak_out = measure_peak(workdir, a.threads)
    print(peak_out.rstrip(), flush=True)
    peak = max(v for (isa, n), v in peaks.items() if n == a.threads)  # for progress lines
    rows_todo = cases(a.quick)
    msda_todo = [] if a.no_msda else msda_cases(a.quick)
    dcmha_todo = dcmha_cases(a)
    if a.only:
        rows_todo = [c for c in rows_todo
                     if re.search(a.only, f"{c.name} {c.label} {c.mask_label}")]
        msda_todo = [c for c in msda_todo
                     if re.search(a.only, f"{c.name} {c.label} {c.mask_label}")]
        dcmha_todo = [c for c in dcmha_todo
                      if re.search(a.only, f"{c.name} {c.label} {c.mask_label}")]
        print(f"--only {a.only!r}: {len(rows_todo) + len(msda_todo) + len(dcmha_todo)} "
              f"row(s)", flush=True)
    # STREAM triad, the limit of the decode rows (bandwidth-bound), when there are any.
    streams = []
    if any(c.decode for c in rows_todo):
        st = measure_stream(workdir, a.threads)
        print(st["line"] if st else "STREAM: stream_triad.c gave no result", flush=True)
        if st:
            streams.append(st)

    # The worker serves the attention and MSDA rows (the DCMHA anchor runs as
    # its own child process).
    torch_w = None if a.no_torch or not (rows_todo or msda_todo) else Torch(a.threads, a.max_wait)
    if torch_w:
        print(f"PyTorch anchor: torch {torch_w.info['torch']}, threads "
              f"{torch_w.info['threads']}, tuned malloc {torch_w.info['tuned_malloc']}",
              flush=True)
    torch2_note = None
    if any(c.decode for c in rows_todo):
        torch2_note = "not run (--no-torch2)" if a.no_torch2 else torch2_missing()
        if torch2_note:
            print(f"PyTorch 2.x flash anchor skipped: {torch2_note}", flush=True)
    torch2_info = {}
    rows = []
    for c in rows_todo:
        reps = a.reps or c.reps or default_reps(c.flops())
        busy = common.wait_quiet(max_wait=a.max_wait)
        ours = run_ours(c, attn_run, attn_compile, workdir, a.threads, reps, not a.quick,
                        backend=a.backend)
        row = {"case": c, "ours": ours, "busy": busy}
        if torch_w and c.anchor:
            if c.anchor_bytes() > ANCHOR_MAX_BYTES:
                row["anchor_skipped"] = (f"skipped: {c.anchor_bytes() / 2**30:.0f} GiB "
                                         "per score temporary")
            else:
                row["torch"] = torch_w.run(c, max(2, min(reps, 3 if a.quick else 7)))
        if c.decode:
            if torch2_note:
                row["torch2_skipped"] = "skipped"
            else:
                row["torch2"] = t2 = run_torch2(c, a.threads, max(3, min(reps, 10)), a.max_wait)
                if "error" in t2:
                    print(f"  PyTorch 2.x anchor failed: {t2['error']}", flush=True)
                else:
                    torch2_info["torch"] = t2["torch"]
                    if t2["backend"] != "flash":
                        print(f"  PyTorch 2.x: {t2['backend']}", flush=True)
        rows.append(row)
        if "error" in ours:
            print(f"{c.name:9s} {c.label:20s} {c.mask_label:16s} FAILED: {ours['error']}",
                  flush=True)
            continue
        if ours["attn_run_flops"] and abs(ours["attn_run_flops"] - c.flops()) > 1e-5 * c.flops():
            print(f"  note: attn-run counts {ours['attn_run_flops']:.6g} FLOP, "
                  f"we count {c.flops():.6g}", flush=True)
        gf = c.flops() / (ours["median_ms"] * 1e6)
        t = row.get("torch")
        tb = f"torch best {min(t['ms'].values()):9.2f} ms" if t else "torch n/a"
        t2 = row.get("torch2")
        if t2 and "error" not in t2:
            tb += f"  torch2 flash best {t2['min_ms']:8.2f} ms"
        if c.decode:
            gbs = c.kv_bytes() / (ours["median_ms"] * 1e6)
            triad, lt = (streams[0]["triad"] if streams else None), ours["local_triad"]
            perf = (f"{gbs:6.1f} GB/s {100 * gbs / triad if triad else 0:5.1f}%triad "
                    f"{100 * gbs / lt if lt else 0:5.1f}%local")
        else:
            perf = (f"{gf:6.1f} GF/s {100 * gf / peak:5.1f}%pk "
                    f"{100 * gf / ours['local_peak'] if ours['local_peak'] else 0:5.1f}%local")
        print(f"{c.name:9s} {c.label:20s} {c.mask_label:16s} {ours['median_ms']:9.2f} ms "
              f"{perf}  {tb}  rss {ours['rss_mb']:6.0f} MB  "
              f"compile {ours['compile_s']:.2f} s  busy {100 * busy:.0f}%", flush=True)
    msda_rows = run_msda_rows(msda_todo, a, attn_run, attn_compile, workdir, torch_w, common)
    if torch_w:
        torch_w.close()
    dcmha_rows, dcmha_anchor = run_dcmha_rows(dcmha_todo, a, attn_run, attn_compile, workdir,
                                              common)
    # Later rounds of our kernels, minutes after the first: this VM's speed
    # drifts by 30-40% over minutes (other tenants), so each row keeps the
    # round with the lowest median and its minimum; every round's median is
    # in the JSON and the report says how many rounds ran.
    for rnd in range(2, a.rounds + 1):
        for row in rows:
            c, first = row["case"], row["ours"]
            if "error" in first:
                continue
            common.wait_quiet(max_wait=a.max_wait)
            again = run_ours(c, attn_run, None, workdir, a.threads, first["reps"], not a.quick,
                             backend=a.backend)
            if "error" in again:
                continue
            lk = "local_triad" if c.decode else "local_peak"
            first.setdefault("round_medians_ms", [first["median_ms"]]).append(again["median_ms"])
            first.setdefault(f"round_{lk}s", [first[lk]]).append(again[lk])
            first["min_ms"] = min(first["min_ms"], again["min_ms"])
            if again["median_ms"] < first["median_ms"]:
                first["median_ms"], first["max_ms"] = again["median_ms"], again["max_ms"]
                first[lk] = again[lk]
            unit = "triad GB/s" if c.decode else "peak GF/s"
            print(f"round {rnd}: {c.name:9s} {c.label:20s} {c.mask_label:16s} "
                  f"{again['median_ms']:9.2f} ms, local {unit} {again[lk] or 0:.0f} "
                  f"(kept {first['median_ms']:.2f})", flush=True)
    # The FMA peak again at the end (not with --quick); the best of the two
    # is the machine's.
    if not a.quick:
        peaks2, peak_out = measure_peak(workdir, a.threads)
        print(peak_out.rstrip(), flush=True)
        peaks = {k: max(v, peaks2.get(k, 0.0)) for k, v in peaks.items()}
        if streams:
            st = measure_stream(workdir, a.threads)
            print(st["line"] if st else "STREAM: stream_triad.c gave no result", flush=True)
            if st:
                streams.append(st)
    peak = max(v for (isa, n), v in peaks.items() if n == a.threads)
    print(f"fp32 FMA peak at {a.threads} threads: {peak:.1f} GF/s",
          flush=True)
    triad = max(st["triad"] for st in streams) if streams else None
    if triad:
        print(f"STREAM triad at {streams[0]['threads']} threads: {triad:.1f} GB/s", flush=True)
    elapsed = time.time() - t_start
    tbl = table(rows, peak)
    dtbl = decode_table(rows, triad)
    mtbl = msda_table(msda_rows)
    dctbl = dcmha_table(dcmha_rows, dcmha_anchor)
    if tbl:
        print()
        print(tbl)
    if dtbl:
        print()
        print(dtbl)
    if mtbl:
        print()
        print(mtbl)
    if dctbl:
        print()
        print(dctbl)
    print(f"\ntotal {elapsed:.0f} s")

    if a.json:
        with open(a.json, "w") as f:
            json.dump([dict(r, case=vars(r["case"])) for r in rows + msda_rows + dcmha_rows]
                      + ([{"dcmha_anchor": dcmha_anchor}] if dcmha_anchor else []), f,
                      indent=1)
    if a.out:
        write_report(a, info, peaks, peak, torch_w, tbl, rows, elapsed, streams, dtbl,
                     torch2_note, torch2_info, mtbl, dctbl)
        print(f"wrote {a.out}")
    return 0


def write_report(a, info, peaks, peak, torch_w, tbl, rows, elapsed, streams, dtbl,
                 torch2_note, torch2_info, mtbl="", dctbl=""):
    cmd = " ".join(["/usr/bin/python3", os.path.relpath(os.path.abspath(sys.argv[0]), REPO)]
                   + [shlex.quote(x) for x in sys.argv[1:]])
    built = datetime.datetime.fromtimestamp(os.path.getmtime(
        os.path.join(a.build_dir, "bin", "attn-run"))).strftime("%Y-%m-%d %H:%M")
    git = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "lib", "include"],
                           capture_output=True, text=True).stdout.strip()
    peak_lines = "\n".join(f"  - {isa} x {n} thread(s): {v:.1f} GF/s"
                           for (isa, n), v in sorted(peaks.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    ref_peak = 478.7  # anchors/common.py: PEAK_FP32_GFLOPS[2], "one machine of this kind"
    low_peak = ""
    if a.threads == 2 and abs(peak / ref_peak - 1) > 0.2:
        low_peak = (f" anchors/common.py records {ref_peak} GF/s for another machine of this kind "
                    f"(and /work/shared/PLATFORM.md about 240): the peak differs between machines, "
                    f"which is why it is measured in the same run; against {ref_peak} GF/s the "
                    f"% peak column would be {peak / ref_peak:.2f}x as large.")
    mem = [r for r in rows if r["case"].memory and "error" not in r["ours"]]
    mem_note = ""
    if mem:
        m = mem[0]
        mc = m["case"]
        inputs_mb = 4 * mc.B * mc.Lk * mc.D * (mc.H + 2 * mc.Hkv) / 2**20
        mem_note = (f"- The memory row ({m['case'].label}, {m['case'].mask_label}) peaks at "
                    f"{m['ours']['rss_mb']:.0f} MB resident for the whole attn-run process "
                    f"(target: < 1 GB), of which {inputs_mb:.0f} MB are the q/k/v inputs and "
                    f"{inputs_mb / 3:.0f} MB the output; one head's [L, L] score matrix alone "
                    f"would be {4 * mc.Lk ** 2 / 2**30:.0f} GiB. It has no PyTorch anchor: "
                    f"the unfused anchor would need {mc.anchor_bytes() / 2**30:.0f} GiB per "
                    f"[H, L, L] temporary.\n")
    skipped = [r["case"] for r in rows if r.get("anchor_skipped") and not r["case"].memory]
    skip_note = "".join(
        f"- {c.name} {c.label} {c.mask_label}: no PyTorch anchor, its unfused [B*H, L, L] "
        f"score temporary alone would be {c.anchor_bytes() / 2**30:.1f} GiB (the anchor is "
        f"skipped above {ANCHOR_MAX_BYTES / 2**30:.0f} GiB).\n" for c in skipped)
    stream_lines = "".join(f"  - {st['line']}\n" for st in streams)
    stream_item = (f"""- STREAM triad (anchors/stream_triad.c, gcc -O3 -march=native -fopenmp,
  OMP_NUM_THREADS={a.threads}; {'measured at the start of the run' if a.quick else 'at the start and at the end'};
  the best triad figure, {max(st['triad'] for st in streams):.1f} GB/s, is the decode rows' "% triad"):
{stream_lines}""" if streams else "")
    decode_section = f"""
Decode rows (Lq < Lk: one new query per head against a long KV cache; f32, `attn.attention
{{causal}}`, bottom-right aligned, so the query sees all Lk keys; attn-run
`--split-keys=0` picks the key splits). They read K and V once per call and do little
arithmetic per byte, so they are measured against memory bandwidth:

{dtbl}

- **K/V GB/s**: 2 * B * Hkv * Lk * D * 4 bytes (K and V, f32) per call over the
  median time (best: over the fastest call). Q and the output are negligible.
- **% triad**: K/V GB/s over the STREAM triad above (best of the run). Triad counts
  3 x 8 B per element without write-allocate traffic; our calls only read, and reads
  stream a little faster than triad's mix, so 100% is not a hard ceiling.
- **% local triad**: against a STREAM triad measured right before that round's timed
  calls (in brackets, GB/s; not with `--quick`).
- **GF/s**: the usual FLOP count (4 * D per pair, B * Hq * Lk pairs), for reference.
- **PyTorch 1.13 best ms**: the unfused anchor, non-causal (with Lq = 1 the causal
  mask hides nothing): K/V expanded by `repeat_interleave` per call then naive or
  `F._scaled_dot_product_attention`, or the G query heads of a KV head viewed as G rows
  (`GQA grouped view`, no copy); best of max(2, min(N, {3 if a.quick else 7})) calls.
- **PyTorch 2.x flash best ms**: {('torch ' + torch2_info['torch'] + ' ') if torch2_info else ''}`F.scaled_dot_product_attention(q, k, v,
  is_causal=False, enable_gqa=True)` under `sdpa_kernel([SDPBackend.FLASH_ATTENTION])`
  (its fused CPU flash kernel), run by `bench/decode_torch2.py` in the chroot of
  `anchors/torch2/` (`run.sh`); best of max(3, min(N, 10)) calls after a warm-up
  ("(not flash)" if the flash kernel refused the case and the default dispatch ran).
  {('Not run: ' + torch2_note + '.') if torch2_note else ''}
""" if dtbl else ""
    msda_section = f"""
Multi-scale deformable attention rows (`attn.ms_deform_attn` at Deformable DETR's shapes:
4 levels 100x150, 50x75, 25x38, 13x19, S = 19947, M = 8 heads of D = 32, P = 4 points;
the encoder has Lq = S queries, the decoder Lq = 300), on the inputs of
`anchors/msda_torch.py`'s `make_inputs` (locations around a reference point per query,
softmax weights), one round:

{mtbl}

- **Msamples/s**: N * Lq * M * L * P bilinear samples per call over the median time.
- **gathered GB/s**: 4 corners * D * itemsize (4 B for f32, 2 B for f16) per sample over
  the median (best: the fastest call); the same count as msda_torch.py's "gathered"
  figure. Corners are reused between neighbouring points, so this is the work the kernel
  does, not the memory traffic.
- **PyTorch 1.13 best ms**: msda_torch.py's `msda_reference` (per-level
  `F.grid_sample` + weighted sum, Deformable DETR's `ms_deform_attn_core_pytorch`), f32,
  best of max(2, min(N, {3 if a.quick else 7})) calls after a warm-up, on the same inputs; timed once per
  (N, Lq) and shared by the f16 row (PyTorch 1.13's CPU `grid_sample` has no half kernel).
""" if mtbl else ""
    dcmha_section = f"""
DCMHA rows (DCFormer's dynamically composable multi-head attention at DCFormer++-405M's
attention shape, B = 1, H = 16, D = 64, causal): our `attn.dcmha` with `query_weights`,
`key_weights` (rank C = 2), `query_gate` and `key_gate` in both `pre(...)` and `post(...)`
(DCFormer++ has no static weights; the weights are inputs, drawn as DCFormer's
`DynamicWeightProjection` makes them), next to our `attn.attention {{causal}}` on the same
q, k, v and `anchors/dcmha_torch.py` (PyTorch 1.13, run as a child process with
`--json`); one round:

{dctbl}

- **GF/s (attention + compose)**: the attention count (4 * D per visible pair) plus both
  compositions, 2 * (4H * (Cq + Ck) + 2H * 2) FLOP per visible pair
  (`compose_flops` of utils/attn_reference.py, twice).
- **dcmha / attention (ours)**: the price of the compositions in our kernels.
- **PyTorch DCMHA best ms**: the faster of dcmha_torch.py's `DCMHA broadcast` (DCFormer's
  broadcast-multiply-sum form) and `DCMHA merged-W einsum`; they include the
  dynamic-weight projection from x and a static HxH composition (DCFormer's
  original form), which our op does not compute: **PyTorch DCMHA - weights** subtracts
  its `dyn-weight proj only` time. **DCMHA / plain (PyTorch)**: over its faster causal
  MHA (`plain MHA (causal)`, `plain MHA tuned baddbmm`). **anchor/ours**: PyTorch DCMHA
  best ms / our attn.dcmha median (> 1: we are faster).
- **peak RSS**: the attn-run process (os.wait4's ru_maxrss); **PyTorch DCMHA peak
  extra MB**: dcmha_torch.py's own peak-extra figure for that variant. The second table
  (with `--dcmha-memory`) times one call at long L: the unfused form would hold
  [B, H, L, L] f32 score tensors of the size shown.
""" if dctbl else ""
    text = f"""# Benchmarks

Measured by `bench/run_bench.py` ({'the `--quick` subset' if a.quick else 'the full set'};
see [bench/README.md](../bench/README.md)):

```sh
{cmd}
```

- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M %Z').strip()}; the run took {elapsed:.0f} s.
- Code: commit `{git}`, attn-run built {built}{' plus uncommitted changes under lib/ or include/ (the code generator was being tuned while this ran)' if dirty else ''}.
- Machine: {info.get('model')}, {info.get('cpus')} CPUs ({info.get('cores_per_socket', '?')} cores x {info.get('threads_per_core', '?')} thread(s)){', ' + info['hypervisor'] + ' guest' if info.get('hypervisor') else ''}, {info.get('mem_gb', 0):.0f} GB RAM.
- Threads: {a.threads} for both attn-run (`--num-threads={a.threads}`) and PyTorch; both
  run with the same malloc settings (`MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000`:
  repeated calls reuse their output memory instead of page-faulting a fresh mmap each time).
- fp32 FMA peak (anchors/peak_fma.c, gcc -O3 -march=native -fopenmp; {'measured at the start of the run' if a.quick else 'best of a run at the start and one at the end'}):
{peak_lines}

  "% peak" is relative to the best {a.threads}-thread figure, {peak:.1f} GF/s.{low_peak}
{stream_item}- PyTorch anchor: {('torch ' + torch_w.info['torch'] + ', ' + str(torch_w.info['threads']) + ' threads, tuned malloc (`MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1000000000000`)') if torch_w else 'not run (--no-torch)'}.

{tbl or '(no compute-bound rows in this run)'}

Columns:
- **ours ms**: median of N timed calls of `attn-run --benchmark=N` (after one warm-up;
  N = {f'{a.reps} (--reps)' if a.reps else '10 for < 5 GFLOP, 5 for < 20, 3 for < 100, else 1'}), f32, JIT-compiled for this CPU.
  Each row was measured in {a.rounds} round(s), the later ones after all anchors ran
  (minutes apart, as this VM's speed drifts); the table keeps the round with the lowest
  median (all rounds' medians are in the JSON).
- **GF/s**: 4 * D FLOP per visible (query, key) pair (2*D for q.k and 2*Dv for p.v, D = Dv)
  times B * Hq; masked pairs are not counted (causal: L(L+1)/2 pairs per head; window
  [511, 0]: min(i, 511) + 1 keys for query i). Softmax is not counted. The anchor's
  script uses the same convention (its causal count is L^2/2).
- **% local peak**: GF/s over the {a.threads}-thread zmm (without AVX-512: ymm) FMA peak measured by the same
  peak_fma.c immediately before that round's timed calls (in brackets, GF/s; not with
  `--quick`). The run's peak above is the best phase of the machine; this one is the
  phase our calls ran in (the VM's FMA throughput itself moves between about 200 and
  280 GF/s over minutes), so it separates the kernel from the machine's drift.
- **ours best ms**, **% peak (best)**: the fastest call of all rounds, and its GF/s
  as a % of the peak. The peak is itself a best-of figure, and this VM's speed moves by
  up to 30-40% within seconds (other tenants), so best against best is the like-for-like
  comparison of what the code can do; the median columns include the slow phases.
- **PyTorch best ms**: the fastest of the anchor's unfused variants for that case
  (`naive`, `tuned(baddbmm)`, `F._sdpa(1.13)`; for GQA `repeat+naive`, `repeat+tuned`,
  `grouped view`; for the window the three SWA variants, which mask the full L x L
  matrix), each the best of max(2, min(N, {3 if a.quick else 7})) calls after a warm-up, as `sdpa_torch.py`
  measures. The sliding-window case is the anchor's exactly: causal and `j > i - 512`,
  i.e. `window = array<i64: 511, 0>`.
- **anchor/ours**: PyTorch best ms / our median ms (> 1: we are faster). Our median is
  compared with the anchor's minimum, which slightly favours the anchor.
- **peak RSS**: maximum resident set of the whole attn-run process (os.wait4's
  ru_maxrss): the JIT compiler, the inputs as read from .npy, the output and the kernel's
  workspace.
- **compile s**: parse-to-callable time of the row's module, measured as the wall time of
  `attn-compile model.mlir --emit=obj` (attn-run does not print its JIT time; attn-compile
  runs the same parse, attn CPU pipeline, translation, LLVM -O3 and code generation, to an
  object file instead of the JIT's memory, so only the JIT's in-memory link is missing).
  Marked "(est.)" when attn-compile was not built: then it is attn-run's wall time minus
  (N + 2) x the median call (one call for the result summary, one warm-up, N timed), which
  also holds start-up, reading the .npy inputs and first-touch page faults.
- **others' CPU %**: the busiest of the CPU use by other processes sampled just before
  our run and before each anchor variant (the machine is shared; each timing first waits
  up to {a.max_wait:.0f} s for it to fall below 15%).
{decode_section}{msda_section}{dcmha_section}
Notes:
- The machine is shared with other jobs (builds, tests) and is a 2-vCPU virtual machine, so
  absolute numbers drift by 10-30% from run to run; the ratios to the anchor, measured
  right after ours on the same row, and the % of the peak measured in the same run are
  the figures to compare.
{skip_note}{mem_note}"""
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
