//===- MapDCMHA.cpp - online_dcmha tiles onto workgroups --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The generic GPU mapping of `attn.online_dcmha` tiles (DCFormer's
// dynamically composable multi-head attention, `attn.dcmha`): one workgroup
// per tile (batch, block of query rows, all heads), one thread per query
// row. The post-softmax compose mixes normalized probabilities of different
// heads, so a row's final max and sum of every head must be known before it
// (docs/CodeGen.md#dcmha); each thread walks the keys its row sees twice:
//
//   sweep 1: s[h] = scale Q[h] . K[h, j]; a = compose_pre(s); per head the
//            online max m[h] and sum l[h]                  (2H registers)
//   sweep 2: the same a; p[h] = exp(a[h] - m[h]) / l[h];
//            acc[h, :] += compose_post(p)[h] V[h, j, :]    (H Dv registers)
//
// The math is the shared builders': buildComposeHeads (ComposeHeads.h),
// OnlineSoftmax and AttentionGeometry (the visible keys of a row are one
// range, as online_dcmha has no chunk and no mask). K, V and the
// key-indexed compose weights are read from global memory (the same
// address for the threads of a workgroup when their rows see the key: a
// broadcast); no workgroup memory, no barrier. Sums are f32; f16/bf16 data
// is widened on load. Only upstream `gpu`, `scf`, `memref`, `arith` and
// `math` ops are emitted.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/ComposeWeights.h"
#include "attn/Codegen/GPU/GPUTargetInfo.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/GPU/TileToLaunch.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"
#include "attn/Dialect/Attn/Utils/ComposeHeads.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUMAPDCMHAPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// The sizes of a DCMHA tile's mapping.
struct DCMHAMapping {
  int64_t heads = 0, headDim = 0, valueDim = 0;
  ComposeShape pre, post;
  double scale = 1.0;
  /// Threads of the workgroup; thread t has rows t, t + threads, ...
  int64_t threads = 1;
  /// Whether the tile has at most `threads` rows (one row per thread).
  bool rowsPerThread = false;
};

/// The ComposeShape of `groups` over `heads` heads (ranks static).
static ComposeShape composeShapeOf(const ComposeGroups &groups,
                                   int64_t heads) {
  ComposeShape shape;
  shape.heads = heads;
  shape.staticWeights = static_cast<bool>(groups.staticWeights);
  if (groups.qw1)
    shape.queryRank = cast<ShapedType>(groups.qw1.getType()).getDimSize(2);
  if (groups.kw1)
    shape.keyRank = cast<ShapedType>(groups.kw1.getType()).getDimSize(2);
  shape.queryGate = static_cast<bool>(groups.queryGate);
  shape.keyGate = static_cast<bool>(groups.keyGate);
  return shape;
}

namespace {
/// Emits the per-thread code of one `attn.online_dcmha` tile (on memrefs,
/// one batch) in place of `op`, inside a gpu.launch of `m.threads` threads.
class DCMHATileEmitter {
public:
  DCMHATileEmitter(ImplicitLocOpBuilder &b, OnlineDCMHAOp op,
                   const DCMHAMapping &mapping, Value threadId)
      : b(b), op(op), m(mapping), t(threadId),
        geometry(AttentionGeometry::get(op)),
        sm(b, b.getLoc(), OnlineSoftmax::mathExp2) {}

  void emit();

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value toF32(Value x) {
    if (x.getType().isF32())
      return x;
    return arith::ExtFOp::create(b, b.getF32Type(), x);
  }
  Value load(Value memref, ValueRange at) {
    return toF32(memref::LoadOp::create(b, memref, at));
  }
  /// The H pre-composed logits of (row, key).
  SmallVector<Value> emitLogits(Value row, Value key);
  /// compose(a) with the groups `groups` of shape `shape` at (row, key).
  SmallVector<Value> emitCompose(const ComposeShape &shape,
                                 const ComposeGroups &groups, Value row,
                                 Value key, ArrayRef<Value> a);
  /// The output of query row `row` of the tile.
  void emitRow(Value row);

  ImplicitLocOpBuilder &b;
  OnlineDCMHAOp op;
  const DCMHAMapping &m;
  Value t;
  AttentionGeometry geometry;
  OnlineSoftmax sm;
};
} // namespace

SmallVector<Value> DCMHATileEmitter::emitCompose(const ComposeShape &shape,
                                                 const ComposeGroups &g,
                                                 Value row, Value key,
                                                 ArrayRef<Value> a) {
  if (shape.isIdentity())
    return SmallVector<Value>(a);
  ComposeWeightLoads weights(b, g, row, key);
  return buildComposeHeads(b, b.getLoc(), shape, weights.fns(), a);
}

SmallVector<Value> DCMHATileEmitter::emitLogits(Value row, Value key) {
  Value zero = idx(0);
  SmallVector<Value> init(m.heads, f32(0.0));
  auto dots = scf::ForOp::create(b, idx(0), idx(m.headDim), idx(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(dots.getBody());
    Value d = dots.getInductionVar();
    SmallVector<Value> next;
    for (int64_t h = 0; h < m.heads; ++h) {
      Value q = load(op.getQuery(), ValueRange{zero, idx(h), row, d});
      Value k = load(op.getKey(), ValueRange{zero, idx(h), key, d});
      next.push_back(math::FmaOp::create(b, q, k, dots.getRegionIterArg(h)));
    }
    scf::YieldOp::create(b, next);
  }
  SmallVector<Value> s;
  Value scale = f32(m.scale);
  for (int64_t h = 0; h < m.heads; ++h)
    s.push_back(arith::MulFOp::create(b, dots.getResult(h), scale));
  return emitCompose(m.pre, op.getPreGroups(), row, key, s);
}

void DCMHATileEmitter::emitRow(Value row) {
  int64_t heads = m.heads, dv = m.valueDim;
  Value zero = idx(0);
  Value lk = memref::DimOp::create(b, op.getKey(), 2);
  Value pos = arith::AddIOp::create(b, op.getQueryOffset(), row);
  auto [lo, hi] = geometry.emitVisibleColumns(b, b.getLoc(), pos, pos,
                                              zero, lk);
  Type elt = op.getOutputType().getElementType();
  auto storeRow = [&](llvm::function_ref<Value(int64_t h, int64_t e)> acc) {
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t e = 0; e < dv; ++e) {
        Value x = acc(h, e);
        if (!elt.isF32())
          x = arith::TruncFOp::create(b, elt, x);
        memref::StoreOp::create(b, x, op.getOutput(),
                                ValueRange{zero, idx(h), row, idx(e)});
      }
  };
  // A row without a visible key is 0 (before compose_post, hence after).
  // The sweeps run only for rows with keys: SPIR-V's scf.for keeps loop
  // results in variables that the loop body writes, which a loop of no
  // iteration leaves undefined.
  auto ifKeys = scf::IfOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, lo, hi),
      /*withElseRegion=*/true);
  OpBuilder::InsertionGuard rowGuard(b);
  b.setInsertionPointToStart(ifKeys.elseBlock());
  Value zeroF = f32(0.0);
  storeRow([&](int64_t, int64_t) { return zeroF; });
  b.setInsertionPointToStart(ifKeys.thenBlock());

  // Sweep 1: the row's max and sum of every head.
  SmallVector<Value> stats(heads,
                           f32(-std::numeric_limits<double>::infinity()));
  stats.append(heads, f32(0.0));
  auto sweep1 = scf::ForOp::create(b, lo, hi, idx(1), stats);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sweep1.getBody());
    SmallVector<Value> a = emitLogits(row, sweep1.getInductionVar());
    SmallVector<Value> next(2 * heads);
    for (int64_t h = 0; h < heads; ++h) {
      Value mOld = sweep1.getRegionIterArg(h);
      next[h] = sm.updateMax(mOld, a[h]);
      Value mSafe = sm.safeMax(next[h]);
      Value p = sm.exp(a[h], sm.expOffset(mSafe));
      next[heads + h] = sm.updateSum(sweep1.getRegionIterArg(heads + h),
                                     sm.rescale(mOld, mSafe), p);
    }
    scf::YieldOp::create(b, next);
  }
  SmallVector<Value> negMax, rcp;
  for (int64_t h = 0; h < heads; ++h) {
    negMax.push_back(sm.expOffset(sm.safeMax(sweep1.getResult(h))));
    rcp.push_back(sm.safeReciprocal(sweep1.getResult(heads + h)));
  }

  // Sweep 2: normalized probabilities, post-composed, times V.
  SmallVector<Value> accInit(heads * dv, f32(0.0));
  auto sweep2 = scf::ForOp::create(b, lo, hi, idx(1), accInit);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(sweep2.getBody());
    Value key = sweep2.getInductionVar();
    SmallVector<Value> a = emitLogits(row, key);
    SmallVector<Value> p;
    for (int64_t h = 0; h < heads; ++h)
      p.push_back(arith::MulFOp::create(b, sm.exp(a[h], negMax[h]), rcp[h]));
    SmallVector<Value> mixed =
        emitCompose(m.post, op.getPostGroups(), row, key, p);
    SmallVector<Value> next;
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t e = 0; e < dv; ++e) {
        Value v = load(op.getValue(), ValueRange{zero, idx(h), key, idx(e)});
        next.push_back(math::FmaOp::create(
            b, mixed[h], v, sweep2.getRegionIterArg(h * dv + e)));
      }
    scf::YieldOp::create(b, next);
  }
  storeRow([&](int64_t h, int64_t e) { return sweep2.getResult(h * dv + e); });
}

void DCMHATileEmitter::emit() {
  Value rows = memref::DimOp::create(b, op.getQuery(), 2);
  OpBuilder::InsertionGuard guard(b);
  if (m.rowsPerThread) {
    // A thread per row: threads past the tile's last row store nothing.
    auto inside = scf::IfOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, t, rows),
        /*withElseRegion=*/false);
    b.setInsertionPointToStart(inside.thenBlock());
    emitRow(t);
    return;
  }
  auto rowLoop = scf::ForOp::create(b, t, rows, idx(m.threads));
  b.setInsertionPointToStart(rowLoop.getBody());
  emitRow(rowLoop.getInductionVar());
}

/// The mapping of `op`, or an error for a tile it cannot take.
static FailureOr<DCMHAMapping> planDCMHA(OnlineDCMHAOp op,
                                         int64_t maxThreads) {
  if (op->getNumResults() != 0)
    return op.emitOpError("the GPU mapping runs after bufferization");
  if (failed(checkGPUMappable(op)))
    return failure();
  ShapedType query = op.getQueryType(), value = op.getValueType();
  if (query.getDimSize(0) != 1)
    return op.emitOpError("expected a tile of one batch (from -attn-tile), "
                          "found ")
           << query;
  for (Type elt : {query.getElementType(), value.getElementType()})
    if (!elt.isF32() && !elt.isF16() && !elt.isBF16())
      return op.emitOpError("the GPU mapping supports f32, f16 and bf16 "
                            "operands, found ")
             << elt;
  DCMHAMapping m;
  m.heads = query.getDimSize(1);
  m.headDim = op.getKeyType().getDimSize(3);
  m.valueDim = value.getDimSize(3);
  m.pre = composeShapeOf(op.getPreGroups(), m.heads);
  m.post = composeShapeOf(op.getPostGroups(), m.heads);
  m.scale = op.getScaleAttr()
                ? op.getScaleAttr().getValueAsDouble()
                : 1.0 / std::sqrt(static_cast<double>(m.headDim));
  // One thread per row, no more threads than the tile has rows; a tile
  // whose row count has no visible bound (the folded block order hides it)
  // gets the pipeline's block (the row loop covers any other).
  m.threads = std::min(maxThreads, GPUTargetInfo().dcmhaBlockQ);
  if (std::optional<int64_t> rows = getStaticUpperBound(op.getQuery(), 2)) {
    m.threads = std::max<int64_t>(1, std::min(maxThreads, *rows));
    m.rowsPerThread = *rows <= m.threads;
  }
  return m;
}

namespace {
struct AttnGPUMapDCMHAPass
    : public mlir::attn::impl::AttnGPUMapDCMHAPassBase<AttnGPUMapDCMHAPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxThreads < 1) {
      getOperation().emitError()
          << "expected max-threads to be positive, found " << maxThreads;
      return signalPassFailure();
    }
    SmallVector<OnlineDCMHAOp> tiles;
    getOperation().walk([&](OnlineDCMHAOp op) { tiles.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (OnlineDCMHAOp op : tiles) {
      FailureOr<DCMHAMapping> mapping = planDCMHA(op, maxThreads);
      if (failed(mapping))
        return signalPassFailure();
      FailureOr<gpu::LaunchOp> launch =
          wrapTileInLaunch(rewriter, op, mapping->threads, {});
      if (failed(launch))
        return signalPassFailure();
      rewriter.setInsertionPoint(op);
      ImplicitLocOpBuilder b(op.getLoc(), rewriter);
      DCMHATileEmitter(b, op, *mapping, launch->getThreadIds().x).emit();
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
