# Part of the attn-mlir project.
"""attn - compile attention graphs written in the attn dialect and run them.

    import numpy as np, attn
    exe = attn.compile(open("examples/vit_b16_self_attention.mlir").read())
    out = exe["main"](q, k, v)        # numpy arrays in, numpy array out

The work is done by the C++ compile-and-run API (include/attn/Runtime) in the
extension `attn._attn`; this file only decides whether `source` is MLIR text
or a path. docs/Python.md is the user guide: options, dtypes (bf16 travels
as uint16 bit patterns), zero-copy rules, errors and IR stages.

  compile(source, target="cpu", **options) -> Executable
  Executable: exe["f"] / exe.f -> Function; exe.functions; exe.ir(stage);
              exe.stats
  Function:   f(*arrays) -> array, or a tuple for several results
  reference:  float64 numpy references of every op of docs/Spec.md
  Graph:      build a module op by op (attn/graph.py); compile(graph)
  onnx:       attn.onnx.import_model(model) -> MLIR text (attn/onnx.py;
              imported on first use, needs the `onnx` package)
  Error (RuntimeError), CompileError (Error): failures of a call / of
              compilation, with the runtime's message and diagnostics
  IR_STAGES, COMPILE_OPTIONS: what exe.ir and compile() take
"""

import os

import numpy as np

from ._attn import (COMPILE_OPTIONS, IR_STAGES, CompileError, Error,
                    Executable, Function, Signature, _compile_file,
                    _compile_text)

__all__ = ["compile", "Executable", "Function", "Signature", "Error",
           "CompileError", "IR_STAGES", "COMPILE_OPTIONS", "reference",
           "bf16_from_f32", "bf16_to_f32", "Graph"]


def _is_path(source):
    """MLIR text holds a newline or braces; a path holds neither."""
    if isinstance(source, os.PathLike):
        return True
    if "\n" in source or "{" in source or "(" in source:
        return False
    return True


def compile(source, target="cpu", **options):
    """Compiles `source` for `target` and returns an attn.Executable.

    `target` is "cpu" (the default), "opencl" (GPU kernels through OpenCL:
    PoCL on a CPU) or "cuda" (an NVIDIA GPU); docs/gpu.md.

    `source` is MLIR text (a module of func.func's with attn and upstream
    tensor ops), an attn.Graph (or any object with an `mlir()` method
    returning the text), or the path of a .mlir file (a str without a newline, brace
    or parenthesis, or an os.PathLike), or bytes holding MLIR text.
    `options` are the tools' code-generation flags (attn.COMPILE_OPTIONS):
    num_threads, block_q, block_k, split_keys, gather_block_q,
    dcmha_block_q (ints, 0 = automatic), cpu (str), unit (str: the
    arithmetic of bf16 attention, "auto", "f32", "bf16_dot",
    "bf16_dot_emulated", "amx" or "amx_emulated"), gpu_tensor_cores
    ("auto", "on" or "off"), decompose_all (bool), entry_points (list of
    function names to keep public).

    Raises TypeError for an unknown option or a value of the wrong type,
    ValueError for an out-of-range value or an unknown target, and
    attn.CompileError (with MLIR's diagnostics) when the module cannot be
    read, parsed, verified or lowered.
    """
    if not isinstance(target, str):
        raise TypeError("compile() target: expected a str such as 'cpu'")
    if hasattr(source, "mlir") and callable(source.mlir):
        source = source.mlir()
    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode("utf-8")
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError("compile() source: expected MLIR text, a path or "
                        f"bytes, got {type(source).__name__}")
    if _is_path(source):
        return _compile_file(os.fspath(source), target, options)
    return _compile_text(source, "<source>", target, options)


def bf16_from_f32(values):
    """bfloat16 bit patterns (numpy uint16) of `values`, rounded to nearest
    even: what a bf16 parameter takes. The shape is kept (0-d too)."""
    values = np.asarray(values, dtype=np.float32)
    flat = np.ascontiguousarray(values).reshape(-1)
    bits = flat.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    rounded = np.where(np.isnan(flat), 0x7FC0, rounded)
    return rounded.astype(np.uint16).reshape(values.shape)


def bf16_to_f32(bits):
    """float32 values of bfloat16 bit patterns (numpy uint16): how to read a
    bf16 result. The shape is kept (0-d too)."""
    bits = np.asarray(bits, dtype=np.uint16)
    wide = bits.reshape(-1).astype(np.uint32) << np.uint32(16)
    return wide.view(np.float32).reshape(bits.shape)


from . import reference  # noqa: E402  (needs numpy only)
from .graph import Graph  # noqa: E402


def __getattr__(name):
    """attn.onnx is imported on first use: it needs the `onnx` package,
    which the rest of attn does not."""
    if name == "onnx":
        import importlib
        return importlib.import_module(".onnx", __name__)
    raise AttributeError(f"module 'attn' has no attribute {name!r}")
