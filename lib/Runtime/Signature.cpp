//===- Signature.cpp - tensor signatures of public functions --------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Signature.h"

#include "Detail.h"
#include "attn/Runtime/FlopCount.h"
#include "attn/Support/Format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::makeError;

static_assert(
    kDynamicSize == ShapedType::kDynamic,
    "formatShape prints `?` for another size than MLIR's dynamic one");

std::string TensorSpec::str() const {
  return "tensor<" + formatTensorType(shape, elementType) + ">";
}

static std::string typeToString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

/// "f32, f16, ... or i64": the element types of ElementTypes.def.
static std::string listElementTypes() {
  std::string text;
  ArrayRef<ElementType> types = getAllElementTypes();
  for (auto [index, type] : llvm::enumerate(types)) {
    if (index > 0)
      text += index + 1 == types.size() ? " or " : ", ";
    text += stringifyElementType(type);
  }
  return text;
}

/// Converts `type` to a TensorSpec, or sets `reason`.
static std::optional<TensorSpec> convertType(Type type, StringRef what,
                                             std::string &reason) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  std::optional<ElementType> elementType;
  if (tensorType)
    elementType = getElementTypeOf(tensorType.getElementType());
  if (!tensorType || !elementType) {
    if (reason.empty())
      reason =
          (what + " has type '" + typeToString(type) +
           "'; only ranked tensors of " + listElementTypes() + " are supported")
              .str();
    return std::nullopt;
  }
  TensorSpec spec;
  spec.elementType = *elementType;
  spec.shape.assign(tensorType.getShape().begin(), tensorType.getShape().end());
  return spec;
}

FunctionSignature mlir::attn::getFunctionSignature(func::FuncOp func) {
  FunctionSignature signature;
  signature.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  for (auto [index, argType] : llvm::enumerate(type.getInputs()))
    if (auto spec = convertType(argType, "argument #" + std::to_string(index),
                                signature.unsupportedReason))
      signature.arguments.push_back(*spec);
  for (auto [index, resultType] : llvm::enumerate(type.getResults()))
    if (auto spec = convertType(resultType, "result #" + std::to_string(index),
                                signature.unsupportedReason))
      signature.results.push_back(*spec);
  signature.flops = countFlops(func);
  return signature;
}

/// The shape of an input as the messages of checkInputs show it: `2x4x8`,
/// or `scalar ()` for rank 0.
static std::string describeInputShape(const HostTensor &input) {
  if (input.getRank() == 0)
    return "scalar ()";
  return formatShape(input.getShape(), ShapeStyle::Dims);
}

llvm::Error mlir::attn::checkInputs(const FunctionSignature &signature,
                                    ArrayRef<HostTensor> inputs,
                                    ArrayRef<std::string> inputNames) {
  StringRef name = signature.name;
  if (!signature.unsupportedReason.empty())
    return makeError("cannot run @" + name + ": " +
                     signature.unsupportedReason);
  size_t expected = signature.arguments.size();
  if (inputs.size() != expected)
    return makeError("@" + name + " expects " + Twine(expected) +
                     (expected == 1 ? " argument" : " arguments") + " but " +
                     Twine(inputs.size()) +
                     (inputs.size() == 1 ? " input was" : " inputs were") +
                     " given");
  for (auto [index, spec, input] :
       llvm::enumerate(signature.arguments, inputs)) {
    std::string where = ("argument #" + Twine(index) + " of @" + name).str();
    if (index < inputNames.size())
      where += " ('" + inputNames[index] + "')";
    if (input.getElementType() != spec.elementType)
      return makeError(where + ": expected element type " +
                       stringifyElementType(spec.elementType) + " (" +
                       spec.str() + "), found " +
                       stringifyElementType(input.getElementType()) +
                       " (shape " + describeInputShape(input) + ")");
    if (input.getRank() != static_cast<int64_t>(spec.shape.size()))
      return makeError(where + ": expected rank " + Twine(spec.shape.size()) +
                       " (" + spec.str() + "), found rank " +
                       Twine(input.getRank()) + " (shape " +
                       describeInputShape(input) + ")");
    for (auto [dim, want, have] :
         llvm::enumerate(spec.shape, input.getShape())) {
      if (ShapedType::isDynamic(want))
        continue;
      if (want != have)
        return makeError(where + ": expected size " + Twine(want) +
                         " in dimension " + Twine(dim) + " (" + spec.str() +
                         "), found " + Twine(have) + " (shape " +
                         describeInputShape(input) + ")");
    }
  }
  return llvm::Error::success();
}

std::string mlir::attn::argumentLabel(const FunctionSignature &signature,
                                      size_t index) {
  if (index < signature.argumentNames.size() &&
      !signature.argumentNames[index].empty())
    return signature.argumentNames[index];
  return "argument #" + std::to_string(index);
}

std::string
mlir::attn::formatDynamicArgumentSizes(const FunctionSignature &signature,
                                       ArrayRef<HostTensor> inputs) {
  std::string text;
  for (auto [index, spec] : llvm::enumerate(signature.arguments)) {
    if (index >= inputs.size() ||
        llvm::none_of(spec.shape, ShapedType::isDynamic))
      continue;
    text += (text.empty() ? " (dynamic sizes: " : ", ") +
            argumentLabel(signature, index) + " = " +
            formatShape(inputs[index].getShape());
  }
  return text.empty() ? text : text + ")";
}
