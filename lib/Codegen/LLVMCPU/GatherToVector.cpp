//===- GatherToVector.cpp - attn.bilinear_gather to vector code -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The CPU kernel of one `attn.bilinear_gather` tile (on memrefs): for each
// (n, q, m) of the tile,
//
//   1. the corner math of every sampling point, once: up to 16 points (of
//      any levels) as one f32 vector (coordinates deinterleaved from the
//      (x, y) pairs, level sizes as per-lane constants) through the shared
//      BilinearSampling builder, giving 4 corner rows (i32) and weights (f32,
//      zero outside the map, times the attention weight) per point, stored
//      to a small scratch;
//   2. the channels in chunks of up to `kGroup` vectors: for every point
//      and corner, a D-wide row gather `value[n, row, m, c..]` (channels
//      last, so one vector load per register) scaled by the corner weight
//      into f32 accumulators; then one store (rounded to the output type).
//
// Corners outside the map have weight 0 and a row clamped into the map, so
// there are no branches per element and no read outside `value` for any
// coordinate. f16 data is widened on load (vcvtph2ps) and accumulated in
// f32. Threads come from the scf.forall of -attn-tile around the tile.
//
// Loop order: queries outer, heads inner (the heads of a query sample the
// same neighbourhood, whose pixels hold all heads' rows side by side).
// Measured on the Deformable-DETR encoder (docs/benchmarks.md): software
// prefetch of the corner rows one or more (q, m) ahead and a head-major order
// were both slower; the kernel is bound by the gathered bytes.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/AttnToVector.h"
#include "attn/Dialect/Attn/Utils/BilinearSampling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::attn;

/// Vectors of channels accumulated at a time (registers: kGroup
/// accumulators plus the loads of one corner).
static constexpr int64_t kGroup = 4;

/// Sampling points whose corner math is one vector (their coordinates are
/// one load of twice as many elements).
static constexpr int64_t kCornerLanes = 16;

namespace {
/// Emits the kernel of one gather tile.
class GatherEmitter {
public:
  GatherEmitter(ImplicitLocOpBuilder &b, BilinearGatherOp op,
                const CPUTargetInfo &target)
      : b(b), op(op), lanes(target.lanes()), target(target) {}

  void emit();

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value dim(Value v, int64_t d) { return memref::DimOp::create(b, v, d); }
  Value toF32(Value x) {
    if (getElementTypeOrSelf(x.getType()).isF32())
      return x;
    Type f32 = b.getF32Type();
    if (auto vec = dyn_cast<VectorType>(x.getType()))
      f32 = vec.clone(f32);
    return arith::ExtFOp::create(b, f32, x);
  }
  /// Corner rows and weights of every point of (n, q, m) into the scratch.
  void emitCorners(Value n, Value q, Value m);
  /// Output channels [c, c + count * lanes) of (n, q, m) from the corners in
  /// the scratch; `tail` > 0 makes the last vector a masked one of `tail`
  /// lanes.
  void emitChannels(Value n, Value q, Value m, Value c, int64_t count,
                    int64_t tail);

  ImplicitLocOpBuilder &b;
  BilinearGatherOp op;
  int64_t lanes;
  const CPUTargetInfo &target;
  int64_t levels = 0, points = 0;
  // [n, q, m, 2*L*P]: the (x, y) pairs of all points of (n, q, m) in a row.
  Value locations;
  // [n, q, m, L*P]: their weights in a row (null without weights).
  Value weightsRow;
  // Scratch [4, L*P]: i32 corner rows, f32 weights.
  Value rows, weights;
};
} // namespace

void GatherEmitter::emitCorners(Value n, Value q, Value m) {
  Type locElt = op.getLocationsType().getElementType();
  bool unit = op.getCoordinates() == Coordinates::unit;
  bool border = op.getPaddingMode() == PaddingMode::border;
  int64_t total = levels * points;
  // The points in runs of up to kCornerLanes, each run one vector whose
  // lanes may lie on different levels (per-lane map constants).
  for (int64_t first = 0; first < total; first += kCornerLanes) {
    int64_t count = std::min(kCornerLanes, total - first);
    Value pairs = vector::LoadOp::create(
        b, VectorType::get({2 * count}, locElt), locations,
        ValueRange{n, q, m, index(2 * first)});
    auto split = vector::DeinterleaveOp::create(b, pairs);
    Value x = toF32(split.getRes1()), y = toF32(split.getRes2());
    Value scale;
    if (weightsRow)
      scale = toF32(vector::LoadOp::create(
          b,
          VectorType::get({count},
                          cast<ShapedType>(weightsRow.getType()).getElementType()),
          weightsRow, ValueRange{n, q, m, index(first)}));
    SmallVector<SampleMap> maps;
    for (int64_t i = first; i < first + count; ++i) {
      int64_t l = i / points;
      maps.push_back({op.getLevelHeight(l), op.getLevelWidth(l),
                      op.getLevelStart(l)});
    }
    BilinearCorners corners =
        buildBilinearCorners(b, b.getLoc(), x, y, maps, unit,
                             op.getAlignCorners(), border, scale);
    for (int64_t k = 0; k < 4; ++k) {
      SmallVector<Value> at{index(k), index(first)};
      vector::StoreOp::create(b, corners.rows[k], rows, at);
      vector::StoreOp::create(b, corners.weights[k], weights, at);
    }
  }
}

void GatherEmitter::emitChannels(Value n, Value q, Value m, Value c,
                                 int64_t count, int64_t tail) {
  Type f32 = b.getF32Type();
  Value value = op.getValue(), output = op.getOutput();
  Type valueElt = op.getValueType().getElementType();
  Type outElt = op.getOutputType().getElementType();
  auto accType = VectorType::get({lanes}, f32);
  auto loadType = VectorType::get({lanes}, valueElt);
  // The masked tail: only its first `tail` lanes are read and written.
  Value mask;
  if (tail > 0)
    mask = vector::ConstantMaskOp::create(
        b, VectorType::get({lanes}, b.getI1Type()), ArrayRef<int64_t>{tail});
  auto channel = [&](int64_t v) {
    return arith::AddIOp::create(b, c, index(v * lanes)).getResult();
  };
  Value zeroAcc = arith::ConstantOp::create(
      b, accType, DenseElementsAttr::get(accType, b.getF32FloatAttr(0.0f)));
  Value zeroLoad = arith::ConstantOp::create(
      b, loadType,
      DenseElementsAttr::get(loadType, b.getFloatAttr(valueElt, 0.0)));
  SmallVector<Value> init(count, zeroAcc);
  auto loop = scf::ForOp::create(
      b, index(0), index(levels * points), index(1), init,
      [&](OpBuilder &nb, Location loc, Value pt, ValueRange accs) {
        ImplicitLocOpBuilder ib(loc, nb);
        SmallVector<Value> next(accs);
        for (int64_t k = 0; k < 4; ++k) {
          Value row =
              memref::LoadOp::create(ib, rows, ValueRange{index(k), pt});
          row = arith::IndexCastOp::create(ib, ib.getIndexType(), row);
          Value w = memref::LoadOp::create(ib, weights,
                                           ValueRange{index(k), pt});
          Value wv = vector::BroadcastOp::create(ib, accType, w);
          for (int64_t v = 0; v < count; ++v) {
            SmallVector<Value> at{n, row, m, channel(v)};
            Value x = (mask && v == count - 1)
                          ? vector::MaskedLoadOp::create(ib, loadType, value,
                                                         at, mask, zeroLoad)
                                .getResult()
                          : vector::LoadOp::create(ib, loadType, value, at)
                                .getResult();
            next[v] = vector::FMAOp::create(ib, toF32(x), wv, next[v]);
          }
        }
        scf::YieldOp::create(ib, next);
      });
  for (int64_t v = 0; v < count; ++v) {
    Value acc = loop.getResult(v);
    if (!outElt.isF32())
      acc = arith::TruncFOp::create(b, VectorType::get({lanes}, outElt), acc);
    SmallVector<Value> at{n, q, m, channel(v)};
    if (mask && v == count - 1)
      vector::MaskedStoreOp::create(b, output, at, mask, acc);
    else
      vector::StoreOp::create(b, acc, output, at);
  }
}

void GatherEmitter::emit() {
  levels = op.getNumLevels();
  points = op.getLocationsType().getDimSize(4);
  int64_t channels = op.getValueType().getDimSize(3);
  // The (x, y) pairs and weights of (n, q, m) are contiguous: one row each.
  locations = memref::CollapseShapeOp::create(
      b, op.getLocations(),
      ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4, 5}});
  if (Value w = op.getWeights())
    weightsRow = memref::CollapseShapeOp::create(
        b, w, ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  SmallVector<Value> heapBuffers;
  int64_t total = levels * points;
  rows = target.allocScratch(b, b.getLoc(),
                             MemRefType::get({4, total}, b.getI32Type()),
                             /*alignmentBytes=*/64, /*onHeap=*/false,
                             heapBuffers);
  weights = target.allocScratch(b, b.getLoc(),
                                MemRefType::get({4, total}, b.getF32Type()),
                                /*alignmentBytes=*/64, /*onHeap=*/false,
                                heapBuffers);
  Value output = op.getOutput();
  int64_t full = channels / lanes, tail = channels % lanes;
  int64_t groups = full / kGroup, rest = full % kGroup;
  auto loopOver = [&](Value upper, function_ref<void(Value)> body) {
    auto loop = scf::ForOp::create(b, index(0), upper, index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(loop.getInductionVar());
  };
  loopOver(dim(output, 0), [&](Value n) {
    loopOver(dim(output, 1), [&](Value q) {
      loopOver(dim(output, 2), [&](Value m) {
        emitCorners(n, q, m);
        if (groups > 0)
          loopOver(index(groups), [&](Value g) {
            Value c = arith::MulIOp::create(b, g, index(kGroup * lanes));
            emitChannels(n, q, m, c, kGroup, 0);
          });
        if (rest > 0 || tail > 0)
          emitChannels(n, q, m, index(groups * kGroup * lanes),
                       rest + (tail > 0 ? 1 : 0), tail);
      });
    });
  });
}

LogicalResult mlir::attn::lowerBilinearGatherToVector(
    RewriterBase &rewriter, BilinearGatherOp op, const CPUTargetInfo &target) {
  if (op.getNumResults() != 0)
    return op.emitOpError("the vector kernel needs buffer semantics (run "
                          "bufferization first)");
  if (op.getValueType().isDynamicDim(3) ||
      op.getLocationsType().isDynamicDim(4))
    return op.emitOpError("the vector kernel needs static channels D and "
                          "points P (-attn-decompose lowers the others)");
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  auto scope = memref::AllocaScopeOp::create(b, TypeRange{});
  Block *body = rewriter.createBlock(&scope.getBodyRegion());
  b.setInsertionPointToStart(body);
  GatherEmitter(b, op, target).emit();
  memref::AllocaScopeReturnOp::create(b, ValueRange{});
  rewriter.eraseOp(op);
  return success();
}
