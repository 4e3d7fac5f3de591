//===- Format.h - text spellings shared by the libraries --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one shape formatter of the project. Every message that shows a shape
// (verifier diagnostics, reference-evaluator errors, `.npy` errors, runtime
// signature checks, tensor types) goes through `formatShape`, in one of the
// spellings of ShapeStyle.
//
// This is the tiny support library at the bottom of the layering: it
// depends on LLVM's Support library and on nothing of ours, so that the
// dialect, the reference evaluator and the runtime can all use it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_FORMAT_H
#define ATTN_SUPPORT_FORMAT_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <limits>
#include <string>

namespace mlir::attn {

/// The size that marks a dynamic dimension (`?`). It has the value of
/// mlir::ShapedType::kDynamic, which this library cannot include; users that
/// can include both check that they agree.
inline constexpr int64_t kDynamicSize = std::numeric_limits<int64_t>::min();

/// How `formatShape` spells a shape.
enum class ShapeStyle {
  /// `[2, ?, 64]`; `[]` for rank 0. Diagnostics of the dialect's verifiers
  /// and of the reference evaluator.
  List,
  /// numpy's shape tuple: `(2, 64)`, `(2,)`; `()` for rank 0. Messages about
  /// `.npy` files.
  Tuple,
  /// MLIR's dimension list inside `tensor<...>`: `2x?x64`; the empty string
  /// for rank 0.
  Dims,
};

/// Formats `shape` in `style`. A size equal to kDynamicSize prints as `?`;
/// every other size, negative ones included, prints as its number.
std::string formatShape(llvm::ArrayRef<int64_t> shape,
                        ShapeStyle style = ShapeStyle::List);

} // namespace mlir::attn

#endif // ATTN_SUPPORT_FORMAT_H
