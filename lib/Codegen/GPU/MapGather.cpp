//===- MapGather.cpp - bilinear_gather tiles onto workgroups ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The generic GPU mapping of `attn.bilinear_gather` tiles (the tiled form of
// `attn.deformable_sample` and `attn.ms_deform_attn`): one workgroup per
// tile of queries (all heads). The queries go in chunks whose corners fit
// workgroup memory; per chunk,
//
//   1. one thread per sampling point computes its four corner rows and
//      weights once (BilinearSampling, the math the CPU kernel and the
//      linalg decomposition use) into workgroup memory;
//   2. one thread per output element (query, head, channel), channels
//      fastest, sums the weighted corners: a warp reads consecutive
//      channels of one `value` row (coalesced) and one (query, head)'s
//      corners (a broadcast from workgroup memory).
//
// Corners outside the map have weight 0 and a row clamped into it, so no
// coordinate reads outside `value` and there are no branches per element.
// Accumulation is f32; f16/bf16 data is widened on load. Only upstream
// `gpu`, `scf`, `memref`, `arith` and `math` ops are emitted.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/GPU/TileToLaunch.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/BilinearSampling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUMAPGATHERPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Corners per sampling point.
static constexpr int64_t kCorners = 4;

/// The sizes of a gather tile's mapping.
struct GatherMapping {
  int64_t heads, levels, points;
  /// Queries whose corners are staged at a time.
  int64_t chunk;
  /// Elements per staged (query, head): 4 corners of L * P points, plus one
  /// so that the (query, head)s of a warp (when D < 32) fall in different
  /// banks.
  int64_t pitch() const { return kCorners * levels * points + 1; }
  /// The two workgroup buffers, [chunk * M, pitch]: corner rows (i32) and
  /// weights (f32).
  SmallVector<MemRefType, 2> buffers(MLIRContext *ctx) const {
    SmallVector<int64_t, 2> shape = {chunk * heads, pitch()};
    return {MemRefType::get(shape, IntegerType::get(ctx, 32)),
            MemRefType::get(shape, Float32Type::get(ctx))};
  }
};

namespace {
/// Emits the per-thread code of one `attn.bilinear_gather` tile (on memrefs,
/// one batch) in place of `op`, inside a gpu.launch of `threads` threads.
class GatherTileEmitter {
public:
  GatherTileEmitter(ImplicitLocOpBuilder &b, BilinearGatherOp op,
                    const GatherMapping &mapping, Value rowsBuffer,
                    Value weightsBuffer, Value threadId, int64_t threads)
      : b(b), op(op), m(mapping), rowsBuffer(rowsBuffer),
        weightsBuffer(weightsBuffer), t(threadId), threads(threads) {}

  void emit();

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value toF32(Value x) {
    if (x.getType().isF32())
      return x;
    return arith::ExtFOp::create(b, b.getF32Type(), x);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, int64_t c) { return arith::MulIOp::create(b, x, idx(c)); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  /// `for (e = t; e < count; e += threads)`: the threads of the workgroup
  /// share `count` items, consecutive threads consecutive items.
  void forEachItemOfThread(Value count, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, t, count, idx(threads));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  }
  /// Phase 1: the corners of the points of level `l` of queries
  /// [q0, q0 + count) into the workgroup buffers.
  void emitCorners(int64_t l, Value q0, Value count);
  /// Phase 2: the output elements of queries [q0, q0 + count).
  void emitChannels(Value q0, Value count);

  ImplicitLocOpBuilder &b;
  BilinearGatherOp op;
  const GatherMapping &m;
  Value rowsBuffer, weightsBuffer;
  Value t;
  int64_t threads;
};
} // namespace

void GatherTileEmitter::emitCorners(int64_t l, Value q0, Value count) {
  Value zero = idx(0), points = idx(m.points), heads = idx(m.heads);
  bool unit = op.getCoordinates() == Coordinates::unit;
  bool border = op.getPaddingMode() == PaddingMode::border;
  SampleMap map = {op.getLevelHeight(l), op.getLevelWidth(l),
                   op.getLevelStart(l)};
  Value items = arith::MulIOp::create(b, count, idx(m.heads * m.points));
  forEachItemOfThread(items, [&](Value e) {
    // e = ((qq * M) + head) * P + p; qm = qq * M + head is the buffer row.
    Value p = rem(e, points);
    Value qm = div(e, points);
    Value head = rem(qm, heads);
    Value q = add(q0, div(qm, heads));
    Value level = idx(l);
    Value x = toF32(memref::LoadOp::create(
        b, op.getLocations(), ValueRange{zero, q, head, level, p, zero}));
    Value y = toF32(memref::LoadOp::create(
        b, op.getLocations(), ValueRange{zero, q, head, level, p, idx(1)}));
    Value scale;
    if (Value weights = op.getWeights())
      scale = toF32(memref::LoadOp::create(
          b, weights, ValueRange{zero, q, head, level, p}));
    BilinearCorners corners =
        buildBilinearCorners(b, b.getLoc(), x, y, {map}, unit,
                             op.getAlignCorners(), border, scale);
    Value first = add(mul(p, kCorners), idx(l * m.points * kCorners));
    for (int64_t k = 0; k < kCorners; ++k) {
      Value at = add(first, idx(k));
      memref::StoreOp::create(b, corners.rows[k], rowsBuffer,
                              ValueRange{qm, at});
      memref::StoreOp::create(b, corners.weights[k], weightsBuffer,
                              ValueRange{qm, at});
    }
  });
}

void GatherTileEmitter::emitChannels(Value q0, Value count) {
  Value zero = idx(0), heads = idx(m.heads);
  Value value = op.getValue(), output = op.getOutput();
  Value channels = memref::DimOp::create(b, value, 3);
  Type outElt = op.getOutputType().getElementType();
  Value items = arith::MulIOp::create(
      b, arith::MulIOp::create(b, count, heads), channels);
  forEachItemOfThread(items, [&](Value e) {
    Value c = rem(e, channels);
    Value qm = div(e, channels);
    Value head = rem(qm, heads);
    Value q = add(q0, div(qm, heads));
    Value init = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    auto loop = scf::ForOp::create(
        b, idx(0), idx(m.levels * m.points), idx(1), ValueRange{init},
        [&](OpBuilder &nb, Location loc, Value pt, ValueRange acc) {
          ImplicitLocOpBuilder ib(loc, nb);
          Value sum = acc[0];
          Value first = arith::MulIOp::create(ib, pt, idx(kCorners));
          for (int64_t k = 0; k < kCorners; ++k) {
            Value at = arith::AddIOp::create(ib, first, idx(k));
            Value row = memref::LoadOp::create(ib, rowsBuffer,
                                               ValueRange{qm, at});
            row = arith::IndexCastOp::create(ib, ib.getIndexType(), row);
            Value w = memref::LoadOp::create(ib, weightsBuffer,
                                             ValueRange{qm, at});
            Value x = memref::LoadOp::create(ib, value,
                                             ValueRange{zero, row, head, c});
            if (!x.getType().isF32())
              x = arith::ExtFOp::create(ib, ib.getF32Type(), x);
            sum = math::FmaOp::create(ib, x, w, sum);
          }
          scf::YieldOp::create(ib, sum);
        });
    Value out = loop.getResult(0);
    if (!outElt.isF32())
      out = arith::TruncFOp::create(b, outElt, out);
    memref::StoreOp::create(b, out, output, ValueRange{zero, q, head, c});
  });
}

void GatherTileEmitter::emit() {
  Value rows = memref::DimOp::create(b, op.getOutput(), 1);
  auto chunks = scf::ForOp::create(b, idx(0), rows, idx(m.chunk));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(chunks.getBody());
  Value q0 = chunks.getInductionVar();
  Value count = arith::MinUIOp::create(
      b, idx(m.chunk), arith::SubIOp::create(b, rows, q0));
  // The previous chunk's readers are done before its corners are
  // overwritten (the loop bounds are uniform: barriers stay legal).
  gpu::BarrierOp::create(b);
  for (int64_t l = 0; l < m.levels; ++l)
    emitCorners(l, q0, count);
  gpu::BarrierOp::create(b);
  emitChannels(q0, count);
}

/// The mapping of `op`, or an error for a tile it cannot take.
static FailureOr<GatherMapping> planGather(BilinearGatherOp op,
                                           int64_t sharedMemoryBytes) {
  if (op->getNumResults() != 0)
    return op.emitOpError("the GPU mapping runs after bufferization");
  ShapedType valueType = op.getValueType(), locType = op.getLocationsType();
  if (valueType.isDynamicDim(2) || locType.isDynamicDim(4))
    return op.emitOpError("the GPU mapping stages the corners of M * L * P "
                          "sampling points per query: M and P must be "
                          "static, found ")
           << valueType << " and " << locType;
  if (op.getOutputType().getDimSize(0) != 1)
    return op.emitOpError("expected a tile of one batch (from -attn-tile), "
                          "found ")
           << op.getOutputType();
  GatherMapping m;
  m.heads = valueType.getDimSize(2);
  m.levels = op.getNumLevels();
  m.points = locType.getDimSize(4);
  int64_t perQuery = m.heads * m.pitch() * 8;
  int64_t fit = sharedMemoryBytes / std::max<int64_t>(perQuery, 1);
  if (fit < 1)
    return op.emitOpError("the GPU mapping stages the corners of a query's ")
           << m.heads * m.levels * m.points << " sampling points (M * L * P) "
           << "in workgroup memory: " << perQuery
           << " bytes, but the target has " << sharedMemoryBytes;
  // As many queries as fit, but no more than the tile has.
  std::optional<int64_t> rows = getStaticUpperBound(op.getOutput(), 1);
  m.chunk = std::max<int64_t>(1, std::min(fit, rows.value_or(fit)));
  return m;
}

namespace {
struct AttnGPUMapGatherPass
    : public mlir::attn::impl::AttnGPUMapGatherPassBase<AttnGPUMapGatherPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxThreads < 32 || maxThreads % 32 != 0) {
      getOperation().emitError()
          << "expected max-threads to be a positive multiple of 32, found "
          << int64_t(maxThreads);
      return signalPassFailure();
    }
    SmallVector<BilinearGatherOp> tiles;
    getOperation().walk([&](BilinearGatherOp op) { tiles.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (BilinearGatherOp op : tiles) {
      FailureOr<GatherMapping> mapping = planGather(op, sharedMemoryBytes);
      if (failed(mapping))
        return signalPassFailure();
      FailureOr<gpu::LaunchOp> launch = wrapTileInLaunch(
          rewriter, op, maxThreads, mapping->buffers(&getContext()));
      if (failed(launch))
        return signalPassFailure();
      ValueRange wg = launch->getWorkgroupAttributions();
      rewriter.setInsertionPoint(op);
      ImplicitLocOpBuilder b(op.getLoc(), rewriter);
      GatherTileEmitter(b, op, *mapping, wg[0], wg[1],
                        launch->getThreadIds().x, maxThreads)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
