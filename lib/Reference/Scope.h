//===- Scope.h - SSA values of the function being evaluated -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The state of one `evaluate` call (StableHLO's reference/Scope): the host
// tensor or scalar that each SSA value evaluated to so far, with checked
// access for the evaluators of Interpreter.cpp and Linalg.cpp, and the
// helpers that make their error messages name the op and the IR involved.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_SCOPE_H
#define ATTN_LIB_REFERENCE_SCOPE_H

#include "attn/Reference/Reference.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Types.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::attn::reference::detail {

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

/// The textual form of an IR entity (type, attribute, affine map), for
/// messages.
template <typename T> std::string printToString(T entity) {
  std::string s;
  llvm::raw_string_ostream os(s);
  entity.print(os);
  return s;
}

/// The name of `op` in quotes: `'attn.attention'`.
std::string opName(Operation *op);

/// Rewraps `err` (from the shape checks of Detail.h) so that it names `op`.
llvm::Error atOp(Operation *op, llvm::Error err);

/// The error for an op that the evaluator does not know.
llvm::Error unsupported(Operation *op);

/// The element kind of a tensor (or scalar) type; an error for element types
/// other than f32, f16, bf16 and i1.
llvm::Expected<ElementKind> kindOf(Type type);

//===----------------------------------------------------------------------===//
// Tensor values shared by the evaluators
//===----------------------------------------------------------------------===//

/// The value of the tensor constant `value` of type `type` (`arith.constant`,
/// `tosa.const`): a dense elements attribute, or a `dense_resource` blob
/// holding the elements in their storage type (f32 as 4 bytes, f16/bf16 as
/// 2, i1 as 1). Errors name `op`.
llvm::Expected<Tensor> constantTensor(Operation *op, Attribute value,
                                      ShapedType type);

/// `parts` joined along `dim` (tensor.concat, tosa.concat); an error naming
/// `op` when they differ off that dimension.
llvm::Expected<Tensor> concatenate(Operation *op,
                                   llvm::ArrayRef<const Tensor *> parts,
                                   int64_t dim);

//===----------------------------------------------------------------------===//
// Scope
//===----------------------------------------------------------------------===//

/// The values of the SSA values evaluated so far: a host tensor for each
/// tensor value, a double for each scalar (float, integer or index) value.
/// Accessors take the op that reads the value, to name it in their errors.
class Scope {
public:
  /// The tensor that `v` evaluated to; an error when it has none.
  llvm::Expected<const Tensor *> tensorOf(Operation *op, Value v) const;

  /// `tensorOf` for an optional operand (nullptr when `v` is null).
  llvm::Expected<const Tensor *> optionalTensorOf(Operation *op, Value v) const;

  /// `optionalTensorOf` for each of `values`, appended to `out`.
  llvm::Error tensorsOf(Operation *op, llvm::ArrayRef<Value> values,
                        llvm::SmallVectorImpl<const Tensor *> &out) const;

  /// The scalar that `v` evaluated to; an error when it has none.
  llvm::Expected<double> scalarOf(Operation *op, Value v) const;

  /// The sizes of `mixed` (static sizes, or scalar SSA values that must not
  /// be negative).
  llvm::Expected<llvm::SmallVector<int64_t>>
  sizesOf(Operation *op, llvm::ArrayRef<OpFoldResult> mixed) const;

  /// Records `t` as the value of `result` of `op`, after checking its shape
  /// against the result type and taking the element kind from it.
  llvm::Error setTensor(Operation *op, Value result, Tensor t);

  /// Records `t` as the value of `v` as it is (for function arguments, which
  /// the caller has checked).
  void bindTensor(Value v, Tensor t) { tensors[v] = std::move(t); }

  /// Records `x` as the value of the scalar `v`.
  void setScalar(Value v, double x) { scalars[v] = x; }

private:
  llvm::DenseMap<Value, Tensor> tensors;
  llvm::DenseMap<Value, double> scalars;
};

} // namespace mlir::attn::reference::detail

#endif // ATTN_LIB_REFERENCE_SCOPE_H
