//===- AttnOps.h - attn dialect ops -----------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNOPS_H
#define ATTN_DIALECT_ATTN_IR_ATTNOPS_H

#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include <cmath>
#include <optional>

namespace mlir::attn {
/// The optional operands of one `attn.compose` (or of a `pre(...)` /
/// `post(...)` block of `attn.dcmha`), in syntax order; null when absent.
/// Shapes against the scores `A` `[B, H, Lq, Lk]` (docs/Spec.md §1.3):
/// `staticWeights` `[H, H]`, `qw1`/`qw2` `[B, Lq, Cq, H]`, `kw1`/`kw2`
/// `[B, Lk, Ck, H]`, `queryGate` `[B, Lq, H]`, `keyGate` `[B, Lk, H]`.
struct ComposeGroups {
  Value staticWeights, qw1, qw2, kw1, kw2, queryGate, keyGate;
  /// Whether no group is present (the identity).
  bool empty() const {
    return !staticWeights && !qw1 && !kw1 && !queryGate && !keyGate;
  }
};
} // namespace mlir::attn

#define GET_OP_CLASSES
#include "attn/Dialect/Attn/IR/AttnOps.h.inc"

namespace mlir::attn {

//===----------------------------------------------------------------------===//
// Lowering configs on ops
//===----------------------------------------------------------------------===//

/// The `lowering_config` of `op`, or null when it has none (or one that is
/// not a LoweringConfigAttr, which the attention ops' verifiers reject).
LoweringConfigAttr getLoweringConfig(Operation *op);

/// Sets the `lowering_config` of `op`; a null `config` removes it.
void setLoweringConfig(Operation *op, LoweringConfigAttr config);

/// Gives `to` the `lowering_config` of `from`, when `from` has one.
void copyLoweringConfig(Operation *from, Operation *to);

/// Checks that the `lowering_config` of `op`, when present, is a
/// LoweringConfigAttr (its sizes were checked when it was built).
LogicalResult verifyLoweringConfig(Operation *op);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_IR_ATTNOPS_H
