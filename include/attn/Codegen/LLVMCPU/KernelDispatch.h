//===- KernelDispatch.h - lowering configs for the CPU ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Where the CPU code generator decides how each attention op is lowered
// (IREE's LLVMCPU/KernelDispatch.cpp): query and key blocks, split-K and
// register tiles, chosen from the CPUTargetInfo's defaults and the op's
// shape, and written into the IR as an `#attn.lowering_config` that the
// tiling and kernel passes read.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_KERNELDISPATCH_H
#define ATTN_CODEGEN_LLVMCPU_KERNELDISPATCH_H

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "llvm/ADT/SmallVector.h"

namespace mlir::attn {

/// Explicit choices that replace the CPU heuristics of a lowering config
/// (the `block-q`, `block-k`, `split-keys`, `qk-tile`, `pv-tile` and `unit` options
/// of the CPU passes and of `--attn-cpu-pipeline`). 0 or empty = chosen by
/// the heuristics.
struct LoweringConfigOverrides {
  /// Query rows per tile.
  int64_t blockQ = 0;
  /// Keys per block of the online softmax.
  int64_t blockK = 0;
  /// Key splits (1 = never split).
  int64_t splitKeys = 0;
  /// Register tile [rows, vectors] of Q K^T, for whole and partial key
  /// blocks alike.
  SmallVector<int64_t, 2> qkTile;
  /// Register tile [rows, vectors] of P V, for whole and partial key blocks
  /// alike.
  SmallVector<int64_t, 2> pvTile;
  /// The arithmetic of the products of ops with bf16 operands.
  std::optional<MatmulUnit> unit;
  /// Threads the parallel loops will run on, which the chosen key splits
  /// plan for (0 = this machine's hardware threads; OMP_NUM_THREADS is not
  /// read).
  int64_t numThreads = 0;

  /// Checks the option values and returns them as overrides: sizes must not
  /// be negative, a tile is empty or two positive sizes. The error (through
  /// `emitError`) names the option as its pass spells it.
  static FailureOr<LoweringConfigOverrides>
  get(int64_t blockQ, int64_t blockK, int64_t splitKeys,
      ArrayRef<int64_t> qkTile, ArrayRef<int64_t> pvTile, StringRef unit,
      int64_t numThreads, function_ref<InFlightDiagnostic()> emitError);
};

/// The lowering config that the CPU heuristics choose for `op`
/// (`attn.attention`, `attn.sliding_window_attention`,
/// `attn.online_attention` or `attn.partial_attention`) on `target`, each
/// size replaced by its override when one is set; null for other ops.
///
/// - `block_q`: `target.blockQ` rows for ops whose window or chunk hides
///   keys from some rows (causal, sliding window, chunked), else
///   `target.blockQDense`.
/// - `block_k`: `target.blockK`.
/// - `split_keys`: chooseKeySplits (Dialect/Attn/Transforms) of the op's
///   shapes, `block_q` and `overrides.numThreads` (1 for
///   `attn.partial_attention`, which is already a split).
/// - `qk_tile`/`pv_tile`: `target.denseTiles`; `partial_qk_tile` /
///   `partial_pv_tile`: `target.tiles` for ops that restrict keys, else the
///   dense tiles. A tile override sets both.
/// - `unit`: `bf16_dot` for ops whose query, key and value are bf16 on a
///   target with AVX512-BF16, unless the op is a decode shape (query rows
///   x stacked GQA heads at most the vector width: the f32 kernel's
///   transposed form, which is bandwidth-bound); else `f32`. The override
///   applies to ops with bf16 operands only.
LoweringConfigAttr
selectLoweringConfig(Operation *op, const CPUTargetInfo &target,
                     const LoweringConfigOverrides &overrides);

/// Checks that `target` has the unit `unit` needs (AVX512-BF16 for
/// bf16_dot, AMX-BF16 for amx); the error, on `op`, names the unit, the
/// missing feature, the CPU and the emulated unit that runs without it.
LogicalResult verifyUnitForTarget(Operation *op, MatmulUnit unit,
                                  const CPUTargetInfo &target);

/// At most this many accumulator vectors (rows x vectors) in one CPU
/// register tile: twice the AVX-512 register file. Larger tiles only
/// spill, and their unrolled code grows as the product (a [64, 64] tile
/// kept the canonicalizer busy for minutes).
constexpr int64_t kMaxCPURegisterTileVectors = 64;

/// Checks that the register tiles of `config` fit the CPU kernel
/// (kMaxCPURegisterTileVectors); the error, on `op`, names the tile.
LogicalResult verifyRegisterTilesForCPU(Operation *op,
                                        LoweringConfigAttr config);

/// `target` with the sizes of `config`: `blockQ` (and `blockQDense`),
/// `blockK`, `denseTiles` from `qk_tile`/`pv_tile` and `tiles` from
/// `partial_qk_tile`/`partial_pv_tile`. This is the kernel's view of one
/// op; hardware facts stay as they are.
CPUTargetInfo applyLoweringConfig(CPUTargetInfo target,
                                  LoweringConfigAttr config);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_LLVMCPU_KERNELDISPATCH_H
