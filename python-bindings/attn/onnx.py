# Part of the attn-mlir project.
"""attn.onnx - import ONNX models (as PyTorch's torch.onnx.export writes
them) into attn-dialect MLIR, through attn.Graph.

    import attn
    exe = attn.compile(attn.onnx.import_model("model.onnx"))
    y = exe.main(x)

import_model(model) -> MLIR text; import_graph(model) -> attn.Graph.
`model` is an onnx.ModelProto, its serialized bytes, or a path. Shapes must
be static (the model's inputs, or `input_shapes=`).

How it works (docs/Python.md, "attn.onnx"):

1. Every node's op type is checked first; ops that are neither converted
   (SUPPORTED_OPS) nor evaluated with numpy (FOLDED_OPS) stop the import
   with UnsupportedOpError, which lists all of them with their node names.
2. onnx's shape inference runs, then a first walk over the nodes in order
   evaluates every node whose inputs are all constant with numpy (the
   Shape/Gather/Unsqueeze/Concat/ConstantOfShape/... arithmetic PyTorch
   emits for static shapes folds away) and gives every other tensor its
   static shape. FOLDED_OPS nodes with a run-time input are unsupported:
   one UnsupportedOpError lists them after the walk.
3. Attention subgraphs are raised to attn.attention:
   MatMul(Q, K^T) -> [Mul|Div by constant scalars] -> [Add mask | Where
   (cond, x, fill <= -1e9)] -> [identity Casts] -> Softmax(last axis) ->
   [identity Casts] -> MatMul(P, V), the scores of Q's leading dims
   (a mask that broadcasts them wider is left as a softmax; scores
   reshaped to a view of other leading dims for the mask and back, as
   BART does, are raised in that view), with scalar
   Mul/Div on Q or K folded into `scale` and the Transpose that forms K^T
   folded into one transpose of K. A constant mask that is triangular
   (0 / -inf, or true / false, bottom-right aligned) becomes `causal`; a
   mask computed from a key padding mask that PyTorch expanded over heads
   ([B, 1, 1, Lk] -> [B*H, 1, Lk]) is used compactly as an i1 [B, 1, Lq, Lk]
   mask of a [B, H, L, D] attention. Multi-scale deformable attention as
   Deformable DETR's ms_deform_attn_core_pytorch exports it (one GridSample
   per level) is raised to attn.ms_deform_attn.
4. A second walk emits the nodes the outputs need, in order, through
   attn.Graph (linalg/tensor/arith/math on tensors around the attn ops).
"""

import math
import os

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .graph import Graph, Value, broadcast_shapes

__all__ = ["import_model", "import_graph", "UnsupportedOpError",
           "OnnxImportError", "SUPPORTED_OPS", "FOLDED_OPS"]


class OnnxImportError(ValueError):
    """The model cannot be imported (dynamic shapes, an attribute or input
    form that is not supported, a shape error)."""


class UnsupportedOpError(OnnxImportError):
    """The model has ops the importer does not convert. `ops` lists every
    one as (op_type, node_name), in graph order."""

    def __init__(self, ops, note=""):
        self.ops = list(ops)
        listed = "; ".join(f"{t} (node '{n}')" for t, n in self.ops)
        types = sorted({t for t, _ in self.ops})
        super().__init__(
            f"{len(self.ops)} unsupported ONNX node(s) of type(s) "
            f"{', '.join(types)}: {listed}{note}")


_ONNX_DTYPES = {
    onnx.TensorProto.FLOAT: "f32", onnx.TensorProto.FLOAT16: "f16",
    onnx.TensorProto.DOUBLE: "f64", onnx.TensorProto.BOOL: "i1",
    onnx.TensorProto.INT64: "i64", onnx.TensorProto.INT32: "i32",
    onnx.TensorProto.INT8: "i8", onnx.TensorProto.INT16: "i16",
}
_NP_DTYPES = {"f32": np.float32, "f16": np.float16, "f64": np.float64,
              "i1": np.bool_, "i64": np.int64, "i32": np.int32,
              "i8": np.int8, "i16": np.int16}
# Values at or below this count as "masked" in an additive mask or a Where
# fill: -inf, or the finfo.min / -1e9 that some exporters use instead. A
# finite fill does not hide a key: a row whose keys all carry it is
# PyTorch's uniform softmax (the mean of V), not zeros, so it stays an
# additive bias unless every row keeps a visible key (_emit_attention).
# A fill above it (GPT-2's masked_bias, -1e4) is not a mask at all: scores
# near it would make masked keys matter, so such a Where is not raised.
_MASKED = -1e9


def _load(model):
    if isinstance(model, onnx.ModelProto):
        return model
    if isinstance(model, (bytes, bytearray)):
        return onnx.load_from_string(bytes(model))
    if isinstance(model, (str, os.PathLike)):
        return onnx.load(os.fspath(model))
    raise TypeError(f"import_model: expected an onnx.ModelProto, bytes or a "
                    f"path, got {type(model).__name__}")


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _is_const(x):
    return isinstance(x, np.ndarray)


def _ssa_name(tensor_name):
    """A readable SSA name for an ONNX tensor ("/m/attn/MatMul_output_0" ->
    "m.attn.MatMul")."""
    name = tensor_name.strip("/").replace("/", ".")
    if name.endswith("_output_0"):
        name = name[:-len("_output_0")]
    return name or "t"


class _Ctx:
    """One walk over the graph: tensors by name (numpy constants or
    attn.Graph Values) and the Function being built."""

    def __init__(self, fn, opset):
        self.f = fn
        self.opset = opset
        self.env = {}

    def value(self, x, like=None):
        """x as a Value (a constant when it is a numpy array)."""
        if isinstance(x, Value):
            return x
        dtype = None
        if like is not None and x.dtype.kind == like_kind(like):
            dtype = like.dtype
        return self.f._value(x, dtype=dtype)


def like_kind(v):
    return "f" if v.dtype.startswith(("f", "b")) else (
        "b" if v.dtype == "i1" else "i")


def _shape_of(x):
    return tuple(x.shape)


# --------------------------------------------------------------- handlers
# handler(ctx, node, inputs, attrs, name) -> output or list of outputs.
# An input is a numpy array (constant) or a Value, or None when absent.
_HANDLERS = {}


def _handler(*types):
    def deco(fn):
        for t in types:
            _HANDLERS[t] = fn
        return fn
    return deco


def _scalar(x):
    """The Python number of a constant of one element, else None."""
    if _is_const(x) and x.size == 1:
        return x.reshape(()).item()
    return None


def _binary(ctx, a, b, np_op, method, name):
    if _is_const(a) and _is_const(b):
        return np.asarray(np_op(a, b)).astype(np.result_type(a, b))
    f = ctx.f
    fn = getattr(f, method)
    v = a if isinstance(a, Value) else b
    other = b if v is a else a
    sc = _scalar(other)
    out_shape = broadcast_shapes(v.shape, _shape_of(other))
    if sc is not None and out_shape == v.shape and like_kind(v) != "b":
        sc = float(sc) if like_kind(v) == "f" else int(sc)
        return fn(v, sc, name=name) if v is a else fn(sc, v, name=name)
    return fn(ctx.value(a, v), ctx.value(b, v), name=name)


for _t, _np, _m in [("Add", np.add, "add"), ("Sub", np.subtract, "sub"),
                    ("Mul", np.multiply, "mul"),
                    ("Max", np.maximum, "maximum"),
                    ("Min", np.minimum, "minimum")]:
    def _h(ctx, node, ins, at, name, _np=_np, _m=_m):
        out = ins[0]
        for x in ins[1:]:
            out = _binary(ctx, out, x, _np, _m, name)
        return out
    _HANDLERS[_t] = _h


@_handler("Div")
def _div(ctx, node, ins, at, name):
    a, b = ins
    if _is_const(a) and _is_const(b):
        if a.dtype.kind in "iu":
            # ONNX (and C) integer division truncates toward zero; numpy's
            # // floors.
            q = a // b
            q = q + ((a % b != 0) & ((a < 0) != (b < 0)))
            return np.asarray(q).astype(a.dtype)
        return (a / b).astype(a.dtype)
    return _binary(ctx, a, b, None, "div", name)


@_handler("Pow")
def _pow(ctx, node, ins, at, name):
    a, b = ins
    if _is_const(a) and _is_const(b):
        return np.power(a, b).astype(a.dtype)
    sc = _scalar(b)
    if sc is not None and isinstance(a, Value):
        return ctx.f.pow(a, float(sc), name=name)
    return ctx.f.pow(ctx.value(a), ctx.value(b, ctx.value(a)), name=name)


def _unary(np_fn, method):
    def h(ctx, node, ins, at, name):
        x = ins[0]
        if _is_const(x):
            return np.asarray(np_fn(x)).astype(x.dtype)
        return getattr(ctx.f, method)(x, name=name)
    return h


def _erf_np(x):
    return np.vectorize(math.erf)(x)


for _t, _np, _m in [("Sqrt", np.sqrt, "sqrt"), ("Exp", np.exp, "exp"),
                    ("Log", np.log, "log"), ("Tanh", np.tanh, "tanh"),
                    ("Erf", _erf_np, "erf"), ("Neg", np.negative, "neg"),
                    ("Abs", np.abs, "abs"),
                    ("Reciprocal", lambda x: 1 / x, "reciprocal"),
                    ("Relu", lambda x: np.maximum(x, 0), "relu"),
                    ("Sigmoid", lambda x: 1 / (1 + np.exp(-x)), "sigmoid"),
                    ("Not", np.logical_not, "logical_not")]:
    _HANDLERS[_t] = _unary(_np, _m)


for _t, _np, _k in [("Equal", np.equal, "eq"), ("Less", np.less, "lt"),
                    ("Greater", np.greater, "gt"),
                    ("LessOrEqual", np.less_equal, "le"),
                    ("GreaterOrEqual", np.greater_equal, "ge")]:
    def _h(ctx, node, ins, at, name, _np=_np, _k=_k):
        a, b = ins
        if _is_const(a) and _is_const(b):
            return _np(a, b)
        v = a if isinstance(a, Value) else b
        return ctx.f.compare(_k, ctx.value(a, v), ctx.value(b, v), name=name)
    _HANDLERS[_t] = _h


for _t, _np, _m in [("And", np.logical_and, "logical_and"),
                    ("Or", np.logical_or, "logical_or")]:
    def _h(ctx, node, ins, at, name, _np=_np, _m=_m):
        a, b = ins
        if _is_const(a) and _is_const(b):
            return _np(a, b)
        return getattr(ctx.f, _m)(ctx.value(a), ctx.value(b), name=name)
    _HANDLERS[_t] = _h


@_handler("Where")
def _where(ctx, node, ins, at, name):
    c, a, b = ins
    if all(_is_const(x) for x in ins):
        return np.where(c, a, b)
    v = a if isinstance(a, Value) else b
    if not isinstance(v, Value):
        v = ctx.value(a)
    out_shape = broadcast_shapes(_shape_of(c), _shape_of(a), _shape_of(b))
    value_shape = broadcast_shapes(*[_shape_of(x) for x in (c, a, b)
                                     if isinstance(x, Value) or x.size > 1])

    def arg(x):
        sc = _scalar(x)
        if sc is not None and value_shape == out_shape:
            return float(sc) if like_kind(v) == "f" else int(sc)
        return ctx.value(x, v)
    xa, xb = arg(a), arg(b)
    if not isinstance(xa, Value) and not isinstance(xb, Value):
        # Both branches one-element constants: one of them as a tensor.
        xa = ctx.value(a, v)
    return ctx.f.where(ctx.value(c), xa, xb, name=name)


@_handler("Identity", "Dropout")
def _identity(ctx, node, ins, at, name):
    return ins[0]


@_handler("Constant")
def _constant(ctx, node, ins, at, name):
    if "value" in at:
        return numpy_helper.to_array(at["value"])
    for key, dtype in (("value_float", np.float32), ("value_int", np.int64),
                       ("value_floats", np.float32),
                       ("value_ints", np.int64)):
        if key in at:
            return np.asarray(at[key], dtype)
    raise OnnxImportError(f"Constant '{node.name}': unsupported attributes "
                          f"{sorted(at)}")


@_handler("Shape")
def _shape(ctx, node, ins, at, name):
    shape = np.asarray(_shape_of(ins[0]), np.int64)
    start, end = at.get("start", 0), at.get("end", len(shape))
    return shape[start:end]


@_handler("Size")
def _size(ctx, node, ins, at, name):
    return np.asarray(int(np.prod(_shape_of(ins[0]))), np.int64)


def _const_input(node, x, what):
    if x is None:
        return None
    if not _is_const(x):
        raise OnnxImportError(f"{node.op_type} '{node.name}': '{what}' must "
                              "be a constant (static shapes only)")
    return x


def _axes_of(ctx, node, ins, at, idx=1):
    """The axes of Squeeze/Unsqueeze/Reduce*: an attribute (older opsets)
    or input `idx`."""
    if "axes" in at:
        return [int(a) for a in at["axes"]]
    if len(ins) > idx and ins[idx] is not None:
        return [int(a) for a in _const_input(node, ins[idx], "axes")]
    return None


@_handler("Unsqueeze")
def _unsqueeze(ctx, node, ins, at, name):
    x = ins[0]
    axes = _axes_of(ctx, node, ins, at)
    rank = len(_shape_of(x)) + len(axes)
    shape = list(_shape_of(x))
    for a in sorted(a % rank for a in axes):
        shape.insert(a, 1)
    return x.reshape(shape) if _is_const(x) else ctx.f.reshape(x, shape,
                                                                name=name)


@_handler("Squeeze")
def _squeeze(ctx, node, ins, at, name):
    x = ins[0]
    shape = _shape_of(x)
    axes = _axes_of(ctx, node, ins, at)
    axes = [i for i, d in enumerate(shape) if d == 1] if axes is None else \
        [a % len(shape) for a in axes]
    new = [d for i, d in enumerate(shape) if i not in axes]
    return x.reshape(new) if _is_const(x) else ctx.f.reshape(x, new, name=name)


@_handler("Reshape")
def _reshape(ctx, node, ins, at, name):
    x, shape = ins[0], _const_input(node, ins[1], "shape")
    shape = [int(d) for d in shape]
    if not at.get("allowzero", 0):
        shape = [_shape_of(x)[i] if d == 0 else d for i, d in enumerate(shape)]
    if _is_const(x):
        return x.reshape(shape)
    return ctx.f.reshape(x, shape, name=name)


@_handler("Flatten")
def _flatten(ctx, node, ins, at, name):
    x = ins[0]
    shape = _shape_of(x)
    axis = at.get("axis", 1) % (len(shape) + 1) if shape else 0
    new = [int(np.prod(shape[:axis])), int(np.prod(shape[axis:]))]
    return x.reshape(new) if _is_const(x) else ctx.f.reshape(x, new, name=name)


@_handler("Transpose")
def _transpose(ctx, node, ins, at, name):
    x = ins[0]
    perm = at.get("perm")
    if _is_const(x):
        return np.transpose(x, perm)
    return ctx.f.transpose(x, perm, name=name)


@_handler("Expand")
def _expand(ctx, node, ins, at, name):
    x, shape = ins[0], _const_input(node, ins[1], "shape")
    out = broadcast_shapes(_shape_of(x), tuple(int(d) for d in shape))
    if _is_const(x):
        return np.broadcast_to(x, out).copy()
    return ctx.f.broadcast_to(x, out, name=name)


@_handler("Concat")
def _concat(ctx, node, ins, at, name):
    axis = at["axis"]
    if all(_is_const(x) for x in ins):
        return np.concatenate(ins, axis=axis)
    vals = [ctx.value(x) for x in ins]
    vals = [ctx.value(x, vals[0]) if _is_const(x) else x for x in ins]
    return ctx.f.concat(vals, axis, name=name)


@_handler("Gather")
def _gather(ctx, node, ins, at, name):
    data, idx = ins
    axis = at.get("axis", 0)
    if _is_const(data) and _is_const(idx):
        return np.take(data, idx, axis=axis)
    if _is_const(idx) and idx.ndim == 0:
        return ctx.f.gather(data, int(idx), axis=axis, name=name)
    return ctx.f.gather(ctx.value(data), idx, axis=axis, name=name)


@_handler("Slice")
def _slice(ctx, node, ins, at, name):
    x = ins[0]
    if "starts" in at:       # opset < 10
        starts, ends, axes, steps = at["starts"], at["ends"], \
            at.get("axes"), None
    else:
        starts, ends = (_const_input(node, ins[i], w) for i, w in
                        ((1, "starts"), (2, "ends")))
        axes = _const_input(node, ins[3], "axes") if len(ins) > 3 else None
        steps = _const_input(node, ins[4], "steps") if len(ins) > 4 else None
    rank = len(_shape_of(x))
    axes = list(range(len(starts))) if axes is None else \
        [int(a) % rank for a in axes]
    steps = [1] * len(axes) if steps is None else [int(s) for s in steps]
    # ONNX clamps int64 extremes (INT_MAX as "to the end").
    big = 2 ** 62
    starts = [max(min(int(s), big), -big) for s in starts]
    ends = [max(min(int(e), big), -big) for e in ends]
    if _is_const(x):
        idx = [slice(None)] * rank
        for a, s, e, st in zip(axes, starts, ends, steps):
            idx[a] = slice(s, e, st)
        return x[tuple(idx)]
    if any(st <= 0 for st in steps):
        raise OnnxImportError(f"Slice '{node.name}': negative steps are not "
                              "supported")
    return ctx.f.slice(x, starts, ends, axes, steps, name=name)


@_handler("Split")
def _split(ctx, node, ins, at, name):
    x = ins[0]
    axis = at.get("axis", 0) % len(_shape_of(x))
    n = len(node.output)
    split = at.get("split")
    if split is None and len(ins) > 1 and ins[1] is not None:
        split = _const_input(node, ins[1], "split")
    dim = _shape_of(x)[axis]
    if split is None:
        step = -(-dim // n)
        split = [min(step, dim - i * step) for i in range(n)]
    outs, off = [], 0
    for i, s in enumerate(split):
        s = int(s)
        if _is_const(x):
            outs.append(np.take(x, range(off, off + s), axis=axis))
        else:
            outs.append(ctx.f.slice(x, [off], [off + s], [axis],
                                    name=_ssa_name(node.output[i])))
        off += s
    return outs


@_handler("Cast")
def _cast(ctx, node, ins, at, name):
    x = ins[0]
    to = _ONNX_DTYPES.get(at["to"])
    if to is None:
        raise OnnxImportError(f"Cast '{node.name}': unsupported target type "
                              f"{onnx.TensorProto.DataType.Name(at['to'])}")
    if _is_const(x):
        return x.astype(_NP_DTYPES[to])
    return ctx.f.cast(x, to, name=name)


@_handler("ConstantOfShape")
def _constant_of_shape(ctx, node, ins, at, name):
    shape = _const_input(node, ins[0], "input")
    value = numpy_helper.to_array(at["value"]) if "value" in at else \
        np.zeros(1, np.float32)
    return np.full([int(d) for d in shape], value.reshape(-1)[0],
                   dtype=value.dtype)


@_handler("Range")
def _range(ctx, node, ins, at, name):
    start, limit, delta = (_const_input(node, x, w) for x, w in
                           zip(ins, ("start", "limit", "delta")))
    return np.arange(start, limit, delta, dtype=start.dtype)


@_handler("Trilu")
def _trilu(ctx, node, ins, at, name):
    x = _const_input(node, ins[0], "input")
    k = int(_scalar(ins[1])) if len(ins) > 1 and ins[1] is not None else 0
    return np.triu(x, k) if at.get("upper", 1) else np.tril(x, k)


@_handler("Tile")
def _tile(ctx, node, ins, at, name):
    x = ins[0]
    reps = [int(r) for r in _const_input(node, ins[1], "repeats")]
    shape = _shape_of(x)
    if len(reps) != len(shape):
        raise OnnxImportError(f"Tile '{node.name}': {len(reps)} repeats for "
                              f"rank {len(shape)}")
    if _is_const(x):
        return np.tile(x, reps)
    if all(r == 1 for r in reps):
        return x
    # [d0, d1, ..] -> [1, d0, 1, d1, ..] -> broadcast [r0, d0, r1, d1, ..]
    # -> [r0 d0, r1 d1, ..]
    f = ctx.f
    y = f.reshape(x, [v for d in shape for v in (1, d)])
    y = f.broadcast_to(y, [v for r, d in zip(reps, shape) for v in (r, d)])
    return f.reshape(y, [r * d for r, d in zip(reps, shape)], name=name)


@_handler("Clip")
def _clip(ctx, node, ins, at, name):
    x = ins[0]
    if ctx.opset < 11:      # bounds as attributes
        lo, hi = at.get("min"), at.get("max")
        lo = None if lo is None else np.asarray(lo, np.float32)
        hi = None if hi is None else np.asarray(hi, np.float32)
    else:                   # bounds as optional inputs
        lo = ins[1] if len(ins) > 1 else None
        hi = ins[2] if len(ins) > 2 else None
    if all(b is None or _is_const(b) for b in (x, lo, hi)):
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        return np.asarray(y).astype(x.dtype)
    f = ctx.f
    x = ctx.value(x)
    bounds = [(b, m) for b, m in ((lo, "maximum"), (hi, "minimum"))
              if b is not None]
    for i, (b, method) in enumerate(bounds):
        sc = _scalar(b)
        if sc is not None:
            b = float(sc) if like_kind(x) == "f" else int(sc)
        else:
            b = ctx.value(b, x)
        x = getattr(f, method)(x, b, name=name if i == len(bounds) - 1
                               else None)
    return x


@_handler("MatMul")
def _matmul(ctx, node, ins, at, name):
    a, b = ins
    if _is_const(a) and _is_const(b):
        return np.matmul(a, b)
    f = ctx.f
    a_v = ctx.value(a) if isinstance(a, Value) else None
    like = a_v if a_v is not None else b
    a, b = ctx.value(a, like), ctx.value(b, like)
    squeeze = []
    if a.rank == 1:
        a = f.reshape(a, (1,) + a.shape)
        squeeze.append(-2)
    if b.rank == 1:
        b = f.reshape(b, b.shape + (1,))
        squeeze.append(-1)
    y = f.matmul(a, b, name=None if squeeze else name)
    if squeeze:
        shape = list(y.shape)
        for s in sorted(squeeze):
            shape.pop(len(shape) + s if s == -1 else len(shape) - 2)
        y = f.reshape(y, shape, name=name)
    return y


def _einsum_terms(equation, ranks):
    """The input and output letter strings of an ONNX Einsum `equation`
    with its `...` expanded (right-aligned, numpy's rule) for inputs of
    `ranks`, and the implicit output (the letters that occur once, sorted,
    after the ellipsis dims) made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise OnnxImportError(f"Einsum: equation {equation!r} has "
                              f"{len(terms)} inputs, the node {len(ranks)}")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in used]
    ell = max([r - len(t.replace("...", "")) for t, r in zip(terms, ranks)
               if "..." in t] or [0])
    if ell > len(spare):
        raise OnnxImportError(f"Einsum: too many dims under '...' in "
                              f"{equation!r}")
    ell_letters = "".join(spare[:ell])[::-1]
    out_terms = []
    for t, r in zip(terms, ranks):
        if "..." in t:
            n = r - len(t.replace("...", ""))
            t = t.replace("...", ell_letters[ell - n:] if n else "")
        if len(t) != r or not t.isalpha():
            raise OnnxImportError(f"Einsum: term {t!r} of {equation!r} does "
                                  f"not match an input of rank {r}")
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell_letters)
    else:
        letters = "".join(out_terms)
        out = ell_letters + "".join(sorted(
            c for c in set(letters) if letters.count(c) == 1 and
            c not in ell_letters))
    return out_terms, out


@_handler("Einsum")
def _einsum(ctx, node, ins, at, name):
    """Einsum with run-time inputs (all-constant ones fold with numpy). Two
    operands whose letters each occur once per operand become transposes,
    reshapes and one (batch) matmul, as PyTorch and ONNX Runtime run them:
    batch letters (both inputs and the output), M (first input and output),
    N (second input and output), K (both inputs only); letters of one input
    only that the output lacks are summed first. Other equations become one
    `Graph.einsum` (a single linalg.generic)."""
    eq = at["equation"]
    eq = eq.decode() if isinstance(eq, bytes) else eq
    if all(_is_const(x) for x in ins):
        return np.einsum(eq, *ins)
    f = ctx.f
    like = next(x for x in ins if isinstance(x, Value))
    vals = [ctx.value(x, like) for x in ins]
    terms, out = _einsum_terms(eq, [v.rank for v in vals])
    if any(len(set(t)) != len(t) for t in terms):
        raise OnnxImportError(f"Einsum {eq!r}: a letter repeated in one "
                              f"input (diagonals) is not supported")
    if len(vals) != 2:
        return f.einsum(",".join(terms) + "->" + out, *vals, name=name)
    a, b = vals
    ta, tb = terms
    # Sum out the letters that only one input has and the output lacks.
    def sum_lone(v, t, other):
        lone = [c for c in t if c not in other and c not in out]
        if not lone:
            return v, t
        return (f.reduce_sum(v, [t.index(c) for c in lone]),
                "".join(c for c in t if c not in lone))
    (a, ta), (b, tb) = sum_lone(a, ta, tb), sum_lone(b, tb, ta)
    batch = [c for c in out if c in ta and c in tb]
    m = [c for c in out if c in ta and c not in tb]
    n = [c for c in out if c in tb and c not in ta]
    k = [c for c in ta if c in tb and c not in out]
    if sorted(batch + m + n) != sorted(out) or len(out) != len(set(out)):
        return f.einsum(f"{ta},{tb}->{out}", a, b, name=name)
    size = {c: d for t, v in ((ta, a), (tb, b)) for c, d in zip(t, v.shape)}
    for c in set(ta) & set(tb):
        if a.shape[ta.index(c)] != b.shape[tb.index(c)]:
            raise OnnxImportError(f"Einsum {eq!r}: letter {c!r} has sizes "
                                  f"{a.shape[ta.index(c)]} and "
                                  f"{b.shape[tb.index(c)]}")
    prod = lambda cs: int(np.prod([size[c] for c in cs]))  # noqa: E731

    def arrange(v, t, order, shape):
        perm = [t.index(c) for c in order]
        if perm != list(range(len(perm))):
            v = f.transpose(v, perm)
        return f.reshape(v, shape) if list(v.shape) != list(shape) else v
    a = arrange(a, ta, batch + m + k, [prod(batch), prod(m), prod(k)])
    b = arrange(b, tb, batch + k + n, [prod(batch), prod(k), prod(n)])
    y = f.matmul(a, b)
    y = f.reshape(y, [size[c] for c in batch + m + n])
    order = batch + m + n
    perm = [order.index(c) for c in out]
    if perm != list(range(len(perm))):
        y = f.transpose(y, perm, name=name)
    return y


@_handler("Gemm")
def _gemm(ctx, node, ins, at, name):
    a, b = ins[0], ins[1]
    c = ins[2] if len(ins) > 2 else None
    alpha, beta = at.get("alpha", 1.0), at.get("beta", 1.0)
    if at.get("transA", 0):
        a = a.T if _is_const(a) else ctx.f.transpose(a, [1, 0])
    f = ctx.f
    if at.get("transB", 0):
        if _is_const(b):
            b = np.ascontiguousarray(b.T)
            y = f.matmul(ctx.value(a), ctx.value(b, ctx.value(a)))
        else:
            y = f.matmul(ctx.value(a), b, transpose_b=True)
    else:
        y = f.matmul(ctx.value(a), ctx.value(b, ctx.value(a)))
    if alpha != 1.0:
        y = f.mul(y, float(alpha))
    if c is not None:
        if beta != 1.0:
            c = c * np.float32(beta) if _is_const(c) else f.mul(c, float(beta))
        y = f.add(y, ctx.value(c, y), name=name)
    return y


@_handler("Softmax")
def _softmax(ctx, node, ins, at, name):
    x = ins[0]
    axis = at.get("axis", -1 if ctx.opset >= 13 else 1)
    if ctx.opset < 13 and axis % x.rank != x.rank - 1:
        raise OnnxImportError(f"Softmax '{node.name}': opset {ctx.opset} "
                              "flattening softmax is not supported")
    return ctx.f.softmax(ctx.value(x), axis=axis, name=name)


def _reduce(kind):
    def h(ctx, node, ins, at, name):
        x = ins[0]
        axes = _axes_of(ctx, node, ins, at)
        keep = bool(at.get("keepdims", 1))
        if axes is None and at.get("noop_with_empty_axes", 0):
            return x
        if _is_const(x):
            fn = {"sum": np.sum, "mean": np.mean, "max": np.max}[kind]
            return np.asarray(fn(x, axis=None if axes is None else tuple(axes),
                                 keepdims=keep)).astype(x.dtype)
        fn = getattr(ctx.f, "reduce_" + kind)
        return fn(x, axes=axes, keepdims=keep, name=name)
    return h


_HANDLERS["ReduceSum"] = _reduce("sum")
_HANDLERS["ReduceMean"] = _reduce("mean")
_HANDLERS["ReduceMax"] = _reduce("max")


@_handler("LayerNormalization")
def _layer_norm(ctx, node, ins, at, name):
    if len(node.output) > 1 and any(node.output[1:]):
        raise OnnxImportError(f"LayerNormalization '{node.name}': only the "
                              "first output (Y) is supported")
    x = ctx.value(ins[0])
    w = ins[1]
    b = ins[2] if len(ins) > 2 else None
    return ctx.f.layer_norm(x, None if w is None else ctx.value(w, x),
                            None if b is None else ctx.value(b, x),
                            eps=at.get("epsilon", 1e-5),
                            axis=at.get("axis", -1), name=name)


@_handler("GridSample")
def _grid_sample(ctx, node, ins, at, name):
    mode = at.get("mode", b"bilinear")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    pad = at.get("padding_mode", b"zeros")
    pad = pad.decode() if isinstance(pad, bytes) else pad
    if mode != "bilinear" or pad not in ("zeros", "border"):
        raise OnnxImportError(f"GridSample '{node.name}': mode '{mode}', "
                              f"padding_mode '{pad}' not supported (bilinear "
                              "with zeros or border only)")
    f = ctx.f
    x, grid = ctx.value(ins[0]), ctx.value(ins[1], ctx.value(ins[0]))
    if x.rank != 4:
        raise OnnxImportError(f"GridSample '{node.name}': 2-D sampling only")
    xl = f.transpose(x, [0, 2, 3, 1])
    s = f.deformable_sample(xl, grid, align_corners=bool(
        at.get("align_corners", 0)), padding_mode=pad)
    return f.transpose(s, [0, 3, 1, 2], name=name)


SUPPORTED_OPS = sorted(_HANDLERS)


# Ops the importer only evaluates with numpy: when all their inputs are
# constant (after the folding of the first walk). With a run-time input they
# are unsupported. Same signature as the handlers.
_FOLD_ONLY = {}


def _fold_unary(np_fn, dtype=None):
    return lambda ctx, node, ins, at, name: np.asarray(
        np_fn(ins[0])).astype(dtype or ins[0].dtype)


for _t, _np in [("Cos", np.cos), ("Sin", np.sin), ("Tan", np.tan),
                ("Atan", np.arctan), ("Floor", np.floor), ("Ceil", np.ceil),
                ("Round", np.round), ("Sign", np.sign)]:
    _FOLD_ONLY[_t] = _fold_unary(_np)
_FOLD_ONLY["IsNaN"] = _fold_unary(np.isnan, np.bool_)
_FOLD_ONLY["Xor"] = lambda ctx, node, ins, at, name: np.logical_xor(*ins)
_FOLD_ONLY["Mod"] = lambda ctx, node, ins, at, name: np.asarray(
    (np.fmod if at.get("fmod", 0) else np.mod)(ins[0], ins[1])).astype(
        np.result_type(ins[0], ins[1]))


def _fold_cumsum(ctx, node, ins, at, name):
    x, axis = ins[0], int(_scalar(ins[1]))
    y = np.flip(x, axis) if at.get("reverse", 0) else x
    c = np.cumsum(y, axis=axis, dtype=x.dtype)
    if at.get("exclusive", 0):
        c = c - y
    return np.flip(c, axis) if at.get("reverse", 0) else c


def _fold_arg(np_fn):
    def h(ctx, node, ins, at, name):
        x, axis = ins[0], at.get("axis", 0) % max(ins[0].ndim, 1)
        if at.get("select_last_index", 0):
            r = x.shape[axis] - 1 - np_fn(np.flip(x, axis), axis=axis)
        else:
            r = np_fn(x, axis=axis)
        if at.get("keepdims", 1):
            r = np.expand_dims(r, axis)
        return np.asarray(r, np.int64)
    return h


def _fold_reduce(np_fn):
    def h(ctx, node, ins, at, name):
        x = ins[0]
        axes = _axes_of(ctx, node, ins, at)
        if axes is None and at.get("noop_with_empty_axes", 0):
            return x
        return np.asarray(np_fn(x, axis=None if axes is None else tuple(
            axes), keepdims=bool(at.get("keepdims", 1)))).astype(x.dtype)
    return h


_FOLD_ONLY["CumSum"] = _fold_cumsum
_FOLD_ONLY["ArgMax"] = _fold_arg(np.argmax)
_FOLD_ONLY["ArgMin"] = _fold_arg(np.argmin)
_FOLD_ONLY["ReduceMin"] = _fold_reduce(np.min)
_FOLD_ONLY["ReduceProd"] = _fold_reduce(np.prod)
FOLDED_OPS = sorted(_FOLD_ONLY)


# ---------------------------------------------------------- the raise step
class _Attention:
    """A matched attention subgraph, emitted at the node of its P @ V."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class _Matcher:
    """Finds the attention subgraphs of a graph, given the result of the
    first walk (constants and shapes of every tensor)."""

    def __init__(self, nodes, env, graph_outputs=()):
        self.env = env
        self.graph_outputs = set(graph_outputs)
        self.producer = {}
        self.consumers = {}
        for n in nodes:
            for o in n.output:
                self.producer[o] = n
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)

    def const(self, name):
        x = self.env.get(name)
        return x if _is_const(x) else None

    def shape(self, name):
        return _shape_of(self.env[name])

    def scalar_const(self, name):
        c = self.const(name)
        if c is not None and c.size == 1 and c.dtype.kind == "f":
            return float(c.reshape(()))
        return None

    def splat_const(self, name):
        """The value of a float constant whose elements are all equal."""
        c = self.const(name)
        if c is not None and c.size >= 1 and c.dtype.kind == "f":
            flat = c.reshape(-1)
            if np.all(flat == flat[0]):
                return float(flat[0])
        return None

    def strip_scale(self, name):
        """Walks back through Mul/Div by constant scalars: (source, factor)."""
        factor = 1.0
        while True:
            n = self.producer.get(name)
            if n is None or n.op_type not in ("Mul", "Div"):
                return name, factor
            a, b = n.input
            cb, ca = self.scalar_const(b), self.scalar_const(a)
            if cb is not None and self.shape(n.output[0]) == self.shape(a):
                factor *= cb if n.op_type == "Mul" else 1.0 / cb
                name = a
            elif ca is not None and n.op_type == "Mul" and \
                    self.shape(n.output[0]) == self.shape(b):
                factor *= ca
                name = b
            else:
                return name, factor

    def view_reshape(self, name):
        """The input of `name`'s producer when it is a Reshape that only
        splits or merges the dims before the last two (BART's
        `w.view(B, H, L, L)` of [B*H, L, L] scores), else None."""
        n = self.producer.get(name)
        if n is None or n.op_type != "Reshape":
            return None
        a, b = self.shape(name), self.shape(n.input[0])
        if len(a) < 2 or len(b) < 2 or a[-2:] != b[-2:] or a == b or \
                int(np.prod(a[:-2])) != int(np.prod(b[:-2])):
            return None
        return n.input[0]

    def match_scores(self, name, view=False):
        """scores = MatMul(Q, K^T) under scalar factors and one mask term:
        (qk_node, score_scale, mask) or None. mask is (kind, tensor, factor)
        with kind "add" (additive float) or "bool" (true = visible) or
        "bool_not" (true = invisible), and for the boolean kinds the fill
        that masked logits get (-inf, or a finite value <= _MASKED). With
        `view`, the scores are a reshaped view of the MatMul's result (one
        view_reshape on the way back to it)."""
        scale, mask = 1.0, None
        while True:
            name, f = self.strip_scale(name)
            scale *= f
            n = self.producer.get(name)
            if n is None:
                return None
            if n.op_type == "MatMul":
                return None if view else (n, scale, mask)
            if view and self.view_reshape(name) is not None:
                name, view = self.view_reshape(name), False
                continue
            if mask is not None:
                return None
            if n.op_type == "Add":
                # The scores side reaches the Q K^T MatMul through scalar
                # factors; the other side is the mask.
                a, b = n.input

                def rank(t):
                    t = self.strip_scale(t)[0]
                    if view and self.view_reshape(t) is not None:
                        t = self.strip_scale(self.view_reshape(t))[0]
                    p = self.producer.get(t)
                    return 0 if p is not None and p.op_type == "MatMul" else (
                        1 if p is not None and p.op_type in ("Add", "Where")
                        else 2)
                s, m = (a, b) if rank(a) <= rank(b) else (b, a)
                if rank(s) == 2:
                    return None
                m_src, mf = self.strip_scale(m)
                mask = ("add", m_src, scale * mf)
                # An additive mask made as Where(c, -inf, 0) / Where(c, 0,
                # -inf) is a boolean one.
                w = self.producer.get(m_src)
                if w is not None and w.op_type == "Where" and mf > 0:
                    ca, cb = (self.splat_const(w.input[1]),
                              self.splat_const(w.input[2]))
                    if ca is not None and cb is not None:
                        # (With a finite fill the sum is the bias
                        # itself: it stays additive.)
                        if ca == -np.inf and cb == 0.0:
                            mask = ("bool_not", w.input[0], 1.0)
                        elif cb == -np.inf and ca == 0.0:
                            mask = ("bool", w.input[0], 1.0)
                name = s
                continue
            if n.op_type == "Where":
                c, a, b = n.input
                ca, cb = self.splat_const(a), self.splat_const(b)
                if cb is not None and cb <= _MASKED:
                    mask, name = ("bool", c, 1.0, cb), a
                elif ca is not None and ca <= _MASKED:
                    mask, name = ("bool_not", c, 1.0, ca), b
                else:
                    return None
                continue
            return None

    def dtype(self, name):
        return getattr(self.env.get(name), "dtype", None)

    def match(self, softmax):
        """The _Attention of `softmax` or None."""
        x, p = softmax.input[0], softmax.output[0]
        # Casts of the scores to their own type (softmax(scores.float()) in
        # an f32 model, as T5 writes it) are looked through.
        while self.producer.get(x) is not None and \
                self.producer[x].op_type == "Cast" and \
                self.dtype(x) is not None and \
                self.dtype(x) == self.dtype(self.producer[x].input[0]):
            x = self.producer[x].input[0]
        rank = len(self.shape(x))
        axis = _attrs(softmax).get("axis", -1)
        if rank < 2 or axis % rank != rank - 1:
            return None
        users = self.consumers.get(p, [])
        # Casts of P to its own type (p.to(q.dtype) in an f32 model, as
        # LLaMA, T5 and Hugging Face code write it) are looked through.
        while len(users) == 1 and users[0].op_type == "Cast" and \
                p not in self.graph_outputs and \
                self.dtype(p) is not None and \
                self.dtype(p) == self.dtype(users[0].output[0]):
            p = users[0].output[0]
            users = self.consumers.get(p, [])
        if len(users) != 1 or users[0].op_type != "MatMul" or \
                users[0].input[0] != p or p in self.graph_outputs:
            return None
        pv = users[0]
        # BART / OPT / Whisper: [B*H, L, L] scores viewed as [B, H, L, L]
        # for the mask and back before the Softmax; the attention is then
        # emitted in the [B, H] view.
        view, x_view = None, self.view_reshape(x)
        m = self.match_scores(x_view, view=True) if x_view is not None \
            else None
        if m is not None:
            view = tuple(self.shape(x_view)[:-2])
        else:
            m = self.match_scores(x)
        if m is None:
            return None
        qk, scale, mask = m
        q, fq = self.strip_scale(qk.input[0])
        kt, fk = self.strip_scale(qk.input[1])
        scale *= fq * fk
        qs, kts, vs = self.shape(q), self.shape(kt), self.shape(pv.input[1])
        if len(qs) < 2 or len(qs) != len(kts) or len(qs) != len(vs) or \
                qs[:-2] != kts[:-2] or qs[:-2] != vs[:-2] or \
                qs[-1] != kts[-2] or kts[-1] != vs[-2]:
            return None
        # The scores are Q's [.., Lq] x Lk: a mask whose broadcast widens
        # them (more batch dims than Q) stays a plain softmax.
        if tuple(self.shape(x)) != tuple(qs[:-1]) + (kts[-1],):
            return None
        # K^T = Transpose(K_raw, perm): K = Transpose(K_raw, perm with the
        # last two entries swapped), one transpose.
        kn = self.producer.get(kt)
        if kn is not None and kn.op_type == "Transpose" and \
                self.const(kt) is None:
            perm = list(helper.get_attribute_value(kn.attribute[0]))
            k_src, k_perm = kn.input[0], perm[:-2] + [perm[-1], perm[-2]]
        else:
            r = len(kts)
            k_src, k_perm = kt, list(range(r - 2)) + [r - 1, r - 2]
        if scale <= 0:
            return None
        if mask is not None:
            mshape = self.shape(mask[1])
            scores = self.shape(x_view if view else x)
            try:
                full = broadcast_shapes(mshape, scores)
            except ValueError:
                return None
            if full != scores:
                return None
        return _Attention(softmax=softmax, pv=pv, qk=qk, q=q, k=k_src,
                          k_perm=k_perm, v=pv.input[1], scale=scale,
                          mask=mask, scores_shape=self.shape(x),
                          out=pv.output[0], view=view)

    def compact_padding(self, name, heads_total):
        """If `name` is a key padding mask [B, 1, 1, Lk] expanded over heads
        and reshaped to [B*H, ..., Lk] (what PyTorch 1.13's
        MultiheadAttention exports), returns (source, B, H): source holds
        B*Lk elements in b-major order. Walks back through Reshape,
        Unsqueeze, Squeeze, Cast and exactly one Expand."""
        seen_expand = None
        while True:
            n = self.producer.get(name)
            if n is None:
                break
            if n.op_type in ("Reshape", "Unsqueeze", "Squeeze", "Cast"):
                name = n.input[0]
                continue
            if n.op_type == "Expand" and seen_expand is None:
                src = self.shape(n.input[0])
                dst = self.shape(n.output[0])
                if len(src) != len(dst) or len(src) < 3:
                    return None
                # [B, 1, 1.., Lk] -> [B, H, 1.., Lk]
                if src[1] != 1 or any(d != 1 for d in src[2:-1]) or \
                        dst[0] != src[0] or dst[-1] != src[-1] or \
                        any(d != 1 for d in dst[2:-1]):
                    return None
                seen_expand = (n.input[0], src[0], dst[1])
                name = n.input[0]
                continue
            break
        if seen_expand is None:
            return None
        src, b, h = seen_expand
        if b * h != heads_total:
            return None
        return src, b, h


def _triangular(visible, lq, lk):
    """Whether the [.., Lq, Lk] bool pattern is the bottom-right aligned
    causal one (key j visible from query i iff j <= i + Lk - Lq)."""
    i = np.arange(lq)[:, None]
    j = np.arange(lk)[None, :]
    causal = j <= i + (lk - lq)
    if visible.ndim < 2:
        visible = visible.reshape((1,) * (2 - visible.ndim) + visible.shape)
    return bool(np.all(np.broadcast_to(visible, visible.shape[:-2] +
                                       (lq, lk)) == causal))


def _emit_attention(ctx, m, env):
    """Emits attn.attention for match `m`; returns the Value of P @ V."""
    f = ctx.f
    q = ctx.value(env[m.q])
    k = f.transpose(ctx.value(env[m.k], q), m.k_perm)
    v = ctx.value(env[m.v], q)
    out_lead = q.shape[:-2]
    lq, d = q.shape[-2:]
    lk, dv = v.shape[-2:]
    if m.view is not None:
        # Q, K and V in the view the mask was added in.
        q = f.reshape(q, m.view + (lq, d))
        k = f.reshape(k, m.view + (lk, d))
        v = f.reshape(v, m.view + (lk, dv))
    lead = q.shape[:-2]
    if len(lead) == 2:
        b, h = lead
    elif len(lead) < 2:
        b, h = 1, int(np.prod(lead))
    else:
        b, h = int(np.prod(lead[:-1])), lead[-1]
    mask_v, causal = None, False
    if m.mask is not None:
        kind, name, factor = m.mask[:3]
        fill = m.mask[3] if len(m.mask) > 3 else -np.inf
        # A boolean mask whose masked logits get a finite fill keeps those
        # keys: an additive bias, 0 where visible and `fill` elsewhere.
        finite = kind != "add" and fill != -np.inf

        def as_bias(visible):
            return f.mul(f.cast(f.logical_not(visible), q.dtype), float(fill))

        mval = env[name] if getattr(m, "compact", None) is None else None
        mv = None  # the mask, of (a suffix of) the scores' shape
        if mval is None:
            src, b, h = m.compact
            cv = ctx.value(env[src])
            visible = cv if cv.dtype == "i1" else f.compare("ne", cv, 0.0)
            if kind == "bool_not":
                visible = f.logical_not(visible)
            elif kind == "add":
                raise AssertionError("compact masks are boolean")
            compact = as_bias(visible) if finite else visible
            mask_v = f.broadcast_to(f.reshape(compact, (b, 1, 1, lk)),
                                    (b, 1, lq, lk), name="key_padding_mask")
        elif _is_const(mval):
            full = lead + (lq, lk)
            if kind == "add":
                add = np.asarray(mval, np.float64) * factor
                vis = add == 0
                pattern = bool(np.all((add == 0) | (add <= _MASKED)))
                hides = bool(np.all((add == 0) | (add == -np.inf)))
            else:
                vis = mval.astype(bool)
                if kind == "bool_not":
                    vis = ~vis
                pattern, hides = True, not finite
            vis_full = np.broadcast_to(
                vis.reshape((1,) * (len(full) - vis.ndim) + vis.shape), full)
            # A pattern of visible and masked keys is a visibility mask
            # when masked keys are hidden (-inf), or when every row keeps a
            # visible key (a finite fill then gives weight 0 too).
            if pattern and (hides or bool(vis_full.any(-1).all())):
                if vis_full.all():
                    pass
                elif _triangular(vis_full, lq, lk):
                    causal = True
                else:
                    mv = f.constant(vis, name="mask")
            elif kind == "add":
                mv = f.constant(add.astype(_NP_DTYPES.get(q.dtype, np.float32)),
                                name="mask")
            else:
                mv = f.constant(np.where(vis, 0.0, fill).astype(
                    _NP_DTYPES.get(q.dtype, np.float32)), name="mask")
        else:
            mv = ctx.value(mval, q)
            if kind in ("bool", "bool_not"):
                mv = mv if mv.dtype == "i1" else f.cast(mv, "i1")
                if kind == "bool_not":
                    mv = f.logical_not(mv)
                if finite:
                    mv = as_bias(mv)
            elif factor != 1.0:
                mv = f.mul(mv, float(factor))
        if mv is not None:
            full = (lead + (lq, lk))
            mshape = (1,) * (len(full) - mv.rank) + mv.shape
            mlead = mshape[:-2]
            if len(mlead) == 2:
                mb, mh = mlead
            elif len(mlead) < 2:
                mb, mh = 1, int(np.prod(mlead))
            elif all(x == 1 for x in mlead[:-1]):
                mb, mh = 1, mlead[-1]
            else:
                mv = f.broadcast_to(mv, full)
                mb, mh = b, h
                mshape = full
            mv = f.reshape(mv, (mb, mh) + mshape[-2:])
            mask_v = f.broadcast_to(mv, (mb, mh, lq, lk), name="mask")
    q4 = f.reshape(q, (b, h, lq, d))
    k4 = f.reshape(k, (b, h, lk, d))
    v4 = f.reshape(v, (b, h, lk, dv))
    o = f.attention(q4, k4, v4, mask=mask_v, scale=m.scale, causal=causal,
                    name=_ssa_name(m.out) + ".attn")
    return f.reshape(o, out_lead + (lq, dv), name=_ssa_name(m.out))


# ------------------------------------------------- multi-scale deformable
def _match_msda(matcher, nodes):
    """Deformable DETR's ms_deform_attn_core_pytorch, as torch.onnx.export
    writes it: per level l, value_l = Reshape(Transpose(Flatten(Slice/Split
    of value))) to [N*M, D, H_l, W_l]; grid_l = sampling_grids[:, :, :, l]
    transposed to [N*M, Lq, P, 2] where sampling_grids = 2*loc - 1;
    GridSample(value_l, grid_l, bilinear, zeros, align_corners=0); the L
    samples stacked, multiplied by the attention weights and summed over
    (L, P). Raised to attn.ms_deform_attn when the whole chain is present:
    returns a list of dicts (value, loc, weights, levels, out) or []."""
    gs = [n for n in nodes if n.op_type == "GridSample"]
    if not gs:
        return []
    # The samples meet in one op chain ending in ReduceSum; find the
    # GridSamples' common consumer region: Stack -> (Unsqueeze + Concat),
    # Flatten/Reshape, Mul(weights), ReduceSum(-1), Reshape, Transpose.
    results = []
    by_out = matcher.consumers
    used = set()
    for g in gs:
        if g.name in used:
            continue
        # Walk forward from this GridSample to the ReduceSum.
        frontier, seen, reduce_node = [g.output[0]], set(), None
        for _ in range(8):
            nxt = []
            for t in frontier:
                for c in by_out.get(t, []):
                    if c.name in seen:
                        continue
                    seen.add(c.name)
                    if c.op_type == "ReduceSum":
                        reduce_node = c
                    nxt.extend(c.output)
            frontier = nxt
            if reduce_node is not None:
                break
        if reduce_node is None:
            continue
        res = _msda_from_reduce(matcher, reduce_node)
        if res is not None:
            used.update(res["gridsamples"])
            results.append(res)
    return results


def _perm(node):
    return list(_attrs(node).get("perm", []))


def _msda_from_reduce(mt, red):
    """Works back from the ReduceSum of ms_deform_attn_core_pytorch:
    (stack(samples, -2).flatten(-2) [N*M, D, Lq, L*P] * weights
    [N*M, 1, Lq, L*P]).sum(-1) -> .view(N, M*D, Lq) -> .transpose(1, 2)."""
    axes = _attrs(red).get("axes")
    if axes is None and len(red.input) > 1:
        axes = mt.const(red.input[1])
    if axes is None or [int(a) for a in np.reshape(axes, -1)] not in (
            [-1], [3]) or _attrs(red).get("keepdims", 1):
        return None
    mul = mt.producer.get(red.input[0])
    if mul is None or mul.op_type != "Mul":
        return None
    # The samples: Reshape(Concat(Unsqueeze(GridSample_l, -2) ...)).
    stacked = None
    for samples, weights in (tuple(mul.input), tuple(reversed(mul.input))):
        rs = mt.producer.get(samples)
        cat = mt.producer.get(rs.input[0]) if rs is not None and \
            rs.op_type == "Reshape" else None
        if cat is not None and cat.op_type == "Concat":
            ups = [mt.producer.get(i) for i in cat.input]
            if ups and all(u is not None and u.op_type == "Unsqueeze"
                           for u in ups):
                gsl = [mt.producer.get(u.input[0]) for u in ups]
                if all(g is not None and g.op_type == "GridSample"
                       for g in gsl):
                    stacked = (samples, weights, gsl)
                    break
    if stacked is None:
        return None
    samples, weights, gsl = stacked
    users = mt.consumers.get(red.output[0], [])
    if len(users) != 1 or users[0].op_type != "Reshape":
        return None
    rs = users[0]
    users = mt.consumers.get(rs.output[0], [])
    if len(users) != 1 or users[0].op_type != "Transpose" or \
            _perm(users[0]) != [0, 2, 1]:
        return None
    tr = users[0]
    if len(mt.shape(rs.output[0])) != 3 or len(mt.shape(samples)) != 4:
        return None
    n, md, lq = mt.shape(rs.output[0])
    nm, d, lq2, lp = mt.shape(samples)
    if lq2 != lq or nm % n or (nm // n) * d != md:
        return None
    m = nm // n
    levels = []
    for g in gsl:
        at = _attrs(g)
        if at.get("mode", b"bilinear") not in (b"bilinear", "bilinear") or \
                at.get("padding_mode", b"zeros") not in (b"zeros", "zeros") \
                or at.get("align_corners", 0):
            return None
        shp = mt.shape(g.input[0])
        if len(shp) != 4 or shp[:2] != (nm, d):
            return None
        levels.append((shp[2], shp[3]))
    num_l = len(levels)
    if lp % num_l:
        return None
    p = lp // num_l
    src_value = _trace_value(mt, [g.input[0] for g in gsl], n, m, d, levels)
    src_loc = _trace_grid(mt, [g.input[1] for g in gsl], n, lq, m, num_l, p)
    src_w = _trace_weights(mt, weights, n, lq, m, num_l, p)
    if src_value is None or src_loc is None or src_w is None:
        return None
    return dict(value=src_value, loc=src_loc, weights=src_w, levels=levels,
                out=tr.output[0], gridsamples={g.name for g in gsl})


def _walk_back(mt, name, ops, limit=12):
    """(tensor names, nodes) met walking back from `name` through
    single-data-input ops of `ops`."""
    path, nodes = [name], []
    for _ in range(limit):
        n = mt.producer.get(name)
        if n is None or n.op_type not in ops:
            break
        nodes.append(n)
        name = n.input[0]
        path.append(name)
    return path, nodes


_VIEWS = ("Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze")


def _trace_value(mt, values, n, m, d, levels):
    """Level l's [N*M, D, H_l, W_l] must be value.split(...)[l] (or a Slice
    of rows offset_l:offset_l + H_l W_l) viewed as [N, H_l W_l, M*D],
    transposed (0, 2, 1) and reshaped: returns the [N, S, M, D] value."""
    srcs, offset = set(), 0
    for l, (name, (h, w)) in enumerate(zip(values, levels)):
        path, nodes = _walk_back(mt, name, _VIEWS)
        if any(t.op_type == "Transpose" and (_perm(t) != [0, 2, 1] or
                                              mt.shape(t.input[0]) !=
                                              (n, h * w, m * d))
               for t in nodes):
            return None
        if sum(t.op_type == "Transpose" for t in nodes) != 1:
            return None
        node = mt.producer.get(path[-1])
        if node is None:
            return None
        if node.op_type == "Split":
            if list(node.output).index(path[-1]) != l or \
                    _attrs(node).get("axis", 0) % 4 != 1:
                return None
        elif node.op_type == "Slice":
            starts = mt.const(node.input[1])
            axes = mt.const(node.input[3]) if len(node.input) > 3 else None
            if starts is None or axes is None or \
                    list(np.reshape(axes, -1)) != [1] or \
                    int(np.reshape(starts, -1)[0]) != offset:
                return None
        else:
            return None
        if mt.shape(path[-1]) != (n, h * w, m, d):
            return None
        srcs.add(node.input[0])
        offset += h * w
    if len(srcs) != 1:
        return None
    src = srcs.pop()
    if mt.shape(src) != (n, offset, m, d):
        return None
    return src


def _trace_grid(mt, locs, n, lq, m, num_l, p):
    """Level l's grid [N*M, Lq, P, 2] must be sampling_grids[:, :, :, l]
    (a Gather of index l on dim 3), transposed (0, 2, 1, 3, 4) and
    flattened, with sampling_grids = 2 * loc - 1, loc [N, Lq, M, L, P, 2].
    Returns loc."""
    srcs = set()
    for l, name in enumerate(locs):
        path, nodes = _walk_back(mt, name, _VIEWS)
        if [t.op_type for t in nodes].count("Transpose") != 1 or any(
                t.op_type == "Transpose" and _perm(t) != [0, 2, 1, 3, 4]
                for t in nodes):
            return None
        node = mt.producer.get(path[-1])
        if node is None or node.op_type != "Gather" or \
                _attrs(node).get("axis", 0) % 6 != 3:
            return None
        idx = mt.const(node.input[1])
        if idx is None or idx.size != 1 or int(idx.reshape(())) % num_l != l:
            return None
        srcs.add(node.input[0])
    if len(srcs) != 1:
        return None
    grids = srcs.pop()
    sub = mt.producer.get(grids)
    if sub is None or sub.op_type != "Sub" or mt.scalar_const(
            sub.input[1]) != 1.0:
        return None
    loc, factor = mt.strip_scale(sub.input[0])
    if factor != 2.0 or mt.shape(loc) != (n, lq, m, num_l, p, 2):
        return None
    return loc


def _trace_weights(mt, weights, n, lq, m, num_l, p):
    """weights [N*M, 1, Lq, L*P] must be attention_weights [N, Lq, M, L, P]
    transposed (0, 2, 1, 3, 4) and reshaped."""
    path, nodes = _walk_back(mt, weights, _VIEWS)
    if mt.shape(weights) != (n * m, 1, lq, num_l * p):
        return None
    if [t.op_type for t in nodes].count("Transpose") != 1:
        return None
    for t in nodes:
        if t.op_type == "Transpose":
            if _perm(t) != [0, 2, 1, 3, 4] or mt.shape(t.input[0]) != (
                    n, lq, m, num_l, p):
                return None
            # Only views between the transposed tensor and the source.
            src = t.input[0]
            while mt.producer.get(src) is not None and \
                    mt.producer[src].op_type in _VIEWS and \
                    mt.shape(mt.producer[src].input[0]) == (n, lq, m, num_l,
                                                            p):
                src = mt.producer[src].input[0]
            return src
    return None


def _emit_msda(ctx, r, env):
    f = ctx.f
    value = ctx.value(env[r["value"]])
    loc = ctx.value(env[r["loc"]], value)
    w = ctx.value(env[r["weights"]], value)
    return f.ms_deform_attn(value, loc, w, r["levels"],
                            name=_ssa_name(r["out"]))


# ------------------------------------------------------------- the walks
def _check_supported(graph):
    """Ops neither converted nor folded (the folded ones with run-time
    inputs are found by the first walk)."""
    bad = [(n.op_type, n.name or f"#{i}") for i, n in enumerate(graph.node)
           if n.domain not in ("", "ai.onnx") or
           (n.op_type not in _HANDLERS and n.op_type not in _FOLD_ONLY)]
    if bad:
        raise UnsupportedOpError(bad)


_UNKNOWN = object()  # an output of a node that could not be evaluated


def _inputs_of(model, input_shapes):
    g = model.graph
    inits = {i.name for i in g.initializer}
    out = []
    for vi in g.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        dtype = _ONNX_DTYPES.get(tt.elem_type)
        if dtype is None:
            raise OnnxImportError(f"input '{vi.name}': unsupported element "
                                  f"type {tt.elem_type}")
        if input_shapes and vi.name in input_shapes:
            shape = tuple(int(d) for d in input_shapes[vi.name])
            model_dims = tt.shape.dim
            if len(model_dims) != len(shape) or any(
                    dim.HasField("dim_value") and dim.dim_value != n
                    for dim, n in zip(model_dims, shape)):
                raise OnnxImportError(
                    f"input_shapes['{vi.name}'] = {shape} does not fit the "
                    f"model's input shape ({', '.join(str(d.dim_value) if d.HasField('dim_value') else d.dim_param or '?' for d in model_dims)})")
        else:
            shape = []
            for dim in tt.shape.dim:
                if dim.HasField("dim_value"):
                    shape.append(dim.dim_value)
                else:
                    raise OnnxImportError(
                        f"input '{vi.name}' has a dynamic dimension "
                        f"'{dim.dim_param}': pass input_shapes={{'{vi.name}'"
                        ": (...)} (static shapes only)")
            shape = tuple(shape)
        out.append((vi.name, shape, dtype))
    unknown = sorted(set(input_shapes or ()) - {name for name, _, _ in out})
    if unknown:
        raise OnnxImportError(
            f"input_shapes names {', '.join(repr(n) for n in unknown)}, which "
            f"the model has no input of; its inputs: "
            f"{', '.join(repr(name) for name, _, _ in out)}")
    return out


def _walk(model, fn, inputs, opset, plan=None, live=None):
    """Evaluates or emits every node (or those in `live`) in order."""
    ctx = _Ctx(fn, opset)
    env = ctx.env
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    for name, shape, dtype in inputs:
        env[name] = fn.arg(_ssa_name(name), shape, dtype)
    raised = {} if plan is None else plan
    unfolded = []  # fold-only nodes with run-time inputs
    for node in model.graph.node:
        if live is not None and node.name not in live:
            continue
        if node.name in raised:
            kind, r = raised[node.name]
            out = _emit_attention(ctx, r, env) if kind == "attention" else \
                _emit_msda(ctx, r, env)
            env[r.out if kind == "attention" else r["out"]] = out
            continue
        ins = [env[i] if i else None for i in node.input]
        handler = _HANDLERS.get(node.op_type)
        if handler is None:
            handler = _FOLD_ONLY[node.op_type]
            if not all(x is None or _is_const(x) for x in ins):
                unfolded.append((node.op_type, node.name))
                handler = None
        if handler is None or any(x is _UNKNOWN for x in ins):
            for o in node.output:
                env[o] = _UNKNOWN
            continue
        try:
            outs = handler(ctx, node, ins, _attrs(node),
                           _ssa_name(node.output[0]))
        except OnnxImportError:
            raise
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise OnnxImportError(f"{node.op_type} node '{node.name}': {e}") \
                from e
        if not isinstance(outs, list):
            outs = [outs]
        for o, x in zip(node.output, outs):
            if o:
                # numpy returns scalars (np.generic) for 0-d results.
                env[o] = np.asarray(x) if isinstance(x, (np.generic, bool,
                                                         int, float)) else x
    if unfolded:
        raise UnsupportedOpError(unfolded, " (these ops are only evaluated "
                                 "when all their inputs are constant)")
    return ctx


def _live_nodes(model, plan, out_names):
    """Names of the nodes the outputs need; a raised node needs only the
    tensors of its match."""
    producer = {}
    for n in model.graph.node:
        for o in n.output:
            producer[o] = n
    by_out = {}
    for name, (kind, r) in plan.items():
        if kind == "attention":
            deps = [r.q, r.k, r.v]
            if r.mask is not None:
                deps.append(r.compact[0] if getattr(r, "compact", None)
                            else r.mask[1])
        else:
            deps = [r["value"], r["loc"], r["weights"]]
        by_out[name] = deps
    live, stack = set(), list(out_names)
    while stack:
        t = stack.pop()
        n = producer.get(t)
        if n is None or n.name in live:
            continue
        live.add(n.name)
        stack.extend(by_out.get(n.name, [i for i in n.input if i]))
    return live


def import_graph(model, *, function="main", input_shapes=None,
                 raise_attention=True, raise_msda=True):
    """Imports `model` (onnx.ModelProto, bytes or path) into an attn.Graph
    with one function `function` whose arguments are the model's inputs
    (initializers excluded; in graph order) and whose results are its
    outputs. input_shapes: {input name: shape} for inputs with dynamic
    dims. raise_attention / raise_msda: turn the raise steps off (for
    comparison). Raises UnsupportedOpError (listing every unsupported node)
    or OnnxImportError."""
    model = _load(model)
    _check_supported(model.graph)
    opset = max([o.version for o in model.opset_import
                 if o.domain in ("", "ai.onnx")] or [1])
    # Unique node names, so that plans and live sets can use them.
    names = set()
    for i, n in enumerate(model.graph.node):
        if not n.name or n.name in names:
            n.name = f"{n.name or n.op_type}#{i}"
        names.add(n.name)
    try:
        model = onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 (inference is a check, not a need)
        pass
    inputs = _inputs_of(model, input_shapes)
    # First walk: constants folded, every tensor's shape known.
    scratch = Graph().function(function)
    env = _walk(model, scratch, inputs, opset).env
    nodes = list(model.graph.node)
    matcher = _Matcher(nodes, env, [o.name for o in model.graph.output])
    plan = {}
    if raise_attention:
        for n in nodes:
            if n.op_type != "Softmax" or not isinstance(env.get(n.input[0]),
                                                        Value):
                continue
            m = matcher.match(n)
            if m is None:
                continue
            m.compact = None
            if m.mask is not None and m.mask[0] != "add" and \
                    m.view is None and \
                    len(m.scores_shape) == 3 and not _is_const(env[m.mask[1]]):
                c = matcher.compact_padding(m.mask[1], m.scores_shape[0])
                mshape = _shape_of(env[m.mask[1]])
                if c is not None and mshape[-2] == 1 and \
                        int(np.prod(_shape_of(env[c[0]]))) == c[1] * \
                        m.scores_shape[-1]:
                    m.compact = c
            plan[m.pv.name] = ("attention", m)
    if raise_msda:
        for r in _match_msda(matcher, nodes):
            prod = matcher.producer[r["out"]]
            plan[prod.name] = ("msda", r)
    out_names = [o.name for o in model.graph.output]
    live = _live_nodes(model, plan, out_names)
    graph = Graph()
    fn = graph.function(function)
    env = _walk(model, fn, inputs, opset, plan, live).env
    fn.ret(*[env[o] if isinstance(env[o], Value) else fn.constant(env[o])
             for o in out_names])
    return graph


def import_model(model, **kwargs):
    """MLIR text (a module with func.func @main, or `function=`) of ONNX
    `model`: an onnx.ModelProto, serialized bytes, or a .onnx path. The
    arguments of @main are the model's graph inputs in order, its results
    the graph outputs. Keyword arguments as import_graph(). See the module
    docstring for the raise patterns and docs/Python.md for the op list."""
    return import_graph(model, **kwargs).mlir()
