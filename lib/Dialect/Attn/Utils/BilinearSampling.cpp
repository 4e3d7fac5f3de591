//===- BilinearSampling.cpp - bilinear corner math as IR --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Utils/BilinearSampling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

SampleAxisMap SampleAxisMap::get(int64_t size, bool unitRange,
                                 bool alignCorners) {
  double n = static_cast<double>(size);
  if (unitRange)
    return {n, -0.5};
  if (alignCorners)
    return {(n - 1.0) / 2.0, (n - 1.0) / 2.0};
  return {n / 2.0, (n - 1.0) / 2.0};
}

/// `elementType` shaped like `like` (the same vector shape, or scalar).
static Type shapedLike(Value like, Type elementType) {
  if (auto vec = dyn_cast<VectorType>(like.getType()))
    return vec.clone(elementType);
  return elementType;
}

/// A constant of `type` (scalar or vector) holding `values`: one value for
/// every lane, or one per lane of a vector.
template <typename T>
static Value laneConstant(OpBuilder &b, Location loc, Type type,
                          ArrayRef<T> values) {
  Type elt = getElementTypeOrSelf(type);
  auto attr = [&](T v) -> Attribute {
    if (isa<FloatType>(elt))
      return b.getFloatAttr(elt, static_cast<double>(v));
    return b.getIntegerAttr(elt, static_cast<int64_t>(v));
  };
  auto vec = dyn_cast<VectorType>(type);
  if (!vec)
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr(values[0])));
  SmallVector<Attribute> lanes;
  for (int64_t i = 0, e = vec.getNumElements(); i < e; ++i)
    lanes.push_back(attr(values.size() == 1 ? values[0] : values[i]));
  return arith::ConstantOp::create(b, loc, vec,
                                   DenseElementsAttr::get(vec, lanes));
}

static Value constant(OpBuilder &b, Location loc, Type type, double value) {
  return laneConstant<double>(b, loc, type, {value});
}

/// min(max(x, lo), hi) ignoring NaN (a NaN `x` becomes `lo`).
static Value clampF(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  x = arith::MaxNumFOp::create(b, loc, x, lo);
  return arith::MinNumFOp::create(b, loc, x, hi);
}

BilinearAxis mlir::attn::buildBilinearAxis(OpBuilder &b, Location loc,
                                           Value coordinate,
                                           ArrayRef<int64_t> sizes,
                                           bool unitRange, bool alignCorners,
                                           bool border) {
  Type fType = coordinate.getType();
  Type iType = shapedLike(coordinate, b.getI32Type());
  // Per-lane constants of the sizes.
  SmallVector<double> scale, bias, last, far;
  SmallVector<int64_t> lastI;
  for (int64_t size : sizes) {
    SampleAxisMap map = SampleAxisMap::get(size, unitRange, alignCorners);
    scale.push_back(map.scale);
    bias.push_back(map.bias);
    last.push_back(static_cast<double>(size - 1));
    far.push_back(static_cast<double>(size + 1));
    lastI.push_back(size - 1);
  }
  auto lanes = [&](ArrayRef<double> v) {
    return laneConstant<double>(b, loc, fType, v);
  };

  // |x| < inf is false for +-inf and NaN: such a sample contributes zero.
  Value finite = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OLT, math::AbsFOp::create(b, loc, coordinate),
      constant(b, loc, fType, std::numeric_limits<double>::infinity()));
  // Far coordinates sample outside the map (or its border) however far they
  // are; bounding them first keeps the pixel coordinate finite.
  Value x = clampF(b, loc, coordinate, constant(b, loc, fType, -1e7),
                   constant(b, loc, fType, 1e7));
  Value pixel = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, lanes(scale)), lanes(bias));
  if (border)
    pixel = clampF(b, loc, pixel, constant(b, loc, fType, 0.0), lanes(last));
  // Beyond [-1, size] both corners lie outside; [-2, size + 1] keeps that
  // and makes the conversion to i32 exact.
  pixel = clampF(b, loc, pixel, constant(b, loc, fType, -2.0), lanes(far));
  Value floor = math::FloorOp::create(b, loc, pixel);
  Value weight1 = arith::SubFOp::create(b, loc, pixel, floor);
  Value weight0 = arith::SubFOp::create(b, loc, constant(b, loc, fType, 1.0),
                                        weight1);
  Value index0 = arith::FPToSIOp::create(b, loc, iType, floor);
  Value index1 = arith::AddIOp::create(
      b, loc, index0, laneConstant<int64_t>(b, loc, iType, {1}));

  Value zeroI = laneConstant<int64_t>(b, loc, iType, {0});
  Value lastIndex = laneConstant<int64_t>(b, loc, iType, lastI);
  Value zeroF = constant(b, loc, fType, 0.0);
  auto inside = [&](Value index) {
    Value geZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                         index, zeroI);
    Value leLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                         index, lastIndex);
    Value both = arith::AndIOp::create(b, loc, geZero, leLast);
    return arith::AndIOp::create(b, loc, both, finite);
  };
  auto clampI = [&](Value index) {
    Value lo = arith::MaxSIOp::create(b, loc, index, zeroI);
    return arith::MinSIOp::create(b, loc, lo, lastIndex);
  };
  BilinearAxis axis;
  axis.weight0 = arith::SelectOp::create(b, loc, inside(index0), weight0, zeroF);
  axis.weight1 = arith::SelectOp::create(b, loc, inside(index1), weight1, zeroF);
  axis.index0 = clampI(index0);
  axis.index1 = clampI(index1);
  return axis;
}

BilinearCorners mlir::attn::buildBilinearCorners(
    OpBuilder &b, Location loc, Value x, Value y, ArrayRef<SampleMap> maps,
    bool unitRange, bool alignCorners, bool border, Value scale) {
  SmallVector<int64_t> heights, widths, starts;
  for (const SampleMap &map : maps) {
    heights.push_back(map.height);
    widths.push_back(map.width);
    starts.push_back(map.start);
  }
  BilinearAxis ax =
      buildBilinearAxis(b, loc, x, widths, unitRange, alignCorners, border);
  BilinearAxis ay =
      buildBilinearAxis(b, loc, y, heights, unitRange, alignCorners, border);
  Type iType = ax.index0.getType();
  Value widthI = laneConstant<int64_t>(b, loc, iType, widths);
  Value startI = laneConstant<int64_t>(b, loc, iType, starts);
  BilinearCorners corners;
  int k = 0;
  for (auto [yIndex, yWeight] :
       {std::pair{ay.index0, ay.weight0}, std::pair{ay.index1, ay.weight1}}) {
    // start + y * width, shared by the two corners of this row.
    Value rowStart = arith::AddIOp::create(
        b, loc, startI, arith::MulIOp::create(b, loc, yIndex, widthI));
    Value rowWeight = scale ? arith::MulFOp::create(b, loc, yWeight, scale)
                            : yWeight;
    for (auto [xIndex, xWeight] :
         {std::pair{ax.index0, ax.weight0}, std::pair{ax.index1, ax.weight1}}) {
      corners.rows[k] = arith::AddIOp::create(b, loc, rowStart, xIndex);
      corners.weights[k] = arith::MulFOp::create(b, loc, rowWeight, xWeight);
      ++k;
    }
  }
  return corners;
}
