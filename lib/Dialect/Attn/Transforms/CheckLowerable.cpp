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
    // The DCMHA kernels unroll over heads and compose ranks.
    auto check = [](Operation *op, Value heads, const ComposeGroups &groups,
                    ArrayRef<ComposeGroups> more) -> LogicalResult {
      if (cast<ShapedType>(heads.getType()).isDynamicDim(1))
        return op->emitOpError("has no code-generation path for a dynamic "
                               "head count H (the CPU kernel unrolls over "
                               "heads); the reference evaluator runs it "
                               "(attn-run --backend=reference)");
      SmallVector<ComposeGroups> all = {groups};
      all.append(more.begin(), more.end());
      for (const ComposeGroups &g : all)
        for (Value weights : {g.qw1, g.kw1})
          if (weights && cast<ShapedType>(weights.getType()).isDynamicDim(2))
            return op->emitOpError("has no code-generation path for a "
                                   "dynamic compose rank (dim 2 of ")
                   << weights.getType()
                   << "); the reference evaluator runs it "
                      "(attn-run --backend=reference)";
      return success();
    };
    WalkResult result = getOperation().walk([&](Operation *op) {
      LogicalResult ok = success();
      if (auto compose = dyn_cast<ComposeOp>(op))
        ok = check(op, compose.getScores(), compose.getGroups(), {});
      else if (auto dcmha = dyn_cast<DCMHAOp>(op)) {
        ok = check(op, dcmha.getQuery(), dcmha.getPreGroups(),
                   {dcmha.getPostGroups()});
        // The DCMHA kernel's register tiles span D and Dv.
        auto kType = cast<ShapedType>(dcmha.getKey().getType());
        auto vType = cast<ShapedType>(dcmha.getValue().getType());
        if (succeeded(ok) && (kType.isDynamicDim(3) || vType.isDynamicDim(3)))
          ok = op->emitOpError("has no code-generation path for dynamic head "
                               "dims D or Dv; the reference evaluator runs "
                               "it (attn-run --backend=reference)");
      }
      return failed(ok) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
