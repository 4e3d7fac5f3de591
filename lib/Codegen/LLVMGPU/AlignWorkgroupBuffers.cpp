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

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <algorithm>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNNVGPUALIGNWORKGROUPBUFFERSPASS
#include "attn/Codegen/LLVMGPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

/// The repeat of the 128-byte TMA swizzle: 8 rows of 128 bytes (PTX ISA,
/// "Tensor copy swizzle modes"; CUTLASS aligns SW128 buffers to it).
static constexpr int64_t kSwizzleRepeatBytes = 1024;

/// Whether an `nvgpu.tma.async.load` writes `buffer` (through views).
static bool isTMADestination(Value buffer) {
  SmallVector<Value> worklist = {buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto load = dyn_cast<nvgpu::TmaAsyncLoadOp>(user))
        if (load.getDst() == value)
          return true;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          worklist.push_back(view->getResult(0));
    }
  }
  return false;
}

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
        if (!func.getWorkgroupAttributionAttr(i, name)) {
          int64_t bytes = alignment;
          if (isTMADestination(func.getWorkgroupAttributions()[i]))
            bytes = std::max<int64_t>(bytes, kSwizzleRepeatBytes);
          func.setWorkgroupAttributionAttr(i, name, b.getI64IntegerAttr(bytes));
        }
    });
  }
};
} // namespace
