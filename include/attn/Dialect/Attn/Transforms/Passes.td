//===- Passes.td - attn dialect passes ---------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
#define ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnConvertToOnlinePass : Pass<"attn-convert-to-online", "func::FuncOp"> {
  let summary = "Rewrite attention ops into the destination-style online-softmax form";
  let description = [{
    Rewrites `attn.attention` and `attn.sliding_window_attention` into
    `attn.online_attention` on a `tensor.empty` destination: the scale is
    resolved (`1/sqrt(D)` by default), `causal` becomes `window_right = 0`,
    the query offset is `Lk - Lq` (bottom-right alignment) and an `i1` mask
    is widened to `i8` (one byte per element, as stored in memory, so vector
    loads read it directly). Shape relations that involve dynamic dimensions
    (equal batch sizes, `Hq % Hkv == 0`, equal `Lk`, mask extents) become
    `cf.assert`s that stop the kernel with a message naming the operands.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnCheckLowerablePass : Pass<"attn-check-lowerable", "func::FuncOp"> {
  let summary = "Reject attn ops that the code generator does not lower yet";
  let description = [{
    Emits an error on each graph-level `attn` op without a code-generation
    path (today: `attn.compose`, `attn.dcmha`, `attn.deformable_sample`,
    `attn.ms_deform_attn`), so that pipelines stop with a message naming the
    op instead of failing later in bufferization. The reference evaluator
    (`attn-run --backend=reference`) runs every op.
  }];
}

def AttnTilePass : Pass<"attn-tile", "func::FuncOp"> {
  let summary = "Tile attn.online_attention over (batch, head, query block)";
  let description = [{
    Tiles every `attn.online_attention` on tensors with an `scf.forall` over
    the parallel `(b, h, i)` domain with tile sizes `[1, 1, block-q]`, through
    the op's TilingInterface; ops where every query sees every key (no window
    side, no chunk) use `block-q-dense` rows instead when it is set. The forall later becomes the parallel
    (OpenMP) loop; the key loop stays inside each tile.
  }];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"64",
           "query rows per tile">,
    Option<"blockQDense", "block-q-dense", "int64_t", /*default=*/"0",
           "query rows per tile of ops without window or chunk (0 = block-q)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect"];
}

def AttnDecomposePass : Pass<"attn-decompose", "func::FuncOp"> {
  let summary = "Decompose attn.online_attention into linalg ops";
  let description = [{
    Replaces `attn.online_attention` ops on tensors with their
    AggregatedOpInterface decomposition: linalg ops that build the scores of
    the (tiled) op, mask them, take the softmax and multiply by V. This is the
    portable lowering; the CPU pipeline uses it for ops the vector kernel does
    not take (dynamic head dims), or for all ops with `decompose-all`.
  }];
  let options = [
    Option<"dynamicHeadDimsOnly", "dynamic-head-dims-only", "bool",
           /*default=*/"false",
           "only decompose ops whose D or Dv is dynamic">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnVectorizeMatmulsPass : Pass<"attn-vectorize-matmuls", "func::FuncOp"> {
  let summary = "Tile and vectorize the upstream matmuls around attention";
  let description = [{
    Tiles `linalg.matmul` and `linalg.batch_matmul` on tensors (the
    projections around attention) with an `scf.forall` over 64 x 128 (M x N)
    cache tiles (the parallel loop, as for attention), then each cache tile
    into register tiles of 8 x 32 x 8 (M x N x K; batch 1) with scf.for, peels
    the partial tiles off, vectorizes the static tiles into `vector.contract`
    (lowered later with the outer-product strategy) and hoists the C tile out
    of the K loop. Tiles that stay dynamic remain linalg ops (scalar loops).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnApproximateMathPass : Pass<"attn-approximate-math", "func::FuncOp"> {
  let summary = "Polynomial approximations of math.exp/tanh/... for vector code";
  let description = [{
    Applies MLIR's polynomial approximations (Cephes-style range reduction and
    FMA polynomials, relative error below 2^-22 for f32 exp) so that vector
    `math.exp` and `math.tanh` become vector arithmetic instead of one libm
    call per lane.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnEmitCInterfacePass : Pass<"attn-emit-c-interface", "ModuleOp"> {
  let summary = "Request C interface wrappers for every public function";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that `convert-func-to-llvm` emits `_mlir_ciface_<name>` taking memref
    descriptors by pointer (MLIR's C interface), which `attn-run` and the
    shared libraries of `attn-compile` call.
  }];
}

def AttnForallToSerialLoopsPass
    : Pass<"attn-forall-to-serial-loops", "func::FuncOp"> {
  let summary = "Run scf.forall loops serially, keeping per-iteration stack scratch";
  let description = [{
    Rewrites each `scf.forall` into nested `scf.for` loops (the one-thread
    form of the parallel tile loop). A statically sized `memref.alloca` in the
    forall body (the kernels' per-tile scratch, possibly inside a
    `memref.alloca_scope`) moves to the entry block of the function: the
    serial iterations share one buffer. Left in the loop it would survive
    canonicalization (`scf.for` is an automatic allocation scope) but lower to
    an LLVM `alloca` in a loop block, which grows the stack every iteration
    and overflows it on long sequences. (`convert-scf-to-openmp` scopes the
    threaded form with `memref.alloca_scope` instead.) Dynamically sized
    allocas stay and get a warning.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
