//===- DecomposeLinalgAggregates.cpp - linalg.softmax to generics -*- C++ -*-//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSELINALGAGGREGATESPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct AttnDecomposeLinalgAggregatesPass
    : public mlir::attn::impl::AttnDecomposeLinalgAggregatesPassBase<
          AttnDecomposeLinalgAggregatesPass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> ops;
    getOperation().walk([&](linalg::AggregatedOpInterface op) {
      // Only upstream linalg ops: the attn tiled forms decompose in
      // -attn-decompose, as their lowering config says.
      if (isa<linalg::LinalgDialect>(op->getDialect()) &&
          llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>) &&
          op->getNumResults() > 0)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> values = op.decomposeOperation(rewriter);
      if (failed(values)) {
        op->emitOpError("could not be decomposed into linalg.generic ops");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *values);
    }
  }
};
} // namespace
