//===- Passes.h - the generic GPU mapping layer -----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_PASSES_H
#define ATTN_CODEGEN_GPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "attn/Codegen/GPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attn/Codegen/GPU/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_PASSES_H
