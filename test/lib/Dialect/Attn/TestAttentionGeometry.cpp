//===- TestAttentionGeometry.cpp - AttentionGeometry test pass --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// -test-attn-geometry: evaluates AttentionGeometry on the host and builds its
// IR side on constants, for every private function declaration that carries
// a `test.geometry` dictionary:
//
//   func.func private @causal_offset_negative()
//       attributes {test.geometry = {right = 0, lq = 6, lk = 4,
//                                    block_q = 3, block_k = 2}}
//
// Keys of the dictionary: `left`, `right` (window extents, -1 = unbounded,
// the default), `chunk` (absent = none), `lq`, `lk` (query rows and keys),
// `query_offset` (position of row 0; default lk - lq, bottom-right),
// `block_q`, `block_k` (the block grid of emitIsFullBlock and of the block
// column ranges; default one block of all rows / keys).
//
// Host side, as remarks on the function (checked with -verify-diagnostics):
//   "visible keys: [lo, hi) ..." (visibleKeys of each row), "visible pairs:
//   N" (countVisiblePairs), "full blocks: [1, 0] [0, 0] ..." (one bracket
//   per query block, one digit per key block, from visibleKeys by brute
//   force).
// IR side: the declaration gets a body of index/i1 arithmetic on constants
// that returns
//   - tensor<lq x 2 x index>: emitVisibleColumns(p, p, 0, lk) of each row p,
//   - tensor<nqb x nkb x i1>: emitIsFullBlock of each (query, key) block,
//   - i1: whether every IR result agrees with the host side (row ranges;
//     emitIsVisible of every (row, key); the union and intersection
//     emitVisibleColumns of every block; emitIsFullBlock). Empty ranges only
//     need to be empty: neither side defines where an empty range sits.
// so that after --canonicalize the function returns constants that FileCheck
// compares with the host values (and `true`).
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"

#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <string>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The geometry and the grid of one test case.
struct GeometryCase {
  AttentionGeometry geometry;
  int64_t lq = 0, lk = 0, queryOffset = 0, blockQ = 0, blockK = 0;

  int64_t numQueryBlocks() const { return llvm::divideCeil(lq, blockQ); }
  int64_t numKeyBlocks() const { return llvm::divideCeil(lk, blockK); }
};

/// A half-open range of key columns; every empty range compares equal.
struct ColumnRange {
  int64_t lo = 0, hi = 0;
  bool empty() const { return lo >= hi; }
};

} // namespace

/// Reads `test.geometry` of `func`; failure (with a diagnostic) when a key
/// has the wrong type or a size is out of range.
static FailureOr<GeometryCase> parseCase(func::FuncOp func,
                                         DictionaryAttr dict) {
  auto get =
      [&](StringRef key,
          std::optional<int64_t> dflt) -> FailureOr<std::optional<int64_t>> {
    Attribute attr = dict.get(key);
    if (!attr)
      return dflt;
    auto intAttr = dyn_cast<IntegerAttr>(attr);
    if (!intAttr)
      return func.emitError("expected integer '")
             << key << "' in test.geometry";
    return std::optional<int64_t>(intAttr.getInt());
  };
  for (NamedAttribute entry : dict)
    if (!llvm::is_contained({"left", "right", "chunk", "lq", "lk",
                             "query_offset", "block_q", "block_k"},
                            entry.getName().strref()))
      return func.emitError("unknown key '")
             << entry.getName().strref() << "' in test.geometry";
  auto left = get("left", -1), right = get("right", -1),
       chunk = get("chunk", std::nullopt), lq = get("lq", std::nullopt),
       lk = get("lk", std::nullopt);
  if (failed(left) || failed(right) || failed(chunk) || failed(lq) ||
      failed(lk))
    return failure();
  if (!*lq || !*lk || **lq < 1 || **lk < 1 || **lq > 64 || **lk > 64)
    return func.emitError("expected 'lq' and 'lk' in [1, 64] in test.geometry");
  GeometryCase c;
  c.geometry = AttentionGeometry(**left, **right, *chunk);
  c.lq = **lq;
  c.lk = **lk;
  auto offset = get("query_offset", c.lk - c.lq);
  auto blockQ = get("block_q", c.lq), blockK = get("block_k", c.lk);
  if (failed(offset) || failed(blockQ) || failed(blockK))
    return failure();
  c.queryOffset = **offset;
  c.blockQ = **blockQ;
  c.blockK = **blockK;
  if (c.blockQ < 1 || c.blockK < 1)
    return func.emitError("expected positive 'block_q' and 'block_k'");
  return c;
}

//===----------------------------------------------------------------------===//
// Host side
//===----------------------------------------------------------------------===//

/// Columns of key block [kb, kb + nk) that row position `pos` sees.
static ColumnRange hostColumns(const GeometryCase &c, int64_t pos, int64_t kb,
                               int64_t nk) {
  auto [lo, hi] = c.geometry.visibleKeys(pos, c.lk);
  lo = std::clamp(lo - kb, int64_t(0), nk);
  hi = std::clamp(hi - kb, int64_t(0), nk);
  return {lo, std::max(lo, hi)};
}

/// The union (`all` false) or intersection (`all` true) of the columns that
/// the rows [q0, q1) see of key block [kb, kb + nk).
static ColumnRange hostBlockColumns(const GeometryCase &c, int64_t q0,
                                    int64_t q1, int64_t kb, int64_t nk,
                                    bool all) {
  ColumnRange result = all ? ColumnRange{0, nk} : ColumnRange{nk, 0};
  for (int64_t i = q0; i < q1; ++i) {
    ColumnRange r = hostColumns(c, c.queryOffset + i, kb, nk);
    if (all) {
      result = {std::max(result.lo, r.lo), std::min(result.hi, r.hi)};
    } else if (!r.empty()) {
      result = {std::min(result.lo, r.lo), std::max(result.hi, r.hi)};
    }
  }
  return result;
}

static void emitHostRemarks(func::FuncOp func, const GeometryCase &c) {
  std::string rows;
  for (int64_t i = 0; i < c.lq; ++i) {
    auto [lo, hi] = c.geometry.visibleKeys(c.queryOffset + i, c.lk);
    rows += llvm::formatv("{0}[{1}, {2})", i ? " " : "", lo, hi).str();
  }
  func.emitRemark("visible keys: ") << rows;
  func.emitRemark("visible pairs: ") << static_cast<int64_t>(
      c.geometry.countVisiblePairs(c.lq, c.lk, c.queryOffset));
  std::string blocks;
  for (int64_t qb = 0; qb < c.numQueryBlocks(); ++qb) {
    int64_t q0 = qb * c.blockQ, q1 = std::min(q0 + c.blockQ, c.lq);
    blocks += qb ? " [" : "[";
    for (int64_t kb = 0; kb < c.numKeyBlocks(); ++kb) {
      int64_t k0 = kb * c.blockK, nk = std::min(c.blockK, c.lk - k0);
      ColumnRange every = hostBlockColumns(c, q0, q1, k0, nk, /*all=*/true);
      bool full = nk == c.blockK && every.lo == 0 && every.hi == nk;
      blocks += llvm::formatv("{0}{1}", kb ? ", " : "", full ? 1 : 0).str();
    }
    blocks += "]";
  }
  func.emitRemark("full blocks: ") << blocks;
}

//===----------------------------------------------------------------------===//
// IR side
//===----------------------------------------------------------------------===//

namespace {
/// Builds the IR side of one case into a function body and accumulates the
/// agreement with the host side in `match`.
class IRSide {
public:
  IRSide(OpBuilder &b, Location loc) : b(b), loc(loc) {
    match = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// match &= (x == y).
  void expectEq(Value x, Value y) {
    match = arith::AndIOp::create(
        b, loc, match,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y));
  }
  void expectEq(Value x, int64_t y) { expectEq(x, index(y)); }
  void expectEq(Value x, bool y) {
    expectEq(x,
             arith::ConstantOp::create(b, loc, b.getBoolAttr(y)).getResult());
  }
  /// match &= (x <= y).
  void expectLe(Value x, Value y) {
    match = arith::AndIOp::create(
        b, loc, match,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, x, y));
  }

  /// The IR range [lo, hi) must lie in [0, nk], be ordered, and equal `host`
  /// (or be empty where `host` is).
  void expectRange(std::pair<Value, Value> ir, ColumnRange host, Value nk) {
    auto [lo, hi] = ir;
    expectLe(index(0), lo);
    expectLe(lo, hi);
    expectLe(hi, nk);
    if (host.empty()) {
      expectEq(lo, hi);
      return;
    }
    expectEq(lo, host.lo);
    expectEq(hi, host.hi);
  }

  Value getMatch() const { return match; }

private:
  OpBuilder &b;
  Location loc;
  Value match;
};
} // namespace

static void buildBody(func::FuncOp func, const GeometryCase &c) {
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  OpBuilder b(ctx);
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRSide ir(b, loc);
  const AttentionGeometry &g = c.geometry;

  // Rows: emitVisibleColumns of a single row over all keys, and
  // emitIsVisible of each (row, key).
  Value zero = ir.index(0), lk = ir.index(c.lk);
  SmallVector<Value> rowRanges;
  for (int64_t i = 0; i < c.lq; ++i) {
    int64_t pos = c.queryOffset + i;
    Value p = ir.index(pos);
    auto range = g.emitVisibleColumns(b, loc, p, p, zero, lk);
    ir.expectRange(range, hostColumns(c, pos, 0, c.lk), lk);
    rowRanges.append({range.first, range.second});
    auto [lo, hi] = g.visibleKeys(pos, c.lk);
    for (int64_t j = 0; j < c.lk; ++j)
      ir.expectEq(g.emitIsVisible(b, loc, p, ir.index(j)), lo <= j && j < hi);
  }

  // Blocks: union and intersection of the columns, and emitIsFullBlock.
  SmallVector<Value> fullBlocks;
  for (int64_t qb = 0; qb < c.numQueryBlocks(); ++qb) {
    int64_t q0 = qb * c.blockQ, q1 = std::min(q0 + c.blockQ, c.lq);
    Value first = ir.index(c.queryOffset + q0),
          last = ir.index(c.queryOffset + q1 - 1);
    for (int64_t kbi = 0; kbi < c.numKeyBlocks(); ++kbi) {
      int64_t k0 = kbi * c.blockK, nkv = std::min(c.blockK, c.lk - k0);
      Value kb = ir.index(k0), nk = ir.index(nkv);
      ColumnRange some = hostBlockColumns(c, q0, q1, k0, nkv, /*all=*/false);
      ColumnRange every = hostBlockColumns(c, q0, q1, k0, nkv, /*all=*/true);
      ir.expectRange(g.emitVisibleColumns(b, loc, first, last, kb, nk), some,
                     nk);
      ir.expectRange(g.emitVisibleColumns(b, loc, last, first, kb, nk), every,
                     nk);
      Value full = g.emitIsFullBlock(b, loc, first, last, kb, nk, c.blockK);
      ir.expectEq(full, nkv == c.blockK && every.lo == 0 && every.hi == nkv);
      fullBlocks.push_back(full);
    }
  }

  auto rowsType = RankedTensorType::get({c.lq, 2}, b.getIndexType());
  auto fullType = RankedTensorType::get({c.numQueryBlocks(), c.numKeyBlocks()},
                                        b.getI1Type());
  Value rows = tensor::FromElementsOp::create(b, loc, rowsType, rowRanges);
  Value full = tensor::FromElementsOp::create(b, loc, fullType, fullBlocks);
  Value match = ir.getMatch();
  func::ReturnOp::create(b, loc, ValueRange{rows, full, match});
  func.setFunctionType(
      FunctionType::get(ctx, {}, {rowsType, fullType, b.getI1Type()}));
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {
struct TestAttentionGeometryPass
    : public PassWrapper<TestAttentionGeometryPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestAttentionGeometryPass)

  StringRef getArgument() const final { return "test-attn-geometry"; }
  StringRef getDescription() const final {
    return "Evaluate AttentionGeometry host-side (remarks) and build its IR "
           "side on constants for functions with a test.geometry attribute";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto dict = func->getAttrOfType<DictionaryAttr>("test.geometry");
      if (!dict)
        continue;
      if (!func.isExternal() || func.getNumArguments() != 0) {
        func.emitError("expected a declaration without arguments");
        return signalPassFailure();
      }
      FailureOr<GeometryCase> c = parseCase(func, dict);
      if (failed(c))
        return signalPassFailure();
      emitHostRemarks(func, *c);
      buildBody(func, *c);
      func->removeAttr("test.geometry");
    }
  }
};
} // namespace

void mlir::attn::test::registerTestAttentionGeometryPass() {
  PassRegistration<TestAttentionGeometryPass>();
}
