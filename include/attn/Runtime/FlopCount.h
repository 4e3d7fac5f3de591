//===- FlopCount.h - floating-point operations of a function ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_FLOPCOUNT_H
#define ATTN_RUNTIME_FLOPCOUNT_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func

namespace attn {

/// FLOPs of one call of `func`: the sum over its `attn.attention` and
/// `attn.sliding_window_attention` ops of (number of visible (query, key)
/// pairs, counting causal, window and chunk restrictions but not masks)
/// * 2 * (D + Dv) * B * Hq; for `attn.dcmha` that plus both compositions at
/// every visible pair; for `attn.compose` its composition at every (b, t, s)
/// (static weights 2 H^2, each rank of a weight pair 4 H, each gate 2 H, as
/// anchors/dcmha_torch.py counts); for the sampling ops 8 (10 weighted) per
/// sample and channel; plus 2 * (iteration space) for each linalg
/// contraction (matmul, batch_matmul, ...). Elementwise and data-movement
/// ops count as free. std::nullopt when the function holds no counted op,
/// another attn op, or a dynamic dimension in a counted op.
std::optional<double> countFlops(func::FuncOp func);

/// FLOPs of one call of `func` whose arguments have the shapes
/// `argumentShapes` (one per argument, in order; for dynamic dims): the
/// count of a copy of `func` whose tensor arguments take these static
/// shapes. Ops that read the arguments directly are counted; ops behind
/// other ops keep their dynamic types (std::nullopt then, as above).
std::optional<double>
countFlops(func::FuncOp func,
           llvm::ArrayRef<llvm::ArrayRef<int64_t>> argumentShapes);

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_FLOPCOUNT_H
