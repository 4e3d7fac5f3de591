//===- OnlineSoftmax.h - the online-softmax recurrence as IR ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one definition of the online-softmax algebra in the compiler, as IR
// builders over f32 scalars or vectors of f32: the CPU kernel applies it to
// vectors of rows, the linalg decomposition to scalars in its payloads, the
// split-K combine to the partial results of key splits. The exponential is
// a parameter (`Exp2Fn`): each target brings its own (x86: a polynomial with
// vscalefps; portable code: math.exp2).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_UTILS_ONLINESOFTMAX_H
#define ATTN_DIALECT_ATTN_UTILS_ONLINESOFTMAX_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::attn {

/// 2^x of an f32 scalar or vector, for x <= 127 (online-softmax exponents are
/// <= 0); must return exactly 0 for x = -inf.
using Exp2Fn = llvm::function_ref<Value(OpBuilder &, Location, Value)>;

/// Builders of the online softmax (Milakov and Gimelshein, "Online normalizer
/// calculation for softmax", 2018; FlashAttention-2, Dao 2023, Algorithm 1).
/// Per query row the state is the running max `m` (-inf before any visible
/// key), the running sum `l` and the unnormalized accumulator `acc`
/// (sum_j p_j v_j). One step over a block of scores `s` (invisible keys
/// -inf):
///   m'   = max(m, max_j s_j)
///   m'_0 = m' == -inf ? 0 : m'    (the row has seen no key: no -inf - -inf)
///   a    = exp(m - m'_0)          (rescale factor of the old state)
///   p_j  = exp(s_j - m'_0)
///   l'   = a l + sum_j p_j,   acc' = a acc + sum_j p_j v_j
/// and the result is o = l == 0 ? 0 : acc / l (a row without a visible key
/// is 0, docs/Spec.md §4). Two partial states of disjoint key sets merge by
/// the logsumexp rule (flash-decoding): m = max(m1, m2), w_i = exp(m_i -
/// m_0), l = w1 l1 + w2 l2, acc = w1 acc1 + w2 acc2.
/// Exponentials are exp2 of (x - m'_0) log2(e): the difference first, so
/// that the row's largest logit gets exactly 2^0 = 1 over the whole f32
/// range. (FlashAttention-2's folded form, 2^(x log2(e) - m'_0 log2(e)) with
/// one FMA, rounds m'_0 log2(e): past |m'_0| of about 1e9 the rounding
/// error, common to the row, takes every exponent below -126 (a row of
/// zeros) or past 128 (NaN); and a row of -FLT_MAX additive-mask logits
/// would be -inf - -inf. The difference costs one more multiply per
/// element, within the noise of interleaved A/B runs on the CPU kernel.)
/// Every builder takes and returns f32 scalars or f32 vectors of one shape.
class OnlineSoftmax {
public:
  OnlineSoftmax(OpBuilder &b, Location loc, Exp2Fn exp2)
      : b(b), loc(loc), exp2Fn(exp2) {}

  /// The portable exponential: math.exp2.
  static Value mathExp2(OpBuilder &b, Location loc, Value x);

  /// A constant of `x`'s type (scalar or splat vector).
  Value constant(Type type, double value);
  /// max(x, y) ignoring NaN (the max of a row of scores).
  Value max(Value x, Value y);
  /// m' = max(m, blockMax).
  Value updateMax(Value m, Value blockMax) { return max(m, blockMax); }
  /// m'_0: 0 where `m` is -inf (no visible key yet), else `m`.
  Value safeMax(Value m);
  /// The per-row operand of `exp` for a row with max m'_0: -m'_0.
  Value expOffset(Value mSafe);
  /// exp(x * scale - m'_0), the probability of a raw score `x` whose logit
  /// is `x * scale` (scale 1 for logits), given `offset` = expOffset(m'_0):
  /// 2^((x * scale + offset) log2(e)), with x * scale rounded as the max's
  /// own product was (a multiply, not an FMA with the offset), so that the
  /// row's largest logit gets exactly 2^0.
  Value exp(Value x, Value offset, double scale = 1.0);
  /// a = exp(m - m'_0), the factor that rescales the old l and acc;
  /// exactly 1 where m == m'_0 (whatever exp2(0) rounds to).
  Value rescale(Value mOld, Value mSafe);
  /// l' = a l + blockSum.
  Value updateSum(Value l, Value alpha, Value blockSum);
  /// a acc + pv (a single FMA where `pv` is one product term).
  Value updateAcc(Value acc, Value alpha, Value pv);
  /// o = l == 0 ? 0 : acc / l (acc and l of one shape).
  Value normalize(Value acc, Value l);
  /// The reciprocal used by `normalize`, to multiply many acc values with:
  /// l == 0 ? 0 : 1 / l.
  Value safeReciprocal(Value l);

  /// Merge weight of a partial state with max `m` into a merged state with
  /// max `mMerged`: exp(m - m_0), where m_0 is safeMax(mMerged); 0 when the
  /// partial saw no key.
  Value mergeWeight(Value m, Value mMerged) {
    return rescale(m, safeMax(mMerged));
  }

private:
  Value fma(Value x, Value y, Value z);
  Value exp2(Value x) { return exp2Fn(b, loc, x); }

  OpBuilder &b;
  Location loc;
  Exp2Fn exp2Fn;
};

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_ONLINESOFTMAX_H
