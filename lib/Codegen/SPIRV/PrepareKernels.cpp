//===- PrepareKernels.cpp - kernels as SPIR-V conversion wants them -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/SPIRV/Passes.h"

#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"
#include "mlir/IR/Builders.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNSPIRVPREPAREKERNELSPASS
#include "attn/Codegen/SPIRV/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
struct AttnSPIRVPrepareKernelsPass
    : public mlir::attn::impl::AttnSPIRVPrepareKernelsPassBase<
          AttnSPIRVPrepareKernelsPass> {
  void runOnOperation() override {
    Attribute space3 = IntegerAttr::get(IntegerType::get(&getContext(), 64), 3);
    // -convert-math-to-spirv finds the target environment as the attribute
    // `spirv.target_env` of an enclosing op, not in the gpu.module's
    // targets (where -spirv-attach-target puts it).
    gpu::GPUModuleOp module = getOperation();
    if (ArrayAttr targets = module.getTargetsAttr())
      for (Attribute target : targets)
        if (auto env = dyn_cast<spirv::TargetEnvAttr>(target))
          module->setAttr(spirv::getTargetEnvAttrName(), env);
    module.walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel())
        return;
      if (std::optional<ArrayRef<int32_t>> size = func.getKnownBlockSize())
        func->setAttr(spirv::getEntryPointABIAttrName(),
                      spirv::getEntryPointABIAttr(&getContext(), *size));
      if (func.getNumWorkgroupAttributions() == 0)
        return;
      OpBuilder b(&getContext());
      b.setInsertionPointToStart(&func.getBody().front());
      // Attributions are the entry block's arguments after the function's
      // inputs (private attributions, which this mapping never makes, would
      // follow them).
      if (func.getNumPrivateAttributions() != 0) {
        func.emitOpError("private attributions are not supported");
        return signalPassFailure();
      }
      SmallVector<BlockArgument> attributions(func.getWorkgroupAttributions());
      for (BlockArgument attribution : attributions) {
        auto type = cast<MemRefType>(attribution.getType());
        auto allocType = MemRefType::get(type.getShape(), type.getElementType(),
                                         type.getLayout(), space3);
        Value alloc = memref::AllocOp::create(b, func.getLoc(), allocType);
        attribution.replaceAllUsesWith(alloc);
      }
      func.getBody().front().eraseArguments(
          func.getFirstWorkgroupAttributionIndex(), attributions.size());
      func->removeAttr(func.getNumWorkgroupAttributionsAttrName());
    });
  }
};
} // namespace
