//===- Signature.h - tensor signatures of public functions ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What the runtime knows about a public function before it is lowered: the
// ranked tensor types of its arguments and results (TensorSpec), and the
// checks that host tensors match them before anything runs.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_SIGNATURE_H
#define ATTN_RUNTIME_SIGNATURE_H

#include "attn/Runtime/HostTensor.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func

namespace attn {

/// One argument or result of a function: a ranked tensor type.
struct TensorSpec {
  ElementType elementType = ElementType::F32;
  /// Sizes; ShapedType::kDynamic (negative) for `?`.
  SmallVector<int64_t, 4> shape;

  /// "tensor<2x?x64xf32>".
  std::string str() const;
};

/// The tensor signature of a public function, recorded before lowering.
struct FunctionSignature {
  std::string name;
  SmallVector<TensorSpec> arguments;
  SmallVector<TensorSpec> results;
  /// The arguments' SSA names in the source, with the `%` ("%query"), one
  /// per argument; empty when unknown (the module was not parsed from text
  /// by lowerModule, or was built in memory). For messages that name a
  /// parameter (the Python bindings').
  SmallVector<std::string> argumentNames;
  /// Non-empty when some argument or result is not a ranked tensor of a
  /// supported element type: the reason, naming it. Such a function can be
  /// emitted but not invoked from the host API.
  std::string unsupportedReason;
  /// FLOPs of one call when known (see countFlops in FlopCount.h).
  std::optional<double> flops;
};

/// Records the signature of `func`, with its FLOP count (countFlops).
FunctionSignature getFunctionSignature(func::FuncOp func);

/// Checks `inputs` against `signature` before anything runs: the number of
/// inputs, each element type and each static dimension (dynamic `?`
/// dimensions take the input's size). Errors name the function, the
/// argument index, what was expected and what was found. When given,
/// `inputNames` (one per input, e.g. the .npy file) are quoted too.
llvm::Error checkInputs(const FunctionSignature &signature,
                        ArrayRef<HostTensor> inputs,
                        ArrayRef<std::string> inputNames = {});

/// The name of argument `index` of `signature` in messages: its SSA name
/// ("%query") when known, else "argument #<index>".
std::string argumentLabel(const FunctionSignature &signature, size_t index);

/// " (dynamic sizes: %q = [1, 6, 4, 8], %k = [1, 4, 4, 8])": the sizes that
/// `inputs` gave the arguments whose type has a `?` dimension, appended to
/// the message of a failed run-time check so that it shows the offending
/// values; empty when no argument is dynamic. The AOT library's entry points
/// print the same text from their descriptors (getLibrarySupportSource).
std::string formatDynamicArgumentSizes(const FunctionSignature &signature,
                                       ArrayRef<HostTensor> inputs);

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_SIGNATURE_H
