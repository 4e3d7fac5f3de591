//===- InitAllDialects.h - register attn and needed dialects ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_INITALLDIALECTS_H
#define ATTN_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
namespace attn {

/// Registers the `attn` dialect, the upstream dialects its lowering produces
/// (func, arith, math, tensor, linalg, scf, vector, memref, bufferization,
/// llvm, omp, ...) and their external interface models (bufferization,
/// tiling, LLVM translation). Embedders call this on their registry.
void registerAllDialects(DialectRegistry &registry);

} // namespace attn
} // namespace mlir

#endif // ATTN_INITALLDIALECTS_H
