//===- WarpMatrixOps.cpp - warp primitives in workgroup memory --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/WarpMatrixOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::attn;

WarpMatrixOps::~WarpMatrixOps() = default;

namespace {
/// Index arithmetic of one lane's fragment elements (WarpMatrixOps.h).
struct LaneCoords {
  OpBuilder &b;
  Location loc;
  Value g, t;
  LaneCoords(OpBuilder &b, Location loc, Value lane)
      : b(b), loc(loc),
        g(arith::DivUIOp::create(b, loc, lane, idx(b, loc, 4))),
        t(arith::RemUIOp::create(b, loc, lane, idx(b, loc, 4))) {}
  static Value idx(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value add(Value x, int64_t c) {
    return c == 0 ? x : arith::AddIOp::create(b, loc, x, idx(b, loc, c));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value twoT() { return arith::MulIOp::create(b, loc, t, idx(b, loc, 2)); }
  /// A element i: (row, column) in its 16x16 tile.
  std::pair<Value, Value> a(int64_t i) {
    return {add(g, 8 * (i / 2 % 2)), add(twoT(), i % 2 + 8 * (i / 4))};
  }
  /// B element i: (k, n) in its 16x8 tile.
  std::pair<Value, Value> bk(int64_t i) {
    return {add(twoT(), i % 2 + 8 * (i / 2)), g};
  }
  /// C element i: (row, column) in its 16x8 tile.
  std::pair<Value, Value> c(int64_t i) {
    return {add(g, 8 * (i / 2)), add(twoT(), i % 2)};
  }
};
} // namespace

SmallVector<Type> EmulatedWarpMatrixOps::scratchBuffers(MLIRContext *ctx,
                                                        int64_t warps) const {
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  auto f32 = Float32Type::get(ctx);
  auto buffer = [&](ArrayRef<int64_t> shape) -> Type {
    return MemRefType::get(shape, f32, MemRefLayoutAttrInterface{}, workgroup);
  };
  return {buffer({warps, 16, 16}), buffer({warps, 16, 8}),
          buffer({warps * 32})};
}

void EmulatedWarpMatrixOps::bind(ValueRange scratch, Value threadIdValue) {
  aScratch = scratch[0];
  bScratch = scratch[1];
  shuffleScratch = scratch[2];
  threadId = threadIdValue;
}

Fragment EmulatedWarpMatrixOps::loadA(OpBuilder &b, Location loc, Value smem,
                                      Value row0, Value col0, Value lane) {
  LaneCoords at(b, loc, lane);
  Fragment fragment;
  for (int64_t i = 0; i < 8; ++i) {
    auto [r, c] = at.a(i);
    fragment.push_back(memref::LoadOp::create(
        b, loc, smem, ValueRange{at.add(row0, r), at.add(col0, c)}));
  }
  return fragment;
}

/// The lane's B elements (k, n) read at smem[k0 + k][n0 + n], or with
/// `nMajor` at smem[n0 + n][k0 + k].
static Fragment loadBElements(OpBuilder &b, Location loc, Value smem, Value k0,
                              Value n0, Value lane, bool nMajor) {
  LaneCoords at(b, loc, lane);
  Fragment fragment;
  for (int64_t i = 0; i < 4; ++i) {
    auto [k, n] = at.bk(i);
    Value kk = at.add(k0, k), nn = at.add(n0, n);
    fragment.push_back(memref::LoadOp::create(
        b, loc, smem, nMajor ? ValueRange{nn, kk} : ValueRange{kk, nn}));
  }
  return fragment;
}

Fragment EmulatedWarpMatrixOps::loadB(OpBuilder &b, Location loc, Value smem,
                                      Value n0, Value k0, Value lane) {
  return loadBElements(b, loc, smem, k0, n0, lane, /*nMajor=*/true);
}

Fragment EmulatedWarpMatrixOps::loadBTransposed(OpBuilder &b, Location loc,
                                                Value smem, Value k0, Value n0,
                                                Value lane) {
  return loadBElements(b, loc, smem, k0, n0, lane, /*nMajor=*/false);
}

Fragment EmulatedWarpMatrixOps::mma(OpBuilder &b, Location loc,
                                    const Fragment &a, const Fragment &bf,
                                    const Fragment &c, Value lane) {
  LaneCoords at(b, loc, lane);
  Value warp = arith::DivUIOp::create(b, loc, threadId,
                                      LaneCoords::idx(b, loc, 32));
  auto toF32 = [&](Value x) -> Value {
    return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  };
  // Every lane puts its A and B elements where they belong in the warp's
  // 16x16 and 16x8 tiles; then each computes its own C elements.
  for (int64_t i = 0; i < 8; ++i) {
    auto [r, col] = at.a(i);
    memref::StoreOp::create(b, loc, toF32(a[i]), aScratch,
                            ValueRange{warp, r, col});
  }
  for (int64_t i = 0; i < 4; ++i) {
    auto [k, n] = at.bk(i);
    memref::StoreOp::create(b, loc, toF32(bf[i]), bScratch,
                            ValueRange{warp, k, n});
  }
  gpu::BarrierOp::create(b, loc);
  SmallVector<std::pair<Value, Value>> coords;
  for (int64_t i = 0; i < 4; ++i)
    coords.push_back(at.c(i));
  auto loop = scf::ForOp::create(b, loc, LaneCoords::idx(b, loc, 0),
                                 LaneCoords::idx(b, loc, 16),
                                 LaneCoords::idx(b, loc, 1), ValueRange(c));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVar();
    SmallVector<Value> next;
    for (int64_t i = 0; i < 4; ++i) {
      Value x = memref::LoadOp::create(b, loc, aScratch,
                                       ValueRange{warp, coords[i].first, k});
      Value y = memref::LoadOp::create(b, loc, bScratch,
                                       ValueRange{warp, k, coords[i].second});
      next.push_back(
          math::FmaOp::create(b, loc, x, y, loop.getRegionIterArgs()[i]));
    }
    scf::YieldOp::create(b, loc, next);
  }
  // The scratch is free again once every lane has read it.
  gpu::BarrierOp::create(b, loc);
  return Fragment(loop.getResults().begin(), loop.getResults().end());
}

Value EmulatedWarpMatrixOps::shuffleXor(OpBuilder &b, Location loc, Value x,
                                        int64_t mask, Value lane) {
  memref::StoreOp::create(b, loc, x, shuffleScratch, ValueRange{threadId});
  gpu::BarrierOp::create(b, loc);
  // threadId ^ mask stays in the warp: mask < 32.
  Value other = arith::XOrIOp::create(b, loc, threadId,
                                      LaneCoords::idx(b, loc, mask));
  Value y = memref::LoadOp::create(b, loc, shuffleScratch, ValueRange{other});
  gpu::BarrierOp::create(b, loc);
  return y;
}

//===----------------------------------------------------------------------===//
// Warpgroup products
//===----------------------------------------------------------------------===//

WarpgroupMatrixOps::~WarpgroupMatrixOps() = default;

namespace {
/// Index arithmetic with constant operands, for the layout offsets below.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return LaneCoords::idx(b, loc, v); }
  Value div(Value x, int64_t v) { return arith::DivUIOp::create(b, loc, x, c(v)); }
  Value rem(Value x, int64_t v) { return arith::RemUIOp::create(b, loc, x, c(v)); }
  Value mul(Value x, int64_t v) { return arith::MulIOp::create(b, loc, x, c(v)); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
};
} // namespace

Value mlir::attn::emitTiledOffset(OpBuilder &b, Location loc, Value row,
                                  Value col, int64_t cols) {
  IndexMath m{b, loc};
  Value block = m.add(m.mul(m.div(row, 8), cols / 8), m.div(col, 8));
  Value inBlock = m.add(m.mul(m.rem(row, 8), 8), m.rem(col, 8));
  return m.add(m.mul(block, 64), inBlock);
}

AsyncTileCopies::~AsyncTileCopies() = default;

Value mlir::attn::emitWarpgroupOperandOffset(OpBuilder &b, Location loc,
                                             const WarpgroupOperand &operand,
                                             Value row, Value col) {
  int64_t w = operand.swizzleBytes;
  if (w == 0)
    return emitTiledOffset(b, loc, row, col, operand.cols);
  IndexMath m{b, loc};
  // Byte address of the unswizzled layout: column blocks of w / 2 columns,
  // rows of w bytes in each.
  int64_t blockCols = w / 2;
  Value bytes = m.add(m.add(m.mul(m.div(col, blockCols), operand.rows * w),
                            m.mul(row, w)),
                      m.mul(m.rem(col, blockCols), 2));
  // The swizzle: the 16-byte chunk index (bits [4, 4 + s)) XOR bits
  // [7, 7 + s), s = log2(w / 16).
  int64_t chunks = w / 16;
  Value chunk = m.rem(m.div(bytes, 16), chunks);
  Value phase = m.rem(m.div(bytes, 128), chunks);
  Value swizzled = arith::XOrIOp::create(b, loc, chunk, phase);
  bytes = m.add(arith::SubIOp::create(b, loc, bytes, m.mul(chunk, 16)),
                m.mul(swizzled, 16));
  return m.div(bytes, 2);
}

SmallVector<Value> EmulatedWarpgroupMatrixOps::mma(
    OpBuilder &b, Location loc, const WarpgroupOperand &a,
    const WarpgroupOperand &bOperand, bool bKMajor, int64_t n, int64_t kSteps,
    ValueRange acc, bool accumulate) {
  auto idx = [&](int64_t v) { return LaneCoords::idx(b, loc, v); };
  Value lane = arith::RemUIOp::create(b, loc, threadId, idx(32));
  Value warp = arith::DivUIOp::create(b, loc, threadId, idx(32));
  LaneCoords at(b, loc, lane);
  Value rowBase = arith::MulIOp::create(b, loc, warp, idx(16));
  // The thread's rows (two) and columns (two per 8) of D: the C fragment
  // layout repeated along n (WarpMatrixOps.h).
  SmallVector<Value> init;
  for (int64_t e = 0; e < n / 2; ++e)
    init.push_back(accumulate ? acc[e]
                              : arith::ConstantOp::create(
                                    b, loc, b.getF32FloatAttr(0.0)));
  Value rowOf[2];
  for (int64_t h = 0; h < 2; ++h)
    rowOf[h] = at.add(rowBase, at.add(at.g, 8 * h));
  auto loop = scf::ForOp::create(b, loc, idx(0), idx(16 * kSteps), idx(1),
                                 init);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value k = loop.getInductionVar();
  auto load = [&](const WarpgroupOperand &operand, Value row,
                  Value col) -> Value {
    Value x = memref::LoadOp::create(
        b, loc, operand.buffer,
        ValueRange{emitWarpgroupOperandOffset(b, loc, operand, row, col)});
    return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  };
  Value aOf[2] = {load(a, rowOf[0], k), load(a, rowOf[1], k)};
  SmallVector<Value> next;
  for (int64_t e = 0; e < n / 2; ++e) {
    Value col = at.add(at.twoT(), 8 * (e / 4) + e % 2);
    Value y = bKMajor ? load(bOperand, col, k) : load(bOperand, k, col);
    next.push_back(math::FmaOp::create(b, loc, aOf[e % 4 / 2], y,
                                       loop.getRegionIterArgs()[e]));
  }
  scf::YieldOp::create(b, loc, next);
  return SmallVector<Value>(loop.getResults());
}
