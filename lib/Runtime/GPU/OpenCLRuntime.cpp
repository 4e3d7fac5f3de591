//===- OpenCLRuntime.cpp - MLIR's mgpu* runtime over OpenCL ---------------===//
//
// Part of the attn-mlir project.
//
// The mgpu* functions of gpu-to-llvm's host code over OpenCL 1.2: one
// context and in-order queue, SPIR-V modules converted to SPIR bitcode with
// llvm-spirv, device buffers behind reserved host address ranges, and the
// first error recorded instead of printed. The contract is in the header.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/GPU/OpenCLRuntime.h"

#include "MGPUFunctions.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

// OpenCL 1.2 entry points only (PoCL 3.1 and every OpenCL 3.0 driver have
// them); the 3.0 header for the names of all error codes.
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// OpenCL error names
//===----------------------------------------------------------------------===//

static const char *getCLErrorName(cl_int code) {
  switch (code) {
#define ATTN_CL_ERROR(name)                                                    \
  case name:                                                                   \
    return #name;
    ATTN_CL_ERROR(CL_SUCCESS)
    ATTN_CL_ERROR(CL_DEVICE_NOT_FOUND)
    ATTN_CL_ERROR(CL_DEVICE_NOT_AVAILABLE)
    ATTN_CL_ERROR(CL_COMPILER_NOT_AVAILABLE)
    ATTN_CL_ERROR(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    ATTN_CL_ERROR(CL_OUT_OF_RESOURCES)
    ATTN_CL_ERROR(CL_OUT_OF_HOST_MEMORY)
    ATTN_CL_ERROR(CL_PROFILING_INFO_NOT_AVAILABLE)
    ATTN_CL_ERROR(CL_MEM_COPY_OVERLAP)
    ATTN_CL_ERROR(CL_IMAGE_FORMAT_MISMATCH)
    ATTN_CL_ERROR(CL_IMAGE_FORMAT_NOT_SUPPORTED)
    ATTN_CL_ERROR(CL_BUILD_PROGRAM_FAILURE)
    ATTN_CL_ERROR(CL_MAP_FAILURE)
    ATTN_CL_ERROR(CL_MISALIGNED_SUB_BUFFER_OFFSET)
    ATTN_CL_ERROR(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    ATTN_CL_ERROR(CL_COMPILE_PROGRAM_FAILURE)
    ATTN_CL_ERROR(CL_LINKER_NOT_AVAILABLE)
    ATTN_CL_ERROR(CL_LINK_PROGRAM_FAILURE)
    ATTN_CL_ERROR(CL_DEVICE_PARTITION_FAILED)
    ATTN_CL_ERROR(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    ATTN_CL_ERROR(CL_INVALID_VALUE)
    ATTN_CL_ERROR(CL_INVALID_DEVICE_TYPE)
    ATTN_CL_ERROR(CL_INVALID_PLATFORM)
    ATTN_CL_ERROR(CL_INVALID_DEVICE)
    ATTN_CL_ERROR(CL_INVALID_CONTEXT)
    ATTN_CL_ERROR(CL_INVALID_QUEUE_PROPERTIES)
    ATTN_CL_ERROR(CL_INVALID_COMMAND_QUEUE)
    ATTN_CL_ERROR(CL_INVALID_HOST_PTR)
    ATTN_CL_ERROR(CL_INVALID_MEM_OBJECT)
    ATTN_CL_ERROR(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)
    ATTN_CL_ERROR(CL_INVALID_IMAGE_SIZE)
    ATTN_CL_ERROR(CL_INVALID_SAMPLER)
    ATTN_CL_ERROR(CL_INVALID_BINARY)
    ATTN_CL_ERROR(CL_INVALID_BUILD_OPTIONS)
    ATTN_CL_ERROR(CL_INVALID_PROGRAM)
    ATTN_CL_ERROR(CL_INVALID_PROGRAM_EXECUTABLE)
    ATTN_CL_ERROR(CL_INVALID_KERNEL_NAME)
    ATTN_CL_ERROR(CL_INVALID_KERNEL_DEFINITION)
    ATTN_CL_ERROR(CL_INVALID_KERNEL)
    ATTN_CL_ERROR(CL_INVALID_ARG_INDEX)
    ATTN_CL_ERROR(CL_INVALID_ARG_VALUE)
    ATTN_CL_ERROR(CL_INVALID_ARG_SIZE)
    ATTN_CL_ERROR(CL_INVALID_KERNEL_ARGS)
    ATTN_CL_ERROR(CL_INVALID_WORK_DIMENSION)
    ATTN_CL_ERROR(CL_INVALID_WORK_GROUP_SIZE)
    ATTN_CL_ERROR(CL_INVALID_WORK_ITEM_SIZE)
    ATTN_CL_ERROR(CL_INVALID_GLOBAL_OFFSET)
    ATTN_CL_ERROR(CL_INVALID_EVENT_WAIT_LIST)
    ATTN_CL_ERROR(CL_INVALID_EVENT)
    ATTN_CL_ERROR(CL_INVALID_OPERATION)
    ATTN_CL_ERROR(CL_INVALID_GL_OBJECT)
    ATTN_CL_ERROR(CL_INVALID_BUFFER_SIZE)
    ATTN_CL_ERROR(CL_INVALID_MIP_LEVEL)
    ATTN_CL_ERROR(CL_INVALID_GLOBAL_WORK_SIZE)
    ATTN_CL_ERROR(CL_INVALID_PROPERTY)
    ATTN_CL_ERROR(CL_INVALID_IMAGE_DESCRIPTOR)
    ATTN_CL_ERROR(CL_INVALID_COMPILER_OPTIONS)
    ATTN_CL_ERROR(CL_INVALID_LINKER_OPTIONS)
    ATTN_CL_ERROR(CL_INVALID_DEVICE_PARTITION_COUNT)
    ATTN_CL_ERROR(CL_INVALID_PIPE_SIZE)
    ATTN_CL_ERROR(CL_INVALID_DEVICE_QUEUE)
    ATTN_CL_ERROR(CL_INVALID_SPEC_ID)
    ATTN_CL_ERROR(CL_MAX_SIZE_RESTRICTION_EXCEEDED)
#undef ATTN_CL_ERROR
  case -1001: // cl_khr_icd: the ICD loader found no platform.
    return "CL_PLATFORM_NOT_FOUND_KHR";
  default:
    return nullptr;
  }
}

static std::string formatCLError(cl_int code) {
  if (const char *name = getCLErrorName(code))
    return name;
  return "OpenCL error " + std::to_string(code);
}

//===----------------------------------------------------------------------===//
// Device choice
//===----------------------------------------------------------------------===//

namespace {
struct DeviceChoice {
  cl_platform_id platform;
  cl_device_id device;
  unsigned index;
};
} // namespace

static std::string getPlatformString(cl_platform_id platform,
                                     cl_platform_info param) {
  size_t size = 0;
  if (clGetPlatformInfo(platform, param, 0, nullptr, &size) != CL_SUCCESS)
    return "?";
  std::string text(size, '\0');
  if (clGetPlatformInfo(platform, param, size, text.data(), nullptr) !=
      CL_SUCCESS)
    return "?";
  return llvm::StringRef(text.c_str()).trim().str();
}

static std::string getDeviceString(cl_device_id device, cl_device_info param) {
  size_t size = 0;
  if (clGetDeviceInfo(device, param, 0, nullptr, &size) != CL_SUCCESS)
    return "?";
  std::string text(size, '\0');
  if (clGetDeviceInfo(device, param, size, text.data(), nullptr) != CL_SUCCESS)
    return "?";
  return llvm::StringRef(text.c_str()).trim().str();
}

/// The device #`requested` (else ATTN_OPENCL_DEVICE's, else the first) of
/// the devices of all platforms, in platform order.
static llvm::Expected<DeviceChoice> chooseDevice(std::optional<int> requested) {
  cl_uint numPlatforms = 0;
  cl_int status = clGetPlatformIDs(0, nullptr, &numPlatforms);
  if (status == -1001 /*CL_PLATFORM_NOT_FOUND_KHR*/ ||
      (status == CL_SUCCESS && numPlatforms == 0))
    return llvm::createStringError("no OpenCL platform found");
  if (status != CL_SUCCESS)
    return llvm::createStringError("clGetPlatformIDs failed with " +
                                   formatCLError(status));
  llvm::SmallVector<cl_platform_id> platforms(numPlatforms);
  status = clGetPlatformIDs(numPlatforms, platforms.data(), nullptr);
  if (status != CL_SUCCESS)
    return llvm::createStringError("clGetPlatformIDs failed with " +
                                   formatCLError(status));

  llvm::SmallVector<std::pair<cl_platform_id, cl_device_id>> devices;
  for (cl_platform_id platform : platforms) {
    cl_uint numDevices = 0;
    status =
        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &numDevices);
    if (status == CL_DEVICE_NOT_FOUND || numDevices == 0)
      continue;
    if (status != CL_SUCCESS)
      return llvm::createStringError("clGetDeviceIDs failed with " +
                                     formatCLError(status));
    llvm::SmallVector<cl_device_id> ids(numDevices);
    status = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, numDevices,
                            ids.data(), nullptr);
    if (status != CL_SUCCESS)
      return llvm::createStringError("clGetDeviceIDs failed with " +
                                     formatCLError(status));
    for (cl_device_id id : ids)
      devices.emplace_back(platform, id);
  }
  if (devices.empty())
    return llvm::createStringError(
        "no OpenCL device found (" + llvm::Twine(numPlatforms) +
        (numPlatforms == 1 ? " platform" : " platforms") + " without devices)");

  int64_t index = 0;
  if (requested) {
    index = *requested;
    if (index < 0 || index >= static_cast<int64_t>(devices.size()))
      return llvm::createStringError(
          "mgpuSetDefaultDevice(" + llvm::Twine(index) +
          ") is not an OpenCL device index: expected 0 to " +
          llvm::Twine(devices.size() - 1));
  } else if (std::optional<std::string> env =
                 llvm::sys::Process::GetEnv("ATTN_OPENCL_DEVICE")) {
    if (!llvm::to_integer(llvm::StringRef(*env).trim(), index, 10) ||
        index < 0 || index >= static_cast<int64_t>(devices.size()))
      return llvm::createStringError(
          "ATTN_OPENCL_DEVICE='" + *env +
          "' is not an OpenCL device index: expected 0 to " +
          llvm::Twine(devices.size() - 1));
  }
  return DeviceChoice{devices[index].first, devices[index].second,
                      static_cast<unsigned>(index)};
}

static std::string describe(const DeviceChoice &choice) {
  return getPlatformString(choice.platform, CL_PLATFORM_NAME) + ": " +
         getDeviceString(choice.device, CL_DEVICE_NAME) + " (" +
         getDeviceString(choice.device, CL_DEVICE_VERSION) + ")";
}

//===----------------------------------------------------------------------===//
// SPIR-V to SPIR bitcode
//===----------------------------------------------------------------------===//

static bool isSPIRV(llvm::ArrayRef<uint8_t> blob) {
  if (blob.size() < 4)
    return false;
  uint32_t magic;
  std::memcpy(&magic, blob.data(), 4);
  return magic == 0x07230203u || magic == 0x03022307u;
}

static bool isBitcode(llvm::ArrayRef<uint8_t> blob) {
  static const uint8_t raw[] = {'B', 'C', 0xC0, 0xDE};
  static const uint8_t wrapper[] = {0xDE, 0xC0, 0x17, 0x0B};
  return blob.size() >= 4 && (std::memcmp(blob.data(), raw, 4) == 0 ||
                              std::memcmp(blob.data(), wrapper, 4) == 0);
}

static llvm::Expected<std::string> findLLVMSpirv() {
  if (std::optional<std::string> env =
          llvm::sys::Process::GetEnv("ATTN_LLVM_SPIRV")) {
    if (llvm::sys::fs::can_execute(*env))
      return *env;
    return llvm::createStringError("ATTN_LLVM_SPIRV='" + *env +
                                   "' is not an executable file");
  }
  if (llvm::ErrorOr<std::string> path =
          llvm::sys::findProgramByName("llvm-spirv-15"))
    return *path;
  if (llvm::sys::fs::can_execute("/usr/bin/llvm-spirv-15"))
    return std::string("/usr/bin/llvm-spirv-15");
  return llvm::createStringError(
      "llvm-spirv-15 not found on PATH or at /usr/bin/llvm-spirv-15 "
      "(Debian: package llvm-spirv-15; or set ATTN_LLVM_SPIRV); it converts "
      "SPIR-V modules to SPIR bitcode");
}

/// Runs `llvm-spirv -r` on `spirv` and returns the SPIR 1.2 bitcode.
static llvm::Expected<std::string>
convertSPIRVToSPIR(llvm::ArrayRef<uint8_t> spirv) {
  llvm::Expected<std::string> tool = findLLVMSpirv();
  if (!tool)
    return tool.takeError();

  llvm::SmallString<128> inPath, outPath, logPath;
  int inFD;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "attn-opencl-module", "spv", inFD, inPath))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  llvm::FileRemover removeIn(inPath);
  {
    llvm::raw_fd_ostream os(inFD, /*shouldClose=*/true);
    os.write(reinterpret_cast<const char *>(spirv.data()), spirv.size());
    os.close();
    if (os.has_error())
      return llvm::createStringError("cannot write " + inPath + ": " +
                                     os.error().message());
  }
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "attn-opencl-module", "bc", outPath))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  llvm::FileRemover removeOut(outPath);
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "attn-opencl-module", "log", logPath))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  llvm::FileRemover removeLog(logPath);

  llvm::StringRef args[] = {*tool, "-r", inPath, "-o", outPath};
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(""), llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*tool, args, /*Env=*/std::nullopt,
                                     redirects, /*SecondsToWait=*/120,
                                     /*MemoryLimit=*/0, &message);
  if (rc != 0) {
    std::string log;
    if (llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
            llvm::MemoryBuffer::getFile(logPath))
      log = (*buffer)->getBuffer().trim().str();
    std::string what = rc < 0 ? "could not run (" + message + ")"
                              : "failed with exit code " + std::to_string(rc);
    return llvm::createStringError("'" + *tool + " -r' " + what +
                                   (log.empty() ? "" : ": " + log));
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> bitcode =
      llvm::MemoryBuffer::getFile(outPath);
  if (!bitcode)
    return llvm::createStringError("cannot read the output of '" + *tool +
                                   " -r': " + bitcode.getError().message());
  return (*bitcode)->getBuffer().str();
}

//===----------------------------------------------------------------------===//
// Runtime state
//===----------------------------------------------------------------------===//

namespace {
/// A device allocation and the host address range that stands for it.
struct Allocation {
  cl_mem buffer;
  size_t size;
  size_t reservedSize;
};

/// What mgpuModuleGetFunction returns.
struct Kernel {
  cl_kernel kernel;
  std::string name;
  cl_uint numArgs;
};

/// What mgpuModuleLoad returns: a reference to a built program and the
/// kernels created from it.
struct Module {
  cl_program program;
  llvm::StringMap<std::unique_ptr<Kernel>> kernels;
};

/// What mgpuEventCreate returns: the marker of the last record.
struct Event {
  cl_event marker = nullptr;
};

/// A built program, kept for the life of the process.
struct CachedProgram {
  std::string blob;
  cl_program program;
};

struct Runtime {
  std::mutex mutex;
  /// The first error since the last takeOpenCLRuntimeError().
  std::optional<std::string> error;

  std::optional<int> requestedDevice;
  std::optional<DeviceChoice> device;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;

  /// Keyed by the start of the reserved range.
  std::map<uintptr_t, Allocation> allocations;
  llvm::DenseMap<uint64_t, llvm::SmallVector<CachedProgram, 1>> programs;
  llvm::DenseSet<Module *> modules;
  llvm::DenseSet<Kernel *> kernels;
  llvm::DenseSet<Event *> events;
};

/// Where an address lies in device memory.
struct DeviceLocation {
  Allocation *allocation;
  size_t offset;
};
} // namespace

/// The process's runtime. Never destroyed: JIT-compiled code unloads its
/// modules from global destructors, which may run after ours.
static Runtime &getRuntime() {
  static Runtime *runtime = new Runtime();
  return *runtime;
}

namespace {
/// One call of an mgpu* function: holds the lock, and records failures
/// under the function's name.
class Call {
public:
  explicit Call(const char *function)
      : runtime(getRuntime()), lock(runtime.mutex), function(function) {}

  /// Whether an earlier error stands, so the call must issue no work.
  bool skipped() const { return runtime.error.has_value(); }

  /// Records `message` unless an error is already recorded; returns false.
  bool fail(const llvm::Twine &message) {
    if (!runtime.error)
      runtime.error = (llvm::Twine(function) + ": " + message).str();
    return false;
  }

  /// Records a failed OpenCL call (`what` says what was being done).
  bool check(cl_int status, const llvm::Twine &what) {
    if (status == CL_SUCCESS)
      return true;
    return fail(what + " failed with " + formatCLError(status));
  }

  /// Creates the context and queue on first use.
  bool initialize() {
    if (runtime.queue)
      return true;
    llvm::Expected<DeviceChoice> choice = chooseDevice(runtime.requestedDevice);
    if (!choice)
      return fail(llvm::toString(choice.takeError()));
    cl_context_properties properties[] = {
        CL_CONTEXT_PLATFORM,
        reinterpret_cast<cl_context_properties>(choice->platform), 0};
    cl_int status;
    cl_context context = clCreateContext(properties, 1, &choice->device,
                                         nullptr, nullptr, &status);
    if (!check(status, "clCreateContext on " + describe(*choice)))
      return false;
    cl_command_queue queue =
        clCreateCommandQueue(context, choice->device, 0, &status);
    if (!check(status, "clCreateCommandQueue on " + describe(*choice))) {
      clReleaseContext(context);
      return false;
    }
    runtime.device = *choice;
    runtime.context = context;
    runtime.queue = queue;
    return true;
  }

  /// Checks that `stream` is null or the queue.
  bool checkStream(void *stream) {
    if (!stream || stream == runtime.queue)
      return true;
    return fail("unknown stream " + formatPointer(stream) +
                " (expected null or one of mgpuStreamCreate)");
  }

  /// The allocation `pointer` points into, if any.
  std::optional<DeviceLocation> findDevice(const void *pointer) {
    auto address = reinterpret_cast<uintptr_t>(pointer);
    auto it = runtime.allocations.upper_bound(address);
    if (it == runtime.allocations.begin())
      return std::nullopt;
    --it;
    if (address - it->first >= it->second.reservedSize)
      return std::nullopt;
    return DeviceLocation{&it->second, address - it->first};
  }

  /// Checks that `size` bytes at `location` lie in its allocation.
  bool checkRange(const DeviceLocation &location, size_t size,
                  const char *role) {
    if (location.offset <= location.allocation->size &&
        size <= location.allocation->size - location.offset)
      return true;
    return fail(llvm::Twine("the ") + role + " (" + llvm::Twine(size) +
                " bytes at offset " + llvm::Twine(location.offset) +
                ") overruns its device allocation of " +
                llvm::Twine(location.allocation->size) + " bytes");
  }

  static std::string formatPointer(const void *pointer) {
    return "0x" + llvm::utohexstr(reinterpret_cast<uintptr_t>(pointer),
                                  /*LowerCase=*/true);
  }

  Runtime &runtime;

private:
  std::lock_guard<std::mutex> lock;
  const char *function;
};
} // namespace

/// Fills `count` elements of `patternSize` bytes at device address `dst`.
static void fillDevice(Call &call, void *dst, const void *pattern,
                       size_t patternSize, size_t count, void *stream) {
  if (call.skipped() || !call.checkStream(stream) || count == 0)
    return;
  std::optional<DeviceLocation> location = call.findDevice(dst);
  if (!location) {
    call.fail("the destination " + Call::formatPointer(dst) +
              " is not device memory of mgpuMemAlloc");
    return;
  }
  size_t size = count * patternSize;
  if (!call.checkRange(*location, size, "destination"))
    return;
  if (location->offset % patternSize != 0) {
    call.fail("the destination offset " + llvm::Twine(location->offset) +
              " is not a multiple of " + llvm::Twine(patternSize) + " bytes");
    return;
  }
  call.check(clEnqueueFillBuffer(
                 call.runtime.queue, location->allocation->buffer, pattern,
                 patternSize, location->offset, size, 0, nullptr, nullptr),
             "clEnqueueFillBuffer");
}

/// Builds `blob` (SPIR-V or SPIR bitcode) for the device.
static llvm::Expected<cl_program> buildProgram(Runtime &runtime,
                                               llvm::ArrayRef<uint8_t> blob) {
  std::string bitcode;
  if (isSPIRV(blob)) {
    llvm::Expected<std::string> converted = convertSPIRVToSPIR(blob);
    if (!converted)
      return converted.takeError();
    bitcode = std::move(*converted);
  } else if (isBitcode(blob)) {
    bitcode.assign(blob.begin(), blob.end());
  } else {
    std::string head;
    for (uint8_t byte : blob.take_front(8))
      head += (head.empty() ? "" : " ") + llvm::utohexstr(byte, true, 2);
    return llvm::createStringError(
        "expected a SPIR-V binary (magic 0x07230203) or SPIR bitcode, but "
        "the module's first bytes are " +
        head);
  }

  const auto *data = reinterpret_cast<const unsigned char *>(bitcode.data());
  size_t size = bitcode.size();
  cl_int binaryStatus = CL_SUCCESS;
  cl_int status;
  cl_program program =
      clCreateProgramWithBinary(runtime.context, 1, &runtime.device->device,
                                &size, &data, &binaryStatus, &status);
  if (status != CL_SUCCESS)
    return llvm::createStringError(
        "clCreateProgramWithBinary failed with " + formatCLError(status) +
        (binaryStatus != CL_SUCCESS
             ? " (binary status " + formatCLError(binaryStatus) + ")"
             : std::string()));
  const char *options = "-x spir -spir-std=1.2";
  status = clBuildProgram(program, 1, &runtime.device->device, options, nullptr,
                          nullptr);
  if (status != CL_SUCCESS) {
    size_t logSize = 0;
    std::string log;
    if (clGetProgramBuildInfo(program, runtime.device->device,
                              CL_PROGRAM_BUILD_LOG, 0, nullptr,
                              &logSize) == CL_SUCCESS) {
      log.resize(logSize);
      clGetProgramBuildInfo(program, runtime.device->device,
                            CL_PROGRAM_BUILD_LOG, logSize, log.data(), nullptr);
      log = llvm::StringRef(log.c_str()).trim().str();
    }
    clReleaseProgram(program);
    std::string message = std::string("clBuildProgram with '") + options +
                          "' failed with " + formatCLError(status);
    if (!log.empty())
      message += "; build log:\n" + log;
    return llvm::createStringError(message);
  }
  return program;
}

//===----------------------------------------------------------------------===//
// mgpu* functions
//===----------------------------------------------------------------------===//

static void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  Call call("mgpuModuleLoad");
  if (call.skipped())
    return nullptr;
  if (!data || gpuBlobSize == 0) {
    call.fail("empty module (" + llvm::Twine(gpuBlobSize) + " bytes)");
    return nullptr;
  }
  if (!call.initialize())
    return nullptr;
  Runtime &runtime = call.runtime;
  llvm::ArrayRef<uint8_t> blob(static_cast<const uint8_t *>(data), gpuBlobSize);
  llvm::SmallVector<CachedProgram, 1> &entries =
      runtime.programs[llvm::xxh3_64bits(blob)];
  cl_program program = nullptr;
  for (CachedProgram &entry : entries)
    if (llvm::ArrayRef<uint8_t>(
            reinterpret_cast<const uint8_t *>(entry.blob.data()),
            entry.blob.size()) == blob)
      program = entry.program;
  if (!program) {
    llvm::Expected<cl_program> built = buildProgram(runtime, blob);
    if (!built) {
      call.fail(llvm::toString(built.takeError()));
      return nullptr;
    }
    program = *built;
    entries.push_back({std::string(blob.begin(), blob.end()), program});
  }
  if (!call.check(clRetainProgram(program), "clRetainProgram"))
    return nullptr;
  auto *module = new Module{program, {}};
  runtime.modules.insert(module);
  return module;
}

static void *mgpuModuleLoadJIT(void * /*data*/, int /*optLevel*/) {
  Call call("mgpuModuleLoadJIT");
  call.fail("modules in assembly form are not supported by the OpenCL "
            "runtime: give gpu-module-to-binary's binary form (SPIR-V)");
  return nullptr;
}

static void mgpuModuleUnload(void *handle) {
  Call call("mgpuModuleUnload");
  auto *module = static_cast<Module *>(handle);
  if (!module)
    return;
  if (!call.runtime.modules.erase(module)) {
    call.fail("unknown module " + Call::formatPointer(handle));
    return;
  }
  for (auto &entry : module->kernels) {
    clReleaseKernel(entry.second->kernel);
    call.runtime.kernels.erase(entry.second.get());
  }
  clReleaseProgram(module->program);
  delete module;
}

static void *mgpuModuleGetFunction(void *handle, const char *name) {
  Call call("mgpuModuleGetFunction");
  if (call.skipped())
    return nullptr;
  auto *module = static_cast<Module *>(handle);
  if (!call.runtime.modules.contains(module)) {
    call.fail("unknown module " + Call::formatPointer(handle));
    return nullptr;
  }
  if (!name) {
    call.fail("null kernel name");
    return nullptr;
  }
  std::unique_ptr<Kernel> &slot = module->kernels[name];
  if (slot)
    return slot.get();
  cl_int status;
  cl_kernel kernel = clCreateKernel(module->program, name, &status);
  if (status != CL_SUCCESS) {
    module->kernels.erase(name);
    std::string names;
    size_t size = 0;
    if (clGetProgramInfo(module->program, CL_PROGRAM_KERNEL_NAMES, 0, nullptr,
                         &size) == CL_SUCCESS) {
      names.resize(size);
      clGetProgramInfo(module->program, CL_PROGRAM_KERNEL_NAMES, size,
                       names.data(), nullptr);
      names = llvm::StringRef(names.c_str()).str();
      std::replace(names.begin(), names.end(), ';', ' ');
    }
    call.fail(llvm::Twine("clCreateKernel of '") + name + "' failed with " +
              formatCLError(status) + " (the module's kernels: " +
              (names.empty() ? "none" : names) + ")");
    return nullptr;
  }
  cl_uint numArgs = 0;
  if (!call.check(clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof(numArgs),
                                  &numArgs, nullptr),
                  llvm::Twine("clGetKernelInfo of '") + name + "'")) {
    clReleaseKernel(kernel);
    module->kernels.erase(name);
    return nullptr;
  }
  slot = std::make_unique<Kernel>(Kernel{kernel, name, numArgs});
  call.runtime.kernels.insert(slot.get());
  return slot.get();
}

static void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                             intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                             intptr_t blockZ, int32_t smem, void *stream,
                             void **params, void **extra, size_t paramsCount) {
  Call call("mgpuLaunchKernel");
  if (call.skipped() || !call.checkStream(stream))
    return;
  auto *kernel = static_cast<Kernel *>(function);
  if (!call.runtime.kernels.contains(kernel)) {
    call.fail("unknown function " + Call::formatPointer(function));
    return;
  }
  std::string where = "kernel '" + kernel->name + "'";
  if (smem != 0) {
    call.fail(where + ": dynamic workgroup memory (" + llvm::Twine(smem) +
              " bytes) is not supported; SPIR-V kernels declare theirs");
    return;
  }
  if (extra) {
    call.fail(where + ": the 'extra' argument is not supported");
    return;
  }
  if (paramsCount != kernel->numArgs) {
    call.fail(where + " takes " + llvm::Twine(kernel->numArgs) +
              " arguments, but " + llvm::Twine(paramsCount) + " were passed");
    return;
  }
  for (size_t i = 0; i < paramsCount; ++i) {
    void *value;
    std::memcpy(&value, params[i], sizeof(value));
    std::optional<DeviceLocation> location = call.findDevice(value);
    if (location && location->offset != 0) {
      call.fail(where + ": argument #" + llvm::Twine(i) + " points " +
                llvm::Twine(location->offset) +
                " bytes into a device allocation; only the start of an "
                "allocation can be passed");
      return;
    }
    cl_int status =
        location ? clSetKernelArg(kernel->kernel, i, sizeof(cl_mem),
                                  &location->allocation->buffer)
                 : clSetKernelArg(kernel->kernel, i, sizeof(value), &value);
    if (!call.check(status, "clSetKernelArg of " + where + " argument #" +
                                llvm::Twine(i) +
                                (location ? " (a buffer)"
                                          : " (an 8-byte scalar; kernels "
                                            "take memrefs and i64/index)")))
      return;
  }
  intptr_t grid[] = {gridX, gridY, gridZ};
  intptr_t block[] = {blockX, blockY, blockZ};
  std::string sizes =
      "grid (" + std::to_string(gridX) + ", " + std::to_string(gridY) + ", " +
      std::to_string(gridZ) + "), block (" + std::to_string(blockX) + ", " +
      std::to_string(blockY) + ", " + std::to_string(blockZ) + ")";
  size_t global[3], local[3];
  for (int d = 0; d < 3; ++d) {
    if (grid[d] <= 0 || block[d] <= 0 ||
        __builtin_mul_overflow(grid[d], block[d], &global[d])) {
      call.fail(where + ": bad launch size: " + sizes);
      return;
    }
    local[d] = block[d];
  }
  if (!call.check(clEnqueueNDRangeKernel(call.runtime.queue, kernel->kernel, 3,
                                         nullptr, global, local, 0, nullptr,
                                         nullptr),
                  "clEnqueueNDRangeKernel of " + where + " with " + sizes))
    return;
  call.check(clFlush(call.runtime.queue), "clFlush");
}

static void *mgpuStreamCreate() {
  Call call("mgpuStreamCreate");
  if (call.skipped() || !call.initialize())
    return nullptr;
  return call.runtime.queue;
}

static void mgpuStreamDestroy(void * /*stream*/) {
  // Every stream is the one queue, which lives as long as the process.
}

static void mgpuStreamSynchronize(void *stream) {
  Call call("mgpuStreamSynchronize");
  if (call.skipped() || !call.checkStream(stream) || !call.runtime.queue)
    return;
  call.check(clFinish(call.runtime.queue), "clFinish");
}

static void mgpuStreamWaitEvent(void *stream, void *handle) {
  Call call("mgpuStreamWaitEvent");
  if (call.skipped() || !call.checkStream(stream))
    return;
  // The queue is in order: whatever the event marks is ahead of any work
  // queued after this call.
  if (!call.runtime.events.contains(static_cast<Event *>(handle)))
    call.fail("unknown event " + Call::formatPointer(handle));
}

static void *mgpuEventCreate() {
  Call call("mgpuEventCreate");
  if (call.skipped())
    return nullptr;
  auto *event = new Event();
  call.runtime.events.insert(event);
  return event;
}

static void mgpuEventDestroy(void *handle) {
  Call call("mgpuEventDestroy");
  auto *event = static_cast<Event *>(handle);
  if (!event)
    return;
  if (!call.runtime.events.erase(event)) {
    call.fail("unknown event " + Call::formatPointer(handle));
    return;
  }
  if (event->marker)
    clReleaseEvent(event->marker);
  delete event;
}

static void mgpuEventSynchronize(void *handle) {
  Call call("mgpuEventSynchronize");
  if (call.skipped())
    return;
  auto *event = static_cast<Event *>(handle);
  if (!call.runtime.events.contains(event)) {
    call.fail("unknown event " + Call::formatPointer(handle));
    return;
  }
  if (event->marker)
    call.check(clWaitForEvents(1, &event->marker), "clWaitForEvents");
}

static void mgpuEventRecord(void *handle, void *stream) {
  Call call("mgpuEventRecord");
  if (call.skipped() || !call.checkStream(stream))
    return;
  auto *event = static_cast<Event *>(handle);
  if (!call.runtime.events.contains(event)) {
    call.fail("unknown event " + Call::formatPointer(handle));
    return;
  }
  if (!call.initialize())
    return;
  cl_event marker;
  if (!call.check(
          clEnqueueMarkerWithWaitList(call.runtime.queue, 0, nullptr, &marker),
          "clEnqueueMarkerWithWaitList"))
    return;
  if (event->marker)
    clReleaseEvent(event->marker);
  event->marker = marker;
}

static void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  Call call("mgpuMemAlloc");
  if (call.skipped() || !call.checkStream(stream))
    return nullptr;
  if (isHostShared) {
    call.fail("host-shared allocations (gpu.alloc host_shared) are not "
              "supported by the OpenCL runtime");
    return nullptr;
  }
  if (!call.initialize())
    return nullptr;
  size_t pageSize = llvm::sys::Process::getPageSizeEstimate();
  size_t reservedSize =
      llvm::alignTo(std::max<uint64_t>(sizeBytes, 1), pageSize);
  void *range = mmap(nullptr, reservedSize, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (range == MAP_FAILED) {
    call.fail("cannot reserve " + llvm::Twine(reservedSize) +
              " bytes of address space for a device allocation: " +
              std::strerror(errno));
    return nullptr;
  }
  cl_int status;
  cl_mem buffer =
      clCreateBuffer(call.runtime.context, CL_MEM_READ_WRITE,
                     std::max<uint64_t>(sizeBytes, 1), nullptr, &status);
  if (!call.check(status,
                  "clCreateBuffer of " + llvm::Twine(sizeBytes) + " bytes")) {
    munmap(range, reservedSize);
    return nullptr;
  }
  call.runtime.allocations[reinterpret_cast<uintptr_t>(range)] =
      Allocation{buffer, sizeBytes, reservedSize};
  return range;
}

static void mgpuMemFree(void *ptr, void *stream) {
  Call call("mgpuMemFree");
  (void)stream;
  if (!ptr)
    return;
  auto it = call.runtime.allocations.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == call.runtime.allocations.end()) {
    call.fail(Call::formatPointer(ptr) +
              " is not the start of a device allocation of mgpuMemAlloc");
    return;
  }
  // OpenCL frees the buffer once the commands that use it are done.
  clReleaseMemObject(it->second.buffer);
  munmap(ptr, it->second.reservedSize);
  call.runtime.allocations.erase(it);
}

static void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  Call call("mgpuMemcpy");
  if (call.skipped() || !call.checkStream(stream) || sizeBytes == 0)
    return;
  std::optional<DeviceLocation> to = call.findDevice(dst);
  std::optional<DeviceLocation> from = call.findDevice(src);
  if (!to && !from) {
    std::memmove(dst, src, sizeBytes);
    return;
  }
  if ((to && !call.checkRange(*to, sizeBytes, "destination")) ||
      (from && !call.checkRange(*from, sizeBytes, "source")))
    return;
  cl_command_queue queue = call.runtime.queue;
  if (to && from) {
    call.check(clEnqueueCopyBuffer(queue, from->allocation->buffer,
                                   to->allocation->buffer, from->offset,
                                   to->offset, sizeBytes, 0, nullptr, nullptr),
               "clEnqueueCopyBuffer of " + llvm::Twine(sizeBytes) + " bytes");
    return;
  }
  if (to) {
    call.check(clEnqueueWriteBuffer(queue, to->allocation->buffer, CL_TRUE,
                                    to->offset, sizeBytes, src, 0, nullptr,
                                    nullptr),
               "clEnqueueWriteBuffer of " + llvm::Twine(sizeBytes) + " bytes");
    return;
  }
  call.check(clEnqueueReadBuffer(queue, from->allocation->buffer, CL_TRUE,
                                 from->offset, sizeBytes, dst, 0, nullptr,
                                 nullptr),
             "clEnqueueReadBuffer of " + llvm::Twine(sizeBytes) + " bytes");
}

static void mgpuMemset32(void *dst, unsigned int value, size_t count,
                         void *stream) {
  Call call("mgpuMemset32");
  cl_uint pattern = value;
  fillDevice(call, dst, &pattern, sizeof(pattern), count, stream);
}

static void mgpuMemset16(void *dst, unsigned short value, size_t count,
                         void *stream) {
  Call call("mgpuMemset16");
  cl_ushort pattern = value;
  fillDevice(call, dst, &pattern, sizeof(pattern), count, stream);
}

static void mgpuMemHostRegisterMemRef(int64_t /*rank*/, void * /*descriptor*/,
                                      int64_t /*elementSizeBytes*/) {
  Call call("mgpuMemHostRegisterMemRef");
  call.fail("host registration (gpu.host_register) is not supported by the "
            "OpenCL runtime: copy with gpu.memcpy");
}

static void mgpuMemHostUnregisterMemRef(int64_t /*rank*/, void * /*descriptor*/,
                                        int64_t /*elementSizeBytes*/) {
  Call call("mgpuMemHostUnregisterMemRef");
  call.fail("host registration (gpu.host_unregister) is not supported by the "
            "OpenCL runtime");
}

static void mgpuSetDefaultDevice(int32_t device) {
  Call call("mgpuSetDefaultDevice");
  if (call.skipped())
    return;
  Runtime &runtime = call.runtime;
  if (runtime.device && static_cast<int64_t>(runtime.device->index) != device) {
    call.fail("cannot switch to device " + llvm::Twine(device) +
              ": the runtime already uses device " +
              llvm::Twine(runtime.device->index));
    return;
  }
  runtime.requestedDevice = device;
}

//===----------------------------------------------------------------------===//
// C++ API
//===----------------------------------------------------------------------===//

llvm::Error mlir::attn::takeOpenCLRuntimeError() {
  Runtime &runtime = getRuntime();
  std::lock_guard<std::mutex> lock(runtime.mutex);
  return detail::takeRecordedError(runtime.error);
}

std::vector<std::pair<std::string, void *>>
mlir::attn::getOpenCLRuntimeSymbols() {
  return {ATTN_MGPU_COMMON_FUNCTIONS(ATTN_MGPU_SYMBOL)
  };
}

llvm::Expected<std::string> mlir::attn::describeOpenCLDevice() {
  Runtime &runtime = getRuntime();
  std::lock_guard<std::mutex> lock(runtime.mutex);
  if (runtime.device)
    return describe(*runtime.device);
  llvm::Expected<DeviceChoice> choice = chooseDevice(runtime.requestedDevice);
  if (!choice)
    return choice.takeError();
  return describe(*choice);
}
