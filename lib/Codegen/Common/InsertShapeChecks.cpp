//===- InsertShapeChecks.cpp - run-time checks of linalg shapes -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineExpr.h"
#include "llvm/ADT/Twine.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNINSERTSHAPECHECKSPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
/// An operand dim that a loop indexes directly.
struct LoopUse {
  OpOperand *operand;
  unsigned dim;
};

/// Adds the checks of one linalg op on tensors.
void insertChecks(OpBuilder &b, linalg::LinalgOp op) {
  SmallVector<SmallVector<LoopUse>> uses(op.getNumLoops());
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [dim, expr] : llvm::enumerate(map.getResults()))
      if (auto loop = dyn_cast<AffineDimExpr>(expr))
        uses[loop.getPosition()].push_back({&operand, static_cast<unsigned>(dim)});
  }
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  std::string opName = op->getName().getStringRef().str();
  for (auto [loop, loopUses] : llvm::enumerate(uses)) {
    if (loopUses.size() < 2)
      continue;
    auto isDynamic = [](const LoopUse &u) {
      return cast<ShapedType>(u.operand->get().getType())
          .isDynamicDim(u.dim);
    };
    if (llvm::none_of(loopUses, isDynamic))
      continue;
    const LoopUse &first = loopUses.front();
    Value size = tensor::DimOp::create(b, loc, first.operand->get(), first.dim);
    for (const LoopUse &use : ArrayRef(loopUses).drop_front()) {
      if (!isDynamic(use) && !isDynamic(first))
        continue;
      Value other = tensor::DimOp::create(b, loc, use.operand->get(), use.dim);
      Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         size, other);
      cf::AssertOp::create(
          b, loc, same,
          (opName + ": operand #" + Twine(use.operand->getOperandNumber()) +
           " dim " + Twine(use.dim) + " does not match operand #" +
           Twine(first.operand->getOperandNumber()) + " dim " +
           Twine(first.dim) + " (both are loop d" + Twine(loop) + ")")
              .str());
    }
  }
}

/// Adds the bounds checks of a tensor slice (extract_slice of its source,
/// insert_slice into its destination) whose offsets, sizes, strides or full
/// tensor are dynamic: per dim, 0 <= offset and, for a non-empty slice,
/// offset + (size - 1) * stride < dim.
template <typename OpTy>
void insertSliceChecks(OpBuilder &b, OpTy op, Value full) {
  auto type = cast<RankedTensorType>(full.getType());
  bool dynamic = !type.hasStaticShape() ||
                 llvm::any_of(op.getMixedOffsets(), llvm::IsaPred<Value>) ||
                 llvm::any_of(op.getMixedSizes(), llvm::IsaPred<Value>) ||
                 llvm::any_of(op.getMixedStrides(), llvm::IsaPred<Value>);
  if (!dynamic)
    return;
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  auto value = [&](OpFoldResult v) {
    return getValueOrCreateConstantIndexOp(b, loc, v);
  };
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  std::string opName = op->getName().getStringRef().str();
  for (int64_t d = 0; d < type.getRank(); ++d) {
    Value offset = value(op.getMixedOffsets()[d]);
    Value size = value(op.getMixedSizes()[d]);
    Value stride = value(op.getMixedStrides()[d]);
    Value dim = tensor::DimOp::create(b, loc, full, d);
    // last = offset + (size - 1) * stride, for size > 0.
    Value last = arith::AddIOp::create(
        b, loc, offset,
        arith::MulIOp::create(b, loc, arith::SubIOp::create(b, loc, size, one),
                              stride));
    Value empty =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, zero);
    Value inside = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, offset, zero),
        arith::OrIOp::create(
            b, loc, empty,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, last,
                                  dim)));
    cf::AssertOp::create(b, loc, inside,
                         (opName + ": the slice leaves dimension " + Twine(d) +
                          " of the " +
                          (isa<tensor::ExtractSliceOp>(op) ? "source"
                                                           : "destination"))
                             .str());
  }
}

struct AttnInsertShapeChecksPass
    : public mlir::attn::impl::AttnInsertShapeChecksPassBase<
          AttnInsertShapeChecksPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation().walk([&](Operation *op) {
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        if (linalgOp.hasPureTensorSemantics())
          insertChecks(b, linalgOp);
      } else if (auto extract = dyn_cast<tensor::ExtractSliceOp>(op)) {
        insertSliceChecks(b, extract, extract.getSource());
      } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
        insertSliceChecks(b, insert, insert.getDest());
      }
    });
  }
};
} // namespace
