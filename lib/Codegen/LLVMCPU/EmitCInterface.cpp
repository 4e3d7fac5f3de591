//===- EmitCInterface.cpp - C interface on public functions -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNEMITCINTERFACEPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
struct AttnEmitCInterfacePass
    : public mlir::attn::impl::AttnEmitCInterfacePassBase<
          AttnEmitCInterfacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(&getContext()));
  }
};
} // namespace
