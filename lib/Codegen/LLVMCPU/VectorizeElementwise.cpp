//===- VectorizeElementwise.cpp - thread and vectorize linalg.generic -*- C++ -*-//
//
// Part of the attn-mlir project.
//
// The elementwise ops and row reductions around attention (bias adds,
// residual adds, layer and RMS norms, GELU, SiLU, softmax as generics, and
// the transposes that split and merge heads) used to become scalar loops on
// one thread. This pass gives each static
// linalg.generic on tensors an scf.forall over its outer parallel loops
// (blocks of about kTaskElements elements), tiles the innermost loop into
// vectors of a few registers (scf.for, the last partial tile peeled), and
// vectorizes the tiles: the full ones at their static size, the partial
// ones with masks.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/Passes.h"

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNVECTORIZEELEMENTWISEPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Elements per thread task: enough work to amortize a fork (a few µs) and
/// small enough that a 197 x 768 activation still splits over 16 threads.
static constexpr int64_t kTaskElements = 8192;

/// Whether every operand of `op` is a ranked tensor of byte-sized scalars:
/// an i1 tensor holds one byte per element in memory, but a vector<Nxi1>
/// load reads N bits.
static bool hasByteElements(linalg::GenericOp op) {
  return llvm::all_of(op->getOpOperands(), [](OpOperand &operand) {
    Type element = getElementTypeOrSelf(operand.get().getType());
    return isa<RankedTensorType>(operand.get().getType()) &&
           element.isIntOrFloat() && element.getIntOrFloatBitWidth() % 8 == 0;
  });
}

/// Whether the pass takes `op`: a linalg.generic on static tensors of
/// scalars, whose loops are parallel except, possibly, the innermost
/// (a row reduction), and whose maps the vectorizer accepts.
static bool isCandidate(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumLoops() == 0 || op.getNumDpsInits() != 1)
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (utils::IteratorType it : ArrayRef(iterators).drop_back())
    if (it != utils::IteratorType::parallel)
      return false;
  if (!hasByteElements(op))
    return false;
  // linalg.index payloads need the loop indices per lane; leave them.
  if (!op.getBody()->getOps<linalg::IndexOp>().empty())
    return false;
  return succeeded(linalg::vectorizeOpPrecondition(op));
}

namespace {
struct AttnVectorizeElementwisePass
    : public mlir::attn::impl::AttnVectorizeElementwisePassBase<
          AttnVectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    int64_t lanes = CPUTargetInfo::get(targetCPU).lanes();
    // Innermost tile: 4 vector registers.
    int64_t inner = 4 * lanes;

    // Transposes that keep the innermost dimension in place (splitting and
    // merging attention heads) are row copies: as generics they take the
    // same path (one vector row at a time) instead of scalar serial loops.
    SmallVector<linalg::TransposeOp> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      ArrayRef<int64_t> perm = op.getPermutation();
      if (op.hasPureTensorSemantics() && !perm.empty() &&
          perm.back() == static_cast<int64_t>(perm.size()) - 1)
        transposes.push_back(op);
    });
    for (linalg::TransposeOp op : transposes) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }

    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isCandidate(op))
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops) {
      SmallVector<int64_t> bounds = op.getStaticLoopRanges();
      int64_t n = bounds.size();
      // Thread tasks over the outer loops: whole rows, as many as make
      // about kTaskElements elements.
      SmallVector<OpFoldResult> taskSizes(n, rewriter.getIndexAttr(0));
      if (n >= 2) {
        int64_t rows = std::max<int64_t>(1, kTaskElements / bounds[n - 1]);
        for (int64_t d = 0; d < n - 2; ++d)
          taskSizes[d] = rewriter.getIndexAttr(1);
        taskSizes[n - 2] = rewriter.getIndexAttr(rows);
      }
      Operation *tiled = op;
      if (n >= 2) {
        scf::SCFTilingOptions options;
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
        options.setTileSizes(taskSizes);
        rewriter.setInsertionPoint(op);
        FailureOr<scf::SCFTilingResult> tasks =
            scf::tileUsingSCF(rewriter, cast<TilingInterface>(*op), options);
        if (failed(tasks))
          continue;
        rewriter.replaceOp(op, tasks->replacements);
        tiled = tasks->tiledOps.back();
      }
      // Rows one at a time, the innermost loop in vectors.
      SmallVector<OpFoldResult> vectorSizes(n, rewriter.getIndexAttr(1));
      vectorSizes[n - 1] = rewriter.getIndexAttr(inner);
      scf::SCFTilingOptions options;
      options.setTileSizes(vectorSizes);
      rewriter.setInsertionPoint(tiled);
      FailureOr<scf::SCFTilingResult> rows =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(tiled), options);
      if (failed(rows))
        continue;
      rewriter.replaceOp(tiled, rows->replacements);
      if (!rows->loops.empty()) {
        if (auto innermost =
                dyn_cast<scf::ForOp>(rows->loops.back().getOperation())) {
          scf::ForOp partial;
          (void)scf::peelForLoopAndSimplifyBounds(rewriter, innermost,
                                                  partial);
        }
      }
    }
    // Fold the peeled bounds into static slice types.
    OpPassManager canonicalize(func::FuncOp::getOperationName());
    canonicalize.addPass(createCanonicalizerPass());
    if (failed(runPipeline(canonicalize, getOperation())))
      return signalPassFailure();
    // Vectorize the tiles: static ones as they are, the partial ones with
    // masks of the tile's size.
    SmallVector<linalg::GenericOp> tiles;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
          !hasByteElements(op) ||
          !op.getBody()->getOps<linalg::IndexOp>().empty())
        return;
      SmallVector<int64_t> bounds = op.getStaticLoopRanges();
      // Only the tiles made above: unit outer loops, a short inner one.
      if (bounds.empty() || bounds.back() > inner ||
          !llvm::all_of(ArrayRef(bounds).drop_back(),
                        [](int64_t b) { return b == 1; }))
        return;
      tiles.push_back(op);
    });
    for (linalg::GenericOp op : tiles) {
      SmallVector<int64_t> sizes;
      if (op.hasDynamicShape()) {
        sizes.assign(op.getNumLoops(), 1);
        sizes.back() = inner;
      }
      SmallVector<bool> scalable(sizes.size(), false);
      if (failed(linalg::vectorizeOpPrecondition(op, sizes, scalable)))
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, op, sizes, scalable);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }
    // Masked transfers take their mask as an operand (no vector.mask
    // regions for the later passes).
    // Row reductions become vector.reduction of each row vector.
    RewritePatternSet patterns(ctx);
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
