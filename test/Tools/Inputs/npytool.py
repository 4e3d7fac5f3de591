# Part of the attn-mlir project.
#
# Helper of the test/Tools lit tests: makes .npy inputs, corrupts them, and
# checks attn-run's outputs against numpy (float64) expressions.
#
#   npytool.py make OUT SHAPE DTYPE [--seed N] [--fill normal|arange|bool|ones]
#       SHAPE like 2x3 ("scalar" for rank 0); DTYPE float32, float16, float64,
#       bool, int32, bf16 (bfloat16 bits as uint16) or any numpy dtype string.
#   npytool.py check OUT EXPR NAME=FILE... [--dtype D] [--shape S] [--tol T]
#       Evaluates EXPR (numpy as np, the inputs by NAME, and attention(...),
#       which is attn_reference.sdpa) in float64 and compares it with OUT:
#       max|out - ref| <= T*max(1,|ref|) and no NaN/Inf where ref is finite
#       (attn_reference.close_rule). A FILE written as bf16:FILE holds
#       bfloat16 bits.
#   npytool.py corrupt KIND OUT [SRC]
#       KIND: truncate (SRC minus its last 5 bytes), garbage, header (SRC cut
#       inside its header), fortran, bigendian, complex, extra (SRC plus 3
#       bytes), badversion, baddict, badshape (SRC is then the text of the
#       'shape' entry, e.g. "(1abc, 2)"; 6 float32 zeros follow).
#   npytool.py longheader OUT
#       A valid float32 [6] file whose header is 182 bytes long.
#
# attn_reference comes from utils/, which lit puts on PYTHONPATH.

import math
import sys

import numpy as np

from attn_reference import close_rule, sdpa


def parse_shape(text):
    if text == "scalar":
        return ()
    return tuple(int(d) for d in text.split("x"))


def to_bf16_bits(a):
    a = np.asarray(a, np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    # Round to nearest even.
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return bits.astype(np.uint16)


def from_bf16_bits(a):
    return (np.asarray(a, np.uint16).astype(np.uint32) << 16).view(np.float32)


def load(spec):
    if spec.startswith("bf16:"):
        return from_bf16_bits(np.load(spec[5:])).astype(np.float64)
    a = np.load(spec)
    return a if a.dtype == np.bool_ else a.astype(np.float64)


def make(args):
    out, shape, dtype = args[0], parse_shape(args[1]), args[2]
    seed, fill = 0, "normal"
    rest = args[3:]
    while rest:
        if rest[0] == "--seed":
            seed = int(rest[1])
        elif rest[0] == "--fill":
            fill = rest[1]
        else:
            sys.exit("unknown option " + rest[0])
        rest = rest[2:]
    rng = np.random.default_rng(seed)
    if fill == "normal":
        a = rng.standard_normal(shape)
    elif fill == "arange":
        a = np.arange(int(np.prod(shape))).reshape(shape)
    elif fill == "ones":
        a = np.ones(shape)
    elif fill == "bool":
        a = rng.random(shape) < 0.7
    else:
        sys.exit("unknown fill " + fill)
    if dtype == "bf16":
        np.save(out, to_bf16_bits(a))
    else:
        np.save(out, np.asarray(a).astype(dtype))


def check(args):
    out, expr = args[0], args[1]
    names, dtype, shape, tol = {}, None, None, 1e-5
    rest = args[2:]
    while rest:
        if rest[0] == "--dtype":
            dtype, rest = rest[1], rest[2:]
        elif rest[0] == "--shape":
            shape, rest = parse_shape(rest[1]), rest[2:]
        elif rest[0] == "--tol":
            tol, rest = float(rest[1]), rest[2:]
        else:
            name, path = rest[0].split("=", 1)
            names[name] = load(path)
            rest = rest[1:]
    raw = np.load(out[5:] if out.startswith("bf16:") else out)
    if dtype is not None and str(raw.dtype) != dtype:
        sys.exit(f"FAIL: {out}: dtype {raw.dtype}, expected {dtype}")
    got = load(out)
    scope = dict(names, np=np, attention=sdpa, erf=np.vectorize(math.erf))
    ref = np.asarray(eval(expr, scope), np.float64)
    if shape is not None and got.shape != shape:
        sys.exit(f"FAIL: {out}: shape {got.shape}, expected {shape}")
    if got.shape != ref.shape:
        sys.exit(f"FAIL: {out}: shape {got.shape}, reference {ref.shape}")
    r = close_rule(got, ref, tol)
    if r.nonfinite:
        sys.exit(f"FAIL: {out}: NaN or Inf where the reference is finite")
    if not r.ok:
        sys.exit(f"FAIL: {out}: max abs error {r.err:.3g} > {r.bound:.3g}")
    print(f"OK {out.rsplit('/', 1)[-1]} shape={'x'.join(map(str, got.shape))}")


def corrupt(args):
    kind, out = args[0], args[1]
    src = (open(args[2], "rb").read()
           if len(args) > 2 and kind != "badshape" else b"")
    if kind == "truncate":
        data = src[:-5]
    elif kind == "garbage":
        data = b"this is not a numpy file\n"
    elif kind == "header":
        data = src[:40]
    elif kind == "extra":
        data = src + b"xyz"
    elif kind == "badversion":
        data = src[:6] + b"\x07\x00" + src[8:]
    elif kind == "baddict":
        head = b"{'descr': '<f4', 'shape': (2, 3), }"
        head += b" " * (118 - len(head) - 1) + b"\n"
        data = b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head
        data += np.zeros(6, np.float32).tobytes()
    elif kind == "badshape":
        # args[2] is the shape text to write, e.g. "(1abc, 2)"; 6 floats.
        src = b""
        head = ("{'descr': '<f4', 'fortran_order': False, 'shape': "
                + args[2] + ", }").encode()
        head += b" " * (118 - len(head) - 1) + b"\n"
        data = b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head
        data += np.zeros(6, np.float32).tobytes()
    elif kind == "fortran":
        np.save(out, np.asfortranarray(np.ones((2, 3), np.float32)))
        return
    elif kind == "bigendian":
        np.save(out, np.ones((2, 3), ">f4"))
        return
    elif kind == "complex":
        np.save(out, np.ones((2, 3), np.complex64))
        return
    else:
        sys.exit("unknown corruption " + kind)
    open(out, "wb").write(data)


def longheader(args):
    out = args[0]
    head = b"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"
    head += b" " * (182 - len(head) - 1) + b"\n"
    assert (10 + len(head)) % 64 == 0
    data = b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head
    data += np.arange(6, dtype=np.float32).tobytes()
    open(out, "wb").write(data)
    assert np.load(out).tolist() == list(range(6))


if __name__ == "__main__":
    commands = {"make": make, "check": check, "corrupt": corrupt,
                "longheader": longheader}
    commands[sys.argv[1]](sys.argv[2:])
