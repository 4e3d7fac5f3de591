//===- Detail.h - pipeline steps shared by every target ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_PIPELINES_DETAIL_H
#define ATTN_LIB_PIPELINES_DETAIL_H

namespace mlir {
class OpPassManager;
namespace attn::detail {

/// Tensors to buffers, whole-module (function boundaries included, identity
/// layouts at them), with buffer deallocation; ops without a bufferization
/// model stop with an error naming them.
void buildBufferizationPipeline(OpPassManager &pm);

} // namespace attn::detail
} // namespace mlir

#endif // ATTN_LIB_PIPELINES_DETAIL_H
