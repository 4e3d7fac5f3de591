//===- Passes.td - CPU code-generation passes -------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_PASSES_TD
#define ATTN_CODEGEN_LLVMCPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertAttnToVectorPass : Pass<"convert-attn-to-vector", "func::FuncOp"> {
  let summary = "Lower bufferized attn.online_attention to loops of vector code";
  let description = [{
    Replaces every `attn.online_attention` on memrefs (after bufferization)
    with a FlashAttention-style CPU kernel: loops over batch, head and query
    blocks; a loop over only the key blocks that can be visible (causal,
    window, chunk); per key block K^T packed with 16x16 vector transposes,
    `S = Q K^T` with a register-tiled outer-product micro-kernel, the online
    softmax (running row max and sum, an exp2 of its own with log2(e) folded
    into the scale), and `O += P V` with a
    second register tile. Vector width and tiles come from the target info
    of `target-cpu`. Head dims must be static.
  }];
  let options = [
    Option<"targetCPU", "target-cpu", "std::string", /*default=*/"\"native\"",
           "CPU to generate code for ('native' = host)">,
    Option<"blockQ", "block-q", "int64_t", /*default=*/"0",
           "query rows per block (0 = from the target info)">,
    Option<"blockQDense", "block-q-dense", "int64_t", /*default=*/"0",
           "query rows per block of ops without window or chunk (0 = block-q "
           "if set, else from the target info)">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"0",
           "keys per block (0 = from the target info)">,
    Option<"qkRows", "qk-rows", "int64_t", /*default=*/"0",
           "query rows of the Q K^T register tile (0 = from the target info)">,
    Option<"qkVectors", "qk-vectors", "int64_t", /*default=*/"0",
           "key vectors of the Q K^T register tile (0 = from the target info)">,
    Option<"pvRows", "pv-rows", "int64_t", /*default=*/"0",
           "query rows of the P V register tile (0 = from the target info)">,
    Option<"pvVectors", "pv-vectors", "int64_t", /*default=*/"0",
           "Dv vectors of the P V register tile (0 = from the target info)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect",
                           // AVX2's 8x8 transpose blends through inline asm.
                           "::mlir::LLVM::LLVMDialect"];
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

#endif // ATTN_CODEGEN_LLVMCPU_PASSES_TD
