//===- AttnToVector.h - attn.online_attention to vector code ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_ATTNTOVECTOR_ATTNTOVECTOR_H
#define ATTN_CONVERSION_ATTNTOVECTOR_ATTNTOVECTOR_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Target/TargetInfo.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Replaces `op` (memref semantics) with loops of vector code computing it:
/// the FlashAttention-2 forward pass with an online softmax over key blocks
/// of `target.blockK`, query blocks of `target.blockQ`, register tiles and
/// vector width from `target`. Only key blocks that can hold a visible key
/// (window, causal, chunk) are visited. Fails (with a diagnostic) when `D` or
/// `Dv` is dynamic.
LogicalResult lowerOnlineAttentionToVector(RewriterBase &rewriter,
                                           OnlineAttentionOp op,
                                           const CPUTargetInfo &target);

/// Adds the patterns that finish the job on the emitted code (16x16 vector
/// transposes as shuffles for the K^T packing).
void populateAttnToVectorCleanupPatterns(RewritePatternSet &patterns,
                                         const CPUTargetInfo &target);

} // namespace mlir::attn

#endif // ATTN_CONVERSION_ATTNTOVECTOR_ATTNTOVECTOR_H
