//===- OnlineSoftmax.cpp - the online-softmax recurrence as IR --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

Value OnlineSoftmax::mathExp2(OpBuilder &b, Location loc, Value x) {
  return math::Exp2Op::create(b, loc, x);
}

Value OnlineSoftmax::constant(Type type, double value) {
  if (auto vt = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vt, b.getFloatAttr(vt.getElementType(), value)));
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value OnlineSoftmax::max(Value x, Value y) {
  return arith::MaxNumFOp::create(
      b, loc, x, y,
      arith::FastMathFlagsAttr::get(b.getContext(),
                                    arith::FastMathFlags::nnan));
}

Value OnlineSoftmax::fma(Value x, Value y, Value z) {
  if (isa<VectorType>(x.getType()))
    return vector::FMAOp::create(b, loc, x, y, z);
  return math::FmaOp::create(b, loc, x, y, z);
}

Value OnlineSoftmax::safeMax(Value m) {
  Type type = m.getType();
  Value none = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, m,
      constant(type, -std::numeric_limits<double>::infinity()));
  return arith::SelectOp::create(b, loc, none, constant(type, 0.0), m);
}

Value OnlineSoftmax::expOffset(Value mSafe) {
  return arith::NegFOp::create(b, loc, mSafe);
}

Value OnlineSoftmax::exp(Value x, Value offset, double scale) {
  Type type = x.getType();
  Value logit =
      scale == 1.0
          ? x
          : Value(arith::MulFOp::create(b, loc, x, constant(type, scale)));
  Value shifted = arith::AddFOp::create(b, loc, logit, offset);
  return exp2(arith::MulFOp::create(b, loc, shifted,
                                    constant(type, llvm::numbers::log2e)));
}

Value OnlineSoftmax::rescale(Value mOld, Value mSafe) {
  Value alpha = exp2(
      arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, mOld, mSafe),
                            constant(mOld.getType(), llvm::numbers::log2e)));
  // Exactly 1 where the max did not move: a polynomial exp2(0) may be
  // 1 + 2^-23, and l and acc, rescaled by it every block, round apart
  // (a drift linear in the number of key blocks).
  Value unchanged =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mOld, mSafe);
  return arith::SelectOp::create(b, loc, unchanged,
                                 constant(mOld.getType(), 1.0), alpha);
}

Value OnlineSoftmax::updateSum(Value l, Value alpha, Value blockSum) {
  return fma(l, alpha, blockSum);
}

Value OnlineSoftmax::updateAcc(Value acc, Value alpha, Value pv) {
  return fma(acc, alpha, pv);
}

Value OnlineSoftmax::safeReciprocal(Value l) {
  Type type = l.getType();
  Value zero = constant(type, 0.0);
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, l, zero);
  return arith::SelectOp::create(
      b, loc, empty, zero,
      arith::DivFOp::create(b, loc, constant(type, 1.0), l));
}

Value OnlineSoftmax::normalize(Value acc, Value l) {
  return arith::MulFOp::create(b, loc, acc, safeReciprocal(l));
}
