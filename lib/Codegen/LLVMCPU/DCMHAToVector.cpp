//===- DCMHAToVector.cpp - attn.online_dcmha to vector code -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The CPU kernel of fused DCMHA (DCFormer, Xiao et al., ICML 2024). A
// bufferized `attn.online_dcmha` tile becomes, per query block of `bq` rows
// (one vector or two of rows) and all H heads:
//
//   [jlo, jhi) = keys that some row of the block sees
//   Q^T[h]     = Q[h, rows, :]^T                       (packed once)
//   S[h, j, :] = scale * K[h, jlo + j, :] . Q^T[h]     (rows in the lanes:
//                                                       K read as it lies)
//   S[:, j, :] = mask(compose_pre(S[:, j, :]))         (heads mixed per
//                                                       (key, row vector))
//   m, l       = row max and sum of exp per head       (elementwise over keys)
//   S[:, j, :] = compose_post(exp(S - m) / l)          (normalized P, mixed)
//   O[h, rows] = sum_j S[h, j, :] V[h, jlo + j, :]     (rows in the lanes:
//                                                       V read as it lies)
//
// The scores of the block's visible keys stay in a per-tile heap buffer of
// H x (jhi - jlo) x bq floats, so the softmax is exact (one sweep over the
// keys, no rescaling) and Q K^T is computed once; memory grows linearly
// with Lk (docs/CodeGen.md#dcmha compares it with the two-sweep scheme a
// GPU would use). Rows are vector lanes, so query-indexed compose weights
// are vectors (packed per block) and key-indexed ones scalars (broadcast):
// neither needs a transpose per key block. The composition itself is
// buildComposeHeads (Dialect/Attn/Utils/ComposeHeads.h), the visibility
// AttentionGeometry and the softmax algebra OnlineSoftmax, shared with the
// other lowerings.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/AttnToVector.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"
#include "attn/Dialect/Attn/Utils/ComposeHeads.h"
#include "attn/Dialect/Attn/Utils/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The compose operands of one block (pre or post) on memrefs, with the
/// query-indexed ones packed per query block with rows in the lanes.
struct ComposeOperands {
  ComposeGroups mem;
  ComposeShape shape;
  // Packed [C][H][bq] (query weights) and [H][bq] (query gate) scratch.
  Value qw1T, qw2T, qgT;
};

/// The groups present in `g` and their ranks (static on the kernels' path).
static ComposeShape composeShapeOf(const ComposeGroups &g, int64_t heads) {
  ComposeShape s;
  s.heads = heads;
  s.staticWeights = static_cast<bool>(g.staticWeights);
  if (g.qw1)
    s.queryRank = cast<ShapedType>(g.qw1.getType()).getDimSize(2);
  if (g.kw1)
    s.keyRank = cast<ShapedType>(g.kw1.getType()).getDimSize(2);
  s.queryGate = static_cast<bool>(g.queryGate);
  s.keyGate = static_cast<bool>(g.keyGate);
  return s;
}

/// Builders shared by the DCMHA-family kernels: constants, f32 vectors of the
/// target's width, widening loads and narrowing stores, loops.
class VectorKernelBase {
protected:
  VectorKernelBase(ImplicitLocOpBuilder &b, const CPUTargetInfo &target)
      : b(b), t(target), w(target.lanes()) {
    f32 = b.getF32Type();
    vecF32 = VectorType::get({w}, f32);
  }

  // Small builders.
  Value cIdx(int64_t x) { return arith::ConstantIndexOp::create(b, x); }
  Value cF32(double x) { return arith::ConstantOp::create(b, b.getF32FloatAttr(x)); }
  Value vConst(double x) {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(x)));
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, vecF32, scalar);
  }
  Value addIdx(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value subIdx(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mulIdx(Value x, int64_t c) { return arith::MulIOp::create(b, x, cIdx(c)); }
  Value minIdx(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value dim(Value mem, int64_t i) { return memref::DimOp::create(b, mem, i); }
  Value toF32(Value x) {
    Type elt = getElementTypeOrSelf(x.getType());
    if (elt.isF32())
      return x;
    Type target = isa<VectorType>(x.getType()) ? Type(vecF32) : Type(f32);
    return arith::ExtFOp::create(b, target, x);
  }
  /// A scalar element of `mem`, widened to f32.
  Value loadScalar(Value mem, ValueRange indices) {
    return toF32(memref::LoadOp::create(b, mem, indices));
  }
  /// `n` (static) lanes of `mem` at `indices`, the rest 0, widened to f32.
  Value loadLanes(Value mem, ValueRange indices, int64_t n) {
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
  /// Stores the f32 vector `x` as `n` (static) lanes of `mem` at `indices`,
  /// narrowed to the element type of `mem`.
  void storeLanes(Value x, Value mem, ValueRange indices, int64_t n) {
    Type elt = cast<MemRefType>(mem.getType()).getElementType();
    if (!elt.isF32())
      x = arith::TruncFOp::create(b, VectorType::get({w}, elt), x);
    if (n >= w) {
      vector::StoreOp::create(b, x, mem, indices);
      return;
    }
    Value m = vector::ConstantMaskOp::create(
        b, VectorType::get({w}, b.getI1Type()), ArrayRef<int64_t>{n});
    vector::MaskedStoreOp::create(b, mem, indices, m, x);
  }
  Value loadVec(Value mem, ValueRange indices) {
    return vector::LoadOp::create(b, vecF32, mem, indices);
  }
  void storeVec(Value x, Value mem, ValueRange indices) {
    vector::StoreOp::create(b, x, mem, indices);
  }
  SmallVector<Value>
  forLoop(Value lb, Value ub, Value step, ValueRange init,
          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, lb, ub, step, init,
        [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          scf::YieldOp::create(b, body(iv, args));
        });
    return SmallVector<Value>(loop.getResults());
  }
  void forLoop(Value lb, Value ub, Value step, function_ref<void(Value)> body) {
    forLoop(lb, ub, step, ValueRange{},
            [&](Value iv, ValueRange) -> SmallVector<Value> {
              body(iv);
              return {};
            });
  }
  ImplicitLocOpBuilder &b;
  const CPUTargetInfo &t;
  int64_t w;
  Type f32;
  VectorType vecF32;
};

class DCMHAKernelEmitter : public VectorKernelBase {
public:
  DCMHAKernelEmitter(ImplicitLocOpBuilder &b, OnlineDCMHAOp op,
                     const CPUTargetInfo &target, int64_t blockQ)
      : VectorKernelBase(b, target), op(op),
        geometry(AttentionGeometry::get(op)) {
    q = op.getQuery(), k = op.getKey(), v = op.getValue(), out = op.getOutput();
    heads = op.getQueryType().getDimSize(1);
    d = op.getKeyType().getDimSize(3);
    dv = op.getValueType().getDimSize(3);
    dvPad = llvm::divideCeil(dv, w) * w;
    bq = std::max<int64_t>(llvm::divideCeil(blockQ, w), 1) * w;
    rowVecs = bq / w;
    scale = op.getScaleAttr() ? op.getScaleAttr().getValueAsDouble()
                              : 1.0 / std::sqrt(static_cast<double>(d));
    pre.mem = op.getPreGroups();
    post.mem = op.getPostGroups();
    for (ComposeOperands *c : {&pre, &post})
      c->shape = composeShapeOf(c->mem, heads);
  }

  void emit();

private:

  OnlineSoftmax softmax() { return OnlineSoftmax(b, b.getLoc(), targetExp2); }

  // Kernel phases.
  void emitQueryBlock(Value bIdx, Value q0);
  void emitPackQueries(Value bIdx, Value q0, Value nq);
  void emitRowRanges(Value q0, Value nq);
  void emitScores(Value bIdx, Value jlo, Value kb, Value kend);
  void emitCompose(ComposeOperands &c, Value bIdx, Value jlo, Value kb,
                   Value kend, bool normalize, bool mask);
  void emitBlockSoftmax(Value kb, Value kend, Value block);
  void emitBlockFactors(Value block);
  /// How a key block's P V sum enters the accumulators (f = rowFactor).
  enum class AccumulateMode { Add, ScaleAcc };
  void emitAccumulate(Value bIdx, Value jlo, Value kb, Value kend,
                      AccumulateMode mode);
  /// The row of S that holds key j: j itself when S holds all the block's
  /// keys, j - kb when it holds one key block (sBase = kb).
  Value sKey(Value j) { return sBase ? subIdx(j, sBase) : j; }
  void emitFinalize(Value bIdx, Value q0, Value nq, bool scaled);

  OnlineDCMHAOp op;
  AttentionGeometry geometry;
  Value q, k, v, out;
  int64_t heads, d, dv, dvPad, bq, rowVecs;
  double scale;
  ComposeOperands pre, post;
  std::function<Value(OpBuilder &, Location, Value)> targetExp2 =
      [this](OpBuilder &nb, Location loc, Value x) { return t.exp2(nb, loc, x); };
  // Scratch: Q^T [H][D][bq]; per head and row ([H][bq]) the running max
  // and sum (then 1/sum) and the factor of the current key block; the
  // visible keys [lo, hi) of each row ([bq] i32); the P V accumulators
  // with rows in the lanes [H][Dv][bq]. Per query block on the heap: S [H][nkv][bq] and the
  // running max after each key block [blocks][H][bq].
  Value qt, rowMax, rowSum, rowFactor, loKeys, hiKeys, acc, s, blockMax;
  Value sBase;
  // S of one key block [H][kKeyBlock][bq] (the online form, no post-compose).
  Value scratchS;
  // The composed values of one key and row vector [H][w], when the heads
  // are too many to unroll the compose (kMaxUnrolledComposeHeads).
  Value mixed;
  // Output heads per iteration of the looped compose.
  static constexpr int64_t kComposeHeadTile = 8;
  // Keys per block of the fused per-block steps: a block of S (128 keys x
  // H x bq floats, 128 KiB at H = 16) stays in L2 between them.
  static constexpr int64_t kKeyBlock = 128;
};

void DCMHAKernelEmitter::emit() {
  // Scratch per op instance (per tile once tiled): on the stack up to 1 MiB,
  // on the heap above (no thread stack overflows for huge H x D).
  constexpr int64_t kMaxStackScratchBytes = 1 << 20;
  int64_t packedWeights = 0;
  for (ComposeOperands *c : {&pre, &post})
    packedWeights += (2 * c->shape.queryRank + (c->shape.queryGate ? 1 : 0)) *
                     heads * bq;
  int64_t scratchBytes = 4 * (heads * d * bq + 3 * heads * bq +
                              heads * dv * bq + packedWeights);
  if (post.shape.isIdentity())
    scratchBytes += 4 * heads * kKeyBlock * bq;
  bool loopedCompose = heads > kMaxUnrolledComposeHeads &&
                       (!pre.shape.isIdentity() || !post.shape.isIdentity());
  if (loopedCompose)
    scratchBytes += 4 * heads * w;
  bool onHeap = scratchBytes > kMaxStackScratchBytes;
  SmallVector<Value> heapBuffers;
  auto alloc = [&](ArrayRef<int64_t> shape, Type elt) -> Value {
    return t.allocScratch(b, b.getLoc(), MemRefType::get(shape, elt),
                          /*alignmentBytes=*/64, onHeap, heapBuffers);
  };
  qt = alloc({heads, d, bq}, f32);
  rowMax = alloc({heads, bq}, f32);
  rowSum = alloc({heads, bq}, f32);
  rowFactor = alloc({heads, bq}, f32);
  acc = alloc({heads, dv, bq}, f32);
  if (post.shape.isIdentity())
    scratchS = alloc({heads, kKeyBlock, bq}, f32);
  if (loopedCompose)
    mixed = alloc({heads, w}, f32);
  if (geometry.restrictsKeys()) {
    loKeys = alloc({bq}, b.getI32Type());
    hiKeys = alloc({bq}, b.getI32Type());
  }
  for (ComposeOperands *c : {&pre, &post}) {
    if (c->shape.queryRank > 0) {
      c->qw1T = alloc({c->shape.queryRank, heads, bq}, f32);
      c->qw2T = alloc({c->shape.queryRank, heads, bq}, f32);
    }
    if (c->shape.queryGate)
      c->qgT = alloc({heads, bq}, f32);
  }
  Value zero = cIdx(0), one = cIdx(1);
  forLoop(zero, dim(q, 0), one, [&](Value bIdx) {
    forLoop(zero, dim(q, 2), cIdx(bq),
            [&](Value q0) { emitQueryBlock(bIdx, q0); });
  });
  for (Value buffer : heapBuffers)
    memref::DeallocOp::create(b, buffer);
}

void DCMHAKernelEmitter::emitQueryBlock(Value bIdx, Value q0) {
  Value zero = cIdx(0), one = cIdx(1);
  Value nq = minIdx(cIdx(bq), subIdx(dim(q, 2), q0));
  Value lk = dim(k, 2);
  // Keys that some row of the block sees: [jlo, jhi).
  Value firstPos = addIdx(op.getQueryOffset(), q0);
  Value lastPos = addIdx(firstPos, subIdx(nq, one));
  Value jlo, jhi;
  std::tie(jlo, jhi) =
      geometry.emitVisibleColumns(b, b.getLoc(), firstPos, lastPos, zero, lk);
  Value nkv = subIdx(jhi, jlo);

  emitPackQueries(bIdx, q0, nq);
  if (geometry.restrictsKeys())
    emitRowRanges(q0, nq);
  // m = -inf, l = 0, acc = 0.
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  Value zeroV = vConst(0.0);
  forLoop(zero, cIdx(heads), one, [&](Value h) {
    for (int64_t r0 = 0; r0 < bq; r0 += w) {
      storeVec(negInfV, rowMax, ValueRange{h, cIdx(r0)});
      storeVec(zeroV, rowSum, ValueRange{h, cIdx(r0)});
    }
    forLoop(zero, cIdx(dv), one, [&](Value e) {
      for (int64_t r0 = 0; r0 < bq; r0 += w)
        storeVec(zeroV, acc, ValueRange{h, e, cIdx(r0)});
    });
  });
  bool mask = geometry.restrictsKeys();
  OnlineSoftmax sm = softmax();
  // Scores, compose_pre and mask, and the online-softmax statistics of one
  // L2-resident key block [kb, kend).
  auto emitBlockStats = [&](Value kb, Value kend, Value block) {
    emitScores(bIdx, jlo, kb, kend);
    if (!pre.shape.isIdentity() || mask)
      emitCompose(pre, bIdx, jlo, kb, kend, /*normalize=*/false, mask);
    emitBlockSoftmax(kb, kend, block);
  };

  if (post.shape.isIdentity()) {
    // Without post-compose, FlashAttention: each block's P V enters the
    // accumulators rescaled online (acc = alpha acc + P V), S holds one key
    // block, and O = acc / l.
    s = scratchS;
    forLoop(zero, nkv, cIdx(kKeyBlock), [&](Value kb) {
      Value kend = minIdx(addIdx(kb, cIdx(kKeyBlock)), nkv);
      sBase = kb;
      emitBlockStats(kb, kend, /*block=*/nullptr);
      emitAccumulate(bIdx, jlo, kb, kend, AccumulateMode::ScaleAcc);
      sBase = nullptr;
    });
    forLoop(zero, cIdx(heads), one, [&](Value h) {
      for (int64_t r0 = 0; r0 < bq; r0 += w)
        storeVec(sm.safeReciprocal(loadVec(rowSum, ValueRange{h, cIdx(r0)})),
                 rowFactor, ValueRange{h, cIdx(r0)});
    });
    emitFinalize(bIdx, q0, nq, /*scaled=*/true);
    return;
  }

  // Post-compose mixes *normalized* probabilities of different heads, so a
  // row's final max and sum must be known first: the block's P (against the
  // running max) is kept for all its visible keys, [H][nkv][bq] on the heap
  // (a head's keys contiguous), with the running max after each key block.
  Value blocks = arith::CeilDivUIOp::create(b, nkv, cIdx(kKeyBlock));
  s = memref::AllocOp::create(
      b, MemRefType::get({heads, ShapedType::kDynamic, bq}, f32),
      ValueRange{nkv}, b.getI64IntegerAttr(64));
  blockMax = memref::AllocOp::create(
      b, MemRefType::get({ShapedType::kDynamic, heads, bq}, f32),
      ValueRange{blocks}, b.getI64IntegerAttr(64));
  forLoop(zero, nkv, cIdx(kKeyBlock), [&](Value kb) {
    Value kend = minIdx(addIdx(kb, cIdx(kKeyBlock)), nkv);
    emitBlockStats(kb, kend, arith::DivUIOp::create(b, kb, cIdx(kKeyBlock)));
  });
  // 1/l, then a second pass over the stored blocks: each block's P is
  // rescaled to the final max and normalized (factor exp(m_block - m) / l),
  // post-composed, and accumulated into O.
  forLoop(zero, cIdx(heads), one, [&](Value h) {
    for (int64_t r0 = 0; r0 < bq; r0 += w) {
      Value l = loadVec(rowSum, ValueRange{h, cIdx(r0)});
      storeVec(sm.safeReciprocal(l), rowSum, ValueRange{h, cIdx(r0)});
    }
  });
  forLoop(zero, nkv, cIdx(kKeyBlock), [&](Value kb) {
    Value kend = minIdx(addIdx(kb, cIdx(kKeyBlock)), nkv);
    emitBlockFactors(arith::DivUIOp::create(b, kb, cIdx(kKeyBlock)));
    emitCompose(post, bIdx, jlo, kb, kend, /*normalize=*/true,
                /*mask=*/false);
    emitAccumulate(bIdx, jlo, kb, kend, AccumulateMode::Add);
  });
  emitFinalize(bIdx, q0, nq, /*scaled=*/false);
  memref::DeallocOp::create(b, s);
  memref::DeallocOp::create(b, blockMax);
}

/// Q^T[h, dd, r] = Q[b, h, q0 + r, dd] and the query-indexed compose weights
/// with rows in the lanes; lanes past nq are 0 (their scores are 0, never
/// stored).
void DCMHAKernelEmitter::emitPackQueries(Value bIdx, Value q0, Value nq) {
  Value zero = cIdx(0), one = cIdx(1);
  Value zeroV = vConst(0.0);
  auto clear = [&](Value mem, int64_t rows) {
    forLoop(zero, cIdx(rows), one, [&](Value i) {
      for (int64_t r0 = 0; r0 < bq; r0 += w)
        storeVec(zeroV, mem, ValueRange{i, cIdx(r0)});
    });
  };
  // Views as [rows][bq] for the clearing.
  auto flat = [&](Value mem) -> Value {
    auto type = cast<MemRefType>(mem.getType());
    if (type.getRank() == 2)
      return mem;
    ReassociationIndices outer;
    for (int64_t i = 0; i + 1 < type.getRank(); ++i)
      outer.push_back(i);
    SmallVector<ReassociationIndices> groups = {outer, {type.getRank() - 1}};
    return memref::CollapseShapeOp::create(b, mem, groups);
  };
  clear(flat(qt), heads * d);
  for (ComposeOperands *c : {&pre, &post}) {
    if (c->qw1T) {
      clear(flat(c->qw1T), c->shape.queryRank * heads);
      clear(flat(c->qw2T), c->shape.queryRank * heads);
    }
    if (c->qgT)
      clear(c->qgT, heads);
  }
  forLoop(zero, nq, one, [&](Value r) {
    Value row = addIdx(q0, r);
    forLoop(zero, cIdx(heads), one, [&](Value h) {
      forLoop(zero, cIdx(d), one, [&](Value dd) {
        memref::StoreOp::create(b, loadScalar(q, ValueRange{bIdx, h, row, dd}),
                                qt, ValueRange{h, dd, r});
      });
      for (ComposeOperands *c : {&pre, &post}) {
        for (int64_t ci = 0; ci < c->shape.queryRank; ++ci) {
          Value cv = cIdx(ci);
          memref::StoreOp::create(
              b, loadScalar(c->mem.qw1, ValueRange{bIdx, row, cv, h}), c->qw1T,
              ValueRange{cv, h, r});
          memref::StoreOp::create(
              b, loadScalar(c->mem.qw2, ValueRange{bIdx, row, cv, h}), c->qw2T,
              ValueRange{cv, h, r});
        }
        if (c->qgT)
          memref::StoreOp::create(
              b, loadScalar(c->mem.queryGate, ValueRange{bIdx, row, h}), c->qgT,
              ValueRange{h, r});
      }
    });
  });
}

/// The visible keys [lo, hi) of each row of the block (key positions); rows
/// past nq see none.
void DCMHAKernelEmitter::emitRowRanges(Value q0, Value nq) {
  Type i32 = b.getI32Type();
  auto vecI32 = VectorType::get({w}, i32);
  Value zeroI = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(0)));
  for (int64_t r0 = 0; r0 < bq; r0 += w) {
    vector::StoreOp::create(b, zeroI, loKeys, ValueRange{cIdx(r0)});
    vector::StoreOp::create(b, zeroI, hiKeys, ValueRange{cIdx(r0)});
  }
  Value lk = dim(k, 2);
  forLoop(cIdx(0), nq, cIdx(1), [&](Value r) {
    Value pos = addIdx(op.getQueryOffset(), addIdx(q0, r));
    auto [lo, hi] =
        geometry.emitVisibleColumns(b, b.getLoc(), pos, pos, cIdx(0), lk);
    memref::StoreOp::create(b, arith::IndexCastOp::create(b, i32, lo), loKeys,
                            r);
    memref::StoreOp::create(b, arith::IndexCastOp::create(b, i32, hi), hiKeys,
                            r);
  });
}

/// S[h, j, :] = scale * K[b, h, jlo + j, :] Q^T[h] for j in [kb, kend): register
/// tiles of kKeys keys x all row vectors, each step rowVecs Q^T loads and
/// kKeys broadcasts of K elements (K read row by row, as it lies in memory).
void DCMHAKernelEmitter::emitScores(Value bIdx, Value jlo, Value kb,
                                    Value kend) {
  // About 12-16 accumulators: 12 keys x 1 vector (AVX-512, 16 rows) or
  // 6 keys x 2 vectors (AVX2).
  int64_t kKeys = std::max<int64_t>(12 / rowVecs, 1);
  Value scaleV = vConst(scale);
  Value lastKey = subIdx(kend, cIdx(1));
  forLoop(cIdx(0), cIdx(heads), cIdx(1), [&](Value h) {
    forLoop(kb, kend, cIdx(kKeys), [&](Value j0) {
      // Keys past kend repeat the last one (same values, same place).
      SmallVector<Value> keys;
      for (int64_t jj = 0; jj < kKeys; ++jj)
        keys.push_back(minIdx(addIdx(j0, cIdx(jj)), lastKey));
      SmallVector<Value> init(kKeys * rowVecs, vConst(0.0));
      // Operands in the order that keeps fewer of them live besides the
      // accumulators: the rowVecs Q^T vectors and then one K broadcast at a
      // time, or the kKeys broadcasts and then one Q^T vector at a time
      // (AVX2: 2 + 1 + 12 at 16 rows, 3 + 1 + 12 at 32; 16 registers).
      bool vectorsFirst = rowVecs <= kKeys;
      auto step = [&](Value dd, ValueRange accs) {
        auto qAt = [&](int64_t rv) {
          return loadVec(qt, ValueRange{h, dd, cIdx(rv * w)});
        };
        auto kAt = [&](int64_t jj) {
          return splat(loadScalar(
              k, ValueRange{bIdx, h, addIdx(jlo, keys[jj]), dd}));
        };
        SmallVector<Value> next(accs);
        auto fma = [&](int64_t jj, int64_t rv, Value kv, Value qv) {
          next[jj * rowVecs + rv] =
              vector::FMAOp::create(b, kv, qv, accs[jj * rowVecs + rv]);
        };
        if (vectorsFirst) {
          SmallVector<Value> qv;
          for (int64_t rv = 0; rv < rowVecs; ++rv)
            qv.push_back(qAt(rv));
          for (int64_t jj = 0; jj < kKeys; ++jj) {
            Value kv = kAt(jj);
            for (int64_t rv = 0; rv < rowVecs; ++rv)
              fma(jj, rv, kv, qv[rv]);
          }
        } else {
          SmallVector<Value> kv;
          for (int64_t jj = 0; jj < kKeys; ++jj)
            kv.push_back(kAt(jj));
          for (int64_t rv = 0; rv < rowVecs; ++rv) {
            Value qv = qAt(rv);
            for (int64_t jj = 0; jj < kKeys; ++jj)
              fma(jj, rv, kv[jj], qv);
          }
        }
        return next;
      };
      int64_t unroll = d % 4 == 0 ? 4 : 1;
      SmallVector<Value> sums = forLoop(
          cIdx(0), cIdx(d), cIdx(unroll), init,
          [&](Value dd, ValueRange accs) -> SmallVector<Value> {
            SmallVector<Value> next(accs);
            for (int64_t u = 0; u < unroll; ++u)
              next = step(addIdx(dd, cIdx(u)), next);
            return next;
          });
      for (int64_t jj = 0; jj < kKeys; ++jj)
        for (int64_t rv = 0; rv < rowVecs; ++rv)
          storeVec(arith::MulFOp::create(b, sums[jj * rowVecs + rv], scaleV), s,
                   ValueRange{h, sKey(keys[jj]), cIdx(rv * w)});
    });
  });
}

/// Per key j in [kb, kend) and row vector: the H values of S[:, j, rows]
/// (times the block's factor when `normalize`), mixed across heads by
/// compose `c`, then -inf where a row does not see the key when `mask`,
/// stored back.
void DCMHAKernelEmitter::emitCompose(ComposeOperands &c, Value bIdx, Value jlo,
                                     Value kb, Value kend, bool normalize,
                                     bool mask) {
  Type i32 = b.getI32Type();
  auto vecI32 = VectorType::get({w}, i32);
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  forLoop(kb, kend, cIdx(1), [&](Value j) {
    Value key = addIdx(jlo, j);
    Value keyV;
    if (mask)
      keyV = vector::BroadcastOp::create(
          b, vecI32, arith::IndexCastOp::create(b, i32, key));
    for (int64_t rv = 0; rv < rowVecs; ++rv) {
      Value r0 = cIdx(rv * w);
      // S[h, j, rows] (times the block's factor when normalizing).
      auto loadA = [&](Value h) {
        Value x = loadVec(s, ValueRange{h, sKey(j), r0});
        if (normalize)
          x = arith::MulFOp::create(b, x,
                                    loadVec(rowFactor, ValueRange{h, r0}));
        return x;
      };
      // Query-indexed weights vary along the lanes (packed), key-indexed
      // ones are one scalar for all rows.
      auto staticWeight = [&](Value g, Value h) {
        return splat(loadScalar(c.mem.staticWeights, ValueRange{g, h}));
      };
      auto queryWeight1 = [&](int64_t ci, Value g) {
        return loadVec(c.qw1T, ValueRange{cIdx(ci), g, r0});
      };
      auto queryWeight2 = [&](int64_t ci, Value h) {
        return loadVec(c.qw2T, ValueRange{cIdx(ci), h, r0});
      };
      auto keyWeight1 = [&](int64_t ci, Value g) {
        return splat(loadScalar(c.mem.kw1, ValueRange{bIdx, key, cIdx(ci), g}));
      };
      auto keyWeight2 = [&](int64_t ci, Value h) {
        return splat(loadScalar(c.mem.kw2, ValueRange{bIdx, key, cIdx(ci), h}));
      };
      auto queryGate = [&](Value h) {
        return loadVec(c.qgT, ValueRange{h, r0});
      };
      auto keyGate = [&](Value h) {
        return splat(loadScalar(c.mem.keyGate, ValueRange{bIdx, key, h}));
      };
      ComposeWeightFns fns{staticWeight, queryWeight1, queryWeight2, keyWeight1,
                           keyWeight2,   queryGate,    keyGate};
      Value visible;
      if (mask) {
        Value lo = vector::LoadOp::create(b, vecI32, loKeys, ValueRange{r0});
        Value hi = vector::LoadOp::create(b, vecI32, hiKeys, ValueRange{r0});
        visible = arith::AndIOp::create(
            b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, keyV, lo),
            arith::CmpIOp::create(b, arith::CmpIPredicate::slt, keyV, hi));
      }
      // -inf where the rows do not see the key.
      auto masked = [&](Value x) -> Value {
        return visible ? arith::SelectOp::create(b, visible, x, negInfV) : x;
      };
      if (mixed && !c.shape.isIdentity()) {
        // Many heads: output heads in a loop into `mixed`, then back to S
        // (the loop reads every head of S in each iteration).
        buildComposeHeadsInLoop(
            b, b.getLoc(), c.shape, fns, loadA,
            [&](Value h, Value x) {
              storeVec(masked(x), mixed, ValueRange{h, cIdx(0)});
            },
            kComposeHeadTile);
        forLoop(cIdx(0), cIdx(heads), cIdx(1), [&](Value h) {
          storeVec(loadVec(mixed, ValueRange{h, cIdx(0)}), s,
                   ValueRange{h, sKey(j), r0});
        });
        continue;
      }
      SmallVector<Value> a;
      for (int64_t h = 0; h < heads; ++h)
        a.push_back(loadA(cIdx(h)));
      SmallVector<Value> out =
          c.shape.isIdentity()
              ? a
              : buildComposeHeads(b, b.getLoc(), c.shape, fns, a);
      for (int64_t h = 0; h < heads; ++h)
        storeVec(masked(out[h]), s, ValueRange{cIdx(h), sKey(j), r0});
    }
  });
}

/// The online-softmax step of key block [kb, kend), per head and row vector:
/// m' = max(m, block max), l = alpha l + sum_j P with alpha = exp(m - m')
/// and P = exp(S - m') stored over S; m' recorded as the max of block number
/// `block`, or without one (online form) alpha into rowFactor.
void DCMHAKernelEmitter::emitBlockSoftmax(Value kb, Value kend, Value block) {
  OnlineSoftmax sm = softmax();
  Value negInfV = vConst(-std::numeric_limits<double>::infinity());
  forLoop(cIdx(0), cIdx(heads), cIdx(1), [&](Value h) {
    for (int64_t rv = 0; rv < rowVecs; ++rv) {
      Value r0 = cIdx(rv * w);
      Value bmax = forLoop(kb, kend, cIdx(1), ValueRange{negInfV},
                           [&](Value j, ValueRange args) -> SmallVector<Value> {
                             return {sm.max(args[0],
                                            loadVec(s, ValueRange{h, sKey(j), r0}))};
                           })[0];
      Value mOld = loadVec(rowMax, ValueRange{h, r0});
      Value mNew = sm.updateMax(mOld, bmax);
      Value mSafe = sm.safeMax(mNew);
      Value negM = sm.expOffset(mSafe);
      Value sum = forLoop(kb, kend, cIdx(1), ValueRange{vConst(0.0)},
                          [&](Value j, ValueRange args) -> SmallVector<Value> {
                            Value p = sm.exp(loadVec(s, ValueRange{h, sKey(j), r0}),
                                             negM);
                            storeVec(p, s, ValueRange{h, sKey(j), r0});
                            return {arith::AddFOp::create(b, args[0], p)};
                          })[0];
      Value alpha = sm.rescale(mOld, mSafe);
      Value l = sm.updateSum(loadVec(rowSum, ValueRange{h, r0}), alpha, sum);
      storeVec(mNew, rowMax, ValueRange{h, r0});
      storeVec(l, rowSum, ValueRange{h, r0});
      // Deferred normalization: the block's max; online: alpha, which
      // rescales the accumulators.
      if (block)
        storeVec(mNew, blockMax, ValueRange{block, h, r0});
      else
        storeVec(alpha, rowFactor, ValueRange{h, r0});
    }
  });
}

/// The factor of key block `block` per head and row: exp(m_block - m) / l
/// (its P was taken against the running max m_block; rowSum holds 1/l). 0
/// for rows that had seen no key by then (m_block = -inf).
void DCMHAKernelEmitter::emitBlockFactors(Value block) {
  OnlineSoftmax sm = softmax();
  forLoop(cIdx(0), cIdx(heads), cIdx(1), [&](Value h) {
    for (int64_t r0 = 0; r0 < bq; r0 += w) {
      Value mFinal = sm.safeMax(loadVec(rowMax, ValueRange{h, cIdx(r0)}));
      Value rescale =
          sm.rescale(loadVec(blockMax, ValueRange{block, h, cIdx(r0)}), mFinal);
      storeVec(arith::MulFOp::create(
                   b, rescale, loadVec(rowSum, ValueRange{h, cIdx(r0)})),
               rowFactor, ValueRange{h, cIdx(r0)});
    }
  });
}

/// acc^T[h, e, :] += sum_{j in [kb, kend)} V[b, h, jlo + j, e] S[h, j, :]
/// (rows in the lanes, as Q K^T): register tiles of eTile head-dim columns x
/// all row vectors, each step rowVecs P loads and eTile broadcasts of V
/// elements (V read as it lies). Add: acc += sum (P already normalized);
/// ScaleAcc: acc = f * acc + sum (the online rescale by alpha,
/// FlashAttention).
void DCMHAKernelEmitter::emitAccumulate(Value bIdx, Value jlo, Value kb,
                                        Value kend, AccumulateMode mode) {
  // About 12 accumulators, as the scores' tiles.
  int64_t eTile = std::max<int64_t>(12 / rowVecs, 1);
  Value zero = cIdx(0), one = cIdx(1);
  forLoop(zero, cIdx(heads), one, [&](Value h) {
    for (int64_t e0 = 0; e0 < dv; e0 += eTile) {
      int64_t cols = std::min<int64_t>(eTile, dv - e0);
      auto accIndex = [&](int64_t e, int64_t rv) {
        return SmallVector<Value>{h, cIdx(e0 + e), cIdx(rv * w)};
      };
      SmallVector<Value> init;
      for (int64_t e = 0; e < cols; ++e)
        for (int64_t rv = 0; rv < rowVecs; ++rv)
          init.push_back(vConst(0.0));
      SmallVector<Value> sums = forLoop(
          kb, kend, one, init,
          [&](Value j, ValueRange accs) -> SmallVector<Value> {
            // As in the scores: the fewer of the P vectors and the V
            // broadcasts live at once.
            Value key = addIdx(jlo, j);
            auto pAt = [&](int64_t rv) {
              return loadVec(s, ValueRange{h, sKey(j), cIdx(rv * w)});
            };
            auto vAt = [&](int64_t e) {
              return splat(
                  loadScalar(v, ValueRange{bIdx, h, key, cIdx(e0 + e)}));
            };
            SmallVector<Value> next(accs);
            auto fma = [&](int64_t e, int64_t rv, Value ve, Value p) {
              next[e * rowVecs + rv] =
                  vector::FMAOp::create(b, ve, p, accs[e * rowVecs + rv]);
            };
            if (rowVecs <= cols) {
              SmallVector<Value> p;
              for (int64_t rv = 0; rv < rowVecs; ++rv)
                p.push_back(pAt(rv));
              for (int64_t e = 0; e < cols; ++e) {
                Value ve = vAt(e);
                for (int64_t rv = 0; rv < rowVecs; ++rv)
                  fma(e, rv, ve, p[rv]);
              }
            } else {
              SmallVector<Value> ve;
              for (int64_t e = 0; e < cols; ++e)
                ve.push_back(vAt(e));
              for (int64_t rv = 0; rv < rowVecs; ++rv) {
                Value p = pAt(rv);
                for (int64_t e = 0; e < cols; ++e)
                  fma(e, rv, ve[e], p);
              }
            }
            return next;
          });
      for (int64_t rv = 0; rv < rowVecs; ++rv) {
        Value f;
        if (mode == AccumulateMode::ScaleAcc)
          f = loadVec(rowFactor, ValueRange{h, cIdx(rv * w)});
        for (int64_t e = 0; e < cols; ++e) {
          Value sum = sums[e * rowVecs + rv];
          Value old = loadVec(acc, accIndex(e, rv));
          Value x = f ? Value(vector::FMAOp::create(b, f, old, sum))
                      : Value(arith::AddFOp::create(b, old, sum));
          storeVec(x, acc, accIndex(e, rv));
        }
      }
    }
  });
}

/// O[b, h, q0 + r, e] = acc^T[h, e, r] (times rowFactor when `scaled`) for
/// r < nq, in the output type.
void DCMHAKernelEmitter::emitFinalize(Value bIdx, Value q0, Value nq,
                                      bool scaled) {
  Value zero = cIdx(0), one = cIdx(1);
  Type outElt = cast<MemRefType>(out.getType()).getElementType();
  forLoop(zero, cIdx(heads), one, [&](Value h) {
    if (scaled)
      forLoop(zero, cIdx(dv), one, [&](Value e) {
        for (int64_t r0 = 0; r0 < bq; r0 += w)
          storeVec(arith::MulFOp::create(
                       b, loadVec(acc, ValueRange{h, e, cIdx(r0)}),
                       loadVec(rowFactor, ValueRange{h, cIdx(r0)})),
                   acc, ValueRange{h, e, cIdx(r0)});
      });
    forLoop(zero, nq, one, [&](Value r) {
      forLoop(zero, cIdx(dv), one, [&](Value e) {
        Value x = memref::LoadOp::create(b, acc, ValueRange{h, e, r});
        if (!outElt.isF32())
          x = arith::TruncFOp::create(b, outElt, x);
        memref::StoreOp::create(b, x, out,
                                ValueRange{bIdx, h, addIdx(q0, r), e});
      });
    });
  });
}

/// The kernel of a standalone compose tile (`attn.tiled_compose` on
/// memrefs): per row t of the tile and vector of keys s, the H scores
/// A[b, :, t, s] (contiguous along s) mixed by buildComposeHeads. Keys are in
/// the lanes, so query-indexed weights are scalars (broadcast) and
/// key-indexed ones vectors, packed once per tile as [C][H][Lk] ([H][Lk]
/// for the gate) in a heap buffer (they lie with stride C*H along s).
class ComposeKernelEmitter : public VectorKernelBase {
public:
  ComposeKernelEmitter(ImplicitLocOpBuilder &b, TiledComposeOp op,
                       const CPUTargetInfo &target)
      : VectorKernelBase(b, target), op(op) {
    heads = op.getScoresType().getDimSize(1);
    mem = op.getGroups();
    shape = composeShapeOf(mem, heads);
  }

  void emit() {
    Value zero = cIdx(0), one = cIdx(1);
    Value a = op.getScores(), out = op.getOutput();
    Value lk = dim(a, 3);
    Value lkPad = arith::MulIOp::create(
        b, arith::CeilDivUIOp::create(b, lk, cIdx(w)), cIdx(w));
    SmallVector<Value> heapBuffers;
    auto alloc = [&](int64_t rows) -> Value {
      auto type = MemRefType::get({rows, ShapedType::kDynamic}, f32);
      heapBuffers.push_back(memref::AllocOp::create(
          b, type, ValueRange{lkPad}, b.getI64IntegerAttr(64)));
      return heapBuffers.back();
    };
    // Key-indexed weights, [c * H + g][s] and [h][s], zero past Lk.
    Value kw1T, kw2T, kgT;
    if (shape.keyRank > 0) {
      kw1T = alloc(shape.keyRank * heads);
      kw2T = alloc(shape.keyRank * heads);
    }
    if (shape.keyGate)
      kgT = alloc(heads);
    forLoop(zero, dim(a, 0), one, [&](Value bIdx) {
      packKeyWeights(bIdx, lk, lkPad, kw1T, kw2T, kgT);
      forLoop(zero, dim(a, 2), one, [&](Value row) {
        forLoop(zero, lk, cIdx(w), [&](Value s0) {
          // The tail vector of a row reads and writes only its keys.
          Value n = minIdx(cIdx(w), subIdx(lk, s0));
          Value laneMask = vector::CreateMaskOp::create(
              b, VectorType::get({w}, b.getI1Type()), ValueRange{n});
          Type elt = cast<MemRefType>(a.getType()).getElementType();
          auto vt = VectorType::get({w}, elt);
          Value pass = arith::ConstantOp::create(
              b, DenseElementsAttr::get(vt, b.getZeroAttr(elt)));
          auto loadA = [&](Value g) {
            return toF32(vector::MaskedLoadOp::create(
                b, vt, a, ValueRange{bIdx, g, row, s0}, laneMask, pass));
          };
          auto storeOut = [&](Value h, Value x) {
            if (!elt.isF32())
              x = arith::TruncFOp::create(b, vt, x);
            vector::MaskedStoreOp::create(b, out, ValueRange{bIdx, h, row, s0},
                                          laneMask, x);
          };
          auto staticWeight = [&](Value g, Value h) {
            return splat(loadScalar(mem.staticWeights, ValueRange{g, h}));
          };
          auto queryWeight1 = [&](int64_t c, Value g) {
            return splat(
                loadScalar(mem.qw1, ValueRange{bIdx, row, cIdx(c), g}));
          };
          auto queryWeight2 = [&](int64_t c, Value h) {
            return splat(
                loadScalar(mem.qw2, ValueRange{bIdx, row, cIdx(c), h}));
          };
          auto keyWeight1 = [&](int64_t c, Value g) {
            return loadVec(kw1T, ValueRange{b.createOrFold<arith::AddIOp>(
                                                cIdx(c * heads), g),
                                            s0});
          };
          auto keyWeight2 = [&](int64_t c, Value h) {
            return loadVec(kw2T, ValueRange{b.createOrFold<arith::AddIOp>(
                                                cIdx(c * heads), h),
                                            s0});
          };
          auto queryGate = [&](Value h) {
            return splat(loadScalar(mem.queryGate, ValueRange{bIdx, row, h}));
          };
          auto keyGate = [&](Value h) {
            return loadVec(kgT, ValueRange{h, s0});
          };
          ComposeWeightFns fns{staticWeight, queryWeight1, queryWeight2,
                               keyWeight1,   keyWeight2,   queryGate,
                               keyGate};
          // Many heads: output heads in a loop, reading A again in each
          // iteration (the output is a buffer of its own: the tiled op's
          // init comes from tensor.empty).
          if (heads > kMaxUnrolledComposeHeads && !shape.isIdentity() &&
              a != out) {
            buildComposeHeadsInLoop(b, b.getLoc(), shape, fns, loadA, storeOut,
                                    /*headTile=*/8);
            return;
          }
          SmallVector<Value> av;
          for (int64_t g = 0; g < heads; ++g)
            av.push_back(loadA(cIdx(g)));
          SmallVector<Value> mixed =
              shape.isIdentity()
                  ? av
                  : buildComposeHeads(b, b.getLoc(), shape, fns, av);
          for (int64_t h = 0; h < heads; ++h)
            storeOut(cIdx(h), mixed[h]);
        });
      });
    });
    for (Value buffer : heapBuffers)
      memref::DeallocOp::create(b, buffer);
  }

private:
  /// kw1T[c * H + g][s] = kw1[b, s, c, g] (and kw2, kdd) for s < Lk, 0 up
  /// to lkPad.
  void packKeyWeights(Value bIdx, Value lk, Value lkPad, Value kw1T,
                      Value kw2T, Value kgT) {
    Value zero = cIdx(0), one = cIdx(1);
    Value zeroF = cF32(0.0);
    forLoop(zero, lkPad, one, [&](Value sIdx) {
      Value inside =
          arith::CmpIOp::create(b, arith::CmpIPredicate::slt, sIdx, lk);
      Value src = minIdx(sIdx, subIdx(lk, one));
      auto copy = [&](Value from, ValueRange fromIdx, Value to, int64_t toRow) {
        Value x = arith::SelectOp::create(b, inside, loadScalar(from, fromIdx),
                                          zeroF);
        memref::StoreOp::create(b, x, to, ValueRange{cIdx(toRow), sIdx});
      };
      for (int64_t c = 0; c < shape.keyRank; ++c)
        for (int64_t g = 0; g < heads; ++g) {
          copy(mem.kw1, ValueRange{bIdx, src, cIdx(c), cIdx(g)}, kw1T,
               c * heads + g);
          copy(mem.kw2, ValueRange{bIdx, src, cIdx(c), cIdx(g)}, kw2T,
               c * heads + g);
        }
      if (kgT)
        for (int64_t h = 0; h < heads; ++h)
          copy(mem.keyGate, ValueRange{bIdx, src, cIdx(h)}, kgT, h);
    });
  }

  TiledComposeOp op;
  int64_t heads;
  ComposeGroups mem;
  ComposeShape shape;
};

} // namespace

LogicalResult mlir::attn::lowerOnlineDCMHAToVector(RewriterBase &rewriter,
                                                   OnlineDCMHAOp op,
                                                   const CPUTargetInfo &target,
                                                   int64_t blockQ) {
  if (op.getNumResults() != 0)
    return op.emitOpError("expected memref operands (run bufferization first)");
  ShapedType qType = op.getQueryType();
  if (qType.isDynamicDim(1) || op.getKeyType().isDynamicDim(3) ||
      op.getValueType().isDynamicDim(3) ||
      op.getKeyType().getDimSize(3) > CPUTargetInfo::kMaxHeadDim ||
      op.getValueType().getDimSize(3) > CPUTargetInfo::kMaxHeadDim)
    return op.emitOpError("vector lowering needs static heads H and head "
                          "dims D and Dv (up to ")
           << CPUTargetInfo::kMaxHeadDim << "), found " << op.getQueryType()
           << " and " << op.getValueType();
  for (const ComposeGroups &g : {op.getPreGroups(), op.getPostGroups()})
    for (Value weights : {g.qw1, g.kw1})
      if (weights && cast<ShapedType>(weights.getType()).isDynamicDim(2))
        return op.emitOpError("vector lowering needs static compose ranks, "
                              "found ")
               << weights.getType();
  Type elt = qType.getElementType();
  if (!elt.isF32() && !elt.isF16() && !elt.isBF16())
    return op.emitOpError("vector lowering supports f32, f16 and bf16 "
                          "operands, found ")
           << elt;
  if (blockQ <= 0 || blockQ > kMaxDCMHABlock)
    return op.emitOpError("expected a query block of 1 to ")
           << kMaxDCMHABlock << " rows, found " << blockQ;

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  auto scope = memref::AllocaScopeOp::create(b, TypeRange{});
  Block *body = rewriter.createBlock(&scope.getBodyRegion());
  b.setInsertionPointToStart(body);
  DCMHAKernelEmitter(b, op, target, blockQ).emit();
  memref::AllocaScopeReturnOp::create(b, ValueRange{});
  rewriter.eraseOp(op);
  return success();
}

LogicalResult mlir::attn::lowerTiledComposeToVector(RewriterBase &rewriter,
                                                    TiledComposeOp op,
                                                    const CPUTargetInfo &target) {
  if (op.getNumResults() != 0)
    return op.emitOpError("expected memref operands (run bufferization first)");
  ShapedType aType = op.getScoresType();
  if (aType.isDynamicDim(1))
    return op.emitOpError("vector lowering needs a static head count H, "
                          "found ")
           << aType;
  ComposeGroups g = op.getGroups();
  for (Value weights : {g.qw1, g.kw1})
    if (weights && cast<ShapedType>(weights.getType()).isDynamicDim(2))
      return op.emitOpError("vector lowering needs static compose ranks, "
                            "found ")
             << weights.getType();
  Type elt = aType.getElementType();
  if (!elt.isF32() && !elt.isF16() && !elt.isBF16())
    return op.emitOpError("vector lowering supports f32, f16 and bf16 "
                          "operands, found ")
           << elt;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  ComposeKernelEmitter(b, op, target).emit();
  rewriter.eraseOp(op);
  return success();
}
