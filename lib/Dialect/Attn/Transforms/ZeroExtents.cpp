//===- ZeroExtents.cpp - static zero-size dims of attn ops ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNZEROEXTENTSPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Whether `type` is a ranked tensor with a static 0 dim.
static bool hasZeroExtent(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && llvm::is_contained(tensor.getShape(), 0);
}

/// Whether a static 0 in dim `dim` of operand `index` of `op` is lowered as
/// dynamic: the contraction dims the kernels tile statically (the head dim
/// D of Q and K, the compose rank C, the sampling points P). Zero batches,
/// heads and sequence lengths have static paths already.
static bool lowersAsDynamic(Operation *op, unsigned index, int64_t dim) {
  if (isa<AttentionOp, SlidingWindowAttentionOp, DCMHAOp>(op))
    return index < 2 && dim == 3;
  if (isa<ComposeOp>(op))
    return index > 0 && dim == 2 &&
           cast<ShapedType>(op->getOperand(index).getType()).getRank() == 4;
  if (isa<MSDeformAttnOp>(op))
    return index > 0 && dim == 4;
  return false;
}

namespace {
struct AttnZeroExtentsPass
    : public mlir::attn::impl::AttnZeroExtentsPassBase<AttnZeroExtentsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<AttentionOp, SlidingWindowAttentionOp, ComposeOp, DCMHAOp,
              DeformableSampleOp, MSDeformAttnOp>(op) &&
          (llvm::any_of(op->getOperandTypes(), hasZeroExtent) ||
           llvm::any_of(op->getResultTypes(), hasZeroExtent)))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      Location loc = op->getLoc();
      // A static result with no element: nothing to compute. (Results with
      // dynamic dims keep the op; their static zero operand dims are handled
      // below.)
      if (llvm::all_of(op->getResultTypes(), [](Type type) {
            auto tensor = cast<RankedTensorType>(type);
            return tensor.hasStaticShape() && tensor.getNumElements() == 0;
          })) {
        SmallVector<Value> empties;
        for (Type type : op->getResultTypes()) {
          auto tensor = cast<RankedTensorType>(type);
          empties.push_back(tensor::EmptyOp::create(
              rewriter, loc, tensor.getShape(), tensor.getElementType()));
        }
        rewriter.replaceOp(op, empties);
        continue;
      }
      for (OpOperand &operand : op->getOpOperands()) {
        if (!hasZeroExtent(operand.get().getType()))
          continue;
        auto type = cast<RankedTensorType>(operand.get().getType());
        SmallVector<int64_t> shape(type.getShape());
        for (auto [dim, size] : llvm::enumerate(shape))
          if (size == 0 && lowersAsDynamic(op, operand.getOperandNumber(), dim))
            size = ShapedType::kDynamic;
        if (ArrayRef<int64_t>(shape) == type.getShape())
          continue;
        operand.set(tensor::CastOp::create(rewriter, loc, type.clone(shape),
                                           operand.get()));
      }
    }
  }
};
} // namespace
