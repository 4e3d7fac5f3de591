//===- ComposeHeads.cpp - DCMHA cross-head composition as IR ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Utils/ComposeHeads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::attn;

namespace {
/// The math of buildComposeHeads over one tile of output heads, shared by
/// the unrolled and the looped forms.
class ComposeEmitter {
public:
  ComposeEmitter(OpBuilder &b, Location loc, const ComposeShape &shape,
                 const ComposeWeightFns &w)
      : b(b), loc(loc), shape(shape), w(w) {}

  /// The rank-C projections sum_g w1(c, g) a(g) of the present low-rank
  /// groups (query's first), with `aAt(g)` the value of head g.
  void project(llvm::function_ref<Value(int64_t g)> aAt) {
    auto addGroup = [&](int64_t rank,
                        llvm::function_ref<Value(int64_t, Value)> w1) {
      for (int64_t c = 0; c < rank; ++c) {
        Value proj = mul(w1(c, idx(0)), aAt(0));
        for (int64_t g = 1; g < shape.heads; ++g)
          proj = fma(w1(c, idx(g)), aAt(g), proj);
        projections.push_back(proj);
      }
    };
    if (shape.queryRank > 0)
      addGroup(shape.queryRank, w.queryWeight1);
    if (shape.keyRank > 0)
      addGroup(shape.keyRank, w.keyWeight1);
  }

  /// The mixed values of the output heads `hs`, with `aAt(g)` the value of
  /// input head g and `aOut(i)` that of head hs[i]. `project` must have run.
  SmallVector<Value> mix(ArrayRef<Value> hs,
                         llvm::function_ref<Value(int64_t g)> aAt,
                         llvm::function_ref<Value(int64_t i)> aOut) {
    int64_t n = hs.size();
    SmallVector<Value> out(n);
    // The static term (or the identity), input head by input head so that
    // each a(g) is used by the whole tile.
    if (!shape.staticWeights) {
      for (int64_t i = 0; i < n; ++i)
        out[i] = aOut(i);
    } else {
      for (int64_t g = 0; g < shape.heads; ++g) {
        Value x = aAt(g);
        for (int64_t i = 0; i < n; ++i) {
          Value wgh = w.staticWeight(idx(g), hs[i]);
          out[i] = g == 0 ? mul(x, wgh) : fma(x, wgh, out[i]);
        }
      }
    }
    // The rank-C terms: out[h] += sum_c w2(c, h) proj_c.
    int64_t next = 0;
    auto addGroup = [&](int64_t rank,
                        llvm::function_ref<Value(int64_t, Value)> w2) {
      for (int64_t c = 0; c < rank; ++c, ++next)
        for (int64_t i = 0; i < n; ++i)
          out[i] = fma(w2(c, hs[i]), projections[next], out[i]);
    };
    if (shape.queryRank > 0)
      addGroup(shape.queryRank, w.queryWeight2);
    if (shape.keyRank > 0)
      addGroup(shape.keyRank, w.keyWeight2);
    // The diagonal gates: out[h] += a[h] (qdd[h] + kdd[h]).
    if (shape.queryGate || shape.keyGate) {
      for (int64_t i = 0; i < n; ++i) {
        Value gate;
        if (shape.queryGate)
          gate = w.queryGate(hs[i]);
        if (shape.keyGate)
          gate = gate ? arith::AddFOp::create(b, loc, gate, w.keyGate(hs[i]))
                            .getResult()
                      : w.keyGate(hs[i]);
        out[i] = fma(aOut(i), gate, out[i]);
      }
    }
    return out;
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

private:
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, loc, x, y, z);
  }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }

  OpBuilder &b;
  Location loc;
  const ComposeShape &shape;
  const ComposeWeightFns &w;
  SmallVector<Value> projections;
};
} // namespace

SmallVector<Value> mlir::attn::buildComposeHeads(OpBuilder &b, Location loc,
                                                 const ComposeShape &shape,
                                                 const ComposeWeightFns &w,
                                                 ArrayRef<Value> a) {
  assert(static_cast<int64_t>(a.size()) == shape.heads && "one value per head");
  ComposeEmitter e(b, loc, shape, w);
  auto aAt = [&](int64_t g) { return a[g]; };
  e.project(aAt);
  SmallVector<Value> hs;
  for (int64_t h = 0; h < shape.heads; ++h)
    hs.push_back(e.idx(h));
  return e.mix(hs, aAt, aAt);
}

void mlir::attn::buildComposeHeadsInLoop(
    OpBuilder &b, Location loc, const ComposeShape &shape,
    const ComposeWeightFns &w, llvm::function_ref<Value(Value g)> loadA,
    llvm::function_ref<void(Value h, Value x)> store, int64_t headTile) {
  assert(headTile >= 1 && "a tile of at least one head");
  int64_t heads = shape.heads;
  ComposeEmitter e(b, loc, shape, w);
  // The projections read every head once, before the loop.
  e.project([&](int64_t g) { return loadA(e.idx(g)); });
  // One tile of output heads [h0, h0 + n): its input heads loaded again.
  auto emitTile = [&](Value h0, int64_t n) {
    SmallVector<Value> hs;
    for (int64_t i = 0; i < n; ++i)
      hs.push_back(i == 0 ? h0 : arith::AddIOp::create(b, loc, h0, e.idx(i)));
    SmallVector<Value> out = e.mix(
        hs, [&](int64_t g) { return loadA(e.idx(g)); },
        [&](int64_t i) { return loadA(hs[i]); });
    for (int64_t i = 0; i < n; ++i)
      store(hs[i], out[i]);
  };
  int64_t looped = heads - heads % headTile;
  if (looped > 0) {
    auto loop =
        scf::ForOp::create(b, loc, e.idx(0), e.idx(looped), e.idx(headTile));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    emitTile(loop.getInductionVar(), headTile);
  }
  if (looped < heads)
    emitTile(e.idx(looped), heads - looped);
}
