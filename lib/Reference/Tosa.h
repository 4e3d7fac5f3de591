//===- Tosa.h - TOSA ops in the reference evaluator -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_TOSA_H
#define ATTN_LIB_REFERENCE_TOSA_H

#include "Scope.h"

#include "llvm/Support/Error.h"

namespace mlir::attn::reference::detail {

/// Evaluates the TOSA op `op` on float tensors (f32, f16, bf16; i1 for
/// comparisons and `select`) in float64, rounding each result to its element
/// type, and records its result in `scope`. Semantics are those of the TOSA
/// 1.0 specification (https://www.mlplatform.org/tosa/tosa_spec.html):
/// elementwise ops broadcast dimensions of size 1 between operands of equal
/// rank; `matmul` takes [N, H, C] x [N, C, W] -> [N, H, W] with zero points
/// that must be 0 for floats; `mul`'s shift must be 0 for floats;
/// reductions keep the reduced dimension with size 1. Shape operands
/// (`!tosa.shape`) must come from `tosa.const_shape`. Integer-typed
/// `tosa.const` ops are evaluated only as the shift or zero points they feed.
/// Fails with a message naming the op for any other TOSA op or operand.
llvm::Error evalTosa(Scope &scope, Operation *op);

} // namespace mlir::attn::reference::detail

#endif // ATTN_LIB_REFERENCE_TOSA_H
