//===- Tile.cpp - tile attn.online_attention --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILEPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Tiling takes a positive query block and an op on tensors (one result).
static LogicalResult checkTileable(RewriterBase &rewriter, Operation *op,
                                   int64_t blockQ) {
  if (blockQ <= 0)
    return op->emitOpError("expected a positive query block size, found ")
           << blockQ;
  if (op->getNumResults() != 1)
    return rewriter.notifyMatchFailure(op, "tiling needs tensor semantics");
  return success();
}

/// Tiles `op` with an scf.forall of tile `sizes` (0 = not tiled) and
/// replaces it with the loop's result.
static FailureOr<scf::SCFTilingResult>
tileWithForall(RewriterBase &rewriter, Operation *op, ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t size : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(size));
  options.setTileSizes(tileSizes);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return result;
}

FailureOr<scf::SCFTilingResult>
mlir::attn::tileOnlineAttention(RewriterBase &rewriter, OnlineAttentionOp op,
                                int64_t blockQ) {
  if (failed(checkTileable(rewriter, op, blockQ)))
    return failure();
  return tileWithForall(rewriter, op, {1, 1, blockQ});
}

FailureOr<scf::ForallOp>
mlir::attn::tileOnlineDCMHA(RewriterBase &rewriter, OnlineDCMHAOp op,
                            int64_t blockQ) {
  if (failed(checkTileable(rewriter, op, blockQ)))
    return failure();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  Value batch = tensor::DimOp::create(rewriter, loc, op.getOutput(), 0);
  Value lq = tensor::DimOp::create(rewriter, loc, op.getOutput(), 2);
  Value blocks = arith::CeilDivUIOp::create(rewriter, loc, lq, idx(blockQ));
  auto forall = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{batch, blocks},
      ValueRange{op.getOutput()}, /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard bodyGuard(rewriter);
  rewriter.setInsertionPointToStart(forall.getBody());
  Value bIdx = forall.getInductionVar(0), k = forall.getInductionVar(1);
  // Folded order: k = 0, 1, 2, 3, ... takes blocks 0, n-1, 1, n-2, ...
  Value half = arith::DivUIOp::create(rewriter, loc, k, idx(2));
  Value odd = arith::CmpIOp::create(
      rewriter, loc, arith::CmpIPredicate::ne,
      arith::RemUIOp::create(rewriter, loc, k, idx(2)), idx(0));
  Value mirrored = arith::SubIOp::create(
      rewriter, loc, arith::SubIOp::create(rewriter, loc, blocks, idx(1)),
      half);
  Value block = arith::SelectOp::create(rewriter, loc, odd, mirrored, half);
  Value i0 = arith::MulIOp::create(rewriter, loc, block, idx(blockQ));
  Value rows = arith::MinUIOp::create(
      rewriter, loc, idx(blockQ), arith::SubIOp::create(rewriter, loc, lq, i0));
  // The tile computes into the loop's shared output.
  auto tiledSource = cast<OnlineDCMHAOp>(rewriter.clone(*op));
  tiledSource.getOutputMutable().assign(forall.getRegionIterArgs()[0]);
  SmallVector<OpFoldResult> offsets = {bIdx, i0};
  SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1), rows};
  FailureOr<TilingResult> tiled =
      tiledSource.getTiledImplementation(rewriter, offsets, sizes);
  if (failed(tiled))
    return failure();
  SmallVector<OpFoldResult> resultOffsets, resultSizes;
  if (failed(tiledSource.getResultTilePosition(rewriter, 0, offsets, sizes,
                                               resultOffsets, resultSizes)))
    return failure();
  rewriter.eraseOp(tiledSource);
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> strides(4, rewriter.getIndexAttr(1));
  tensor::ParallelInsertSliceOp::create(
      rewriter, loc, tiled->tiledValues[0], forall.getRegionIterArgs()[0],
      resultOffsets, resultSizes, strides);
  rewriter.replaceOp(op, forall.getResults());
  return forall;
}

FailureOr<scf::SCFTilingResult>
mlir::attn::tileTiledCompose(RewriterBase &rewriter, TiledComposeOp op,
                             int64_t blockQ) {
  if (failed(checkTileable(rewriter, op, blockQ)))
    return failure();
  return tileWithForall(rewriter, op, {1, blockQ});
}

FailureOr<scf::SCFTilingResult>
mlir::attn::tileBilinearGather(RewriterBase &rewriter, BilinearGatherOp op,
                               int64_t blockQ, bool serialBatches) {
  if (failed(checkTileable(rewriter, op, blockQ)))
    return failure();
  OpBuilder::InsertionGuard guard(rewriter);
  auto tile = [&](BilinearGatherOp target, scf::SCFTilingOptions::LoopType type,
                  int64_t batch, int64_t queries) {
    scf::SCFTilingOptions options;
    options.setLoopType(type);
    // Heads stay whole (size 0 = not tiled): the heads of a query read the
    // same pixels' rows of `value`.
    options.setTileSizes({rewriter.getIndexAttr(batch),
                          rewriter.getIndexAttr(queries),
                          rewriter.getIndexAttr(0)});
    rewriter.setInsertionPoint(target);
    FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(target.getOperation()), options);
    if (succeeded(result))
      rewriter.replaceOp(target, result->replacements);
    return result;
  };
  // Batches one after the other (an scf.for) and the queries of a batch in
  // parallel: all threads gather from one batch's map at a time, so the
  // maps of different batches do not compete for the cache (Deformable-DETR
  // encoder, N = 2: 20 MB per map; docs/benchmarks.md). A GPU grid takes
  // the batches in the forall instead (one launch).
  ShapedType outType = op.getOutputType();
  if (serialBatches &&
      (outType.isDynamicDim(0) || outType.getDimSize(0) > 1)) {
    FailureOr<scf::SCFTilingResult> batches =
        tile(op, scf::SCFTilingOptions::LoopType::ForOp, 1, 0);
    if (failed(batches))
      return failure();
    op = cast<BilinearGatherOp>(batches->tiledOps.front());
  }
  return tile(op, scf::SCFTilingOptions::LoopType::ForallOp, 1, blockQ);
}

namespace {
/// Gives every online form that is created while one op is tiled (its tiles,
/// and the partial ops of split-K) that op's lowering config.
struct LoweringConfigPropagator : public RewriterBase::Listener {
  LoweringConfigAttr config;
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint previous) override {
    if (config && isa<OnlineAttentionOp, PartialAttentionOp>(op) &&
        !getLoweringConfig(op))
      setLoweringConfig(op, config);
  }
};

struct AttnTilePass
    : public mlir::attn::impl::AttnTilePassBase<AttnTilePass> {
  using Base::Base;

  /// The ops of type OpTy on tensors that are not tiles yet (a tile already
  /// sits inside an scf.forall).
  template <typename OpTy>
  SmallVector<OpTy> collectUntiled() {
    SmallVector<OpTy> ops;
    getOperation().walk([&](OpTy op) {
      Operation *raw = op.getOperation();
      if (raw->getNumResults() == 1 && !raw->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });
    return ops;
  }

  void runOnOperation() override {
    LoweringConfigPropagator propagator;
    IRRewriter rewriter(&getContext(), &propagator);
    SmallVector<OnlineAttentionOp> ops = collectUntiled<OnlineAttentionOp>();
    for (BilinearGatherOp op : collectUntiled<BilinearGatherOp>())
      if (failed(tileBilinearGather(rewriter, op, gatherBlockQ,
                                    gatherSerialBatches)))
        return signalPassFailure();
    for (OnlineDCMHAOp op : collectUntiled<OnlineDCMHAOp>())
      if (failed(tileOnlineDCMHA(rewriter, op, dcmhaBlockQ)))
        return signalPassFailure();
    for (TiledComposeOp op : collectUntiled<TiledComposeOp>())
      if (failed(tileTiledCompose(rewriter, op, composeBlockQ)))
        return signalPassFailure();
    if (splitKeys < 0 || splitKeys > kMaxKeySplits || blockQ < 0 ||
        blockQ > kMaxLoweringBlock) {
      getOperation().emitError()
          << "expected split-keys in [0, " << kMaxKeySplits
          << "] and block-q in [0, " << kMaxLoweringBlock
          << "] (0 = chosen per op), found split-keys=" << int64_t(splitKeys)
          << ", block-q=" << int64_t(blockQ);
      return signalPassFailure();
    }
    for (OnlineAttentionOp op : ops) {
      propagator.config = getLoweringConfig(op);
      int64_t rows = blockQ, splits = splitKeys;
      if (propagator.config) {
        rows = propagator.config.getBlockQ();
        splits = propagator.config.getSplitKeys();
      } else if (splits == 0) {
        splits = chooseKeySplits(op.getQueryType(), op.getKeyType(), rows,
                                 numThreads);
      }
      if (splits > 1) {
        if (failed(mlir::attn::splitKeys(rewriter, op, splits)))
          return signalPassFailure();
        continue;
      }
      if (failed(tileOnlineAttention(rewriter, op, rows)))
        return signalPassFailure();
    }
  }
};
} // namespace
