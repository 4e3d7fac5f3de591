//===- MGPUFunctions.h - what the mgpu* runtimes share ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Internal to lib/Runtime/GPU: the list of mgpu* functions that both the
// OpenCL and the CUDA runtime define (with internal linkage; they are reached
// through their get*RuntimeSymbols() tables), and how a runtime hands out
// the first error it recorded.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_RUNTIME_GPU_MGPUFUNCTIONS_H
#define ATTN_LIB_RUNTIME_GPU_MGPUFUNCTIONS_H

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <utility>

/// X(name) for every mgpu* function that MLIR 22's gpu-to-llvm host code
/// calls and both runtimes define.
#define ATTN_MGPU_COMMON_FUNCTIONS(X)                                          \
  X(mgpuModuleLoad)                                                            \
  X(mgpuModuleLoadJIT)                                                         \
  X(mgpuModuleUnload)                                                          \
  X(mgpuModuleGetFunction)                                                     \
  X(mgpuLaunchKernel)                                                          \
  X(mgpuStreamCreate)                                                          \
  X(mgpuStreamDestroy)                                                         \
  X(mgpuStreamSynchronize)                                                     \
  X(mgpuStreamWaitEvent)                                                       \
  X(mgpuEventCreate)                                                           \
  X(mgpuEventDestroy)                                                          \
  X(mgpuEventSynchronize)                                                      \
  X(mgpuEventRecord)                                                           \
  X(mgpuMemAlloc)                                                              \
  X(mgpuMemFree)                                                               \
  X(mgpuMemcpy)                                                                \
  X(mgpuMemset32)                                                              \
  X(mgpuMemset16)                                                              \
  X(mgpuMemHostRegisterMemRef)                                                 \
  X(mgpuMemHostUnregisterMemRef)                                               \
  X(mgpuSetDefaultDevice)

/// One entry {name, address} of a get*RuntimeSymbols() table.
#define ATTN_MGPU_SYMBOL(name) {#name, reinterpret_cast<void *>(&name)},

namespace mlir::attn::detail {

/// The recorded error of a runtime as an llvm::Error (success when none),
/// leaving `slot` empty: the next error recorded is reported next.
inline llvm::Error takeRecordedError(std::optional<std::string> &slot) {
  if (!slot)
    return llvm::Error::success();
  std::string message = std::move(*slot);
  slot.reset();
  return llvm::createStringError(message);
}

} // namespace mlir::attn::detail

#endif // ATTN_LIB_RUNTIME_GPU_MGPUFUNCTIONS_H
