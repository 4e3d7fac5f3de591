//===- GPUTargetInfo.h - facts of a GPU target for the mapping --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The numbers the generic GPU mapping sizes its workgroups by (Triton's
// TargetInfoBase role for GPUs): shared memory per workgroup, threads per
// workgroup, the staged key block. The NVVM and SPIR-V leaves fill it from
// their options; the mapping itself emits target-neutral `gpu` IR.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_GPUTARGETINFO_H
#define ATTN_CODEGEN_GPU_GPUTARGETINFO_H

#include "attn/Codegen/Common/TargetInfoBase.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

namespace mlir::attn {

/// A GPU target as the row-per-thread FMA mapping sees it. Per-thread code is
/// scalar (`lanes() == 1`); the exponential is math.exp2, which NVVM lowers
/// to `ex2`/libdevice and the SPIR-V leaf expands.
class GPUTargetInfo : public TargetInfoBase {
public:
  /// Workgroup (shared) memory one workgroup may use, in bytes (48 KiB: the
  /// static limit of CUDA; OpenCL devices guarantee 32 KiB, PoCL gives more).
  int64_t sharedMemoryBytes = 48 * 1024;
  /// Most threads per workgroup.
  int64_t maxThreads = 128;
  /// Fewest threads per workgroup (a warp on NVIDIA GPUs).
  int64_t minThreads = 32;
  /// Keys per staged block; each thread keeps that many scores in registers.
  /// 0 = by Dv: 16, or 8 when Dv > 64 (with 128 accumulators, 16 scores
  /// spill on sm_80: 255 registers and 296 bytes of spill stores; 8 do not).
  int64_t blockK = 0;
  /// Largest `Dv` whose accumulators a thread keeps in registers without
  /// spilling (with `blockK` scores and the row state beside them, under the
  /// 255 registers of a CUDA thread).
  static constexpr int64_t kMaxValueDim = 128;
  /// Most keys per staged block of the FMA mapping: its per-thread code is
  /// unrolled over the block's scores, which stay in registers.
  static constexpr int64_t kMaxScoresPerThread = 128;
  /// Whether f16 and bf16 attention with D and Dv multiples of 16 takes the
  /// tensor-core mapping (warps of 16 query rows, `mma.m16n8k16`).
  bool tensorCores = false;
  /// Keys per staged block of the tensor-core mapping.
  int64_t mmaBlockK = 32;
  /// Most warps per workgroup of the tensor-core mapping.
  int64_t mmaMaxWarps = 4;
  /// Whether the target has warpgroup products (`wgmma.mma_async`, PTX ISA
  /// "Asynchronous Warpgroup Level Matrix Multiply-Accumulate"): then
  /// tensor-core ops take the warpgroup mapping (one warpgroup of 4 warps
  /// per 64 query rows). `hasWarpgroupMMA(chip)` says which NVIDIA chips.
  bool warpgroupMMA = false;
  /// Most keys per block of the warpgroup mapping (the n of S's wgmma);
  /// smaller when the buffers do not fit shared memory.
  int64_t wgmmaMaxBlockK = 64;

  /// Whether the NVIDIA chip `chip` (`sm_XX[a]`) has `wgmma`: sm_90a only
  /// (wgmma needs the arch-specific features of sm_90a; MLIR's NVVM ops
  /// refuse plain sm_90, and later architectures replace it by tcgen05).
  static bool hasWarpgroupMMA(StringRef chip) { return chip == "sm_90a"; }

  /// Queries per tile (one workgroup) of `attn.bilinear_gather`
  /// (`-attn-tile`'s gather-block-q): few, so that short query lists
  /// (Deformable DETR's 300 decoder queries) still give many workgroups.
  int64_t gatherBlockQ = 8;
  /// Rows per tile (one workgroup) of `attn.tiled_compose` (`-attn-tile`'s
  /// compose-block-q); the workgroup walks every key of its rows.
  int64_t composeBlockQ = 4;
  /// Keys per chunk of the compose mapping: one per thread of a warp.
  static constexpr int64_t kComposeKeys = 32;
  /// Rows per tile (one workgroup, one thread per row) of
  /// `attn.online_dcmha` (`-attn-tile`'s dcmha-block-q): one warp.
  int64_t dcmhaBlockQ = 32;
  /// Most H x Dv accumulators a thread of the DCMHA mapping holds in
  /// registers (more would spill).
  static constexpr int64_t kDCMHAMaxAccumulators = 128;

  int64_t lanes() const override { return 1; }

  /// Keys per staged block for a value head dim `valueDim`.
  int64_t keyBlock(int64_t valueDim) const {
    return blockK > 0 ? blockK : (valueDim > 64 ? 8 : 16);
  }

  /// Bytes of the four f32 workgroup buffers of a tile of `blockQ` rows:
  /// Q^T [D, blockQ], K [blockK, D], V [blockK, Dv], P^T [blockK, blockQ].
  int64_t workgroupBytes(int64_t blockQ, int64_t blockK, int64_t headDim,
                         int64_t valueDim) const {
    return 4 * (headDim * blockQ + blockK * headDim + blockK * valueDim +
                blockK * blockQ);
  }
};

/// Bytes of the padded 16-bit Q, K and V buffers of the tensor-core mapping.
inline int64_t mmaWorkgroupBytes(int64_t blockQ, int64_t blockK,
                                 int64_t headDim, int64_t valueDim,
                                 int64_t elementBytes) {
  return elementBytes * (blockQ * (headDim + 8) + blockK * (headDim + 8) +
                         blockK * (valueDim + 8));
}

/// Bytes of the 16-bit Q [64][D], K [blockK][D], V [blockK][Dv] and P
/// [64][blockK] buffers of the warpgroup mapping (tiled, unpadded).
inline int64_t wgmmaWorkgroupBytes(int64_t blockK, int64_t headDim,
                                   int64_t valueDim, int64_t elementBytes) {
  return elementBytes * (64 * headDim + blockK * headDim + blockK * valueDim +
                         64 * blockK);
}

/// The lowering config of the FMA mapping for an attention op (`attention`,
/// `sliding_window_attention` or `online_attention`) with head dims `D` and
/// `Dv`: `block_q` = `blockQ` when positive, else the largest power of two
/// in [minThreads, maxThreads] whose buffers fit `sharedMemoryBytes`;
/// `block_k` = `target.keyBlock(Dv)`; `split_keys` = 1. With
/// `target.tensorCores`, f16 and bf16 ops whose D and Dv are multiples of 16
/// get the tensor-core config instead: `block_q` = 16 x the most warps (up
/// to `mmaMaxWarps`) whose buffers fit, `block_k` = `mmaBlockK`, register
/// tiles [16, 8] (the warp tile of `mma.m16n8k16`); with
/// `target.warpgroupMMA` too (and Dv <= 256, `blockQ` 0 or 64) the
/// warpgroup config: `block_q` = 64, `block_k` the largest power of two
/// from `wgmmaMaxBlockK` down to 16 whose buffers fit, register tiles
/// [64, block_k] (S) and [64, Dv] (O). Fails (through
/// `op->emitOpError`) on dynamic head dims, `Dv > kMaxValueDim`, or buffers
/// that do not fit.
FailureOr<LoweringConfigAttr> selectGPULoweringConfig(Operation *op,
                                                      const GPUTargetInfo &target,
                                                      int64_t blockQ);

/// Checks a lowering config written into the attention op `op` before
/// `-attn-gpu-select-lowering-config` ran (a config pinned in the IR)
/// against `target`, as the selection sizes its own: the workgroup's threads
/// (block_q, or 2 x block_q for the tensor-core and warpgroup configs) at
/// most `target.maxThreads`, the workgroup buffers within
/// `target.sharedMemoryBytes`, and for the FMA mapping block_k at most
/// `kMaxScoresPerThread` and Dv at most `kMaxValueDim`. Errors go through
/// `op->emitOpError`; the per-mapping shape rules (f16/bf16 for tensor
/// cores, multiples of 16, split_keys = 1) stay with the mapping pass.
LogicalResult checkGPULoweringConfig(Operation *op, LoweringConfigAttr config,
                                     const GPUTargetInfo &target);

/// Whether the GPU mappings take the attn op `op` (what
/// `-attn-gpu-check-mappable` asks of every op, and each mapping pass of its
/// tiles): static head counts, compose ranks, head dims and sampling sizes
/// where the kernels unroll over them or size workgroup memory by them;
/// DCMHA with compose groups and at most kDCMHAMaxAccumulators H x Dv; no
/// split-K tiles. Errors (through `op`) say what the CPU pipeline runs
/// instead. Other ops: success.
LogicalResult checkGPUMappable(Operation *op);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_GPUTARGETINFO_H
