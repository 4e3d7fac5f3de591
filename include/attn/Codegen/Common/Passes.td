//===- Passes.td - target-neutral code-generation passes ---*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_COMMON_PASSES_TD
#define ATTN_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnInsertShapeChecksPass
    : Pass<"attn-insert-shape-checks", "func::FuncOp"> {
  let summary = "Check at run time that linalg operands agree on dynamic loop sizes";
  let description = [{
    A `linalg` op on tensors reads each loop's size from one operand and
    trusts every other operand that the loop indexes to have that size;
    with dynamic dims nothing checks it, and the generated loops read or
    write out of bounds when the data disagree (an elementwise add of shapes
    `(100000,)` and `(4,)` corrupts the heap). This pass adds, before each
    such op, a `cf.assert` per loop dimension that two or more operand dims
    index through plain dim expressions, when any of them is dynamic: all
    equal to the first. The message names the op, the operands and the
    dims, as the checks of the attn ops do. Static mismatches are the
    verifier's.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // ATTN_CODEGEN_COMMON_PASSES_TD
