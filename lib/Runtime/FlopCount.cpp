//===- FlopCount.cpp - floating-point operations of a function ------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/FlopCount.h"

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::attn;

/// Number of visible (query, key) pairs for one (batch, head), counting the
/// causal, window and chunk restrictions (docs/Spec.md 1.1-1.2): for each
/// query row i, with i' = i + (lk - lq) its bottom-right aligned position,
/// the keys j with lo <= j <= hi, where causal caps hi at i', a window
/// (left, right) bounds j to [i' - left, i' + right] (-1 = unbounded side)
/// and a chunk c keeps j in the chunk of i' (floor(j / c) == floor(i' / c)).
/// This is the runtime's own copy of the mask geometry; it is meant to give
/// way to a geometry helper shared with the compiler.
static double
countVisiblePairs(int64_t lq, int64_t lk, bool causal,
                  std::optional<std::pair<int64_t, int64_t>> window,
                  std::optional<int64_t> chunk) {
  double total = 0;
  for (int64_t i = 0; i < lq; ++i) {
    int64_t shifted = i + (lk - lq);
    int64_t lo = 0, hi = lk - 1;
    if (causal)
      hi = std::min(hi, shifted);
    if (window) {
      if (window->first >= 0)
        lo = std::max(lo, shifted - window->first);
      if (window->second >= 0)
        hi = std::min(hi, shifted + window->second);
    }
    if (chunk && *chunk > 0) {
      int64_t start = llvm::divideFloorSigned(shifted, *chunk) * *chunk;
      lo = std::max(lo, start);
      hi = std::min(hi, start + *chunk - 1);
    }
    if (hi >= lo)
      total += static_cast<double>(hi - lo + 1);
  }
  return total;
}

/// FLOPs of one attention op, or std::nullopt for dynamic shapes.
static std::optional<double>
countAttentionFlops(Value query, Value value, Value key, bool causal,
                    std::optional<std::pair<int64_t, int64_t>> window,
                    std::optional<int64_t> chunk) {
  auto queryType = dyn_cast<RankedTensorType>(query.getType());
  auto keyType = dyn_cast<RankedTensorType>(key.getType());
  auto valueType = dyn_cast<RankedTensorType>(value.getType());
  if (!queryType || !keyType || !valueType || !queryType.hasStaticShape() ||
      !keyType.hasStaticShape() || !valueType.hasStaticShape() ||
      queryType.getRank() != 4 || keyType.getRank() != 4 ||
      valueType.getRank() != 4)
    return std::nullopt;
  int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
  int64_t lq = queryType.getDimSize(2), d = queryType.getDimSize(3);
  int64_t lk = keyType.getDimSize(2), dv = valueType.getDimSize(3);
  double pairs = countVisiblePairs(lq, lk, causal, window, chunk);
  return pairs * 2.0 * static_cast<double>(d + dv) *
         static_cast<double>(batch) * static_cast<double>(heads);
}

std::optional<double> mlir::attn::countFlops(func::FuncOp func) {
  double total = 0;
  bool counted = false, unknown = false;
  func.walk([&](Operation *op) {
    std::optional<double> flops;
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      flops = countAttentionFlops(attention.getQuery(), attention.getValue(),
                                  attention.getKey(), attention.getCausal(),
                                  std::nullopt, std::nullopt);
    } else if (auto sliding = dyn_cast<SlidingWindowAttentionOp>(op)) {
      ArrayRef<int64_t> window = sliding.getWindow();
      std::optional<std::pair<int64_t, int64_t>> bounds;
      if (window.size() == 2)
        bounds = std::make_pair(window[0], window[1]);
      std::optional<int64_t> chunk;
      if (auto value = sliding.getChunk())
        chunk = static_cast<int64_t>(*value);
      flops = countAttentionFlops(sliding.getQuery(), sliding.getValue(),
                                  sliding.getKey(), sliding.getCausal(), bounds,
                                  chunk);
    } else if (isa<AttnDialect>(op->getDialect())) {
      unknown = true;
      return;
    } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalg::isaContractionOpInterface(linalgOp))
        return;
      double points = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges()) {
        if (ShapedType::isDynamic(range)) {
          unknown = true;
          return;
        }
        points *= static_cast<double>(range);
      }
      flops = 2.0 * points;
    } else {
      return;
    }
    if (!flops) {
      unknown = true;
      return;
    }
    total += *flops;
    counted = true;
  });
  if (!counted || unknown)
    return std::nullopt;
  return total;
}
