//===- Scope.cpp - SSA values of the function being evaluated ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Checked access to the values evaluated so far, and the messages that name
// ops (Scope.h).
//
//===----------------------------------------------------------------------===//

#include "Scope.h"

#include "Detail.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::attn::reference;
using namespace mlir::attn::reference::detail;
using llvm::ArrayRef;
using llvm::Error;
using llvm::Expected;
using llvm::SmallVector;
using llvm::SmallVectorImpl;

//===----------------------------------------------------------------------===//
// Messages
//===----------------------------------------------------------------------===//

std::string mlir::attn::reference::detail::opName(Operation *op) {
  return "'" + op->getName().getStringRef().str() + "'";
}

Error mlir::attn::reference::detail::atOp(Operation *op, Error err) {
  std::string msg = llvm::toString(std::move(err));
  StringRef rest(msg);
  rest.consume_front("reference evaluator: ");
  return makeError(opName(op) + ": " + rest);
}

Error mlir::attn::reference::detail::unsupported(Operation *op) {
  // The evaluator knows the float subset of TOSA (Tosa.h); graphs with
  // other TOSA ops can still be checked in their linalg form.
  if (op->getName().getDialectNamespace() == "tosa")
    return makeError(
        "unsupported op " + opName(op) +
        ": the reference evaluator runs the float subset of TOSA (docs/"
        "Rationale.md); for other TOSA ops, evaluate the graph after "
        "`attn-opt --pass-pipeline='builtin.module(func.func(tosa-to-linalg-"
        "named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),canonicalize)'`");
  return makeError("unsupported op " + opName(op));
}

Expected<ElementKind> mlir::attn::reference::detail::kindOf(Type type) {
  Type e = getElementTypeOrSelf(type);
  if (e.isF32())
    return ElementKind::F32;
  if (e.isF16())
    return ElementKind::F16;
  if (e.isBF16())
    return ElementKind::BF16;
  if (e.isInteger(1))
    return ElementKind::I1;
  return makeError("unsupported element type " + printToString(e) + " in " +
                   printToString(type) + " (expected f32, f16, bf16 or i1)");
}

//===----------------------------------------------------------------------===//
// Tensor values shared by the evaluators
//===----------------------------------------------------------------------===//

Expected<Tensor> mlir::attn::reference::detail::constantTensor(
    Operation *op, Attribute value, ShapedType type) {
  Expected<ElementKind> kind = kindOf(type);
  if (!kind)
    return atOp(op, kind.takeError());
  Tensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t count = t.numElements();
  t.data.reserve(count);
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (*kind == ElementKind::I1) {
      for (bool b : dense.getValues<bool>())
        t.data.push_back(b ? 1.0 : 0.0);
    } else {
      for (const APFloat &f : dense.getValues<APFloat>())
        t.data.push_back(f.convertToDouble());
    }
    return t;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource)
    return makeError(opName(op) + ": unsupported constant " +
                     printToString(type) +
                     " (only dense and dense_resource elements attributes "
                     "are supported)");
  std::string key = resource.getRawHandle().getKey().str();
  const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return makeError(opName(op) + ": dense_resource constant '" + key +
                     "' has no data");
  ArrayRef<char> bytes = blob->getData();
  size_t width =
      *kind == ElementKind::F32 ? 4 : *kind == ElementKind::I1 ? 1 : 2;
  if (bytes.size() != static_cast<size_t>(count) * width)
    return makeError(opName(op) + ": dense_resource constant '" + key +
                     "' holds " + std::to_string(bytes.size()) +
                     " bytes, but " + printToString(type) + " needs " +
                     std::to_string(count * width));
  const llvm::fltSemantics &semantics =
      *kind == ElementKind::F32   ? APFloat::IEEEsingle()
      : *kind == ElementKind::F16 ? APFloat::IEEEhalf()
                                  : APFloat::BFloat();
  for (int64_t i = 0; i < count; ++i) {
    const char *p = bytes.data() + i * width;
    if (*kind == ElementKind::I1) {
      t.data.push_back(*p ? 1.0 : 0.0);
      continue;
    }
    uint64_t bits = 0;
    std::memcpy(&bits, p, width);
    t.data.push_back(
        APFloat(semantics, APInt(width * 8, bits)).convertToDouble());
  }
  return t;
}

Expected<Tensor>
mlir::attn::reference::detail::concatenate(Operation *op,
                                           ArrayRef<const Tensor *> parts,
                                           int64_t dim) {
  if (parts.empty())
    return makeError(opName(op) + ": no operands");
  SmallVector<int64_t> shape(parts.front()->shape);
  if (dim < 0 || dim >= static_cast<int64_t>(shape.size()))
    return makeError(opName(op) + ": dimension " + std::to_string(dim) +
                     " out of range for shape " + formatShape(shape));
  shape[dim] = 0;
  for (const Tensor *t : parts) {
    bool matches = t->shape.size() == shape.size();
    for (size_t d = 0; matches && d < shape.size(); ++d)
      matches = static_cast<int64_t>(d) == dim || t->shape[d] == shape[d];
    if (!matches)
      return makeError(opName(op) + ": operand shapes " +
                       formatShape(parts.front()->shape) + " and " +
                       formatShape(t->shape) + " differ off dimension " +
                       std::to_string(dim));
    shape[dim] += t->shape[dim];
  }
  // Row-major: each part contributes `inner` contiguous elements per index
  // of the dimensions before `dim`.
  Tensor out = Tensor::filled(shape);
  int64_t outer = 1;
  for (int64_t d = 0; d < dim; ++d)
    outer *= shape[d];
  if (outer == 0)
    return out;
  int64_t rowSize = out.numElements() / outer, offset = 0;
  for (const Tensor *t : parts) {
    int64_t inner = t->numElements() / outer;
    for (int64_t o = 0; o < outer && inner > 0; ++o)
      std::copy_n(t->data.begin() + o * inner, inner,
                  out.data.begin() + o * rowSize + offset);
    offset += inner;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Scope
//===----------------------------------------------------------------------===//

Expected<const Tensor *> Scope::tensorOf(Operation *op, Value v) const {
  auto it = tensors.find(v);
  if (it == tensors.end())
    return makeError(opName(op) + ": operand of type " +
                     printToString(v.getType()) + " has no tensor value");
  return &it->second;
}

Expected<const Tensor *> Scope::optionalTensorOf(Operation *op, Value v) const {
  if (!v)
    return nullptr;
  return tensorOf(op, v);
}

Error Scope::tensorsOf(Operation *op, ArrayRef<Value> values,
                       SmallVectorImpl<const Tensor *> &out) const {
  for (Value v : values) {
    Expected<const Tensor *> t = optionalTensorOf(op, v);
    if (!t)
      return t.takeError();
    out.push_back(*t);
  }
  return Error::success();
}

Expected<double> Scope::scalarOf(Operation *op, Value v) const {
  auto it = scalars.find(v);
  if (it == scalars.end())
    return makeError(opName(op) + ": operand of type " +
                     printToString(v.getType()) + " has no scalar value");
  return it->second;
}

Error Scope::setTensor(Operation *op, Value result, Tensor t) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type)
    return makeError(opName(op) + ": unsupported result type " +
                     printToString(result.getType()));
  bool matches = type.getRank() == static_cast<int64_t>(t.shape.size());
  for (int64_t i = 0; matches && i < type.getRank(); ++i)
    matches = type.isDynamicDim(i) || type.getDimSize(i) == t.shape[i];
  if (!matches)
    return makeError(opName(op) + ": computed result shape " +
                     formatShape(t.shape) + " does not match the type " +
                     printToString(type));
  Expected<ElementKind> kind = kindOf(type);
  if (!kind)
    return atOp(op, kind.takeError());
  t.kind = *kind;
  tensors[result] = std::move(t);
  return Error::success();
}

Expected<SmallVector<int64_t>>
Scope::sizesOf(Operation *op, ArrayRef<OpFoldResult> mixed) const {
  SmallVector<int64_t> sizes;
  for (OpFoldResult ofr : mixed) {
    if (auto attr = dyn_cast<Attribute>(ofr)) {
      sizes.push_back(cast<IntegerAttr>(attr).getInt());
      continue;
    }
    Expected<double> v = scalarOf(op, cast<Value>(ofr));
    if (!v)
      return v.takeError();
    if (*v < 0)
      return makeError(opName(op) + ": negative size " + std::to_string(*v));
    sizes.push_back(static_cast<int64_t>(*v));
  }
  return sizes;
}
