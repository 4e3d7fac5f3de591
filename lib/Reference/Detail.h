//===- Detail.h - reference evaluator internals -----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Shape checks shared by the per-op functions (which abort on a mismatch)
// and `evaluate` (which reports it as an llvm::Error).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_REFERENCE_DETAIL_H
#define ATTN_LIB_REFERENCE_DETAIL_H

#include "attn/Reference/Reference.h"
#include "attn/Support/Format.h"

#include "llvm/ADT/Twine.h"

#include <string>

namespace mlir::attn::reference::detail {

/// An llvm::Error whose message is "reference evaluator: " + `message`.
llvm::Error makeError(const llvm::Twine &message);

/// `[2, 3, 4]`: the project's shape formatter (attn/Support/Format.h).
using mlir::attn::formatShape;

/// Checks the operands of `attention` (docs/Spec.md 1.1-1.2, C1-C5).
llvm::Error checkAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                           const Tensor *mask, const AttentionParams &params);

/// Checks the weights of `compose` against scores of shape
/// `scoresShape` = [B, H, Lq, Lk] (docs/Spec.md 1.3). `group` prefixes the
/// operand names in messages ("pre "/"post " for dcmha, "" for compose).
llvm::Error checkCompose(llvm::ArrayRef<int64_t> scoresShape,
                         const ComposeWeights &w, llvm::StringRef group);

/// Checks the operands of `dcmha` (docs/Spec.md 1.4).
llvm::Error checkDCMHA(const Tensor &q, const Tensor &k, const Tensor &v,
                       const ComposeWeights &pre, const ComposeWeights &post,
                       const AttentionParams &params);

/// Checks the operands of `deformableSample` (docs/Spec.md 1.5).
llvm::Error checkDeformableSample(const Tensor &input, const Tensor &grid);

/// Checks the operands of `msDeformAttn` (docs/Spec.md 1.6).
llvm::Error checkMSDeformAttn(const Tensor &value, const Tensor &locations,
                              const Tensor &weights,
                              llvm::ArrayRef<int64_t> spatialShapes);

} // namespace mlir::attn::reference::detail

#endif // ATTN_LIB_REFERENCE_DETAIL_H
