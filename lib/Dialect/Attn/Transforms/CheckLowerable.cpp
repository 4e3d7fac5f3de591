//===- CheckLowerable.cpp - reject ops without a lowering -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCHECKLOWERABLEPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct AttnCheckLowerablePass
    : public mlir::attn::impl::AttnCheckLowerablePassBase<
          AttnCheckLowerablePass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](Operation *op) {
      if (!isa<ComposeOp>(op))
        return WalkResult::advance();
      op->emitOpError("has no code-generation path yet (lowered today: "
                      "attn.attention, attn.sliding_window_attention, "
                      "attn.dcmha, attn.deformable_sample and "
                      "attn.ms_deform_attn); "
                      "the reference evaluator runs it "
                      "(attn-run --backend=reference)");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
