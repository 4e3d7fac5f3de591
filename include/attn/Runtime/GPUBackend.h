//===- GPUBackend.h - attention kernels on GPUs and OpenCL ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_GPUBACKEND_H
#define ATTN_RUNTIME_GPUBACKEND_H

#include "attn/Runtime/Backend.h"

namespace mlir::attn {

/// The backend of `--target=opencl` (SPIR-V kernels run through an OpenCL
/// device: PoCL on a CPU) or `--target=cuda` (PTX through the CUDA driver):
/// `--attn-gpu-pipeline`, host code JIT-compiled with the runtime's `mgpu*`
/// functions (Runtime/GPU), every device-runtime error returned by the call
/// ("@f failed: ..."). Emits `mlir`, and for cuda `asm` (the kernel's PTX).
/// Errors: the target's runtime was not built (its API missing at build
/// time); at load, no device ("--target=opencl has no device to run on:
/// ...").
llvm::Expected<std::unique_ptr<Backend>> createGPUBackend(StringRef target);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_GPUBACKEND_H
