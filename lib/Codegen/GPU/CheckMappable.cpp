//===- CheckMappable.cpp - reject ops without a GPU mapping -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The GPU pipeline maps attention, DCMHA, compose and the sampling ops;
// anything else of the attn dialect would stay in host code, where nothing
// lowers it.
// This pass stops the pipeline at the start, naming the op.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/GPUTargetInfo.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUCHECKMAPPABLEPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// What runs an op that the GPU pipeline does not.
static constexpr StringLiteral kElsewhere =
    "; --attn-cpu-pipeline and the reference evaluator (attn-run "
    "--backend=reference) run it";

/// Checks the static sizes the compose mapping unrolls over.
static LogicalResult checkCompose(Operation *op, Value scores,
                                  const ComposeGroups &groups) {
  auto type = cast<ShapedType>(scores.getType());
  if (type.isDynamicDim(1))
    return op->emitOpError("has no GPU mapping for a dynamic head count H "
                           "(the kernel unrolls over heads), found ")
           << type << kElsewhere;
  for (Value weights : {groups.qw1, groups.kw1})
    if (weights && cast<ShapedType>(weights.getType()).isDynamicDim(2))
      return op->emitOpError("has no GPU mapping for a dynamic compose rank "
                             "(dim 2 of ")
             << weights.getType() << ")" << kElsewhere;
  return success();
}

/// Checks the static sizes the DCMHA mapping unrolls over and the per-thread
/// H x Dv accumulators it holds in registers.
static LogicalResult checkDCMHA(Operation *op, Value query, Value key,
                                Value value, const ComposeGroups &pre,
                                const ComposeGroups &post) {
  // Without compose groups -attn-convert-to-online makes it attention, for
  // which the GPU pipeline selects no lowering config.
  if (pre.empty() && post.empty())
    return op->emitOpError("has no GPU mapping without compose groups (it is "
                           "plain attention: write attn.attention or "
                           "attn.sliding_window_attention)")
           << kElsewhere;
  auto q = cast<ShapedType>(query.getType());
  auto k = cast<ShapedType>(key.getType());
  auto v = cast<ShapedType>(value.getType());
  if (failed(checkCompose(op, query, pre)) ||
      failed(checkCompose(op, query, post)))
    return failure();
  if (k.isDynamicDim(3) || v.isDynamicDim(3))
    return op->emitOpError("has no GPU mapping for dynamic head dims D or Dv "
                           "(the kernel holds the accumulators in registers), "
                           "found ")
           << k << " and " << v << kElsewhere;
  int64_t accumulators = q.getDimSize(1) * v.getDimSize(3);
  if (accumulators > GPUTargetInfo::kDCMHAMaxAccumulators)
    return op->emitOpError("has no GPU mapping for H x Dv = ")
           << q.getDimSize(1) << " x " << v.getDimSize(3)
           << " (a thread holds the accumulators of all heads in registers: "
              "at most "
           << GPUTargetInfo::kDCMHAMaxAccumulators << ")" << kElsewhere;
  return success();
}

/// Checks the static sizes of the sampling ops' corner buffers: `heads` is
/// the operand whose dim `headDim` is M, `points` the one whose dim
/// `pointDim` is P.
static LogicalResult checkSampling(Operation *op, Value heads, int64_t headDim,
                                   Value points, int64_t pointDim) {
  auto h = cast<ShapedType>(heads.getType());
  auto p = cast<ShapedType>(points.getType());
  if (h.isDynamicDim(headDim) || p.isDynamicDim(pointDim))
    return op->emitOpError("has no GPU mapping for a dynamic head count M or "
                           "point count P (workgroup memory is sized by "
                           "them), found ")
           << h << " and " << p << kElsewhere;
  return success();
}

LogicalResult mlir::attn::checkGPUMappable(Operation *op) {
  if (auto dcmha = dyn_cast<DCMHAOp>(op))
    return checkDCMHA(op, dcmha.getQuery(), dcmha.getKey(), dcmha.getValue(),
                      dcmha.getPreGroups(), dcmha.getPostGroups());
  if (auto online = dyn_cast<OnlineDCMHAOp>(op))
    return checkDCMHA(op, online.getQuery(), online.getKey(),
                      online.getValue(), online.getPreGroups(),
                      online.getPostGroups());
  if (isa<PartialAttentionOp>(op))
    return op->emitOpError("has no GPU mapping yet (split-K tiles are not "
                           "mapped)")
           << kElsewhere;
  if (auto compose = dyn_cast<ComposeOp>(op))
    return checkCompose(op, compose.getScores(), compose.getGroups());
  if (auto tiled = dyn_cast<TiledComposeOp>(op))
    return checkCompose(op, tiled.getScores(), tiled.getGroups());
  // deformable_sample is one head and one point.
  if (auto msda = dyn_cast<MSDeformAttnOp>(op))
    return checkSampling(op, msda.getValue(), 2, msda.getSamplingLocations(),
                         4);
  if (auto gather = dyn_cast<BilinearGatherOp>(op))
    return checkSampling(op, gather.getValue(), 2, gather.getLocations(), 4);
  return success();
}

namespace {
struct AttnGPUCheckMappablePass
    : public mlir::attn::impl::AttnGPUCheckMappablePassBase<
          AttnGPUCheckMappablePass> {
  using Base::Base;

  void runOnOperation() override {
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (!isa_and_nonnull<AttnDialect>(op->getDialect()))
        return;
      if (mlir::failed(checkGPUMappable(op))) {
        failed = true;
        return;
      }
      if (!bf16)
        for (Type type : llvm::concat<const Type>(op->getOperandTypes(),
                                                  op->getResultTypes()))
          if (getElementTypeOrSelf(type).isBF16()) {
            op->emitOpError("has no bf16 code for OpenCL SPIR-V (OpenCL "
                            "has no bf16 type), found ")
                << type
                << "; the nvvm target (CUDA), --attn-cpu-pipeline and the "
                   "reference evaluator (attn-run --backend=reference) run it";
            failed = true;
            return;
          }
      // The launches and device buffers are sized statically: say so at the
      // op, before tiling turns it into a kernel operand deep in the
      // pipeline.
      for (Type type : llvm::concat<const Type>(op->getOperandTypes(),
                                                op->getResultTypes()))
        if (auto shaped = dyn_cast<ShapedType>(type);
            shaped && !shaped.hasStaticShape()) {
          op->emitOpError("has no GPU mapping for dynamic shapes (kernel "
                          "launches and device buffers are sized "
                          "statically), found ")
              << shaped << kElsewhere;
          failed = true;
          return;
        }
    });
    if (failed) {
      signalPassFailure();
      return;
    }
    // Ops of other dialects stay on the host side, as loops: say so once
    // per function at its first linalg op, so a graph that expects a GPU
    // for its matmuls learns it.
    getOperation().walk([](func::FuncOp func) {
      SmallVector<Operation *> host;
      func.walk([&](linalg::LinalgOp op) { host.push_back(op); });
      if (host.empty())
        return;
      InFlightDiagnostic warning = host.front()->emitWarning()
                                   << "'" << host.front()->getName()
                                   << "' runs on the host CPU as loops";
      if (host.size() > 1)
        warning << " (as do " << host.size() - 1 << " more linalg ops of @"
                << func.getSymName() << ")";
      warning << ": the GPU pipeline maps attn ops only";
    });
  }
};
} // namespace
