//===- AttentionGeometry.h - which keys a query row sees --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one definition of attention visibility (causal, sliding window, chunk,
// query offset) in the compiler. The CPU kernel, the portable linalg
// decomposition, the split-K rewrite and FLOP counting all ask it; the
// reference evaluator keeps an independent copy on purpose (it is the
// oracle that checks this one).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_UTILS_ATTENTIONGEOMETRY_H
#define ATTN_DIALECT_ATTN_UTILS_ATTENTIONGEOMETRY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace mlir::attn {

/// Key visibility of attention rows (docs/Spec.md §1.1 `causal`, §1.2 window
/// and chunk). Query row `i` sits at key position `p = query_offset + i`
/// (bottom-right alignment: `query_offset = Lk - Lq`), key `j` at position
/// `j`. Key `j` is visible from position `p` iff
///   (left  < 0 or j >= p - left) and
///   (right < 0 or j <= p + right) and
///   (no chunk or floor(p / chunk) == floor(j / chunk)).
/// `causal` is `right = 0`; -1 means unbounded. Both ends of the visible key
/// range are non-decreasing in `p`, which the block classification relies on.
/// (Masks are not geometry: they are applied per element on top of this.)
class AttentionGeometry {
public:
  /// Extents larger than this are unbounded: no sequence is that long, and
  /// clamping keeps `p - left` and `p + right` from overflowing.
  static constexpr int64_t kUnboundedBeyond = int64_t(1) << 40;

  /// Every key visible from every row.
  AttentionGeometry() = default;
  /// `left`/`right`: window extents (-1 = unbounded, values above
  /// kUnboundedBeyond are treated as unbounded); `chunk` > 0 when set.
  AttentionGeometry(int64_t left, int64_t right,
                    std::optional<int64_t> chunk = std::nullopt);
  /// The geometry of an `attn.online_attention` / `attn.partial_attention`
  /// (anything with getLeft/getRight/getChunkSize).
  template <typename OpTy>
  static AttentionGeometry get(OpTy op) {
    return AttentionGeometry(op.getLeft(), op.getRight(), op.getChunkSize());
  }

  int64_t left() const { return leftExtent; }
  int64_t right() const { return rightExtent; }
  std::optional<int64_t> chunk() const { return chunkSize; }
  /// Whether visible key ranges differ between rows (a window side or a
  /// chunk; causal included).
  bool restrictsKeys() const {
    return leftExtent >= 0 || rightExtent >= 0 || chunkSize.has_value();
  }

  //===--------------------------------------------------------------------===//
  // Host side.
  //===--------------------------------------------------------------------===//

  /// Visible keys [lo, hi) of a query at position `pos` among keys [0, lk);
  /// lo == hi when it sees none.
  std::pair<int64_t, int64_t> visibleKeys(int64_t pos, int64_t lk) const;
  /// Number of visible (query, key) pairs of `lq` queries at positions
  /// `queryOffset + [0, lq)` over `lk` keys (the work of one head; masks
  /// ignored). O(lq).
  double countVisiblePairs(int64_t lq, int64_t lk, int64_t queryOffset) const;

  //===--------------------------------------------------------------------===//
  // IR side: index Values, any target.
  //===--------------------------------------------------------------------===//

  /// Columns [lo, hi) of the key block at positions [kb, kb + nk), clamped
  /// to [0, nk] with lo <= hi, where `lo` is the lowest column visible from
  /// position `loPos` and `hi - 1` the highest visible from `hiPos`. Since
  /// both ends grow with the position:
  /// - (loPos, hiPos) = (first, last) position of a row range gives the
  ///   columns that some row of the range sees (their union);
  /// - (last, first) gives the columns that every row sees (intersection).
  std::pair<Value, Value> emitVisibleColumns(OpBuilder &b, Location loc,
                                             Value loPos, Value hiPos, Value kb,
                                             Value nk) const;
  /// i1: the key block [kb, kb + nk) has `blockSize` keys and every one of
  /// them is visible from every position in [firstPos, lastPos] (a "full"
  /// block: no per-element visibility work). Without restrictions only
  /// `nk == blockSize` is tested.
  Value emitIsFullBlock(OpBuilder &b, Location loc, Value firstPos,
                        Value lastPos, Value kb, Value nk,
                        int64_t blockSize) const;
  /// i1: key position `key` is visible from query position `pos` (index
  /// scalars; the per-element form for linalg payloads).
  Value emitIsVisible(OpBuilder &b, Location loc, Value pos, Value key) const;

private:
  int64_t leftExtent = -1, rightExtent = -1;
  std::optional<int64_t> chunkSize;
};

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_ATTENTIONGEOMETRY_H
