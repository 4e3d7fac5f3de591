//===- Passes.td - target-neutral code-generation passes ---*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_COMMON_PASSES_TD
#define ATTN_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnInsertShapeChecksPass
    : Pass<"attn-insert-shape-checks", "func::FuncOp"> {
  let summary = "Check dynamic linalg loop sizes and tensor slice bounds at run time";
  let description = [{
    A `linalg` op on tensors reads each loop's size from one operand and
    trusts every other operand that the loop indexes to have that size;
    with dynamic dims nothing checks it, and the generated loops read or
    write out of bounds when the data disagree (an elementwise add of shapes
    `(100000,)` and `(4,)` corrupts the heap). This pass adds, before each
    such op, a `cf.assert` per loop dimension that two or more operand dims
    index through plain dim expressions, when any of them is dynamic: all
    equal to the first. `tensor.extract_slice` and `tensor.insert_slice`
    with dynamic offsets, sizes, strides or tensors get bounds checks (the
    slice lies inside its source or destination). The messages name the op,
    the operands and the dims, as the checks of the attn ops do. Static
    mismatches are the verifiers'. The checks of ops in the function's
    entry block go to its start when the sizes they compare can be
    recomputed there from the arguments (so that a failing check stops the
    call before anything is allocated, and nothing leaks); others go before
    their op.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnCheckAllocationsPass
    : Pass<"attn-check-allocations", "func::FuncOp"> {
  let summary = "Check at run time that dynamically sized heap allocations succeeded";
  let description = [{
    `memref.alloc` lowers to `malloc` without a check, so a result whose
    size comes from the inputs (an outer product of two long vectors) and
    does not fit in memory was written through a null pointer (SIGSEGV).
    This pass adds, after each `memref.alloc` with a dynamic size that is
    not inside an `scf.forall` or `scf.parallel` (the allocations of the
    calling thread, before it forks threads), a `cf.assert` that the
    buffer's address is not null: "out of memory allocating
    memref<...>". The runtime turns it into an error like any run-time
    check (buffers allocated before it leak). Statically sized
    allocations and the kernels' per-tile scratch inside parallel loops
    are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AttnLowerStridedCopiesPass
    : Pass<"attn-lower-strided-copies", "func::FuncOp"> {
  let summary = "Rewrite memref.copy between non-contiguous memrefs to linalg.copy";
  let description = [{
    `-finalize-memref-to-llvm` lowers a `memref.copy` to `llvm.memcpy` when
    both operands are contiguous, and otherwise to a call of `memrefCopy`
    from MLIR's C runner utils. That library is not something a deployed
    `attn-compile` library can carry (Debian's links `libMLIR.so` and
    `libLLVM.so`), so this pass turns the strided copies (bufferized
    `tensor.extract_slice` / `insert_slice` of strided views) into
    `linalg.copy`, which `-convert-linalg-to-loops` then lowers to plain
    loops. Contiguous copies are left to `llvm.memcpy`. Copies of a view
    onto itself (the same value, or equal subviews of one buffer, which
    bufferization leaves after in-place loops over tiles) are erased.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def AttnDecomposeLinalgAggregatesPass
    : Pass<"attn-decompose-linalg-aggregates", "func::FuncOp"> {
  let summary = "Decompose upstream aggregated linalg ops (linalg.softmax) into generics";
  let description = [{
    Ops of the `linalg` dialect that implement `AggregatedOpInterface`
    (`linalg.softmax`) have no direct lowering to loops; this pass replaces
    each one on tensors by its decomposition (for softmax: max, subtract and
    exp, sum, divide, as `linalg.generic`s), which the rest of the pipeline
    lowers. Without it a graph with `linalg.softmax` failed late, in the
    LLVM translation.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnCheckBufferizablePass
    : Pass<"attn-check-bufferizable", "func::FuncOp"> {
  let summary = "Reject ops on tensors that one-shot bufferization cannot take";
  let description = [{
    Runs right before bufferization in `--attn-cpu-pipeline`. Every op that
    still has a tensor operand or result must implement
    `BufferizableOpInterface` (directly or through its dialect's external
    model), or be `bufferization.to_tensor`/`to_buffer`; otherwise the
    pipeline stops here with an error that names the op and this pass
    (`tensor.gather`, for instance, has no bufferization model upstream),
    instead of one-shot-bufferize's "op was not bufferized". The ops that
    earlier passes rewrite (attn ops, TOSA, `linalg.softmax`, elementwise
    arith on tensors) are gone by then.
  }];
}

def AttnTransientWorkspacePass
    : Pass<"attn-transient-workspace", "ModuleOp"> {
  let summary = "Keep a function's statically sized temporary buffers allocated between calls";
  let description = [{
    Runs on buffers, after the deallocation pipeline. In each function, the
    statically sized `memref.alloc`s of its entry block that the same block
    frees with `memref.dealloc` (the intermediates of a model graph, which
    the deallocation pipeline frees at the end) become `memref.view`s into
    one workspace, at 64-byte aligned offsets. A buffer lives from its
    allocation to the last use of it or of a value that may alias it
    (conservatively: every memref result of an op that uses it, and of the
    entry-block op around such a use); buffers whose lifetimes do not
    overlap share bytes (first fit, largest first): the ViT-B/16 block's
    workspace is 4.2 MB instead of the 9.7 MB of its buffers, the BERT
    layer's 18.9 MB instead of 53.6 MB. A buffer with an alias that is
    returned keeps its `malloc`. The workspace is a mutable
    `memref.global` of the function (`__attn_workspace_<f>`, zero-filled
    storage: .bss in a library), taken for the call by an atomic exchange
    of a busy flag (`__attn_workspace_busy_<f>`) and given back where the
    last of the buffers was freed; a call that finds it busy (another
    thread's, or a recursive call) allocates and frees a workspace of its
    own. Large temporary buffers otherwise come from `malloc` as fresh
    pages on every call (glibc maps allocations above its threshold and
    returns freed memory to the kernel), and the page faults and zeroing
    of the kernel cost the ViT-B/16 block 3-5% of its time. ONNX Runtime
    keeps its buffers in an arena the same way.

    A function is left alone when it has no such buffer, when the
    workspace would exceed `max-bytes`, or when a run-time check
    (`cf.assert`) lies between the first buffer and the last free (a
    failed check leaves the call there and would never give the workspace
    back). The workspace stays allocated (resident once used) for as long
    as the code is loaded: at most `max-bytes` per function.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"256 << 20",
           "Largest workspace kept between calls, in bytes">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // ATTN_CODEGEN_COMMON_PASSES_TD
