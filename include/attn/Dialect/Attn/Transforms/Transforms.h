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
/// `-attn-convert-to-online`). When `D` is dynamic and no `scale` is given,
/// the online form has no `scale` attribute and uses 1/sqrt(D) of the
/// run-time D. The online op keeps the op's `lowering_config`. With a static
/// `Lk = 0` the op folds to zeros and a null op is returned.
FailureOr<OnlineAttentionOp> convertToOnline(RewriterBase &rewriter,
                                             Operation *attentionOp);

/// Rewrites `attn.dcmha` into `attn.online_dcmha` on a fresh destination
/// (see `-attn-convert-to-online`), with the scale resolved (absent when D is
/// dynamic and no `scale` is given: 1/sqrt of the run-time D), `causal` and
/// `window` as window extents, the bottom-right query offset, and run-time
/// checks of the dynamic dims. With a static `Lk = 0` the op folds to zeros
/// and a null op is returned.
FailureOr<OnlineDCMHAOp> convertDCMHAToOnline(RewriterBase &rewriter,
                                              DCMHAOp op);

/// Rewrites `attn.compose` into `attn.tiled_compose` on a fresh destination
/// (see `-attn-convert-to-online`), with run-time checks of the dynamic dims.
FailureOr<TiledComposeOp> convertComposeToTiled(RewriterBase &rewriter,
                                                ComposeOp op);

/// Adds the patterns of `convertToOnline` to `patterns`.
void populateConvertToOnlinePatterns(RewritePatternSet &patterns);

/// Emits a `cf.assert` that dim `xd` of tensor `x` equals dim `yd` of tensor
/// `y` when either is dynamic (nothing when both are static: the verifier
/// checked them). The message names `op`, both operands and `dimName`.
void assertSameDim(OpBuilder &b, Location loc, Operation *op, Value x,
                   int64_t xd, StringRef xName, Value y, int64_t yd,
                   StringRef yName, StringRef dimName);

/// Rewrites `attn.deformable_sample` / `attn.ms_deform_attn` into
/// `attn.bilinear_gather` on a fresh destination, with reshapes of the
/// operands and the result (see `-attn-convert-to-gather`). Fails with an
/// error for shapes the tiled form cannot take (a dynamic `Hin`/`Win`, more
/// than 2^31 - 1 rows of `S`).
FailureOr<BilinearGatherOp> convertToGather(RewriterBase &rewriter,
                                            Operation *samplingOp);

/// Tiles `op` (on tensors) with an `scf.for` over batches (when N may be
/// above 1) around an `scf.forall` over query blocks of `blockQ` (all heads
/// of a query in one tile), and replaces it with the loops' result. Returns
/// the forall's tiling. With `serialBatches = false` the batches are a
/// dimension of the forall instead (one parallel loop over (batch, query
/// block), as a GPU grid wants it).
FailureOr<scf::SCFTilingResult> tileBilinearGather(RewriterBase &rewriter,
                                                   BilinearGatherOp op,
                                                   int64_t blockQ,
                                                   bool serialBatches = true);

/// Tiles `op` (on tensors) with an `scf.forall` over (b, h, i) with tile
/// sizes [1, 1, blockQ] and replaces it with the loop's result. The tiles
/// keep the op's `lowering_config`.
FailureOr<scf::SCFTilingResult> tileOnlineAttention(RewriterBase &rewriter,
                                                    OnlineAttentionOp op,
                                                    int64_t blockQ);

/// Tiles `op` (on tensors) with an `scf.forall` over (batch, query block of
/// `blockQ` rows), every tile holding all heads (compose mixes them), in the
/// folded block order of `-attn-tile` (causal work balanced over any
/// contiguous share of the iterations), and replaces it with the loop's
/// result.
FailureOr<scf::ForallOp> tileOnlineDCMHA(RewriterBase &rewriter,
                                                OnlineDCMHAOp op,
                                                int64_t blockQ);

/// Tiles `op` (on tensors) with an `scf.forall` over (batch, block of
/// `blockQ` rows), every tile holding all heads and keys of its rows, and
/// replaces it with the loop's result.
FailureOr<scf::SCFTilingResult> tileTiledCompose(RewriterBase &rewriter,
                                                 TiledComposeOp op,
                                                 int64_t blockQ);

/// Flash-decoding: rewrites `op` (on tensors) into an `scf.forall` over
/// (split, batch, head tile) whose tiles are `attn.partial_attention` ops on
/// `splits` key ranges of ceil(Lk / splits) keys, each on a fresh state,
/// followed by linalg ops that merge the partial states (logsumexp rule) and
/// normalize. With `stackGroups` and GQA (static head counts) a head tile is
/// one KV group's Hq / Hkv query heads, so K/V is read once per group;
/// otherwise one query head. Returns the value that replaced the op.
FailureOr<Value> splitKeys(RewriterBase &rewriter, OnlineAttentionOp op,
                           int64_t splits, bool stackGroups = true);

/// The number of key splits for attention with `query` [B, Hq, Lq, D] and
/// `key` [B, Hkv, Lk, D] types (1 = do not split): more than one only for
/// decode shapes (static shapes whose KV group holds at most `blockQ / 2`
/// query rows, with at least 2048 keys). There it is the fewest splits that
/// give each of `threads` threads (0 = the hardware threads this process
/// may run on; OMP_NUM_THREADS is not read) 8 tiles of (split, batch, KV
/// group), at least 2, at most 64 and at most one per 1024 keys.
int64_t chooseKeySplits(ShapedType query, ShapedType key, int64_t blockQ,
                        int64_t threads);

/// The portable lowering of `op` (tensors): `attn.partial_attention` over
/// key blocks of `blockK` (an scf.for carrying the state; 0 = one block of
/// all keys), each decomposed into one online step in linalg, then the
/// normalization. Returns the replacement values.
FailureOr<SmallVector<Value>> decomposeOnlineAttention(RewriterBase &rewriter,
                                                       OnlineAttentionOp op,
                                                       int64_t blockK);

/// Decomposes `op` (tensors) into linalg, first tiling its key dimension by
/// `blockK` (0 = not tiled) into an scf.for over key blocks.
FailureOr<SmallVector<Value>> decomposePartialAttention(RewriterBase &rewriter,
                                                        PartialAttentionOp op,
                                                        int64_t blockK);

/// Registers the BufferizableOpInterface models of the attn ops
/// (`attn.online_attention` bufferizes in place into its destination).
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);

} // namespace attn
} // namespace mlir

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_TRANSFORMS_H
