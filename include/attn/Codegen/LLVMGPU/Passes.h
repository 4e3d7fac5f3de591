//===- Passes.h - the NVVM leaf ---------------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMGPU_PASSES_H
#define ATTN_CODEGEN_LLVMGPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "attn/Codegen/LLVMGPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attn/Codegen/LLVMGPU/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_CODEGEN_LLVMGPU_PASSES_H
