//===- AggregatedOpInterfaceImpl.cpp - decompose the online forms -*- C++ -*-//
//
// Part of the attn-mlir project.
//
// The portable lowering of the tiled forms (as IREE's
// OnlineAttentionOp/AttentionOp decompositions do):
//
// - `attn.online_attention` becomes `attn.partial_attention` over all its
//   keys on a fresh state (acc = 0, max = -inf, sum = 0), followed by the
//   normalization acc / sum. Tiling the partial op's key dimension (see
//   -attn-decompose) turns it into the FlashAttention loop over key blocks.
// - `attn.partial_attention` becomes one online-softmax step in linalg over
//   the keys of its (tiled) range:
//
//     S  = Q K^T                                   (f32 accumulation)
//     S' = visible ? cap(scale * S) + bias : -inf  (window, chunk, mask)
//     m' = max(m, rowmax(S'));  a = exp(m - m'_0);  P = exp(S' - m'_0)
//     l' = a l + rowsum(P);     acc' = a acc + P V
//
// The visibility and the online-softmax algebra come from the shared
// builders (AttentionGeometry, OnlineSoftmax) that the CPU kernel uses too.
//
// - `attn.bilinear_gather` becomes one `linalg.generic` per level over
//   `(n, q, m, p, d)` (points a reduction) whose payload computes the four
//   corners with the shared BilinearSampling builder and gathers them with
//   `tensor.extract`, accumulating in f32.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"
#include "attn/Dialect/Attn/Utils/BilinearSampling.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// An f32 tensor.empty of `sizes`.
static Value emptyF32(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
}

static Value fillF32(OpBuilder &b, Location loc, Value init, double v) {
  Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

static Value toF32(OpBuilder &b, Location loc, Value x) {
  if (x.getType().isF32())
    return x;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
}

/// A linalg.generic with `ins`, `outs`, maps and iterators; `body` gets the
/// block arguments and returns the values to yield.
static ValueRange
generic(OpBuilder &b, Location loc, ValueRange ins, ValueRange outs,
        ArrayRef<AffineMap> maps, ArrayRef<utils::IteratorType> iterators,
        function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
            body) {
  return linalg::GenericOp::create(
             b, loc, outs.getTypes(), ins, outs, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args));
             })
      ->getResults();
}

FailureOr<SmallVector<Value>>
OnlineAttentionOp::decomposeOperation(OpBuilder &b) {
  if (getNumResults() != 1)
    return emitOpError("decomposition needs tensor semantics");
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  auto mixed = [&](Value x, int64_t d) {
    return tensor::getMixedSize(b, loc, x, d);
  };
  SmallVector<OpFoldResult> rows = {mixed(getQuery(), 0), mixed(getQuery(), 1),
                                    mixed(getQuery(), 2)};
  SmallVector<OpFoldResult> accSizes = rows;
  accSizes.push_back(mixed(getValue(), 3));
  Value acc = fillF32(b, loc, emptyF32(b, loc, accSizes), 0.0);
  Value max = fillF32(b, loc, emptyF32(b, loc, rows), kNegInf);
  Value sum = fillF32(b, loc, emptyF32(b, loc, rows), 0.0);
  Value keyOffset = arith::ConstantIndexOp::create(b, loc, 0);
  auto partial = PartialAttentionOp::create(
      b, loc, TypeRange{acc.getType(), max.getType(), sum.getType()},
      getQuery(), getKey(), getValue(), getMask(), getQueryOffset(), keyOffset,
      acc, max, sum, getScaleAttr(), getSoftcapAttr(), getWindowLeftAttr(),
      getWindowRightAttr(), getChunkAttr());

  // output = acc / sum (0 where sum == 0), in the output element type.
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  AffineMap id4 = AffineMap::get(4, 0, {d0, d1, d2, d3}, ctx);
  AffineMap rows4 = AffineMap::get(4, 0, {d0, d1, d2}, ctx);
  Type outElt = getOutputType().getElementType();
  Value result =
      generic(b, loc, ValueRange{partial.getResult()[0], partial.getResult()[2]},
              ValueRange{getOutput()}, {id4, rows4, id4},
              SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
                OnlineSoftmax softmax(nb, nl, OnlineSoftmax::mathExp2);
                Value o = softmax.normalize(a[0], a[1]);
                if (!outElt.isF32())
                  o = arith::TruncFOp::create(nb, nl, outElt, o);
                return {o};
              })[0];
  return SmallVector<Value>{result};
}

FailureOr<SmallVector<Value>>
PartialAttentionOp::decomposeOperation(OpBuilder &b) {
  if (getNumResults() != 3)
    return emitOpError("decomposition needs tensor semantics");
  ShapedType qType = getQueryType(), kType = getKeyType();
  if (qType.isDynamicDim(1) || kType.isDynamicDim(1) ||
      kType.getDimSize(1) == 0 ||
      qType.getDimSize(1) % kType.getDimSize(1) != 0)
    return emitOpError("decomposition needs static head counts with Hq a "
                       "multiple of Hkv; tile the head dimension first");
  int64_t group = qType.getDimSize(1) / kType.getDimSize(1);
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  Value q = getQuery(), k = getKey(), v = getValue(), mask = getMask();
  auto mixed = [&](Value x, int64_t d) {
    return tensor::getMixedSize(b, loc, x, d);
  };
  OpFoldResult bSz = mixed(q, 0), hSz = mixed(q, 1), lqSz = mixed(q, 2),
               lkSz = mixed(k, 2);

  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  auto map5 = [&](ArrayRef<AffineExpr> r) { return AffineMap::get(5, 0, r, ctx); };
  auto map4 = [&](ArrayRef<AffineExpr> r) { return AffineMap::get(4, 0, r, ctx); };
  AffineMap id4 = map4({d0, d1, d2, d3});
  AffineMap rows4 = map4({d0, d1, d2});
  AffineMap id3 = AffineMap::get(3, 0, {d0, d1, d2}, ctx);
  // Query head h reads KV head h / G (GQA without copies).
  AffineExpr kvh5 = group == 1 ? d1 : d1.floorDiv(group);

  // S[b, h, i, j] = sum_d Q[b, h, i, d] * K[b, h / G, j, d].
  Value s = fillF32(b, loc, emptyF32(b, loc, {bSz, hSz, lqSz, lkSz}), 0.0);
  s = generic(b, loc, ValueRange{q, k}, ValueRange{s},
              {map5({d0, d1, d2, d4}), map5({d0, kvh5, d3, d4}),
               map5({d0, d1, d2, d3})},
              {par, par, par, par, red},
              [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
                Value prod = arith::MulFOp::create(nb, nl, toF32(nb, nl, a[0]),
                                                   toF32(nb, nl, a[1]));
                return {arith::AddFOp::create(nb, nl, a[2], prod)};
              })[0];

  // S' = visible ? cap(scale * S) + bias : -inf.
  SmallVector<Value> ins = {s};
  SmallVector<AffineMap> maps = {id4};
  bool maskIsBias = false;
  // Dynamic mask dims 0 and 1 broadcast when they are 1 at run time, which
  // no indexing map can say: the payload then reads the mask with
  // tensor.extract at index 0 along such a dim.
  bool maskExtract = false;
  if (mask) {
    auto mType = cast<ShapedType>(mask.getType());
    maskIsBias = isa<FloatType>(mType.getElementType());
    bool bcastB = !mType.isDynamicDim(0) && mType.getDimSize(0) == 1;
    bool bcastH = !mType.isDynamicDim(1) && mType.getDimSize(1) == 1;
    maskExtract = mType.isDynamicDim(0) || mType.isDynamicDim(1);
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    if (!maskExtract) {
      ins.push_back(mask);
      maps.push_back(map4({bcastB ? zero : d0, bcastH ? zero : d1, d2, d3}));
    }
  }
  // The mask element of the payload's iteration point.
  auto maskElement = [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    if (!maskExtract)
      return a[1];
    auto mType = cast<ShapedType>(mask.getType());
    SmallVector<Value> at;
    for (int64_t d = 0; d < 4; ++d) {
      Value i = linalg::IndexOp::create(nb, nl, d);
      if (d < 2 && mType.getDimSize(d) == 1) {
        i = arith::ConstantIndexOp::create(nb, nl, 0);
      } else if (d < 2 && mType.isDynamicDim(d)) {
        Value unit =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                  tensor::DimOp::create(nb, nl, mask, d),
                                  arith::ConstantIndexOp::create(nb, nl, 1));
        i = arith::SelectOp::create(
            nb, nl, unit, arith::ConstantIndexOp::create(nb, nl, 0), i);
      }
      at.push_back(i);
    }
    return tensor::ExtractOp::create(nb, nl, mask, at);
  };
  maps.push_back(id4);
  // The scale: the attribute, or 1/sqrt(D) of the run-time D.
  Value scale;
  if (std::optional<double> staticScale = getStaticScale()) {
    scale = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(*staticScale));
  } else {
    Value dim = tensor::DimOp::create(b, loc, k, 3);
    Value dimF = arith::UIToFPOp::create(
        b, loc, b.getF32Type(),
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(), dim));
    scale = math::RsqrtOp::create(b, loc, dimF);
  }
  std::optional<double> softcap;
  if (FloatAttr cap = getSoftcapAttr())
    softcap = cap.getValueAsDouble();
  AttentionGeometry geometry = AttentionGeometry::get(*this);
  Value queryOffset = getQueryOffset(), keyOffset = getKeyOffset();
  Value masked =
      generic(b, loc, ins, ValueRange{emptyF32(b, loc, {bSz, hSz, lqSz, lkSz})},
              maps, {par, par, par, par},
              [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
                auto cst = [&](double x) {
                  return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(x));
                };
                Value x = arith::MulFOp::create(nb, nl, a[0], scale);
                if (softcap) {
                  Value t = math::TanhOp::create(
                      nb, nl, arith::MulFOp::create(nb, nl, x, cst(1.0 / *softcap)));
                  x = arith::MulFOp::create(nb, nl, t, cst(*softcap));
                }
                Value pos = arith::AddIOp::create(
                    nb, nl, queryOffset, linalg::IndexOp::create(nb, nl, 2));
                Value key = arith::AddIOp::create(
                    nb, nl, keyOffset, linalg::IndexOp::create(nb, nl, 3));
                Value vis = geometry.emitIsVisible(nb, nl, pos, key);
                if (mask && maskIsBias) {
                  x = arith::AddFOp::create(
                      nb, nl, x, toF32(nb, nl, maskElement(nb, nl, a)));
                } else if (mask) {
                  Value m = maskElement(nb, nl, a);
                  Value zero = arith::ConstantOp::create(
                      nb, nl, nb.getIntegerAttr(m.getType(), 0));
                  vis = arith::AndIOp::create(
                      nb, nl, vis,
                      arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne, m,
                                            zero));
                }
                return {arith::SelectOp::create(nb, nl, vis, x, cst(kNegInf))};
              })[0];

  // Block row max, then m' = max(m, block max) and a = exp(m - m'_0).
  Value rowInit = emptyF32(b, loc, {bSz, hSz, lqSz});
  Value blockMax =
      generic(b, loc, ValueRange{masked},
              ValueRange{fillF32(b, loc, rowInit, kNegInf)}, {id4, rows4},
              {par, par, par, red},
              [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
                return {OnlineSoftmax(nb, nl, OnlineSoftmax::mathExp2)
                            .max(a[0], a[1])};
              })[0];
  // The state is updated in place (destination-passing: the results are
  // the `max`, `sum` and `acc` destinations), so that a loop over key
  // blocks carrying them bufferizes without copies.
  ValueRange maxAlpha = generic(
      b, loc, ValueRange{blockMax},
      ValueRange{getMax(), emptyF32(b, loc, {bSz, hSz, lqSz})},
      {id3, id3, id3}, {par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        OnlineSoftmax softmax(nb, nl, OnlineSoftmax::mathExp2);
        Value mNew = softmax.updateMax(a[1], a[0]);
        return {mNew, softmax.rescale(a[1], softmax.safeMax(mNew))};
      });
  Value mNew = maxAlpha[0], alpha = maxAlpha[1];

  // P = exp(S' - m'_0).
  Value p = generic(
      b, loc, ValueRange{masked, mNew},
      ValueRange{emptyF32(b, loc, {bSz, hSz, lqSz, lkSz})}, {id4, rows4, id4},
      {par, par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        OnlineSoftmax softmax(nb, nl, OnlineSoftmax::mathExp2);
        return {softmax.exp(a[0], softmax.expOffset(softmax.safeMax(a[1])))};
      })[0];

  // l' = a l + rowsum(P): the rescaled sum, then the block's terms.
  Value lScaled = generic(
      b, loc, ValueRange{alpha}, ValueRange{getSum()}, {id3, id3},
      {par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        return {arith::MulFOp::create(nb, nl, a[1], a[0])};
      })[0];
  Value lNew = generic(
      b, loc, ValueRange{p}, ValueRange{lScaled}, {id4, rows4},
      {par, par, par, red},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        return {arith::AddFOp::create(nb, nl, a[1], a[0])};
      })[0];

  // acc' = a acc + P V.
  Value accScaled = generic(
      b, loc, ValueRange{alpha}, ValueRange{getAcc()}, {rows4, id4},
      {par, par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        return {arith::MulFOp::create(nb, nl, a[1], a[0])};
      })[0];
  Value accNew = generic(
      b, loc, ValueRange{p, v}, ValueRange{accScaled},
      {map5({d0, d1, d2, d4}), map5({d0, kvh5, d4, d3}), map5({d0, d1, d2, d3})},
      {par, par, par, par, red},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        Value prod = arith::MulFOp::create(nb, nl, a[0], toF32(nb, nl, a[1]));
        return {arith::AddFOp::create(nb, nl, a[2], prod)};
      })[0];
  return SmallVector<Value>{accNew, mNew, lNew};
}

FailureOr<SmallVector<Value>>
BilinearGatherOp::decomposeOperation(OpBuilder &b) {
  if (getNumResults() != 1)
    return emitOpError("decomposition needs tensor semantics");
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  Value value = getValue(), locations = getLocations(), weights = getWeights();
  Value output = getOutput();
  auto outType = cast<RankedTensorType>(output.getType());
  bool f32Out = outType.getElementType().isF32();
  // The f32 accumulator: the destination itself for f32 results.
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < 4; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, output, d));
  Value acc = fillF32(b, loc, f32Out ? output : emptyF32(b, loc, sizes), 0.0);

  // (n, q, m, p, d): points are a reduction; level l is a constant.
  AffineExpr n, q, m, p, d;
  bindDims(ctx, n, q, m, p, d);
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators[3] = utils::IteratorType::reduction;
  bool unit = getCoordinates() == Coordinates::unit;
  bool border = getPaddingMode() == PaddingMode::border;
  for (int64_t l = 0, e = getNumLevels(); l < e; ++l) {
    AffineExpr lc = getAffineConstantExpr(l, ctx);
    SmallVector<Value> ins = {locations, locations};
    SmallVector<AffineMap> maps = {
        AffineMap::get(5, 0, {n, q, m, lc, p, getAffineConstantExpr(0, ctx)},
                       ctx),
        AffineMap::get(5, 0, {n, q, m, lc, p, getAffineConstantExpr(1, ctx)},
                       ctx)};
    if (weights) {
      ins.push_back(weights);
      maps.push_back(AffineMap::get(5, 0, {n, q, m, lc, p}, ctx));
    }
    maps.push_back(AffineMap::get(5, 0, {n, q, m, d}, ctx));
    int64_t height = getLevelHeight(l), width = getLevelWidth(l),
            start = getLevelStart(l);
    acc = generic(
        b, loc, ins, acc, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
          Value scale = weights ? toF32(nb, nl, args[2]) : Value();
          BilinearCorners corners = buildBilinearCorners(
              nb, nl, toF32(nb, nl, args[0]), toF32(nb, nl, args[1]),
              SampleMap{height, width, start}, unit, getAlignCorners(),
              border, scale);
          Value ni = linalg::IndexOp::create(nb, nl, 0);
          Value mi = linalg::IndexOp::create(nb, nl, 2);
          Value di = linalg::IndexOp::create(nb, nl, 4);
          Value sum = args.back();
          for (int k = 0; k < 4; ++k) {
            Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(),
                                                   corners.rows[k]);
            Value v = tensor::ExtractOp::create(nb, nl, value,
                                                ValueRange{ni, row, mi, di});
            sum = math::FmaOp::create(nb, nl, corners.weights[k],
                                      toF32(nb, nl, v), sum);
          }
          return {sum};
        })[0];
  }
  if (f32Out)
    return SmallVector<Value>{acc};
  AffineMap id = b.getMultiDimIdentityMap(4);
  Value result = generic(
      b, loc, acc, output, {id, id},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) -> SmallVector<Value> {
        return {arith::TruncFOp::create(nb, nl, outType.getElementType(),
                                        args[0])};
      })[0];
  return SmallVector<Value>{result};
}
