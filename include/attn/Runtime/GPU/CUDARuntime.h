//===- CUDARuntime.h - MLIR's mgpu* runtime over CUDA -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The functions that host code lowered by MLIR's `gpu-to-llvm` calls
// (`mgpuModuleLoad`, `mgpuLaunchKernel`, `mgpuMemAlloc`, ...; the names and
// signatures of upstream's CudaRuntimeWrappers.cpp in LLVM 22), implemented
// over the CUDA driver API (library AttnCUDARuntime, compile definition
// ATTN_HAVE_CUDA=1; docs/Runtime.md, "GPU runtimes"). As in OpenCLRuntime.h,
// the functions have internal linkage and are reached through
// getCUDARuntimeSymbols() (for mlir::ExecutionEngine::registerSymbols), so
// the OpenCL and CUDA runtimes can be linked into one binary.
//
// The driver: libcuda.so.1 is loaded with dlopen on the first call (the
// library is compiled against the toolkit's cuda.h and links no libcuda),
// so a program that links it starts on machines without a driver and gets
// an error ("libcuda.so.1 not found ...") from the calls instead. All calls
// run in the primary context of device 0, or of the device named by
// `mgpuSetDefaultDevice` before the first call that needs a context.
//
// What the functions do (as upstream's wrappers): `mgpuModuleLoad(data,
// size)` loads a cubin, fatbin or NUL-terminated PTX with
// cuModuleLoadDataEx; `mgpuModuleLoadJIT(data, optLevel)` JIT-compiles PTX
// at that optimization level; the JIT's error log is part of a load error.
// Kernel parameters are passed to cuLaunchKernel as they are (any types the
// kernel declares, bare pointers or memref descriptors); more than 48 KiB
// of dynamic shared memory is opted into per function. `mgpuMemAlloc`
// allocates device memory (managed memory for `host_shared`); a size of 0
// gives null. `mgpuMemcpy` and `mgpuMemset32/16` are asynchronous on the
// stream (pageable host memory makes host copies synchronous in practice).
// `mgpuMemHostRegisterMemRef` page-locks a dense memref's buffer.
//
// Errors: no function aborts or prints. The first failure (a driver call,
// named with cuGetErrorName's name such as CUDA_ERROR_NOT_FOUND and what was
// being done; a missing driver) is recorded, the failing function returns
// (null where it returns a pointer), and every later call that issues work
// is skipped until takeCUDARuntimeError() clears the error; calls that
// release resources still release them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_GPU_CUDARUNTIME_H
#define ATTN_RUNTIME_GPU_CUDARUNTIME_H

#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::attn {

/// Returns the first error recorded by the CUDA mgpu* functions since the
/// last call, and clears it (so later calls issue work again); success when
/// there was none. Messages read like `mgpuModuleGetFunction:
/// cuModuleGetFunction of 'nosuch' failed with CUDA_ERROR_NOT_FOUND`.
llvm::Error takeCUDARuntimeError();

/// The name and address of every mgpu* function of this runtime, for
/// mlir::ExecutionEngine::registerSymbols (the C names that gpu-to-llvm
/// calls). The addresses stay valid for the life of the process.
std::vector<std::pair<std::string, void *>> getCUDARuntimeSymbols();

/// The CUDA device the runtime uses, as `<device name> (sm_<major><minor>,
/// device <i> of <n>, driver <version>)`. Errors: "libcuda.so.1 not found
/// (...)" without a driver, "no CUDA device: CUDA_ERROR_NO_DEVICE" without
/// a device, or a failing driver call. Tests use it to skip without a GPU.
llvm::Expected<std::string> describeCUDADevice();

} // namespace mlir::attn

#endif // ATTN_RUNTIME_GPU_CUDARUNTIME_H
