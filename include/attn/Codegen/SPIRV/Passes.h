//===- Passes.h - the SPIR-V (OpenCL) leaf -----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_SPIRV_PASSES_H
#define ATTN_CODEGEN_SPIRV_PASSES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"

#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "attn/Codegen/SPIRV/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attn/Codegen/SPIRV/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_CODEGEN_SPIRV_PASSES_H
