//===- VectorizeMatmuls.cpp - register-tile upstream matmuls ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The projections around attention are `linalg.matmul`/`batch_matmul`; left
// alone they become scalar loops. This pass tiles them (scf.for), peels the
// partial tiles so the main tiles are static, and vectorizes those.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNVECTORIZEMATMULSPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Tiles `op` with `sizes` into loops of `loopType` and replaces it with the
/// loops' results.
static FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
     scf::SCFTilingOptions::LoopType loopType) {
  scf::SCFTilingOptions options;
  options.setLoopType(loopType);
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t size : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(size));
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// Tiles `op` into register tiles of `sizes` (scf.for) and peels every tile
/// loop, so that the full tiles get static shapes.
static LogicalResult tileAndPeel(RewriterBase &rewriter, linalg::LinalgOp op,
                                 ArrayRef<int64_t> sizes) {
  FailureOr<scf::SCFTilingResult> tiled =
      tile(rewriter, op, sizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(tiled))
    return failure();
  // Peel innermost first so that outer peeling clones static inner loops.
  for (LoopLikeOpInterface loop : llvm::reverse(tiled->loops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    if (!forOp)
      continue;
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
  }
  return success();
}

namespace {
struct AttnVectorizeMatmulsPass
    : public mlir::attn::impl::AttnVectorizeMatmulsPassBase<
          AttnVectorizeMatmulsPass> {
  /// Runs the canonicalization patterns of every loaded op on the function.
  LogicalResult canonicalize() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      name.getCanonicalizationPatterns(patterns, ctx);
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          cast<linalg::LinalgOp>(op).hasPureTensorSemantics())
        ops.push_back(cast<linalg::LinalgOp>(op));
    });
    for (linalg::LinalgOp op : ops) {
      bool batched = isa<linalg::BatchMatmulOp>(op);
      // Threads: an scf.forall over (batch,) M x N cache tiles of 64 x 128
      // (the parallel loop of the pipeline, like attention's tiles).
      SmallVector<int64_t> cacheTile = batched
                                           ? SmallVector<int64_t>{1, 64, 128, 0}
                                           : SmallVector<int64_t>{64, 128, 0};
      FailureOr<scf::SCFTilingResult> outer = tile(
          rewriter, op, cacheTile, scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(outer))
        return signalPassFailure();
      auto cacheTileOp = cast<linalg::LinalgOp>(outer->tiledOps.back());
      SmallVector<int64_t> sizes = batched ? SmallVector<int64_t>{1, 8, 32, 8}
                                           : SmallVector<int64_t>{8, 32, 8};
      if (failed(tileAndPeel(rewriter, cacheTileOp, sizes)))
        return signalPassFailure();
    }
    // Fold the peeled bounds into the slice types (canonicalization), so
    // that the full tiles get static shapes.
    if (failed(canonicalize()))
      return signalPassFailure();
    // Vectorize the tiles that peeling made static.
    SmallVector<linalg::LinalgOp> tiles;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          op.hasPureTensorSemantics() && !op.hasDynamicShape())
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }
    // Constants move to the function entry, so the transfers' indices are
    // loop invariant.
    if (failed(canonicalize()))
      return signalPassFailure();
    // Keep the C tile in registers across the K loop: hoist its
    // extract_slice/transfer_read and transfer_write/insert_slice pairs
    // (loop-invariant subsets) out of the innermost loops.
    // Two rounds: the slices first, then the transfers on the hoisted slice.
    for (int round = 0; round < 2; ++round) {
      SmallVector<scf::ForOp> loops;
      getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops)
        hoistLoopInvariantSubsets(
            rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
    }
  }
};
} // namespace
