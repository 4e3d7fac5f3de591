//===- SelectLoweringConfig.cpp - lowering configs for GPUs -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Where the GPU code generator decides how each attention op is tiled
// (IREE's LLVMGPU/KernelConfig.cpp): query rows per workgroup and keys per
// staged block, sized to the target's shared memory.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/GPUTargetInfo.h"
#include "attn/Codegen/GPU/MapAttention.h"
#include "attn/Codegen/GPU/Passes.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUSELECTLOWERINGCONFIGPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

FailureOr<LoweringConfigAttr>
mlir::attn::selectGPULoweringConfig(Operation *op, const GPUTargetInfo &target,
                                    int64_t blockQ) {
  // attention, sliding_window_attention and online_attention all have
  // (query, key, value) as their first operands.
  auto key = cast<ShapedType>(op->getOperand(1).getType());
  auto value = cast<ShapedType>(op->getOperand(2).getType());
  if (key.isDynamicDim(3) || value.isDynamicDim(3))
    return op->emitOpError("the GPU mapping needs static head dims D and Dv");
  int64_t headDim = key.getDimSize(3), valueDim = value.getDimSize(3);
  Type elem = cast<ShapedType>(op->getOperand(0).getType()).getElementType();
  bool sixteenBit = (elem.isF16() || elem.isBF16()) &&
                    key.getElementType() == elem &&
                    value.getElementType() == elem;
  bool tensorCoreShape = target.tensorCores && sixteenBit &&
                         headDim % 16 == 0 && valueDim % 16 == 0;
  if (tensorCoreShape && target.warpgroupMMA && valueDim <= 256 &&
      (blockQ <= 0 || blockQ == 64)) {
    for (int64_t blockK = target.wgmmaMaxBlockK; blockK >= 16; blockK /= 2) {
      if (wgmmaWorkgroupBytes(blockK, headDim, valueDim, 2) >
          target.sharedMemoryBytes)
        continue;
      SmallVector<int64_t, 2> qkTile = {64, blockK}, pvTile = {64, valueDim};
      return LoweringConfigAttr::get(op->getContext(), /*blockQ=*/64, blockK,
                                     /*splitKeys=*/1, qkTile, pvTile, qkTile,
                                     pvTile, MatmulUnit::f32);
    }
    // Buffers too large for any key block: the mma.sync config below.
  }
  if (tensorCoreShape) {
    int64_t blockK = target.mmaBlockK;
    int64_t rows = blockQ;
    for (int64_t warps = target.mmaMaxWarps; rows <= 0 && warps >= 1;
         warps /= 2)
      if (mmaWorkgroupBytes(16 * warps, blockK, headDim, valueDim, 2) <=
          target.sharedMemoryBytes)
        rows = 16 * warps;
    if (rows <= 0 || rows % 16 != 0 ||
        mmaWorkgroupBytes(rows, blockK, headDim, valueDim, 2) >
            target.sharedMemoryBytes)
      return op->emitOpError("tensor-core buffers of D = ")
             << headDim << ", Dv = " << valueDim
             << " do not fit the target's " << target.sharedMemoryBytes
             << " bytes of shared memory (block_q must be a multiple of 16)";
    SmallVector<int64_t, 2> warpTile = {16, 8};
    return LoweringConfigAttr::get(op->getContext(), rows, blockK,
                                   /*splitKeys=*/1, warpTile, warpTile,
                                   warpTile, warpTile, MatmulUnit::f32);
  }
  if (valueDim > GPUTargetInfo::kMaxValueDim)
    return op->emitOpError("the GPU mapping keeps a row's Dv accumulators in "
                           "registers: Dv must be at most ")
           << GPUTargetInfo::kMaxValueDim << ", found " << valueDim;
  int64_t blockK = target.keyBlock(valueDim);
  if (blockK > GPUTargetInfo::kMaxScoresPerThread)
    return op->emitOpError("the GPU mapping keeps a block's scores in "
                           "registers: block_k must be at most ")
           << GPUTargetInfo::kMaxScoresPerThread << ", found " << blockK;
  if (blockQ <= 0) {
    for (int64_t rows = target.maxThreads; rows >= target.minThreads;
         rows /= 2) {
      if (target.workgroupBytes(rows, blockK, headDim, valueDim) <=
          target.sharedMemoryBytes) {
        blockQ = rows;
        break;
      }
    }
  }
  if (blockQ <= 0 || target.workgroupBytes(blockQ, blockK, headDim, valueDim) >
                         target.sharedMemoryBytes)
    return op->emitOpError("workgroup buffers of D = ")
           << headDim << ", Dv = " << valueDim << " need "
           << target.workgroupBytes(blockQ > 0 ? blockQ : target.minThreads,
                                    blockK, headDim, valueDim)
           << " bytes of shared memory; the target has "
           << target.sharedMemoryBytes;
  SmallVector<int64_t, 2> unused = {1, 1};
  return LoweringConfigAttr::get(op->getContext(), blockQ, blockK,
                                 /*splitKeys=*/1, unused, unused, unused,
                                 unused, MatmulUnit::f32);
}

LogicalResult mlir::attn::checkGPULoweringConfig(Operation *op,
                                                 LoweringConfigAttr config,
                                                 const GPUTargetInfo &target) {
  auto key = cast<ShapedType>(op->getOperand(1).getType());
  auto value = cast<ShapedType>(op->getOperand(2).getType());
  if (key.isDynamicDim(3) || value.isDynamicDim(3))
    return op->emitOpError("the GPU mapping needs static head dims D and Dv");
  int64_t headDim = key.getDimSize(3), valueDim = value.getDimSize(3);
  int64_t blockQ = config.getBlockQ(), blockK = config.getBlockK();
  bool warpgroups = isWarpgroupConfig(config);
  bool tensorCores = warpgroups || isTensorCoreConfig(config);
  // Two warps' worth of threads per 16 rows on tensor cores.
  int64_t threads = tensorCores ? 2 * blockQ : blockQ;
  if (threads > target.maxThreads)
    return op->emitOpError("the pinned lowering config needs ")
           << threads << " threads per workgroup; the target allows "
           << target.maxThreads << " (max-threads)";
  if (!tensorCores && blockK > GPUTargetInfo::kMaxScoresPerThread)
    return op->emitOpError("the GPU mapping keeps a block's scores in "
                           "registers: block_k must be at most ")
           << GPUTargetInfo::kMaxScoresPerThread << ", found " << blockK;
  if (!tensorCores && valueDim > GPUTargetInfo::kMaxValueDim)
    return op->emitOpError("the GPU mapping keeps a row's Dv accumulators in "
                           "registers: Dv must be at most ")
           << GPUTargetInfo::kMaxValueDim << ", found " << valueDim;
  int64_t bytes =
      warpgroups    ? wgmmaWorkgroupBytes(blockK, headDim, valueDim, 2)
      : tensorCores ? mmaWorkgroupBytes(blockQ, blockK, headDim, valueDim, 2)
                    : target.workgroupBytes(blockQ, blockK, headDim, valueDim);
  if (bytes > target.sharedMemoryBytes)
    return op->emitOpError("the pinned lowering config's workgroup buffers "
                           "(block_q = ")
           << blockQ << ", block_k = " << blockK << ", D = " << headDim
           << ", Dv = " << valueDim << ") need " << bytes
           << " bytes of shared memory; the target has "
           << target.sharedMemoryBytes;
  return success();
}

namespace {
struct AttnGPUSelectLoweringConfigPass
    : public mlir::attn::impl::AttnGPUSelectLoweringConfigPassBase<
          AttnGPUSelectLoweringConfigPass> {
  using Base::Base;

  void runOnOperation() override {
    GPUTargetInfo target;
    target.sharedMemoryBytes = sharedMemoryBytes;
    target.maxThreads = maxThreads;
    target.blockK = blockK;
    target.tensorCores = tensorCores;
    target.warpgroupMMA = warpgroupMma;
    if (blockQ < 0 || blockK < 0 || maxThreads < target.minThreads ||
        blockQ > kMaxLoweringBlock || blockK > kMaxLoweringBlock ||
        maxThreads > kMaxLoweringBlock) {
      getOperation().emitError()
          << "expected block-q and block-k in [0, " << kMaxLoweringBlock
          << "] and max-threads in [" << target.minThreads << ", "
          << kMaxLoweringBlock << "], found block-q=" << int64_t(blockQ)
          << ", block-k=" << int64_t(blockK)
          << ", max-threads=" << int64_t(maxThreads);
      return signalPassFailure();
    }
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isa<AttentionOp, SlidingWindowAttentionOp, OnlineAttentionOp>(op))
        return WalkResult::advance();
      // A config pinned in the IR is kept, once it fits the target.
      if (LoweringConfigAttr pinned = getLoweringConfig(op))
        return failed(checkGPULoweringConfig(op, pinned, target))
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      FailureOr<LoweringConfigAttr> config =
          selectGPULoweringConfig(op, target, blockQ);
      if (failed(config))
        return WalkResult::interrupt();
      setLoweringConfig(op, *config);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
