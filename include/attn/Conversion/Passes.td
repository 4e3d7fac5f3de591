//===- Passes.td - attn conversion passes ------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_PASSES_TD
#define ATTN_CONVERSION_PASSES_TD

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
                           "::mlir::x86vector::X86VectorDialect"];
}

#endif // ATTN_CONVERSION_PASSES_TD
