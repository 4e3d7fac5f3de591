//===- Passes.h - CPU code-generation passes --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_PASSES_H
#define ATTN_CODEGEN_LLVMCPU_PASSES_H

#include "attn/Codegen/LLVMCPU/AttnToVector.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "attn/Codegen/LLVMCPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "attn/Codegen/LLVMCPU/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_CODEGEN_LLVMCPU_PASSES_H
