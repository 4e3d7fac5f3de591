//===- Format.cpp - text spellings shared by the libraries ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/Format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir::attn;

std::string mlir::attn::formatShape(llvm::ArrayRef<int64_t> shape,
                                    ShapeStyle style) {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto printSize = [&](int64_t size) {
    if (size == kDynamicSize)
      os << '?';
    else
      os << size;
  };
  switch (style) {
  case ShapeStyle::List:
    os << '[';
    llvm::interleave(shape, os, printSize, ", ");
    os << ']';
    break;
  case ShapeStyle::Tuple:
    os << '(';
    llvm::interleave(shape, os, printSize, ", ");
    if (shape.size() == 1)
      os << ',';
    os << ')';
    break;
  case ShapeStyle::Dims:
    llvm::interleave(shape, os, printSize, "x");
    break;
  }
  return text;
}
