//===- AttnToVector.h - attn.online_attention to vector code ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_ATTNTOVECTOR_H
#define ATTN_CODEGEN_LLVMCPU_ATTNTOVECTOR_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Replaces `op` (memref semantics) with loops of vector code computing it:
/// the FlashAttention-2 forward pass with an online softmax over key blocks
/// of `config`'s `block_k`, query blocks of its `block_q` and its register
/// tiles (fitted to each other and to the op's rows), with the vector width
/// and primitives of `target`. Only key blocks that can hold a visible key
/// (window, causal, chunk) are visited. Fails (with a diagnostic) when `D` or
/// `Dv` is dynamic.
LogicalResult lowerOnlineAttentionToVector(RewriterBase &rewriter,
                                           OnlineAttentionOp op,
                                           const CPUTargetInfo &target,
                                           LoweringConfigAttr config);

/// The same kernel for a split-K tile: the keys of `op`'s range, starting
/// from and ending in its unnormalized (acc, max, sum) state. Query heads of
/// one KV head in the tile (GQA decode tiles) are stacked into one block of
/// rows, so each K/V block is read once for the group.
LogicalResult lowerPartialAttentionToVector(RewriterBase &rewriter,
                                            PartialAttentionOp op,
                                            const CPUTargetInfo &target,
                                            LoweringConfigAttr config);

/// Adds the patterns that finish the job on the emitted code (16x16 vector
/// transposes as shuffles for the K^T packing).
/// Replaces the gather tile `op` (on memrefs, static D and P) with its
/// vector kernel (GatherToVector.cpp).
LogicalResult lowerBilinearGatherToVector(RewriterBase &rewriter,
                                          BilinearGatherOp op,
                                          const CPUTargetInfo &target);

/// Replaces the DCMHA tile `op` (on memrefs; static H, D, Dv and compose
/// ranks; f32, f16 or bf16) with its vector kernel (DCMHAToVector.cpp):
/// query blocks of `blockQ` rows (rounded up to the vector width) with all
/// heads, the scores of each block's visible keys in a heap buffer of
/// H x keys x rows floats, an exact softmax, and the compose steps of
/// buildComposeHeads.
LogicalResult lowerOnlineDCMHAToVector(RewriterBase &rewriter,
                                       OnlineDCMHAOp op,
                                       const CPUTargetInfo &target,
                                       int64_t blockQ);

/// Replaces the compose tile `op` (on memrefs; static H and ranks; f32, f16
/// or bf16) with its vector kernel (DCMHAToVector.cpp): keys in the lanes,
/// key-indexed weights packed once per tile, buildComposeHeads per vector.
LogicalResult lowerTiledComposeToVector(RewriterBase &rewriter,
                                        TiledComposeOp op,
                                        const CPUTargetInfo &target);

void populateAttnToVectorCleanupPatterns(RewritePatternSet &patterns,
                                         const CPUTargetInfo &target);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_LLVMCPU_ATTNTOVECTOR_H
