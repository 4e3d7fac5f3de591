//===- SplitMaskedTransfers.cpp - register-wide masked transfers -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//
//
// Splits masked (or possibly out-of-bounds) 1-D vector transfers and masked
// loads/stores wider than one vector register into register-wide pieces
// before they become llvm.masked.load/store: LLVM 22's X86 back end can turn
// the all-false half of a split masked load into a plain load (see the pass
// description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"
#include "attn/Codegen/LLVMCPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSPLITMASKEDTRANSFERSPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {

/// Lanes of one vector register for elements of `type`, or 0 when the
/// element type has no fixed byte width.
int64_t registerLanes(Type elementType, int64_t vectorBits) {
  if (!elementType.isIntOrFloat())
    return 0;
  int64_t bits = elementType.getIntOrFloatBitWidth();
  return bits % 8 == 0 && vectorBits % bits == 0 ? vectorBits / bits : 0;
}

/// The pieces [offset, offset + size) of a 1-D vector of `n` lanes split
/// into `lanes`-wide parts (the last one possibly shorter).
SmallVector<std::pair<int64_t, int64_t>> pieces(int64_t n, int64_t lanes) {
  SmallVector<std::pair<int64_t, int64_t>> result;
  for (int64_t offset = 0; offset < n; offset += lanes)
    result.push_back({offset, std::min(lanes, n - offset)});
  return result;
}

Value slice(PatternRewriter &rewriter, Location loc, Value vector,
            int64_t offset, int64_t size) {
  return vector::ExtractStridedSliceOp::create(
      rewriter, loc, vector, ArrayRef<int64_t>{offset},
      ArrayRef<int64_t>{size}, ArrayRef<int64_t>{1});
}

/// `init` with its pieces of `lanes` lanes replaced by `makePiece(offset,
/// size)` in order.
Value joinPieces(PatternRewriter &rewriter, Location loc, Value init,
                 int64_t lanes,
                 function_ref<Value(int64_t, int64_t)> makePiece) {
  Value result = init;
  int64_t n = cast<VectorType>(init.getType()).getDimSize(0);
  for (auto [offset, size] : pieces(n, lanes))
    result = vector::InsertStridedSliceOp::create(
        rewriter, loc, makePiece(offset, size), result,
        ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1});
  return result;
}

/// `indices` with `offset` added to the innermost one.
SmallVector<Value> shifted(PatternRewriter &rewriter, Location loc,
                           ValueRange indices, int64_t offset) {
  SmallVector<Value> result(indices);
  if (offset != 0)
    result.back() = arith::AddIOp::create(
        rewriter, loc, result.back(),
        arith::ConstantIndexOp::create(rewriter, loc, offset));
  return result;
}

/// Lanes of one register when `type` is a fixed 1-D vector wider than one,
/// else 0.
int64_t wideVectorLanes(VectorType type, int64_t vectorBits) {
  if (type.getRank() != 1 || type.isScalable())
    return 0;
  int64_t lanes = registerLanes(type.getElementType(), vectorBits);
  return lanes > 0 && type.getDimSize(0) > lanes ? lanes : 0;
}

/// Register lanes when `op` is a 1-D, minor-identity transfer on a memref,
/// wider than a register, that lowers to a masked load or store (it has a
/// mask or is not in bounds); else 0.
template <typename TransferOp>
int64_t wideMaskedTransferLanes(TransferOp op, int64_t vectorBits) {
  // (A 0-d transfer has no dim 0 to ask about.)
  if (!isa<MemRefType>(op.getBase().getType()) ||
      op.getVectorType().getRank() != 1 ||
      !op.getPermutationMap().isMinorIdentity() ||
      (!op.getMask() && op.isDimInBounds(0)))
    return 0;
  return wideVectorLanes(op.getVectorType(), vectorBits);
}

/// A pattern that knows the target's vector register width.
template <typename Op> struct SplitPattern : OpRewritePattern<Op> {
  SplitPattern(MLIRContext *ctx, int64_t vectorBits)
      : OpRewritePattern<Op>(ctx), vectorBits(vectorBits) {}
  int64_t vectorBits;
};

struct SplitTransferRead : SplitPattern<vector::TransferReadOp> {
  using SplitPattern::SplitPattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    int64_t lanes = wideMaskedTransferLanes(op, vectorBits);
    if (lanes == 0)
      return failure();
    Location loc = op.getLoc();
    VectorType type = op.getVectorType();
    Value init =
        vector::BroadcastOp::create(rewriter, loc, type, op.getPadding());
    rewriter.replaceOp(
        op, joinPieces(rewriter, loc, init, lanes,
                       [&](int64_t offset, int64_t size) -> Value {
                         Value mask =
                             op.getMask()
                                 ? slice(rewriter, loc, op.getMask(), offset, size)
                                 : Value();
                         return vector::TransferReadOp::create(
                             rewriter, loc,
                             Type(VectorType::get({size}, type.getElementType())),
                             op.getBase(),
                             shifted(rewriter, loc, op.getIndices(), offset),
                             op.getPermutationMap(), op.getPadding(), mask,
                             rewriter.getBoolArrayAttr({op.isDimInBounds(0)}));
                       }));
    return success();
  }
};

struct SplitTransferWrite : SplitPattern<vector::TransferWriteOp> {
  using SplitPattern::SplitPattern;
  LogicalResult matchAndRewrite(vector::TransferWriteOp op,
                                PatternRewriter &rewriter) const override {
    int64_t lanes = wideMaskedTransferLanes(op, vectorBits);
    if (lanes == 0)
      return failure();
    Location loc = op.getLoc();
    for (auto [offset, size] : pieces(op.getVectorType().getDimSize(0), lanes)) {
      Value mask = op.getMask() ? slice(rewriter, loc, op.getMask(), offset, size)
                                : Value();
      vector::TransferWriteOp::create(
          rewriter, loc, /*result=*/Type(),
          slice(rewriter, loc, op.getVector(), offset, size), op.getBase(),
          shifted(rewriter, loc, op.getIndices(), offset),
          op.getPermutationMap(), mask,
          rewriter.getBoolArrayAttr({op.isDimInBounds(0)}));
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct SplitMaskedLoad : SplitPattern<vector::MaskedLoadOp> {
  using SplitPattern::SplitPattern;
  LogicalResult matchAndRewrite(vector::MaskedLoadOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    int64_t lanes = wideVectorLanes(type, vectorBits);
    if (lanes == 0)
      return failure();
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, joinPieces(rewriter, loc, op.getPassThru(), lanes,
                       [&](int64_t offset, int64_t size) -> Value {
                         return vector::MaskedLoadOp::create(
                             rewriter, loc,
                             VectorType::get({size}, type.getElementType()),
                             op.getBase(),
                             shifted(rewriter, loc, op.getIndices(), offset),
                             slice(rewriter, loc, op.getMask(), offset, size),
                             slice(rewriter, loc, op.getPassThru(), offset, size));
                       }));
    return success();
  }
};

struct SplitMaskedStore : SplitPattern<vector::MaskedStoreOp> {
  using SplitPattern::SplitPattern;
  LogicalResult matchAndRewrite(vector::MaskedStoreOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    int64_t lanes = wideVectorLanes(type, vectorBits);
    if (lanes == 0)
      return failure();
    Location loc = op.getLoc();
    for (auto [offset, size] : pieces(type.getDimSize(0), lanes))
      vector::MaskedStoreOp::create(
          rewriter, loc, op.getBase(),
          shifted(rewriter, loc, op.getIndices(), offset),
          slice(rewriter, loc, op.getMask(), offset, size),
          slice(rewriter, loc, op.getValueToStore(), offset, size));
    rewriter.eraseOp(op);
    return success();
  }
};

struct AttnSplitMaskedTransfersPass
    : public mlir::attn::impl::AttnSplitMaskedTransfersPassBase<
          AttnSplitMaskedTransfersPass> {
  using Base::Base;
  void runOnOperation() override {
    int64_t vectorBits = mlir::attn::CPUTargetInfo::get(targetCPU).vectorBits;
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitTransferRead, SplitTransferWrite, SplitMaskedLoad,
                 SplitMaskedStore>(&getContext(), vectorBits);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
