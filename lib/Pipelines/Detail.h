//===- Detail.h - pipeline steps shared by every target ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_PIPELINES_DETAIL_H
#define ATTN_LIB_PIPELINES_DETAIL_H

#include <string>

namespace mlir {
class OpPassManager;
namespace attn::detail {

/// Adds a pass that stops the pipeline with `message` at the module's
/// location: pipeline builders return nothing, so an option they cannot
/// accept is reported when the pipeline runs.
void addInvalidOptionPass(OpPassManager &pm, std::string message);

/// Tensors to buffers, whole-module (function boundaries included, identity
/// layouts at them), with buffer deallocation; ops without a bufferization
/// model stop with an error naming them.
void buildBufferizationPipeline(OpPassManager &pm);

} // namespace attn::detail
} // namespace mlir

#endif // ATTN_LIB_PIPELINES_DETAIL_H
