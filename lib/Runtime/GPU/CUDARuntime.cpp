//===- CUDARuntime.cpp - MLIR's mgpu* runtime over the CUDA driver --------===//
//
// Part of the attn-mlir project.
//
// The mgpu* functions of gpu-to-llvm's host code over the CUDA driver API,
// with the driver loaded by dlopen and the first error recorded instead of
// printed. The contract is in the header.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/GPU/CUDARuntime.h"

#include "MGPUFunctions.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <cuda.h>
#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// The driver, loaded at run time
//===----------------------------------------------------------------------===//

// The driver entry points used. cuda.h maps some names to versioned ones
// (cuMemAlloc -> cuMemAlloc_v2); the macros expand the same way here, so
// each pointer has the versioned function's type and is looked up under
// the versioned name.
#define ATTN_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuInit)                                                                    \
  X(cuGetErrorName)                                                            \
  X(cuDriverGetVersion)                                                        \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxPushCurrent)                                                          \
  X(cuCtxPopCurrent)                                                           \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventSynchronize)                                                        \
  X(cuEventRecord)                                                             \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemcpy)                                                                  \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)                                                          \
  X(cuMemHostRegister)                                                         \
  X(cuMemHostUnregister)                                                       \
  X(cuTensorMapEncodeTiled)

#define ATTN_STRINGIFY_EXPANDED(x) ATTN_STRINGIFY(x)
#define ATTN_STRINGIFY(x) #x

namespace {
struct DriverAPI {
#define ATTN_DECLARE_POINTER(name) decltype(&::name) name = nullptr;
  ATTN_CUDA_DRIVER_FUNCTIONS(ATTN_DECLARE_POINTER)
#undef ATTN_DECLARE_POINTER
};
} // namespace

/// Sets `pointer` to libcuda's `symbol`; false (and `failure` set) when the
/// driver lacks it.
template <typename Pointer>
static bool resolve(void *handle, Pointer &pointer, const char *symbol,
                    std::string &failure) {
  pointer = reinterpret_cast<Pointer>(dlsym(handle, symbol));
  if (pointer)
    return true;
  failure = std::string("libcuda.so.1 lacks ") + symbol +
            " (a driver older than the CUDA " +
            std::to_string(CUDA_VERSION / 1000) + "." +
            std::to_string(CUDA_VERSION % 1000 / 10) + " headers?)";
  return false;
}

/// Loads libcuda.so.1 and resolves every entry point (once per process).
static llvm::Expected<const DriverAPI &> loadDriver() {
  static std::optional<DriverAPI> api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *reason = dlerror();
      failure = std::string("libcuda.so.1 not found (no CUDA driver is "
                            "installed): ") +
                (reason ? reason : "dlopen failed");
      return;
    }
    DriverAPI loaded;
#define ATTN_RESOLVE_POINTER(name)                                             \
  if (!resolve(handle, loaded.name, ATTN_STRINGIFY_EXPANDED(name), failure))   \
    return;
    ATTN_CUDA_DRIVER_FUNCTIONS(ATTN_RESOLVE_POINTER)
#undef ATTN_RESOLVE_POINTER
    api = loaded;
  });
  if (!api)
    return llvm::createStringError(failure);
  return *api;
}

static std::string formatCUresult(const DriverAPI *api, CUresult result) {
  const char *name = nullptr;
  if (api && api->cuGetErrorName(result, &name) == CUDA_SUCCESS && name)
    return name;
  return "CUresult " + std::to_string(static_cast<int>(result));
}

//===----------------------------------------------------------------------===//
// Runtime state
//===----------------------------------------------------------------------===//

namespace {
struct Runtime {
  std::mutex mutex;
  /// The first error since the last takeCUDARuntimeError().
  std::optional<std::string> error;
  const DriverAPI *api = nullptr;
  int deviceIndex = 0;
  CUcontext context = nullptr;
  /// Device copies of the tensor maps made so far, by their bytes: calls on
  /// the same buffers and shapes reuse one instead of allocating another.
  std::map<std::string, CUdeviceptr> tensorMaps;
};
} // namespace

/// The process's runtime. Never destroyed: JIT-compiled code unloads its
/// modules from global destructors, which may run after ours.
static Runtime &getRuntime() {
  static Runtime *runtime = new Runtime();
  return *runtime;
}

/// Loads the driver, initializes it and checks that device `index` exists.
static llvm::Expected<CUdevice> openDevice(const DriverAPI *&api, int index) {
  llvm::Expected<const DriverAPI &> loaded = loadDriver();
  if (!loaded)
    return loaded.takeError();
  api = &*loaded;
  CUresult result = api->cuInit(0);
  if (result == CUDA_ERROR_NO_DEVICE)
    return llvm::createStringError("no CUDA device: CUDA_ERROR_NO_DEVICE");
  if (result != CUDA_SUCCESS)
    return llvm::createStringError("cuInit failed with " +
                                   formatCUresult(api, result));
  int count = 0;
  result = api->cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS)
    return llvm::createStringError("cuDeviceGetCount failed with " +
                                   formatCUresult(api, result));
  if (count == 0)
    return llvm::createStringError("no CUDA device: CUDA_ERROR_NO_DEVICE");
  if (index < 0 || index >= count)
    return llvm::createStringError("CUDA device " + llvm::Twine(index) +
                                   " does not exist: expected 0 to " +
                                   llvm::Twine(count - 1) +
                                   " (CUDA_ERROR_INVALID_DEVICE)");
  CUdevice device;
  result = api->cuDeviceGet(&device, index);
  if (result != CUDA_SUCCESS)
    return llvm::createStringError("cuDeviceGet(" + llvm::Twine(index) +
                                   ") failed with " +
                                   formatCUresult(api, result));
  return device;
}

namespace {
/// One call of an mgpu* function: holds the lock, records failures under the
/// function's name, and makes the primary context current while it lasts
/// (once `enter` succeeded).
class Call {
public:
  explicit Call(const char *function)
      : runtime(getRuntime()), lock(runtime.mutex), function(function) {}

  ~Call() {
    if (pushed) {
      CUcontext previous;
      runtime.api->cuCtxPopCurrent(&previous);
    }
  }

  /// Whether an earlier error stands, so the call must issue no work.
  bool skipped() const { return runtime.error.has_value(); }

  /// Records `message` unless an error is already recorded; returns false.
  bool fail(const llvm::Twine &message) {
    if (!runtime.error)
      runtime.error = (llvm::Twine(function) + ": " + message).str();
    return false;
  }

  /// Records a failed driver call (`what` says what was being done).
  bool check(CUresult result, const llvm::Twine &what) {
    if (result == CUDA_SUCCESS)
      return true;
    return fail(what + " failed with " + formatCUresult(runtime.api, result));
  }

  /// Retains the primary context on first use and makes it current.
  bool enter() {
    if (!runtime.context) {
      llvm::Expected<CUdevice> device =
          openDevice(runtime.api, runtime.deviceIndex);
      if (!device)
        return fail(llvm::toString(device.takeError()));
      CUcontext context;
      if (!check(runtime.api->cuDevicePrimaryCtxRetain(&context, *device),
                 "cuDevicePrimaryCtxRetain"))
        return false;
      runtime.context = context;
    }
    if (!check(runtime.api->cuCtxPushCurrent(runtime.context),
               "cuCtxPushCurrent"))
      return false;
    pushed = true;
    return true;
  }

  /// The driver, for calls that need no context (release functions); null
  /// when it was never loaded, so there is nothing to release.
  const DriverAPI *api() const { return runtime.api; }

  Runtime &runtime;

private:
  std::lock_guard<std::mutex> lock;
  const char *function;
  bool pushed = false;
};
} // namespace

/// Loads `data` with the JIT's error log captured; `optLevel` < 0 keeps the
/// default optimization level.
static void *loadModule(Call &call, const void *data, int optLevel) {
  if (call.skipped())
    return nullptr;
  if (!data) {
    call.fail("null module");
    return nullptr;
  }
  if (!call.enter())
    return nullptr;
  char errorLog[8192] = {0};
  llvm::SmallVector<CUjit_option, 3> options = {
      CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  llvm::SmallVector<void *, 3> values = {
      errorLog, reinterpret_cast<void *>(sizeof(errorLog))};
  if (optLevel >= 0) {
    options.push_back(CU_JIT_OPTIMIZATION_LEVEL);
    values.push_back(reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)));
  }
  CUmodule module = nullptr;
  CUresult result = call.api()->cuModuleLoadDataEx(
      &module, data, options.size(), options.data(), values.data());
  if (result != CUDA_SUCCESS) {
    llvm::StringRef log = llvm::StringRef(errorLog).trim();
    call.fail("cuModuleLoadDataEx failed with " +
              formatCUresult(call.api(), result) +
              (log.empty() ? std::string() : "; JIT log:\n" + log.str()));
    return nullptr;
  }
  return module;
}

//===----------------------------------------------------------------------===//
// mgpu* functions
//===----------------------------------------------------------------------===//

static void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  Call call("mgpuModuleLoad");
  return loadModule(call, data, /*optLevel=*/-1);
}

static void *mgpuModuleLoadJIT(void *data, int optLevel) {
  Call call("mgpuModuleLoadJIT");
  return loadModule(call, data, optLevel);
}

static void mgpuModuleUnload(void *module) {
  Call call("mgpuModuleUnload");
  if (!module || !call.api())
    return;
  call.check(call.api()->cuModuleUnload(static_cast<CUmodule>(module)),
             "cuModuleUnload");
}

static void *mgpuModuleGetFunction(void *module, const char *name) {
  Call call("mgpuModuleGetFunction");
  if (call.skipped() || !call.enter())
    return nullptr;
  CUfunction function = nullptr;
  if (!call.check(
          call.api()->cuModuleGetFunction(&function,
                                          static_cast<CUmodule>(module), name),
          llvm::Twine("cuModuleGetFunction of '") + (name ? name : "") + "'"))
    return nullptr;
  return function;
}

static void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                             intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                             intptr_t blockZ, int32_t smem, void *stream,
                             void **params, void **extra,
                             size_t /*paramsCount*/) {
  Call call("mgpuLaunchKernel");
  if (call.skipped() || !call.enter())
    return;
  auto *cuFunction = static_cast<CUfunction>(function);
  // Above 48 KiB, dynamic shared memory must be opted into per function.
  if (smem > 48 * 1024 &&
      !call.check(call.api()->cuFuncSetAttribute(
                      cuFunction,
                      CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
                  "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, " +
                      llvm::Twine(smem) + ")"))
    return;
  call.check(call.api()->cuLaunchKernel(
                 cuFunction, gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
                 static_cast<CUstream>(stream), params, extra),
             "cuLaunchKernel with grid (" + llvm::Twine(gridX) + ", " +
                 llvm::Twine(gridY) + ", " + llvm::Twine(gridZ) + "), block (" +
                 llvm::Twine(blockX) + ", " + llvm::Twine(blockY) + ", " +
                 llvm::Twine(blockZ) + "), " + llvm::Twine(smem) +
                 " bytes of shared memory");
}

static void *mgpuStreamCreate() {
  Call call("mgpuStreamCreate");
  if (call.skipped() || !call.enter())
    return nullptr;
  CUstream stream = nullptr;
  if (!call.check(call.api()->cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING),
                  "cuStreamCreate"))
    return nullptr;
  return stream;
}

static void mgpuStreamDestroy(void *stream) {
  Call call("mgpuStreamDestroy");
  if (!stream || !call.api())
    return;
  call.check(call.api()->cuStreamDestroy(static_cast<CUstream>(stream)),
             "cuStreamDestroy");
}

static void mgpuStreamSynchronize(void *stream) {
  Call call("mgpuStreamSynchronize");
  if (call.skipped() || !call.enter())
    return;
  call.check(call.api()->cuStreamSynchronize(static_cast<CUstream>(stream)),
             "cuStreamSynchronize");
}

static void mgpuStreamWaitEvent(void *stream, void *event) {
  Call call("mgpuStreamWaitEvent");
  if (call.skipped() || !call.enter())
    return;
  call.check(call.api()->cuStreamWaitEvent(static_cast<CUstream>(stream),
                                           static_cast<CUevent>(event), 0),
             "cuStreamWaitEvent");
}

static void *mgpuEventCreate() {
  Call call("mgpuEventCreate");
  if (call.skipped() || !call.enter())
    return nullptr;
  CUevent event = nullptr;
  if (!call.check(call.api()->cuEventCreate(&event, CU_EVENT_DISABLE_TIMING),
                  "cuEventCreate"))
    return nullptr;
  return event;
}

static void mgpuEventDestroy(void *event) {
  Call call("mgpuEventDestroy");
  if (!event || !call.api())
    return;
  call.check(call.api()->cuEventDestroy(static_cast<CUevent>(event)),
             "cuEventDestroy");
}

static void mgpuEventSynchronize(void *event) {
  Call call("mgpuEventSynchronize");
  if (call.skipped() || !call.enter())
    return;
  call.check(call.api()->cuEventSynchronize(static_cast<CUevent>(event)),
             "cuEventSynchronize");
}

static void mgpuEventRecord(void *event, void *stream) {
  Call call("mgpuEventRecord");
  if (call.skipped() || !call.enter())
    return;
  call.check(call.api()->cuEventRecord(static_cast<CUevent>(event),
                                       static_cast<CUstream>(stream)),
             "cuEventRecord");
}

static void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                          bool isHostShared) {
  Call call("mgpuMemAlloc");
  if (call.skipped() || sizeBytes == 0 || !call.enter())
    return nullptr;
  CUdeviceptr pointer = 0;
  CUresult result = isHostShared
                        ? call.api()->cuMemAllocManaged(&pointer, sizeBytes,
                                                        CU_MEM_ATTACH_GLOBAL)
                        : call.api()->cuMemAlloc(&pointer, sizeBytes);
  if (!call.check(result, llvm::Twine(isHostShared ? "cuMemAllocManaged"
                                                   : "cuMemAlloc") +
                              " of " + llvm::Twine(sizeBytes) + " bytes"))
    return nullptr;
  return reinterpret_cast<void *>(pointer);
}

static void mgpuMemFree(void *pointer, void * /*stream*/) {
  Call call("mgpuMemFree");
  if (!pointer || !call.api() || !call.enter())
    return;
  call.check(call.api()->cuMemFree(reinterpret_cast<CUdeviceptr>(pointer)),
             "cuMemFree");
}

static void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  Call call("mgpuMemcpy");
  if (call.skipped() || sizeBytes == 0 || !call.enter())
    return;
  call.check(call.api()->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                       reinterpret_cast<CUdeviceptr>(src),
                                       sizeBytes,
                                       static_cast<CUstream>(stream)),
             "cuMemcpyAsync of " + llvm::Twine(sizeBytes) + " bytes");
}

static void mgpuMemset32(void *dst, unsigned int value, size_t count,
                         void *stream) {
  Call call("mgpuMemset32");
  if (call.skipped() || count == 0 || !call.enter())
    return;
  call.check(call.api()->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst),
                                          value, count,
                                          static_cast<CUstream>(stream)),
             "cuMemsetD32Async of " + llvm::Twine(count) + " elements");
}

static void mgpuMemset16(void *dst, unsigned short value, size_t count,
                         void *stream) {
  Call call("mgpuMemset16");
  if (call.skipped() || count == 0 || !call.enter())
    return;
  call.check(call.api()->cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst),
                                          value, count,
                                          static_cast<CUstream>(stream)),
             "cuMemsetD16Async of " + llvm::Twine(count) + " elements");
}

namespace {
/// The start of a ranked memref descriptor (CRunnerUtils.h's
/// StridedMemRefType<T, rank>): `sizes[rank]` and `strides[rank]` follow.
struct MemRefDescriptorPrefix {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};
} // namespace

/// The first byte and the dense byte size of the memref `descriptor`.
static std::pair<char *, uint64_t>
getDenseRange(int64_t rank, const void *descriptor, int64_t elementSizeBytes) {
  const auto *memref = static_cast<const MemRefDescriptorPrefix *>(descriptor);
  uint64_t size = elementSizeBytes;
  for (int64_t i = 0; i < rank; ++i)
    size *= memref->sizesAndStrides[i];
  return {memref->aligned + memref->offset * elementSizeBytes, size};
}

static void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                      int64_t elementSizeBytes) {
  Call call("mgpuMemHostRegisterMemRef");
  if (call.skipped() || !call.enter())
    return;
  auto [data, size] = getDenseRange(rank, descriptor, elementSizeBytes);
  if (size == 0)
    return;
  call.check(call.api()->cuMemHostRegister(data, size, /*Flags=*/0),
             "cuMemHostRegister of " + llvm::Twine(size) + " bytes");
}

static void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                        int64_t elementSizeBytes) {
  Call call("mgpuMemHostUnregisterMemRef");
  if (call.skipped() || !call.enter())
    return;
  auto [data, size] = getDenseRange(rank, descriptor, elementSizeBytes);
  if (size == 0)
    return;
  call.check(call.api()->cuMemHostUnregister(data), "cuMemHostUnregister");
}

static void mgpuSetDefaultDevice(int32_t device) {
  Call call("mgpuSetDefaultDevice");
  if (call.skipped())
    return;
  if (call.runtime.context && device != call.runtime.deviceIndex) {
    call.fail("cannot switch to device " + llvm::Twine(device) +
              ": the runtime already uses device " +
              llvm::Twine(call.runtime.deviceIndex));
    return;
  }
  call.runtime.deviceIndex = device;
}

/// nvgpu.tma.create.descriptor: encodes a TMA descriptor for the memref
/// `descriptor` (rank 1 to 5) with box `boxDims` (outermost first) and
/// copies it to device memory, whose address it returns (the descriptor
/// is never freed, as upstream's). The enums arrive as i64.
static void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *descriptor,
                                            int64_t dataType,
                                            int64_t interleave, int64_t swizzle,
                                            int64_t l2Promotion,
                                            int64_t oobFill, int64_t *boxDims) {
  Call call("mgpuTensorMapEncodeTiledMemref");
  if (call.skipped())
    return nullptr;
  // Bytes per element of CU_TENSOR_MAP_DATA_TYPE_UINT8 ... _TFLOAT32_FTZ.
  static const int elementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (rank < 1 || rank > 5) {
    call.fail("expected a memref of rank 1 to 5, but got rank " +
              llvm::Twine(rank));
    return nullptr;
  }
  if (dataType < 0 ||
      dataType >= static_cast<int64_t>(std::size(elementBytes))) {
    call.fail("unsupported CUtensorMapDataType " + llvm::Twine(dataType));
    return nullptr;
  }
  if (!call.enter())
    return nullptr;
  const auto *memref = static_cast<const MemRefDescriptorPrefix *>(descriptor);
  const int64_t *sizes = memref->sizesAndStrides;
  const int64_t *strides = memref->sizesAndStrides + rank;
  int64_t bytes = elementBytes[dataType];
  // The tensor map lists dimensions innermost first; strides (in bytes)
  // for all but the innermost.
  cuuint64_t globalDim[5] = {1, 1, 1, 1, 1}, globalStrides[5] = {0};
  cuuint32_t boxDim[5] = {1, 1, 1, 1, 1}, elementStrides[5] = {1, 1, 1, 1, 1};
  for (int64_t i = 0; i < rank; ++i) {
    globalDim[i] = sizes[rank - 1 - i];
    boxDim[i] = static_cast<cuuint32_t>(boxDims[rank - 1 - i]);
    if (i + 1 < rank)
      globalStrides[i] = strides[rank - 2 - i] * bytes;
  }
  CUtensorMap tensorMap;
  if (!call.check(call.api()->cuTensorMapEncodeTiled(
                      &tensorMap, static_cast<CUtensorMapDataType>(dataType),
                      static_cast<cuuint32_t>(rank),
                      memref->aligned + memref->offset * bytes, globalDim,
                      globalStrides, boxDim, elementStrides,
                      static_cast<CUtensorMapInterleave>(interleave),
                      static_cast<CUtensorMapSwizzle>(swizzle),
                      static_cast<CUtensorMapL2promotion>(l2Promotion),
                      static_cast<CUtensorMapFloatOOBfill>(oobFill)),
                  "cuTensorMapEncodeTiled"))
    return nullptr;
  // A kernel reads the map from device memory (a __grid_constant__
  // parameter would avoid the copy; MLIR's lowering passes a pointer). The
  // copies are kept for the process, one per distinct map: freeing one
  // after the launch would need the launch's stream, which this call does
  // not know.
  std::string key(reinterpret_cast<const char *>(&tensorMap), sizeof(tensorMap));
  auto cached = getRuntime().tensorMaps.find(key);
  if (cached != getRuntime().tensorMaps.end())
    return reinterpret_cast<void *>(cached->second);
  CUdeviceptr deviceMap = 0;
  if (!call.check(call.api()->cuMemAlloc(&deviceMap, sizeof(tensorMap)),
                  "cuMemAlloc of the tensor map"))
    return nullptr;
  if (!call.check(call.api()->cuMemcpy(
                      deviceMap, reinterpret_cast<CUdeviceptr>(&tensorMap),
                      sizeof(tensorMap)),
                  "cuMemcpy of the tensor map")) {
    call.api()->cuMemFree(deviceMap);
    return nullptr;
  }
  getRuntime().tensorMaps.emplace(std::move(key), deviceMap);
  return reinterpret_cast<void *>(deviceMap);
}

//===----------------------------------------------------------------------===//
// C++ API
//===----------------------------------------------------------------------===//

llvm::Error mlir::attn::takeCUDARuntimeError() {
  Runtime &runtime = getRuntime();
  std::lock_guard<std::mutex> lock(runtime.mutex);
  return detail::takeRecordedError(runtime.error);
}

std::vector<std::pair<std::string, void *>>
mlir::attn::getCUDARuntimeSymbols() {
  return {ATTN_MGPU_COMMON_FUNCTIONS(ATTN_MGPU_SYMBOL)
      ATTN_MGPU_SYMBOL(mgpuTensorMapEncodeTiledMemref)
  };
}

llvm::Expected<std::string> mlir::attn::describeCUDADevice() {
  Runtime &runtime = getRuntime();
  std::lock_guard<std::mutex> lock(runtime.mutex);
  const DriverAPI *api = nullptr;
  llvm::Expected<CUdevice> device = openDevice(api, runtime.deviceIndex);
  if (!device)
    return device.takeError();
  char name[256] = {0};
  int major = 0, minor = 0, count = 0, version = 0;
  api->cuDeviceGetName(name, sizeof(name) - 1, *device);
  api->cuDeviceGetAttribute(
      &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, *device);
  api->cuDeviceGetAttribute(
      &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, *device);
  api->cuDeviceGetCount(&count);
  api->cuDriverGetVersion(&version);
  return (llvm::Twine(name) + " (sm_" + llvm::Twine(major) +
          llvm::Twine(minor) + ", device " + llvm::Twine(runtime.deviceIndex) +
          " of " + llvm::Twine(count) + ", driver " +
          llvm::Twine(version / 1000) + "." + llvm::Twine(version % 1000 / 10) +
          ")")
      .str();
}
