//===- InsertShapeChecks.cpp - run-time checks of linalg shapes -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

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

struct AttnInsertShapeChecksPass
    : public mlir::attn::impl::AttnInsertShapeChecksPassBase<
          AttnInsertShapeChecksPass> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics())
        insertChecks(b, op);
    });
  }
};
} // namespace
