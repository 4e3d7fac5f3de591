//===- AttnToVector.cpp - attn.online_attention to vector code --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The CPU kernel generator. A bufferized `attn.online_attention` becomes the
// FlashAttention-2 forward pass (Dao, "FlashAttention-2", 2023) written in
// scf + vector ops; a bufferized `attn.partial_attention` (a split-K tile)
// the same loop on its key range, starting from and ending in its
// unnormalized (acc, max, sum) state:
//
//   for b, h (or KV group), query block [q0, q0 + nq):
//     [jlo, jhi) = keys that any row of the block can see
//     m = -inf, l = 0, acc = 0
//     for key block [kb, kb + nk) in [jlo, jhi):
//       Kt    = K[kb:kb+nk, :]^T                  (16x16 vector transposes,
//                                                  panels of 64 keys)
//       S     = Q K^T                             (register-tiled FMAs)
//       S     = mask(cap(scale * S) + bias)       (invisible keys -> -inf)
//       m'    = max(m, rowmax(S)); alpha = exp(m - m'); P = exp(S - m')
//       l     = alpha * l + rowsum(P); acc = alpha * acc + P V   (FMAs)
//     O = acc / l  (0 where no key was visible)
//
// Which keys a row sees comes from AttentionGeometry and the online-softmax
// algebra from OnlineSoftmax (shared with the portable decomposition); the
// exponential, reductions and scratch allocation from the target
// (CPUTargetInfo). When a tile holds several query heads of one KV head
// (GQA, split-K decode tiles), their rows are stacked, interleaved (row r =
// query r / G of head r % G), so that row positions stay non-decreasing and
// each K/V block is packed and read once for the whole group.
//
// With a bf16 `unit` in the op's lowering config, both products are bf16
// pair dot products with f32 accumulation (AVX512-BF16's vdpbf16ps, or the
// same arithmetic in plain vector ops): Kt holds pairs of the head dim, the
// V block is packed in pairs of keys, and P is rounded to bf16 for P V
// (docs/CodeGen.md, "bf16: the pair-dot kernel").
//
// Scratch buffers (Kt, S, acc and the per-row m, l, alpha, block max/sum and
// exponent offset) are stack buffers in an alloca
// scope per op instance, so each parallel tile owns its own (heap buffers
// when they would exceed 1 MiB, for very large head dims).
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/KernelDispatch.h"
#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/X86Vector/Transforms.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/MathExtras.h"

#include <functional>
#include <limits>
#include <numeric>

namespace mlir::attn {
#define GEN_PASS_DEF_CONVERTATTNTOVECTORPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// What the kernel needs of the op it lowers (either online form on
/// memrefs): operands, geometry and math.
struct KernelOperands {
  Value q, k, v, mask;
  /// The normalized output (online_attention) or the f32 accumulator
  /// (partial_attention).
  Value out;
  /// The running max and sum (partial_attention only).
  Value max, sum;
  Value queryOffset, keyOffset;
  AttentionGeometry geometry;
  double scale = 1.0;
  std::optional<double> softcap;
  bool partial = false;

  static KernelOperands get(OnlineAttentionOp op, OpBuilder &b) {
    KernelOperands k = common(op);
    k.out = op.getOutput();
    k.keyOffset = arith::ConstantIndexOp::create(b, op.getLoc(), 0);
    return k;
  }
  static KernelOperands get(PartialAttentionOp op, OpBuilder &) {
    KernelOperands k = common(op);
    k.out = op.getAcc(), k.max = op.getMax(), k.sum = op.getSum();
    k.keyOffset = op.getKeyOffset();
    k.partial = true;
    return k;
  }

private:
  template <typename OpTy>
  static KernelOperands common(OpTy op) {
    KernelOperands k;
    k.q = op.getQuery(), k.k = op.getKey(), k.v = op.getValue();
    k.mask = op.getMask();
    k.queryOffset = op.getQueryOffset();
    k.geometry = AttentionGeometry::get(op);
    k.scale = *op.getStaticScale(); // static D: checked by the caller
    if (FloatAttr cap = op.getSoftcapAttr())
      k.softcap = cap.getValueAsDouble();
    return k;
  }
};

/// Emits the kernel of one online form on memrefs.
class KernelEmitter {
public:
  KernelEmitter(ImplicitLocOpBuilder &b, const KernelOperands &operands,
                const CPUTargetInfo &target, MatmulUnit unit)
      : b(b), ops(operands), t(target), w(target.lanes()), unit(unit) {
    q = ops.q, k = ops.k, v = ops.v, mask = ops.mask, out = ops.out;
    auto kType = cast<MemRefType>(k.getType());
    auto qType = cast<MemRefType>(q.getType());
    d = kType.getDimSize(3);
    dv = cast<MemRefType>(v.getType()).getDimSize(3);
    dvPad = llvm::divideCeil(dv, w) * w;
    f32 = b.getF32Type();
    vecF32 = VectorType::get({w}, f32);
    pairs = unit != MatmulUnit::f32;
    amx = unit == MatmulUnit::amx || unit == MatmulUnit::amx_emulated;
    dPairs = llvm::divideCeil(d, 2);
    // AMX: whole 16-pair (32-element) steps of the head dim and 16-column
    // tiles of Dv.
    dPairsPad = amx ? llvm::alignTo(dPairs, kTileRows) : dPairs;
    accCols = amx ? llvm::alignTo(dvPad, kTileRows) : dvPad;
    vecPairs = VectorType::get({2 * w}, b.getBF16Type());
    // Stacked GQA rows: static head counts with several query heads per KV
    // head in this tile.
    if (!qType.isDynamicDim(1) && !kType.isDynamicDim(1) &&
        kType.getDimSize(1) > 0 && qType.getDimSize(1) > kType.getDimSize(1))
      group = qType.getDimSize(1) / kType.getDimSize(1);
    // Tiles with few rows do little work per K/V byte (decode): the loads
    // of the K packing and of P V wait on DRAM, and the hardware
    // prefetchers alone kept a 2-thread decode at 5-7 GB/s of K/V.
    constexpr int64_t kPrefetchMaxRows = 64;
    prefetchNextBlock = !qType.isDynamicDim(2) &&
                        group * qType.getDimSize(2) <= kPrefetchMaxRows;
    transposedScores = !pairs && !qType.isDynamicDim(2) && !mask &&
                       group * qType.getDimSize(2) <= w;
    widenOnce = !pairs && !transposedScores && !qType.getElementType().isF32();
    streamKV = transposedScores && kType.getElementType().isF32() &&
               cast<MemRefType>(v.getType()).getElementType().isF32();
    pairKeys =
        transposedScores && w % 2 == 0 && group * qType.getDimSize(2) <= w / 2;
    pairHeadDim = transposedScores && !pairKeys && !t.hasAVX512 && w % 4 == 0 &&
                  d % 2 == 0;
    if (mask) {
      auto mType = cast<ShapedType>(mask.getType());
      maskIsBias = isa<FloatType>(mType.getElementType());
      maskBcastB = !mType.isDynamicDim(0) && mType.getDimSize(0) == 1;
      maskBcastH = !mType.isDynamicDim(1) && mType.getDimSize(1) == 1;
    }
  }

  void emit();

private:
  // Small builders.
  Value cIdx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value cF32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, vecF32, scalar);
  }
  Value vConst(double v) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(v)));
  }
  Value minIdx(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value maxIdx(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value addIdx(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value subIdx(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value dim(Value v, int64_t i) { return memref::DimOp::create(b, v, i); }
  /// Widens `x` (scalar or vector) of a narrower float type to f32.
  Value toF32(Value x) {
    Type elt = getElementTypeOrSelf(x.getType());
    if (elt.isF32())
      return x;
    Type target = isa<VectorType>(x.getType())
                      ? Type(VectorType::get(cast<VectorType>(x.getType()).getShape(), f32))
                      : f32;
    return arith::ExtFOp::create(b, target, x);
  }
  /// Vector load of `n` lanes (static) at `indices` of `mem`, the rest 0,
  /// widened to f32.
  Value loadRow(Value mem, ValueRange indices, int64_t n) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    auto vt = VectorType::get({w}, elt);
    if (n >= w)
      return toF32(vector::LoadOp::create(b, vt, mem, indices));
    Value m = vector::ConstantMaskOp::create(
        b, VectorType::get({w}, b.getI1Type()), ArrayRef<int64_t>{n});
    Value pass = arith::ConstantOp::create(
        b, DenseElementsAttr::get(vt, b.getZeroAttr(elt)));
    return toF32(vector::MaskedLoadOp::create(b, vt, mem, indices, m, pass));
  }
  /// One step of a register tile: acc[i * n + j] += rows[i] * cols[j] for
  /// scalar `rows` (broadcast) and vector `cols`, as vector.fma.
  SmallVector<Value> outerProductStep(ValueRange accs, ArrayRef<Value> rows,
                                      ArrayRef<Value> cols) {
    SmallVector<Value> next;
    for (auto [i, row] : llvm::enumerate(rows)) {
      Value splatRow = splat(row);
      for (auto [j, col] : llvm::enumerate(cols))
        next.push_back(vector::FMAOp::create(b, splatRow, col,
                                             accs[i * cols.size() + j]));
    }
    return next;
  }
  // bf16 pairs (unit != f32): w f32 lanes of a vector hold w pairs of bf16
  // (2w bf16, element 2i in the low half of lane i), moved as f32 bits.
  Value asPairs(Value x) { return vector::BitCastOp::create(b, vecPairs, x); }
  /// The bf16 pair at `indices` of `mem` (a bf16 memref; the last index
  /// even) in every lane of `lanes` (default w); `odd` loads its first
  /// element only (the pair of an odd D's last element, 0 beside it: no
  /// read past the row).
  Value broadcastPair(Value mem, ValueRange indices, bool odd = false,
                      int64_t lanes = 0) {
    lanes = lanes ? lanes : w;
    auto pairType = VectorType::get({2}, b.getBF16Type());
    Value pair;
    if (!odd) {
      pair = vector::LoadOp::create(b, pairType, mem, indices);
    } else {
      Value m = vector::ConstantMaskOp::create(
          b, VectorType::get({2}, b.getI1Type()), ArrayRef<int64_t>{1});
      Value pass = arith::ConstantOp::create(
          b, DenseElementsAttr::get(pairType, b.getZeroAttr(b.getBF16Type())));
      pair = vector::MaskedLoadOp::create(b, pairType, mem, indices, m, pass);
    }
    Value bits = vector::BitCastOp::create(b, VectorType::get({1}, f32), pair);
    Value scalar = vector::ExtractOp::create(b, bits, ArrayRef<int64_t>{0});
    return vector::BitCastOp::create(
        b, VectorType::get({2 * lanes}, b.getBF16Type()),
        vector::BroadcastOp::create(b, VectorType::get({lanes}, f32), scalar));
  }
  /// acc[i] + x[2i] y[2i] + x[2i+1] y[2i+1] for the f32 lanes i of `acc`
  /// and the bf16 pairs of `x` and `y`: AVX512-BF16's vdpbf16ps
  /// (x86vector.avx512.dot), or for bf16_dot_emulated each bf16 widened
  /// exactly to f32 (its bits shifted into the high half) and two FMAs.
  Value dotPairs(Value acc, Value x, Value y) {
    auto accType = cast<VectorType>(acc.getType());
    if (unit == MatmulUnit::bf16_dot)
      return x86vector::DotBF16Op::create(b, accType, acc, x, y);
    auto vecI32 = VectorType::get(accType.getShape(), b.getI32Type());
    auto splatI32 = [&](int32_t v) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(v)));
    };
    Value shift = splatI32(16), high = splatI32(static_cast<int32_t>(0xffff0000u));
    auto halves = [&](Value pairsV) {
      Value bits = vector::BitCastOp::create(b, vecI32, pairsV);
      Value even = vector::BitCastOp::create(
          b, accType, arith::ShLIOp::create(b, bits, shift));
      Value odd = vector::BitCastOp::create(
          b, accType, arith::AndIOp::create(b, bits, high));
      return std::make_pair(even, odd);
    };
    auto [xEven, xOdd] = halves(x);
    auto [yEven, yOdd] = halves(y);
    return vector::FMAOp::create(b, xOdd, yOdd,
                                 vector::FMAOp::create(b, xEven, yEven, acc));
  }
  // AMX tiles (unit amx / amx_emulated): 16 rows of 64 bytes, bf16 operand
  // tiles [16, 32] and f32 accumulator tiles [16, 16], loaded from and
  // stored to rows of the second innermost dim of a memref. The emulated
  // unit keeps each tile in one of 8 stack buffers (the 8 tile registers:
  // `reg`) and computes tdpbf16ps with dotPairs.
  static constexpr int64_t kTileRows = 16;
  Type tileType(Type elt) {
    int64_t cols = elt.isBF16() ? 2 * kTileRows : kTileRows;
    if (unit == MatmulUnit::amx)
      return amx::TileType::get({kTileRows, cols}, elt);
    return MemRefType::get({kTileRows, cols}, elt);
  }
  /// The emulated unit's buffer of tile register `reg` (0-7) for tiles of
  /// `elt`.
  Value tileRegister(int reg, Type elt) {
    return emulatedTiles[reg + (elt.isBF16() ? 8 : 0)];
  }
  /// Indices of row `i` of a tile whose row 0 is at `indices`.
  SmallVector<Value> tileRow(ValueRange indices, Value i) {
    SmallVector<Value> idx(indices);
    idx[idx.size() - 2] = addIdx(idx[idx.size() - 2], i);
    return idx;
  }
  Value tileZero(int reg) {
    if (unit == MatmulUnit::amx)
      return amx::TileZeroOp::create(b, tileType(f32));
    Value tile = tileRegister(reg, f32);
    forLoop(cIdx(0), cIdx(kTileRows), cIdx(1), [&](Value i) {
      vector::StoreOp::create(
          b,
          arith::ConstantOp::create(
              b, DenseElementsAttr::get(VectorType::get({kTileRows}, f32),
                                        b.getF32FloatAttr(0.0))),
          tile, ValueRange{i, cIdx(0)});
    });
    return tile;
  }
  Value tileLoad(int reg, Value mem, ValueRange indices) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    if (unit == MatmulUnit::amx)
      return amx::TileLoadOp::create(b, tileType(elt), mem, indices);
    Value tile = tileRegister(reg, elt);
    auto rowType = VectorType::get({elt.isBF16() ? 2 * kTileRows : kTileRows}, elt);
    forLoop(cIdx(0), cIdx(kTileRows), cIdx(1), [&](Value i) {
      vector::StoreOp::create(
          b, vector::LoadOp::create(b, rowType, mem, tileRow(indices, i)),
          tile, ValueRange{i, cIdx(0)});
    });
    return tile;
  }
  void tileStore(Value mem, ValueRange indices, Value tile) {
    if (unit == MatmulUnit::amx) {
      amx::TileStoreOp::create(b, mem, indices, tile);
      return;
    }
    auto rowType = VectorType::get({kTileRows}, f32);
    forLoop(cIdx(0), cIdx(kTileRows), cIdx(1), [&](Value i) {
      vector::StoreOp::create(
          b, vector::LoadOp::create(b, rowType, tile, ValueRange{i, cIdx(0)}),
          mem, tileRow(indices, i));
    });
  }
  /// acc += lhs . rhs with lhs [16 rows, 16 pairs] and rhs [16 pairs, 16
  /// columns] of bf16 pairs (tdpbf16ps).
  Value tileMulF(Value lhs, Value rhs, Value acc) {
    if (unit == MatmulUnit::amx)
      return amx::TileMulFOp::create(b, acc.getType(), lhs, rhs, acc);
    auto accRow = VectorType::get({kTileRows}, f32);
    auto pairRow = VectorType::get({2 * kTileRows}, b.getBF16Type());
    forLoop(cIdx(0), cIdx(kTileRows), cIdx(1), [&](Value i) {
      Value row = vector::LoadOp::create(b, accRow, acc, ValueRange{i, cIdx(0)});
      row = forLoop(cIdx(0), cIdx(kTileRows), cIdx(1), ValueRange{row},
                    [&](Value p, ValueRange args) -> SmallVector<Value> {
                      Value col = arith::MulIOp::create(b, p, cIdx(2));
                      Value x = broadcastPair(lhs, ValueRange{i, col},
                                              /*odd=*/false, kTileRows);
                      Value y = vector::LoadOp::create(b, pairRow, rhs,
                                                       ValueRange{p, cIdx(0)});
                      return {dotPairs(args[0], x, y)};
                    })[0];
      vector::StoreOp::create(b, row, acc, ValueRange{i, cIdx(0)});
    });
    return acc;
  }
  /// A `for lb to ub step s` loop with iter args; `body` yields the new ones.
  SmallVector<Value>
  forLoop(Value lb, Value ub, Value step, ValueRange init,
          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, lb, ub, step, init,
        [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          SmallVector<Value> next = body(iv, args);
          scf::YieldOp::create(b, next);
        });
    return SmallVector<Value>(loop.getResults());
  }
  /// `numAccs` zero vectors accumulated over dd < `count` (the head dim, or
  /// its bf16 pairs) by `step(dd, n, accs)`, which covers [dd, dd + n): n =
  /// qkUnroll in each iteration of a loop (fewer loop-carried updates per
  /// FMA), then n = 1 for each index of the static remainder.
  /// `perIteration(dd, n)`, if given, is emitted at the start of each loop
  /// iteration.
  SmallVector<Value> emitHeadDimBlocks(
      int64_t numAccs, int64_t count,
      function_ref<SmallVector<Value>(Value, int64_t, ValueRange)> step,
      function_ref<void(Value, int64_t)> perIteration = nullptr) {
    int64_t unroll = std::max<int64_t>(t.qkUnroll, 1);
    int64_t dMain = count - count % unroll;
    SmallVector<Value> sums(numAccs, vConst(0.0));
    if (dMain > 0)
      sums = forLoop(cIdx(0), cIdx(dMain), cIdx(unroll), sums,
                     [&](Value dd, ValueRange accs) -> SmallVector<Value> {
                       if (perIteration)
                         perIteration(dd, unroll);
                       return step(dd, unroll, accs);
                     });
    for (int64_t dd = dMain; dd < count; ++dd)
      sums = step(cIdx(dd), 1, sums);
    return sums;
  }
  /// emitHeadDimBlocks with `step(dd, accs)` for one index at a time.
  SmallVector<Value> emitHeadDimReduction(
      int64_t numAccs, int64_t count,
      function_ref<SmallVector<Value>(Value, ValueRange)> step) {
    return emitHeadDimBlocks(
        numAccs, count,
        [&](Value dd, int64_t n, ValueRange accs) -> SmallVector<Value> {
          SmallVector<Value> next(accs);
          for (int64_t u = 0; u < n; ++u)
            next = step(n == 1 ? dd : addIdx(dd, cIdx(u)), next);
          return next;
        });
  }
  void forLoop(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    forLoop(lb, ub, step, ValueRange{},
            [&](Value iv, ValueRange) -> SmallVector<Value> {
              body(iv);
              return {};
            });
  }

  // Rows of a tile: with stacked heads (group > 1) row r of the tile's
  // outer index o (a KV head) is query r / G of head o * G + r % G;
  // otherwise row r is query r of head o.
  Value rowHead(Value outer, Value row) {
    if (group == 1)
      return outer;
    return addIdx(arith::MulIOp::create(b, outer, cIdx(group)),
                  arith::RemUIOp::create(b, row, cIdx(group)));
  }
  Value rowQuery(Value row) {
    if (group == 1)
      return row;
    return arith::DivUIOp::create(b, row, cIdx(group));
  }
  /// Key position of tile row `row` (non-decreasing in `row`).
  Value rowPos(Value row) { return addIdx(ops.queryOffset, rowQuery(row)); }
  /// geometry.emitVisibleColumns for tile rows q0 + loRow and q0 + hiRow
  /// and the key block [kb, kb + nk) of this tile's keys.
  std::pair<Value, Value> visibleColumns(Value q0, Value loRow, Value hiRow,
                                         Value kb, Value nk) {
    return ops.geometry.emitVisibleColumns(
        b, b.getLoc(), rowPos(addIdx(q0, loRow)), rowPos(addIdx(q0, hiRow)),
        addIdx(ops.keyOffset, kb), nk);
  }
  /// The online-softmax builders.
  OnlineSoftmax softmax() { return OnlineSoftmax(b, b.getLoc(), targetExp2); }

  // Kernel phases.
  void emitQueryBlock(Value bIdx, Value outer, Value kvh, Value q0);
  void emitPackKeys(Value bIdx, Value kvh, Value kb, Value nk);
  void emitPackValuePairs(Value bIdx, Value kvh, Value kb, Value nk);
  void emitRoundProbabilities(Value nq, Value nk);
  void emitPackQueryTiles(Value bIdx, Value outer, Value q0, Value nq);
  void emitWidenQueries(Value bIdx, Value outer, Value q0, Value nq);
  void emitScoresAMX(Value q0, Value nq, Value kb, Value nk);
  void emitAccumulateAMX(Value nq);
  void emitPackQueries(Value bIdx, Value outer, Value q0, Value nq);
  void emitScoresTransposed(Value bIdx, Value kvh, Value q0, Value nq,
                            Value kb, Value nk, Value jhi);
  void emitPrefetchLine(Value mem, Value bIdx, Value kvh, Value row, Value col);
  void emitPrefetchRows(Value bIdx, Value kvh, Value row);
  void emitStageBlock(Value bIdx, Value kvh, Value kb, Value nk,
                      bool withKeys = true);
  void emitSoftmaxTransposed(Value nq, Value nk);
  void emitPrefetchNextBlock(Value bIdx, Value kvh, Value kb, Value jhi);
  void emitScores(Value bIdx, Value outer, Value q0, Value nq, Value kb,
                  Value nk, const CPUTargetInfo::RegisterTiles &tiles);
  Value emitFullBlockTest(Value q0, Value lastRow, Value kb, Value nk);
  void emitSoftmax(Value bIdx, Value outer, Value q0, Value nq, Value kb,
                   Value nk, bool fullBlock);
  Value maxNumF(Value x, Value y) {
    return arith::MaxNumFOp::create(
        b, x, y,
        arith::FastMathFlagsAttr::get(b.getContext(),
                                      arith::FastMathFlags::nnan));
  }
  void emitFullBlockSoftmax(Value nq);
  void emitRowMaxUpdate(Value nq, double blockMaxScale);
  void emitRowSumUpdate(Value nq);
  void emitRowExp(OnlineSoftmax &sm, Value r, Value lo, Value hi, double scale);
  Value exp2(Value x) { return t.exp2(b, b.getLoc(), x); }
  void emitAccumulate(Value bIdx, Value kvh, Value q0, Value nq, Value kb,
                      Value nk, const CPUTargetInfo::RegisterTiles &tiles);
  void emitInitState(Value bIdx, Value outer, Value q0, Value nq);
  void emitFinalize(Value bIdx, Value outer, Value q0, Value nq);

  ImplicitLocOpBuilder &b;
  const KernelOperands &ops;
  const CPUTargetInfo &t;
  int64_t w;
  // The arithmetic of the two products; `pairs` for the bf16 units.
  MatmulUnit unit;
  bool pairs = false;
  // AMX tiles for both products (unit amx or amx_emulated).
  bool amx = false;
  // Head-dim pairs rounded up to whole 16-pair tile steps (AMX), the rows
  // of Kt.
  int64_t dPairsPad = 0;
  // Columns of the accumulator and of the packed V: Dv rounded up to the
  // vector width, and with AMX to whole 16-column tiles (the columns past
  // dvPad hold values nothing reads).
  int64_t accCols = 0;
  // AMX: the query block's rows as bf16 [rows][D rounded up to 32], zero
  // padded; the emulated tile registers.
  Value qTiles;
  SmallVector<Value> emulatedTiles;
  // Pairs of the head dim (the rows of Kt with pairs) and the vector of w
  // bf16 pairs.
  int64_t dPairs = 0;
  VectorType vecPairs;
  // With pairs: P rounded to bf16 ([blockQ][blockK]) and the V block in
  // pairs of keys ([blockK / 2][2 dvPad]: vPairs[j / 2, 2 e + j % 2] =
  // V[kb + j, e], the layout vdpbf16ps and AMX tile loads take (VNNI)).
  Value pBF16, vPairsBuf;
  Value q, k, v, mask, out;
  int64_t d, dv, dvPad;
  // Query heads stacked per KV head in a tile (1 = not stacked).
  int64_t group = 1;
  // Whether each key block prefetches the next one's K and V rows (tiles of
  // few rows, i.e. decode: streaming K/V is their bottleneck).
  bool prefetchNextBlock = false;
  // Tiles of at most w rows without a mask (decode) compute S^T = K Q^T:
  // one vector holds a key's scores for all rows, so K is read as it lies
  // (no K^T packing), and the online-softmax row max and sum are elementwise
  // over keys (no horizontal reductions).
  bool transposedScores = false;
  // The transposed form with f32 K and V reads them where they lie (no
  // staging copy) and prefetches the next key block while it computes (see
  // emitScoresTransposed).
  bool streamKV = false;
  // The transposed form for tiles of at most half a vector of rows: two keys
  // per score vector (see emitScoresTransposed), S^T stored as [keys / 2][w]
  // with key j's rows in lanes [(j % 2) * w / 2, ...).
  bool pairKeys = false;
  // The transposed form with more rows than half a vector, on a target
  // without AVX-512's embedded broadcasts: each broadcast carries two
  // elements of the head dim (see emitScoresTransposed), and Q^T holds, for
  // each pair of head-dim indices 2p, 2p + 1, two vectors (rows 2p and
  // 2p + 1 of qt) laid out for the horizontal add that finishes each score.
  bool pairHeadDim = false;
  /// The keys of one register tile of the transposed form's S^T: 8
  /// accumulators of one key (or, with pairKeys, two); with pairHeadDim 6
  /// keys of two accumulators each (12 of AVX2's 16 registers; 8 keys
  /// would spill).
  int64_t scoreTileKeys() const { return pairHeadDim ? 6 : 8; }
  int64_t scoreGroupKeys() const {
    return scoreTileKeys() * (pairKeys ? 2 : 1);
  }
  // f16/bf16 operands on the f32 unit (packed form): the query block's rows
  // are widened once into qWide ([blockQ][dPad] f32) and each key block's V
  // rows once into vStage, instead of a conversion at every use (a Q
  // element per column chunk of every key block, a V row per row group).
  bool widenOnce = false;
  Value qWide;
  // Q^T [d][w] and the per-row visible columns [lo, hi) ([w] i32 each) of
  // the transposed form; unless streamKV, its key block's K and V rows
  // copied contiguously as f32 ([blockK][dPad] and [blockK][dvPad]).
  Value qt, loCols, hiCols, kStage, vStage;
  int64_t dPad = 0;
  // The target's exp2, for the OnlineSoftmax builders (which keep a
  // reference to it).
  std::function<Value(OpBuilder &, Location, Value)> targetExp2 =
      [this](OpBuilder &nb, Location loc, Value x) { return t.exp2(nb, loc, x); };
  bool maskIsBias = false, maskBcastB = false, maskBcastH = false;
  Type f32;
  VectorType vecF32;
  // Columns per Kt panel: a multiple of every Q K^T register tile's.
  int64_t qkPanel = 0;
  // Scratch buffers.
  Value kt, s, acc, rowMax, rowSum, rowAlpha;
  // Per-row values of the current block for the row-vectorized bookkeeping
  // of full blocks: the raw max, then the sum; and the exponent offset
  // (OnlineSoftmax::expOffset, -m log2(e) unless the mask is additive).
  Value rowBlock, rowExpOffset;
  // Row scratch length: blockQ rounded up to the vector width.
  int64_t rowsPad = 0;
};

void KernelEmitter::emit() {
  int64_t bq = t.blockQ, bk = t.blockK;
  Value zero = cIdx(0), one = cIdx(1);
  // Scratch, 64-byte aligned, one set per op instance (per tile once tiled).
  // On the stack, inside the alloca scope that lowerOnlineAttentionToVector
  // opens: released at the end of the tile (stacksave/stackrestore), with no
  // allocator calls (heap buffers would cost a malloc/free per tile, and
  // glibc may return freed per-thread heap pages to the kernel, so tiles
  // could pay page faults). A few hundred KiB for the usual head dims; above
  // kMaxStackScratchBytes (huge D or Dv) the buffers go to the heap instead,
  // so that no thread's stack (8 MiB main, less for OpenMP workers) overflows.
  constexpr int64_t kMaxStackScratchBytes = 1 << 20;
  dPad = llvm::divideCeil(d, w) * w;
  int64_t scratchBytes =
      4 * (d * bk + bq * bk + bq * accCols + 5 * llvm::divideCeil(bq, w) * w +
           (transposedScores && !streamKV ? bk * (dPad + dvPad) : 0) +
           (widenOnce ? bq * dPad + bk * dvPad : 0)) +
      (pairs ? 2 * (bq * bk + bk * dvPad + bk * dPairsPad) : 0) +
      (amx ? 4 * bq * dPairsPad + 16 * 1024 : 0);
  bool onHeap = scratchBytes > kMaxStackScratchBytes;
  SmallVector<Value> heapBuffers;
  auto alloc = [&](ArrayRef<int64_t> shape) -> Value {
    return t.allocScratch(b, b.getLoc(), MemRefType::get(shape, f32),
                          /*alignmentBytes=*/64, onHeap, heapBuffers);
  };
  // Kt in panels of one register tile's columns: [bk / panel][d][panel], so
  // that the d-loop of a Q K^T tile reads one contiguous run (a narrower
  // tile, half of each panel row) instead of `panel` columns of d rows bk
  // floats apart (at D = 128 those rows, 512 B apart, map onto a quarter of
  // L1's sets and evict each other).
  qkPanel = std::lcm(t.tiles.qkVectors, t.denseTiles.qkVectors) * w;
  if (transposedScores) {
    // S^T [bk][w] (rounded up to whole groups of keys: the last group's
    // keys past the block repeat its last key, and their rows are written
    // but not read); Q^T instead of K^T.
    qt = alloc({d, w});
    s = alloc({static_cast<int64_t>(llvm::alignTo(bk, scoreGroupKeys())), w});
    if (!streamKV) {
      kStage = alloc({bk, dPad});
      vStage = alloc({bk, dvPad});
    }
    auto i32Type = MemRefType::get({w}, b.getI32Type());
    loCols = t.allocScratch(b, b.getLoc(), i32Type, 64, onHeap, heapBuffers);
    hiCols = t.allocScratch(b, b.getLoc(), i32Type, 64, onHeap, heapBuffers);
  } else {
    // With pairs, Kt's rows are pairs of the head dim: Kt[p, j] holds
    // (K[j, 2p], K[j, 2p + 1]) as the bits of one f32.
    Type bf16 = b.getBF16Type();
    kt = pairs ? t.allocScratch(b, b.getLoc(),
                                MemRefType::get({bk / qkPanel, dPairsPad,
                                                 2 * qkPanel},
                                                bf16),
                                64, onHeap, heapBuffers)
               : alloc({bk / qkPanel, d, qkPanel});
    s = alloc({bq, bk});
    if (widenOnce) {
      qWide = alloc({bq, dPad});
      vStage = alloc({bk, dvPad});
    }
    if (amx) {
      qTiles = t.allocScratch(b, b.getLoc(),
                              MemRefType::get({bq, 2 * dPairsPad}, bf16), 64,
                              onHeap, heapBuffers);
      // Kt rows past the head dim's pairs stay 0 (whole 16-pair steps).
      auto zeroPairs = arith::ConstantOp::create(
          b, DenseElementsAttr::get(vecPairs, b.getZeroAttr(bf16)));
      for (int64_t panel = 0; panel < bk / qkPanel; ++panel)
        for (int64_t p = dPairs; p < dPairsPad; ++p)
          for (int64_t c = 0; c < 2 * qkPanel; c += 2 * w)
            vector::StoreOp::create(b, zeroPairs, kt,
                                    ValueRange{cIdx(panel), cIdx(p), cIdx(c)});
      if (unit == MatmulUnit::amx_emulated) {
        for (int reg = 0; reg < 8; ++reg)
          emulatedTiles.push_back(alloc({kTileRows, kTileRows}));
        for (int reg = 0; reg < 8; ++reg)
          emulatedTiles.push_back(t.allocScratch(
              b, b.getLoc(), MemRefType::get({kTileRows, 2 * kTileRows}, bf16),
              64, onHeap, heapBuffers));
      }
    }
    if (pairs) {
      pBF16 = t.allocScratch(b, b.getLoc(), MemRefType::get({bq, bk}, bf16),
                             64, onHeap, heapBuffers);
      vPairsBuf = t.allocScratch(b, b.getLoc(),
                                 MemRefType::get({bk / 2, 2 * accCols}, bf16), 64,
                                 onHeap, heapBuffers);
    }
  }
  acc = alloc({bq, accCols});
  rowsPad = llvm::divideCeil(bq, w) * w;
  rowMax = alloc({rowsPad});
  rowSum = alloc({rowsPad});
  rowAlpha = alloc({rowsPad});
  rowBlock = alloc({rowsPad});
  rowExpOffset = alloc({rowsPad});

  // Outer index: the query head, or the KV head whose `group` query heads
  // are stacked into the rows.
  Value batch = dim(q, 0), hq = dim(q, 1), lq = dim(q, 2), hkv = dim(k, 1);
  Value outerCount = group == 1 ? hq : hkv;
  Value rows = group == 1 ? lq : arith::MulIOp::create(b, lq, cIdx(group));
  Value headsPerKV = arith::DivUIOp::create(b, hq, hkv);
  forLoop(zero, batch, one, [&](Value bIdx) {
    forLoop(zero, outerCount, one, [&](Value outer) {
      Value kvh = group == 1 ? Value(arith::DivUIOp::create(b, outer, headsPerKV))
                             : outer;
      forLoop(zero, rows, cIdx(bq),
              [&](Value q0) { emitQueryBlock(bIdx, outer, kvh, q0); });
    });
  });
  for (Value buffer : heapBuffers)
    memref::DeallocOp::create(b, buffer);
}

void KernelEmitter::emitQueryBlock(Value bIdx, Value outer, Value kvh,
                                   Value q0) {
  Value zero = cIdx(0), one = cIdx(1);
  Value rows = group == 1 ? dim(q, 2)
                          : Value(arith::MulIOp::create(b, dim(q, 2),
                                                        cIdx(group)));
  Value nq = minIdx(cIdx(t.blockQ), subIdx(rows, q0));
  Value lk = dim(k, 2);

  // Keys that some row of the block can see: [jlo, jhi).
  Value lastRow = subIdx(nq, one);
  Value jlo, jhi;
  std::tie(jlo, jhi) = visibleColumns(q0, zero, lastRow, zero, lk);

  emitInitState(bIdx, outer, q0, nq);

  if (transposedScores) {
    emitPackQueries(bIdx, outer, q0, nq);
    forLoop(jlo, jhi, cIdx(t.blockK), [&](Value kb) {
      Value nk = minIdx(cIdx(t.blockK), subIdx(jhi, kb));
      if (!streamKV)
        emitStageBlock(bIdx, kvh, kb, nk);
      emitScoresTransposed(bIdx, kvh, q0, nq, kb, nk, jhi);
      emitSoftmaxTransposed(nq, nk);
      emitAccumulate(bIdx, kvh, q0, nq, kb, nk, t.tiles);
    });
    emitFinalize(bIdx, outer, q0, nq);
    return;
  }

  if (amx)
    emitPackQueryTiles(bIdx, outer, q0, nq);
  if (widenOnce)
    emitWidenQueries(bIdx, outer, q0, nq);
  forLoop(jlo, jhi, cIdx(t.blockK), [&](Value kb) {
    Value nk = minIdx(cIdx(t.blockK), subIdx(jhi, kb));
    if (prefetchNextBlock)
      emitPrefetchNextBlock(bIdx, kvh, kb, jhi);
    emitPackKeys(bIdx, kvh, kb, nk);
    if (pairs)
      emitPackValuePairs(bIdx, kvh, kb, nk);
    if (widenOnce)
      emitStageBlock(bIdx, kvh, kb, nk, /*withKeys=*/false);
    auto emitBlock = [&](bool fullBlock) {
      // Whole visible blocks take the dense tiles; partial ones the op's
      // own (smaller for causal, window and chunk, which waste less of
      // them on invisible keys and rows).
      const CPUTargetInfo::RegisterTiles &tiles =
          fullBlock ? t.denseTiles : t.tiles;
      if (amx)
        emitScoresAMX(q0, nq, kb, nk);
      else
        emitScores(bIdx, outer, q0, nq, kb, nk, tiles);
      emitSoftmax(bIdx, outer, q0, nq, kb, nk, fullBlock);
      if (pairs)
        emitRoundProbabilities(nq, nk);
      if (amx)
        emitAccumulateAMX(nq);
      else
        emitAccumulate(bIdx, kvh, q0, nq, kb, nk, tiles);
    };
    // Blocks where every key is visible from every row skip the per-element
    // visibility work (most blocks of long sequences).
    if (Value full = emitFullBlockTest(q0, lastRow, kb, nk)) {
      auto ifOp = scf::IfOp::create(b, TypeRange{}, full,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      emitBlock(/*fullBlock=*/true);
      b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
      emitBlock(/*fullBlock=*/false);
    } else {
      emitBlock(/*fullBlock=*/false);
    }
  });
  emitFinalize(bIdx, outer, q0, nq);
}

/// The running state of rows [q0, q0 + nq): m = -inf, l = 0, acc = 0, or
/// for a partial op the state it was given.
void KernelEmitter::emitInitState(Value bIdx, Value outer, Value q0,
                                  Value nq) {
  Value zero = cIdx(0), one = cIdx(1);
  Value zeroV = vConst(0.0);
  // All rowsPad lanes, so that the row-vectorized steps see -inf and 0 (no
  // garbage, no denormals) in the lanes past nq.
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  for (int64_t r0 = 0; r0 < rowsPad; r0 += w) {
    vector::StoreOp::create(b, negInfV, rowMax, ValueRange{cIdx(r0)});
    vector::StoreOp::create(b, zeroV, rowSum, ValueRange{cIdx(r0)});
    vector::StoreOp::create(b, negInfV, rowBlock, ValueRange{cIdx(r0)});
  }
  if (!ops.partial) {
    forLoop(zero, nq, one, [&](Value r) {
      for (int64_t e = 0; e < dvPad; e += w)
        vector::StoreOp::create(b, zeroV, acc, ValueRange{r, cIdx(e)});
    });
    return;
  }
  forLoop(zero, nq, one, [&](Value r) {
    Value row = addIdx(q0, r);
    Value head = rowHead(outer, row), query = rowQuery(row);
    memref::StoreOp::create(
        b, memref::LoadOp::create(b, ops.max, ValueRange{bIdx, head, query}),
        rowMax, r);
    memref::StoreOp::create(
        b, memref::LoadOp::create(b, ops.sum, ValueRange{bIdx, head, query}),
        rowSum, r);
    for (int64_t e = 0; e < dvPad; e += w)
      vector::StoreOp::create(
          b, loadRow(out, ValueRange{bIdx, head, query, cIdx(e)}, dv - e), acc,
          ValueRange{r, cIdx(e)});
  });
}

/// Q^T[dd, r] = Q[b, head(q0 + r), query(q0 + r), dd] for r < nq, 0 for the
/// lanes past nq (their scores are 0 and never stored); with pairKeys in
/// both halves of the vector (lanes r and w / 2 + r); with pairHeadDim
/// rows dd and dd + 1 (dd even) hold the pair's two vectors for the
/// horizontal add (see below).
void KernelEmitter::emitPackQueries(Value bIdx, Value outer, Value q0,
                                    Value nq) {
  Value zeroV = vConst(0.0);
  forLoop(cIdx(0), cIdx(d), cIdx(1), [&](Value dd) {
    vector::StoreOp::create(b, zeroV, qt, ValueRange{dd, cIdx(0)});
  });
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value row = addIdx(q0, r);
    Value head = rowHead(outer, row), query = rowQuery(row);
    forLoop(cIdx(0), cIdx(d), cIdx(1), [&](Value dd) {
      Value x = toF32(
          memref::LoadOp::create(b, q, ValueRange{bIdx, head, query, dd}));
      if (pairHeadDim) {
        // hadd(A, B) sums lanes (2i, 2i + 1) of A into lane i and of B into
        // lane i + 2 of each 128-bit lane: rows 4l and 4l + 1 go to A, rows
        // 4l + 2 and 4l + 3 to B, at lanes 4l + 2 (r % 2) + dd % 2.
        Value two = cIdx(2), four = cIdx(4);
        Value parity = arith::RemUIOp::create(b, dd, two);
        Value within = arith::RemUIOp::create(b, r, four);
        Value qtRow =
            addIdx(subIdx(dd, parity), arith::DivUIOp::create(b, within, two));
        Value lane =
            addIdx(addIdx(subIdx(r, within),
                          arith::MulIOp::create(
                              b, arith::RemUIOp::create(b, within, two), two)),
                   parity);
        memref::StoreOp::create(b, x, qt, ValueRange{qtRow, lane});
        return;
      }
      memref::StoreOp::create(b, x, qt, ValueRange{dd, r});
      if (pairKeys)
        memref::StoreOp::create(b, x, qt,
                                ValueRange{dd, addIdx(r, cIdx(w / 2))});
    });
  });
}

/// S^T[j, :] = cap(scale * K[b, kvh, kb + j, :] Q^T) for the keys j < nk of
/// the block, -inf where a row cannot see the key: register tiles of
/// kKeys keys x one vector of rows, each step a Q^T row load and kKeys
/// broadcasts of K elements (no K^T packing or transposes), read from K
/// itself (streamKV) or from the block's staged rows. With pairKeys (the
/// rows fit half a vector) each register holds two keys, and S^T row j / 2
/// holds keys j and j + 1 (j even). With pairHeadDim each broadcast holds
/// two elements of a K row, for two FMAs (6 keys of two accumulators).
///
/// With streamKV, each iteration of the unrolled head-dim loop also
/// prefetches into L2 its share of the next key block's K and V lines,
/// so that the next block arrives while this one computes: decode reads
/// K and V from DRAM at about the rate of its arithmetic, and only
/// overlapping the two gets near the memory's bandwidth. Measured on the
/// AVX2 VM of docs/benchmarks.md (interleaved A/B, 2 threads), against
/// copying each block to scratch before computing on it (the previous
/// design) the two decode rows take 1.2-1.3x less time; prefetches issued
/// in one burst per block or per 8 keys are no better than the copy, and
/// issuing the V lines in the P V loop instead (one per key and Dv chunk,
/// faster than DRAM delivers them there) or two blocks ahead was 4-20%
/// slower.
void KernelEmitter::emitScoresTransposed(Value bIdx, Value kvh, Value q0,
                                         Value nq, Value kb, Value nk,
                                         Value jhi) {
  // kKeys accumulators, each one key (or, with pairKeys, two: lanes [0, h)
  // hold the rows' scores of key j, lanes [h, w) those of key j + 1).
  int64_t kKeys = scoreTileKeys();
  int64_t keysPerAcc = pairKeys ? 2 : 1, h = w / keysPerAcc;
  int64_t groupKeys = scoreGroupKeys();
  Type i32 = b.getI32Type();
  auto vecI32 = VectorType::get({w}, i32);
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  Value scale = splat(cF32(ops.scale));
  // Per lane, the first key of its accumulator that the lane's row sees and
  // the end of those keys: the visible columns [lo, hi) of row l % h, less
  // the lane's key offset l / h. Rows past nq see none. With pairKeys the
  // second key of a pair can lie past nk (it repeats the last key) and
  // takes -inf from hi <= nk.
  Value loV, hiV;
  bool restricts = ops.geometry.restrictsKeys();
  if (restricts || pairKeys) {
    Value zeroI = arith::ConstantOp::create(
        b, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(0)));
    vector::StoreOp::create(b, zeroI, loCols, ValueRange{cIdx(0)});
    vector::StoreOp::create(b, zeroI, hiCols, ValueRange{cIdx(0)});
    forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
      Value lo = cIdx(0), hi = nk;
      if (restricts)
        std::tie(lo, hi) = visibleColumns(q0, r, r, kb, nk);
      for (int64_t g = 0; g < keysPerAcc; ++g) {
        Value lane = addIdx(r, cIdx(g * h));
        memref::StoreOp::create(
            b, arith::IndexCastOp::create(b, i32, subIdx(lo, cIdx(g))), loCols,
            lane);
        memref::StoreOp::create(
            b, arith::IndexCastOp::create(b, i32, subIdx(hi, cIdx(g))), hiCols,
            lane);
      }
    });
    loV = vector::LoadOp::create(b, vecI32, loCols, ValueRange{cIdx(0)});
    hiV = vector::LoadOp::create(b, vecI32, hiCols, ValueRange{cIdx(0)});
  }
  Value lastKey = subIdx(nk, cIdx(1));
  Value lastVisible = subIdx(jhi, cIdx(1));
  forLoop(cIdx(0), nk, cIdx(groupKeys), [&](Value j0) {
    // Keys past nk repeat the last one (their scores land in unused rows of
    // S^T, or in lanes that take -inf).
    SmallVector<Value> keys;
    for (int64_t jj = 0; jj < groupKeys; ++jj) {
      Value key = minIdx(addIdx(j0, cIdx(jj)), lastKey);
      keys.push_back(streamKV ? addIdx(kb, key) : key);
    }
    // Where element dd of keys[jj]'s row lies: K itself or the staged rows.
    auto kElement = [&](int64_t jj,
                        Value dd) -> std::pair<Value, SmallVector<Value>> {
      if (streamKV)
        return {k, {bIdx, kvh, keys[jj], dd}};
      return {kStage, {keys[jj], dd}};
    };
    // `n` consecutive elements dd.. of the row of keys[jj].
    auto loadK = [&](int64_t jj, Value dd, int64_t n) -> Value {
      auto [mem, indices] = kElement(jj, dd);
      return vector::LoadOp::create(b, VectorType::get({n}, f32), mem, indices);
    };
    // n head-dim steps from dd: one broadcast K element per key, or with
    // pairKeys each pair's two rows of n elements loaded once and their
    // element u spread over the two halves (a shuffle instead of a second
    // FMA on half-empty vectors).
    auto step = [&](Value dd, int64_t n, ValueRange accs) {
      SmallVector<Value> next(accs), qv;
      for (int64_t u = 0; u < n; ++u)
        qv.push_back(vector::LoadOp::create(
            b, vecF32, qt, ValueRange{addIdx(dd, cIdx(u)), cIdx(0)}));
      if (pairKeys) {
        // Pair by pair (its two rows and one shuffled vector live at a
        // time: 16 registers hold the 8 accumulators, n <= 4 Q^T vectors
        // and those).
        for (int64_t a = 0; a < kKeys; ++a) {
          Value rowA = loadK(2 * a, dd, n), rowB = loadK(2 * a + 1, dd, n);
          for (int64_t u = 0; u < n; ++u) {
            SmallVector<int64_t> mask(h, u);
            mask.append(h, n + u);
            Value kv = vector::ShuffleOp::create(b, rowA, rowB, mask);
            next[a] = vector::FMAOp::create(b, kv, qv[u], next[a]);
          }
        }
        return next;
      }
      for (int64_t u = 0; u < n; ++u) {
        Value du = addIdx(dd, cIdx(u));
        for (int64_t a = 0; a < kKeys; ++a) {
          auto [mem, indices] = kElement(a, du);
          Value kv = splat(memref::LoadOp::create(b, mem, indices));
          next[a] = vector::FMAOp::create(b, kv, qv[u], next[a]);
        }
      }
      return next;
    };
    // The groupKeys rows of K (V) the next block has where this group has
    // its keys, taken as one run of groupKeys * D (Dv) elements: the
    // iteration at dd prefetches its proportional share of both runs, lines
    // of 16 f32 from element dd * groupKeys * cols / D on. Rows are clamped
    // to the last visible key.
    auto prefetchNext = [&](Value dd, int64_t unroll) {
      constexpr int64_t kLine = 16;
      Value next = addIdx(addIdx(kb, cIdx(t.blockK)), j0);
      for (auto [mem, cols] : {std::make_pair(k, d), std::make_pair(v, dv)}) {
        Value start =
            cols == d
                ? Value(arith::MulIOp::create(b, dd, cIdx(groupKeys)))
                : Value(arith::DivUIOp::create(
                      b, arith::MulIOp::create(b, dd, cIdx(groupKeys * cols)),
                      cIdx(d)));
        Value colCount = cIdx(cols);
        int64_t lines = llvm::divideCeil(unroll * groupKeys * cols, d * kLine);
        for (int64_t l = 0; l < lines; ++l) {
          Value elt = addIdx(start, cIdx(l * kLine));
          Value row =
              minIdx(addIdx(next, arith::DivUIOp::create(b, elt, colCount)),
                     lastVisible);
          emitPrefetchLine(mem, bIdx, kvh, row,
                           arith::RemUIOp::create(b, elt, colCount));
        }
      }
    };
    // With pairHeadDim, per pair p of head-dim indices: one broadcast of
    // (K[j, 2p], K[j, 2p + 1]) per key and two FMAs (Q^T rows 2p and
    // 2p + 1: half of the rows each, both indices), then one horizontal add
    // per key at the end. Without AVX-512's broadcast operands every FMA of
    // the plain form needs its own broadcast instruction; this halves them
    // (the 8/1 decode row on AVX2: 1.095x less time per call with K and V
    // in cache, 1.03-1.04x from DRAM on two threads).
    auto stepPairs = [&](Value dp, int64_t n, ValueRange accs) {
      SmallVector<Value> next(accs);
      auto pairType = VectorType::get({2}, f32);
      SmallVector<int64_t> spread;
      for (int64_t l = 0; l < w; ++l)
        spread.push_back(l % 2);
      for (int64_t u = 0; u < n; ++u) {
        Value p = addIdx(dp, cIdx(u));
        Value qRow = arith::MulIOp::create(b, p, cIdx(2));
        Value qa =
            vector::LoadOp::create(b, vecF32, qt, ValueRange{qRow, cIdx(0)});
        Value qb = vector::LoadOp::create(
            b, vecF32, qt, ValueRange{addIdx(qRow, cIdx(1)), cIdx(0)});
        for (int64_t a = 0; a < kKeys; ++a) {
          auto [mem, indices] = kElement(a, qRow);
          Value pair = vector::LoadOp::create(b, pairType, mem, indices);
          Value kv = vector::ShuffleOp::create(b, pair, pair, spread);
          next[2 * a] = vector::FMAOp::create(b, kv, qa, next[2 * a]);
          next[2 * a + 1] = vector::FMAOp::create(b, kv, qb, next[2 * a + 1]);
        }
      }
      return next;
    };
    SmallVector<Value> sums;
    if (pairHeadDim) {
      auto prefetchPairs = [&](Value dp, int64_t n) {
        prefetchNext(arith::MulIOp::create(b, dp, cIdx(2)), 2 * n);
      };
      SmallVector<Value> halves =
          streamKV
              ? emitHeadDimBlocks(2 * kKeys, d / 2, stepPairs, prefetchPairs)
              : emitHeadDimBlocks(2 * kKeys, d / 2, stepPairs);
      // hadd: in each 128-bit lane l, lanes 2i + (0, 1) of A into 4l + i
      // and of B into 4l + 2 + i (i < 2).
      SmallVector<int64_t> even, odd;
      for (int64_t l = 0; l < w; l += 4) {
        for (int64_t src : {l, l + 2, w + l, w + l + 2}) {
          even.push_back(src);
          odd.push_back(src + 1);
        }
      }
      for (int64_t a = 0; a < kKeys; ++a)
        sums.push_back(arith::AddFOp::create(
            b,
            vector::ShuffleOp::create(b, halves[2 * a], halves[2 * a + 1],
                                      even),
            vector::ShuffleOp::create(b, halves[2 * a], halves[2 * a + 1],
                                      odd)));
    } else {
      sums = streamKV ? emitHeadDimBlocks(kKeys, d, step, prefetchNext)
                      : emitHeadDimBlocks(kKeys, d, step);
    }
    for (int64_t a = 0; a < kKeys; ++a) {
      Value sv = arith::MulFOp::create(b, sums[a], scale);
      if (ops.softcap) {
        Value th = math::TanhOp::create(
            b, arith::MulFOp::create(b, sv, splat(cF32(1.0 / *ops.softcap))));
        sv = arith::MulFOp::create(b, th, splat(cF32(*ops.softcap)));
      }
      Value j = addIdx(j0, cIdx(keysPerAcc * a));
      if (loV) {
        Value jv = vector::BroadcastOp::create(
            b, vecI32, arith::IndexCastOp::create(b, i32, j));
        Value vis = arith::AndIOp::create(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, jv, loV),
            arith::CmpIOp::create(b, arith::CmpIPredicate::slt, jv, hiV));
        sv = arith::SelectOp::create(b, vis, sv, negInfV);
      }
      Value sRow = pairKeys
                       ? addIdx(arith::DivUIOp::create(b, j0, cIdx(2)), cIdx(a))
                       : j;
      vector::StoreOp::create(b, sv, s, ValueRange{sRow, cIdx(0)});
    }
  });
}

/// kStage[j, :] = K[b, kvh, kb + j, :] (unless !withKeys) and vStage[j, :] =
/// V[b, kvh, kb + j, :] for j < nk, widened to f32 (columns past D and Dv
/// zero): a plain sequential copy of the block's rows, so that each element
/// of f16/bf16 operands is converted once per block. The packed form stages
/// V only (its K is widened as it is packed); the transposed form stages
/// both unless they are f32 (streamKV reads f32 K and V in place).
void KernelEmitter::emitStageBlock(Value bIdx, Value kvh, Value kb, Value nk,
                                    bool withKeys) {
  forLoop(cIdx(0), nk, cIdx(1), [&](Value j) {
    Value key = addIdx(kb, j);
    for (auto [mem, stage, cols, pad] :
         {std::make_tuple(k, kStage, d, dPad), std::make_tuple(v, vStage, dv, dvPad)}) {
      if (mem == k && !withKeys)
        continue;
      for (int64_t e = 0; e < pad; e += w)
        vector::StoreOp::create(
            b, loadRow(mem, ValueRange{bIdx, kvh, key, cIdx(e)}, cols - e),
            stage, ValueRange{j, cIdx(e)});
    }
  });
}

/// The online-softmax step of the transposed form: the block's row maxima
/// and sums are elementwise over its keys' score vectors; P^T overwrites S^T.
/// With pairKeys each vector holds two keys, and the halves are combined
/// after the elementwise pass (the row statistics sit in lanes [0, w / 2)).
void KernelEmitter::emitSoftmaxTransposed(Value nq, Value nk) {
  OnlineSoftmax sm = softmax();
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  int64_t h = w / 2;
  // v with its halves swapped, and v's low half in both halves.
  SmallVector<int64_t> swapHalves, lowTwice;
  for (int64_t l = 0; l < w; ++l) {
    swapHalves.push_back((l + h) % w);
    lowTwice.push_back(l % h);
  }
  Value vectors =
      pairKeys ? Value(arith::CeilDivUIOp::create(b, nk, cIdx(2))) : nk;
  Value blockMax = forLoop(cIdx(0), vectors, cIdx(1), ValueRange{negInfV},
                           [&](Value j, ValueRange args) -> SmallVector<Value> {
                             Value sv = vector::LoadOp::create(
                                 b, vecF32, s, ValueRange{j, cIdx(0)});
                             return {sm.max(args[0], sv)};
                           })[0];
  if (pairKeys)
    blockMax = sm.max(
        blockMax, vector::ShuffleOp::create(b, blockMax, blockMax, swapHalves));
  vector::StoreOp::create(b, blockMax, rowBlock, ValueRange{cIdx(0)});
  emitRowMaxUpdate(nq, /*blockMaxScale=*/1.0);
  Value expOffset =
      vector::LoadOp::create(b, vecF32, rowExpOffset, ValueRange{cIdx(0)});
  if (pairKeys)
    expOffset = vector::ShuffleOp::create(b, expOffset, expOffset, lowTwice);
  Value blockSum = forLoop(cIdx(0), vectors, cIdx(1), ValueRange{vConst(0.0)},
                           [&](Value j, ValueRange args) -> SmallVector<Value> {
                             Value sv = vector::LoadOp::create(
                                 b, vecF32, s, ValueRange{j, cIdx(0)});
                             Value p = sm.exp(sv, expOffset);
                             vector::StoreOp::create(b, p, s,
                                                     ValueRange{j, cIdx(0)});
                             return {arith::AddFOp::create(b, args[0], p)};
                           })[0];
  if (pairKeys)
    blockSum = arith::AddFOp::create(
        b, blockSum,
        vector::ShuffleOp::create(b, blockSum, blockSum, swapHalves));
  vector::StoreOp::create(b, blockSum, rowBlock, ValueRange{cIdx(0)});
  emitRowSumUpdate(nq);
}

/// Prefetches the line of mem[b, kvh, row, col] into L2 (x86 prefetcht1),
/// for a later key block, which the current one's work should not evict
/// from L1.
void KernelEmitter::emitPrefetchLine(Value mem, Value bIdx, Value kvh,
                                     Value row, Value col) {
  memref::PrefetchOp::create(b, mem, ValueRange{bIdx, kvh, row, col},
                             /*isWrite=*/false, /*localityHint=*/2,
                             /*isDataCache=*/true);
}

/// Prefetches K[b, kvh, row, :] and V[b, kvh, row, :] into the caches, one
/// prefetch per 64-byte line.
void KernelEmitter::emitPrefetchRows(Value bIdx, Value kvh, Value row) {
  for (Value mem : {k, v}) {
    auto type = cast<MemRefType>(mem.getType());
    int64_t bits = type.getElementTypeBitWidth();
    int64_t perLine = 512 / bits;
    int64_t cols = type.getDimSize(3);
    for (int64_t c = 0; c < cols; c += perLine)
      memref::PrefetchOp::create(b, mem, ValueRange{bIdx, kvh, row, cIdx(c)},
                                 /*isWrite=*/false, /*localityHint=*/3,
                                 /*isDataCache=*/true);
  }
}

/// Prefetches the K and V rows of the key block after [kb, kb + blockK)
/// (clamped to the last visible key, jhi - 1): the packed form, whose K
/// packing leaves no natural place to spread them.
void KernelEmitter::emitPrefetchNextBlock(Value bIdx, Value kvh, Value kb,
                                          Value jhi) {
  Value next = addIdx(kb, cIdx(t.blockK));
  Value last = subIdx(jhi, cIdx(1));
  forLoop(cIdx(0), cIdx(t.blockK), cIdx(1), [&](Value j) {
    emitPrefetchRows(bIdx, kvh, minIdx(addIdx(next, j), last));
  });
}

/// Kt[dd, j] = K[b, kvh, kb + j, dd] for j < nk, in w x w blocks: w rows of
/// K are loaded as vectors, transposed in registers and stored as w rows of
/// Kt. Rows past nk and columns past D are loaded as zeros (masked loads).
void KernelEmitter::emitPackKeys(Value bIdx, Value kvh, Value kb, Value nk) {
  Type kElt = cast<MemRefType>(k.getType()).getElementType();
  // A block's rows are w columns of Kt: w elements of the head dim, or with
  // pairs w pairs (2w bf16), moved as w f32.
  int64_t chunk = pairs ? 2 * w : w;
  auto rowType = VectorType::get({chunk}, kElt);
  auto maskType = VectorType::get({chunk}, b.getI1Type());
  auto tileType = VectorType::get({w, w}, f32);
  Value pass = arith::ConstantOp::create(
      b, DenseElementsAttr::get(rowType, b.getZeroAttr(kElt)));
  Value zeroTile = arith::ConstantOp::create(
      b, DenseElementsAttr::get(tileType, b.getF32FloatAttr(0.0)));
  forLoop(cIdx(0), nk, cIdx(w), [&](Value j0) {
    Value rowsLeft = subIdx(nk, j0);
    Value panel = arith::DivUIOp::create(b, j0, cIdx(qkPanel));
    Value panelCol = arith::RemUIOp::create(b, j0, cIdx(qkPanel));
    // Row masks for chunks of `cols` head-dim elements: all `cols` lanes
    // when row j0 + r exists, else none.
    auto rowMasks = [&](int64_t cols) {
      SmallVector<Value> masks;
      for (int64_t r = 0; r < w; ++r) {
        Value exists = arith::CmpIOp::create(b, arith::CmpIPredicate::slt,
                                             cIdx(r), rowsLeft);
        Value n = arith::SelectOp::create(b, exists, cIdx(cols), cIdx(0));
        masks.push_back(
            vector::CreateMaskOp::create(b, maskType, ValueRange{n}));
      }
      return masks;
    };
    // One w x w block: K[kb + j0 + r, d0 + c] -> Kt[d0 + c, j0 + r] (d0
    // and c count pairs with pairs).
    auto packBlock = [&](Value d0, int64_t cols, ArrayRef<Value> masks) {
      Value tile = zeroTile;
      Value elt = pairs ? Value(arith::MulIOp::create(b, d0, cIdx(2))) : d0;
      for (int64_t r = 0; r < w; ++r) {
        Value row = vector::MaskedLoadOp::create(
            b, rowType, k,
            ValueRange{bIdx, kvh, addIdx(kb, addIdx(j0, cIdx(r))), elt},
            masks[r], pass);
        Value lanes = pairs ? Value(vector::BitCastOp::create(b, vecF32, row))
                            : toF32(row);
        tile = vector::InsertOp::create(b, lanes, tile, ArrayRef<int64_t>{r});
      }
      Value tr = vector::TransposeOp::create(b, tile, ArrayRef<int64_t>{1, 0});
      for (int64_t c = 0; c < cols; ++c) {
        Value col = vector::ExtractOp::create(b, tr, ArrayRef<int64_t>{c});
        if (pairs)
          vector::StoreOp::create(
              b, asPairs(col), kt,
              ValueRange{panel, addIdx(d0, cIdx(c)),
                         arith::MulIOp::create(b, panelCol, cIdx(2))});
        else
          vector::StoreOp::create(
              b, col, kt, ValueRange{panel, addIdx(d0, cIdx(c)), panelCol});
      }
    };
    // Whole chunks of the head dim in a loop (one block of code, not D / w
    // copies: keeps the kernel small and its LLVM compile time short), the
    // partial chunk after it.
    int64_t cols = pairs ? dPairs : d;
    int64_t dFull = cols - cols % w;
    if (dFull > 0) {
      SmallVector<Value> masks = rowMasks(chunk);
      forLoop(cIdx(0), cIdx(dFull), cIdx(w),
              [&](Value d0) { packBlock(d0, w, masks); });
    }
    // The last chunk; with pairs and an odd D, its last pair's second bf16
    // is 0.
    if (cols % w != 0)
      packBlock(cIdx(dFull), cols % w,
                rowMasks(pairs ? d - 2 * dFull : cols % w));
  });
}

/// vPairs[jj, 2 e + t] = V[b, kvh, kb + 2 jj + t, e] for 2 jj + t < nk and
/// e < Dv, 0 elsewhere (the key past an odd nk, columns past Dv): the V
/// block in pairs of keys, two rows' chunks interleaved by one shuffle.
void KernelEmitter::emitPackValuePairs(Value bIdx, Value kvh, Value kb,
                                       Value nk) {
  Type bf16 = b.getBF16Type();
  auto rowType = VectorType::get({w}, bf16);
  auto maskType = VectorType::get({w}, b.getI1Type());
  Value pass = arith::ConstantOp::create(
      b, DenseElementsAttr::get(rowType, b.getZeroAttr(bf16)));
  SmallVector<int64_t> interleave;
  for (int64_t i = 0; i < w; ++i)
    interleave.append({i, w + i});
  // AMX's P V tiles take whole 32-key steps of the block: every pair of
  // the block is written (zeros past nk).
  Value keyPairs = amx ? cIdx(t.blockK / 2)
                       : Value(arith::CeilDivUIOp::create(b, nk, cIdx(2)));
  forLoop(cIdx(0), keyPairs, cIdx(1), [&](Value jj) {
    Value j0 = arith::MulIOp::create(b, jj, cIdx(2));
    Value j = addIdx(kb, j0);
    Value firstExists =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, j0, nk);
    Value second = arith::CmpIOp::create(b, arith::CmpIPredicate::slt,
                                         addIdx(j0, cIdx(1)), nk);
    for (int64_t e0 = 0; e0 < dvPad; e0 += w) {
      int64_t cols = std::max<int64_t>(std::min(w, dv - e0), 0);
      Value first;
      if (amx) {
        Value n0 = arith::SelectOp::create(b, firstExists, cIdx(cols), cIdx(0));
        first = vector::MaskedLoadOp::create(
            b, rowType, v, ValueRange{bIdx, kvh, j, cIdx(e0)},
            vector::CreateMaskOp::create(b, maskType, ValueRange{n0}), pass);
      } else if (cols == w) {
        first = vector::LoadOp::create(b, rowType, v,
                                       ValueRange{bIdx, kvh, j, cIdx(e0)});
      } else {
        first = vector::MaskedLoadOp::create(
            b, rowType, v, ValueRange{bIdx, kvh, j, cIdx(e0)},
            vector::ConstantMaskOp::create(b, maskType, ArrayRef<int64_t>{cols}),
            pass);
      }
      Value n = arith::SelectOp::create(b, second, cIdx(cols), cIdx(0));
      Value next = vector::MaskedLoadOp::create(
          b, rowType, v, ValueRange{bIdx, kvh, addIdx(j, cIdx(1)), cIdx(e0)},
          vector::CreateMaskOp::create(b, maskType, ValueRange{n}), pass);
      vector::StoreOp::create(
          b, vector::ShuffleOp::create(b, first, next, interleave), vPairsBuf,
          ValueRange{jj, cIdx(2 * e0)});
    }
  });
}

/// P rounded to bf16 for the P V product (the softmax statistics keep the
/// f32 P): every row's columns [0, nk) rounded up to whole vectors, all of
/// which the softmax step wrote; with AMX the whole block, 0 past those.
void KernelEmitter::emitRoundProbabilities(Value nq, Value nk) {
  auto bf16Vec = VectorType::get({w}, b.getBF16Type());
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    forLoop(cIdx(0), amx ? cIdx(t.blockK) : nk, cIdx(w), [&](Value c0) {
      Value p = vector::LoadOp::create(b, vecF32, s, ValueRange{r, c0});
      if (amx)
        p = arith::SelectOp::create(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::slt, c0, nk), p,
            vConst(0.0));
      Value rounded =
          unit == MatmulUnit::bf16_dot
              ? Value(x86vector::CvtPackedF32ToBF16Op::create(b, bf16Vec, p))
              : Value(arith::TruncFOp::create(b, bf16Vec, p));
      vector::StoreOp::create(b, rounded, pBF16, ValueRange{r, c0});
    });
  });
}

/// qWide[r, :] = Q[b, head(q0 + r), query(q0 + r), :] widened to f32 for
/// r < nq (columns past D zero).
void KernelEmitter::emitWidenQueries(Value bIdx, Value outer, Value q0,
                                     Value nq) {
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value row = addIdx(q0, r);
    Value head = rowHead(outer, row), query = rowQuery(row);
    for (int64_t e = 0; e < dPad; e += w)
      vector::StoreOp::create(
          b, loadRow(q, ValueRange{bIdx, head, query, cIdx(e)}, d - e), qWide,
          ValueRange{r, cIdx(e)});
  });
}

/// qTiles[r, :] = Q[b, head(q0 + r), query(q0 + r), :] for the rows of the
/// block's 32-row tile groups (rows past nq repeat row nq - 1), zero past D:
/// the operand rows of the AMX Q K^T tiles.
void KernelEmitter::emitPackQueryTiles(Value bIdx, Value outer, Value q0,
                                       Value nq) {
  Type bf16 = b.getBF16Type();
  auto rowType = VectorType::get({2 * w}, bf16);
  auto maskType = VectorType::get({2 * w}, b.getI1Type());
  Value pass = arith::ConstantOp::create(
      b, DenseElementsAttr::get(rowType, b.getZeroAttr(bf16)));
  Value lastRow = subIdx(nq, cIdx(1));
  Value rows = arith::MulIOp::create(
      b, arith::CeilDivUIOp::create(b, nq, cIdx(2 * kTileRows)),
      cIdx(2 * kTileRows));
  forLoop(cIdx(0), rows, cIdx(1), [&](Value r) {
    Value row = addIdx(q0, minIdx(r, lastRow));
    Value head = rowHead(outer, row), query = rowQuery(row);
    for (int64_t e0 = 0; e0 < 2 * dPairsPad; e0 += 2 * w) {
      int64_t cols = std::clamp<int64_t>(d - e0, 0, 2 * w);
      Value chunk =
          cols == 0 ? pass
                    : Value(vector::MaskedLoadOp::create(
                          b, rowType, q, ValueRange{bIdx, head, query, cIdx(e0)},
                          vector::ConstantMaskOp::create(
                              b, maskType, ArrayRef<int64_t>{cols}),
                          pass));
      vector::StoreOp::create(b, chunk, qTiles, ValueRange{r, cIdx(e0)});
    }
  });
}

/// S = Q K^T on AMX tiles: per group of 32 rows and 32 keys the group can
/// see, 2 x 2 accumulator tiles of 16 x 16, each 16-pair step of the head
/// dim one tdpbf16ps per tile (operands: 16 rows of qTiles and 16 pair rows
/// of Kt). The steps are unrolled: tiles stay out of loop-carried values.
void KernelEmitter::emitScoresAMX(Value q0, Value nq, Value kb, Value nk) {
  Value lastRow = subIdx(nq, cIdx(1));
  int64_t group = 2 * kTileRows;
  forLoop(cIdx(0), nq, cIdx(group), [&](Value r0) {
    auto [lo, hi] = visibleColumns(
        q0, r0, minIdx(addIdx(r0, cIdx(group - 1)), lastRow), kb, nk);
    Value start = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, lo, cIdx(group)), cIdx(group));
    forLoop(start, hi, cIdx(group), [&](Value c0) {
      Value acc[2][2];
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          acc[i][j] = tileZero(2 * i + j);
      for (int64_t step = 0; step < dPairsPad / kTileRows; ++step) {
        Value lhs[2], rhs[2];
        for (int i = 0; i < 2; ++i)
          lhs[i] = tileLoad(i, qTiles,
                            ValueRange{addIdx(r0, cIdx(kTileRows * i)),
                                       cIdx(2 * kTileRows * step)});
        for (int j = 0; j < 2; ++j) {
          Value key = addIdx(c0, cIdx(kTileRows * j));
          Value panel = arith::DivUIOp::create(b, key, cIdx(qkPanel));
          Value col = arith::RemUIOp::create(b, key, cIdx(qkPanel));
          rhs[j] = tileLoad(2 + j, kt,
                            ValueRange{panel, cIdx(kTileRows * step),
                                       arith::MulIOp::create(b, col, cIdx(2))});
        }
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j)
            acc[i][j] = tileMulF(lhs[i], rhs[j], acc[i][j]);
      }
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          tileStore(s,
                    ValueRange{addIdx(r0, cIdx(kTileRows * i)),
                               addIdx(c0, cIdx(kTileRows * j))},
                    acc[i][j]);
    });
  });
}

/// acc = alpha acc + P V on AMX tiles: per group of 32 rows and 32 columns
/// of Dv, 2 x 2 accumulator tiles loaded from acc, each 32-key step of the
/// block one tdpbf16ps per tile (operands: 16 rows of the bf16 P, 16 key
/// pairs of the packed V); P is 0 for keys no row sees.
void KernelEmitter::emitAccumulateAMX(Value nq) {
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value alpha = splat(memref::LoadOp::create(b, rowAlpha, r));
    for (int64_t e = 0; e < dvPad; e += w) {
      Value a = vector::LoadOp::create(b, vecF32, acc, ValueRange{r, cIdx(e)});
      vector::StoreOp::create(b, arith::MulFOp::create(b, a, alpha), acc,
                              ValueRange{r, cIdx(e)});
    }
  });
  int64_t group = 2 * kTileRows;
  forLoop(cIdx(0), nq, cIdx(group), [&](Value r0) {
    for (int64_t e0 = 0; e0 < accCols; e0 += group) {
      int colTiles = std::min<int64_t>(2, (accCols - e0) / kTileRows);
      Value tiles[2][2];
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < colTiles; ++j)
          tiles[i][j] = tileLoad(2 * i + j, acc,
                                 ValueRange{addIdx(r0, cIdx(kTileRows * i)),
                                            cIdx(e0 + kTileRows * j)});
      for (int64_t ks = 0; ks < t.blockK / group; ++ks) {
        Value lhs[2], rhs[2];
        for (int i = 0; i < 2; ++i)
          lhs[i] = tileLoad(i, pBF16,
                            ValueRange{addIdx(r0, cIdx(kTileRows * i)),
                                       cIdx(group * ks)});
        for (int j = 0; j < colTiles; ++j)
          rhs[j] = tileLoad(2 + j, vPairsBuf,
                            ValueRange{cIdx(kTileRows * ks),
                                       cIdx(2 * (e0 + kTileRows * j))});
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < colTiles; ++j)
            tiles[i][j] = tileMulF(lhs[i], rhs[j], tiles[i][j]);
      }
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < colTiles; ++j)
          tileStore(acc,
                    ValueRange{addIdx(r0, cIdx(kTileRows * i)),
                               cIdx(e0 + kTileRows * j)},
                    tiles[i][j]);
    }
  });
}

/// S[r, j] = sum_dd Q[b, head(q0 + r), query(q0 + r), dd] * Kt[dd, j] for
/// r < nq (rows past nq repeat row nq - 1 and land in unused scratch), over
/// the columns the row group can see: a qkRows x (qkVectors * w) register
/// tile accumulated over dd.
void KernelEmitter::emitScores(Value bIdx, Value outer, Value q0, Value nq,
                               Value kb, Value nk,
                               const CPUTargetInfo::RegisterTiles &tiles) {
  int64_t mr = tiles.qkRows, nv = tiles.qkVectors;
  Value one = cIdx(1), lastRow = subIdx(nq, one);
  Value chunkCols = cIdx(nv * w);
  forLoop(cIdx(0), nq, cIdx(mr), [&](Value r0) {
    SmallVector<Value> heads, queries;
    for (int64_t i = 0; i < mr; ++i) {
      Value row = addIdx(q0, minIdx(addIdx(r0, cIdx(i)), lastRow));
      heads.push_back(rowHead(outer, row));
      queries.push_back(rowQuery(row));
    }
    auto [lo, hi] = visibleColumns(q0, r0,
                                   minIdx(addIdx(r0, cIdx(mr - 1)), lastRow),
                                   kb, nk);
    // Chunks of nv * w columns stay aligned to the block (Kt and S rows hold
    // blockK columns, a multiple of nv * w).
    Value start = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, lo, chunkCols), chunkCols);
    forLoop(start, hi, chunkCols, [&](Value c0) {
      Value panel = arith::DivUIOp::create(b, c0, cIdx(qkPanel));
      Value panelCol = arith::RemUIOp::create(b, c0, cIdx(qkPanel));
      // One step of the dd reduction: the tile += Q[rows, dd] x Kt[dd, chunk].
      auto kvAt = [&](Value dd) {
        SmallVector<Value> kv;
        for (int64_t n = 0; n < nv; ++n) {
          Value col = addIdx(panelCol, cIdx(n * w));
          kv.push_back(
              pairs ? Value(vector::LoadOp::create(
                          b, vecPairs, kt,
                          ValueRange{panel, dd,
                                     arith::MulIOp::create(b, col, cIdx(2))}))
                    : Value(vector::LoadOp::create(b, vecF32, kt,
                                                   ValueRange{panel, dd, col})));
        }
        return kv;
      };
      auto step = [&](Value dd, ValueRange accs) -> SmallVector<Value> {
        SmallVector<Value> kv = kvAt(dd);
        SmallVector<Value> qs;
        for (int64_t i = 0; i < mr; ++i)
          qs.push_back(
              widenOnce
                  ? Value(memref::LoadOp::create(
                        b, qWide,
                        ValueRange{minIdx(addIdx(r0, cIdx(i)), lastRow), dd}))
                  : toF32(memref::LoadOp::create(
                        b, q, ValueRange{bIdx, heads[i], queries[i], dd})));
        return outerProductStep(accs, qs, kv);
      };
      // With pairs, one step of the reduction over pairs dd: the tile +=
      // (Q[rows, 2dd], Q[rows, 2dd + 1]) . Kt[dd, chunk], pairwise.
      auto pairStep = [&](Value dd, ValueRange accs,
                          bool odd) -> SmallVector<Value> {
        SmallVector<Value> kv = kvAt(dd);
        Value elt = arith::MulIOp::create(b, dd, cIdx(2));
        SmallVector<Value> next;
        for (int64_t i = 0; i < mr; ++i) {
          Value qPair = broadcastPair(
              q, ValueRange{bIdx, heads[i], queries[i], elt}, odd);
          for (int64_t n = 0; n < nv; ++n)
            next.push_back(dotPairs(accs[i * nv + n], qPair, kv[n]));
        }
        return next;
      };
      SmallVector<Value> sums;
      if (pairs) {
        sums = emitHeadDimReduction(
            mr * nv, d / 2, [&](Value dd, ValueRange accs) {
              return pairStep(dd, accs, /*odd=*/false);
            });
        if (d % 2 != 0)
          sums = pairStep(cIdx(d / 2), sums, /*odd=*/true);
      } else {
        sums = emitHeadDimReduction(mr * nv, d, step);
      }
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t n = 0; n < nv; ++n)
          vector::StoreOp::create(
              b, sums[i * nv + n], s,
              ValueRange{addIdx(r0, cIdx(i)), addIdx(c0, cIdx(n * w))});
    });
  });
}

/// Returns an i1 that holds when the key block [kb, kb + nk) is whole and
/// visible from every row in [q0, q0 + lastRow], or nullptr when the op can
/// never take the fast path (mask, softcap or a non-positive scale).
Value KernelEmitter::emitFullBlockTest(Value q0, Value lastRow, Value kb,
                                       Value nk) {
  if (mask || ops.softcap || ops.scale <= 0.0)
    return nullptr;
  return ops.geometry.emitIsFullBlock(
      b, b.getLoc(), rowPos(q0), rowPos(addIdx(q0, lastRow)),
      addIdx(ops.keyOffset, kb), nk, t.blockK);
}

/// Per row r < nq: scale, cap, bias and mask the scores of the block; update
/// the running max m, rescale factor alpha = exp(m_old - m_new) and sum l;
/// overwrite S with P = exp(S - m_new). Invisible keys get -inf and P = 0.
/// While no key of a row has been visible, m stays -inf and 0 stands in for
/// it in the exponent, so no NaN appears.
void KernelEmitter::emitSoftmax(Value bIdx, Value outer, Value q0, Value nq,
                                Value kb, Value nk, bool fullBlock) {
  if (fullBlock)
    return emitFullBlockSoftmax(nq);
  Type i32 = b.getI32Type();
  auto vecI32 = VectorType::get({w}, i32);
  auto maskType = VectorType::get({w}, b.getI1Type());
  Value one = cIdx(1);
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  Value scale = splat(cF32(ops.scale));
  std::optional<double> softcap = ops.softcap;
  Value lanes = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             vecI32, llvm::to_vector(llvm::map_range(
                         llvm::seq<int32_t>(0, w),
                         [&](int32_t i) -> Attribute {
                           return b.getI32IntegerAttr(i);
                         }))));
  auto toI32 = [&](Value idx) { return arith::IndexCastOp::create(b, i32, idx); };
  // Mask dims that are 1 broadcast: statically, or at run time when they
  // are dynamic (the tile of a unit dim is a unit dim).
  auto maskIndex = [&](int64_t d, bool bcast, Value idx) -> Value {
    if (bcast)
      return cIdx(0);
    if (!cast<MemRefType>(mask.getType()).isDynamicDim(d))
      return idx;
    Value unit =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                              memref::DimOp::create(b, mask, d), cIdx(1));
    return arith::SelectOp::create(b, unit, cIdx(0), idx);
  };
  Value maskB = mask ? maskIndex(0, maskBcastB, bIdx) : Value();

  // Visible columns [lo, hi) of row r relative to kb, within [0, nk] (so
  // they fit i32 comparisons with column indices), and the vectors that hold
  // them, [vlo, vhi).
  Value wIdx = cIdx(w);
  auto rowColumns = [&](Value r) {
    auto [lo, hi] = visibleColumns(q0, r, r, kb, nk);
    Value vlo = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, lo, wIdx), wIdx);
    Value vhi = arith::MulIOp::create(
        b, arith::CeilDivUIOp::create(b, hi, wIdx), wIdx);
    return std::make_tuple(lo, hi, vlo, vhi);
  };

  // 1. Per row: masked scores and their max (into rowBlock).
  forLoop(cIdx(0), nq, one, [&](Value r) {
    Value lo, hi, vlo, vhi;
    std::tie(lo, hi, vlo, vhi) = rowColumns(r);
    Value loV = vector::BroadcastOp::create(b, vecI32, toI32(lo));
    Value hiV = vector::BroadcastOp::create(b, vecI32, toI32(hi));
    Value row = addIdx(q0, r);
    Value maskH =
        mask ? maskIndex(1, maskBcastH, rowHead(outer, row)) : Value();
    Value maskRow = rowQuery(row);
    // Only the vectors that hold the row's visible columns are scored and
    // exponentiated (half of a causal diagonal block, the edge of a
    // window); the rest of the row's P is zero-filled, since P V reads the
    // columns that any row of its register tile sees.
    Value zeroV = vConst(0.0);
    forLoop(cIdx(0), vlo, wIdx, [&](Value c0) {
      vector::StoreOp::create(b, zeroV, s, ValueRange{r, c0});
    });
    forLoop(vhi, nk, wIdx, [&](Value c0) {
      vector::StoreOp::create(b, zeroV, s, ValueRange{r, c0});
    });
    Value blockMax =
        forLoop(vlo, hi, wIdx, ValueRange{negInfV},
                [&](Value c0, ValueRange args) -> SmallVector<Value> {
                  Value sv = vector::LoadOp::create(b, vecF32, s,
                                                    ValueRange{r, c0});
                  sv = arith::MulFOp::create(b, sv, scale);
                  if (softcap) {
                    Value cap = splat(cF32(*softcap));
                    Value inv = splat(cF32(1.0 / *softcap));
                    Value th = math::TanhOp::create(
                        b, arith::MulFOp::create(b, sv, inv));
                    sv = arith::MulFOp::create(b, th, cap);
                  }
                  Value cols = arith::AddIOp::create(
                      b, lanes,
                      vector::BroadcastOp::create(b, vecI32, toI32(c0)));
                  Value vis = arith::AndIOp::create(
                      b,
                      arith::CmpIOp::create(b, arith::CmpIPredicate::sge, cols,
                                            loV),
                      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, cols,
                                            hiV));
                  if (mask) {
                    Value inRange = vector::CreateMaskOp::create(
                        b, maskType, ValueRange{subIdx(nk, c0)});
                    Type mElt = cast<MemRefType>(mask.getType()).getElementType();
                    auto mVec = VectorType::get({w}, mElt);
                    Value pass = arith::ConstantOp::create(
                        b, DenseElementsAttr::get(mVec, b.getZeroAttr(mElt)));
                    Value mv = vector::MaskedLoadOp::create(
                        b, mVec, mask,
                        ValueRange{maskB, maskH, maskRow, addIdx(kb, c0)},
                        inRange,
                        pass);
                    if (maskIsBias) {
                      sv = arith::AddFOp::create(b, sv, toF32(mv));
                    } else {
                      Value zero8 = arith::ConstantOp::create(
                          b, DenseElementsAttr::get(mVec, b.getZeroAttr(mElt)));
                      vis = arith::AndIOp::create(
                          b, vis,
                          arith::CmpIOp::create(b, arith::CmpIPredicate::ne, mv,
                                                zero8));
                    }
                  }
                  sv = arith::SelectOp::create(b, vis, sv, negInfV);
                  vector::StoreOp::create(b, sv, s, ValueRange{r, c0});
                  return {maxNumF(args[0], sv)};
                })[0];
    memref::StoreOp::create(
        b, t.reduce(b, b.getLoc(), vector::CombiningKind::MAXNUMF, blockMax),
        rowBlock, r);
  });
  // 2. w rows at a time: m', alpha and the exponent offset.
  emitRowMaxUpdate(nq, /*blockMaxScale=*/1.0);
  // 3. Per row: P = exp(S - m') and its sum (into rowBlock).
  OnlineSoftmax sm = softmax();
  forLoop(cIdx(0), nq, one, [&](Value r) {
    Value hi, vlo;
    std::tie(std::ignore, hi, vlo, std::ignore) = rowColumns(r);
    emitRowExp(sm, r, vlo, hi, /*scale=*/1.0);
  });
  // 4. w rows at a time: l = alpha l + rowsum.
  emitRowSumUpdate(nq);
}

/// P = exp(scale * S[r, c] - m'_0) over the columns [lo, hi) of row r (lo a
/// multiple of w), written over S, and the row's sum of P into rowBlock[r].
void KernelEmitter::emitRowExp(OnlineSoftmax &sm, Value r, Value lo, Value hi,
                               double scale) {
  Value expOffset = splat(memref::LoadOp::create(b, rowExpOffset, r));
  Value blockSum =
      forLoop(lo, hi, cIdx(w), ValueRange{vConst(0.0)},
              [&](Value c0, ValueRange args) -> SmallVector<Value> {
                Value sv = vector::LoadOp::create(b, vecF32, s,
                                                  ValueRange{r, c0});
                Value p = sm.exp(sv, expOffset, scale);
                vector::StoreOp::create(b, p, s, ValueRange{r, c0});
                return {arith::AddFOp::create(b, args[0], p)};
              })[0];
  memref::StoreOp::create(
      b, t.reduce(b, b.getLoc(), vector::CombiningKind::ADD, blockSum),
      rowBlock, r);
}

/// The softmax step of a block whose keys are all visible from all rows (no
/// mask, no softcap, scale > 0): the max is taken on the raw scores and the
/// scale moves into the exponent, P = exp(scale * S - m) =
/// 2^((S scale - m) log2(e)).
void KernelEmitter::emitFullBlockSoftmax(Value nq) {
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  double scaleValue = ops.scale;
  OnlineSoftmax sm = softmax();
  Value step = cIdx(w), end = cIdx(t.blockK);
  // 1. Raw row maxima of the block.
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value rawMax =
        forLoop(cIdx(0), end, step, ValueRange{negInfV},
                [&](Value c0, ValueRange args) -> SmallVector<Value> {
                  Value sv = vector::LoadOp::create(b, vecF32, s,
                                                    ValueRange{r, c0});
                  return {maxNumF(args[0], sv)};
                })[0];
    memref::StoreOp::create(
        b, t.reduce(b, b.getLoc(), vector::CombiningKind::MAXNUMF, rawMax),
        rowBlock, r);
  });
  // 2. w rows at a time: m' = max(m, scale * rawmax), alpha, -m'.
  emitRowMaxUpdate(nq, scaleValue);
  // 3. P = 2^((S scale - m') log2(e)) and the row sums.
  forLoop(cIdx(0), nq, cIdx(1),
          [&](Value r) { emitRowExp(sm, r, cIdx(0), end, scaleValue); });
  // 4. w rows at a time: l = alpha l + rowsum.
  emitRowSumUpdate(nq);
}

/// The online-softmax max update of rows [0, nq), w rows per vector: with
/// the block's row maxima in rowBlock (times `blockMaxScale`), m' = max(m,
/// block max), alpha = 2^((m - m') log2(e)) and OnlineSoftmax::expOffset of
/// m' into rowMax, rowAlpha and rowExpOffset. While a row has seen no visible
/// key (m' = -inf), 0 stands in for m' (alpha = 0, and its -inf scores give P =
/// 0).
void KernelEmitter::emitRowMaxUpdate(Value nq, double blockMaxScale) {
  OnlineSoftmax sm = softmax();
  forLoop(cIdx(0), nq, cIdx(w), [&](Value r0) {
    Value mOld = vector::LoadOp::create(b, vecF32, rowMax, ValueRange{r0});
    Value mBlock = vector::LoadOp::create(b, vecF32, rowBlock, ValueRange{r0});
    if (blockMaxScale != 1.0)
      mBlock = arith::MulFOp::create(b, mBlock, vConst(blockMaxScale));
    Value mNew = sm.updateMax(mOld, mBlock);
    Value mSafe = sm.safeMax(mNew);
    vector::StoreOp::create(b, mNew, rowMax, ValueRange{r0});
    vector::StoreOp::create(b, sm.rescale(mOld, mSafe), rowAlpha,
                            ValueRange{r0});
    vector::StoreOp::create(b, sm.expOffset(mSafe), rowExpOffset,
                            ValueRange{r0});
  });
}

/// l = alpha l + (the block's row sums, in rowBlock), w rows per vector.
void KernelEmitter::emitRowSumUpdate(Value nq) {
  OnlineSoftmax sm = softmax();
  forLoop(cIdx(0), nq, cIdx(w), [&](Value r0) {
    Value l = vector::LoadOp::create(b, vecF32, rowSum, ValueRange{r0});
    Value alpha = vector::LoadOp::create(b, vecF32, rowAlpha, ValueRange{r0});
    Value sum = vector::LoadOp::create(b, vecF32, rowBlock, ValueRange{r0});
    vector::StoreOp::create(b, sm.updateSum(l, alpha, sum), rowSum,
                            ValueRange{r0});
  });
}

/// acc[r, :] = alpha[r] * acc[r, :] + sum_j P[r, j] * V[b, kvh, kb + j, :]:
/// a pvRows x (pvVectors * w) register tile per chunk of Dv, summed over the
/// keys of the block from 0, then added to the rescaled accumulator.
void KernelEmitter::emitAccumulate(Value bIdx, Value kvh, Value q0, Value nq,
                                   Value kb, Value nk,
                                   const CPUTargetInfo::RegisterTiles &tiles) {
  int64_t mr = tiles.pvRows;
  Value one = cIdx(1), lastRow = subIdx(nq, one);
  // Dv chunks outside, row groups inside: the chunk's slice of the V block
  // (32 KiB at 128 keys) stays in L1 while every row group uses it.
  for (int64_t e0 = 0; e0 < dvPad; e0 += tiles.pvVectors * w) {
    int64_t nv = std::min(tiles.pvVectors, (dvPad - e0) / w);
    forLoop(cIdx(0), nq, cIdx(mr), [&](Value r0) {
      // P is 0 outside the columns the group can see.
      auto [lo, hi] = visibleColumns(
          q0, r0, minIdx(addIdx(r0, cIdx(mr - 1)), lastRow), kb, nk);
      // Rows past nq repeat row nq - 1: their copies load, compute and store
      // the same values, and no row reads scratch that nothing wrote.
      SmallVector<Value> rows, alphas;
      for (int64_t i = 0; i < mr; ++i) {
        rows.push_back(minIdx(addIdx(r0, cIdx(i)), lastRow));
        alphas.push_back(splat(memref::LoadOp::create(b, rowAlpha, rows[i])));
      }
      // The block's P V is summed from 0 and enters the accumulator once,
      // acc = alpha acc + sum (OnlineSoftmax::updateAcc): summed into the
      // rescaled accumulator key by key instead, the probabilities below
      // half an ulp of the running total were lost one by one (at Lk =
      // 131072, outputs 3e-4 below a convex combination of ones).
      SmallVector<Value> init(mr * nv, vConst(0.0));
      // Every load before the first store: the copies of row nq - 1 must
      // all read its old accumulator.
      auto storeBlock = [&](ValueRange sums) {
        OnlineSoftmax sm = softmax();
        SmallVector<Value> old;
        for (int64_t i = 0; i < mr; ++i)
          for (int64_t n = 0; n < nv; ++n)
            old.push_back(vector::LoadOp::create(
                b, vecF32, acc, ValueRange{rows[i], cIdx(e0 + n * w)}));
        for (int64_t i = 0; i < mr; ++i)
          for (int64_t n = 0; n < nv; ++n)
            vector::StoreOp::create(
                b, sm.updateAcc(old[i * nv + n], alphas[i], sums[i * nv + n]),
                acc, ValueRange{rows[i], cIdx(e0 + n * w)});
      };
      if (pairs) {
        // Pairs of keys [lo / 2, ceil(hi / 2)): a key beside a visible one
        // has P = 0 (written by the softmax step) and packed V finite (or
        // 0 past nk).
        Value two = cIdx(2);
        SmallVector<Value> sums = forLoop(
            arith::DivUIOp::create(b, lo, two),
            arith::CeilDivUIOp::create(b, hi, two), one, init,
            [&](Value jj, ValueRange accs) -> SmallVector<Value> {
              SmallVector<Value> vv;
              for (int64_t n = 0; n < nv; ++n)
                vv.push_back(vector::LoadOp::create(
                    b, vecPairs, vPairsBuf,
                    ValueRange{jj, cIdx(2 * (e0 + n * w))}));
              Value col = arith::MulIOp::create(b, jj, two);
              SmallVector<Value> next;
              for (int64_t i = 0; i < mr; ++i) {
                Value pPair = broadcastPair(pBF16, ValueRange{rows[i], col});
                for (int64_t n = 0; n < nv; ++n)
                  next.push_back(dotPairs(accs[i * nv + n], pPair, vv[n]));
              }
              return next;
            });
        storeBlock(sums);
        return;
      }
      SmallVector<Value> sums = forLoop(
          lo, hi, one, init,
          [&](Value j, ValueRange accs) -> SmallVector<Value> {
            SmallVector<Value> vv;
            for (int64_t n = 0; n < nv; ++n)
              vv.push_back(
                  (transposedScores && !streamKV) || widenOnce
                      ? Value(vector::LoadOp::create(
                            b, vecF32, vStage, ValueRange{j, cIdx(e0 + n * w)}))
                      : loadRow(v,
                                ValueRange{bIdx, kvh, addIdx(kb, j),
                                           cIdx(e0 + n * w)},
                                dv - (e0 + n * w)));
            SmallVector<Value> ps;
            // With pairKeys key j's row r is S^T[j / 2, (j % 2) * w / 2 + r].
            Value sRow = j, laneBase;
            if (pairKeys) {
              sRow = arith::DivUIOp::create(b, j, cIdx(2));
              laneBase = arith::MulIOp::create(
                  b, arith::RemUIOp::create(b, j, cIdx(2)), cIdx(w / 2));
            }
            for (int64_t i = 0; i < mr; ++i)
              ps.push_back(memref::LoadOp::create(
                  b, s,
                  !transposedScores ? ValueRange{rows[i], j}
                  : pairKeys ? ValueRange{sRow, addIdx(laneBase, rows[i])}
                             : ValueRange{j, rows[i]}));
            return outerProductStep(accs, ps, vv);
          });
      storeBlock(sums);
    });
  }
}

/// O[b, head, query, :] = acc[r, :] / l[r], or 0 when l[r] == 0 (no key was
/// visible), converted to the output element type; for a partial op the
/// state (acc unnormalized, m, l) is written back instead.
void KernelEmitter::emitFinalize(Value bIdx, Value outer, Value q0, Value nq) {
  Type outElt = cast<MemRefType>(out.getType()).getElementType();
  auto outVec = VectorType::get({w}, outElt);
  OnlineSoftmax sm = softmax();
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value row = addIdx(q0, r);
    Value head = rowHead(outer, row), query = rowQuery(row);
    Value l = memref::LoadOp::create(b, rowSum, r);
    Value invV;
    if (ops.partial) {
      memref::StoreOp::create(b, memref::LoadOp::create(b, rowMax, r), ops.max,
                              ValueRange{bIdx, head, query});
      memref::StoreOp::create(b, l, ops.sum, ValueRange{bIdx, head, query});
    } else {
      invV = splat(sm.safeReciprocal(l));
    }
    for (int64_t e = 0; e < dvPad; e += w) {
      Value o = vector::LoadOp::create(b, vecF32, acc, ValueRange{r, cIdx(e)});
      if (invV)
        o = arith::MulFOp::create(b, o, invV);
      if (!outElt.isF32())
        o = arith::TruncFOp::create(b, outVec, o);
      SmallVector<Value> idx = {bIdx, head, query, cIdx(e)};
      if (dv - e >= w) {
        vector::StoreOp::create(b, o, out, idx);
        continue;
      }
      Value m = vector::ConstantMaskOp::create(
          b, VectorType::get({w}, b.getI1Type()), ArrayRef<int64_t>{dv - e});
      vector::MaskedStoreOp::create(b, out, idx, m, o);
    }
  });
}

} // namespace

/// The largest head dims of the AMX units (their Q K^T steps are unrolled).
static constexpr int64_t kMaxAMXHeadDim = 256;

/// The kernel of either online form: checks what the kernel needs, fits
/// the blocks of `config` to its register tiles and to the tile's rows, and
/// replaces `op` with the kernel in an alloca scope.
template <typename OpTy>
static LogicalResult lowerToVector(RewriterBase &rewriter, OpTy op,
                                   const CPUTargetInfo &target,
                                   LoweringConfigAttr config) {
  if (op.getNumResults() != 0)
    return op.emitOpError("expected memref operands (run bufferization first)");
  if (op.getKeyType().isDynamicDim(3) || op.getValueType().isDynamicDim(3) ||
      op.getKeyType().getDimSize(3) > CPUTargetInfo::kMaxHeadDim ||
      op.getValueType().getDimSize(3) > CPUTargetInfo::kMaxHeadDim)
    return op.emitOpError("vector lowering needs static head dims D and Dv "
                          "up to ")
           << CPUTargetInfo::kMaxHeadDim << ", found " << op.getKeyType()
           << " and " << op.getValueType()
           << " (-attn-decompose lowers the others)";
  if (!op.getQueryType().getElementType().isF32() &&
      !op.getQueryType().getElementType().isF16() &&
      !op.getQueryType().getElementType().isBF16())
    return op.emitOpError("vector lowering supports f32, f16 and bf16 "
                          "operands, found ")
           << op.getQueryType().getElementType();
  MatmulUnit unit = config.getUnit();
  if (unit != MatmulUnit::f32) {
    auto isBF16 = [](ShapedType type) { return type.getElementType().isBF16(); };
    if (!isBF16(op.getQueryType()) || !isBF16(op.getKeyType()) ||
        !isBF16(op.getValueType()))
      return op.emitOpError("unit = ")
             << stringifyMatmulUnit(unit)
             << " needs bf16 query, key and value, found "
             << op.getQueryType().getElementType() << ", "
             << op.getKeyType().getElementType() << " and "
             << op.getValueType().getElementType();
    if (failed(verifyUnitForTarget(op, unit, target)))
      return failure();
    if ((unit == MatmulUnit::amx || unit == MatmulUnit::amx_emulated) &&
        (op.getKeyType().getDimSize(3) > kMaxAMXHeadDim ||
         op.getValueType().getDimSize(3) > kMaxAMXHeadDim))
      return op.emitOpError("unit = ")
             << stringifyMatmulUnit(unit) << " takes head dims up to "
             << kMaxAMXHeadDim << ", found D = "
             << op.getKeyType().getDimSize(3)
             << " and Dv = " << op.getValueType().getDimSize(3);
  }
  if (Value mask = op.getMask();
      mask && cast<ShapedType>(mask.getType()).getElementType().isInteger(1))
    return op.emitOpError("vector lowering needs an i8 or float mask (i1 "
                          "masks are widened by -attn-convert-to-online)");
  // `tiles` for the op's partial blocks, `denseTiles` for whole ones.
  CPUTargetInfo t = applyLoweringConfig(target, config);
  int64_t w = t.lanes();
  // The register tiles must divide the blocks.
  int64_t keyMultiple = std::lcm(t.tiles.qkVectors, t.denseTiles.qkVectors) * w;
  // AMX: 32-key steps and 32-row tile groups.
  bool amx = unit == MatmulUnit::amx || unit == MatmulUnit::amx_emulated;
  if (amx)
    keyMultiple = std::lcm<int64_t>(keyMultiple, 32);
  t.blockK = std::max<int64_t>(llvm::divideCeil(t.blockK, keyMultiple), 1) *
             keyMultiple;
  int64_t rowMultiple =
      std::lcm(std::lcm(t.tiles.qkRows, t.tiles.pvRows),
               std::lcm(t.denseTiles.qkRows, t.denseTiles.pvRows));
  // A tile with fewer rows than a block (decode) gets a smaller block, and
  // smaller scratch: its rows (stacked GQA heads x queries) when static.
  ShapedType qType = op.getQueryType(), kType = op.getKeyType();
  if (!qType.isDynamicDim(1) && !qType.isDynamicDim(2) &&
      !kType.isDynamicDim(1) && kType.getDimSize(1) > 0) {
    int64_t heads = qType.getDimSize(1) / kType.getDimSize(1);
    int64_t rows = std::max<int64_t>(heads, 1) * qType.getDimSize(2);
    t.blockQ = std::min(t.blockQ, std::max<int64_t>(rows, 1));
  }
  if (amx)
    rowMultiple = std::lcm<int64_t>(rowMultiple, 32);
  t.blockQ = std::max<int64_t>(llvm::divideCeil(t.blockQ, rowMultiple), 1) *
             rowMultiple;

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  KernelOperands operands = KernelOperands::get(op, b);
  auto scope = memref::AllocaScopeOp::create(b, TypeRange{});
  Block *body = rewriter.createBlock(&scope.getBodyRegion());
  b.setInsertionPointToStart(body);
  KernelEmitter(b, operands, t, unit).emit();
  memref::AllocaScopeReturnOp::create(b, ValueRange{});
  rewriter.eraseOp(op);
  return success();
}

LogicalResult mlir::attn::lowerOnlineAttentionToVector(
    RewriterBase &rewriter, OnlineAttentionOp op, const CPUTargetInfo &target,
    LoweringConfigAttr config) {
  return lowerToVector(rewriter, op, target, config);
}

LogicalResult mlir::attn::lowerPartialAttentionToVector(
    RewriterBase &rewriter, PartialAttentionOp op, const CPUTargetInfo &target,
    LoweringConfigAttr config) {
  return lowerToVector(rewriter, op, target, config);
}

void mlir::attn::populateAttnToVectorCleanupPatterns(
    RewritePatternSet &patterns, const CPUTargetInfo &target) {
  vector::populateVectorTransposeLoweringPatterns(
      patterns, target.lanes() == 16 ? vector::VectorTransposeLowering::Shuffle16x16
                                     : vector::VectorTransposeLowering::EltWise);
  // AVX2: the 8x8 f32 K^T blocks as 24 shuffles/blends (vunpck, vshufps,
  // vperm2f128) instead of 64 element moves; the element-wise form made the
  // packing the bottleneck of decode tiles, whose K is used by few rows.
  if (target.lanes() == 8)
    x86vector::avx2::populateSpecializedTransposeLoweringPatterns(
        patterns, x86vector::avx2::LoweringOptions().setTransposeOptions(
                      x86vector::avx2::TransposeLoweringOptions().lower8x8xf32()),
        /*benefit=*/10);
}

/// The kernels address the rows of their memref operands as contiguous
/// vectors: operands whose innermost stride is not 1 (a slice with a step
/// in the last dim, `x[..., ::2]`) go through contiguous copies, copied
/// back after the op for destinations. Identity and unit-stride layouts,
/// the usual case, are left alone.
static void makeInnermostContiguous(RewriterBase &rewriter, Operation *op) {
  Location loc = op->getLoc();
  SmallVector<std::pair<Value, Value>> copyBack;
  SmallVector<Value> temporaries;
  auto dps = cast<DestinationStyleOpInterface>(op);
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || type.getRank() == 0)
      continue;
    int64_t offset;
    SmallVector<int64_t> strides;
    if (succeeded(type.getStridesAndOffset(strides, offset)) &&
        strides.back() == 1)
      continue;
    rewriter.setInsertionPoint(op);
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(memref::DimOp::create(rewriter, loc, operand.get(), d));
    Value contiguous = memref::AllocOp::create(
        rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
        sizes);
    memref::CopyOp::create(rewriter, loc, operand.get(), contiguous);
    if (dps.isDpsInit(&operand))
      copyBack.push_back({contiguous, operand.get()});
    temporaries.push_back(contiguous);
    operand.set(contiguous);
  }
  rewriter.setInsertionPointAfter(op);
  for (auto [from, to] : copyBack)
    memref::CopyOp::create(rewriter, loc, from, to);
  for (Value temporary : temporaries)
    memref::DeallocOp::create(rewriter, loc, temporary);
}

namespace {
struct ConvertAttnToVectorPass
    : public mlir::attn::impl::ConvertAttnToVectorPassBase<
          ConvertAttnToVectorPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *context) override {
    FailureOr<LoweringConfigOverrides> parsed = LoweringConfigOverrides::get(
        blockQ, blockK, /*splitKeys=*/0, qkTile, pvTile, unit,
        /*numThreads=*/0, [&] { return emitError(UnknownLoc::get(context)); });
    if (failed(parsed))
      return failure();
    overrides = std::move(*parsed);
    target = CPUTargetInfo::get(targetCPU);
    return success();
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> kernels;
    getOperation().walk([&](Operation *op) {
      if (isa<OnlineAttentionOp, PartialAttentionOp, BilinearGatherOp,
              OnlineDCMHAOp, TiledComposeOp>(op) &&
          isa<DestinationStyleOpInterface>(op))
        kernels.push_back(op);
    });
    for (Operation *op : kernels)
      makeInnermostContiguous(rewriter, op);
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<OnlineAttentionOp, PartialAttentionOp>(op))
        ops.push_back(op);
    });
    SmallVector<BilinearGatherOp> gathers;
    getOperation().walk([&](BilinearGatherOp op) { gathers.push_back(op); });
    for (BilinearGatherOp op : gathers)
      if (failed(lowerBilinearGatherToVector(rewriter, op, target)))
        return signalPassFailure();
    SmallVector<OnlineDCMHAOp> dcmhas;
    getOperation().walk([&](OnlineDCMHAOp op) { dcmhas.push_back(op); });
    for (OnlineDCMHAOp op : dcmhas)
      if (failed(lowerOnlineDCMHAToVector(rewriter, op, target, dcmhaBlockQ)))
        return signalPassFailure();
    SmallVector<TiledComposeOp> composes;
    getOperation().walk([&](TiledComposeOp op) { composes.push_back(op); });
    for (TiledComposeOp op : composes)
      if (failed(lowerTiledComposeToVector(rewriter, op, target)))
        return signalPassFailure();
    for (Operation *op : ops) {
      // Ops without a config (the pass used on its own) get the one the
      // selection pass would give them.
      LoweringConfigAttr config = getLoweringConfig(op);
      if (!config)
        config = selectLoweringConfig(op, target, overrides);
      if (failed(verifyRegisterTilesForCPU(op, config)))
        return signalPassFailure();
      LogicalResult lowered =
          isa<OnlineAttentionOp>(op)
              ? lowerOnlineAttentionToVector(
                    rewriter, cast<OnlineAttentionOp>(op), target, config)
              : lowerPartialAttentionToVector(
                    rewriter, cast<PartialAttentionOp>(op), target, config);
      if (failed(lowered))
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateAttnToVectorCleanupPatterns(patterns, target);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }

private:
  CPUTargetInfo target;
  LoweringConfigOverrides overrides;
};
} // namespace
