//===- MapAttention.cpp - attention tiles onto workgroups -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The generic GPU mapping of `attn.online_attention` tiles: one workgroup per
// tile, one thread per query row, K/V blocks staged in workgroup memory, the
// online softmax in registers (FlashAttention-1's row-per-thread schedule,
// f32 FMA). Shared by the NVVM and SPIR-V leaves; it emits only upstream
// `gpu`, `scf`, `memref`, `arith` and `math` ops.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/MapAttention.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/GPU/TileToLaunch.h"
#include "attn/Codegen/GPU/WarpMatrixOps.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUMAPATTENTIONPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The four workgroup buffers of one tile (f32): Q^T [D, blockQ], the K
/// block [blockK, D], the V block [blockK, Dv] and P^T [blockK, blockQ].
/// Transposing Q and P makes thread t's reads (column t) conflict-free; K
/// and V are read at one address by every thread (broadcasts).
struct WorkgroupBuffers {
  Value qT, k, v, pT;
};

/// What the FMA and the tensor-core emitters share: the tile, its geometry,
/// cooperative staging of operand rows into workgroup memory, and the
/// logit of one score.
class TileEmitterBase {
public:
  TileEmitterBase(OpBuilder &b, OnlineAttentionOp op, LoweringConfigAttr config,
                  Value threadId)
      : b(b), loc(op.getLoc()), op(op), blockQ(config.getBlockQ()),
        blockK(config.getBlockK()), t(threadId),
        geometry(AttentionGeometry::get(op)) {}

protected:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value toF32(Value x) {
    if (x.getType().isF32())
      return x;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  }
  /// Element [0, 0, row, col] of a rank-4 tile operand.
  Value load4(Value memref, Value row, Value col) {
    Value zero = idx(0);
    return memref::LoadOp::create(b, loc, memref,
                                  ValueRange{zero, zero, row, col});
  }
  /// A loop `for (e = t; e < count; e += threads)` whose body gets `e`: the
  /// threads of the workgroup share `count` items, consecutive threads
  /// consecutive items (coalesced global reads).
  void forEachItemOfThread(int64_t count, int64_t threads,
                           function_ref<void(OpBuilder &, Value)> body) {
    auto loop = scf::ForOp::create(b, loc, t, idx(count), idx(threads));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    body(b, loop.getInductionVar());
  }
  /// Stages rows [first, first + count) of the [rows, width] tile operand
  /// `src` (rows >= `limit` read as 0) into workgroup buffer `dst`, as
  /// dst[r][c] or, with `transposed`, dst[c][r]; values become f32 when
  /// `dst` is f32 and keep their type otherwise. `threads` share the work.
  void stage(Value src, Value dst, Value first, Value limit, int64_t count,
             int64_t width, bool transposed, int64_t threads);
  /// The scaled, capped, masked logit of score `s` of key `key` for the row
  /// `row` of the tile at position `pos` (-inf where the key is invisible).
  Value logit(Value s, Value key, Value pos, Value row, Value lk);
  /// The online-softmax builders of the tile.
  OnlineSoftmax makeSoftmax() {
    return OnlineSoftmax(b, loc, OnlineSoftmax::mathExp2);
  }

  OpBuilder &b;
  Location loc;
  OnlineAttentionOp op;
  int64_t blockQ, blockK;
  Value t;
  AttentionGeometry geometry;
};

/// Emits the per-thread code of one `attn.online_attention` tile on memrefs
/// in place of `op`, inside a gpu.launch of `blockQ` threads: the FMA
/// mapping, one thread per query row.
class TileEmitter : public TileEmitterBase {
public:
  TileEmitter(OpBuilder &b, OnlineAttentionOp op, LoweringConfigAttr config,
              WorkgroupBuffers buffers, Value threadId)
      : TileEmitterBase(b, op, config, threadId), buffers(buffers) {}

  void emit();

private:
  void stage(Value src, Value dst, Value first, Value limit, int64_t count,
             int64_t width, bool transposed) {
    TileEmitterBase::stage(src, dst, first, limit, count, width, transposed,
                           blockQ);
  }
  /// `for i in [0, count)`: acc_j = fma(column[i][t], other(i, j), acc_j)
  /// for every accumulator j of `init` (the loop body unrolled over j; the
  /// thread's operand is column t of the workgroup buffer `column`).
  SmallVector<Value>
  emitFmaLoop(int64_t count, ValueRange init, Value column,
              function_ref<Value(Value, int64_t)> other) {
    auto loop = scf::ForOp::create(b, loc, idx(0), idx(count), idx(1), init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value i = loop.getInductionVar();
    Value x = memref::LoadOp::create(b, loc, column, ValueRange{i, t});
    SmallVector<Value> next;
    for (auto [j, acc] : llvm::enumerate(loop.getRegionIterArgs()))
      next.push_back(math::FmaOp::create(b, loc, x, other(i, j), acc));
    scf::YieldOp::create(b, loc, next);
    return SmallVector<Value>(loop.getResults());
  }

  WorkgroupBuffers buffers;
};

void TileEmitterBase::stage(Value src, Value dst, Value first, Value limit,
                            int64_t count, int64_t width, bool transposed,
                            int64_t threads) {
  Type elem = cast<MemRefType>(dst.getType()).getElementType();
  forEachItemOfThread(count * width, threads, [&](OpBuilder &, Value e) {
    Value r = arith::DivUIOp::create(b, loc, e, idx(width));
    Value c = arith::RemUIOp::create(b, loc, e, idx(width));
    Value srcRow = arith::AddIOp::create(b, loc, first, r);
    Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           srcRow, limit);
    // Rows past the operand read its last row, then count as 0.
    Value last = arith::SubIOp::create(b, loc, limit, idx(1));
    Value clamped = arith::MinUIOp::create(b, loc, srcRow, last);
    Value x = load4(src, clamped, c);
    if (elem.isF32())
      x = toF32(x);
    Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, 0.0));
    x = arith::SelectOp::create(b, loc, inBounds, x, zero);
    SmallVector<Value, 2> at = {r, c};
    if (transposed)
      std::swap(at[0], at[1]);
    memref::StoreOp::create(b, loc, x, dst, at);
  });
}

Value TileEmitterBase::logit(Value s, Value key, Value pos, Value row,
                              Value lk) {
  // S' = visible ? cap(scale * S) + bias : -inf, as the op's decomposition
  // (AggregatedOpInterfaceImpl.cpp) and docs/Spec.md §1.1 define it.
  double scale = *op.getStaticScale();
  Value x = arith::MulFOp::create(b, loc, s, f32(scale));
  if (FloatAttr cap = op.getSoftcapAttr()) {
    double c = cap.getValueAsDouble();
    Value th = math::TanhOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, f32(1.0 / c)));
    x = arith::MulFOp::create(b, loc, th, f32(c));
  }
  Value visible =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, key, lk);
  if (geometry.restrictsKeys())
    visible = arith::AndIOp::create(b, loc, visible,
                                    geometry.emitIsVisible(b, loc, pos, key));
  if (Value mask = op.getMask()) {
    Value last = arith::SubIOp::create(b, loc, lk, idx(1));
    Value m = load4(mask, row, arith::MinUIOp::create(b, loc, key, last));
    if (isa<FloatType>(m.getType())) {
      x = arith::AddFOp::create(b, loc, x, toF32(m));
    } else {
      Value zero = arith::ConstantOp::create(
          b, loc, b.getIntegerAttr(m.getType(), 0));
      visible = arith::AndIOp::create(
          b, loc, visible,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, m, zero));
    }
  }
  return arith::SelectOp::create(
      b, loc, visible, x, f32(-std::numeric_limits<double>::infinity()));
}

void TileEmitter::emit() {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue(),
        out = op.getOutput();
  int64_t headDim = op.getKeyType().getDimSize(3);
  int64_t valueDim = op.getValueType().getDimSize(3);
  Value rows = memref::DimOp::create(b, loc, q, 2);
  Value lk = memref::DimOp::create(b, loc, k, 2);
  Value offset = op.getQueryOffset();
  OnlineSoftmax softmax = makeSoftmax();

  // This thread's row; rows past the tile compute on its last row and are
  // not stored (they still take part in staging and barriers).
  Value active =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, t, rows);
  Value lastRow = arith::SubIOp::create(b, loc, rows, idx(1));
  Value row = arith::MinUIOp::create(b, loc, t, lastRow);
  Value pos = arith::AddIOp::create(b, loc, offset, row);

  stage(q, buffers.qT, idx(0), rows, blockQ, headDim, /*transposed=*/true);
  gpu::BarrierOp::create(b, loc);

  // Only the key blocks that some row of the tile can see (the same range
  // for every thread: the loop and its barriers stay uniform).
  Value lastPos = arith::AddIOp::create(b, loc, offset, lastRow);
  auto [lo, hi] =
      geometry.emitVisibleColumns(b, loc, offset, lastPos, idx(0), lk);
  Value start = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, lo, idx(blockK)), idx(blockK));

  Value negInf = f32(-std::numeric_limits<double>::infinity());
  SmallVector<Value> init = {negInf, f32(0.0)};
  init.append(valueDim, f32(0.0));
  auto keyLoop = scf::ForOp::create(b, loc, start, hi, idx(blockK), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(keyLoop.getBody());
    Value kb = keyLoop.getInductionVar();
    ValueRange state = keyLoop.getRegionIterArgs();
    Value m = state[0], l = state[1];

    // The previous block's readers are done before it is overwritten.
    gpu::BarrierOp::create(b, loc);
    stage(k, buffers.k, kb, lk, blockK, headDim, /*transposed=*/false);
    stage(v, buffers.v, kb, lk, blockK, valueDim, /*transposed=*/false);
    gpu::BarrierOp::create(b, loc);

    // s_j = sum_d Q[row, d] K[kb + j, d], the blockK scores in registers.
    SmallVector<Value> scores = emitFmaLoop(
        headDim, SmallVector<Value>(blockK, f32(0.0)), buffers.qT,
        [&](Value d, int64_t j) {
          return memref::LoadOp::create(b, loc, buffers.k,
                                        ValueRange{idx(j), d});
        });

    // The online-softmax step of the block.
    SmallVector<Value> logits;
    Value blockMax = negInf;
    for (int64_t j = 0; j < blockK; ++j) {
      Value key = arith::AddIOp::create(b, loc, kb, idx(j));
      logits.push_back(logit(scores[j], key, pos, row, lk));
      blockMax = softmax.max(blockMax, logits.back());
    }
    Value mNew = softmax.updateMax(m, blockMax);
    Value mSafe = softmax.safeMax(mNew);
    Value alpha = softmax.rescale(m, mSafe);
    Value bias = softmax.expOffset(mSafe);
    Value blockSum = f32(0.0);
    for (int64_t j = 0; j < blockK; ++j) {
      Value p = softmax.exp(logits[j], bias);
      blockSum = arith::AddFOp::create(b, loc, blockSum, p);
      memref::StoreOp::create(b, loc, p, buffers.pT, ValueRange{idx(j), t});
    }
    Value lNew = softmax.updateSum(l, alpha, blockSum);

    // acc = a acc + sum_j p_j V[kb + j, :]; P^T column t is this thread's.
    // The block's products are summed from 0 and then added to the rescaled
    // accumulator, as the CPU kernel does: adding them one by one to the
    // running accumulator lost the probabilities below half an ulp of it
    // (a 65537-key decode with V = 1 gave 0.99987). The sums go in chunks of
    // kSumColumns columns, so that a thread holds one chunk of sums beside
    // its Dv accumulators, not Dv more registers.
    constexpr int64_t kSumColumns = 32;
    SmallVector<Value> acc;
    for (int64_t c0 = 0; c0 < valueDim; c0 += kSumColumns) {
      int64_t n = std::min(kSumColumns, valueDim - c0);
      SmallVector<Value> sums =
          emitFmaLoop(blockK, SmallVector<Value>(n, f32(0.0)), buffers.pT,
                      [&](Value j, int64_t c) {
                        return memref::LoadOp::create(
                            b, loc, buffers.v, ValueRange{j, idx(c0 + c)});
                      });
      for (int64_t c = 0; c < n; ++c)
        acc.push_back(softmax.updateAcc(state[2 + c0 + c], alpha, sums[c]));
    }
    SmallVector<Value> yielded = {mNew, lNew};
    llvm::append_range(yielded, acc);
    scf::YieldOp::create(b, loc, yielded);
  }

  // o = acc / l (0 for rows without a visible key), by the row's thread.
  auto ifActive = scf::IfOp::create(b, loc, active, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifActive.thenBlock());
  Value inv = softmax.safeReciprocal(keyLoop.getResult(1));
  Type outElem = op.getOutputType().getElementType();
  for (int64_t c = 0; c < valueDim; ++c) {
    Value o = arith::MulFOp::create(b, loc, keyLoop.getResult(2 + c), inv);
    if (outElem != o.getType())
      o = arith::TruncFOp::create(b, loc, outElem, o);
    Value zero = idx(0);
    memref::StoreOp::create(b, loc, o, out, ValueRange{zero, zero, t, idx(c)});
  }
}

/// What the two fragment mappings share (warps of 16 query rows holding
/// f32 C fragments of `mma.m16n8k16`: the mma.sync warps, and the warps of a
/// wgmma warpgroup, whose m64nN accumulator is the same layout repeated
/// along N, WarpMatrixOps.h): the lane's rows and the online softmax on the
/// fragments, with row maxima and sums reduced over the 4 lanes of a quad.
class FragmentTileEmitter : public TileEmitterBase {
protected:
  FragmentTileEmitter(OpBuilder &b, OnlineAttentionOp op,
                      LoweringConfigAttr config, Value threadId,
                      WarpMatrixOps &ops)
      : TileEmitterBase(b, op, config, threadId), ops(ops),
        softmax(makeSoftmax()) {}

  /// Sets the tile's sizes and the lane's coordinates: lane l = t % 32 of
  /// warp w = t / 32 owns rows 16w + g and 16w + g + 8 (g = l / 4; the
  /// columns of its fragments are 2 tq, 2 tq + 1 with tq = l % 4).
  void initLanes();
  /// The key blocks that some row of the tile can see, [start, hi) with
  /// `start` a multiple of blockK (uniform across the workgroup).
  std::pair<Value, Value> keyBlocks();
  Value negInf() { return f32(-std::numeric_limits<double>::infinity()); }

  /// The online-softmax step of the key block at `kb` on the C fragments
  /// `sc` (16 rows x 8 keys each, keys kb + 8j .. of fragment j): scores
  /// become logits, then unnormalized probabilities p = exp(logit - m_new)
  /// (f32, in place). `state` holds the lane's two row maxima and two
  /// partial sums (over its own columns); returns the new maxima, sums and
  /// the rescale factors alpha of the two rows.
  struct Step {
    Value m[2], l[2], alpha[2];
  };
  Step softmaxStep(SmallVector<Fragment> &sc, Value kb, ValueRange state);
  /// O's elements (`4 * (Dv / 8)`, fragment-major) times the alpha of their
  /// rows.
  SmallVector<Value> rescale(ValueRange o, const Step &step);
  /// The end of the tile: the row sums over the quad, O / l (0 for rows
  /// without a visible key) stored by each lane for its elements.
  void storeOutput(ValueRange o, ValueRange l);

  WarpMatrixOps &ops;
  OnlineSoftmax softmax;
  int64_t headDim = 0, valueDim = 0;
  Value rows, lk, offset, lastRow, lane, warp, tq, rowBase;
  Value laneRow[2], clampedRow[2], pos[2];
};

void FragmentTileEmitter::initLanes() {
  headDim = op.getKeyType().getDimSize(3);
  valueDim = op.getValueType().getDimSize(3);
  rows = memref::DimOp::create(b, loc, op.getQuery(), 2);
  lk = memref::DimOp::create(b, loc, op.getKey(), 2);
  offset = op.getQueryOffset();
  lane = arith::RemUIOp::create(b, loc, t, idx(32));
  warp = arith::DivUIOp::create(b, loc, t, idx(32));
  Value g = arith::DivUIOp::create(b, loc, lane, idx(4));
  tq = arith::RemUIOp::create(b, loc, lane, idx(4));
  rowBase = arith::MulIOp::create(b, loc, warp, idx(16));
  // This lane's two rows of the tile: g and g + 8 of its warp's 16.
  lastRow = arith::SubIOp::create(b, loc, rows, idx(1));
  for (int64_t r = 0; r < 2; ++r) {
    laneRow[r] = arith::AddIOp::create(
        b, loc, rowBase, arith::AddIOp::create(b, loc, g, idx(8 * r)));
    clampedRow[r] = arith::MinUIOp::create(b, loc, laneRow[r], lastRow);
    pos[r] = arith::AddIOp::create(b, loc, offset, clampedRow[r]);
  }
}

std::pair<Value, Value> FragmentTileEmitter::keyBlocks() {
  Value lastPos = arith::AddIOp::create(b, loc, offset, lastRow);
  auto [lo, hi] =
      geometry.emitVisibleColumns(b, loc, offset, lastPos, idx(0), lk);
  Value start = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, lo, idx(blockK)), idx(blockK));
  return {start, hi};
}

FragmentTileEmitter::Step
FragmentTileEmitter::softmaxStep(SmallVector<Fragment> &sc, Value kb,
                                 ValueRange state) {
  // Logits; element e of a C fragment is row e / 2, key 2t + e % 2.
  Value rowMax[2] = {negInf(), negInf()};
  for (int64_t j = 0, n = sc.size(); j < n; ++j) {
    for (int64_t e = 0; e < 4; ++e) {
      Value key = arith::AddIOp::create(
          b, loc, kb,
          arith::AddIOp::create(b, loc,
                                arith::MulIOp::create(b, loc, tq, idx(2)),
                                idx(8 * j + e % 2)));
      sc[j][e] = logit(sc[j][e], key, pos[e / 2], clampedRow[e / 2], lk);
      rowMax[e / 2] = softmax.max(rowMax[e / 2], sc[j][e]);
    }
  }
  Step step;
  Value bias[2];
  for (int64_t r = 0; r < 2; ++r) {
    // The 4 lanes of a quad hold the row's columns.
    for (int64_t mask : {1, 2})
      rowMax[r] = softmax.max(rowMax[r],
                              ops.shuffleXor(b, loc, rowMax[r], mask, lane));
    step.m[r] = softmax.updateMax(state[r], rowMax[r]);
    Value mSafe = softmax.safeMax(step.m[r]);
    step.alpha[r] = softmax.rescale(state[r], mSafe);
    bias[r] = softmax.expOffset(mSafe);
  }
  Value rowSum[2] = {f32(0.0), f32(0.0)};
  for (Fragment &fragment : sc)
    for (int64_t e = 0; e < 4; ++e) {
      fragment[e] = softmax.exp(fragment[e], bias[e / 2]);
      rowSum[e / 2] = arith::AddFOp::create(b, loc, rowSum[e / 2], fragment[e]);
    }
  for (int64_t r = 0; r < 2; ++r)
    step.l[r] = softmax.updateSum(state[2 + r], step.alpha[r], rowSum[r]);
  return step;
}

SmallVector<Value> FragmentTileEmitter::rescale(ValueRange o,
                                                const Step &step) {
  SmallVector<Value> scaled;
  for (auto [i, x] : llvm::enumerate(o))
    scaled.push_back(arith::MulFOp::create(b, loc, x, step.alpha[i % 4 / 2]));
  return scaled;
}

void FragmentTileEmitter::storeOutput(ValueRange o, ValueRange l) {
  Value inv[2];
  for (int64_t r = 0; r < 2; ++r) {
    Value sum = l[r];
    for (int64_t mask : {1, 2})
      sum = arith::AddFOp::create(b, loc, sum,
                                  ops.shuffleXor(b, loc, sum, mask, lane));
    inv[r] = softmax.safeReciprocal(sum);
  }
  Type outElem = op.getOutputType().getElementType();
  Value zero = idx(0);
  for (int64_t r = 0; r < 2; ++r) {
    Value inTile = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                         laneRow[r], rows);
    auto ifRow = scf::IfOp::create(b, loc, inTile, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifRow.thenBlock());
    for (int64_t n = 0; n < valueDim / 8; ++n)
      for (int64_t e = 2 * r; e < 2 * r + 2; ++e) {
        Value x = arith::MulFOp::create(b, loc, o[4 * n + e], inv[r]);
        if (outElem != x.getType())
          x = arith::TruncFOp::create(b, loc, outElem, x);
        Value col = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, tq, idx(2)),
            idx(8 * n + e % 2));
        memref::StoreOp::create(b, loc, x, op.getOutput(),
                                ValueRange{zero, zero, laneRow[r], col});
      }
  }
}

/// Emits the tensor-core mapping of one tile (FlashAttention-2's warp
/// schedule): `blockQ / 16` warps, each owning 16 query rows; Q, K and V
/// (16-bit floats) staged in padded row-major workgroup buffers; S = Q K^T
/// and O += P V as 16x8x16 warp products through `ops`; the online softmax
/// on the fragments (FragmentTileEmitter); P reused from S's accumulators
/// as the A operand of P V.
class MMATileEmitter : public FragmentTileEmitter {
public:
  MMATileEmitter(OpBuilder &b, OnlineAttentionOp op, LoweringConfigAttr config,
                 ValueRange buffers, Value threadId, WarpMatrixOps &ops)
      : FragmentTileEmitter(b, op, config, threadId, ops), qS(buffers[0]),
        kS(buffers[1]), vS(buffers[2]) {}

  void emit();

private:
  Value qS, kS, vS;
};

void MMATileEmitter::emit() {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Type elem = cast<MemRefType>(qS.getType()).getElementType();
  initLanes();

  int64_t threads = 2 * blockQ;
  stage(q, qS, idx(0), rows, blockQ, headDim, /*transposed=*/false, threads);
  gpu::BarrierOp::create(b, loc);
  SmallVector<Fragment> qA;
  for (int64_t s = 0; s < headDim / 16; ++s)
    qA.push_back(ops.loadA(b, loc, qS, rowBase, idx(16 * s), lane));

  auto [start, hi] = keyBlocks();
  // State: max and sum of the lane's two rows (the sums are the lane's
  // partial over its columns until the end), then O's C fragments.
  int64_t oTiles = valueDim / 8;
  SmallVector<Value> init = {negInf(), negInf(), f32(0.0), f32(0.0)};
  init.append(4 * oTiles, f32(0.0));
  auto keyLoop = scf::ForOp::create(b, loc, start, hi, idx(blockK), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(keyLoop.getBody());
    Value kb = keyLoop.getInductionVar();
    ValueRange state = keyLoop.getRegionIterArgs();

    gpu::BarrierOp::create(b, loc);
    stage(k, kS, kb, lk, blockK, headDim, /*transposed=*/false, threads);
    stage(v, vS, kb, lk, blockK, valueDim, /*transposed=*/false, threads);
    gpu::BarrierOp::create(b, loc);

    // S = Q K^T: blockK / 8 C fragments of 16 rows x 8 keys.
    int64_t sTiles = blockK / 8;
    SmallVector<Fragment> sc;
    for (int64_t j = 0; j < sTiles; ++j) {
      Fragment c(4, f32(0.0));
      for (int64_t s = 0; s < headDim / 16; ++s)
        c = ops.mma(b, loc, qA[s],
                    ops.loadB(b, loc, kS, idx(8 * j), idx(16 * s), lane), c,
                    lane);
      sc.push_back(c);
    }
    Step step = softmaxStep(sc, kb, state);
    SmallVector<Value> yielded = {step.m[0], step.m[1], step.l[0], step.l[1]};

    // P as A fragments: S tiles 2s and 2s + 1 side by side, in the 16-bit
    // type (the C layout of two 16x8 tiles is the A layout of one 16x16).
    SmallVector<Fragment> pA;
    for (int64_t s = 0; s < blockK / 16; ++s) {
      Fragment a;
      for (int64_t half = 0; half < 2; ++half)
        for (int64_t e = 0; e < 4; ++e)
          a.push_back(arith::TruncFOp::create(b, loc, elem, sc[2 * s + half][e]));
      pA.push_back(a);
    }
    // O = a O + P V.
    SmallVector<Value> scaled = rescale(state.drop_front(4), step);
    for (int64_t n = 0; n < oTiles; ++n) {
      Fragment o(scaled.begin() + 4 * n, scaled.begin() + 4 * n + 4);
      for (int64_t s = 0; s < blockK / 16; ++s)
        o = ops.mma(b, loc, pA[s],
                    ops.loadBTransposed(b, loc, vS, idx(16 * s), idx(8 * n),
                                        lane),
                    o, lane);
      yielded.append(o.begin(), o.end());
    }
    scf::YieldOp::create(b, loc, yielded);
  }
  storeOutput(keyLoop.getResults().drop_front(4),
              keyLoop.getResults().slice(2, 2));
}

/// Emits the warpgroup mapping of one tile (FlashAttention-3's product
/// schedule without its warp specialization and pipelining): one warpgroup
/// (4 warps, 128 threads) per 64 query rows; Q (once), then per key block
/// K and V loaded into workgroup memory by the target's asynchronous copies
/// (TMA: swizzled boxes, the next block's K during P V and its V during the
/// next S; `AsyncTileCopies`) or, without them, staged by the threads in
/// the tiled layout of `emitTiledOffset` (16-byte chunks); S = Q K^T as one
/// 64 x block_k warpgroup product over D (K's rows are B's columns:
/// K-major); the online softmax on S's fragments (FragmentTileEmitter); P
/// rounded to the 16-bit type and written to workgroup memory (tiled, as
/// the A operand); O = alpha O + P V as one 64 x Dv product over the block
/// (V's rows are B's rows: MN-major).
class WGMMATileEmitter : public FragmentTileEmitter {
public:
  WGMMATileEmitter(OpBuilder &b, OnlineAttentionOp op,
                   LoweringConfigAttr config, ValueRange buffers,
                   Value threadId, WarpMatrixOps &ops,
                   WarpgroupMatrixOps &wgOps, AsyncTileCopies *copies,
                   Operation *launch)
      : FragmentTileEmitter(b, op, config, threadId, ops), qS(buffers[0]),
        kS(buffers[1]), vS(buffers[2]), pS(buffers[3]), wgOps(wgOps),
        copies(copies), launch(launch) {}

  void emit();

private:
  /// Copies rows [first, first + count) of the [rows, width] tile operand
  /// `src` (rows >= `limit` as 0) into `dst` in the tiled layout, 8
  /// elements (16 bytes) per load and store; the 128 threads take
  /// consecutive chunks of the destination (conflict-free stores), two
  /// neighbouring threads one 32-byte row segment of the source.
  void stageTiled(Value src, Value dst, Value first, Value limit,
                  int64_t count, int64_t width);

  /// Thread 0 starts the asynchronous copy of the key block at `kb` of
  /// prepared operand `id` into `dst` (barrier `barrier`) when `kb` < `hi`.
  void copyBlockIfAny(unsigned id, Value kb, Value hi, Value dst,
                      int64_t barrier);

  Value qS, kS, vS, pS;
  WarpgroupMatrixOps &wgOps;
  AsyncTileCopies *copies;
  Operation *launch;
};

void WGMMATileEmitter::copyBlockIfAny(unsigned id, Value kb, Value hi,
                                      Value dst, int64_t barrier) {
  Value any =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, kb, hi);
  auto ifOp = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  copies->copy(b, loc, id, kb, dst, barrier);
}

void WGMMATileEmitter::stageTiled(Value src, Value dst, Value first,
                                  Value limit, int64_t count, int64_t width) {
  Type elem = cast<MemRefType>(dst.getType()).getElementType();
  auto chunkType = VectorType::get({8}, elem);
  int64_t chunksPerRow = width / 8;
  forEachItemOfThread(count * chunksPerRow, 128, [&](OpBuilder &, Value c) {
    // Chunk c of the destination is row 8 (c / 8 / chunksPerRow) + c % 8,
    // columns 8 ((c / 8) % chunksPerRow) .. + 8 (emitTiledOffset).
    Value block = arith::DivUIOp::create(b, loc, c, idx(8));
    Value r = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, block, idx(chunksPerRow)),
            idx(8)),
        arith::RemUIOp::create(b, loc, c, idx(8)));
    Value col = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, block, idx(chunksPerRow)),
        idx(8));
    Value srcRow = arith::AddIOp::create(b, loc, first, r);
    Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                           srcRow, limit);
    // Rows past the operand read its last row, then count as 0.
    Value last = arith::SubIOp::create(b, loc, limit, idx(1));
    Value clamped = arith::MinUIOp::create(b, loc, srcRow, last);
    Value zero = idx(0);
    Value x = vector::LoadOp::create(b, loc, chunkType, src,
                                     ValueRange{zero, zero, clamped, col},
                                     /*nontemporal=*/false, llvm::MaybeAlign(16));
    Value zeros = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(chunkType, b.getFloatAttr(elem, 0.0)));
    // A vector condition: SPIR-V's OpSelect (1.0) takes no scalar one.
    Value inBoundsVector = vector::BroadcastOp::create(
        b, loc, VectorType::get({8}, b.getI1Type()), inBounds);
    x = arith::SelectOp::create(b, loc, inBoundsVector, x, zeros);
    Value at = arith::MulIOp::create(b, loc, c, idx(8));
    vector::StoreOp::create(b, loc, x, dst, ValueRange{at},
                            /*nontemporal=*/false, llvm::MaybeAlign(16));
  });
}

void WGMMATileEmitter::emit() {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Type elem = cast<MemRefType>(qS.getType()).getElementType();
  initLanes();

  // Q, K and V by asynchronous copies (TMA) when the target has them and
  // takes all three operands; otherwise staged by the threads.
  bool async = copies && copies->canCopy(launch, q, /*zeroPastEnd=*/false) &&
               copies->canCopy(launch, k, /*zeroPastEnd=*/true) &&
               copies->canCopy(launch, v, /*zeroPastEnd=*/true);
  unsigned qId = 0, kId = 0, vId = 0;
  if (async) {
    qId = copies->prepare(b, launch, q, blockQ, /*zeroPastEnd=*/false);
    kId = copies->prepare(b, launch, k, blockK, /*zeroPastEnd=*/true);
    vId = copies->prepare(b, launch, v, blockK, /*zeroPastEnd=*/true);
  }
  auto swizzle = [&](int64_t cols) {
    return async ? copies->swizzleBytes(cols) : int64_t(0);
  };
  WarpgroupOperand qOperand{qS, blockQ, headDim, swizzle(headDim)};
  WarpgroupOperand kOperand{kS, blockK, headDim, swizzle(headDim)};
  WarpgroupOperand vOperand{vS, blockK, valueDim, swizzle(valueDim)};
  WarpgroupOperand pOperand{pS, blockQ, blockK, 0};
  // Barriers of the copies: Q, the K block, the V block.
  constexpr int64_t qBarrier = 0, kBarrier = 1, vBarrier = 2;

  auto [start, hi] = keyBlocks();
  if (async) {
    copies->createBarriers(b, loc, t, 3);
    copies->copy(b, loc, qId, idx(0), qS, qBarrier);
    copyBlockIfAny(kId, start, hi, kS, kBarrier);
    copyBlockIfAny(vId, start, hi, vS, vBarrier);
    copies->wait(b, loc, qBarrier,
                 arith::ConstantOp::create(b, loc, b.getBoolAttr(false)));
  } else {
    stageTiled(q, qS, idx(0), rows, blockQ, headDim);
    wgOps.fenceOperandWrites(b, loc);
    gpu::BarrierOp::create(b, loc);
  }

  // State: max and sum of the lane's two rows, then O's accumulators
  // (Dv / 2: the m64nDv layout, 4 per 8 columns).
  SmallVector<Value> init = {negInf(), negInf(), f32(0.0), f32(0.0)};
  init.append(valueDim / 2, f32(0.0));
  auto keyLoop = scf::ForOp::create(b, loc, start, hi, idx(blockK), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(keyLoop.getBody());
    Value kb = keyLoop.getInductionVar();
    ValueRange state = keyLoop.getRegionIterArgs();
    Value next = arith::AddIOp::create(b, loc, kb, idx(blockK));
    // Each copy barrier completes one phase per key block: block j waits
    // for the phase of parity j % 2.
    Value parity;
    if (async) {
      Value j = arith::DivUIOp::create(
          b, loc, arith::SubIOp::create(b, loc, kb, start), idx(blockK));
      parity = arith::IndexCastUIOp::create(
          b, loc, b.getI1Type(), arith::RemUIOp::create(b, loc, j, idx(2)));
      copies->wait(b, loc, kBarrier, parity);
    } else {
      // The previous block's products have completed (each thread waited
      // for its warpgroup's) before K, V and P are overwritten.
      gpu::BarrierOp::create(b, loc);
      stageTiled(k, kS, kb, lk, blockK, headDim);
      stageTiled(v, vS, kb, lk, blockK, valueDim);
      wgOps.fenceOperandWrites(b, loc);
      gpu::BarrierOp::create(b, loc);
    }

    // S = Q K^T: 64 x blockK, k = D.
    SmallVector<Value> s =
        wgOps.mma(b, loc, qOperand, kOperand, /*bKMajor=*/true, blockK,
                  headDim / 16, ValueRange{}, /*accumulate=*/false);
    SmallVector<Fragment> sc;
    for (int64_t j = 0; j < blockK / 8; ++j)
      sc.push_back(Fragment(s.begin() + 4 * j, s.begin() + 4 * j + 4));
    Step step = softmaxStep(sc, kb, state);
    SmallVector<Value> yielded = {step.m[0], step.m[1], step.l[0], step.l[1]};

    // P (the 16-bit type) into its tiled buffer: element e of fragment j is
    // row laneRow[e / 2], column 8j + 2 tq + e % 2; the pair e, e + 1 is
    // contiguous.
    Value twoT = arith::MulIOp::create(b, loc, tq, idx(2));
    auto pairType = VectorType::get({2}, elem);
    for (int64_t j = 0; j < blockK / 8; ++j)
      for (int64_t r = 0; r < 2; ++r) {
        Value pair = vector::FromElementsOp::create(
            b, loc, pairType,
            ValueRange{
                arith::TruncFOp::create(b, loc, elem, sc[j][2 * r]),
                arith::TruncFOp::create(b, loc, elem, sc[j][2 * r + 1])});
        Value col = arith::AddIOp::create(b, loc, twoT, idx(8 * j));
        Value at = emitTiledOffset(b, loc, laneRow[r], col, blockK);
        vector::StoreOp::create(b, loc, pair, pS, ValueRange{at},
                                /*nontemporal=*/false, llvm::MaybeAlign(4));
      }
    wgOps.fenceOperandWrites(b, loc);
    gpu::BarrierOp::create(b, loc);

    if (async) {
      // Every warp has finished S's product (wait_group 0, then the
      // barrier): K's buffer takes the next block while P V runs.
      copyBlockIfAny(kId, next, hi, kS, kBarrier);
      copies->wait(b, loc, vBarrier, parity);
    }

    // O = alpha O + P V: 64 x Dv, k = blockK.
    SmallVector<Value> o =
        wgOps.mma(b, loc, pOperand, vOperand, /*bKMajor=*/false, valueDim,
                  blockK / 16, rescale(state.drop_front(4), step),
                  /*accumulate=*/true);
    if (async) {
      // Every warp has finished P V: V's buffer takes the next block (and
      // P may be overwritten) while the next S and softmax run.
      gpu::BarrierOp::create(b, loc);
      copyBlockIfAny(vId, next, hi, vS, vBarrier);
    }
    yielded.append(o);
    scf::YieldOp::create(b, loc, yielded);
  }
  storeOutput(keyLoop.getResults().drop_front(4),
              keyLoop.getResults().slice(2, 2));
}

/// Checks that `op` is a tile the mapping takes.
LogicalResult checkMappable(OnlineAttentionOp op, LoweringConfigAttr config) {
  if (op->getNumResults() != 0)
    return op.emitOpError("the GPU mapping runs after bufferization");
  if (!config)
    return op.emitOpError("has no #attn.lowering_config; run "
                          "-attn-gpu-select-lowering-config first");
  if (config.getSplitKeys() != 1)
    return op.emitOpError("split-K tiles are not mapped to GPUs yet");
  if (op.getKeyType().isDynamicDim(3) || op.getValueType().isDynamicDim(3))
    return op.emitOpError("the GPU mapping needs static head dims D and Dv");
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (type && type.getRank() == 4 &&
        (type.getDimSize(0) != 1 || type.getDimSize(1) != 1) &&
        operand != op.getMask())
      return op.emitOpError("expected a tile of one batch and one head (from "
                            "-attn-tile), found ")
             << type;
  }
  if (Value mask = op.getMask()) {
    auto type = cast<MemRefType>(mask.getType());
    if (type.getDimSize(0) != 1 || type.getDimSize(1) != 1)
      return op.emitOpError("expected a mask tile of one batch and one head");
  }
  if (isTensorCoreConfig(config) || isWarpgroupConfig(config)) {
    Type elem = op.getQueryType().getElementType();
    if (!elem.isF16() && !elem.isBF16())
      return op.emitOpError("the tensor-core mapping takes f16 or bf16 "
                            "operands, found ")
             << elem;
    if (op.getKeyType().getElementType() != elem ||
        op.getValueType().getElementType() != elem)
      return op.emitOpError("the tensor-core mapping needs Q, K and V of one "
                            "element type");
    if (op.getKeyType().getDimSize(3) % 16 != 0 ||
        op.getValueType().getDimSize(3) % 16 != 0)
      return op.emitOpError("the tensor-core mapping needs D and Dv "
                            "multiples of 16");
    if (config.getBlockQ() % 16 != 0 || config.getBlockK() % 16 != 0)
      return op.emitOpError("the tensor-core mapping needs block_q and "
                            "block_k multiples of 16");
  }
  if (isWarpgroupConfig(config)) {
    // wgmma's n (block_k for S, Dv for O) is a multiple of 8 up to 256.
    if (config.getBlockQ() != 64 || config.getBlockK() > 256 ||
        op.getValueType().getDimSize(3) > 256)
      return op.emitOpError("the warpgroup mapping needs block_q = 64, "
                            "block_k <= 256 and Dv <= 256");
  }
  return success();
}

/// The workgroup buffers of a tile (shapes and element types): for the FMA
/// mapping Q^T, K, V and P^T in f32; for the tensor-core mapping padded
/// 16-bit Q, K and V and the scratch of `ops`; for the warpgroup mapping
/// 16-bit Q, K, V and P in the tiled layout.
SmallVector<MemRefType> workgroupBuffers(OnlineAttentionOp op,
                                         LoweringConfigAttr config,
                                         WarpMatrixOps &ops) {
  int64_t blockQ = config.getBlockQ(), blockK = config.getBlockK();
  int64_t headDim = op.getKeyType().getDimSize(3);
  int64_t valueDim = op.getValueType().getDimSize(3);
  MLIRContext *ctx = op.getContext();
  SmallVector<MemRefType> buffers;
  if (isWarpgroupConfig(config)) {
    // Flat buffers in the tiled layout of emitTiledOffset: Q [64][D],
    // K [blockK][D], V [blockK][Dv], P [64][blockK].
    Type elem = op.getQueryType().getElementType();
    for (int64_t size : {blockQ * headDim, blockK * headDim,
                         blockK * valueDim, blockQ * blockK})
      buffers.push_back(MemRefType::get({size}, elem));
    // The shuffles of `ops` (the quad reductions) may need scratch.
    for (Type scratch : ops.scratchBuffers(ctx, blockQ / 16))
      buffers.push_back(cast<MemRefType>(scratch));
    return buffers;
  }
  if (isTensorCoreConfig(config)) {
    // Rows padded by 8 elements (16 bytes) so that the 8 rows of an
    // ldmatrix fall into different banks.
    Type elem = op.getQueryType().getElementType();
    for (auto [rows, cols] : {std::pair{blockQ, headDim},
                              std::pair{blockK, headDim},
                              std::pair{blockK, valueDim}})
      buffers.push_back(MemRefType::get({rows, cols + 8}, elem));
    for (Type scratch : ops.scratchBuffers(ctx, blockQ / 16))
      buffers.push_back(cast<MemRefType>(scratch));
    return buffers;
  }
  Type f32 = Float32Type::get(ctx);
  for (auto [rows, cols] :
       {std::pair{headDim, blockQ}, std::pair{blockK, headDim},
        std::pair{blockK, valueDim}, std::pair{blockK, blockQ}})
    buffers.push_back(MemRefType::get({rows, cols}, f32));
  return buffers;
}

/// Replaces the scf.forall of the tile `op` (or the tile alone, when its
/// forall folded away) with a gpu.launch (TileToLaunch.h) and `op` with its
/// per-thread code: a thread per row (FMA), or two warps' worth of threads
/// per 16 rows (tensor cores, warpgroups).
LogicalResult mapTile(RewriterBase &rewriter, OnlineAttentionOp op,
                      WarpMatrixOps &ops, WarpgroupMatrixOps *warpgroupOps,
                      AsyncTileCopies *copies) {
  LoweringConfigAttr config = getLoweringConfig(op);
  if (failed(checkMappable(op, config)))
    return failure();
  bool warpgroups = isWarpgroupConfig(config);
  if (warpgroups && !warpgroupOps)
    return op.emitOpError("warpgroup (wgmma) configs need a target with "
                          "warpgroup products (-attn-nvgpu-map-attention "
                          "on sm_90a, or -attn-gpu-map-attention "
                          "emulate-warpgroup-mma)");
  bool tensorCores = isTensorCoreConfig(config) || warpgroups;
  int64_t threads = tensorCores ? 2 * config.getBlockQ() : config.getBlockQ();
  FailureOr<gpu::LaunchOp> launch = wrapTileInLaunch(
      rewriter, op, threads, workgroupBuffers(op, config, ops));
  if (failed(launch))
    return failure();
  ValueRange wg = launch->getWorkgroupAttributions();
  Value threadId = launch->getThreadIds().x;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  if (warpgroups) {
    ops.bind(wg.drop_front(4), threadId);
    warpgroupOps->bind(threadId);
    WGMMATileEmitter(rewriter, op, config, wg.take_front(4), threadId, ops,
                     *warpgroupOps, copies, *launch)
        .emit();
  } else if (tensorCores) {
    ops.bind(wg.drop_front(3), threadId);
    MMATileEmitter(rewriter, op, config, wg.take_front(3), threadId, ops)
        .emit();
  } else {
    TileEmitter(rewriter, op, config, {wg[0], wg[1], wg[2], wg[3]}, threadId)
        .emit();
  }
  rewriter.eraseOp(op);
  return success();
}

struct AttnGPUMapAttentionPass
    : public mlir::attn::impl::AttnGPUMapAttentionPassBase<
          AttnGPUMapAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    // Tensor-core tiles here get the emulated warp primitives (workgroup
    // memory and barriers); the NVVM leaf has its own pass with nvgpu ops.
    EmulatedWarpMatrixOps ops;
    EmulatedWarpgroupMatrixOps warpgroupOps;
    if (failed(mapAttentionToGPU(getOperation(), ops,
                                 emulateWarpgroupMma ? &warpgroupOps
                                                     : nullptr)))
      signalPassFailure();
  }
};

} // namespace

bool mlir::attn::isTensorCoreConfig(LoweringConfigAttr config) {
  return config && config.getQkTile() == ArrayRef<int64_t>{16, 8};
}

bool mlir::attn::isWarpgroupConfig(LoweringConfigAttr config) {
  return config && config.getQkTile().size() == 2 &&
         config.getQkTile()[0] == 64;
}

LogicalResult mlir::attn::mapAttentionToGPU(func::FuncOp func,
                                            WarpMatrixOps &ops,
                                            WarpgroupMatrixOps *warpgroupOps,
                                            AsyncTileCopies *copies) {
  SmallVector<OnlineAttentionOp> tiles;
  func.walk([&](OnlineAttentionOp op) { tiles.push_back(op); });
  IRRewriter rewriter(func.getContext());
  for (OnlineAttentionOp op : tiles)
    if (failed(mapTile(rewriter, op, ops, warpgroupOps, copies)))
      return failure();
  return success();
}
