//===- Reference.cpp - reference tensors ------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The host tensor of the float64 reference evaluator: construction, indexing
// and rounding to the graph-level element types.
//
//===----------------------------------------------------------------------===//

#include "attn/Reference/Reference.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir::attn::reference;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor Tensor::filled(llvm::ArrayRef<int64_t> shape, double fill,
                      ElementKind kind) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.kind = kind;
  t.data.assign(t.numElements(), fill);
  return t;
}

int64_t Tensor::offset(llvm::ArrayRef<int64_t> index) const {
  if (index.size() != shape.size())
    llvm::reportFatalUsageError(
        llvm::Twine("reference evaluator: index of rank ") +
        llvm::Twine(index.size()) + " into a tensor of rank " +
        llvm::Twine(shape.size()));
  int64_t linear = 0;
  for (auto [i, d] : llvm::zip_equal(index, shape)) {
    if (i < 0 || i >= d)
      llvm::reportFatalUsageError(
          llvm::Twine("reference evaluator: index ") + llvm::Twine(i) +
          " out of bounds for a dimension of size " + llvm::Twine(d));
    linear = linear * d + i;
  }
  return linear;
}

double mlir::attn::reference::roundToKind(double value, ElementKind kind) {
  const llvm::fltSemantics *semantics = nullptr;
  switch (kind) {
  case ElementKind::I1:
    return value != 0.0 ? 1.0 : 0.0;
  case ElementKind::F32:
    semantics = &llvm::APFloat::IEEEsingle();
    break;
  case ElementKind::F16:
    semantics = &llvm::APFloat::IEEEhalf();
    break;
  case ElementKind::BF16:
    semantics = &llvm::APFloat::BFloat();
    break;
  }
  llvm::APFloat f(value);
  bool losesInfo = false;
  f.convert(*semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return f.convertToDouble();
}
