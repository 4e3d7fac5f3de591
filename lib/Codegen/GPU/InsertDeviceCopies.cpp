//===- InsertDeviceCopies.cpp - device buffers for launches -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Host functions hand host memrefs to gpu.launch_func; a discrete GPU (and an
// OpenCL device) needs them in device buffers. Each launch gets its own
// buffers and copies: simple and correct; keeping buffers on the device
// across launches is later work (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUINSERTDEVICECOPIESPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Whether the kernel writes memory through its argument `arg` (directly or
/// through views of it).
static bool writesThrough(BlockArgument arg) {
  SmallVector<Value> worklist = {arg};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == value)
          worklist.push_back(view->getResult(0));
        continue;
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return true;
      SmallVector<MemoryEffects::EffectInstance> onValue;
      effects.getEffectsOnValue(value, onValue);
      for (const MemoryEffects::EffectInstance &effect : onValue)
        if (isa<MemoryEffects::Write>(effect.getEffect()))
          return true;
    }
  }
  return false;
}

namespace {
struct AttnGPUInsertDeviceCopiesPass
    : public mlir::attn::impl::AttnGPUInsertDeviceCopiesPassBase<
          AttnGPUInsertDeviceCopiesPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchFuncOp> launches;
    getOperation().walk([&](gpu::LaunchFuncOp op) { launches.push_back(op); });
    for (gpu::LaunchFuncOp launch : launches)
      if (failed(insertCopies(launch)))
        return signalPassFailure();
  }

  LogicalResult insertCopies(gpu::LaunchFuncOp launch) {
    auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
        launch, launch.getKernel());
    if (!kernel)
      return launch.emitOpError("kernel ") << launch.getKernel() << " not found";
    Location loc = launch.getLoc();
    OpBuilder b(launch);
    // One device buffer per distinct host memref.
    llvm::MapVector<Value, Value> device;
    llvm::SetVector<Value> written;
    for (auto [i, operand] : llvm::enumerate(launch.getKernelOperands())) {
      auto type = dyn_cast<MemRefType>(operand.getType());
      if (!type)
        continue;
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return launch.emitOpError("kernel operand ")
               << i << " must be a memref with a static shape and identity "
               << "layout, found " << type;
      if (writesThrough(kernel.getArgument(i)))
        written.insert(operand);
      if (device.count(operand))
        continue;
      Value buffer = gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                                          ValueRange{}, ValueRange{},
                                          ValueRange{}, /*hostShared=*/false)
                         .getMemref();
      gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                            buffer, operand);
      device[operand] = buffer;
    }
    launch.getKernelOperandsMutable().assign(llvm::map_to_vector(
        launch.getKernelOperands(), [&](Value operand) -> Value {
          auto it = device.find(operand);
          return it == device.end() ? operand : it->second;
        }));
    b.setInsertionPointAfter(launch);
    for (auto [host, buffer] : device) {
      if (written.contains(host))
        gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                              host, buffer);
      gpu::DeallocOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                             buffer);
    }
    return success();
  }
};
} // namespace
