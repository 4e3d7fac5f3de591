//===- ComposeHeads.h - DCMHA cross-head composition as IR ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one definition of DCFormer's cross-head composition (`attn.compose`,
// and the pre/post compose of `attn.dcmha`) in the compiler, as an IR
// builder over f32 scalars or vectors: a lowering loads the H values of one
// (query, key) position (or of a vector of them), and this builder mixes
// them. Where the operands live, and along which axis a vector runs (keys
// for a standalone compose, query rows in the DCMHA kernel), is the
// lowering's business: it supplies the weights through callbacks. The
// reference evaluator keeps its own independent code (the oracle).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_UTILS_COMPOSEHEADS_H
#define ATTN_DIALECT_ATTN_UTILS_COMPOSEHEADS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>

namespace mlir::attn {

/// Which groups of a compose are present, and their ranks (docs/Spec.md
/// §1.3, DCFormer's `CrossHeadProjection`, Xiao et al., ICML 2024).
struct ComposeShape {
  int64_t heads = 0;
  bool staticWeights = false;
  /// Ranks of query_weights / key_weights; 0 when the group is absent.
  int64_t queryRank = 0, keyRank = 0;
  bool queryGate = false, keyGate = false;
  /// Whether no group is present (compose is the identity).
  bool isIdentity() const {
    return !staticWeights && queryRank == 0 && keyRank == 0 && !queryGate &&
           !keyGate;
  }
};

/// The weights of one compose at one position, as f32 values of the type of
/// the scores (scalars or vectors; a lowering broadcasts what does not vary
/// along its vector axis). Head indices `g` and `h` are `index` Values:
/// constants in the unrolled form, a loop's induction variable (plus a
/// constant) in the looped one. Callbacks are only called for present
/// groups.
struct ComposeWeightFns {
  /// W[g, h].
  llvm::function_ref<Value(Value g, Value h)> staticWeight;
  /// qw1[c, g] and qw2[c, h] of the query.
  llvm::function_ref<Value(int64_t c, Value g)> queryWeight1, queryWeight2;
  /// kw1[c, g] and kw2[c, h] of the key.
  llvm::function_ref<Value(int64_t c, Value g)> keyWeight1, keyWeight2;
  /// qdd[h] and kdd[h].
  llvm::function_ref<Value(Value h)> queryGate, keyGate;
};

/// out[h] = sum_g a[g] W[g, h]                     (a[h] without W)
///        + sum_c qw2[c, h] sum_g qw1[c, g] a[g]
///        + sum_c kw2[c, h] sum_g kw1[c, g] a[g]
///        + a[h] (qdd[h] + kdd[h])
/// for `a` the `shape.heads` f32 values (all of one scalar or vector type) of
/// one position, fully unrolled (H^2 multiply-adds of the static term in
/// straight-line code). The low-rank terms are computed as rank-C
/// projections (2 C H multiply-adds per group), as DCFormer's reference
/// does. Sums over g run in increasing g, so both forms give the same
/// values.
SmallVector<Value> buildComposeHeads(OpBuilder &b, Location loc,
                                     const ComposeShape &shape,
                                     const ComposeWeightFns &weights,
                                     ArrayRef<Value> a);

/// Heads up to which lowerings emit buildComposeHeads; beyond, the static
/// term's H^2 unrolled multiply-adds made code generation superlinear (H = 64:
/// minutes of LLVM back end), so they take buildComposeHeadsInLoop.
constexpr int64_t kMaxUnrolledComposeHeads = 16;

/// The same math as buildComposeHeads with the output heads in an scf.for
/// over tiles of `headTile` heads (the last H mod headTile heads unrolled
/// after it) and the sum over input heads unrolled in each iteration: code
/// of O(H headTile) operations instead of O(H^2). `loadA(g)` emits the value
/// of head g (g an `index` Value); it is called again in every iteration, so
/// it must read memory that `store` does not write. `store(h, x)` emits the
/// store of head h's mixed value. Emits at `b`'s insertion point.
void buildComposeHeadsInLoop(OpBuilder &b, Location loc,
                             const ComposeShape &shape,
                             const ComposeWeightFns &weights,
                             llvm::function_ref<Value(Value g)> loadA,
                             llvm::function_ref<void(Value h, Value x)> store,
                             int64_t headTile);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_COMPOSEHEADS_H
