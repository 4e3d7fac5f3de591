//===- TensorMapArguments.cpp - TMA tensor maps as pointers -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Kernel arguments of type !nvgpu.tensormap.descriptor become !llvm.ptr, the
// type that both sides' nvgpu lowering gives them (the host's
// nvgpu.tma.create.descriptor becomes a call returning the device address of
// the CUtensorMap; the kernel's cp.async.bulk.tensor takes that address),
// since convert-gpu-to-nvvm cannot convert the descriptor type in a gpu.func
// signature.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMGPU/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNNVGPUTENSORMAPARGUMENTSPASS
#include "attn/Codegen/LLVMGPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

namespace {
struct AttnNVGPUTensorMapArgumentsPass
    : public mlir::attn::impl::AttnNVGPUTensorMapArgumentsPassBase<
          AttnNVGPUTensorMapArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto pointer = LLVM::LLVMPointerType::get(&getContext());
    // Kernels: pointer arguments, cast back to the descriptor at the entry.
    module.walk([&](gpu::GPUFuncOp func) {
      if (!func.isKernel())
        return;
      Block &entry = func.getBody().front();
      OpBuilder b = OpBuilder::atBlockBegin(&entry);
      SmallVector<Type> inputs(func.getArgumentTypes());
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        BlockArgument arg = func.getArgument(i);
        if (!isa<nvgpu::TensorMapDescriptorType>(arg.getType()))
          continue;
        Type descriptorType = arg.getType();
        arg.setType(pointer);
        inputs[i] = pointer;
        auto cast = UnrealizedConversionCastOp::create(
            b, func.getLoc(), descriptorType, ValueRange{arg});
        arg.replaceAllUsesExcept(cast.getResult(0), cast);
      }
      func.setFunctionType(
          FunctionType::get(&getContext(), inputs, func.getResultTypes()));
    });
    // Launches: the operand cast to a pointer.
    module.walk([&](gpu::LaunchFuncOp launch) {
      OpBuilder b(launch);
      SmallVector<Value> operands(launch.getKernelOperands());
      bool changed = false;
      for (Value &operand : operands) {
        if (!isa<nvgpu::TensorMapDescriptorType>(operand.getType()))
          continue;
        operand = UnrealizedConversionCastOp::create(b, launch.getLoc(),
                                                     pointer, operand)
                      .getResult(0);
        changed = true;
      }
      if (changed)
        launch.getKernelOperandsMutable().assign(operands);
    });
  }
};
} // namespace
