//===- Transforms.h - attn dialect transformations --------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The transformations behind the attn passes, as plain functions that passes
// and embedding compilers call.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
#define ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
class DialectRegistry;
namespace attn {

/// Rewrites `attn.attention` / `attn.sliding_window_attention` into
/// `attn.online_attention` on a fresh destination (see
/// `-attn-convert-to-online`). Fails when `D` is dynamic and no `scale` is
/// given (the default scale 1/sqrt(D) needs a static D). With a static
/// `Lk = 0` the op folds to zeros and a null op is returned.
FailureOr<OnlineAttentionOp> convertToOnline(RewriterBase &rewriter,
                                             Operation *attentionOp);

/// Adds the patterns of `convertToOnline` to `patterns`.
void populateConvertToOnlinePatterns(RewritePatternSet &patterns);

/// Tiles `op` (on tensors) with an `scf.forall` over (b, h, i) with tile
/// sizes [1, 1, blockQ] and replaces it with the loop's result.
FailureOr<scf::SCFTilingResult> tileOnlineAttention(RewriterBase &rewriter,
                                                    OnlineAttentionOp op,
                                                    int64_t blockQ);

/// Registers the BufferizableOpInterface models of the attn ops
/// (`attn.online_attention` bufferizes in place into its destination).
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

} // namespace attn
} // namespace mlir

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
