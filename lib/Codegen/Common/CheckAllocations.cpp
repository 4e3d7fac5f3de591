//===- CheckAllocations.cpp - checks of heap allocations ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCHECKALLOCATIONSPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct AttnCheckAllocationsPass
    : public mlir::attn::impl::AttnCheckAllocationsPassBase<
          AttnCheckAllocationsPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (alloc.getType().hasStaticShape() ||
          alloc->getParentOfType<scf::ForallOp>() ||
          alloc->getParentOfType<scf::ParallelOp>())
        return;
      allocs.push_back(alloc);
    });
    OpBuilder b(&getContext());
    for (memref::AllocOp alloc : allocs) {
      Location loc = alloc.getLoc();
      b.setInsertionPointAfter(alloc);
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, alloc);
      Value null = arith::ConstantIndexOp::create(b, loc, 0);
      Value allocated = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                              address, null);
      std::string type;
      llvm::raw_string_ostream os(type);
      alloc.getType().print(os);
      cf::AssertOp::create(b, loc, allocated,
                           "out of memory allocating " + type);
    }
  }
};
} // namespace
