//===- AlignWorkgroupBuffers.cpp - aligned .shared arrays -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// convert-gpu-to-nvvm turns each workgroup attribution of a gpu.func into a
// `.shared` global aligned to its `llvm.align` attribution attribute, or to
// its element type when there is none (2 bytes for f16 buffers); the
// tensor-core kernels need 16 (vector stores, ldmatrix rows, wgmma
// descriptors).
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMGPU/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNNVGPUALIGNWORKGROUPBUFFERSPASS
#include "attn/Codegen/LLVMGPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
struct AttnNVGPUAlignWorkgroupBuffersPass
    : public mlir::attn::impl::AttnNVGPUAlignWorkgroupBuffersPassBase<
          AttnNVGPUAlignWorkgroupBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
      getOperation().emitError()
          << "expected a power-of-two alignment, found " << alignment;
      return signalPassFailure();
    }
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    Builder b(&getContext());
    getOperation().walk([&](gpu::GPUFuncOp func) {
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e; ++i)
        if (!func.getWorkgroupAttributionAttr(i, name))
          func.setWorkgroupAttributionAttr(i, name,
                                           b.getI64IntegerAttr(alignment));
    });
  }
};
} // namespace
