//===- Decompose.cpp - the online forms to linalg ---------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The portable lowering: `attn.online_attention` becomes
// `attn.partial_attention` + normalization (its AggregatedOpInterface), the
// partial op's key dimension is tiled into an scf.for over key blocks (the
// FlashAttention loop, carrying the online-softmax state), and each block's
// partial op becomes one online step in linalg. `attn.bilinear_gather`
// becomes its gathering linalg.generic per level.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSEPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Replaces `op` with its AggregatedOpInterface decomposition.
static FailureOr<SmallVector<Value>> decomposeInPlace(RewriterBase &rewriter,
                                                      Operation *op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  FailureOr<SmallVector<Value>> values =
      cast<linalg::AggregatedOpInterface>(op).decomposeOperation(rewriter);
  if (failed(values))
    return failure();
  rewriter.replaceOp(op, *values);
  return values;
}

FailureOr<SmallVector<Value>>
mlir::attn::decomposePartialAttention(RewriterBase &rewriter,
                                      PartialAttentionOp op, int64_t blockK) {
  if (op.getNumResults() != 3)
    return rewriter.notifyMatchFailure(op, "decomposition needs tensors");
  OpBuilder::InsertionGuard guard(rewriter);
  ShapedType kType = op.getKeyType();
  bool oneBlock = blockK <= 0 ||
                  (!kType.isDynamicDim(2) && kType.getDimSize(2) <= blockK);
  if (oneBlock)
    return decomposeInPlace(rewriter, op);
  // With a window, chunk or causal bound, only the keys that some row of the
  // op sees: the same op on that key range (its tiling adjusts the key
  // offset), so the loop below costs Lq x (visible keys), not Lq x Lk.
  AttentionGeometry geometry = AttentionGeometry::get(op);
  if (geometry.restrictsKeys()) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value query = op.getQuery();
    auto dim = [&](Value v, int64_t i) -> OpFoldResult {
      return tensor::getMixedSize(rewriter, loc, v, i);
    };
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value lq = getValueOrCreateConstantIndexOp(rewriter, loc, dim(query, 2));
    Value lk =
        getValueOrCreateConstantIndexOp(rewriter, loc, dim(op.getKey(), 2));
    Value first = op.getQueryOffset();
    Value last = arith::SubIOp::create(
        rewriter, loc, arith::AddIOp::create(rewriter, loc, first, lq), one);
    auto [lo, hi] = geometry.emitVisibleColumns(rewriter, loc, first, last,
                                                op.getKeyOffset(), lk);
    Value count = arith::SubIOp::create(rewriter, loc, hi, lo);
    FailureOr<TilingResult> visible =
        cast<TilingInterface>(op.getOperation())
            .getTiledImplementation(
                rewriter,
                {rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                 rewriter.getIndexAttr(0), lo},
                {dim(query, 0), dim(query, 1), dim(query, 2), count});
    if (failed(visible))
      return op.emitOpError("could not restrict the keys to the visible ones");
    rewriter.replaceOp(op, visible->tiledValues);
    op = cast<PartialAttentionOp>(visible->tiledOps.front());
  }
  // Key blocks: an scf.for whose iter args carry (acc, max, sum).
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  options.setTileSizes({rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                        rewriter.getIndexAttr(0), rewriter.getIndexAttr(blockK)});
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return op.emitOpError("could not tile the key dimension");
  rewriter.replaceOp(op, tiled->replacements);
  for (Operation *tiledOp : tiled->tiledOps) {
    auto partial = cast<PartialAttentionOp>(tiledOp);
    if (failed(decomposePartialAttention(rewriter, partial, /*blockK=*/0)))
      return failure();
  }
  return SmallVector<Value>(tiled->replacements);
}

FailureOr<SmallVector<Value>>
mlir::attn::decomposeOnlineAttention(RewriterBase &rewriter,
                                     OnlineAttentionOp op, int64_t blockK) {
  FailureOr<SmallVector<Value>> values = decomposeInPlace(rewriter, op);
  if (failed(values))
    return failure();
  // The normalization reads the partial op's results.
  PartialAttentionOp partial;
  if (Operation *norm = (*values)[0].getDefiningOp())
    for (Value operand : norm->getOperands())
      if (auto p = operand.getDefiningOp<PartialAttentionOp>())
        partial = p;
  if (partial && failed(decomposePartialAttention(rewriter, partial, blockK)))
    return failure();
  return values;
}

namespace {
/// Head dims the vector kernel does not take: dynamic, or above `limit`
/// (0 = none).
bool kernelRejectsHeadDims(ShapedType k, ShapedType v, int64_t limit) {
  if (k.isDynamicDim(3) || v.isDynamicDim(3))
    return true;
  return limit > 0 && (k.getDimSize(3) > limit || v.getDimSize(3) > limit);
}

struct AttnDecomposePass
    : public mlir::attn::impl::AttnDecomposePassBase<AttnDecomposePass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (auto online = dyn_cast<OnlineAttentionOp>(op)) {
        if (online.getNumResults() == 1 &&
            (!dynamicHeadDimsOnly ||
             kernelRejectsHeadDims(online.getKeyType(), online.getValueType(),
                                   maxKernelHeadDim)))
          ops.push_back(op);
      } else if (auto partial = dyn_cast<PartialAttentionOp>(op)) {
        if (partial.getNumResults() == 3 &&
            (!dynamicHeadDimsOnly ||
             kernelRejectsHeadDims(partial.getKeyType(), partial.getValueType(),
                                   maxKernelHeadDim)))
          ops.push_back(op);
      } else if (auto gather = dyn_cast<BilinearGatherOp>(op)) {
        // The vector kernel takes static channels and points.
        if (gather.getNumResults() == 1 &&
            (!dynamicHeadDimsOnly || gather.getValueType().isDynamicDim(3) ||
             gather.getLocationsType().isDynamicDim(4)))
          ops.push_back(op);
      }
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      int64_t keys = blockK;
      if (LoweringConfigAttr config = getLoweringConfig(op))
        keys = config.getBlockK();
      if (isa<BilinearGatherOp>(op)) {
        if (failed(decomposeInPlace(rewriter, op)))
          return signalPassFailure();
        continue;
      }
      LogicalResult result =
          isa<OnlineAttentionOp>(op)
              ? LogicalResult(decomposeOnlineAttention(
                    rewriter, cast<OnlineAttentionOp>(op), keys))
              : LogicalResult(decomposePartialAttention(
                    rewriter, cast<PartialAttentionOp>(op), keys));
      if (failed(result))
        return signalPassFailure();
    }
  }
};
} // namespace
