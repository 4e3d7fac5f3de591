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
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
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
    auto deviceCopy = [&](Value host) {
      auto it = device.find(host);
      if (it != device.end())
        return it->second;
      Value buffer =
          gpu::AllocOp::create(b, loc, cast<MemRefType>(host.getType()),
                               /*asyncToken=*/Type(), ValueRange{},
                               ValueRange{}, ValueRange{}, /*hostShared=*/false)
              .getMemref();
      gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange{},
                            buffer, host);
      device[host] = buffer;
      return buffer;
    };
    auto checkType = [&](unsigned i, Type type) -> LogicalResult {
      auto memref = dyn_cast<MemRefType>(type);
      if (memref && memref.hasStaticShape() && memref.getLayout().isIdentity())
        return success();
      return launch.emitOpError("kernel operand ")
             << i << " must be a memref with a static shape and identity "
             << "layout, found " << type;
    };
    SmallVector<Value> operands(launch.getKernelOperands());
    SmallVector<Operation *> replacedMaps;
    for (auto [i, operand] : llvm::enumerate(operands)) {
      // A TMA tensor map of a host memref (nvgpu.tma.create.descriptor of
      // its memref.cast, emitted before the launch by the sm_90a warpgroup
      // mapping) becomes a tensor map of the device copy; the kernel only
      // reads through it.
      if (auto map = operand.getDefiningOp<nvgpu::TmaCreateDescriptorOp>()) {
        auto cast = map.getTensor().getDefiningOp<memref::CastOp>();
        if (!cast)
          return launch.emitOpError("kernel operand ")
                 << i << ": expected a tensor map of a memref.cast";
        Value host = cast.getSource();
        if (failed(checkType(i, host.getType())))
          return failure();
        Value unranked = memref::CastOp::create(
            b, loc, map.getTensor().getType(), deviceCopy(host));
        operand = nvgpu::TmaCreateDescriptorOp::create(
            b, loc, map.getType(), unranked, map.getBoxDimensions());
        replacedMaps.push_back(map);
        continue;
      }
      if (!isa<MemRefType>(operand.getType()))
        continue;
      if (failed(checkType(i, operand.getType())))
        return failure();
      if (writesThrough(kernel.getArgument(i)))
        written.insert(operand);
      operand = deviceCopy(operand);
    }
    launch.getKernelOperandsMutable().assign(operands);
    for (Operation *map : replacedMaps) {
      if (!map->use_empty())
        continue;
      Operation *cast = map->getOperand(0).getDefiningOp();
      map->erase();
      if (cast->use_empty())
        cast->erase();
    }
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
