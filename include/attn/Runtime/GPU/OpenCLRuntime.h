//===- OpenCLRuntime.h - MLIR's mgpu* runtime over OpenCL -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The functions that host code lowered by MLIR's `gpu-to-llvm` calls
// (`mgpuModuleLoad`, `mgpuLaunchKernel`, `mgpuMemAlloc`, ...; the names and
// signatures of upstream's CudaRuntimeWrappers.cpp in LLVM 22), implemented
// over OpenCL 1.2 (library AttnOpenCLRuntime, compile definition
// ATTN_HAVE_OPENCL=1; docs/Runtime.md, "GPU runtimes"). The functions have
// internal linkage: a JIT (mlir::ExecutionEngine::registerSymbols) gets
// them from getOpenCLRuntimeSymbols(), so this library and the CUDA one
// (CUDARuntime.h) can be linked into one binary.
//
// Device and queue: one OpenCL context and one in-order command queue per
// process, created on the first call that needs them, on the first device
// of the first platform, or on device #i of the list of all devices of all
// platforms (in platform order) when the environment variable
// ATTN_OPENCL_DEVICE=i is set. Every stream (`mgpuStreamCreate`, and the
// null stream) is that queue, so all work runs in issue order;
// `mgpuStreamWaitEvent` has nothing to wait for.
//
// Modules: `mgpuModuleLoad(data, size)` takes what `gpu-module-to-binary`
// makes of a gpu.module with a `#spirv.target_env` of client API OpenCL:
// a SPIR-V binary, which is converted to SPIR 1.2 bitcode by running
// `llvm-spirv-15 -r` (found through ATTN_LLVM_SPIRV, else on PATH, else at
// /usr/bin/llvm-spirv-15) and built with `-x spir -spir-std=1.2` (PoCL 3.1
// loads no SPIR-V). SPIR bitcode (LLVM bitcode for spir64) is also
// accepted as is. Built programs are cached by content within the process.
//
// Device memory: `mgpuMemAlloc` returns a host address that stands for a
// cl_mem buffer: the start of a reserved, inaccessible range of the
// allocation's size (so pointers into different allocations never
// collide, and a host access traps). `mgpuMemcpy` and `mgpuMemset32/16`
// accept any address inside an allocation (start + offset); copies between
// host and device memory are blocking, device-to-device copies and fills are
// queued. `gpu.alloc host_shared`, `gpu.host_register` and
// `mgpuModuleLoadJIT` are not supported (an error).
//
// Kernel arguments (the contract with the code generator): kernels take
// memrefs as bare pointers (one pointer per memref:
// `gpu-to-llvm{use-bare-pointers-for-kernels=true}`, which SPIR-V kernels
// expect) and index or i64 scalars; nothing else. For each `params[i]` of
// `mgpuLaunchKernel`, the 8 bytes at `params[i]` are read: the start of a
// device allocation is passed as its cl_mem, any other value as an 8-byte
// scalar. A pointer into the middle of an allocation is an error. The
// global size is grid * block per dimension, the local size block;
// dynamic workgroup memory (smem) must be 0 (SPIR-V kernels declare theirs).
//
// Errors: no function aborts or prints. The first failure (an OpenCL call,
// named with its error code such as CL_INVALID_KERNEL_NAME and what was
// being done; a conversion; a bad handle or argument) is recorded, the
// failing function returns (null where it returns a pointer), and every
// later call that issues work is skipped until takeOpenCLRuntimeError()
// clears the error; calls that release resources (free, unload, destroy)
// still release them. The functions are thread-safe (one lock).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_GPU_OPENCLRUNTIME_H
#define ATTN_RUNTIME_GPU_OPENCLRUNTIME_H

#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::attn {

/// Returns the first error recorded by the OpenCL mgpu* functions since the
/// last call, and clears it (so later calls issue work again); success when
/// there was none. Messages read like `mgpuModuleGetFunction: clCreateKernel
/// of 'nosuch' failed with CL_INVALID_KERNEL_NAME (the module's kernels:
/// scale_add)`.
llvm::Error takeOpenCLRuntimeError();

/// The name and address of every mgpu* function of this runtime, for
/// mlir::ExecutionEngine::registerSymbols (the names are the C names that
/// gpu-to-llvm calls, without a platform prefix). The addresses stay valid
/// for the life of the process.
std::vector<std::pair<std::string, void *>> getOpenCLRuntimeSymbols();

/// The OpenCL device the runtime uses (the same choice as the mgpu*
/// functions, without creating a context), as `<platform name>: <device
/// name> (<device version>)`. Errors: "no OpenCL platform found", "no
/// OpenCL device found", an ATTN_OPENCL_DEVICE that is not an index of the
/// devices, or a failing OpenCL call. Tests use it to skip without a device.
llvm::Expected<std::string> describeOpenCLDevice();

} // namespace mlir::attn

#endif // ATTN_RUNTIME_GPU_OPENCLRUNTIME_H
