//===- ComposeHeads.cpp - DCMHA cross-head composition as IR ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Utils/ComposeHeads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::attn;

SmallVector<Value> mlir::attn::buildComposeHeads(OpBuilder &b, Location loc,
                                                 const ComposeShape &shape,
                                                 const ComposeWeightFns &w,
                                                 ArrayRef<Value> a) {
  int64_t h = shape.heads;
  assert(static_cast<int64_t>(a.size()) == h && "one value per head");
  auto fma = [&](Value x, Value y, Value z) -> Value {
    return math::FmaOp::create(b, loc, x, y, z);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(b, loc, x, y);
  };
  // The static term (or the identity).
  SmallVector<Value> out;
  for (int64_t ho = 0; ho < h; ++ho) {
    if (!shape.staticWeights) {
      out.push_back(a[ho]);
      continue;
    }
    Value acc = mul(a[0], w.staticWeight(0, ho));
    for (int64_t g = 1; g < h; ++g)
      acc = fma(a[g], w.staticWeight(g, ho), acc);
    out.push_back(acc);
  }
  // A rank-C term: out[h] += sum_c w2(c, h) * (sum_g w1(c, g) a[g]).
  auto addLowRank = [&](int64_t rank,
                        llvm::function_ref<Value(int64_t, int64_t)> w1,
                        llvm::function_ref<Value(int64_t, int64_t)> w2) {
    for (int64_t c = 0; c < rank; ++c) {
      Value proj = mul(w1(c, 0), a[0]);
      for (int64_t g = 1; g < h; ++g)
        proj = fma(w1(c, g), a[g], proj);
      for (int64_t ho = 0; ho < h; ++ho)
        out[ho] = fma(w2(c, ho), proj, out[ho]);
    }
  };
  if (shape.queryRank > 0)
    addLowRank(shape.queryRank, w.queryWeight1, w.queryWeight2);
  if (shape.keyRank > 0)
    addLowRank(shape.keyRank, w.keyWeight1, w.keyWeight2);
  // The diagonal gates: out[h] += a[h] (qdd[h] + kdd[h]).
  if (shape.queryGate || shape.keyGate) {
    for (int64_t ho = 0; ho < h; ++ho) {
      Value gate;
      if (shape.queryGate)
        gate = w.queryGate(ho);
      if (shape.keyGate)
        gate = gate ? arith::AddFOp::create(b, loc, gate, w.keyGate(ho))
                          .getResult()
                    : w.keyGate(ho);
      out[ho] = fma(a[ho], gate, out[ho]);
    }
  }
  return out;
}
