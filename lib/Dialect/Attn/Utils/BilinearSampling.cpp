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

/// A constant of `type` (scalar or splat vector).
static Value constant(OpBuilder &b, Location loc, Type type, double value) {
  Type elt = getElementTypeOrSelf(type);
  TypedAttr scalar = b.getFloatAttr(elt, value);
  if (auto vec = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, loc, vec,
                                     DenseElementsAttr::get(vec, scalar));
  return arith::ConstantOp::create(b, loc, scalar);
}

static Value intConstant(OpBuilder &b, Location loc, Type type,
                         int64_t value) {
  TypedAttr scalar = b.getIntegerAttr(getElementTypeOrSelf(type), value);
  if (auto vec = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, loc, vec,
                                     DenseElementsAttr::get(vec, scalar));
  return arith::ConstantOp::create(b, loc, scalar);
}

/// min(max(x, lo), hi) ignoring NaN (a NaN `x` becomes `lo`).
static Value clampF(OpBuilder &b, Location loc, Value x, double lo,
                    double hi) {
  Type type = x.getType();
  x = arith::MaxNumFOp::create(b, loc, x, constant(b, loc, type, lo));
  return arith::MinNumFOp::create(b, loc, x, constant(b, loc, type, hi));
}

BilinearAxis mlir::attn::buildBilinearAxis(OpBuilder &b, Location loc,
                                           Value coordinate, int64_t size,
                                           const SampleAxisMap &map,
                                           bool border) {
  Type fType = coordinate.getType();
  Type iType = shapedLike(coordinate, b.getI32Type());
  double sizeF = static_cast<double>(size);

  // |x| < inf is false for +-inf and NaN: such a sample contributes zero.
  Value finite = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OLT, math::AbsFOp::create(b, loc, coordinate),
      constant(b, loc, fType, std::numeric_limits<double>::infinity()));
  // Far coordinates sample outside the map (or its border) however far they
  // are; bounding them first keeps the pixel coordinate finite.
  Value x = clampF(b, loc, coordinate, -1e7, 1e7);
  Value pixel = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, constant(b, loc, fType, map.scale)),
      constant(b, loc, fType, map.bias));
  if (border)
    pixel = clampF(b, loc, pixel, 0.0, sizeF - 1.0);
  // Beyond [-1, size] both corners lie outside; [-2, size + 1] keeps that
  // and makes the conversion to i32 exact.
  pixel = clampF(b, loc, pixel, -2.0, sizeF + 1.0);
  Value floor = math::FloorOp::create(b, loc, pixel);
  Value weight1 = arith::SubFOp::create(b, loc, pixel, floor);
  Value weight0 = arith::SubFOp::create(b, loc, constant(b, loc, fType, 1.0),
                                        weight1);
  Value index0 = arith::FPToSIOp::create(b, loc, iType, floor);
  Value index1 =
      arith::AddIOp::create(b, loc, index0, intConstant(b, loc, iType, 1));

  Value zeroI = intConstant(b, loc, iType, 0);
  Value lastI = intConstant(b, loc, iType, size - 1);
  Value zeroF = constant(b, loc, fType, 0.0);
  auto inside = [&](Value index) {
    Value geZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                         index, zeroI);
    Value leLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle,
                                         index, lastI);
    Value both = arith::AndIOp::create(b, loc, geZero, leLast);
    return arith::AndIOp::create(b, loc, both, finite);
  };
  auto clampI = [&](Value index) {
    Value lo = arith::MaxSIOp::create(b, loc, index, zeroI);
    return arith::MinSIOp::create(b, loc, lo, lastI);
  };
  BilinearAxis axis;
  axis.weight0 = arith::SelectOp::create(b, loc, inside(index0), weight0, zeroF);
  axis.weight1 = arith::SelectOp::create(b, loc, inside(index1), weight1, zeroF);
  axis.index0 = clampI(index0);
  axis.index1 = clampI(index1);
  return axis;
}

BilinearCorners mlir::attn::buildBilinearCorners(
    OpBuilder &b, Location loc, Value x, Value y, int64_t height,
    int64_t width, int64_t start, bool unitRange, bool alignCorners,
    bool border, Value scale) {
  BilinearAxis ax = buildBilinearAxis(
      b, loc, x, width, SampleAxisMap::get(width, unitRange, alignCorners),
      border);
  BilinearAxis ay = buildBilinearAxis(
      b, loc, y, height, SampleAxisMap::get(height, unitRange, alignCorners),
      border);
  Type iType = ax.index0.getType();
  Value widthI = intConstant(b, loc, iType, width);
  Value startI = intConstant(b, loc, iType, start);
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
