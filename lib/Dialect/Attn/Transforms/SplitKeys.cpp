//===- SplitKeys.cpp - split-K attention for decode -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Flash-decoding (Dao, Haziza, Massa and Sizov, "Flash-Decoding for
// long-context inference", 2023): when an attention op has too few query
// rows to keep every thread busy (decode: Lq = 1 or a few rows, long Lk),
// its keys are split into ranges processed in parallel. Each tile of the
// `scf.forall` over (split, batch, head tile) is an `attn.partial_attention`
// on a fresh state; the partial states are then merged by the logsumexp rule
// in linalg and normalized. With GQA a head tile holds the Hq / Hkv query
// heads of one KV group, so each K/V block is read once per group instead of
// once per query head.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Threading.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::attn;

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

static Value filledF32(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                       double value) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  return linalg::FillOp::create(b, loc, c, empty).getResult(0);
}

/// Query heads per tile: the whole GQA group with `stackGroups` (static head
/// counts), else 1.
static int64_t headTileSize(OnlineAttentionOp op, bool stackGroups) {
  ShapedType q = op.getQueryType(), k = op.getKeyType();
  if (!stackGroups || q.isDynamicDim(1) || k.isDynamicDim(1) ||
      k.getDimSize(1) == 0)
    return 1;
  return q.getDimSize(1) / k.getDimSize(1);
}

int64_t mlir::attn::chooseKeySplits(ShapedType q, ShapedType k, int64_t blockQ,
                                    int64_t threads) {
  if (q.isDynamicDim(1) || q.isDynamicDim(2) || k.isDynamicDim(1) ||
      k.isDynamicDim(2) || k.getDimSize(1) == 0)
    return 1;
  int64_t group = q.getDimSize(1) / k.getDimSize(1);
  int64_t rowsPerGroup = group * q.getDimSize(2);
  int64_t lk = k.getDimSize(2);
  // Decode-shaped: the rows of a KV group fill less than half a query block,
  // so tiling queries alone leaves K/V re-read per head and threads idle.
  // Splits of at least kMinKeysPerSplit keys keep the per-tile set-up and
  // the merge small against the streaming of K and V.
  constexpr int64_t kMinKeysPerSplit = 1024, kMaxSplits = 64;
  if (2 * rowsPerGroup > blockQ || lk < 2 * kMinKeysPerSplit)
    return 1;
  // Enough (split, batch, KV group) tiles for kTilesPerThread per thread,
  // and no more: each tile starts its K/V streams cold (the kernel
  // prefetches the next key block of its own tile only), so longer splits
  // stream faster. Measured on the 2-thread AVX2 VM of docs/benchmarks.md
  // (bench/ab_compare.py, interleaved, 30 pairs): 16 splits of the 8/1
  // decode row (8 tiles per thread) took 1.029x less time than 64, and 2
  // splits of the 32/8 row 1.071x less than 32. At least 2 splits, so that
  // a decode op always takes the split form, whose tiles stack a GQA
  // group's heads (one read of K/V per group instead of per query head).
  constexpr int64_t kTilesPerThread = 8;
  if (threads <= 0)
    threads = llvm::hardware_concurrency().compute_thread_count();
  int64_t batch = q.isDynamicDim(0) ? 1 : std::max<int64_t>(q.getDimSize(0), 1);
  int64_t independent = batch * k.getDimSize(1);
  int64_t wanted = llvm::divideCeil(kTilesPerThread * threads, independent);
  return std::clamp<int64_t>(wanted, 2,
                             std::min(kMaxSplits, lk / kMinKeysPerSplit));
}

FailureOr<Value> mlir::attn::splitKeys(RewriterBase &rewriter,
                                       OnlineAttentionOp op, int64_t splits,
                                       bool stackGroups) {
  if (op.getNumResults() != 1)
    return rewriter.notifyMatchFailure(op, "split-K needs tensor semantics");
  if (splits < 1)
    return op.emitOpError("expected a positive number of key splits, found ")
           << splits;
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  OpBuilder &b = rewriter;
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  auto mixed = [&](Value x, int64_t d) {
    return tensor::getMixedSize(b, loc, x, d);
  };
  OpFoldResult bSz = mixed(q, 0), hSz = mixed(q, 1), lqSz = mixed(q, 2),
               lkSz = mixed(k, 2), dvSz = mixed(v, 3);
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  int64_t headTile = headTileSize(op, stackGroups);
  OpFoldResult sSz = b.getIndexAttr(splits);

  // The whole op as one partial step on a fresh state: its tiles (slices of
  // the inputs and of the fresh state) are the split tiles.
  Value accInit = filledF32(b, loc, {bSz, hSz, lqSz, dvSz}, 0.0);
  Value maxInit = filledF32(b, loc, {bSz, hSz, lqSz}, kNegInf);
  Value sumInit = filledF32(b, loc, {bSz, hSz, lqSz}, 0.0);
  auto whole = PartialAttentionOp::create(
      b, loc, TypeRange{accInit.getType(), maxInit.getType(), sumInit.getType()},
      q, k, v, op.getMask(), op.getQueryOffset(),
      arith::ConstantIndexOp::create(b, loc, 0), accInit, maxInit, sumInit,
      op.getScaleAttr(), op.getSoftcapAttr(), op.getWindowLeftAttr(),
      op.getWindowRightAttr(), op.getChunkAttr());

  // Partial states of the splits: acc [S, B, Hq, Lq, Dv], max/sum [S, B, Hq, Lq].
  Value accS = tensor::EmptyOp::create(b, loc, {sSz, bSz, hSz, lqSz, dvSz},
                                       b.getF32Type());
  Value maxS =
      tensor::EmptyOp::create(b, loc, {sSz, bSz, hSz, lqSz}, b.getF32Type());
  Value sumS =
      tensor::EmptyOp::create(b, loc, {sSz, bSz, hSz, lqSz}, b.getF32Type());
  Value lk = getValueOrCreateConstantIndexOp(b, loc, lkSz);
  Value keysPerSplit = arith::CeilDivUIOp::create(
      b, loc, lk, arith::ConstantIndexOp::create(b, loc, splits));
  Value headTiles = arith::DivUIOp::create(
      b, loc, getValueOrCreateConstantIndexOp(b, loc, hSz),
      arith::ConstantIndexOp::create(b, loc, headTile));

  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{sSz, bSz, OpFoldResult(headTiles)},
      ValueRange{accS, maxS, sumS}, /*mapping=*/std::nullopt);
  {
    OpBuilder::InsertionGuard bodyGuard(b);
    b.setInsertionPoint(forall.getBody()->getTerminator());
    SmallVector<Value> ivs = forall.getInductionVars();
    Value s = ivs[0], bIdx = ivs[1], ht = ivs[2];
    Value k0 = arith::MinUIOp::create(
        b, loc, arith::MulIOp::create(b, loc, s, keysPerSplit), lk);
    Value kn = arith::MinUIOp::create(b, loc, keysPerSplit,
                                      arith::SubIOp::create(b, loc, lk, k0));
    Value h0 = arith::MulIOp::create(
        b, loc, ht, arith::ConstantIndexOp::create(b, loc, headTile));
    OpFoldResult hT = b.getIndexAttr(headTile);
    FailureOr<TilingResult> tile = whole.getTiledImplementation(
        b, {bIdx, h0, zero, k0}, {one, hT, lqSz, kn});
    if (failed(tile))
      return failure();
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    ValueRange dests = forall.getRegionIterArgs();
    for (auto [i, result] : llvm::enumerate(tile->tiledValues)) {
      SmallVector<OpFoldResult> offsets = {s, bIdx, h0, zero};
      SmallVector<OpFoldResult> sizes = {one, one, hT, lqSz};
      if (i == 0) {
        offsets.push_back(zero);
        sizes.push_back(dvSz);
      }
      SmallVector<OpFoldResult> strides(offsets.size(), one);
      tensor::ParallelInsertSliceOp::create(b, loc, result, dests[i], offsets,
                                            sizes, strides);
    }
  }
  rewriter.eraseOp(whole);

  // Merge (logsumexp rule) and normalize, splits as the reduction dim:
  //   M = max_s m_s;  w_s = exp(m_s - M_0);  L = sum_s w_s l_s;
  //   O = (sum_s w_s acc_s) / L   (0 where L == 0).
  Value mParts = forall.getResult(1), lParts = forall.getResult(2),
        accParts = forall.getResult(0);
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  // Row loops (b, h, i, s): s innermost.
  AffineMap part4 = AffineMap::get(4, 0, {d3, d0, d1, d2}, ctx);
  AffineMap row4 = AffineMap::get(4, 0, {d0, d1, d2}, ctx);
  auto softmaxAt = [](OpBuilder &nb, Location nl) {
    return OnlineSoftmax(nb, nl, OnlineSoftmax::mathExp2);
  };
  Value mMerged =
      linalg::GenericOp::create(
          b, loc, TypeRange{maxInit.getType()}, ValueRange{mParts},
          ValueRange{filledF32(b, loc, {bSz, hSz, lqSz}, kNegInf)},
          ArrayRef<AffineMap>{part4, row4},
          ArrayRef<utils::IteratorType>{par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            linalg::YieldOp::create(nb, nl,
                                    softmaxAt(nb, nl).updateMax(a[1], a[0]));
          })
          .getResult(0);
  Value lMerged =
      linalg::GenericOp::create(
          b, loc, TypeRange{mMerged.getType()}, ValueRange{mParts, lParts, mMerged},
          ValueRange{filledF32(b, loc, {bSz, hSz, lqSz}, 0.0)},
          ArrayRef<AffineMap>{part4, part4, row4, row4},
          ArrayRef<utils::IteratorType>{par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            OnlineSoftmax softmax = softmaxAt(nb, nl);
            Value w = softmax.mergeWeight(a[0], a[2]);
            linalg::YieldOp::create(nb, nl,
                                    softmax.updateAcc(a[1], w, a[3]));
          })
          .getResult(0);
  // Output loops (b, h, i, e, s).
  AffineMap part5 = AffineMap::get(5, 0, {d4, d0, d1, d2}, ctx);
  AffineMap acc5 = AffineMap::get(5, 0, {d4, d0, d1, d2, d3}, ctx);
  AffineMap row5 = AffineMap::get(5, 0, {d0, d1, d2}, ctx);
  AffineMap out5 = AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx);
  Value accMerged =
      linalg::GenericOp::create(
          b, loc,
          TypeRange{accInit.getType()},
          ValueRange{mParts, accParts, mMerged},
          ValueRange{filledF32(b, loc, {bSz, hSz, lqSz, dvSz}, 0.0)},
          ArrayRef<AffineMap>{part5, acc5, row5, out5},
          ArrayRef<utils::IteratorType>{par, par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            OnlineSoftmax softmax = softmaxAt(nb, nl);
            Value w = softmax.mergeWeight(a[0], a[2]);
            linalg::YieldOp::create(nb, nl, softmax.updateAcc(a[1], w, a[3]));
          })
          .getResult(0);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  Type outElt = op.getOutputType().getElementType();
  Value result =
      linalg::GenericOp::create(
          b, loc, TypeRange{op.getOutput().getType()},
          ValueRange{accMerged, lMerged}, ValueRange{op.getOutput()},
          ArrayRef<AffineMap>{id4, row4, id4},
          ArrayRef<utils::IteratorType>{par, par, par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value o = softmaxAt(nb, nl).normalize(a[0], a[1]);
            if (!outElt.isF32())
              o = arith::TruncFOp::create(nb, nl, outElt, o);
            linalg::YieldOp::create(nb, nl, o);
          })
          .getResult(0);
  rewriter.replaceOp(op, result);
  return result;
}
