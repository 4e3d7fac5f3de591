//===- ForallToSerialLoops.cpp - one-thread form of scf.forall --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// scf.forall -> scf.for, with the body's static stack allocations hoisted to
// the function entry.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFORALLTOSERIALLOOPSPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Moves the statically sized `memref.alloca`s that live for one iteration
/// of `forall` (directly in its body or in `memref.alloca_scope`s there) to
/// the entry block of the enclosing function: serial iterations can share one
/// buffer, and an alloca left inside the loop would grow the stack once per
/// iteration after lowering (scf.for, although an automatic allocation scope,
/// lowers to plain branches). Returns the allocas that stay (dynamic sizes).
static SmallVector<memref::AllocaOp>
hoistStaticAllocas(scf::ForallOp forall) {
  auto func = forall->getParentOfType<FunctionOpInterface>();
  SmallVector<memref::AllocaOp> hoisted, kept;
  forall.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      (alloca->getNumOperands() == 0 ? hoisted : kept).push_back(alloca);
      return WalkResult::advance();
    }
    if (op->hasTrait<OpTrait::AutomaticAllocationScope>() &&
        !isa<memref::AllocaScopeOp>(op))
      return WalkResult::skip();
    return WalkResult::advance();
  });
  if (!func || func.isExternal())
    return llvm::to_vector(llvm::concat<memref::AllocaOp>(hoisted, kept));
  Block &entry = func.getFunctionBody().front();
  for (memref::AllocaOp alloca : hoisted)
    alloca->moveBefore(&entry, entry.begin());
  return kept;
}

namespace {
struct AttnForallToSerialLoopsPass
    : public mlir::attn::impl::AttnForallToSerialLoopsPassBase<
          AttnForallToSerialLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk([&](scf::ForallOp op) { foralls.push_back(op); });
    IRRewriter rewriter(&getContext());
    // Inner loops first (the walk is post-order), so every body is rewritten
    // while its forall still exists.
    for (scf::ForallOp forall : foralls) {
      // The pass runs after bufferization: a forall on tensors (with
      // shared_outs) is refused rather than rewritten without its results.
      if (forall.getNumResults() != 0) {
        forall.emitOpError("has tensor results (shared_outs): "
                           "-attn-forall-to-serial-loops takes bufferized "
                           "foralls");
        return signalPassFailure();
      }
      for (memref::AllocaOp alloca : hoistStaticAllocas(forall))
        alloca.emitWarning("dynamically sized stack allocation in a serial "
                           "loop: the stack grows every iteration");
      rewriter.setInsertionPoint(forall);
      if (failed(scf::forallToForLoop(rewriter, forall))) {
        forall.emitOpError("could not be rewritten into scf.for loops");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
