//===- Scalar.cpp - scalar semantics of arith and math ops ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// One arith or math op on float64 scalars: integer wrap-around and
// signedness, IEEE comparisons and min/max, float rounding (Scalar.h).
//
//===----------------------------------------------------------------------===//

#include "Scalar.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn::reference;
using llvm::ArrayRef;
using llvm::SmallVector;

//===----------------------------------------------------------------------===//
// Integers
//===----------------------------------------------------------------------===//

/// Bit width of an integer or index type (64 for index).
static unsigned bitWidth(Type type) {
  Type e = getElementTypeOrSelf(type);
  if (auto intType = dyn_cast<IntegerType>(e))
    return intType.getWidth();
  return 64;
}

/// `v` truncated to `width` bits and read back as signed (0/1 for i1).
static int64_t wrapInt(uint64_t v, unsigned width) {
  if (width == 1)
    return static_cast<int64_t>(v & 1);
  if (width >= 64)
    return static_cast<int64_t>(v);
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t u = v & mask;
  if (u >> (width - 1))
    u |= ~mask;
  return static_cast<int64_t>(u);
}

/// The stored integer `v` as a signed value (i1 true is -1).
static int64_t asSigned(double v, unsigned width) {
  int64_t i = static_cast<int64_t>(v);
  return width == 1 ? -(i & 1) : i;
}

/// The stored integer `v` as an unsigned value of `width` bits.
static uint64_t asUnsigned(double v, unsigned width) {
  uint64_t u = static_cast<uint64_t>(static_cast<int64_t>(v));
  return width >= 64 ? u : u & ((uint64_t(1) << width) - 1);
}

/// Float to integer conversion toward zero, saturating; NaN gives 0 (the
/// result is poison in MLIR; the reference only needs to be defined).
static int64_t fpToInt(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 9.2233720368547758e18)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(std::trunc(v));
}

int64_t mlir::attn::reference::detail::floorDivInt(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0)))
    --q;
  return q;
}

int64_t mlir::attn::reference::detail::ceilDivInt(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) == (b < 0)))
    ++q;
  return q;
}

//===----------------------------------------------------------------------===//
// Floats
//===----------------------------------------------------------------------===//

double mlir::attn::reference::detail::roundToFloatType(double value,
                                                       Type type) {
  auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(type));
  if (!floatType || floatType.isF64())
    return value;
  llvm::APFloat f(value);
  bool losesInfo = false;
  f.convert(floatType.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return f.convertToDouble();
}

double mlir::attn::reference::detail::ieeeMaximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double mlir::attn::reference::detail::ieeeMinimum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/// `a pred b` for the ordered (O*) and unordered (U*) float predicates.
static bool compareFloat(arith::CmpFPredicate pred, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (pred) {
  case arith::CmpFPredicate::AlwaysFalse:
    return false;
  case arith::CmpFPredicate::OEQ:
    return !unordered && a == b;
  case arith::CmpFPredicate::OGT:
    return !unordered && a > b;
  case arith::CmpFPredicate::OGE:
    return !unordered && a >= b;
  case arith::CmpFPredicate::OLT:
    return !unordered && a < b;
  case arith::CmpFPredicate::OLE:
    return !unordered && a <= b;
  case arith::CmpFPredicate::ONE:
    return !unordered && a != b;
  case arith::CmpFPredicate::ORD:
    return !unordered;
  case arith::CmpFPredicate::UEQ:
    return unordered || a == b;
  case arith::CmpFPredicate::UGT:
    return unordered || a > b;
  case arith::CmpFPredicate::UGE:
    return unordered || a >= b;
  case arith::CmpFPredicate::ULT:
    return unordered || a < b;
  case arith::CmpFPredicate::ULE:
    return unordered || a <= b;
  case arith::CmpFPredicate::UNE:
    return unordered || a != b;
  case arith::CmpFPredicate::UNO:
    return unordered;
  case arith::CmpFPredicate::AlwaysTrue:
    return true;
  }
  return false;
}

/// `a pred b` for the integer predicates, reading the stored values as
/// `width`-bit signed or unsigned integers as the predicate says.
static bool compareInt(arith::CmpIPredicate pred, double a, double b,
                       unsigned width) {
  int64_t sa = asSigned(a, width), sb = asSigned(b, width);
  uint64_t ua = asUnsigned(a, width), ub = asUnsigned(b, width);
  switch (pred) {
  case arith::CmpIPredicate::eq:
    return ua == ub;
  case arith::CmpIPredicate::ne:
    return ua != ub;
  case arith::CmpIPredicate::slt:
    return sa < sb;
  case arith::CmpIPredicate::sle:
    return sa <= sb;
  case arith::CmpIPredicate::sgt:
    return sa > sb;
  case arith::CmpIPredicate::sge:
    return sa >= sb;
  case arith::CmpIPredicate::ult:
    return ua < ub;
  case arith::CmpIPredicate::ule:
    return ua <= ub;
  case arith::CmpIPredicate::ugt:
    return ua > ub;
  case arith::CmpIPredicate::uge:
    return ua >= ub;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

std::optional<double>
mlir::attn::reference::detail::scalarConstant(Attribute attr) {
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (i.getType().isInteger(1))
      return i.getValue().isZero() ? 0.0 : 1.0;
    return static_cast<double>(i.getValue().getSExtValue());
  }
  return std::nullopt;
}

std::optional<double>
mlir::attn::reference::detail::evalScalar(Operation *op, ArrayRef<double> x) {
  using Result = std::optional<double>;
  Type resultType =
      op->getNumResults() == 1 ? op->getResult(0).getType() : Type();
  unsigned width = resultType ? bitWidth(resultType) : 64;
  auto intResult = [&](uint64_t v) -> Result {
    return static_cast<double>(wrapInt(v, width));
  };
  auto u = [](double v) { return static_cast<uint64_t>(fpToInt(v)); };
  auto srcWidth = [&]() { return bitWidth(op->getOperand(0).getType()); };
  return llvm::TypeSwitch<Operation *, Result>(op)
      // Floating point.
      .Case([&](arith::AddFOp) -> Result { return x[0] + x[1]; })
      .Case([&](arith::SubFOp) -> Result { return x[0] - x[1]; })
      .Case([&](arith::MulFOp) -> Result { return x[0] * x[1]; })
      .Case([&](arith::DivFOp) -> Result { return x[0] / x[1]; })
      .Case([&](arith::RemFOp) -> Result { return std::fmod(x[0], x[1]); })
      .Case([&](arith::NegFOp) -> Result { return -x[0]; })
      .Case(
          [&](arith::MaximumFOp) -> Result { return ieeeMaximum(x[0], x[1]); })
      .Case(
          [&](arith::MinimumFOp) -> Result { return ieeeMinimum(x[0], x[1]); })
      .Case([&](arith::MaxNumFOp) -> Result { return std::fmax(x[0], x[1]); })
      .Case([&](arith::MinNumFOp) -> Result { return std::fmin(x[0], x[1]); })
      .Case([&](arith::CmpFOp cmp) -> Result {
        return compareFloat(cmp.getPredicate(), x[0], x[1]) ? 1.0 : 0.0;
      })
      .Case([&](arith::SelectOp) -> Result { return x[0] != 0 ? x[1] : x[2]; })
      .Case([&](arith::ExtFOp) -> Result { return x[0]; })
      .Case([&](arith::TruncFOp) -> Result {
        return roundToFloatType(x[0], resultType);
      })
      .Case([&](arith::SIToFPOp) -> Result {
        return roundToFloatType(static_cast<double>(asSigned(x[0], srcWidth())),
                                resultType);
      })
      .Case([&](arith::UIToFPOp) -> Result {
        return roundToFloatType(
            static_cast<double>(asUnsigned(x[0], srcWidth())), resultType);
      })
      .Case([&](arith::FPToSIOp) -> Result {
        return intResult(static_cast<uint64_t>(fpToInt(x[0])));
      })
      .Case([&](arith::FPToUIOp) -> Result {
        return intResult(static_cast<uint64_t>(fpToInt(x[0])));
      })
      // Integer and index.
      .Case(
          [&](arith::AddIOp) -> Result { return intResult(u(x[0]) + u(x[1])); })
      .Case(
          [&](arith::SubIOp) -> Result { return intResult(u(x[0]) - u(x[1])); })
      .Case(
          [&](arith::MulIOp) -> Result { return intResult(u(x[0]) * u(x[1])); })
      .Case(
          [&](arith::AndIOp) -> Result { return intResult(u(x[0]) & u(x[1])); })
      .Case(
          [&](arith::OrIOp) -> Result { return intResult(u(x[0]) | u(x[1])); })
      .Case(
          [&](arith::XOrIOp) -> Result { return intResult(u(x[0]) ^ u(x[1])); })
      .Case([&](arith::DivSIOp) -> Result {
        int64_t a = asSigned(x[0], width), b = asSigned(x[1], width);
        return intResult(b == 0 ? 0 : static_cast<uint64_t>(a / b));
      })
      .Case([&](arith::RemSIOp) -> Result {
        int64_t a = asSigned(x[0], width), b = asSigned(x[1], width);
        return intResult(b == 0 ? 0 : static_cast<uint64_t>(a % b));
      })
      .Case([&](arith::DivUIOp) -> Result {
        uint64_t a = asUnsigned(x[0], width), b = asUnsigned(x[1], width);
        return intResult(b == 0 ? 0 : a / b);
      })
      .Case([&](arith::RemUIOp) -> Result {
        uint64_t a = asUnsigned(x[0], width), b = asUnsigned(x[1], width);
        return intResult(b == 0 ? 0 : a % b);
      })
      .Case([&](arith::FloorDivSIOp) -> Result {
        return intResult(static_cast<uint64_t>(
            floorDivInt(asSigned(x[0], width), asSigned(x[1], width))));
      })
      .Case([&](arith::CeilDivSIOp) -> Result {
        return intResult(static_cast<uint64_t>(
            ceilDivInt(asSigned(x[0], width), asSigned(x[1], width))));
      })
      .Case([&](arith::MaxSIOp) -> Result {
        return static_cast<double>(
            std::max(asSigned(x[0], width), asSigned(x[1], width)));
      })
      .Case([&](arith::MinSIOp) -> Result {
        return static_cast<double>(
            std::min(asSigned(x[0], width), asSigned(x[1], width)));
      })
      .Case([&](arith::CmpIOp cmp) -> Result {
        return compareInt(cmp.getPredicate(), x[0], x[1],
                          bitWidth(cmp.getLhs().getType()))
                   ? 1.0
                   : 0.0;
      })
      .Case<arith::IndexCastOp, arith::ExtSIOp, arith::TruncIOp>(
          [&](Operation *) -> Result {
            return intResult(static_cast<uint64_t>(asSigned(x[0], srcWidth())));
          })
      .Case<arith::IndexCastUIOp, arith::ExtUIOp>([&](Operation *) -> Result {
        return intResult(asUnsigned(x[0], srcWidth()));
      })
      // Math.
      .Case([&](math::ExpOp) -> Result { return std::exp(x[0]); })
      .Case([&](math::Exp2Op) -> Result { return std::exp2(x[0]); })
      .Case([&](math::ExpM1Op) -> Result { return std::expm1(x[0]); })
      .Case([&](math::LogOp) -> Result { return std::log(x[0]); })
      .Case([&](math::Log2Op) -> Result { return std::log2(x[0]); })
      .Case([&](math::Log1pOp) -> Result { return std::log1p(x[0]); })
      .Case([&](math::TanhOp) -> Result { return std::tanh(x[0]); })
      .Case([&](math::SqrtOp) -> Result { return std::sqrt(x[0]); })
      .Case([&](math::RsqrtOp) -> Result { return 1.0 / std::sqrt(x[0]); })
      .Case([&](math::AbsFOp) -> Result { return std::fabs(x[0]); })
      .Case([&](math::PowFOp) -> Result { return std::pow(x[0], x[1]); })
      .Case([&](math::FmaOp) -> Result { return x[0] * x[1] + x[2]; })
      .Case([&](math::ErfOp) -> Result { return std::erf(x[0]); })
      .Case([&](math::SinOp) -> Result { return std::sin(x[0]); })
      .Case([&](math::CosOp) -> Result { return std::cos(x[0]); })
      .Case([&](math::FloorOp) -> Result { return std::floor(x[0]); })
      .Case([&](math::CeilOp) -> Result { return std::ceil(x[0]); })
      .Case(
          [&](math::CopySignOp) -> Result { return std::copysign(x[0], x[1]); })
      .Default([](Operation *) -> Result { return std::nullopt; });
}

bool mlir::attn::reference::detail::isScalarOp(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return false;
  SmallVector<double> zeros(op->getNumOperands(), 0.0);
  return evalScalar(op, zeros).has_value();
}
