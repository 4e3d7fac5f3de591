//===- ComposeWeights.h - compose weights loaded by a GPU thread -*- C++
//-*-===//
//
// Part of the attn-mlir project.
//
// The weights of DCMHA's cross-head composition (DCFormer, Xiao et al.,
// ICML 2024) at one (query row, key) position of a GPU thread, loaded from
// the compose operands and widened to f32: what the GPU mappings of
// `attn.tiled_compose` and `attn.online_dcmha` hand to buildComposeHeads
// (Dialect/Attn/Utils/ComposeHeads.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_COMPOSEWEIGHTS_H
#define ATTN_CODEGEN_GPU_COMPOSEWEIGHTS_H

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/ComposeHeads.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::attn {

/// Loads of the compose weights of the position (`row`, `key`) from
/// `groups` on memrefs of one batch (index 0): W [G, H]; the query weights
/// qw1, qw2 [1, Lq, C, G or H] at `row`; the key weights kw1, kw2
/// [1, Lk, C, G or H] at `key`; the gates [1, Lq or Lk, H]. Each loaded
/// element is widened to f32. A mapping may replace a loader (e.g. the key
/// weights by its staged copies) before calling fns().
struct ComposeWeightLoads {
  ComposeWeightLoads(ImplicitLocOpBuilder &b, const ComposeGroups &groups,
                     Value row, Value key);

  std::function<Value(Value g, Value h)> staticWeight;
  std::function<Value(int64_t c, Value g)> queryWeight1, queryWeight2;
  std::function<Value(int64_t c, Value g)> keyWeight1, keyWeight2;
  std::function<Value(Value h)> queryGate, keyGate;

  /// The loaders as buildComposeHeads takes them (valid while this object
  /// lives).
  ComposeWeightFns fns() const {
    return {staticWeight, queryWeight1, queryWeight2, keyWeight1,
            keyWeight2,   queryGate,    keyGate};
  }
};

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_COMPOSEWEIGHTS_H
