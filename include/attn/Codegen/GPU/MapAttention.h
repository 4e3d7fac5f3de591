//===- MapAttention.h - attention tiles onto GPU workgroups -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_MAPATTENTION_H
#define ATTN_CODEGEN_GPU_MAPATTENTION_H

#include "attn/Codegen/GPU/WarpMatrixOps.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {

/// Whether `config` asks for the tensor-core mapping (warp tiles of
/// `mma.m16n8k16`: `qk_tile = [16, 8]`) rather than the FMA one.
bool isTensorCoreConfig(LoweringConfigAttr config);

/// Whether `config` asks for the warpgroup mapping (one `wgmma.m64nNk16`
/// warpgroup per 64 query rows: `qk_tile = [64, block_k]`).
bool isWarpgroupConfig(LoweringConfigAttr config);

/// Replaces every scf.forall of bufferized `attn.online_attention` tiles in
/// `func` (and every tile whose forall folded away) with a gpu.launch
/// (docs/gpu.md): the FMA mapping, or for tensor-core configs the warp
/// mapping with the primitives of `ops`, for warpgroup configs the
/// warpgroup mapping with the products of `warpgroupOps` (and the shuffles
/// of `ops`). Errors (through the op) on tiles the mappings do not take:
/// dynamic head dims, split-K tiles, writes beside the tile, tensor-core
/// configs with other than f16/bf16 operands or head dims not a multiple of
/// 16, warpgroup configs without `warpgroupOps`. With `copies`, the
/// warpgroup mapping loads Q, K and V by its asynchronous copies (TMA)
/// where they take the operands, and stages them by threads elsewhere.
LogicalResult mapAttentionToGPU(func::FuncOp func, WarpMatrixOps &ops,
                                WarpgroupMatrixOps *warpgroupOps = nullptr,
                                AsyncTileCopies *copies = nullptr);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_MAPATTENTION_H
