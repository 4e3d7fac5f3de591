//===- Tosa.cpp - TOSA ops in the reference evaluator -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The float subset of TOSA 1.0 that attention graphs from TFLite and ONNX
// front ends use (matmul, transpose, reshape, reductions, elementwise math,
// select, clamp, concat, slice), evaluated in float64 straight from the
// specification's pseudo-code, not through `tosa-to-linalg`: the CPU
// pipeline runs that lowering, and the reference must not share it.
//
//===----------------------------------------------------------------------===//

#include "Tosa.h"

#include "Detail.h"
#include "Scalar.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::attn::reference;
using namespace mlir::attn::reference::detail;
using llvm::ArrayRef;
using llvm::Error;
using llvm::Expected;
using llvm::SmallVector;

namespace {

/// Advances the row-major multi-index `index` within `shape`; false after
/// the last element.
bool nextIndex(SmallVector<int64_t> &index, ArrayRef<int64_t> shape) {
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d])
      return true;
    index[d] = 0;
  }
  return false;
}

/// Whether `v` is a `tosa.const` whose elements are all zero (integer or
/// float).
bool isZeroConstant(Value v) {
  auto cst = v.getDefiningOp<tosa::ConstOp>();
  if (!cst)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(cst.getValuesAttr());
  if (!dense)
    return false;
  if (isa<FloatType>(dense.getElementType()))
    return llvm::all_of(dense.getValues<APFloat>(),
                        [](const APFloat &f) { return f.isZero(); });
  return llvm::all_of(dense.getValues<APInt>(),
                      [](const APInt &i) { return i.isZero(); });
}

/// The values of the `!tosa.shape` operand `v` (from `tosa.const_shape`).
Expected<SmallVector<int64_t>> shapeOperand(Operation *op, Value v) {
  auto cst = v.getDefiningOp<tosa::ConstShapeOp>();
  if (!cst)
    return makeError(opName(op) + ": shape operands must come from "
                                  "'tosa.const_shape'");
  SmallVector<int64_t> values;
  for (const APInt &i : cst.getValuesAttr().getValues<APInt>())
    values.push_back(i.getSExtValue());
  return values;
}

/// Evaluates TOSA ops on the tensors of one Scope.
class TosaEvaluator {
public:
  TosaEvaluator(Scope &scope, Operation *op) : scope(scope), op(op) {}

  Error run();

private:
  Expected<const Tensor *> input(unsigned i) {
    return scope.tensorOf(op, op->getOperand(i));
  }
  /// Records `t` as the result after rounding it to the result's type.
  Error setResult(Tensor t);

  Error constant(tosa::ConstOp cst);
  /// `fn` applied to every element of operand 0.
  Error unary(const std::function<double(double)> &fn);
  /// `fn` applied elementwise to operands `lhs` and `rhs`, broadcasting
  /// dimensions of size 1.
  Error binary(const std::function<double(double, double)> &fn,
               unsigned lhs = 0, unsigned rhs = 1);
  Error select();
  Error matmul(tosa::MatMulOp mm);
  Error transpose(tosa::TransposeOp tr);
  Error reshape(tosa::ReshapeOp rs);
  Error reduce(int64_t axis, double init,
               const std::function<double(double, double)> &combine);
  Error concat(tosa::ConcatOp cat);
  Error slice(tosa::SliceOp sl);

  Scope &scope;
  Operation *op;
};

} // namespace

Error TosaEvaluator::setResult(Tensor t) {
  Value result = op->getResult(0);
  Expected<ElementKind> kind = kindOf(result.getType());
  if (!kind)
    return atOp(op, kind.takeError());
  for (double &x : t.data)
    x = roundToKind(x, *kind);
  return scope.setTensor(op, result, std::move(t));
}

Error TosaEvaluator::constant(tosa::ConstOp cst) {
  Type elementType = cst.getType().getElementType();
  // Integer constants are the shifts and zero points of float ops, which
  // read them from the IR (isZeroConstant); they have no tensor value.
  if (isa<IntegerType>(elementType) && !elementType.isInteger(1))
    return Error::success();
  Expected<Tensor> t = constantTensor(op, cst.getValuesAttr(), cst.getType());
  if (!t)
    return t.takeError();
  return setResult(std::move(*t));
}

Error TosaEvaluator::unary(const std::function<double(double)> &fn) {
  Expected<const Tensor *> x = input(0);
  if (!x)
    return x.takeError();
  Tensor out = **x;
  for (double &e : out.data)
    e = fn(e);
  return setResult(std::move(out));
}

Error TosaEvaluator::binary(const std::function<double(double, double)> &fn,
                            unsigned lhs, unsigned rhs) {
  Expected<const Tensor *> a = input(lhs);
  if (!a)
    return a.takeError();
  Expected<const Tensor *> b = input(rhs);
  if (!b)
    return b.takeError();
  ArrayRef<int64_t> sa = (*a)->shape, sb = (*b)->shape;
  if (sa.size() != sb.size())
    return makeError(opName(op) + ": operand ranks differ: " +
                     formatShape(sa) + " and " + formatShape(sb));
  SmallVector<int64_t> shape;
  for (auto [da, db] : llvm::zip_equal(sa, sb)) {
    if (da != db && da != 1 && db != 1)
      return makeError(opName(op) + ": shapes " + formatShape(sa) + " and " +
                       formatShape(sb) + " do not broadcast");
    shape.push_back(da == 1 ? db : da);
  }
  Tensor out = Tensor::filled(shape);
  if (out.numElements() == 0)
    return setResult(std::move(out));
  SmallVector<int64_t> index(shape.size(), 0), ia(shape.size()),
      ib(shape.size());
  int64_t e = 0;
  do {
    for (size_t d = 0; d < shape.size(); ++d) {
      ia[d] = sa[d] == 1 ? 0 : index[d];
      ib[d] = sb[d] == 1 ? 0 : index[d];
    }
    out.data[e++] = fn((*a)->at(ia), (*b)->at(ib));
  } while (nextIndex(index, shape));
  return setResult(std::move(out));
}

Error TosaEvaluator::select() {
  // select(p, t, f) = p ? t : f, all three broadcast to one shape.
  Expected<const Tensor *> p = input(0);
  if (!p)
    return p.takeError();
  Expected<const Tensor *> t = input(1);
  if (!t)
    return t.takeError();
  Expected<const Tensor *> f = input(2);
  if (!f)
    return f.takeError();
  size_t rank = (*p)->shape.size();
  if ((*t)->shape.size() != rank || (*f)->shape.size() != rank)
    return makeError(opName(op) + ": operand ranks differ");
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    int64_t n = 1;
    for (const Tensor *x : {*p, *t, *f}) {
      int64_t s = x->shape[d];
      if (s != 1 && n != 1 && s != n)
        return makeError(opName(op) + ": operand shapes do not broadcast");
      if (s != 1)
        n = s;
    }
    shape.push_back(n);
  }
  Tensor out = Tensor::filled(shape);
  if (out.numElements() == 0)
    return setResult(std::move(out));
  auto at = [&](const Tensor *x, ArrayRef<int64_t> index) {
    SmallVector<int64_t> i(index);
    for (size_t d = 0; d < rank; ++d)
      if (x->shape[d] == 1)
        i[d] = 0;
    return x->at(i);
  };
  SmallVector<int64_t> index(rank, 0);
  int64_t e = 0;
  do {
    out.data[e++] = at(*p, index) != 0.0 ? at(*t, index) : at(*f, index);
  } while (nextIndex(index, shape));
  return setResult(std::move(out));
}

Error TosaEvaluator::matmul(tosa::MatMulOp mm) {
  if (!isZeroConstant(mm.getAZp()) || !isZeroConstant(mm.getBZp()))
    return makeError(opName(op) + ": float zero points must be constant 0");
  Expected<const Tensor *> a = input(0);
  if (!a)
    return a.takeError();
  Expected<const Tensor *> b = input(1);
  if (!b)
    return b.takeError();
  ArrayRef<int64_t> sa = (*a)->shape, sb = (*b)->shape;
  if (sa.size() != 3 || sb.size() != 3 || sa[0] != sb[0] || sa[2] != sb[1])
    return makeError(opName(op) + ": expected [N, H, C] x [N, C, W], got " +
                     formatShape(sa) + " x " + formatShape(sb));
  int64_t n = sa[0], h = sa[1], c = sa[2], w = sb[2];
  Tensor out = Tensor::filled({n, h, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        double acc = 0.0;
        for (int64_t k = 0; k < c; ++k)
          acc += (*a)->data[(i * h + y) * c + k] * (*b)->data[(i * c + k) * w + x];
        out.data[(i * h + y) * w + x] = acc;
      }
  return setResult(std::move(out));
}

Error TosaEvaluator::transpose(tosa::TransposeOp tr) {
  Expected<const Tensor *> x = input(0);
  if (!x)
    return x.takeError();
  ArrayRef<int32_t> perms = tr.getPerms();
  ArrayRef<int64_t> in = (*x)->shape;
  SmallVector<bool> seen(in.size(), false);
  if (perms.size() != in.size())
    return makeError(opName(op) + ": perms must have one entry per dimension");
  SmallVector<int64_t> shape;
  for (int32_t p : perms) {
    if (p < 0 || p >= static_cast<int32_t>(in.size()) || seen[p])
      return makeError(opName(op) + ": perms is not a permutation");
    seen[p] = true;
    shape.push_back(in[p]);
  }
  Tensor out = Tensor::filled(shape);
  if (out.numElements() == 0)
    return setResult(std::move(out));
  SmallVector<int64_t> index(shape.size(), 0), src(shape.size());
  int64_t e = 0;
  do {
    // output[index] = input[src] with src[perms[d]] = index[d].
    for (size_t d = 0; d < perms.size(); ++d)
      src[perms[d]] = index[d];
    out.data[e++] = (*x)->at(src);
  } while (nextIndex(index, shape));
  return setResult(std::move(out));
}

Error TosaEvaluator::reshape(tosa::ReshapeOp rs) {
  Expected<const Tensor *> x = input(0);
  if (!x)
    return x.takeError();
  Expected<SmallVector<int64_t>> shape = shapeOperand(op, rs.getShape());
  if (!shape)
    return shape.takeError();
  // TOSA 1.0 allows one -1 (inferred) entry.
  int64_t known = 1, inferred = -1;
  for (auto [d, s] : llvm::enumerate(*shape)) {
    if (s == -1 && inferred < 0) {
      inferred = static_cast<int64_t>(d);
      continue;
    }
    if (s < 0)
      return makeError(opName(op) + ": invalid shape " + formatShape(*shape));
    known *= s;
  }
  Tensor out = **x;
  if (inferred >= 0 && known != 0)
    (*shape)[inferred] = out.numElements() / known;
  out.shape = *shape;
  if (out.numElements() != (*x)->numElements())
    return makeError(opName(op) + ": cannot reshape " +
                     formatShape((*x)->shape) + " to " + formatShape(*shape));
  return setResult(std::move(out));
}

Error TosaEvaluator::reduce(int64_t axis, double init,
                            const std::function<double(double, double)> &combine) {
  Expected<const Tensor *> x = input(0);
  if (!x)
    return x.takeError();
  ArrayRef<int64_t> in = (*x)->shape;
  if (axis < 0 || axis >= static_cast<int64_t>(in.size()))
    return makeError(opName(op) + ": axis " + std::to_string(axis) +
                     " out of range for shape " + formatShape(in));
  SmallVector<int64_t> shape(in);
  shape[axis] = 1;
  Tensor out = Tensor::filled(shape, init);
  if ((*x)->numElements() == 0)
    return setResult(std::move(out));
  SmallVector<int64_t> index(in.size(), 0), dst(in.size());
  int64_t e = 0;
  do {
    dst.assign(index.begin(), index.end());
    dst[axis] = 0;
    double &acc = out.at(dst);
    acc = combine(acc, (*x)->data[e++]);
  } while (nextIndex(index, in));
  return setResult(std::move(out));
}

Error TosaEvaluator::concat(tosa::ConcatOp cat) {
  SmallVector<const Tensor *> parts;
  if (Error e = scope.tensorsOf(op, llvm::to_vector(cat.getInput1()), parts))
    return e;
  Expected<Tensor> out = concatenate(op, parts, cat.getAxis());
  if (!out)
    return out.takeError();
  return setResult(std::move(*out));
}

Error TosaEvaluator::slice(tosa::SliceOp sl) {
  Expected<const Tensor *> x = input(0);
  if (!x)
    return x.takeError();
  Expected<SmallVector<int64_t>> start = shapeOperand(op, sl.getStart());
  if (!start)
    return start.takeError();
  Expected<SmallVector<int64_t>> size = shapeOperand(op, sl.getSize());
  if (!size)
    return size.takeError();
  ArrayRef<int64_t> in = (*x)->shape;
  if (start->size() != in.size() || size->size() != in.size())
    return makeError(opName(op) + ": start and size need one entry per "
                                  "dimension of " + formatShape(in));
  for (size_t d = 0; d < in.size(); ++d) {
    if ((*size)[d] == -1)
      (*size)[d] = in[d] - (*start)[d];
    if ((*start)[d] < 0 || (*size)[d] < 0 || (*start)[d] + (*size)[d] > in[d])
      return makeError(opName(op) + ": slice start " + formatShape(*start) +
                       " size " + formatShape(*size) + " out of bounds of " +
                       formatShape(in));
  }
  Tensor out = Tensor::filled(*size);
  if (out.numElements() == 0)
    return setResult(std::move(out));
  SmallVector<int64_t> index(size->size(), 0), src(size->size());
  int64_t e = 0;
  do {
    for (size_t d = 0; d < index.size(); ++d)
      src[d] = index[d] + (*start)[d];
    out.data[e++] = (*x)->at(src);
  } while (nextIndex(index, *size));
  return setResult(std::move(out));
}

Error TosaEvaluator::run() {
  constexpr double inf = std::numeric_limits<double>::infinity();
  // NaN propagates (TOSA's default nan_mode), as in arith.maximumf.
  auto ieeeMax = [](double a, double b) { return ieeeMaximum(a, b); };
  auto ieeeMin = [](double a, double b) { return ieeeMinimum(a, b); };
  using F1 = double (*)(double);
  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](tosa::ConstOp cst) { return constant(cst); })
      // Shape values are read where they are used (shapeOperand).
      .Case([&](tosa::ConstShapeOp) { return Error::success(); })
      .Case([&](tosa::AbsOp) { return unary(static_cast<F1>(std::fabs)); })
      .Case([&](tosa::CeilOp) { return unary(static_cast<F1>(std::ceil)); })
      .Case([&](tosa::FloorOp) { return unary(static_cast<F1>(std::floor)); })
      .Case([&](tosa::ExpOp) { return unary(static_cast<F1>(std::exp)); })
      .Case([&](tosa::LogOp) { return unary(static_cast<F1>(std::log)); })
      .Case([&](tosa::SinOp) { return unary(static_cast<F1>(std::sin)); })
      .Case([&](tosa::CosOp) { return unary(static_cast<F1>(std::cos)); })
      .Case([&](tosa::TanhOp) { return unary(static_cast<F1>(std::tanh)); })
      .Case([&](tosa::ErfOp) { return unary(static_cast<F1>(std::erf)); })
      .Case([&](tosa::NegateOp neg) -> Error {
        if (!isZeroConstant(neg.getInput1Zp()) ||
            !isZeroConstant(neg.getOutputZp()))
          return makeError(opName(op) +
                           ": float zero points must be constant 0");
        return unary([](double x) { return -x; });
      })
      .Case([&](tosa::ReciprocalOp) {
        return unary([](double x) { return 1.0 / x; });
      })
      .Case([&](tosa::RsqrtOp) {
        return unary([](double x) { return 1.0 / std::sqrt(x); });
      })
      .Case([&](tosa::SigmoidOp) {
        return unary([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
      })
      .Case([&](tosa::IdentityOp) { return unary([](double x) { return x; }); })
      .Case([&](tosa::CastOp) {
        // Float <-> float and bool <-> float; setResult rounds to the
        // result type, and a cast to i1 is x != 0 (roundToKind).
        return unary([](double x) { return x; });
      })
      .Case([&](tosa::LogicalNotOp) {
        return unary([](double x) { return x != 0.0 ? 0.0 : 1.0; });
      })
      .Case([&](tosa::ClampOp clamp) -> Error {
        auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
        auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
        if (!lo || !hi)
          return makeError(opName(op) + ": only float bounds are supported");
        double l = lo.getValueAsDouble(), h = hi.getValueAsDouble();
        return unary([=](double x) {
          return std::isnan(x) ? x : std::min(std::max(x, l), h);
        });
      })
      .Case([&](tosa::AddOp) {
        return binary([](double a, double b) { return a + b; });
      })
      .Case([&](tosa::SubOp) {
        return binary([](double a, double b) { return a - b; });
      })
      .Case([&](tosa::MulOp mul) -> Error {
        if (!isZeroConstant(mul.getShift()))
          return makeError(opName(op) + ": float multiply needs shift 0");
        return binary([](double a, double b) { return a * b; });
      })
      .Case([&](tosa::PowOp) {
        return binary([](double a, double b) { return std::pow(a, b); });
      })
      .Case([&](tosa::MaximumOp) { return binary(ieeeMax); })
      .Case([&](tosa::MinimumOp) { return binary(ieeeMin); })
      .Case([&](tosa::EqualOp) {
        return binary([](double a, double b) { return a == b ? 1.0 : 0.0; });
      })
      .Case([&](tosa::GreaterOp) {
        return binary([](double a, double b) { return a > b ? 1.0 : 0.0; });
      })
      .Case([&](tosa::GreaterEqualOp) {
        return binary([](double a, double b) { return a >= b ? 1.0 : 0.0; });
      })
      .Case([&](tosa::LogicalAndOp) {
        return binary(
            [](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; });
      })
      .Case([&](tosa::LogicalOrOp) {
        return binary(
            [](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; });
      })
      .Case([&](tosa::SelectOp) { return select(); })
      .Case([&](tosa::MatMulOp mm) { return matmul(mm); })
      .Case([&](tosa::TransposeOp tr) { return transpose(tr); })
      .Case([&](tosa::ReshapeOp rs) { return reshape(rs); })
      .Case([&](tosa::ReduceSumOp r) {
        return reduce(r.getAxis(), 0.0, [](double a, double b) { return a + b; });
      })
      .Case([&](tosa::ReduceProductOp r) {
        return reduce(r.getAxis(), 1.0, [](double a, double b) { return a * b; });
      })
      .Case([&](tosa::ReduceMaxOp r) { return reduce(r.getAxis(), -inf, ieeeMax); })
      .Case([&](tosa::ReduceMinOp r) { return reduce(r.getAxis(), inf, ieeeMin); })
      .Case([&](tosa::ConcatOp cat) { return concat(cat); })
      .Case([&](tosa::SliceOp sl) { return slice(sl); })
      .Default([&](Operation *) { return unsupported(op); });
}

Error mlir::attn::reference::detail::evalTosa(Scope &scope, Operation *op) {
  return TosaEvaluator(scope, op).run();
}
