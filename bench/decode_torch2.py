#!/usr/bin/python3
"""decode_torch2.py - PyTorch 2.x CPU flash attention on decode shapes (Lq < Lk,
GQA): the anchor of run_bench.py's decode rows. /work/shared/bench/anchors/
torch2/sdpa_torch2.py only takes square L; this is the same measurement with Lq
and Lk apart.

Runs inside the PyTorch 2.x chroot (anchors/torch2/setup.sh) through run.sh,
which copies this script into the chroot:

  sh /work/shared/bench/anchors/torch2/run.sh bench/decode_torch2.py \\
      --shape 1 32 8 1 32768 128 [--threads 2] [--reps 10]

Calls F.scaled_dot_product_attention(q, k, v, is_causal=False,
enable_gqa=Hq != Hkv) under sdpa_kernel([SDPBackend.FLASH_ATTENTION]) with
q [B, Hq, Lq, D], k / v [B, Hkv, Lk, D], f32 standard normal. Our graph is
attn.attention {causal} aligned bottom-right: with Lq = 1 the query sees every
key, which is the non-causal call (PyTorch's is_causal is aligned top-left and
would hide all keys but the first); other Lq < Lk would need a mask, which the
flash kernel does not take, so --causal is refused unless Lq = 1 or Lq = Lk.

Prints JSON lines: first {"torch", "cpu_capability"}, then per case {"shape":
[B, Hq, Hkv, Lq, Lk, D], "causal", "dtype", "backend", "gqa", "median_ms",
"min_ms", "kv_gbps", "gflops"} (and "max_abs_err_vs_f64" with --check): median and best of --reps calls after one
warm-up; kv_gbps = 2 * B * Hkv * Lk * D * bytes / median; FLOP as bench/ counts
(4 * D per visible pair, times B * Hq). "backend" is "flash", or "default
(flash refused: ...)" when the flash kernel refused the case and the default
dispatch ran instead; "gqa" is "enable_gqa", or "pre-expanded" on a PyTorch
without enable_gqa (K / V repeated once, outside the timed calls).
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def visible_pairs(lq, lk, causal):
    if not causal:
        return lq * lk
    # bottom-right: query i sees keys j <= i + lk - lq
    return sum(min(lk, i + lk - lq + 1) for i in range(lq))


def time_case(B, Hq, Hkv, Lq, Lk, D, causal, dtype, reps, check=False):
    if causal and Lq not in (1, Lk):
        raise SystemExit("decode_torch2.py: causal needs Lq = 1 or Lq = Lk "
                         "(bottom-right alignment otherwise needs a mask)")
    q = torch.randn(B, Hq, Lq, D, dtype=dtype)
    k = torch.randn(B, Hkv, Lk, D, dtype=dtype)
    v = torch.randn(B, Hkv, Lk, D, dtype=dtype)
    is_causal = causal and Lq == Lk  # Lq = 1: nothing is masked
    gqa = "none" if Hq == Hkv else "enable_gqa"
    kw = {"enable_gqa": True} if Hq != Hkv else {}
    try:
        F.scaled_dot_product_attention(q[:, :, :1], k[:, :, :1], v[:, :, :1], **kw)
    except TypeError:  # no enable_gqa in this PyTorch
        g = Hq // Hkv
        k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
        kw, gqa = {}, "pre-expanded"

    def f():
        return F.scaled_dot_product_attention(q, k, v, is_causal=is_causal, **kw)

    backend = "flash"
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        ctx = sdpa_kernel([SDPBackend.FLASH_ATTENTION])
    except ImportError:  # PyTorch < 2.3
        ctx = torch.backends.cuda.sdp_kernel(enable_flash=True, enable_math=False,
                                             enable_mem_efficient=False)
    with torch.no_grad():
        try:
            with ctx:
                f()  # warm-up; raises when no flash kernel takes the case
                ts = []
                for _ in range(reps):
                    t = time.perf_counter()
                    o = f()
                    ts.append(time.perf_counter() - t)
        except RuntimeError as e:
            backend = f"default (flash refused: {str(e).splitlines()[0][:120]})"
            f()
            ts = []
            for _ in range(reps):
                t = time.perf_counter()
                o = f()
                ts.append(time.perf_counter() - t)
    ts.sort()
    err = None
    if check:  # float64 math on the same inputs (K / V repeated per query head)
        g = Hq // k.shape[1]
        k64 = k.double().repeat_interleave(g, dim=1)
        v64 = v.double().repeat_interleave(g, dim=1)
        s = q.double() @ k64.transpose(-2, -1) / D ** 0.5
        if causal:
            keep = (torch.arange(Lk).view(1, Lk) <= torch.arange(Lq).view(Lq, 1) + (Lk - Lq))
            s = s.masked_fill(~keep, float("-inf"))
        err = (o.double() - torch.softmax(s, -1) @ v64).abs().max().item()
    ms = ts[len(ts) // 2] * 1e3
    kv_bytes = 2 * B * Hkv * Lk * D * q.element_size()
    flop = 4.0 * B * Hq * D * visible_pairs(Lq, Lk, causal)
    return {"shape": [B, Hq, Hkv, Lq, Lk, D], "causal": causal,
            "dtype": str(dtype).split(".")[-1], "backend": backend, "gqa": gqa,
            "median_ms": round(ms, 3), "min_ms": round(ts[0] * 1e3, 3),
            "kv_gbps": round(kv_bytes / (ms * 1e6), 2), "gflops": round(flop / (ms * 1e6), 2),
            **({"max_abs_err_vs_f64": err} if check else {})}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", nargs=6, type=int, required=True,
                    metavar=("B", "Hq", "Hkv", "Lq", "Lk", "D"))
    ap.add_argument("--causal", action="store_true",
                    help="bottom-right causal (Lq = 1: the same call as without)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--dtype", choices=["fp32", "bf16", "fp16"], default="fp32")
    ap.add_argument("--check", action="store_true",
                    help="also report the largest difference to a float64 computation")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[a.dtype]
    cap = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "?")()
    print(json.dumps({"torch": torch.__version__, "cpu_capability": cap}), flush=True)
    print(json.dumps(time_case(*a.shape, a.causal, dtype, a.reps, a.check)), flush=True)


if __name__ == "__main__":
    main()
