//===- Scalar.h - scalar semantics of arith and math ops --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What one arith or math op computes on one set of scalar operands, in
// float64 (StableHLO's reference/Element). The rest of the evaluator applies
// these functions element by element: the dispatch to elementwise ops on
// tensors, and the linalg payload interpreter at each point of an iteration
// space. Nothing here knows about tensors or SSA values.
//
// Every value is a double. Integers (and `index`) hold their signed value,
// except `i1`, which holds 0 or 1; integers are exact up to 2^53.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_SCALAR_H
#define ATTN_LIB_REFERENCE_SCALAR_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace mlir::attn::reference::detail {

/// Evaluates the scalar op `op` (one result) on operand values `x`, or
/// returns std::nullopt when `op` is not a supported scalar op. The result
/// does not depend on anything but `op` and `x`, so a call with zeros tells
/// whether `op` is supported.
std::optional<double> evalScalar(Operation *op, llvm::ArrayRef<double> x);

/// Whether `op` is a scalar op that evalScalar knows.
bool isScalarOp(Operation *op);

/// The value of a scalar `arith.constant` attribute, or std::nullopt when
/// `attr` is neither a float nor an integer attribute.
std::optional<double> scalarConstant(Attribute attr);

/// Rounds `value` to the float type `type` (or its element type) with round
/// to nearest even; `value` itself when `type` is f64 or not a float type.
double roundToFloatType(double value, Type type);

/// IEEE maximum of arith.maximumf: NaN propagates, and -0 < +0.
double ieeeMaximum(double a, double b);

/// IEEE minimum of arith.minimumf: NaN propagates, and -0 < +0.
double ieeeMinimum(double a, double b);

/// floor(a / b) on signed integers; 0 when b == 0 (UB in MLIR).
int64_t floorDivInt(int64_t a, int64_t b);

/// ceil(a / b) on signed integers; 0 when b == 0 (UB in MLIR).
int64_t ceilDivInt(int64_t a, int64_t b);

} // namespace mlir::attn::reference::detail

#endif // ATTN_LIB_REFERENCE_SCALAR_H
