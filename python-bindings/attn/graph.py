# Part of the attn-mlir project.
"""attn.Graph - build attn-dialect modules from Python, one op per call.

    import numpy as np, attn
    g = attn.Graph()
    f = g.function("main")
    q, k, v = (f.arg(n, (1, 12, 197, 64)) for n in "qkv")
    f.ret(f.attention(q, k, v, causal=True))
    out = attn.compile(g).main(qa, ka, va)

A Graph is a module; `Graph.function(name)` adds a func.func and returns its
`Function` builder, whose methods append one op each and return `Value`s
(static shapes only; a shape error raises ValueError at build time, naming
the op and operand). The text is the IR that `attn.compile` takes: the
`attn` ops of docs/Spec.md plus `linalg`/`tensor`/`arith`/`math` on tensors,
with the SSA names chosen by the caller where given. Large constants
(weights) are printed as `dense_resource` blobs at the end of the module,
so the function bodies stay readable.

The math of the model-block ops (layer norm, RMS norm, GELU, SiLU, softmax)
is the textbook one, written out next to each method; elementwise binary
ops broadcast as numpy does (right-aligned, size-1 dimensions stretch).
"""

import re

import numpy as np

__all__ = ["Graph", "Function", "Value", "Scalar", "ScalarOps"]

# numpy dtype <-> MLIR element type.
_NP_TO_MLIR = {
    np.dtype(np.float32): "f32", np.dtype(np.float16): "f16",
    np.dtype(np.float64): "f64", np.dtype(np.bool_): "i1",
    np.dtype(np.int8): "i8", np.dtype(np.int16): "i16",
    np.dtype(np.int32): "i32", np.dtype(np.int64): "i64",
}
_MLIR_TO_NP = {v: k for k, v in _NP_TO_MLIR.items()}
_FLOATS = ("f32", "f16", "bf16", "f64")
_INTS = ("i8", "i16", "i32", "i64")
_BITS = {"f32": 32, "f16": 16, "bf16": 16, "f64": 64,
         "i8": 8, "i16": 16, "i32": 32, "i64": 64, "i1": 1}
# Constants with more elements than this become dense_resource blobs.
_INLINE_LIMIT = 64


def _element_type(dtype, what):
    """The MLIR element type named by `dtype`: an MLIR spelling ("f32") or
    a numpy dtype (np.float32, "float32"); ValueError naming `what` else."""
    if isinstance(dtype, str) and dtype in _BITS:
        return dtype
    try:
        return _NP_TO_MLIR[np.dtype(dtype)]
    except (TypeError, KeyError):
        raise ValueError(f"{what}: unknown element type {dtype!r}; expected "
                         f"one of {', '.join(_BITS)} or a numpy dtype "
                         f"({', '.join(str(d) for d in _NP_TO_MLIR)})") \
            from None


def tensor_type(shape, dtype):
    """`tensor<2x3xf32>` of a static shape and an MLIR element type."""
    dims = "".join(f"{int(d)}x" for d in shape)
    return f"tensor<{dims}{dtype}>"


def _scalar_literal(value, dtype):
    """An MLIR literal for one scalar of `dtype` (hex for non-finite)."""
    if dtype == "i1":
        return "true" if bool(value) else "false"
    if dtype in _INTS:
        return str(int(value))
    value = float(value)
    if np.isfinite(value):
        # The shortest decimal that reads back as the same value of the
        # type; MLIR's float literals need a '.'.
        # (bf16: the callers pass values that bf16 holds exactly, so the
        # f32 text reads back as the same bf16.)
        text = str(np.float32(value)) if dtype in ("f32", "bf16") else \
            str(np.float16(value)) if dtype == "f16" else repr(value)
        if "." not in text:
            mantissa, _, exp = text.partition("e")
            text = mantissa + ".0" + ("e" + exp if exp else "")
        return text
    if dtype == "bf16":   # the upper half of the f32 bits (NaN: 0x7FC0)
        bits = 0x7FC0 if np.isnan(value) else int(np.array(
            [value], np.float32).view(np.uint32)[0]) >> 16
        return f"0x{bits:X}"
    np_type = {"f32": np.float32, "f16": np.float16, "f64": np.float64}[dtype]
    bits = np.array([value], dtype=np_type).view(
        {"f32": np.uint32, "f16": np.uint16, "f64": np.uint64}[dtype])[0]
    return f"0x{int(bits):X}"


def _check_fits(what, x, dtype):
    """TypeError when float scalar or array `x` would lose its value as
    the integer (or i1) element type `dtype` (numpy would promote the
    result to float; the Graph keeps the tensor's type)."""
    if dtype in _FLOATS:
        return
    a = np.asarray(x)
    if a.dtype.kind in "fc" and not (np.isfinite(a).all() and
                                     (a == np.trunc(a)).all()):
        shown = a.item() if a.size == 1 else f"array {a.dtype}"
        raise TypeError(f"{what}: float value {shown} would be truncated "
                        f"to the tensor's element type {dtype}; cast the "
                        f"tensor to a float type first (cast(x, \"f32\"))")


def _nested(array, dtype):
    if array.ndim == 0:
        return _scalar_literal(array.item(), dtype)
    return "[" + ", ".join(_nested(a, dtype) for a in array) + "]"


class Value:
    """An SSA value of a Function: a ranked tensor of static `shape`
    (a tuple of ints) and MLIR element type `dtype` ("f32", "i1", ...).
    The arithmetic operators build ops (`a + b`, `a * 0.5`, `a @ w`)."""

    __slots__ = ("fn", "name", "shape", "dtype")

    def __init__(self, fn, name, shape, dtype):
        self.fn, self.name = fn, name
        self.shape, self.dtype = tuple(int(d) for d in shape), dtype

    @property
    def type(self):
        """The MLIR type, e.g. `tensor<1x197x768xf32>`."""
        return tensor_type(self.shape, self.dtype)

    @property
    def rank(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self):
        return f"Value({self.name} : {self.type})"

    def __add__(self, other):
        return self.fn.add(self, other)

    def __radd__(self, other):
        return self.fn.add(other, self)

    def __sub__(self, other):
        return self.fn.sub(self, other)

    def __rsub__(self, other):
        return self.fn.sub(other, self)

    def __mul__(self, other):
        return self.fn.mul(self, other)

    def __rmul__(self, other):
        return self.fn.mul(other, self)

    def __truediv__(self, other):
        return self.fn.div(self, other)

    def __rtruediv__(self, other):
        return self.fn.div(other, self)

    def __matmul__(self, other):
        return self.fn.matmul(self, other)

    def __neg__(self):
        return self.fn.neg(self)


def broadcast_shapes(*shapes):
    """numpy's broadcast of static shapes; ValueError when they clash."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dims = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise ValueError("shapes " + ", ".join(str(tuple(s)) for s in shapes)
                             + " do not broadcast")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def _reassociation(big, small):
    """The reassociation of tensor.collapse_shape from `big` to `small` (or
    expand_shape back), grouping consecutive dims; None if there is none."""
    if len(small) == 0:
        return [] if all(d == 1 for d in big) else None
    groups, i = [], 0
    for t in small:
        if i >= len(big):
            return None
        group, p = [i], big[i]
        i += 1
        while p < t and i < len(big):
            group.append(i)
            p *= big[i]
            i += 1
        if p != t:
            return None
        groups.append(group)
    while i < len(big):
        if big[i] != 1:
            return None
        groups[-1].append(i)
        i += 1
    return groups


class _Body:
    """The region of a linalg.generic: block arguments and scalar ops.
    Its SSA names are numbers (%0, %1, ...: the block arguments, the
    output's last, then the ops), which Function._fresh never gives a
    value of the function, so no user-chosen name can clash with them."""

    def __init__(self, fn, arg_types):
        self.fn = fn
        self.lines = []
        self.args = [f"%{i}" for i in range(len(arg_types))]
        self.arg_types = arg_types
        self._n = len(arg_types)

    def op(self, text, type_):
        """Appends `%N = <text> : <type_>` and returns `%N`."""
        name = f"%{self._n}"
        self._n += 1
        self.lines.append(f"{name} = {text} : {type_}")
        return name

    def raw(self, text):
        """Appends `%N = <text>` (the caller writes the type) -> `%N`."""
        name = f"%{self._n}"
        self._n += 1
        self.lines.append(f"{name} = {text}")
        return name

    def const(self, value, dtype):
        if dtype == "i1":   # `true : i1` does not parse; the type is implied
            return self.raw(f"arith.constant {_scalar_literal(value, dtype)}")
        return self.op(f"arith.constant {_scalar_literal(value, dtype)}", dtype)


class Scalar:
    """One scalar of the body of `Function.einsum`: an SSA value of the
    linalg.generic's region. `+ - * /` (also with Python numbers) and unary
    `-` build arith ops; the functions are on the `ScalarOps` passed as the
    body's first argument."""

    __slots__ = ("body", "name", "dtype")

    def __init__(self, body, name, dtype):
        self.body, self.name, self.dtype = body, name, dtype

    def _lift(self, other):
        if isinstance(other, Scalar):
            return other
        if isinstance(other, (int, float, np.floating, np.integer)):
            return Scalar(self.body, self.body.const(float(other), self.dtype),
                          self.dtype)
        raise TypeError(f"einsum body: cannot combine a scalar with "
                        f"{type(other).__name__}")

    def _binary(self, kind, other, swap=False):
        other = self._lift(other)
        x, y = (other, self) if swap else (self, other)
        return Scalar(self.body, self.body.op(
            f"{_FLOAT_BINARY[kind]} {x.name}, {y.name}", self.dtype), self.dtype)

    def __add__(self, o): return self._binary("add", o)
    def __radd__(self, o): return self._binary("add", o, True)
    def __sub__(self, o): return self._binary("sub", o)
    def __rsub__(self, o): return self._binary("sub", o, True)
    def __mul__(self, o): return self._binary("mul", o)
    def __rmul__(self, o): return self._binary("mul", o, True)
    def __truediv__(self, o): return self._binary("div", o)
    def __rtruediv__(self, o): return self._binary("div", o, True)

    def __neg__(self):
        return Scalar(self.body, self.body.op(f"arith.negf {self.name}",
                                              self.dtype), self.dtype)

    def __repr__(self):
        return f"Scalar({self.name} : {self.dtype})"


class ScalarOps:
    """The scalar functions of an einsum body: `exp`, `log`, `tanh`, `erf`,
    `sqrt`, `abs`, `sigmoid`, `maximum`, `minimum` (math/arith ops of the
    element type)."""

    def __init__(self, body, dtype):
        self._body, self._dtype = body, dtype

    def _unary(self, op, x):
        x = self.const(x) if not isinstance(x, Scalar) else x
        return Scalar(self._body, self._body.op(f"{op} {x.name}", self._dtype),
                      self._dtype)

    def const(self, value):
        """A constant of the element type."""
        return Scalar(self._body, self._body.const(float(value), self._dtype),
                      self._dtype)

    def exp(self, x): return self._unary("math.exp", x)
    def log(self, x): return self._unary("math.log", x)
    def tanh(self, x): return self._unary("math.tanh", x)
    def erf(self, x): return self._unary("math.erf", x)
    def sqrt(self, x): return self._unary("math.sqrt", x)
    def abs(self, x): return self._unary("math.absf", x)

    def sigmoid(self, x):
        """1 / (1 + exp(-x))."""
        return 1.0 / (self.exp(-x) + 1.0)

    def maximum(self, x, y):
        return (x if isinstance(x, Scalar) else self.const(x))._binary("max", y)

    def minimum(self, x, y):
        return (x if isinstance(x, Scalar) else self.const(x))._binary("min", y)


def _binary_float(op):
    return lambda b, t, x, y: b.op(f"{op} {x}, {y}", t)


_FLOAT_BINARY = {"add": "arith.addf", "sub": "arith.subf",
                 "mul": "arith.mulf", "div": "arith.divf",
                 "max": "arith.maximumf", "min": "arith.minimumf",
                 "pow": "math.powf"}
_INT_BINARY = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli",
               "div": "arith.divsi", "max": "arith.maxsi",
               "min": "arith.minsi"}
_CMP_F = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt",
          "ge": "oge"}
_CMP_I = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt",
          "ge": "sge"}


class Function:
    """Builds one func.func of a Graph. Every op method returns a Value (or
    a tuple of them) and checks shapes when it is called. `name=` on any op
    chooses the SSA name of its result (made unique and MLIR-safe)."""

    def __init__(self, graph, name):
        self.graph, self.name = graph, name
        self.args, self.results, self.lines = [], None, []
        self._names = set()

    # ---------------------------------------------------------------- naming
    def _fresh(self, hint=None):
        # Always starting with a letter or '_': numbers are the names of
        # the linalg.generic bodies (_Body).
        base = re.sub(r"[^A-Za-z0-9_.$-]", "_", hint or "v")
        if not re.match(r"[A-Za-z_]", base):
            base = "v" + base
        name, n = base, 0
        while name in self._names:
            n += 1
            name = f"{base}_{n}"
        self._names.add(name)
        return "%" + name

    def _emit(self, line):
        if self.results is not None:
            raise ValueError(f"@{self.name} has returned; no op may follow")
        self.lines.append(line)

    def _value(self, x, like=None, dtype=None):
        """`x` as a Value of this function; numpy arrays become constants."""
        if isinstance(x, Value):
            if x.fn is not self:
                raise ValueError(f"{x.name} belongs to @{x.fn.name}, "
                                 f"not to @{self.name}")
            return x
        array = np.asarray(x)
        if dtype is None:
            dtype = like.dtype if like is not None else (
                "f32" if array.dtype.kind == "f" else
                _NP_TO_MLIR.get(array.dtype, "i64"))
        _check_fits("constant operand", array, dtype)
        return self.constant(array.astype(_MLIR_TO_NP.get(dtype, np.float32)),
                             dtype=dtype)

    # ---------------------------------------------------- arguments, returns
    def arg(self, name, shape, dtype="f32"):
        """A function argument `%name` of static `shape` and element type
        `dtype`: an MLIR element type ("f32", "f16", "bf16", "i1", "i64",
        ...) or a numpy dtype (np.float32, "float32", bool, ...)."""
        if self.lines or self.results is not None:
            raise ValueError(f"@{self.name}: arguments come before the ops")
        dtype = _element_type(dtype, f"argument {name}")
        if any(int(d) < 0 for d in shape):
            raise ValueError(f"argument {name}: static shapes only, got "
                             f"{tuple(shape)}")
        v = Value(self, self._fresh(name), shape, dtype)
        self.args.append(v)
        return v

    def ret(self, *values):
        """Ends the function, returning `values` (one or more Values)."""
        if self.results is not None:
            raise ValueError(f"@{self.name} has returned already")
        values = [self._value(v) for v in values]
        if not values:
            raise ValueError(f"@{self.name}: ret() needs at least one value")
        self.results = values

    def mlir(self):
        """The func.func text."""
        if self.results is None:
            raise ValueError(f"@{self.name} has no ret() yet")
        args = ", ".join(f"{a.name}: {a.type}" for a in self.args)
        types = ", ".join(v.type for v in self.results)
        if len(self.results) > 1:
            types = f"({types})"
        out = [f"func.func @{self.name}({args}) -> {types} {{"]
        out += ["  " + line for line in self.lines]
        out.append("  return " + ", ".join(v.name for v in self.results)
                   + " : " + ", ".join(v.type for v in self.results))
        out.append("}")
        return "\n".join(out)

    # ------------------------------------------------------------- constants
    def constant(self, array, name=None, dtype=None):
        """A constant tensor holding numpy `array` (element type from its
        dtype, or `dtype`). Splats print as `dense<v>`, small arrays inline,
        large ones as a dense_resource blob of the module."""
        array = np.asarray(array)
        if dtype is None:
            if array.dtype not in _NP_TO_MLIR:
                raise TypeError(f"constant: unsupported dtype {array.dtype}")
            dtype = _NP_TO_MLIR[array.dtype]
        dtype = _element_type(dtype, "constant")
        if dtype == "bf16":
            # Printed from the f32 values that bf16 holds (rounded to
            # nearest even); the bytes of blobs are the bf16 bits.
            from . import bf16_from_f32, bf16_to_f32
            raw = bf16_from_f32(array.astype(np.float32))
            array = bf16_to_f32(raw)
        else:
            array = np.ascontiguousarray(array.astype(_MLIR_TO_NP[dtype]))
            raw = array
        v = Value(self, self._fresh(name or "cst"), array.shape, dtype)
        flat = array.reshape(-1)
        if flat.size and (flat == flat[0]).all() and (
                dtype not in _FLOATS or np.isfinite(flat[0])):
            literal = f"dense<{_scalar_literal(flat[0], dtype)}>"
        elif flat.size <= _INLINE_LIMIT or dtype == "i1":
            if dtype in _FLOATS and not np.isfinite(flat).all():
                literal = f'dense<"0x{raw.tobytes().hex().upper()}">'
            else:
                literal = f"dense<{_nested(array, dtype)}>"
        else:
            key = self.graph._add_resource(v.name[1:], raw)
            literal = f"dense_resource<{key}>"
        self._emit(f"{v.name} = arith.constant {literal} : {v.type}")
        return v

    def _empty(self, shape, dtype, hint="empty"):
        name = self._fresh(hint)
        self._emit(f"{name} = tensor.empty() : {tensor_type(shape, dtype)}")
        return name

    def _filled(self, value, shape, dtype, hint="init"):
        empty = self._empty(shape, dtype)
        cst = self._fresh("cst")
        self._emit(f"{cst} = arith.constant {_scalar_literal(value, dtype)} "
                   f": {dtype}")
        name = self._fresh(hint)
        t = tensor_type(shape, dtype)
        self._emit(f"{name} = linalg.fill ins({cst} : {dtype}) outs({empty} "
                   f": {t}) -> {t}")
        return name

    # ----------------------------------------------------- linalg.generic core
    def _generic(self, operands, out_shape, out_dtype, body, *,
                 reduce_dims=(), init=None, name=None, hint="v"):
        """A linalg.generic over loops of `out_shape` (+ `reduce_dims`
        extents appended as reduction loops). `operands` are (Value, dims)
        pairs: dims[i] is the loop index of the operand's dim i, or None for
        a size-1 dim read at 0. The output is indexed by the parallel loops.
        `body(b, arg_names) -> result name` writes the scalar code."""
        loops = list(out_shape) + list(reduce_dims)
        n = len(loops)
        ds = [f"d{i}" for i in range(n)]

        def amap(dims):
            exprs = ", ".join("0" if d is None else ds[d] for d in dims)
            return f"affine_map<({', '.join(ds)}) -> ({exprs})>"

        maps = [amap(dims) for _, dims in operands]
        maps.append(amap(list(range(len(out_shape)))))
        iters = ", ".join(['"parallel"'] * len(out_shape)
                          + ['"reduction"'] * len(reduce_dims))
        out_t = tensor_type(out_shape, out_dtype)
        if init is None:
            init = self._empty(out_shape, out_dtype)
        b = _Body(self, [v.dtype for v, _ in operands] + [out_dtype])
        result = body(b, b.args)
        res = self._fresh(name or hint)
        ins = ""
        if operands:
            ins = (" ins(" + ", ".join(v.name for v, _ in operands) + " : "
                   + ", ".join(v.type for v, _ in operands) + ")")
        self._emit(f"{res} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                   f"iterator_types = [{iters}]}}{ins} outs({init} : {out_t}) {{")
        self._emit("^bb0(" + ", ".join(f"{a}: {t}" for a, t in
                                       zip(b.args, b.arg_types)) + "):")
        for line in b.lines:
            self._emit("  " + line)
        self._emit(f"  linalg.yield {result} : {out_dtype}")
        self._emit(f"}} -> {out_t}")
        return Value(self, res, out_shape, out_dtype)

    def _broadcast_operands(self, xs, out_shape):
        """(Value, dims) pairs reading each of `xs` broadcast to
        `out_shape` (numpy rules); Python scalars are left as they are."""
        ops = []
        rank = len(out_shape)
        for x in xs:
            if not isinstance(x, Value):
                continue
            off = rank - x.rank
            dims = [None if (d == 1 and out_shape[off + i] != 1) else off + i
                    for i, d in enumerate(x.shape)]
            ops.append((x, dims))
        return ops

    def _elementwise(self, xs, body, out_dtype=None, name=None, hint="v",
                     op_name="elementwise"):
        """Applies `body(b, type, *scalars)` elementwise over Values and
        Python scalars `xs`, broadcast as numpy does."""
        values = [x for x in xs if isinstance(x, Value)]
        if not values:
            raise ValueError(f"{op_name}: needs at least one tensor operand")
        dtype = values[0].dtype
        for v in values:
            if v.fn is not self:
                raise ValueError(f"{op_name}: {v.name} belongs to @{v.fn.name}")
        for x in xs:
            if not isinstance(x, Value):
                _check_fits(op_name, x, dtype)
        try:
            out_shape = broadcast_shapes(*[v.shape for v in values])
        except ValueError as e:
            raise ValueError(f"{op_name}: {e}") from None
        ops = self._broadcast_operands(xs, out_shape)

        def gen(b, args):
            it = iter(args)
            scalars = []
            for x in xs:
                if isinstance(x, Value):
                    scalars.append(next(it))
                else:
                    scalars.append(b.const(x, dtype))
            return body(b, dtype, *scalars)

        return self._generic(ops, out_shape, out_dtype or dtype, gen,
                             name=name, hint=hint)

    def _binary(self, kind, a, b_, name=None):
        values = [x for x in (a, b_) if isinstance(x, Value)]
        if not values:
            raise ValueError(f"{kind}: needs at least one tensor operand")
        ref = values[0]
        a = a if isinstance(a, (Value, int, float)) else self._value(a, ref)
        b_ = b_ if isinstance(b_, (Value, int, float)) else self._value(b_, ref)
        for v in (a, b_):
            if isinstance(v, Value) and v.dtype != ref.dtype:
                raise ValueError(f"{kind}: element types differ ({ref.dtype} "
                                 f"and {v.dtype})")
        dtype = ref.dtype
        if dtype in _FLOATS:
            op = _FLOAT_BINARY[kind]
        elif dtype in _INTS and kind in _INT_BINARY:
            op = _INT_BINARY[kind]
        else:
            raise ValueError(f"{kind}: unsupported element type {dtype}")
        return self._elementwise([a, b_], lambda b, t, x, y: b.op(
            f"{op} {x}, {y}", t), name=name, hint=kind, op_name=kind)

    # ------------------------------------------------ elementwise, broadcast
    def add(self, a, b, name=None):
        """a + b, numpy broadcasting (either may be a Python scalar)."""
        return self._binary("add", a, b, name)

    def sub(self, a, b, name=None):
        """a - b, numpy broadcasting."""
        return self._binary("sub", a, b, name)

    def mul(self, a, b, name=None):
        """a * b, numpy broadcasting."""
        return self._binary("mul", a, b, name)

    def div(self, a, b, name=None):
        """a / b, numpy broadcasting (signed integer division for ints)."""
        return self._binary("div", a, b, name)

    def maximum(self, a, b, name=None):
        """max(a, b) elementwise (IEEE maximum: NaN propagates)."""
        return self._binary("max", a, b, name)

    def minimum(self, a, b, name=None):
        """min(a, b) elementwise (IEEE minimum: NaN propagates)."""
        return self._binary("min", a, b, name)

    def pow(self, a, b, name=None):
        """a ** b elementwise (floats; x**2 and x**0.5 are written as a
        multiplication and math.sqrt)."""
        if isinstance(b, (int, float)) and float(b) in (2.0, 0.5, 1.0):
            if float(b) == 2.0:
                return self._unary(a, lambda bb, t, x: bb.op(
                    f"arith.mulf {x}, {x}", t), name, "pow")
            if float(b) == 0.5:
                return self.sqrt(a, name=name)
            return a
        return self._binary("pow", a, b, name)

    def compare(self, kind, a, b, name=None):
        """a <kind> b elementwise -> i1, kind in eq ne lt le gt ge."""
        if kind not in _CMP_F:
            raise ValueError(f"compare: unknown kind {kind!r}; expected one "
                             f"of {', '.join(_CMP_F)}")
        ref = a if isinstance(a, Value) else b
        if ref.dtype in _FLOATS:
            pred, op = _CMP_F[kind], "arith.cmpf"
        else:
            pred, op = _CMP_I[kind], "arith.cmpi"
        return self._elementwise(
            [a, b], lambda bb, t, x, y: bb.raw(f"{op} {pred}, {x}, {y} : {t}"),
            out_dtype="i1", name=name, hint=kind, op_name=kind)

    def where(self, cond, a, b, name=None):
        """cond ? a : b elementwise (cond i1), numpy broadcasting over all
        three; a or b may be Python scalars."""
        if not isinstance(cond, Value) or cond.dtype != "i1":
            raise ValueError("where: the condition must be an i1 tensor")
        ref = a if isinstance(a, Value) else b
        if not isinstance(ref, Value):
            raise ValueError("where: a or b must be a tensor")
        xs = [cond, a, b]
        values = [x for x in xs if isinstance(x, Value)]
        out_shape = broadcast_shapes(*[v.shape for v in values])
        ops = self._broadcast_operands(xs, out_shape)
        dtype = ref.dtype
        for x in (a, b):
            if not isinstance(x, Value):
                _check_fits("where", x, dtype)

        def gen(bb, args):
            it = iter(args)
            s = [next(it) if isinstance(x, Value) else bb.const(x, dtype)
                 for x in xs]
            return bb.op(f"arith.select {s[0]}, {s[1]}, {s[2]}", dtype)

        return self._generic(ops, out_shape, dtype, gen, name=name,
                             hint="where")

    def logical_and(self, a, b, name=None):
        """a and b (i1), numpy broadcasting."""
        return self._elementwise([a, b], lambda bb, t, x, y: bb.op(
            f"arith.andi {x}, {y}", t), name=name, hint="and",
            op_name="logical_and")

    def logical_or(self, a, b, name=None):
        """a or b (i1), numpy broadcasting."""
        return self._elementwise([a, b], lambda bb, t, x, y: bb.op(
            f"arith.ori {x}, {y}", t), name=name, hint="or",
            op_name="logical_or")

    def logical_not(self, x, name=None):
        """not x (i1)."""
        return self._unary(x, lambda b, t, v: b.op(
            f"arith.xori {v}, {b.const(True, 'i1')}", t), name, "not")

    def cast(self, x, dtype, name=None):
        """x converted to element type `dtype`, an MLIR element type or a
        numpy dtype (float<->float, f16<->bf16 through f32, int<->float,
        int<->int, i1 -> 0/1, to i1: x != 0); ValueError for an unknown
        type."""
        dtype = _element_type(dtype, "cast")
        src = x.dtype
        if src == dtype:
            return x

        def body(b, t, v):
            if {src, dtype} == {"f16", "bf16"}:
                wide = b.raw(f"arith.extf {v} : {src} to f32")
                return b.raw(f"arith.truncf {wide} : f32 to {dtype}")
            if src in _FLOATS and dtype in _FLOATS:
                op = "arith.extf" if _BITS[dtype] > _BITS[src] else "arith.truncf"
            elif dtype == "i1":
                zero = b.const(0, src)
                if src in _FLOATS:
                    return b.raw(f"arith.cmpf une, {v}, {zero} : {src}")
                return b.raw(f"arith.cmpi ne, {v}, {zero} : {src}")
            elif src in _FLOATS:
                op = "arith.fptosi"
            elif dtype in _FLOATS:
                op = "arith.uitofp" if src == "i1" else "arith.sitofp"
            else:
                op = ("arith.extui" if src == "i1" else "arith.extsi") \
                    if _BITS[dtype] > _BITS[src] else "arith.trunci"
            return b.raw(f"{op} {v} : {src} to {dtype}")

        return self._generic([(x, list(range(x.rank)))], x.shape, dtype,
                             lambda b, args: body(b, src, args[0]),
                             name=name, hint="cast")

    def _unary(self, x, body, name, hint):
        x = self._value(x)
        return self._generic([(x, list(range(x.rank)))], x.shape, x.dtype,
                             lambda b, args: body(b, x.dtype, args[0]),
                             name=name, hint=hint)

    def _math(self, op, hint):
        def method(x, name=None):
            return self._unary(x, lambda b, t, v: b.op(f"{op} {v}", t),
                               name, hint)
        return method

    def neg(self, x, name=None):
        """-x."""
        return self._math("arith.negf", "neg")(x, name)

    def exp(self, x, name=None):
        """e**x (math.exp)."""
        return self._math("math.exp", "exp")(x, name)

    def log(self, x, name=None):
        """ln x (math.log)."""
        return self._math("math.log", "log")(x, name)

    def sqrt(self, x, name=None):
        """sqrt(x) (math.sqrt)."""
        return self._math("math.sqrt", "sqrt")(x, name)

    def rsqrt(self, x, name=None):
        """1/sqrt(x) (math.rsqrt)."""
        return self._math("math.rsqrt", "rsqrt")(x, name)

    def tanh(self, x, name=None):
        """tanh(x) (math.tanh)."""
        return self._math("math.tanh", "tanh")(x, name)

    def erf(self, x, name=None):
        """erf(x) (math.erf; the CPU pipeline lowers it with MLIR's
        polynomial approximation, max error ~1e-7 in f32)."""
        return self._math("math.erf", "erf")(x, name)

    def abs(self, x, name=None):
        """|x| (math.absf)."""
        return self._math("math.absf", "abs")(x, name)

    def reciprocal(self, x, name=None):
        """1/x."""
        return self._unary(x, lambda b, t, v: b.op(
            f"arith.divf {b.const(1.0, t)}, {v}", t), name, "recip")

    def relu(self, x, name=None):
        """max(x, 0)."""
        return self._unary(x, lambda b, t, v: b.op(
            f"arith.maximumf {v}, {b.const(0.0, t)}", t), name, "relu")

    def sigmoid(self, x, name=None):
        """1 / (1 + exp(-x))."""
        def body(b, t, v):
            e = b.op(f"math.exp {b.op(f'arith.negf {v}', t)}", t)
            one = b.const(1.0, t)
            return b.op(f"arith.divf {one}, {b.op(f'arith.addf {one}, {e}', t)}", t)
        return self._unary(x, body, name, "sigmoid")

    def silu(self, x, name=None):
        """SiLU / swish: x * sigmoid(x) = x / (1 + exp(-x)) (Elfwing et al.
        2018; torch.nn.SiLU)."""
        def body(b, t, v):
            e = b.op(f"math.exp {b.op(f'arith.negf {v}', t)}", t)
            den = b.op(f"arith.addf {b.const(1.0, t)}, {e}", t)
            return b.op(f"arith.divf {v}, {den}", t)
        return self._unary(x, body, name, "silu")

    def gelu(self, x, approximate="none", name=None):
        """GELU (Hendrycks & Gimpel 2016, torch.nn.GELU):
        exact: 0.5 * x * (1 + erf(x / sqrt(2)));
        approximate="tanh": 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))."""
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', "
                             f"got {approximate!r}")

        def body(b, t, v):
            if approximate == "none":
                s = b.op(f"arith.mulf {v}, {b.const(0.7071067811865476, t)}", t)
                e = b.op(f"math.erf {s}", t)
            else:
                x3 = b.op(f"arith.mulf {b.op(f'arith.mulf {v}, {v}', t)}, {v}", t)
                inner = b.op(f"arith.addf {v}, "
                             f"{b.op(f'arith.mulf {x3}, {b.const(0.044715, t)}', t)}", t)
                s = b.op(f"arith.mulf {inner}, {b.const(0.7978845608028654, t)}", t)
                e = b.op(f"math.tanh {s}", t)
            one_e = b.op(f"arith.addf {e}, {b.const(1.0, t)}", t)
            half_x = b.op(f"arith.mulf {v}, {b.const(0.5, t)}", t)
            return b.op(f"arith.mulf {half_x}, {one_e}", t)
        return self._unary(x, body, name, "gelu")

    # ------------------------------------------------------------ reductions
    def _axes(self, x, axes, op):
        if axes is None:
            return list(range(x.rank))
        if isinstance(axes, int):
            axes = [axes]
        out = []
        for a in axes:
            if not -x.rank <= a < x.rank:
                raise ValueError(f"{op}: axis {a} out of range for rank "
                                 f"{x.rank} ({x.type})")
            out.append(a % x.rank)
        return sorted(set(out))

    def _reduce(self, x, axes, kind, name=None, hint="sum"):
        """Reduces `x` over `axes` (dropped from the shape): kind sum, max
        or min (integers only)."""
        kept = [i for i in range(x.rank) if i not in axes]
        out_shape = [x.shape[i] for i in kept]
        red = [x.shape[i] for i in axes]
        dims = [None] * x.rank
        for j, i in enumerate(kept):
            dims[i] = j
        for j, i in enumerate(axes):
            dims[i] = len(kept) + j
        init_value = 0.0 if kind == "sum" else -np.inf
        if x.dtype in _INTS:
            info = np.iinfo(_MLIR_TO_NP[x.dtype])
            init_value = {"sum": 0, "max": info.min, "min": info.max}[kind]
        init = self._filled(init_value, out_shape, x.dtype)
        op = {("sum", True): "arith.addf", ("max", True): "arith.maximumf",
              ("sum", False): "arith.addi", ("max", False): "arith.maxsi",
              ("min", False): "arith.minsi"}[(kind, x.dtype in _FLOATS)]
        return self._generic(
            [(x, dims)], out_shape, x.dtype,
            lambda b, a: b.op(f"{op} {a[0]}, {a[1]}", x.dtype),
            reduce_dims=red, init=init, name=name, hint=hint)

    def einsum(self, spec, *operands, body=None, reduce="sum", name=None):
        """Einstein summation with an optional custom body: one
        linalg.generic whose loops are the letters of `spec`
        ("bih,bjh,h->bij": operand dims by letter, `->` the output's), the
        output's letters parallel and the others reduced.

        out[out letters] = reduce over the other letters of
                           body(s, x0[...], x1[...], ...)

        `body(s, *scalars)` returns a `Scalar` built from the operands'
        scalars with `+ - * /` and the functions of `s` (`ScalarOps`:
        exp, tanh, ...); the default is their product (numpy.einsum).
        `reduce` is "sum" (initial 0) or "max" (initial -inf). Operands
        are float tensors of one element type; a letter has one size in
        every operand. So a score that is not a dot product never stores
        its [..., reduced] intermediate, e.g. additive (Bahdanau, ICLR
        2015) attention's `w_v . tanh(W_q q + W_k k)`:

            f.einsum("bih,bjh,h->bij", qp, kp, wv,
                     body=lambda s, q, k, w: w * s.tanh(q + k))

        Errors (ValueError at build time): a malformed spec, a letter
        count that does not match an operand's rank, a letter repeated in
        one operand or in the output, an output letter no operand has,
        sizes that disagree, mixed or non-float element types, a body
        that returns no Scalar."""
        what = f"einsum {spec!r}"
        if reduce not in ("sum", "max"):
            raise ValueError(f"{what}: reduce must be 'sum' or 'max', "
                             f"not {reduce!r}")
        text = spec.replace(" ", "")
        if text.count("->") != 1:
            raise ValueError(f"{what}: needs one '->' between the operands' "
                             f"letters and the output's")
        lhs, out = text.split("->")
        ins = lhs.split(",")
        if len(ins) != len(operands):
            raise ValueError(f"{what}: {len(ins)} operand(s) in the spec, "
                             f"{len(operands)} given")
        sizes = {}
        for i, (letters, v) in enumerate(zip(ins, operands)):
            if not isinstance(v, Value) or v.fn is not self:
                raise ValueError(f"{what}: operand {i} is not a Value of "
                                 f"@{self.name}")
            if not re.fullmatch(r"[A-Za-z]*", letters):
                raise ValueError(f"{what}: operand {i}: letters must be "
                                 f"a-z or A-Z, got {letters!r}")
            if len(letters) != v.rank:
                raise ValueError(f"{what}: operand {i} ({v.type}) has rank "
                                 f"{v.rank}, the spec gives {len(letters)} "
                                 f"letters ({letters!r})")
            if len(set(letters)) != len(letters):
                raise ValueError(f"{what}: operand {i} repeats a letter "
                                 f"({letters!r}); diagonals are not supported")
            for letter, size in zip(letters, v.shape):
                if sizes.setdefault(letter, size) != size:
                    raise ValueError(f"{what}: letter {letter!r} is "
                                     f"{sizes[letter]} in an earlier operand "
                                     f"and {size} in operand {i} ({v.type})")
            if v.dtype != operands[0].dtype:
                raise ValueError(f"{what}: operand {i} is {v.dtype}, operand "
                                 f"0 is {operands[0].dtype}")
        dtype = operands[0].dtype if operands else None
        if dtype not in _FLOATS:
            raise ValueError(f"{what}: needs float operands, got {dtype}")
        if not re.fullmatch(r"[A-Za-z]*", out) or len(set(out)) != len(out):
            raise ValueError(f"{what}: the output letters {out!r} must be "
                             f"distinct letters")
        for letter in out:
            if letter not in sizes:
                raise ValueError(f"{what}: output letter {letter!r} is in no "
                                 f"operand")
        reduced = [l for l in dict.fromkeys("".join(ins)) if l not in out]
        loop = {l: i for i, l in enumerate(list(out) + reduced)}
        out_shape = [sizes[l] for l in out]
        ops = [(v, [loop[l] for l in letters])
               for letters, v in zip(ins, operands)]
        init = None

        def gen(b, args):
            xs = [Scalar(b, a, dtype) for a in args[:-1]]
            if body is None:
                r = xs[0]
                for x in xs[1:]:
                    r = r * x
            else:
                r = body(ScalarOps(b, dtype), *xs)
            if isinstance(r, (int, float)):
                r = ScalarOps(b, dtype).const(r)
            if not isinstance(r, Scalar) or r.body is not b:
                raise ValueError(f"{what}: the body must return a Scalar "
                                 f"built from its arguments, got {r!r}")
            if not reduced:
                return r.name
            kind = "add" if reduce == "sum" else "max"
            return b.op(f"{_FLOAT_BINARY[kind]} {args[-1]}, {r.name}", dtype)

        # The body's errors surface before any op is emitted.
        probe = _Body(self, [dtype] * (len(operands) + 1))
        gen(probe, probe.args)
        if reduced:
            init = self._filled(0.0 if reduce == "sum" else -np.inf,
                                out_shape, dtype)
        return self._generic(ops, out_shape, dtype, gen,
                             reduce_dims=[sizes[l] for l in reduced],
                             init=init, name=name, hint="einsum")

    def _keep(self, r, x, axes, keepdims, name):
        if not keepdims:
            return r
        return self.reshape(r, [1 if i in axes else d
                                for i, d in enumerate(x.shape)], name=name)

    def reduce_sum(self, x, axes=None, keepdims=False, name=None):
        """Sum over `axes` (None: all)."""
        axes = self._axes(x, axes, "reduce_sum")
        r = self._reduce(x, axes, "sum", None if keepdims else name)
        return self._keep(r, x, axes, keepdims, name)

    def reduce_max(self, x, axes=None, keepdims=False, name=None):
        """Maximum over `axes` (None: all)."""
        axes = self._axes(x, axes, "reduce_max")
        r = self._reduce(x, axes, "max", None if keepdims else name, "max")
        return self._keep(r, x, axes, keepdims, name)

    def reduce_mean(self, x, axes=None, keepdims=False, name=None):
        """Mean over `axes` (None: all); float tensors only (TypeError
        else: cast integers first, numpy's mean of integers is a float)."""
        if x.dtype not in _FLOATS:
            raise TypeError(f"reduce_mean: needs a float tensor, got "
                            f"{x.type}; cast it first (cast(x, \"f32\"))")
        axes = self._axes(x, axes, "reduce_mean")
        n = int(np.prod([x.shape[a] for a in axes]))
        r = self._reduce(x, axes, "sum")
        r = self.mul(r, 1.0 / n, name=None if keepdims else name)
        return self._keep(r, x, axes, keepdims, name)

    def softmax(self, x, axis=-1, name=None):
        """softmax along `axis`: exp(x - max) / sum(exp(x - max))
        (linalg.softmax; the pipeline decomposes it)."""
        axis = self._axes(x, axis, "softmax")[0]
        empty = self._empty(x.shape, x.dtype)
        res = self._fresh(name or "softmax")
        self._emit(f"{res} = linalg.softmax dimension({axis}) ins({x.name} : "
                   f"{x.type}) outs({empty} : {x.type}) -> {x.type}")
        return Value(self, res, x.shape, x.dtype)

    def _norm_affine(self, y, weight, bias, nshape, op):
        for w, what in ((weight, "weight"), (bias, "bias")):
            if w is not None:
                w = self._value(w, y)
                if tuple(w.shape) != tuple(nshape):
                    raise ValueError(f"{op}: {what} has shape {w.shape}, "
                                     f"expected {tuple(nshape)}")
        if weight is not None:
            y = self.mul(y, self._value(weight, y))
        if bias is not None:
            y = self.add(y, self._value(bias, y))
        return y

    def layer_norm(self, x, weight=None, bias=None, eps=1e-5, axis=-1,
                   name=None):
        """Layer normalization (Ba et al. 2016; torch.nn.LayerNorm) over the
        dims from `axis` to the last:
        y = (x - mean) / sqrt(var + eps) * weight + bias, var biased.
        weight and bias have shape x.shape[axis:]."""
        axis = self._axes(x, axis, "layer_norm")[0]
        axes = list(range(axis, x.rank))
        n = int(np.prod(x.shape[axis:]))
        outer = list(range(axis))
        mean = self.mul(self._reduce(x, axes, "sum"), 1.0 / n, name="mean")
        rd = [(mean, outer)]
        centered = self._generic(
            [(x, list(range(x.rank)))] + rd, x.shape, x.dtype,
            lambda b, a: b.op(f"arith.subf {a[0]}, {a[1]}", x.dtype),
            hint="centered")
        sq = self._generic(
            [(centered, list(range(x.rank)))], x.shape, x.dtype,
            lambda b, a: b.op(f"arith.mulf {a[0]}, {a[0]}", x.dtype), hint="sq")
        var = self._reduce(sq, axes, "sum", hint="var")

        def inv_std(b, a):
            t = x.dtype
            m = b.op(f"arith.mulf {a[0]}, {b.const(1.0 / n, t)}", t)
            return b.op(f"math.rsqrt {b.op(f'arith.addf {m}, {b.const(eps, t)}', t)}", t)
        rstd = self._generic([(var, list(range(len(outer))))], var.shape,
                             x.dtype, inv_std, hint="rstd")
        y = self._generic(
            [(centered, list(range(x.rank))), (rstd, outer)], x.shape,
            x.dtype, lambda b, a: b.op(f"arith.mulf {a[0]}, {a[1]}", x.dtype),
            name=None if (weight is not None or bias is not None) else name,
            hint="normed")
        y = self._norm_affine(y, weight, bias, x.shape[axis:], "layer_norm")
        return y

    def rms_norm(self, x, weight=None, eps=1e-6, axis=-1, name=None):
        """RMS normalization (Zhang & Sennrich 2019; Llama's RMSNorm) over
        the dims from `axis` on: y = x / sqrt(mean(x^2) + eps) * weight."""
        axis = self._axes(x, axis, "rms_norm")[0]
        axes = list(range(axis, x.rank))
        n = int(np.prod(x.shape[axis:]))
        outer = list(range(axis))
        sq = self._generic(
            [(x, list(range(x.rank)))], x.shape, x.dtype,
            lambda b, a: b.op(f"arith.mulf {a[0]}, {a[0]}", x.dtype), hint="sq")
        ss = self._reduce(sq, axes, "sum", hint="sumsq")

        def inv_rms(b, a):
            t = x.dtype
            m = b.op(f"arith.mulf {a[0]}, {b.const(1.0 / n, t)}", t)
            return b.op(f"math.rsqrt {b.op(f'arith.addf {m}, {b.const(eps, t)}', t)}", t)
        r = self._generic([(ss, list(range(len(outer))))], ss.shape, x.dtype,
                          inv_rms, hint="rrms")
        y = self._generic(
            [(x, list(range(x.rank))), (r, outer)], x.shape, x.dtype,
            lambda b, a: b.op(f"arith.mulf {a[0]}, {a[1]}", x.dtype),
            name=None if weight is not None else name, hint="normed")
        return self._norm_affine(y, weight, None, x.shape[axis:], "rms_norm")

    # -------------------------------------------------------------- shapes
    def reshape(self, x, shape, name=None):
        """x with a new static `shape` (one entry may be -1), as
        tensor.collapse_shape / tensor.expand_shape."""
        shape = [int(d) for d in shape]
        if shape.count(-1) > 1:
            raise ValueError(f"reshape: more than one -1 in {shape}")
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            if known == 0 or x.size % known:
                raise ValueError(f"reshape: cannot reshape {x.type} to {shape}")
            shape[shape.index(-1)] = x.size // known
        if int(np.prod(shape)) != x.size or any(d < 0 for d in shape):
            raise ValueError(f"reshape: cannot reshape {x.type} "
                             f"({x.size} elements) to {tuple(shape)}")
        if tuple(shape) == x.shape:
            return x
        if x.size == 0:   # no elements to move
            res = self._fresh(name or "reshaped")
            self._emit(f"{res} = tensor.empty() : "
                       f"{tensor_type(shape, x.dtype)}")
            return Value(self, res, shape, x.dtype)
        out_t = tensor_type(shape, x.dtype)
        fmt = lambda groups: "[" + ", ".join(
            "[" + ", ".join(map(str, g)) + "]" for g in groups) + "]"
        if len(shape) < x.rank:
            groups = _reassociation(x.shape, shape)
            if groups is not None:
                res = self._fresh(name or "collapsed")
                self._emit(f"{res} = tensor.collapse_shape {x.name} "
                           f"{fmt(groups)} : {x.type} into {out_t}")
                return Value(self, res, shape, x.dtype)
        elif len(shape) > x.rank:
            groups = _reassociation(shape, x.shape)
            if groups is not None:
                res = self._fresh(name or "expanded")
                self._emit(f"{res} = tensor.expand_shape {x.name} {fmt(groups)}"
                           f" output_shape {shape} : {x.type} into {out_t}")
                return Value(self, res, shape, x.dtype)
        # Neither: collapse to the coarsest shape both refine, then expand.
        mid, i, j = [], 0, 0
        src, dst = list(x.shape), shape
        while i < len(src) or j < len(dst):
            p = src[i] if i < len(src) else 1
            q = dst[j] if j < len(dst) else 1
            i, j = i + 1, j + 1
            while p != q:
                if p < q and i < len(src):
                    p *= src[i]
                    i += 1
                elif q < p and j < len(dst):
                    q *= dst[j]
                    j += 1
                else:
                    break
            if p != q:
                mid = [x.size]
                break
            mid.append(p)
        if tuple(mid) in (x.shape, tuple(shape)) or 0 in shape:
            mid = [x.size]
        if x.shape == tuple(mid):
            return self.reshape(self.reshape(x, [x.size]), shape, name=name)
        return self.reshape(self.reshape(x, mid), shape, name=name)

    def transpose(self, x, perm=None, name=None):
        """x with its dims permuted: result dim i is x's dim perm[i]
        (linalg.transpose; default: reversed)."""
        if perm is not None and any(not -x.rank <= int(p) < x.rank
                                    for p in perm):
            raise ValueError(f"transpose: {list(perm)} is not a permutation "
                             f"of the {x.rank} dims of {x.type}")
        perm = list(reversed(range(x.rank))) if perm is None else \
            [int(p) % max(x.rank, 1) for p in perm]
        if sorted(perm) != list(range(x.rank)):
            raise ValueError(f"transpose: {perm} is not a permutation of the "
                             f"{x.rank} dims of {x.type}")
        if perm == list(range(x.rank)):
            return x
        shape = [x.shape[p] for p in perm]
        empty = self._empty(shape, x.dtype)
        res = self._fresh(name or "transposed")
        t = tensor_type(shape, x.dtype)
        self._emit(f"{res} = linalg.transpose ins({x.name} : {x.type}) "
                   f"outs({empty} : {t}) permutation = {perm}")
        return Value(self, res, shape, x.dtype)

    def broadcast_to(self, x, shape, name=None):
        """x broadcast to `shape` by numpy's rules (a copy)."""
        shape = tuple(int(d) for d in shape)
        if broadcast_shapes(x.shape, shape) != shape:
            raise ValueError(f"broadcast_to: {x.type} does not broadcast to "
                             f"{shape}")
        if x.shape == shape:
            return x
        ops = self._broadcast_operands([x], shape)
        return self._generic(ops, shape, x.dtype, lambda b, a: a[0],
                             name=name, hint="bcast")

    def concat(self, values, axis, name=None):
        """Concatenation along `axis` (tensor.concat)."""
        values = [self._value(v) for v in values]
        if not values:
            raise ValueError("concat: no operands")
        first = values[0]
        axis = self._axes(first, axis, "concat")[0]
        for v in values[1:]:
            if v.rank != first.rank or v.dtype != first.dtype or any(
                    a != b for i, (a, b) in enumerate(zip(v.shape, first.shape))
                    if i != axis):
                raise ValueError(f"concat: {v.type} does not match {first.type}"
                                 f" outside dim {axis}")
        if len(values) == 1:
            return first
        shape = list(first.shape)
        shape[axis] = sum(v.shape[axis] for v in values)
        res = self._fresh(name or "concat")
        self._emit(f"{res} = tensor.concat dim({axis}) "
                   + ", ".join(v.name for v in values) + " : ("
                   + ", ".join(v.type for v in values) + ") -> "
                   + tensor_type(shape, first.dtype))
        return Value(self, res, shape, first.dtype)

    def slice(self, x, starts, ends, axes=None, steps=None, name=None):
        """x[starts:ends:steps] along `axes` (numpy/ONNX rules: negative
        indices count from the end, out-of-range ends clamp); positive
        steps only (tensor.extract_slice). starts, ends and the given
        axes and steps have one length; axes are in [-rank, rank) and
        distinct (ValueError else)."""
        starts, ends = list(starts), list(ends)
        axes = list(range(len(starts))) if axes is None else \
            [int(a) for a in axes]
        for a in axes:
            if not -x.rank <= a < x.rank:
                raise ValueError(f"slice: axis {a} out of range for rank "
                                 f"{x.rank} ({x.type})")
        axes = [a % x.rank for a in axes]
        if len(set(axes)) != len(axes):
            raise ValueError(f"slice: axes {axes} repeat a dim")
        steps = [1] * len(starts) if steps is None else list(steps)
        if not len(starts) == len(ends) == len(axes) == len(steps):
            raise ValueError(f"slice: starts, ends, axes and steps differ in "
                             f"length ({len(starts)}, {len(ends)}, "
                             f"{len(axes)}, {len(steps)})")
        offs, sizes, strides = [0] * x.rank, list(x.shape), [1] * x.rank
        for a, s, e, st in zip(axes, starts, ends, steps):
            if st <= 0:
                raise ValueError(f"slice: step {st} on dim {a}: positive "
                                 "steps only")
            n = x.shape[a]
            s, e = int(s), int(e)
            s = min(max(s + n if s < 0 else s, 0), n)
            e = min(max(e + n if e < 0 else e, 0), n)
            offs[a], strides[a] = s, int(st)
            sizes[a] = max(0, (e - s + st - 1) // st)
        if offs == [0] * x.rank and sizes == list(x.shape):
            return x
        res = self._fresh(name or "slice")
        t = tensor_type(sizes, x.dtype)
        if 0 in sizes:   # no elements (and an offset may equal the size)
            self._emit(f"{res} = tensor.empty() : {t}")
            return Value(self, res, sizes, x.dtype)
        self._emit(f"{res} = tensor.extract_slice {x.name}{offs} {sizes} "
                   f"{strides} : {x.type} to {t}")
        return Value(self, res, sizes, x.dtype)

    def gather(self, data, indices, axis=0, name=None):
        """numpy.take(data, indices, axis) (ONNX Gather): out shape
        data.shape[:axis] + indices.shape + data.shape[axis+1:]; negative
        indices count from the end. `indices` is an int, a numpy array or
        an integer Value. Indices outside [-n, n) (n = data.shape[axis])
        raise ValueError at build time when they are an int or an array;
        a Value's are checked when the function runs (a cf.assert, which
        attn reports as attn.Error: "gather: index out of range ...")."""
        axis = self._axes(data, axis, "gather")[0]
        if isinstance(indices, (int, np.integer)):
            i = int(indices)
            n = data.shape[axis]
            if not -n <= i < n:
                raise ValueError(f"gather: index {i} out of range for dim "
                                 f"{axis} of {data.type}")
            s = self.slice(data, [i % n], [i % n + 1], [axis])
            shape = data.shape[:axis] + data.shape[axis + 1:]
            return self.reshape(s, shape, name=name)
        n = data.shape[axis]
        if not isinstance(indices, Value):
            array = np.asarray(indices)
            if array.size and array.dtype.kind not in "iu":
                raise ValueError(f"gather: indices must be integers, got "
                                 f"{array.dtype}")
            array = array.astype(np.int64)
            if array.size and not (-n <= array.min() and array.max() < n):
                bad = array[(array < -n) | (array >= n)].reshape(-1)[0]
                raise ValueError(f"gather: index {bad} out of range for dim "
                                 f"{axis} of {data.type}")
            indices = self._value(array)
        if indices.dtype not in _INTS:
            raise ValueError(f"gather: indices must be integers, got "
                             f"{indices.type}")
        elif indices.size:
            self._check_indices(indices, n, f"gather: index out of range "
                                f"[-{n}, {n}) for dim {axis} of {data.type}")
        shape = data.shape[:axis] + indices.shape + data.shape[axis + 1:]
        k = indices.rank
        idims = list(range(axis, axis + k))

        def body(b, a):
            it = indices.dtype
            i = a[0]
            neg = b.raw(f"arith.cmpi slt, {i}, {b.const(0, it)} : {it}")
            wrapped = b.op(f"arith.addi {i}, {b.const(n, it)}", it)
            i = b.op(f"arith.select {neg}, {wrapped}, {i}", it)
            idx = b.raw(f"arith.index_cast {i} : {it} to index")
            coords = [b.op(f"linalg.index {d}", "index") for d in range(axis)]
            coords.append(idx)
            coords += [b.op(f"linalg.index {d}", "index")
                       for d in range(axis + k, len(shape))]
            return b.raw(f"tensor.extract {data.name}[{', '.join(coords)}] : "
                         f"{data.type}")
        return self._generic([(indices, idims)], shape, data.dtype, body,
                             name=name, hint="gather")

    def _check_indices(self, indices, n, message):
        """A run-time check that the integer Value `indices` lies in
        [-n, n): cf.assert on its min and max (reduced to 0-d tensors)."""
        it, rank = indices.dtype, indices.rank
        bounds = []
        for kind in ("min", "max"):
            r = self._reduce(indices, list(range(rank)), kind, hint=kind)
            e = self._fresh(f"{kind}_index")
            self._emit(f"{e} = tensor.extract {r.name}[] : {r.type}")
            if it != "i64":
                wide = self._fresh(f"{kind}_index")
                self._emit(f"{wide} = arith.extsi {e} : {it} to i64")
                e = wide
            bounds.append(e)
        lo, hi = self._fresh("lo"), self._fresh("hi")
        self._emit(f"{lo} = arith.constant {-n} : i64")
        self._emit(f"{hi} = arith.constant {n} : i64")
        ok_lo, ok_hi, ok = (self._fresh(h) for h in ("ge_lo", "lt_hi",
                                                        "in_range"))
        self._emit(f"{ok_lo} = arith.cmpi sge, {bounds[0]}, {lo} : i64")
        self._emit(f"{ok_hi} = arith.cmpi slt, {bounds[1]}, {hi} : i64")
        self._emit(f"{ok} = arith.andi {ok_lo}, {ok_hi} : i1")
        self._emit(f'cf.assert {ok}, "{message}"')

    # -------------------------------------------------------------- matmuls
    def matmul(self, a, b, transpose_b=False, name=None):
        """a @ b (numpy matmul semantics for ranks >= 2: batch dims
        broadcast). transpose_b: b holds [..., N, K] and is used as
        b^T. Result [..., M, N]. Lowered to linalg.matmul (b 2-D: the batch
        dims of a are folded into M) or linalg.batch_matmul."""
        a, b = self._value(a), self._value(b, a)
        if a.rank < 2 or b.rank < 2:
            raise ValueError(f"matmul: operands need rank >= 2, got {a.type} "
                             f"and {b.type}")
        if a.dtype != b.dtype or a.dtype not in _FLOATS:
            raise ValueError(f"matmul: float operands of one type expected, "
                             f"got {a.type} and {b.type}")
        if transpose_b:
            b = self.transpose(b, list(range(b.rank - 2)) + [b.rank - 1,
                                                             b.rank - 2])
        m, k = a.shape[-2:]
        k2, n = b.shape[-2:]
        if k != k2:
            raise ValueError(f"matmul: contraction sizes differ: {a.type} "
                             f"has K = {k}, {b.type} has K = {k2}")
        try:
            batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(f"matmul: batch dims of {a.type} and {b.type} "
                             "do not broadcast") from None
        out_shape = list(batch) + [m, n]
        dt = a.dtype
        if b.rank == 2 or all(d == 1 for d in b.shape[:-2]):
            b2 = self.reshape(b, [k, n])
            rows = int(np.prod(a.shape[:-1]))
            a2 = self.reshape(self.broadcast_to(a, list(batch) + [m, k]),
                              [rows, k])
            init = self._filled(0.0, [rows, n], dt, "acc")
            res = self._fresh(name if len(out_shape) == 2 and name else "mm")
            t = tensor_type([rows, n], dt)
            self._emit(f"{res} = linalg.matmul ins({a2.name}, {b2.name} : "
                       f"{a2.type}, {b2.type}) outs({init} : {t}) -> {t}")
            return self.reshape(Value(self, res, [rows, n], dt), out_shape,
                                name=name)
        nb = int(np.prod(batch))
        a3 = self.reshape(self.broadcast_to(a, list(batch) + [m, k]),
                          [nb, m, k])
        b3 = self.reshape(self.broadcast_to(b, list(batch) + [k, n]),
                          [nb, k, n])
        init = self._filled(0.0, [nb, m, n], dt, "acc")
        res = self._fresh(name if len(out_shape) == 3 and name else "bmm")
        t = tensor_type([nb, m, n], dt)
        self._emit(f"{res} = linalg.batch_matmul ins({a3.name}, {b3.name} : "
                   f"{a3.type}, {b3.type}) outs({init} : {t}) -> {t}")
        return self.reshape(Value(self, res, [nb, m, n], dt), out_shape,
                            name=name)

    def linear(self, x, weight, bias=None, name=None):
        """torch.nn.functional.linear: x @ weight^T + bias, weight [N, K]
        (a constant weight is transposed at build time)."""
        if not isinstance(weight, Value):
            w = np.asarray(weight)
            y = self.matmul(x, self.constant(np.ascontiguousarray(w.T),
                                             dtype=x.dtype))
        else:
            y = self.matmul(x, weight, transpose_b=True)
        return y if bias is None else self.add(y, bias, name=name)

    # ------------------------------------------------------------- attn ops
    def _attn_attrs(self, attrs):
        parts = []
        for key, val in attrs:
            if val is None or val is False:
                continue
            if val is True:
                parts.append(key)
            elif isinstance(val, str):
                parts.append(f"{key} = {val}")
            elif isinstance(val, float):
                parts.append(f"{key} = {_scalar_literal(val, 'f32')} : f32")
            else:
                parts.append(f"{key} = {int(val)} : i64")
        return (" {" + ", ".join(parts) + "}") if parts else ""

    def _check_qkv(self, op, q, k, v, mask, mha_only=False):
        for what, t in (("query", q), ("key", k), ("value", v)):
            if t.rank != 4:
                raise ValueError(f"{op}: '{what}' must be [B, H, L, D], got "
                                 f"{t.type}")
            if t.dtype not in _FLOATS or t.dtype != q.dtype:
                raise ValueError(f"{op}: '{what}' must have the float type of "
                                 f"'query' ({q.dtype}), got {t.type}")
        B, hq, lq, d = q.shape
        _, hkv, lk, dk = k.shape
        if k.shape[0] != B or v.shape[0] != B:
            raise ValueError(f"{op}: batch sizes differ: query {q.type}, key "
                             f"{k.type}, value {v.type}")
        if dk != d:
            raise ValueError(f"{op}: 'key' head dim {dk} != 'query' head dim "
                             f"{d}")
        if v.shape[1] != hkv or v.shape[2] != lk:
            raise ValueError(f"{op}: 'value' {v.type} must have the heads and "
                             f"length of 'key' ({hkv}, {lk})")
        if hkv == 0 or hq % hkv:
            raise ValueError(f"{op}: 'query' heads (Hq = {hq}) must be a "
                             f"multiple of 'key' heads (Hkv = {hkv})")
        if mha_only and hq != hkv:
            raise ValueError(f"{op}: MHA only (Hq = {hq}, Hkv = {hkv})")
        if mask is not None:
            ok = (mask.rank == 4 and mask.shape[0] in (1, B)
                  and mask.shape[1] in (1, hq) and mask.shape[2:] == (lq, lk)
                  and mask.dtype in ("i1", q.dtype))
            if not ok:
                raise ValueError(f"{op}: 'mask' must be [B or 1, Hq or 1, Lq, "
                                 f"Lk] = [{B} or 1, {hq} or 1, {lq}, {lk}] of "
                                 f"i1 or {q.dtype}, got {mask.type}")
        return [B, hq, lq, v.shape[3]]

    def _window(self, window):
        w = [int(x) for x in window]
        if len(w) != 2 or any(x < -1 for x in w):
            raise ValueError(f"window must be two values >= -1, got {window}")
        return f"array<i64: {w[0]}, {w[1]}>"

    def _attention_op(self, op, q, k, v, mask, attrs, name):
        shape = self._check_qkv(op, q, k, v, mask)
        operands = [q, k, v] + ([mask] if mask is not None else [])
        res = self._fresh(name or "attn")
        text = (f"{res} = attn.{op} {q.name}, {k.name}, {v.name}"
                + (f" mask {mask.name}" if mask is not None else "")
                + self._attn_attrs(attrs) + " : "
                + ", ".join(t.type for t in operands) + " -> "
                + tensor_type(shape, q.dtype))
        self._emit(text)
        return Value(self, res, shape, q.dtype)

    @staticmethod
    def _check_attn_scalars(scale, softcap):
        if softcap is not None and not softcap > 0:
            raise ValueError(f"softcap must be > 0, got {softcap}")
        return (None if scale is None else float(scale),
                None if softcap is None else float(softcap))

    def attention(self, q, k, v, mask=None, *, scale=None, causal=False,
                  softcap=None, name=None):
        """attn.attention (docs/Spec.md 1.1): softmax(cap(scale * Q K^T) +
        mask) V. q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv]
        (Hq % Hkv == 0: GQA/MQA), mask [B|1, Hq|1, Lq, Lk] i1 (true =
        visible) or additive float; scale default 1/sqrt(D); causal is
        bottom-right aligned. Result [B, Hq, Lq, Dv]."""
        scale, softcap = self._check_attn_scalars(scale, softcap)
        return self._attention_op(
            "attention", q, k, v, mask,
            [("causal", bool(causal)), ("scale", scale), ("softcap", softcap)],
            name)

    def sliding_window_attention(self, q, k, v, mask=None, *, window,
                                 chunk=None, scale=None, causal=False,
                                 softcap=None, name=None):
        """attn.sliding_window_attention (docs/Spec.md 1.2): attention where
        key j is visible from query i iff i' - left <= j <= i' + right
        (i' = i + Lk - Lq, -1 = unbounded), and with `chunk` only within the
        same chunk. Shapes as attention()."""
        scale, softcap = self._check_attn_scalars(scale, softcap)
        if chunk is not None and int(chunk) <= 0:
            raise ValueError(f"sliding_window_attention: chunk must be > 0, "
                             f"got {chunk}")
        return self._attention_op(
            "sliding_window_attention", q, k, v, mask,
            [("causal", bool(causal)), ("chunk", chunk), ("scale", scale),
             ("softcap", softcap), ("window", self._window(window))], name)

    _GROUPS = ("static", "query_weights", "key_weights", "query_gate",
               "key_gate")

    def _compose_groups(self, op, a_shape, groups):
        """(text, operands) of compose groups, checked against A's
        [B, H, Lq, Lk] (docs/Spec.md 1.3)."""
        B, h, lq, lk = a_shape
        unknown = set(groups) - set(self._GROUPS)
        if unknown:
            raise ValueError(f"{op}: unknown groups {sorted(unknown)}; the "
                             f"groups are {', '.join(self._GROUPS)}")
        text, operands = [], []

        def need(name, t, shape_fn, what):
            if t.rank != len(shape_fn) or any(
                    e is not None and e != s for e, s in zip(shape_fn, t.shape)):
                raise ValueError(f"{op}: '{name}' must be {what}, got {t.type}")

        for g in self._GROUPS:
            if groups.get(g) is None:
                continue
            vals = groups[g]
            if g in ("query_weights", "key_weights"):
                if not isinstance(vals, (tuple, list)) or len(vals) != 2:
                    raise ValueError(f"{op}: '{g}' is a pair (w1, w2)")
                vals = [self._value(x) for x in vals]
                lx = lq if g == "query_weights" else lk
                for i, t in enumerate(vals):
                    need(f"{g}[{i}]", t, [B, lx, None, h],
                         f"[B, L, C, H] = [{B}, {lx}, C, {h}]")
                if vals[0].shape != vals[1].shape:
                    raise ValueError(f"{op}: '{g}' pair shapes differ: "
                                     f"{vals[0].type}, {vals[1].type}")
            else:
                vals = [self._value(vals)]
                if g == "static":
                    need(g, vals[0], [h, h], f"[H, H] = [{h}, {h}]")
                else:
                    lx = lq if g == "query_gate" else lk
                    need(g, vals[0], [B, lx, h], f"[B, L, H] = [{B}, {lx}, {h}]")
            text.append(f"{g}(" + ", ".join(t.name for t in vals) + ")")
            operands += vals
        return " ".join(text), operands

    def compose(self, a, static=None, query_weights=None, key_weights=None,
                query_gate=None, key_gate=None, name=None):
        """attn.compose (docs/Spec.md 1.3, DCFormer's cross-head
        composition): a [B, H, Lq, Lk]; static [H, H]; query_weights /
        key_weights pairs [B, Lq|Lk, C, H]; gates [B, Lq|Lk, H]. Result
        [B, H, Lq, Lk]."""
        if a.rank != 4:
            raise ValueError(f"compose: 'A' must be [B, H, Lq, Lk], got {a.type}")
        text, operands = self._compose_groups("compose", a.shape, dict(
            static=static, query_weights=query_weights,
            key_weights=key_weights, query_gate=query_gate, key_gate=key_gate))
        res = self._fresh(name or "composed")
        self._emit(f"{res} = attn.compose {a.name}" + (f" {text}" if text else "")
                   + " : " + ", ".join(t.type for t in [a] + operands)
                   + f" -> {a.type}")
        return Value(self, res, a.shape, a.dtype)

    def dcmha(self, q, k, v, pre=None, post=None, *, scale=None,
              causal=False, window=None, name=None):
        """attn.dcmha (docs/Spec.md 1.4): attention with compose_pre on the
        logits and compose_post on the probabilities. q/k/v as attention()
        with Hq == Hkv; pre/post are dicts of compose groups (static=,
        query_weights=, key_weights=, query_gate=, key_gate=)."""
        shape = self._check_qkv("dcmha", q, k, v, None, mha_only=True)
        a_shape = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]]
        parts, operands = [], [q, k, v]
        for kw, groups in (("pre", pre), ("post", post)):
            if groups is None:
                continue
            text, ops = self._compose_groups(f"dcmha {kw}", a_shape,
                                             dict(groups))
            parts.append(f"{kw}({text})")
            operands += ops
        scale = None if scale is None else float(scale)
        attrs = self._attn_attrs([("causal", bool(causal)), ("scale", scale),
                                  ("window", None if window is None
                                   else self._window(window))])
        res = self._fresh(name or "dcmha")
        self._emit(f"{res} = attn.dcmha {q.name}, {k.name}, {v.name}"
                   + "".join(" " + p for p in parts) + attrs + " : "
                   + ", ".join(t.type for t in operands) + " -> "
                   + tensor_type(shape, q.dtype))
        return Value(self, res, shape, q.dtype)

    def deformable_sample(self, input, grid, *, align_corners=False,
                          padding_mode="zeros", name=None):
        """attn.deformable_sample (docs/Spec.md 1.5): grid_sample(bilinear)
        channels-last. input [N, Hin, Win, C], grid [N, Hout, Wout, 2] of
        (x, y) in [-1, 1]. Result [N, Hout, Wout, C]."""
        if input.rank != 4 or grid.rank != 4 or grid.shape[3] != 2 or \
                grid.shape[0] != input.shape[0]:
            raise ValueError(f"deformable_sample: expected input [N, H, W, C] "
                             f"and grid [N, Ho, Wo, 2], got {input.type} and "
                             f"{grid.type}")
        if padding_mode not in ("zeros", "border"):
            raise ValueError(f"deformable_sample: padding_mode 'zeros' or "
                             f"'border', got {padding_mode!r}")
        attrs = []
        if align_corners:
            attrs.append("align_corners = true")
        if padding_mode != "zeros":
            attrs.append(f"padding_mode = #attn<padding_mode {padding_mode}>")
        shape = [grid.shape[0], grid.shape[1], grid.shape[2], input.shape[3]]
        res = self._fresh(name or "sampled")
        self._emit(f"{res} = attn.deformable_sample {input.name}, {grid.name}"
                   + (" {" + ", ".join(attrs) + "}" if attrs else "")
                   + f" : {input.type}, {grid.type} -> "
                   + tensor_type(shape, input.dtype))
        return Value(self, res, shape, input.dtype)

    def ms_deform_attn(self, value, sampling_locations, attention_weights,
                       spatial_shapes, name=None):
        """attn.ms_deform_attn (docs/Spec.md 1.6, Deformable DETR): value
        [N, S, M, D] (S = sum H_l W_l), sampling_locations [N, Lq, M, L, P,
        2] (x, y) in [0, 1], attention_weights [N, Lq, M, L, P],
        spatial_shapes [(H_0, W_0), ...] or flat [H_0, W_0, H_1, ...] (as the
        op's attribute and attn.reference take it). Result [N, Lq, M*D]."""
        flat = list(spatial_shapes)
        if flat and all(np.ndim(x) == 0 for x in flat):
            if len(flat) % 2:
                raise ValueError(f"ms_deform_attn: spatial_shapes {flat} "
                                 f"must hold (H, W) pairs")
            flat = list(zip(flat[0::2], flat[1::2]))
        levels = [(int(h), int(w)) for h, w in flat]
        loc, w = sampling_locations, attention_weights
        if value.rank != 4 or loc.rank != 6 or w.rank != 5:
            raise ValueError("ms_deform_attn: expected value [N, S, M, D], "
                             "sampling_locations [N, Lq, M, L, P, 2], "
                             f"attention_weights [N, Lq, M, L, P], got "
                             f"{value.type}, {loc.type}, {w.type}")
        n, s, m, d = value.shape
        if s != sum(h * ww for h, ww in levels):
            raise ValueError(f"ms_deform_attn: 'value' dim 1 is {s}, the "
                             f"levels {levels} hold "
                             f"{sum(h * ww for h, ww in levels)}")
        if loc.shape[:5] != w.shape or loc.shape[5] != 2 or \
                loc.shape[0] != n or loc.shape[2] != m or \
                loc.shape[3] != len(levels):
            raise ValueError(f"ms_deform_attn: sampling_locations {loc.type} "
                             f"and attention_weights {w.type} must be [N="
                             f"{n}, Lq, M={m}, L={len(levels)}, P(, 2)]")
        shape = [n, loc.shape[1], m * d]
        sizes = ", ".join(str(x) for hw in levels for x in hw)
        res = self._fresh(name or "msda")
        self._emit(f"{res} = attn.ms_deform_attn {value.name}, {loc.name}, "
                   f"{w.name} {{spatial_shapes = array<i64: {sizes}>}} : "
                   f"{value.type}, {loc.type}, {w.type} -> "
                   + tensor_type(shape, value.dtype))
        return Value(self, res, shape, value.dtype)


class Graph:
    """A module of func.func's built op by op (see the module docstring).
    str(graph) and graph.mlir() give the MLIR text; attn.compile(graph)
    compiles it."""

    def __init__(self):
        self.functions = []
        self._resources = {}

    def function(self, name="main"):
        """Adds func.func @name and returns its Function builder."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$.]*", name):
            raise ValueError(f"function name {name!r} is not a valid symbol")
        if any(f.name == name for f in self.functions):
            raise ValueError(f"function @{name} exists already")
        fn = Function(self, name)
        self.functions.append(fn)
        return fn

    def _add_resource(self, hint, array):
        key, n = re.sub(r"[^A-Za-z0-9_]", "_", hint), 0
        base = key
        while key in self._resources:
            n += 1
            key = f"{base}_{n}"
        self._resources[key] = array
        return key

    def mlir(self):
        """The module's MLIR text."""
        if not self.functions:
            raise ValueError("the graph has no function")
        text = "\n\n".join(f.mlir() for f in self.functions) + "\n"
        if self._resources:
            blobs = []
            for key, array in self._resources.items():
                align = max(array.dtype.itemsize, 1)
                header = int(align).to_bytes(4, "little").hex()
                blobs.append(f'      {key}: "0x{header}{array.tobytes().hex()}"')
            text += ("\n{-#\n  dialect_resources: {\n    builtin: {\n"
                     + ",\n".join(blobs) + "\n    }\n  }\n#-}\n")
        return text

    def __str__(self):
        return self.mlir()
