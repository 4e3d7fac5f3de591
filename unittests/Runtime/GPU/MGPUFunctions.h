//===- MGPUFunctions.h - typed mgpu* pointers for tests ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The mgpu* functions of a runtime's symbol table (get*RuntimeSymbols), as
// typed function pointers with the signatures that gpu-to-llvm's host code
// calls them with (LLVM 22), so that a test can call them in its order.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_UNITTESTS_RUNTIME_GPU_MGPUFUNCTIONS_H
#define ATTN_UNITTESTS_RUNTIME_GPU_MGPUFUNCTIONS_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace mlir::attn::test {

struct MGPUFunctions {
  void *(*moduleLoad)(void *data, size_t size) = nullptr;
  void (*moduleUnload)(void *module) = nullptr;
  void *(*moduleGetFunction)(void *module, const char *name) = nullptr;
  void (*launchKernel)(void *function, intptr_t gridX, intptr_t gridY,
                       intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                       intptr_t blockZ, int32_t smem, void *stream,
                       void **params, void **extra,
                       size_t paramsCount) = nullptr;
  void *(*streamCreate)() = nullptr;
  void (*streamSynchronize)(void *stream) = nullptr;
  void (*streamDestroy)(void *stream) = nullptr;
  void (*streamWaitEvent)(void *stream, void *event) = nullptr;
  void *(*eventCreate)() = nullptr;
  void (*eventRecord)(void *event, void *stream) = nullptr;
  void (*eventSynchronize)(void *event) = nullptr;
  void (*eventDestroy)(void *event) = nullptr;
  void *(*memAlloc)(uint64_t size, void *stream, bool hostShared) = nullptr;
  void (*memFree)(void *pointer, void *stream) = nullptr;
  void (*memcpy)(void *dst, void *src, size_t size, void *stream) = nullptr;
  void (*memset32)(void *dst, unsigned value, size_t count,
                   void *stream) = nullptr;
  void (*memset16)(void *dst, unsigned short value, size_t count,
                   void *stream) = nullptr;

  /// Fills the pointers from `symbols`; the names it lacks are returned.
  std::vector<std::string>
  assign(const std::vector<std::pair<std::string, void *>> &symbols) {
    std::vector<std::string> missing;
    auto set = [&](auto &pointer, llvm::StringRef name) {
      for (const auto &[symbol, address] : symbols) {
        if (symbol == name) {
          pointer =
              reinterpret_cast<std::remove_reference_t<decltype(pointer)>>(
                  address);
          return;
        }
      }
      missing.push_back(name.str());
    };
    set(moduleLoad, "mgpuModuleLoad");
    set(moduleUnload, "mgpuModuleUnload");
    set(moduleGetFunction, "mgpuModuleGetFunction");
    set(launchKernel, "mgpuLaunchKernel");
    set(streamCreate, "mgpuStreamCreate");
    set(streamSynchronize, "mgpuStreamSynchronize");
    set(streamDestroy, "mgpuStreamDestroy");
    set(streamWaitEvent, "mgpuStreamWaitEvent");
    set(eventCreate, "mgpuEventCreate");
    set(eventRecord, "mgpuEventRecord");
    set(eventSynchronize, "mgpuEventSynchronize");
    set(eventDestroy, "mgpuEventDestroy");
    set(memAlloc, "mgpuMemAlloc");
    set(memFree, "mgpuMemFree");
    set(memcpy, "mgpuMemcpy");
    set(memset32, "mgpuMemset32");
    set(memset16, "mgpuMemset16");
    return missing;
  }
};

/// Every mgpu* name that MLIR 22's gpu-to-llvm and its launch translation
/// (SelectObjectAttr) may call, outside the sparse-tensor and TMA ones.
inline const char *const kCommonMGPUNames[] = {
    "mgpuModuleLoad",
    "mgpuModuleLoadJIT",
    "mgpuModuleUnload",
    "mgpuModuleGetFunction",
    "mgpuLaunchKernel",
    "mgpuStreamCreate",
    "mgpuStreamDestroy",
    "mgpuStreamSynchronize",
    "mgpuStreamWaitEvent",
    "mgpuEventCreate",
    "mgpuEventDestroy",
    "mgpuEventSynchronize",
    "mgpuEventRecord",
    "mgpuMemAlloc",
    "mgpuMemFree",
    "mgpuMemcpy",
    "mgpuMemset32",
    "mgpuMemset16",
    "mgpuMemHostRegisterMemRef",
    "mgpuMemHostUnregisterMemRef",
    "mgpuSetDefaultDevice",
};

} // namespace mlir::attn::test

#endif // ATTN_UNITTESTS_RUNTIME_GPU_MGPUFUNCTIONS_H
