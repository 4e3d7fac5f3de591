# The Python package `attn`: errors are Python exceptions with the
# runtime's messages, never a crash: wrong dtypes (TypeError) and shapes
# (ValueError) naming the argument's index and parameter, argument counts
# and keyword arguments (by the arguments' names), None and unconvertible
# arguments,
# unknown and invalid compile options, bad MLIR (attn.CompileError with the
# diagnostic), unknown functions and IR stages, a failed run-time check
# (attn.Error). Also: inputs that are passed without a copy (exe.stats),
# exe.functions and exe.ir at every stage.

# REQUIRES: python-bindings
# RUN: env PYTHONPATH=%attn_python_packages %PYTHON %s 2>&1 | FileCheck %s

import numpy as np

import attn

T = "tensor<1x2x8x16xf32>"
SOURCE = f"""
func.func @main(%query: {T}, %key: {T}, %value: {T}) -> {T} {{
  %o = attn.attention %query, %key, %value : {T}, {T}, {T} -> {T}
  return %o : {T}
}}
"""
exe = attn.compile(SOURCE)
q = np.ones((1, 2, 8, 16), np.float32)


def expect(name, error, call):
    try:
        call()
    except error as e:
        print(f"{name}: {type(e).__name__}: {e}")
        return
    except Exception as e:  # noqa: BLE001
        print(f"{name}: unexpected {type(e).__name__}: {e}")
        return
    print(f"{name}: no error")


# CHECK-LABEL: calls
print("calls")
expect("dtype", TypeError, lambda: exe.main(q, q.astype(np.float64), q))
# CHECK: dtype: TypeError: argument #1 of @main ('%key'): expected element type f32 (tensor<1x2x8x16xf32>), found f64 (shape 1x2x8x16)
expect("dtype_unsupported", TypeError,
       lambda: exe.main(q, q, q.astype(np.complex64)))
# CHECK: dtype_unsupported: TypeError: argument #2 of @main ('%value'): expected element type f32 (tensor<1x2x8x16xf32>, numpy float32), found numpy dtype complex64
expect("shape", ValueError, lambda: exe.main(q, q, q[:, :, :5]))
# CHECK: shape: ValueError: argument #2 of @main ('%value'): expected size 8 in dimension 2 (tensor<1x2x8x16xf32>), found 5 (shape 1x2x5x16)
expect("rank", ValueError, lambda: exe.main(q[0], q, q))
# CHECK: rank: ValueError: argument #0 of @main ('%query'): expected rank 4 (tensor<1x2x8x16xf32>), found rank 3 (shape 2x8x16)
expect("count", TypeError, lambda: exe.main(q, q))
# CHECK: count: TypeError: @main expects 3 arguments (@main(%query: tensor<1x2x8x16xf32>, %key: tensor<1x2x8x16xf32>, %value: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>), got 2
expect("keyword_unknown", TypeError, lambda: exe.main(q, q, val=q))
# CHECK: keyword_unknown: TypeError: @main has no argument named 'val' (@main(%query: tensor<1x2x8x16xf32>, %key: tensor<1x2x8x16xf32>, %value: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>)
expect("keyword_twice", TypeError, lambda: exe.main(q, q, q, query=q))
# CHECK: keyword_twice: TypeError: argument #0 of @main ('%query'): given twice, by position and as 'query='
expect("none", TypeError, lambda: exe.main(q, None, q))
# CHECK: none: TypeError: argument #1 of @main ('%key'): expected an array for tensor<1x2x8x16xf32>, found None
expect("ragged", TypeError, lambda: exe.main(q, q, [[1.0], [1.0, 2.0]]))
# CHECK: ragged: TypeError: argument #2 of @main ('%value'): cannot convert <class 'list'> to an array for tensor<1x2x8x16xf32>: ValueError:
expect("key", KeyError, lambda: exe["nope"])
# CHECK: key: KeyError: 'no public function @nope in the module; available: @main'
expect("attribute", AttributeError, lambda: exe.nope)
# CHECK: attribute: AttributeError: no public function @nope in the module; available: @main

# CHECK-LABEL: compile
print("compile")
expect("option_name", TypeError, lambda: attn.compile(SOURCE, blockq=8))
# CHECK: option_name: TypeError: compile() got an unexpected keyword argument 'blockq'; the options are: num_threads, block_q, block_k, split_keys, gather_block_q, dcmha_block_q, cpu, unit, gpu_tensor_cores, gpu_chip, decompose_all, entry_points
expect("option_type", TypeError, lambda: attn.compile(SOURCE, block_q="8"))
# CHECK: option_type: TypeError: compile() option 'block_q': expected an int, got <class 'str'>
expect("option_value", ValueError, lambda: attn.compile(SOURCE, block_q=-8))
# CHECK: option_value: ValueError: invalid block_q=-8: expected 0 (automatic) or a number of rows up to
expect("unit", ValueError, lambda: attn.compile(SOURCE, unit="tmul"))
# CHECK: unit: ValueError: invalid unit='tmul': expected auto, f32, bf16_dot, bf16_dot_emulated, amx or amx_emulated
expect("unit_type", TypeError, lambda: attn.compile(SOURCE, unit=1))
# CHECK: unit_type: TypeError: compile() option 'unit': expected a str: 'auto', 'f32', 'bf16_dot', 'bf16_dot_emulated', 'amx' or 'amx_emulated'
expect("target", ValueError, lambda: attn.compile(SOURCE, target="tpu"))
# CHECK: target: ValueError: invalid target='tpu': expected cpu, opencl or cuda
expect("bad_mlir", attn.CompileError, lambda: attn.compile(
    "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
    "  %y = attn.bogus %x : tensor<2xf32>\n"
    "  return %y : tensor<2xf32>\n}\n"))
# CHECK: bad_mlir: CompileError: <source>:2:8: error: custom op 'attn.bogus' is unknown
Q3 = "tensor<1x3x8x16xf32>"
expect("invalid_op", attn.CompileError, lambda: attn.compile(f"""
func.func @main(%query: {Q3}, %key: {T}, %value: {T}) -> {Q3} {{
  %o = attn.attention %query, %key, %value : {Q3}, {T}, {T} -> {Q3}
  return %o : {Q3}
}}
"""))
# CHECK: invalid_op: CompileError: <source>:3:8: error: 'attn.attention' op expected 'query' heads (Hq = 3) to be a multiple of 'key' heads (Hkv = 2)
expect("missing_file", attn.CompileError,
       lambda: attn.compile("/nonexistent/model.mlir"))
# CHECK: missing_file: CompileError: '/nonexistent/model.mlir': cannot read MLIR file: No such file or directory
expect("entry_point", attn.CompileError,
       lambda: attn.compile(SOURCE, entry_points=["other"]))
# CHECK: entry_point: CompileError: '<source>': no public function @other; available: @main
print(isinstance(attn.CompileError("x"), attn.Error),
      issubclass(attn.Error, RuntimeError))
# CHECK: True True

# A dynamic size that contradicts another stops at a run-time check.
D = "tensor<?x2x8x16xf32>"
dyn = attn.compile(f"""
func.func @main(%query: {D}, %key: {D}, %value: {D}) -> {D} {{
  %o = attn.attention %query, %key, %value : {D}, {D}, {D} -> {D}
  return %o : {D}
}}
""")
q2 = np.ones((2, 2, 8, 16), np.float32)
expect("run_time_check", attn.Error, lambda: dyn.main(q, q2, q))
# CHECK: run_time_check: Error: @main stopped at a run-time check: attn.attention: 'key' dim 0 (B) does not match 'query' dim 0
print(dyn.main(q2, q2, q2).shape)
# CHECK: (2, 2, 8, 16)
# Arguments by name, in any order, also after positional ones.
print(np.array_equal(dyn.main(q2, value=q2, key=q2), dyn.main(q2, q2, q2)))
# CHECK: True

# Zero copy: C-contiguous inputs of the parameter's dtype are passed as
# they are; other layouts are copied first (and still give the same result).
# CHECK-LABEL: zero-copy
print("zero-copy")
fresh = attn.compile(SOURCE)
rng = np.random.default_rng(0)
x = [rng.standard_normal((1, 2, 8, 16)).astype(np.float32) for _ in range(3)]
a = fresh.main(*x)
print(fresh.stats)
# CHECK: {'calls': 1, 'inputs_borrowed': 3, 'inputs_copied': 0}
strided = np.asfortranarray(x[1])
swapped = x[2].astype(x[2].dtype.newbyteorder(">"))
b = fresh.main(x[0], strided, swapped)
print(fresh.stats, np.array_equal(a, b))
# CHECK: {'calls': 2, 'inputs_borrowed': 4, 'inputs_copied': 2} True
view = np.zeros((1, 2, 8, 32), np.float32)[..., ::2]
print(fresh.main(view, view, view).shape, fresh.stats["inputs_copied"])
# CHECK: (1, 2, 8, 16) 5
# The result is a fresh array owned by Python, writable.
print(a.flags.owndata or a.base is not None, a.flags.writeable,
      np.shares_memory(a, x[0]))
# CHECK: True True False

# CHECK-LABEL: functions
print("functions")
print(exe.functions)
# CHECK: [<attn.Signature @main(%query: tensor<1x2x8x16xf32>, %key: tensor<1x2x8x16xf32>, %value: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>>]
sig = exe["main"].signature
print(sig.name, sig.argument_names, sig.results, "main" in exe)
# CHECK: main ['%query', '%key', '%value'] ['tensor<1x2x8x16xf32>'] True

# CHECK-LABEL: stages
print("stages")
print(attn.IR_STAGES)
# CHECK: ['input', 'lowered', 'llvm', 'asm']
print(exe.ir("input").splitlines()[1].strip())
# CHECK: func.func @main(%arg0: tensor<1x2x8x16xf32>, %arg1: tensor<1x2x8x16xf32>, %arg2: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
print("llvm.func @_mlir_ciface_main" in exe.ir("lowered"))
# CHECK: True
print("define void @_mlir_ciface_main" in exe.ir("llvm"))
# CHECK: True
print("_mlir_ciface_main:" in exe.ir("asm"))
# CHECK: True
expect("stage", ValueError, lambda: exe.ir("tosa"))
# CHECK: stage: ValueError: unknown IR stage 'tosa': expected one of input, lowered, llvm, asm

# CHECK-LABEL: audit-2026-12-05
print("audit-2026-12-05")
# Objects that carry their own dtype (torch tensors, memoryviews,
# array.array) are checked as numpy arrays are, never cast; Python lists
# and scalars take the parameter's dtype.
import array  # noqa: E402

import torch  # noqa: E402

V = "tensor<3xf32>"
neg = attn.compile(f"""
func.func @neg(%a: {V}) -> {V} {{
  %e = tensor.empty() : {V}
  %r = linalg.negf ins(%a : {V}) outs(%e : {V}) -> {V}
  return %r : {V}
}}""")
expect("torch_f64", TypeError,
       lambda: neg.neg(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)))
# CHECK: torch_f64: TypeError: argument #0 of @neg ('%a'): expected element type f32 (tensor<3xf32>), found f64 (shape 3)
expect("array_d", TypeError, lambda: neg.neg(array.array("d", [1, 2, 3])))
# CHECK: array_d: TypeError: argument #0 of @neg ('%a'): expected element type f32 (tensor<3xf32>), found f64 (shape 3)
print(neg.neg(torch.tensor([1.0, 2.0, 3.0])), neg.neg([1, 2, 3]))
# CHECK: [-1. -2. -3.] [-1. -2. -3.]
# An int option beyond 64 bits, and GPU options on the CPU target.
expect("option_huge", ValueError, lambda: attn.compile(SOURCE, block_q=2**70))
# CHECK: option_huge: ValueError: compile() option 'block_q': expected an int in the 64-bit range, got 1180591620717411303424
expect("gpu_chip_cpu", ValueError, lambda: attn.compile(SOURCE, gpu_chip="sm_80"))
# CHECK: gpu_chip_cpu: ValueError: gpu_chip='sm_80' applies to target=cuda only (this is target=cpu)
expect("gpu_tc_cpu", ValueError,
       lambda: attn.compile(SOURCE, gpu_tensor_cores="bogus"))
# CHECK: gpu_tc_cpu: ValueError: gpu_tensor_cores='bogus' applies to target=cuda and target=opencl only (this is target=cpu)
# A result too large for memory (sized by the inputs) is an error; before,
# the kernel wrote through the null pointer malloc returned.
outer = attn.compile("""
func.func @outer(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %m = tensor.dim %b, %c0 : tensor<?xf32>
  %e = tensor.empty(%n, %m) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    linalg.yield %p : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}""")
print(outer.outer(np.ones(3, np.float32), np.ones(2, np.float32)).shape)
# CHECK: (3, 2)
big = np.ones(1 << 24, np.float32)
expect("out_of_memory", attn.Error, lambda: outer.outer(big, big))
# CHECK: out_of_memory: Error: @outer stopped at a run-time check: out of memory allocating memref<?x?xf32>
# A function the host cannot call says why in its signature; a call of an
# undefined external function names it.
scalar = attn.compile("func.func @f(%a: f32, %b: tensor<2xf32>) -> tensor<2xf32> "
                      "{ return %b : tensor<2xf32> }")
print(scalar.functions)
# CHECK: [<attn.Signature @f (not callable: argument #0 has type 'f32'; only ranked tensors of
ext = attn.compile("""func.func private @ext(tensor<2xf32>) -> tensor<2xf32>
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = func.call @ext(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}""")
expect("undefined_external", attn.Error, lambda: ext.f(np.ones(2, np.float32)))
# CHECK: undefined_external: Error: cannot run @f: the module calls @ext, declared without a body
# The first calls of one executable from several threads load it once
# (they raced and crashed before).
import threading  # noqa: E402

racy = attn.compile(SOURCE)
outs = [None] * 4


def first_call(i):
    outs[i] = racy.main(q, q, q)


threads = [threading.Thread(target=first_call, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(all(o is not None and np.array_equal(o, outs[0]) for o in outs))
# CHECK: True
