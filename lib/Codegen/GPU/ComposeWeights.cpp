//===- ComposeWeights.cpp - compose weights loaded by a GPU thread -------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/ComposeWeights.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::attn;

ComposeWeightLoads::ComposeWeightLoads(ImplicitLocOpBuilder &b,
                                       const ComposeGroups &groups, Value row,
                                       Value key) {
  // The loaders keep a pointer to the mapping's builder (they are called
  // while it lives) and copies of the operands.
  ImplicitLocOpBuilder *builder = &b;
  auto load = [builder](Value memref, ValueRange at) -> Value {
    Value x = memref::LoadOp::create(*builder, memref, at);
    if (x.getType().isF32())
      return x;
    return arith::ExtFOp::create(*builder, builder->getF32Type(), x);
  };
  auto idx = [builder](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(*builder, v);
  };
  ComposeGroups g = groups;
  Value zero = idx(0);
  staticWeight = [=](Value gi, Value h) {
    return load(g.staticWeights, ValueRange{gi, h});
  };
  queryWeight1 = [=](int64_t c, Value gi) {
    return load(g.qw1, ValueRange{zero, row, idx(c), gi});
  };
  queryWeight2 = [=](int64_t c, Value h) {
    return load(g.qw2, ValueRange{zero, row, idx(c), h});
  };
  keyWeight1 = [=](int64_t c, Value gi) {
    return load(g.kw1, ValueRange{zero, key, idx(c), gi});
  };
  keyWeight2 = [=](int64_t c, Value h) {
    return load(g.kw2, ValueRange{zero, key, idx(c), h});
  };
  queryGate = [=](Value h) {
    return load(g.queryGate, ValueRange{zero, row, h});
  };
  keyGate = [=](Value h) { return load(g.keyGate, ValueRange{zero, key, h}); };
}
