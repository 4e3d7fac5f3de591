//===- Linalg.h - linalg ops in float64 -------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The linalg payload interpreter: a linalg structured op on tensors is
// evaluated by running its payload region, op by op through the scalar
// semantics of Scalar.h, at each point of its iteration space, reading and
// writing the operands through the indexing maps. So `linalg.generic`,
// `matmul`, `batch_matmul`, `transpose`, `fill`, `map`, `reduce`,
// `broadcast`, ... need no evaluator of their own. `linalg.softmax`, which
// has no payload, is evaluated here too.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_LINALG_H
#define ATTN_LIB_REFERENCE_LINALG_H

#include "Scope.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include "llvm/Support/Error.h"

namespace mlir::attn::reference::detail {

/// Evaluates the linalg structured op `op` (tensor semantics) on the operand
/// values of `scope` and records its results there. Fails with a message
/// naming `op` on memref operands, indexing maps with symbols or reading out
/// of bounds, operand shapes that disagree with the loop ranges, and payload
/// ops that Scalar.h does not know.
llvm::Error evalLinalg(Scope &scope, linalg::LinalgOp op);

/// Evaluates `linalg.softmax` (tensor form): exp(x - max) / sum along its
/// dimension.
llvm::Error evalSoftmax(Scope &scope, linalg::SoftmaxOp op);

} // namespace mlir::attn::reference::detail

#endif // ATTN_LIB_REFERENCE_LINALG_H
