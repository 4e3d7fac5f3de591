//===- Interpreter.cpp - evaluate a func.func in float64 --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// `evaluate`: walks the single block of a `func.func` in order, keeping a map
// from SSA values to host tensors (and to scalars for `index`, integer and
// float values), and computes every op in float64: the `attn` ops through the
// functions of Ops.cpp, and the upstream ops a front end emits around them
// (arith/math elementwise ops, tensor reshapes, linalg structured ops by
// interpreting their payload region point by point, linalg.softmax).
// The walk is iterative; nothing recurses on the IR.
//
//===----------------------------------------------------------------------===//

#include "Detail.h"

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;
using llvm::Error;
using llvm::Expected;
using mlir::attn::reference::detail::formatShape;
using mlir::attn::reference::detail::makeError;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The textual form of an IR entity (type, attribute), for messages.
template <typename T> static std::string print(T entity) {
  std::string s;
  llvm::raw_string_ostream os(s);
  entity.print(os);
  return s;
}

/// `'attn.attention'`.
static std::string opName(Operation *op) {
  return "'" + op->getName().getStringRef().str() + "'";
}

/// Rewraps `err` (from the shape checks) so that it names `op`.
static Error atOp(Operation *op, Error err) {
  std::string msg = llvm::toString(std::move(err));
  StringRef rest(msg);
  rest.consume_front("reference evaluator: ");
  return makeError(opName(op) + ": " + rest);
}

static Error unsupported(Operation *op) {
  return makeError("unsupported op " + opName(op));
}

/// The element kind of a tensor (or scalar) type.
static Expected<ElementKind> kindOf(Type type) {
  Type e = getElementTypeOrSelf(type);
  if (e.isF32())
    return ElementKind::F32;
  if (e.isF16())
    return ElementKind::F16;
  if (e.isBF16())
    return ElementKind::BF16;
  if (e.isInteger(1))
    return ElementKind::I1;
  return makeError("unsupported element type " + print(e) + " in " +
                   print(type) + " (expected f32, f16, bf16 or i1)");
}

/// Rounds `value` to the float type `type` (round to nearest even).
static double roundToFloatType(double value, Type type) {
  auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(type));
  if (!floatType || floatType.isF64())
    return value;
  llvm::APFloat f(value);
  bool losesInfo = false;
  f.convert(floatType.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return f.convertToDouble();
}

//===----------------------------------------------------------------------===//
// Scalar semantics of arith and math ops
//===----------------------------------------------------------------------===//
//
// Every value is a double. Integers (and `index`) hold their signed value,
// except `i1`, which holds 0 or 1; integers are exact up to 2^53.

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

/// IEEE maximum/minimum of arith.maximumf/minimumf: NaN propagates, and
/// -0 < +0.
static double ieeeMaximum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
static double ieeeMinimum(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

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

/// floor(a / b) and ceil(a / b) on signed integers; 0 when b == 0 (UB in
/// MLIR).
static int64_t floorDivInt(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0)))
    --q;
  return q;
}
static int64_t ceilDivInt(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) == (b < 0)))
    ++q;
  return q;
}

/// The value of a scalar `arith.constant` attribute.
static std::optional<double> scalarConstant(Attribute attr) {
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (i.getType().isInteger(1))
      return i.getValue().isZero() ? 0.0 : 1.0;
    return static_cast<double>(i.getValue().getSExtValue());
  }
  return std::nullopt;
}

/// Evaluates the scalar op `op` (one result) on operand values `x`, or
/// returns std::nullopt when `op` is not a supported scalar op. The result
/// does not depend on anything but `op` and `x`, so a call with zeros tells
/// whether `op` is supported.
static std::optional<double> evalScalar(Operation *op, ArrayRef<double> x) {
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

/// Whether `op` is a scalar op that evalScalar knows.
static bool isScalarOp(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0)
    return false;
  SmallVector<double> zeros(op->getNumOperands(), 0.0);
  return evalScalar(op, zeros).has_value();
}

//===----------------------------------------------------------------------===//
// Affine maps
//===----------------------------------------------------------------------===//

/// Evaluates `expr` at loop indices `dims`, iteratively (post-order with an
/// explicit stack). Fails on symbols and non-positive divisors.
static Expected<int64_t> evalAffine(AffineExpr expr, ArrayRef<int64_t> dims) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dims[dim.getPosition()];
  if (auto cst = dyn_cast<AffineConstantExpr>(expr))
    return cst.getValue();
  SmallVector<std::pair<AffineExpr, bool>> stack = {{expr, false}};
  SmallVector<int64_t> values;
  while (!stack.empty()) {
    auto [e, expanded] = stack.pop_back_val();
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      values.push_back(dims[dim.getPosition()]);
      continue;
    }
    if (auto cst = dyn_cast<AffineConstantExpr>(e)) {
      values.push_back(cst.getValue());
      continue;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return makeError("unsupported affine expression " + print(e));
    if (!expanded) {
      stack.push_back({e, true});
      stack.push_back({bin.getRHS(), false});
      stack.push_back({bin.getLHS(), false});
      continue;
    }
    int64_t rhs = values.pop_back_val();
    int64_t lhs = values.pop_back_val();
    switch (e.getKind()) {
    case AffineExprKind::Add:
      values.push_back(lhs + rhs);
      break;
    case AffineExprKind::Mul:
      values.push_back(lhs * rhs);
      break;
    case AffineExprKind::Mod:
    case AffineExprKind::FloorDiv:
    case AffineExprKind::CeilDiv:
      if (rhs <= 0)
        return makeError("non-positive divisor in affine expression " +
                         print(e));
      if (e.getKind() == AffineExprKind::Mod)
        values.push_back(((lhs % rhs) + rhs) % rhs);
      else if (e.getKind() == AffineExprKind::FloorDiv)
        values.push_back(floorDivInt(lhs, rhs));
      else
        values.push_back(ceilDivInt(lhs, rhs));
      break;
    default:
      return makeError("unsupported affine expression " + print(e));
    }
  }
  return values.back();
}

//===----------------------------------------------------------------------===//
// Interpreter
//===----------------------------------------------------------------------===//

namespace {
class Interpreter {
public:
  explicit Interpreter(func::FuncOp func) : func(func) {}

  Expected<std::vector<Tensor>> run(ArrayRef<Tensor> args);

private:
  Error bindArguments(ArrayRef<Tensor> args);
  Error step(Operation *op);

  Expected<const Tensor *> tensorOf(Operation *op, Value v);
  Expected<double> scalarOf(Operation *op, Value v);
  /// `tensorOf` for each of `values`; a null value gives nullptr.
  Error tensorsOf(Operation *op, ArrayRef<Value> values,
                  SmallVectorImpl<const Tensor *> &out);
  /// `tensorOf` for an optional operand (nullptr when absent).
  Expected<const Tensor *> optionalTensorOf(Operation *op, Value v) {
    if (!v)
      return nullptr;
    return tensorOf(op, v);
  }
  /// Records `t` as the value of `result`, after checking its shape against
  /// the result type and taking the element kind from it.
  Error setTensor(Operation *op, Value result, Tensor t);
  /// The sizes of `mixed` (static or scalar SSA values).
  Expected<SmallVector<int64_t>> sizesOf(Operation *op,
                                         ArrayRef<OpFoldResult> mixed);

  Error runReturn(func::ReturnOp op);
  Error runAttention(Operation *op, Value q, Value k, Value v, Value mask,
                     const AttentionParams &params);
  Expected<ComposeWeights> composeWeights(Operation *op, Value w, Value qw1,
                                          Value qw2, Value kw1, Value kw2,
                                          Value qdd, Value kdd);
  Error runCompose(ComposeOp op);
  Error runDCMHA(DCMHAOp op);
  Error runDeformableSample(DeformableSampleOp op);
  Error runMSDeformAttn(MSDeformAttnOp op);
  Error runConstant(arith::ConstantOp op);
  Error runElementwise(Operation *op);
  Error runSoftmax(linalg::SoftmaxOp op);
  Error runLinalg(linalg::LinalgOp op);

  func::FuncOp func;
  llvm::DenseMap<Value, Tensor> tensors;
  llvm::DenseMap<Value, double> scalars;
  std::optional<std::vector<Tensor>> results;
};
} // namespace

Expected<const Tensor *> Interpreter::tensorOf(Operation *op, Value v) {
  auto it = tensors.find(v);
  if (it == tensors.end())
    return makeError(opName(op) + ": operand of type " + print(v.getType()) +
                     " has no tensor value");
  return &it->second;
}

Error Interpreter::tensorsOf(Operation *op, ArrayRef<Value> values,
                             SmallVectorImpl<const Tensor *> &out) {
  for (Value v : values) {
    Expected<const Tensor *> t = optionalTensorOf(op, v);
    if (!t)
      return t.takeError();
    out.push_back(*t);
  }
  return Error::success();
}

Expected<double> Interpreter::scalarOf(Operation *op, Value v) {
  auto it = scalars.find(v);
  if (it == scalars.end())
    return makeError(opName(op) + ": operand of type " + print(v.getType()) +
                     " has no scalar value");
  return it->second;
}

Error Interpreter::setTensor(Operation *op, Value result, Tensor t) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type)
    return makeError(opName(op) + ": unsupported result type " +
                     print(result.getType()));
  bool matches = type.getRank() == static_cast<int64_t>(t.shape.size());
  for (int64_t i = 0; matches && i < type.getRank(); ++i)
    matches = type.isDynamicDim(i) || type.getDimSize(i) == t.shape[i];
  if (!matches)
    return makeError(opName(op) + ": computed result shape " +
                     formatShape(t.shape) + " does not match the type " +
                     print(type));
  Expected<ElementKind> kind = kindOf(type);
  if (!kind)
    return atOp(op, kind.takeError());
  t.kind = *kind;
  tensors[result] = std::move(t);
  return Error::success();
}

Expected<SmallVector<int64_t>>
Interpreter::sizesOf(Operation *op, ArrayRef<OpFoldResult> mixed) {
  SmallVector<int64_t> sizes;
  for (OpFoldResult ofr : mixed) {
    if (auto attr = dyn_cast<Attribute>(ofr)) {
      sizes.push_back(cast<IntegerAttr>(attr).getInt());
      continue;
    }
    Expected<double> v = scalarOf(op, cast<Value>(ofr));
    if (!v)
      return v.takeError();
    if (*v < 0)
      return makeError(opName(op) + ": negative size " + std::to_string(*v));
    sizes.push_back(static_cast<int64_t>(*v));
  }
  return sizes;
}

Error Interpreter::bindArguments(ArrayRef<Tensor> args) {
  std::string fn = "@" + func.getSymName().str();
  if (func.getNumArguments() != args.size())
    return makeError(fn + " takes " + std::to_string(func.getNumArguments()) +
                     " arguments, got " + std::to_string(args.size()));
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    const Tensor &t = args[i];
    std::string which = "argument #" + std::to_string(i) + " of " + fn;
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return makeError(which + " has type " + print(arg.getType()) +
                       "; only ranked tensor arguments are supported");
    Expected<ElementKind> kind = kindOf(type);
    if (!kind)
      return kind.takeError();
    bool matches = type.getRank() == static_cast<int64_t>(t.shape.size());
    for (int64_t d = 0; matches && d < type.getRank(); ++d)
      matches = t.shape[d] >= 0 &&
                (type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d]);
    if (!matches)
      return makeError(which + " has shape " + formatShape(t.shape) +
                       " but the function expects " + print(type));
    if (static_cast<int64_t>(t.data.size()) != t.numElements())
      return makeError(which + " has " + std::to_string(t.data.size()) +
                       " values but its shape " + formatShape(t.shape) +
                       " needs " + std::to_string(t.numElements()));
    // The values are taken as the element type sees them.
    Tensor bound = t;
    bound.kind = *kind;
    for (double &x : bound.data)
      x = roundToKind(x, *kind);
    tensors[arg] = std::move(bound);
  }
  return Error::success();
}

Expected<std::vector<Tensor>> Interpreter::run(ArrayRef<Tensor> args) {
  if (func.isExternal())
    return makeError("@" + func.getSymName().str() +
                     " is a declaration without a body");
  if (!func.getBody().hasOneBlock())
    return makeError("@" + func.getSymName().str() +
                     " has more than one block (control flow is not "
                     "supported)");
  if (Error e = bindArguments(args))
    return std::move(e);
  for (Operation &op : func.getBody().front()) {
    if (Error e = step(&op))
      return std::move(e);
    if (results)
      return std::move(*results);
  }
  return makeError("@" + func.getSymName().str() + " has no func.return");
}

Error Interpreter::step(Operation *op) {
  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](func::ReturnOp ret) { return runReturn(ret); })
      .Case([&](AttentionOp attn) {
        AttentionParams params;
        if (FloatAttr scale = attn.getScaleAttr())
          params.scale = scale.getValueAsDouble();
        params.causal = attn.getCausal();
        if (FloatAttr softcap = attn.getSoftcapAttr())
          params.softcap = softcap.getValueAsDouble();
        return runAttention(op, attn.getQuery(), attn.getKey(), attn.getValue(),
                            attn.getMask(), params);
      })
      .Case([&](SlidingWindowAttentionOp attn) -> Error {
        AttentionParams params;
        if (FloatAttr scale = attn.getScaleAttr())
          params.scale = scale.getValueAsDouble();
        params.causal = attn.getCausal();
        if (FloatAttr softcap = attn.getSoftcapAttr())
          params.softcap = softcap.getValueAsDouble();
        ArrayRef<int64_t> window = attn.getWindow();
        if (window.size() != 2)
          return makeError(opName(op) + ": window must hold 2 values, got " +
                           std::to_string(window.size()));
        params.window = {window[0], window[1]};
        if (IntegerAttr chunk = attn.getChunkAttr())
          params.chunk = chunk.getInt();
        return runAttention(op, attn.getQuery(), attn.getKey(), attn.getValue(),
                            attn.getMask(), params);
      })
      .Case([&](ComposeOp compose) { return runCompose(compose); })
      .Case([&](DCMHAOp dcmhaOp) { return runDCMHA(dcmhaOp); })
      .Case([&](DeformableSampleOp sample) {
        return runDeformableSample(sample);
      })
      .Case([&](MSDeformAttnOp msda) { return runMSDeformAttn(msda); })
      .Case([&](arith::ConstantOp cst) { return runConstant(cst); })
      .Case([&](tensor::EmptyOp empty) -> Error {
        Expected<SmallVector<int64_t>> shape =
            sizesOf(op, empty.getMixedSizes());
        if (!shape)
          return shape.takeError();
        return setTensor(op, empty.getResult(), Tensor::filled(*shape));
      })
      .Case([&](tensor::DimOp dim) -> Error {
        Expected<const Tensor *> src = tensorOf(op, dim.getSource());
        if (!src)
          return src.takeError();
        Expected<double> index = scalarOf(op, dim.getIndex());
        if (!index)
          return index.takeError();
        int64_t i = static_cast<int64_t>(*index);
        if (i < 0 || i >= static_cast<int64_t>((*src)->shape.size()))
          return makeError(opName(op) + ": dimension " + std::to_string(i) +
                           " out of range for shape " +
                           formatShape((*src)->shape));
        scalars[dim.getResult()] = static_cast<double>((*src)->shape[i]);
        return Error::success();
      })
      .Case([&](tensor::CastOp castOp) -> Error {
        Expected<const Tensor *> src = tensorOf(op, castOp.getSource());
        if (!src)
          return src.takeError();
        return setTensor(op, castOp.getResult(), **src);
      })
      .Case([&](tensor::ExtractOp extract) -> Error {
        Expected<const Tensor *> src = tensorOf(op, extract.getTensor());
        if (!src)
          return src.takeError();
        SmallVector<int64_t> index;
        for (Value v : extract.getIndices()) {
          Expected<double> i = scalarOf(op, v);
          if (!i)
            return i.takeError();
          index.push_back(static_cast<int64_t>(*i));
        }
        for (auto [i, d] : llvm::zip_equal(index, (*src)->shape))
          if (i < 0 || i >= d)
            return makeError(opName(op) + ": index out of bounds of shape " +
                             formatShape((*src)->shape));
        scalars[extract.getResult()] = (*src)->at(index);
        return Error::success();
      })
      .Case([&](tensor::ExpandShapeOp expand) -> Error {
        Expected<const Tensor *> src = tensorOf(op, expand.getSrc());
        if (!src)
          return src.takeError();
        Expected<SmallVector<int64_t>> shape =
            sizesOf(op, expand.getMixedOutputShape());
        if (!shape)
          return shape.takeError();
        Tensor t = **src;
        t.shape = *shape;
        if (t.numElements() != (*src)->numElements())
          return makeError(opName(op) + ": cannot reshape " +
                           formatShape((*src)->shape) + " to " +
                           formatShape(t.shape));
        return setTensor(op, expand.getResult(), std::move(t));
      })
      .Case([&](tensor::CollapseShapeOp collapse) -> Error {
        Expected<const Tensor *> src = tensorOf(op, collapse.getSrc());
        if (!src)
          return src.takeError();
        Tensor t = **src;
        t.shape.clear();
        for (const ReassociationIndices &group :
             collapse.getReassociationIndices()) {
          int64_t size = 1;
          for (int64_t d : group) {
            if (d >= static_cast<int64_t>((*src)->shape.size()))
              return makeError(opName(op) + ": reassociation out of range");
            size *= (*src)->shape[d];
          }
          t.shape.push_back(size);
        }
        return setTensor(op, collapse.getResult(), std::move(t));
      })
      .Case([&](linalg::SoftmaxOp softmax) { return runSoftmax(softmax); })
      .Default([&](Operation *other) -> Error {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(other))
          return runLinalg(linalgOp);
        if (isScalarOp(other))
          return runElementwise(other);
        return unsupported(other);
      });
}

Error Interpreter::runReturn(func::ReturnOp op) {
  std::vector<Tensor> out;
  for (Value v : op.getOperands()) {
    Expected<const Tensor *> t = tensorOf(op, v);
    if (!t)
      return t.takeError();
    out.push_back(**t);
  }
  results = std::move(out);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// attn ops
//===----------------------------------------------------------------------===//

Error Interpreter::runAttention(Operation *op, Value q, Value k, Value v,
                                Value mask, const AttentionParams &params) {
  SmallVector<const Tensor *> t;
  if (Error e = tensorsOf(op, {q, k, v, mask}, t))
    return e;
  if (Error e =
          reference::detail::checkAttention(*t[0], *t[1], *t[2], t[3], params))
    return atOp(op, std::move(e));
  return setTensor(op, op->getResult(0),
                   attention(*t[0], *t[1], *t[2], t[3], params));
}

Expected<ComposeWeights> Interpreter::composeWeights(Operation *op, Value w,
                                                     Value qw1, Value qw2,
                                                     Value kw1, Value kw2,
                                                     Value qdd, Value kdd) {
  ComposeWeights weights;
  std::pair<Value, const Tensor **> slots[] = {
      {w, &weights.staticWeights}, {qw1, &weights.qw1},
      {qw2, &weights.qw2},         {kw1, &weights.kw1},
      {kw2, &weights.kw2},         {qdd, &weights.queryGate},
      {kdd, &weights.keyGate}};
  for (auto [value, slot] : slots) {
    Expected<const Tensor *> t = optionalTensorOf(op, value);
    if (!t)
      return t.takeError();
    *slot = *t;
  }
  return weights;
}

Error Interpreter::runCompose(ComposeOp op) {
  Expected<const Tensor *> scores = tensorOf(op, op.getScores());
  if (!scores)
    return scores.takeError();
  Expected<ComposeWeights> w =
      composeWeights(op, op.getStaticWeights(), op.getQueryWeights1(),
                     op.getQueryWeights2(), op.getKeyWeights1(),
                     op.getKeyWeights2(), op.getQueryGate(), op.getKeyGate());
  if (!w)
    return w.takeError();
  if (Error e = reference::detail::checkCompose((*scores)->shape, *w, ""))
    return atOp(op, std::move(e));
  return setTensor(op, op.getResult(), compose(**scores, *w));
}

Error Interpreter::runDCMHA(DCMHAOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = tensorsOf(op, {op.getQuery(), op.getKey(), op.getValue()}, t))
    return e;
  Expected<ComposeWeights> pre = composeWeights(
      op, op.getPreStaticWeights(), op.getPreQueryWeights1(),
      op.getPreQueryWeights2(), op.getPreKeyWeights1(), op.getPreKeyWeights2(),
      op.getPreQueryGate(), op.getPreKeyGate());
  if (!pre)
    return pre.takeError();
  Expected<ComposeWeights> post = composeWeights(
      op, op.getPostStaticWeights(), op.getPostQueryWeights1(),
      op.getPostQueryWeights2(), op.getPostKeyWeights1(),
      op.getPostKeyWeights2(), op.getPostQueryGate(), op.getPostKeyGate());
  if (!post)
    return post.takeError();
  AttentionParams params;
  if (FloatAttr scale = op.getScaleAttr())
    params.scale = scale.getValueAsDouble();
  params.causal = op.getCausal();
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    if (window->size() != 2)
      return makeError(opName(op) + ": window must hold 2 values, got " +
                       std::to_string(window->size()));
    params.window = {(*window)[0], (*window)[1]};
  }
  if (Error e = reference::detail::checkDCMHA(*t[0], *t[1], *t[2], *pre, *post,
                                              params))
    return atOp(op, std::move(e));
  return setTensor(op, op.getResult(),
                   dcmha(*t[0], *t[1], *t[2], *pre, *post, params));
}

Error Interpreter::runDeformableSample(DeformableSampleOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = tensorsOf(op, {op.getInput(), op.getGrid()}, t))
    return e;
  if (Error e = reference::detail::checkDeformableSample(*t[0], *t[1]))
    return atOp(op, std::move(e));
  return setTensor(
      op, op.getResult(),
      deformableSample(*t[0], *t[1], op.getAlignCorners(),
                       op.getPaddingMode() == PaddingMode::border));
}

Error Interpreter::runMSDeformAttn(MSDeformAttnOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = tensorsOf(
          op,
          {op.getValue(), op.getSamplingLocations(), op.getAttentionWeights()},
          t))
    return e;
  ArrayRef<int64_t> shapes = op.getSpatialShapes();
  if (Error e =
          reference::detail::checkMSDeformAttn(*t[0], *t[1], *t[2], shapes))
    return atOp(op, std::move(e));
  return setTensor(op, op.getResult(),
                   msDeformAttn(*t[0], *t[1], *t[2], shapes));
}

//===----------------------------------------------------------------------===//
// arith, math
//===----------------------------------------------------------------------===//

Error Interpreter::runConstant(arith::ConstantOp op) {
  Attribute value = op.getValue();
  if (!isa<ShapedType>(op.getType())) {
    std::optional<double> v = scalarConstant(value);
    if (!v)
      return makeError(opName(op) + ": unsupported constant " + print(value));
    scalars[op.getResult()] = *v;
    return Error::success();
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return makeError(opName(op) + ": unsupported constant " +
                     print(op.getType()) +
                     " (only dense elements attributes are supported)");
  Expected<ElementKind> kind = kindOf(op.getType());
  if (!kind)
    return atOp(op, kind.takeError());
  Tensor t;
  t.shape.assign(dense.getType().getShape().begin(),
                 dense.getType().getShape().end());
  t.data.reserve(t.numElements());
  if (*kind == ElementKind::I1) {
    for (bool b : dense.getValues<bool>())
      t.data.push_back(b ? 1.0 : 0.0);
  } else {
    for (const APFloat &f : dense.getValues<APFloat>())
      t.data.push_back(f.convertToDouble());
  }
  return setTensor(op, op.getResult(), std::move(t));
}

Error Interpreter::runElementwise(Operation *op) {
  Value result = op->getResult(0);
  // Scalar form.
  if (!isa<ShapedType>(result.getType())) {
    SmallVector<double> x;
    for (Value v : op->getOperands()) {
      Expected<double> s = scalarOf(op, v);
      if (!s)
        return s.takeError();
      x.push_back(*s);
    }
    scalars[result] = *evalScalar(op, x);
    return Error::success();
  }
  // Tensor form: every tensor operand has the shape of the result; scalar
  // operands (arith.select's condition) apply to every element.
  SmallVector<const Tensor *> operandTensors;
  SmallVector<double> x(op->getNumOperands(), 0.0);
  const Tensor *first = nullptr;
  for (auto [i, v] : llvm::enumerate(op->getOperands())) {
    if (!isa<ShapedType>(v.getType())) {
      Expected<double> s = scalarOf(op, v);
      if (!s)
        return s.takeError();
      x[i] = *s;
      operandTensors.push_back(nullptr);
      continue;
    }
    Expected<const Tensor *> t = tensorOf(op, v);
    if (!t)
      return t.takeError();
    if (first && (*t)->shape != first->shape)
      return makeError(opName(op) + ": operand shapes " +
                       formatShape(first->shape) + " and " +
                       formatShape((*t)->shape) + " differ");
    if (!first)
      first = *t;
    operandTensors.push_back(*t);
  }
  if (!first)
    return unsupported(op);
  Tensor out = Tensor::filled(first->shape);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
    for (auto [i, t] : llvm::enumerate(operandTensors))
      if (t)
        x[i] = t->data[e];
    out.data[e] = *evalScalar(op, x);
  }
  return setTensor(op, result, std::move(out));
}

//===----------------------------------------------------------------------===//
// linalg
//===----------------------------------------------------------------------===//

Error Interpreter::runSoftmax(linalg::SoftmaxOp op) {
  if (op->getNumResults() != 1)
    return makeError(opName(op) + ": only the tensor form is supported");
  Expected<const Tensor *> input = tensorOf(op, op.getInput());
  if (!input)
    return input.takeError();
  const Tensor &in = **input;
  int64_t dim = static_cast<int64_t>(op.getDimension());
  if (dim >= static_cast<int64_t>(in.shape.size()))
    return makeError(opName(op) + ": dimension " + std::to_string(dim) +
                     " out of range for shape " + formatShape(in.shape));
  // View the tensor as [outer, size, inner] around `dim`.
  int64_t outer = 1, inner = 1, size = in.shape[dim];
  for (int64_t d = 0; d < dim; ++d)
    outer *= in.shape[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(in.shape.size()); ++d)
    inner *= in.shape[d];
  Tensor out = Tensor::filled(in.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * size + j) * inner + i; };
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < size; ++j)
        max = ieeeMaximum(max, in.data[at(j)]);
      double sum = 0.0;
      for (int64_t j = 0; j < size; ++j) {
        out.data[at(j)] = std::exp(in.data[at(j)] - max);
        sum += out.data[at(j)];
      }
      for (int64_t j = 0; j < size; ++j)
        out.data[at(j)] /= sum;
    }
  return setTensor(op, op->getResult(0), std::move(out));
}

namespace {
/// One operand of a linalg op, as the payload interpreter reads it.
struct LinalgOperand {
  /// The tensor read (inputs) or written (inits); nullptr for a scalar.
  const Tensor *tensor = nullptr;
  Tensor *output = nullptr;
  double scalar = 0.0;
  AffineMap map;
  /// Result position -> loop dimension, or -1 when the result is not a
  /// plain dimension (then `map` is evaluated).
  SmallVector<int64_t> dimOfResult;
  /// Block argument slot, or -1 when the payload has no argument for it.
  int64_t slot = -1;
};

/// One payload op: result slot from operand slots.
struct PayloadOp {
  Operation *op;
  SmallVector<unsigned> operandSlots;
  unsigned resultSlot;
  /// >= 0 for `linalg.index`: the loop dimension it reads.
  int64_t indexDim = -1;
};
} // namespace

/// Row-major offset into `operand`'s tensor at loop indices `point`.
static Expected<int64_t> offsetAt(const LinalgOperand &operand,
                                  ArrayRef<int64_t> point, Operation *op) {
  const SmallVector<int64_t> &shape = operand.tensor->shape;
  int64_t linear = 0;
  for (unsigned r = 0; r < operand.map.getNumResults(); ++r) {
    int64_t i;
    if (operand.dimOfResult[r] >= 0) {
      i = point[operand.dimOfResult[r]];
    } else {
      Expected<int64_t> v = evalAffine(operand.map.getResult(r), point);
      if (!v)
        return v.takeError();
      i = *v;
      if (i < 0 || i >= shape[r])
        return makeError(opName(op) + ": indexing map " + print(operand.map) +
                         " reads outside shape " + formatShape(shape));
    }
    linear = linear * shape[r] + i;
  }
  return linear;
}

Error Interpreter::runLinalg(linalg::LinalgOp op) {
  Operation *raw = op.getOperation();
  if (!op.hasPureTensorSemantics())
    return makeError(opName(raw) +
                     ": only linalg ops on tensors are supported");
  Block *body = op.getBlock();
  if (!body)
    return makeError(opName(raw) + ": has no payload region");
  int64_t numInputs = op.getNumDpsInputs();
  int64_t numInits = op.getNumDpsInits();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (static_cast<int64_t>(maps.size()) != numInputs + numInits ||
      raw->getNumOperands() != numInputs + numInits)
    return makeError(opName(raw) + ": unexpected operand/indexing map count");

  // Operands and outputs (copies of the inits, updated in place).
  std::vector<Tensor> outputs(numInits);
  SmallVector<LinalgOperand> operands(numInputs + numInits);
  SmallVector<int64_t> allSizes;
  for (auto [i, value] : llvm::enumerate(raw->getOperands())) {
    LinalgOperand &operand = operands[i];
    operand.map = maps[i];
    if (maps[i].getNumSymbols() != 0)
      return makeError(opName(raw) + ": indexing maps with symbols are not "
                                     "supported");
    if (!isa<ShapedType>(value.getType())) {
      if (static_cast<int64_t>(i) >= numInputs)
        return makeError(opName(raw) + ": scalar init operand");
      Expected<double> s = scalarOf(raw, value);
      if (!s)
        return s.takeError();
      operand.scalar = *s;
      continue;
    }
    Expected<const Tensor *> t = tensorOf(raw, value);
    if (!t)
      return t.takeError();
    if (static_cast<int64_t>((*t)->shape.size()) != maps[i].getNumResults())
      return makeError(opName(raw) + ": operand #" + std::to_string(i) +
                       " has rank " + std::to_string((*t)->shape.size()) +
                       " but its indexing map " + print(maps[i]) + " has " +
                       std::to_string(maps[i].getNumResults()) + " results");
    allSizes.append((*t)->shape.begin(), (*t)->shape.end());
    if (static_cast<int64_t>(i) >= numInputs) {
      outputs[i - numInputs] = **t;
      operand.output = &outputs[i - numInputs];
      operand.tensor = operand.output;
    } else {
      operand.tensor = *t;
    }
  }

  // Loop ranges from the operand shapes, then check that every plain
  // dimension access agrees with them.
  AffineMap shapesToLoops = op.getShapesToLoopsMap();
  if (!shapesToLoops)
    return makeError(opName(raw) + ": cannot derive loop ranges from the "
                                   "indexing maps");
  SmallVector<int64_t> ranges = shapesToLoops.compose(allSizes);
  for (auto [i, operand] : llvm::enumerate(operands)) {
    for (unsigned r = 0; r < operand.map.getNumResults(); ++r) {
      auto dim = dyn_cast<AffineDimExpr>(operand.map.getResult(r));
      operand.dimOfResult.push_back(dim ? dim.getPosition() : -1);
      if (dim && operand.tensor &&
          ranges[dim.getPosition()] != operand.tensor->shape[r])
        return makeError(opName(raw) + ": operand #" + std::to_string(i) +
                         " has shape " + formatShape(operand.tensor->shape) +
                         " but loop d" + std::to_string(dim.getPosition()) +
                         " runs over " +
                         std::to_string(ranges[dim.getPosition()]) +
                         " (indexing map " + print(operand.map) + ")");
    }
  }

  // Number the payload values: block arguments, captured scalars, results.
  llvm::DenseMap<Value, unsigned> slotOf;
  SmallVector<double> slots;
  auto newSlot = [&](Value v, double init) {
    slotOf[v] = slots.size();
    slots.push_back(init);
    return slots.size() - 1;
  };
  if (body->getNumArguments() == static_cast<unsigned>(numInputs + numInits)) {
    for (auto [i, arg] : llvm::enumerate(body->getArguments()))
      operands[i].slot = newSlot(arg, 0.0);
  } else if (body->getNumArguments() == static_cast<unsigned>(numInputs)) {
    // linalg.map: no block argument for the init.
    for (auto [i, arg] : llvm::enumerate(body->getArguments()))
      operands[i].slot = newSlot(arg, 0.0);
  } else {
    return makeError(opName(raw) + ": unexpected payload block arguments");
  }
  SmallVector<PayloadOp> payload;
  SmallVector<unsigned> yieldSlots;
  for (Operation &bodyOp : *body) {
    auto slotFor = [&](Value v) -> Expected<unsigned> {
      auto it = slotOf.find(v);
      if (it != slotOf.end())
        return it->second;
      // A scalar defined above the linalg op.
      Expected<double> s = scalarOf(&bodyOp, v);
      if (!s)
        return s.takeError();
      return newSlot(v, *s);
    };
    if (auto yield = dyn_cast<linalg::YieldOp>(bodyOp)) {
      for (Value v : yield.getOperands()) {
        Expected<unsigned> s = slotFor(v);
        if (!s)
          return s.takeError();
        yieldSlots.push_back(*s);
      }
      continue;
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(bodyOp)) {
      std::optional<double> v = scalarConstant(cst.getValue());
      if (!v)
        return makeError(opName(&bodyOp) +
                         ": unsupported constant in the "
                         "payload of " +
                         opName(raw));
      newSlot(cst.getResult(), *v);
      continue;
    }
    PayloadOp p;
    p.op = &bodyOp;
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
      p.indexDim = index.getDim();
      if (p.indexDim >= static_cast<int64_t>(ranges.size()))
        return makeError(opName(&bodyOp) + ": dimension out of range");
    } else if (!isScalarOp(&bodyOp)) {
      return makeError("unsupported op " + opName(&bodyOp) +
                       " in the payload of " + opName(raw));
    }
    for (Value v : bodyOp.getOperands()) {
      Expected<unsigned> s = slotFor(v);
      if (!s)
        return s.takeError();
      p.operandSlots.push_back(*s);
    }
    p.resultSlot = newSlot(bodyOp.getResult(0), 0.0);
    payload.push_back(std::move(p));
  }
  if (static_cast<int64_t>(yieldSlots.size()) != numInits)
    return makeError(opName(raw) + ": payload yields " +
                     std::to_string(yieldSlots.size()) + " values for " +
                     std::to_string(numInits) + " inits");

  // Run the payload at every point of the iteration space, last loop
  // fastest (an odometer, so no recursion on the loop count).
  bool empty = llvm::any_of(ranges, [](int64_t r) { return r <= 0; });
  SmallVector<int64_t> point(ranges.size(), 0);
  SmallVector<int64_t> offsets(operands.size(), 0);
  SmallVector<double> x;
  while (!empty) {
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (!operand.tensor)
        continue;
      Expected<int64_t> offset = offsetAt(operand, point, raw);
      if (!offset)
        return offset.takeError();
      offsets[i] = *offset;
    }
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (operand.slot < 0)
        continue;
      slots[operand.slot] =
          operand.tensor ? operand.tensor->data[offsets[i]] : operand.scalar;
    }
    for (PayloadOp &p : payload) {
      if (p.indexDim >= 0) {
        slots[p.resultSlot] = static_cast<double>(point[p.indexDim]);
        continue;
      }
      x.clear();
      for (unsigned s : p.operandSlots)
        x.push_back(slots[s]);
      slots[p.resultSlot] = *evalScalar(p.op, x);
    }
    for (int64_t i = 0; i < numInits; ++i)
      operands[numInputs + i].output->data[offsets[numInputs + i]] =
          slots[yieldSlots[i]];

    // Advance.
    int64_t d = static_cast<int64_t>(ranges.size()) - 1;
    for (; d >= 0; --d) {
      if (++point[d] < ranges[d])
        break;
      point[d] = 0;
    }
    if (d < 0)
      break;
  }

  for (int64_t i = 0; i < numInits; ++i)
    if (Error e = setTensor(raw, raw->getResult(i), std::move(outputs[i])))
      return e;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

Expected<std::vector<Tensor>>
mlir::attn::reference::evaluate(func::FuncOp func, ArrayRef<Tensor> args) {
  if (!func)
    return makeError("no function to evaluate");
  Interpreter interpreter(func);
  return interpreter.run(args);
}
