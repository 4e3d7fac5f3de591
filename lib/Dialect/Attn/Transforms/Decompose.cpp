//===- Decompose.cpp - attn.online_attention to linalg ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSEPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct AttnDecomposePass
    : public mlir::attn::impl::AttnDecomposePassBase<AttnDecomposePass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<OnlineAttentionOp> ops;
    getOperation().walk([&](OnlineAttentionOp op) {
      if (op.getNumResults() != 1)
        return;
      bool dynamicHeadDims = op.getKeyType().isDynamicDim(3) ||
                             op.getValueType().isDynamicDim(3);
      if (!dynamicHeadDimsOnly || dynamicHeadDims)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (OnlineAttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> replacement =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(rewriter);
      if (failed(replacement))
        return signalPassFailure();
      rewriter.replaceOp(op, *replacement);
    }
  }
};
} // namespace
