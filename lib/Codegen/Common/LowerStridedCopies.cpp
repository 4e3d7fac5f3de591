//===- LowerStridedCopies.cpp - strided memref.copy to linalg.copy -*- C++ -*-//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNLOWERSTRIDEDCOPIESPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Whether `-finalize-memref-to-llvm` copies `type` with `llvm.memcpy`: an
/// identity layout, or a static shape laid out contiguously row-major (the
/// test of upstream's MemRefCopyOpLowering).
static bool copiesAsMemcpy(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    memref::isStaticShapeAndContiguousRowMajor(memref));
}

/// Whether `a` and `b` are the same memory: the same value, or subviews of
/// one value with equal offsets, sizes and strides (bufferization leaves
/// such copies of a tile onto itself after in-place scf.for loops).
static bool isSameView(Value a, Value b) {
  if (a == b)
    return true;
  auto sa = a.getDefiningOp<memref::SubViewOp>();
  auto sb = b.getDefiningOp<memref::SubViewOp>();
  return sa && sb && isSameView(sa.getSource(), sb.getSource()) &&
         sa.getType() == sb.getType() &&
         llvm::equal(sa.getMixedOffsets(), sb.getMixedOffsets()) &&
         llvm::equal(sa.getMixedSizes(), sb.getMixedSizes()) &&
         llvm::equal(sa.getMixedStrides(), sb.getMixedStrides());
}

namespace {
struct AttnLowerStridedCopiesPass
    : public mlir::attn::impl::AttnLowerStridedCopiesPassBase<
          AttnLowerStridedCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies, selfCopies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (isSameView(copy.getSource(), copy.getTarget()))
        selfCopies.push_back(copy);
      else if (!copiesAsMemcpy(copy.getSource().getType()) ||
               !copiesAsMemcpy(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : selfCopies)
      rewriter.eraseOp(copy);
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};
} // namespace
