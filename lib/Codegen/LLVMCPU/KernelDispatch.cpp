//===- KernelDispatch.cpp - lowering configs for the CPU --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The CPU heuristics of code generation, in one place: which query block,
// key block, split-K factor and register tiles an attention op gets. They
// start from the target's defaults (CPUTargetInfo) and the op's geometry
// and shapes; `-attn-cpu-select-lowering-config` writes the result into the
// IR, where `-attn-tile`, `-attn-decompose` and `-convert-attn-to-vector`
// read it.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/KernelDispatch.h"
#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCPUSELECTLOWERINGCONFIGPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Overrides
//===----------------------------------------------------------------------===//

FailureOr<LoweringConfigOverrides>
LoweringConfigOverrides::get(int64_t blockQ, int64_t blockK, int64_t splitKeys,
                             ArrayRef<int64_t> qkTile, ArrayRef<int64_t> pvTile,
                             StringRef unit, int64_t numThreads,
                             function_ref<InFlightDiagnostic()> emitError) {
  // The bounds of #attn.lowering_config (its verifier's), so that every
  // config made from the overrides is valid.
  for (auto [name, size, limit] :
       {std::tuple<StringRef, int64_t, int64_t>{"block-q", blockQ,
                                                kMaxLoweringBlock},
        {"block-k", blockK, kMaxLoweringBlock},
        {"split-keys", splitKeys, kMaxKeySplits}})
    if (size < 0 || size > limit)
      return emitError() << "invalid " << name << "=" << size
                         << ": expected 0 (from the heuristics) or a number "
                            "up to "
                         << limit;
  if (numThreads < 0)
    return emitError() << "invalid num-threads=" << numThreads
                       << ": expected 0 (this machine's hardware threads) or "
                          "a positive number";
  for (auto [name, tile] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"qk-tile", qkTile},
        {"pv-tile", pvTile}}) {
    if (tile.empty() ||
        (tile.size() == 2 && tile[0] > 0 && tile[1] > 0 &&
         tile[0] <= kMaxRegisterTile && tile[1] <= kMaxRegisterTile &&
         tile[0] * tile[1] <= kMaxCPURegisterTileVectors))
      continue;
    InFlightDiagnostic diag = emitError();
    diag << "invalid " << name << "=";
    llvm::interleave(tile, diag, ",");
    return diag << ": expected 'rows,vectors' (two sizes in [1, "
                << kMaxRegisterTile << "], at most "
                << kMaxCPURegisterTileVectors << " vectors in all)";
  }
  LoweringConfigOverrides overrides;
  if (!unit.empty() && unit != "auto") {
    overrides.unit = symbolizeMatmulUnit(unit);
    if (!overrides.unit)
      return emitError() << "invalid unit=" << unit
                         << ": expected auto, f32, bf16_dot, "
                            "bf16_dot_emulated, amx or amx_emulated";
  }
  overrides.blockQ = blockQ;
  overrides.blockK = blockK;
  overrides.splitKeys = splitKeys;
  overrides.numThreads = numThreads;
  overrides.qkTile.assign(qkTile.begin(), qkTile.end());
  overrides.pvTile.assign(pvTile.begin(), pvTile.end());
  return overrides;
}

//===----------------------------------------------------------------------===//
// Heuristics
//===----------------------------------------------------------------------===//

/// Whether `op`'s window or chunk hides keys from some rows (causal
/// included), as the online forms' restrictsKeys() says it; nullopt for ops
/// that are not attention.
static std::optional<bool> restrictsKeys(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<bool>>(op)
      .Case([](AttentionOp op) { return op.getCausal(); })
      .Case([](SlidingWindowAttentionOp op) {
        return op.getWindowLeft() >= 0 || op.getWindowRight() >= 0 ||
               op.getChunkSize().has_value();
      })
      .Case<OnlineAttentionOp, PartialAttentionOp>(
          [](auto op) { return op.restrictsKeys(); })
      .Default([](Operation *) { return std::nullopt; });
}

/// The `unit` of selectLoweringConfig.
static MatmulUnit selectUnit(Operation *op, const CPUTargetInfo &target,
                             const LoweringConfigOverrides &overrides) {
  auto query = cast<ShapedType>(op->getOperand(0).getType());
  auto key = cast<ShapedType>(op->getOperand(1).getType());
  auto value = cast<ShapedType>(op->getOperand(2).getType());
  if (!query.getElementType().isBF16() || !key.getElementType().isBF16() ||
      !value.getElementType().isBF16())
    return MatmulUnit::f32;
  if (overrides.unit)
    return *overrides.unit;
  if (!target.hasAVX512BF16)
    return MatmulUnit::f32;
  // Decode tiles: rows = queries x the query heads of a KV head.
  if (!query.isDynamicDim(1) && !query.isDynamicDim(2) &&
      !key.isDynamicDim(1) && key.getDimSize(1) > 0) {
    int64_t rows =
        query.getDimSize(2) * (query.getDimSize(1) / key.getDimSize(1));
    if (rows <= target.lanes())
      return MatmulUnit::f32;
  }
  return MatmulUnit::bf16_dot;
}

LoweringConfigAttr
mlir::attn::selectLoweringConfig(Operation *op, const CPUTargetInfo &target,
                                 const LoweringConfigOverrides &overrides) {
  std::optional<bool> restricts = restrictsKeys(op);
  if (!restricts)
    return {};
  int64_t blockQ =
      overrides.blockQ > 0 ? overrides.blockQ : target.queryBlock(*restricts);
  int64_t blockK = overrides.blockK > 0 ? overrides.blockK : target.blockK;

  int64_t splitKeys = 1;
  if (overrides.splitKeys > 0) {
    splitKeys = overrides.splitKeys;
  } else if (!isa<PartialAttentionOp>(op)) {
    auto query = cast<ShapedType>(op->getOperand(0).getType());
    auto key = cast<ShapedType>(op->getOperand(1).getType());
    splitKeys = chooseKeySplits(query, key, blockQ, overrides.numThreads);
  }
  if (splitKeys > 1 && overrides.blockK <= 0)
    blockK = target.decodeBlockK;

  // Whole key blocks take the dense tiles; the other blocks of ops that
  // restrict keys take the target's smaller ones, which waste less on
  // invisible keys and rows.
  const CPUTargetInfo::RegisterTiles &whole = target.denseTiles;
  const CPUTargetInfo::RegisterTiles &partial =
      target.registerTiles(*restricts);
  SmallVector<int64_t, 2> qkTile = {whole.qkRows, whole.qkVectors};
  SmallVector<int64_t, 2> pvTile = {whole.pvRows, whole.pvVectors};
  SmallVector<int64_t, 2> partialQkTile = {partial.qkRows, partial.qkVectors};
  SmallVector<int64_t, 2> partialPvTile = {partial.pvRows, partial.pvVectors};
  if (!overrides.qkTile.empty())
    qkTile = partialQkTile = overrides.qkTile;
  if (!overrides.pvTile.empty())
    pvTile = partialPvTile = overrides.pvTile;
  return LoweringConfigAttr::get(op->getContext(), blockQ, blockK, splitKeys,
                                 qkTile, pvTile, partialQkTile, partialPvTile,
                                 selectUnit(op, target, overrides));
}

LogicalResult mlir::attn::verifyUnitForTarget(Operation *op, MatmulUnit unit,
                                              const CPUTargetInfo &target) {
  auto missing = [&](StringRef feature, StringRef emulated) {
    return op->emitOpError("unit = ")
           << stringifyMatmulUnit(unit) << " needs " << feature
           << ", which the target CPU '" << target.cpu
           << "' does not have (" << emulated
           << " runs the same kernel without it)";
  };
  if (unit == MatmulUnit::bf16_dot && !target.hasAVX512BF16)
    return missing("AVX512-BF16", "bf16_dot_emulated");
  if (unit == MatmulUnit::amx && !target.hasAMXBF16)
    return missing("AMX-BF16", "amx_emulated");
  return success();
}

LogicalResult mlir::attn::verifyRegisterTilesForCPU(Operation *op,
                                                    LoweringConfigAttr config) {
  for (auto [name, tile] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"qk_tile", config.getQkTile()},
        {"pv_tile", config.getPvTile()},
        {"partial_qk_tile", config.getPartialQkTile()},
        {"partial_pv_tile", config.getPartialPvTile()}})
    if (tile[0] * tile[1] > kMaxCPURegisterTileVectors)
      return op->emitOpError("has '")
             << name << "' = [" << tile[0] << ", " << tile[1]
             << "] in its lowering config: " << tile[0] * tile[1]
             << " accumulator vectors, where the CPU kernel takes at most "
             << kMaxCPURegisterTileVectors << " (rows x vectors)";
  return success();
}

CPUTargetInfo mlir::attn::applyLoweringConfig(CPUTargetInfo target,
                                              LoweringConfigAttr config) {
  target.blockQ = target.blockQDense = config.getBlockQ();
  target.blockK = config.getBlockK();
  auto tiles = [](ArrayRef<int64_t> qk, ArrayRef<int64_t> pv) {
    return CPUTargetInfo::RegisterTiles{qk[0], qk[1], pv[0], pv[1]};
  };
  target.denseTiles = tiles(config.getQkTile(), config.getPvTile());
  target.tiles = tiles(config.getPartialQkTile(), config.getPartialPvTile());
  return target;
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {
struct AttnCPUSelectLoweringConfigPass
    : public mlir::attn::impl::AttnCPUSelectLoweringConfigPassBase<
          AttnCPUSelectLoweringConfigPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    FailureOr<LoweringConfigOverrides> parsed = LoweringConfigOverrides::get(
        blockQ, blockK, splitKeys, qkTile, pvTile, unit, numThreads,
        [&] { return emitError(UnknownLoc::get(context)); });
    if (failed(parsed))
      return failure();
    overrides = std::move(*parsed);
    target = CPUTargetInfo::get(targetCPU);
    return success();
  }

  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isa<AttentionOp, SlidingWindowAttentionOp, OnlineAttentionOp,
               PartialAttentionOp>(op) ||
          getLoweringConfig(op))
        return WalkResult::advance();
      LoweringConfigAttr config = selectLoweringConfig(op, target, overrides);
      // A forced unit the target lacks is reported at the user's op.
      if (failed(verifyUnitForTarget(op, config.getUnit(), target)))
        return WalkResult::interrupt();
      setLoweringConfig(op, config);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

private:
  CPUTargetInfo target;
  LoweringConfigOverrides overrides;
};
} // namespace
