//===- AttentionGeometry.cpp - which keys a query row sees ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::attn;

static int64_t normalizeExtent(int64_t extent) {
  return extent < 0 || extent > AttentionGeometry::kUnboundedBeyond ? -1
                                                                      : extent;
}

AttentionGeometry::AttentionGeometry(int64_t left, int64_t right,
                                     std::optional<int64_t> chunk)
    : leftExtent(normalizeExtent(left)), rightExtent(normalizeExtent(right)),
      chunkSize(chunk && *chunk > 0 ? chunk : std::nullopt) {}

std::pair<int64_t, int64_t> AttentionGeometry::visibleKeys(int64_t pos,
                                                           int64_t lk) const {
  // Saturating: positions far outside [0, lk) must not overflow.
  auto clampToKeys = [&](__int128 x) {
    return static_cast<int64_t>(std::clamp<__int128>(x, 0, lk));
  };
  int64_t lo = 0, hi = lk;
  if (leftExtent >= 0)
    lo = std::max(lo, clampToKeys(__int128(pos) - leftExtent));
  if (rightExtent >= 0)
    hi = std::min(hi, clampToKeys(__int128(pos) + rightExtent + 1));
  if (chunkSize) {
    __int128 start = __int128(llvm::divideFloorSigned(pos, *chunkSize)) *
                     *chunkSize;
    lo = std::max(lo, clampToKeys(start));
    hi = std::min(hi, clampToKeys(start + *chunkSize));
  }
  return {lo, std::max(lo, hi)};
}

double AttentionGeometry::countVisiblePairs(int64_t lq, int64_t lk,
                                            int64_t queryOffset) const {
  if (!restrictsKeys())
    return static_cast<double>(std::max<int64_t>(lq, 0)) *
           static_cast<double>(std::max<int64_t>(lk, 0));
  double total = 0;
  for (int64_t i = 0; i < lq; ++i) {
    auto [lo, hi] = visibleKeys(queryOffset + i, lk);
    total += static_cast<double>(hi - lo);
  }
  return total;
}

std::pair<Value, Value>
AttentionGeometry::emitVisibleColumns(OpBuilder &b, Location loc, Value loPos,
                                      Value hiPos, Value kb, Value nk) const {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto add = [&](Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); };
  auto sub = [&](Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); };
  auto max = [&](Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); };
  auto min = [&](Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); };
  Value lo = cst(0), hi = nk;
  if (leftExtent >= 0)
    lo = max(lo, sub(sub(loPos, kb), cst(leftExtent)));
  if (rightExtent >= 0)
    hi = min(hi, add(sub(hiPos, kb), cst(rightExtent + 1)));
  if (chunkSize) {
    Value c = cst(*chunkSize);
    auto chunkStart = [&](Value pos) {
      return arith::MulIOp::create(
          b, loc, arith::FloorDivSIOp::create(b, loc, pos, c), c);
    };
    lo = max(lo, sub(chunkStart(loPos), kb));
    hi = min(hi, sub(add(chunkStart(hiPos), c), kb));
  }
  lo = min(lo, nk);
  return {lo, max(hi, lo)};
}

Value AttentionGeometry::emitIsFullBlock(OpBuilder &b, Location loc,
                                         Value firstPos, Value lastPos,
                                         Value kb, Value nk,
                                         int64_t blockSize) const {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  auto eq = [&](Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  };
  Value whole = eq(nk, cst(blockSize));
  if (!restrictsKeys())
    return whole;
  // The columns every row sees: lo from the last row, hi from the first.
  auto [lo, hi] = emitVisibleColumns(b, loc, lastPos, firstPos, kb, nk);
  return arith::AndIOp::create(
      b, loc, arith::AndIOp::create(b, loc, whole, eq(lo, cst(0))),
      eq(hi, nk));
}

Value AttentionGeometry::emitIsVisible(OpBuilder &b, Location loc, Value pos,
                                       Value key) const {
  auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value vis = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  auto both = [&](Value c) { vis = arith::AndIOp::create(b, loc, vis, c); };
  if (leftExtent >= 0)
    both(arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::sge, key,
        arith::SubIOp::create(b, loc, pos, cst(leftExtent))));
  if (rightExtent >= 0)
    both(arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::sle, key,
        arith::AddIOp::create(b, loc, pos, cst(rightExtent))));
  if (chunkSize)
    both(arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq,
        arith::FloorDivSIOp::create(b, loc, pos, cst(*chunkSize)),
        arith::FloorDivSIOp::create(b, loc, key, cst(*chunkSize))));
  return vis;
}
