//===- OpenCLRuntimeTest.cpp - the mgpu* functions over OpenCL ------------===//
//
// Part of the attn-mlir project.
//
// Runs a SPIR-V kernel (scale_add.mlir, lowered at build time) through the
// OpenCL runtime's mgpu* functions in the order that gpu-to-llvm's host code
// calls them, and checks the numbers; then the error contract: failures are
// recorded with their OpenCL names, later work is skipped until the error
// is taken, nothing crashes. Without an OpenCL device the tests that need
// one skip with the reason.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/GPU/OpenCLRuntime.h"

#include "MGPUFunctions.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <cstring>
#include <vector>

using namespace mlir::attn;
using mlir::attn::test::MGPUFunctions;

namespace {

constexpr int64_t kSize = 1024;
constexpr size_t kBytes = kSize * sizeof(float);

class OpenCLRuntimeTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::Expected<std::string> device = describeOpenCLDevice();
    if (!device)
      GTEST_SKIP() << "no OpenCL device to run on: "
                   << llvm::toString(device.takeError());
    std::vector<std::string> missing = mgpu.assign(getOpenCLRuntimeSymbols());
    ASSERT_TRUE(missing.empty()) << "missing " << missing.front();
    llvm::consumeError(takeOpenCLRuntimeError());

    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile(ATTN_TEST_SPIRV_KERNEL);
    ASSERT_TRUE(file) << "cannot read " << ATTN_TEST_SPIRV_KERNEL << ": "
                      << file.getError().message();
    kernelBinary = (*file)->getBuffer().str();
  }

  /// The recorded error's message, cleared; empty when there is none.
  static std::string takeError() {
    llvm::Error error = takeOpenCLRuntimeError();
    return error ? llvm::toString(std::move(error)) : std::string();
  }

  void *loadKernelModule() {
    return mgpu.moduleLoad(kernelBinary.data(), kernelBinary.size());
  }

  MGPUFunctions mgpu;
  std::string kernelBinary;
};

/// a[i] = i / 4, b[i] = i - 3: every sum a * 2 + b is exact in f32.
static void fillInputs(std::vector<float> &a, std::vector<float> &b) {
  a.resize(kSize);
  b.resize(kSize);
  for (int64_t i = 0; i < kSize; ++i) {
    a[i] = static_cast<float>(i) / 4;
    b[i] = static_cast<float>(i - 3);
  }
}

static unsigned bitsOf(float value) {
  unsigned bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

} // namespace

TEST(OpenCLRuntimeSymbols, HasEveryMGPUFunctionOnce) {
  std::vector<std::pair<std::string, void *>> symbols =
      getOpenCLRuntimeSymbols();
  llvm::StringSet<> names;
  for (const auto &[name, address] : symbols) {
    EXPECT_NE(address, nullptr) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
  for (const char *name : test::kCommonMGPUNames)
    EXPECT_TRUE(names.contains(name)) << "missing " << name;
}

TEST_F(OpenCLRuntimeTest, DescribesDevice) {
  llvm::Expected<std::string> device = describeOpenCLDevice();
  ASSERT_TRUE(static_cast<bool>(device));
  EXPECT_NE(device->find(": "), std::string::npos) << *device;
  std::printf("OpenCL device: %s\n", device->c_str());
}

// The calls of gpu-to-llvm's host code for a gpu.launch_func with
// gpu.alloc/memcpy/dealloc around it (the module load and unload come from
// the gpu.binary's global constructor and destructor).
TEST_F(OpenCLRuntimeTest, RunsKernelInHostCodeOrder) {
  std::vector<float> a, b, out(kSize, 0.0f);
  fillInputs(a, b);

  void *module = loadKernelModule();
  ASSERT_NE(module, nullptr) << takeError();
  void *function = mgpu.moduleGetFunction(module, "scale_add");
  ASSERT_NE(function, nullptr) << takeError();
  void *stream = mgpu.streamCreate();
  ASSERT_NE(stream, nullptr) << takeError();

  void *deviceA = mgpu.memAlloc(kBytes, stream, false);
  void *deviceB = mgpu.memAlloc(kBytes, stream, false);
  void *deviceOut = mgpu.memAlloc(kBytes, stream, false);
  ASSERT_TRUE(deviceA && deviceB && deviceOut) << takeError();
  mgpu.memcpy(deviceA, a.data(), kBytes, stream);
  mgpu.memcpy(deviceB, b.data(), kBytes, stream);
  // The elements past n keep this value.
  mgpu.memset32(deviceOut, bitsOf(-1.0f), kSize, stream);

  // n = 1000 of 1024, in 4 blocks of 256 threads: the last 24 threads idle.
  int64_t n = 1000;
  void *params[] = {&deviceA, &deviceB, &deviceOut, &n};
  mgpu.launchKernel(function, 4, 1, 1, 256, 1, 1, /*smem=*/0, stream, params,
                    /*extra=*/nullptr, /*paramsCount=*/4);
  mgpu.memcpy(out.data(), deviceOut, kBytes, stream);
  mgpu.streamSynchronize(stream);
  mgpu.memFree(deviceA, stream);
  mgpu.memFree(deviceB, stream);
  mgpu.memFree(deviceOut, stream);
  mgpu.streamDestroy(stream);
  mgpu.moduleUnload(module);
  ASSERT_EQ(takeError(), "");

  for (int64_t i = 0; i < kSize; ++i) {
    float expected = i < n ? a[i] * 2 + b[i] : -1.0f;
    ASSERT_EQ(out[i], expected) << "at " << i;
  }
}

TEST_F(OpenCLRuntimeTest, RunsAgainFromTheProgramCache) {
  std::vector<float> a, b, out(kSize, 0.0f);
  fillInputs(a, b);
  void *first = loadKernelModule();
  void *second = loadKernelModule();
  ASSERT_TRUE(first && second) << takeError();
  EXPECT_NE(first, second);
  mgpu.moduleUnload(first);

  void *function = mgpu.moduleGetFunction(second, "scale_add");
  // The same handle for the same name (host code asks before each launch).
  EXPECT_EQ(mgpu.moduleGetFunction(second, "scale_add"), function);
  void *deviceA = mgpu.memAlloc(kBytes, nullptr, false);
  void *deviceB = mgpu.memAlloc(kBytes, nullptr, false);
  void *deviceOut = mgpu.memAlloc(kBytes, nullptr, false);
  mgpu.memcpy(deviceA, a.data(), kBytes, nullptr);
  mgpu.memcpy(deviceB, b.data(), kBytes, nullptr);
  int64_t n = kSize;
  void *params[] = {&deviceA, &deviceB, &deviceOut, &n};
  mgpu.launchKernel(function, 8, 1, 1, 128, 1, 1, 0, nullptr, params, nullptr,
                    4);
  mgpu.memcpy(out.data(), deviceOut, kBytes, nullptr);
  mgpu.streamSynchronize(nullptr);
  for (void *pointer : {deviceA, deviceB, deviceOut})
    mgpu.memFree(pointer, nullptr);
  mgpu.moduleUnload(second);
  ASSERT_EQ(takeError(), "");
  for (int64_t i = 0; i < kSize; ++i)
    ASSERT_EQ(out[i], a[i] * 2 + b[i]) << "at " << i;
}

TEST_F(OpenCLRuntimeTest, CopiesAndFillsInsideAllocations) {
  void *stream = mgpu.streamCreate();
  char *first = static_cast<char *>(mgpu.memAlloc(64, stream, false));
  char *second = static_cast<char *>(mgpu.memAlloc(64, stream, false));
  ASSERT_TRUE(first && second) << takeError();
  std::vector<uint8_t> bytes(64);
  for (int i = 0; i < 64; ++i)
    bytes[i] = static_cast<uint8_t>(i);
  // Host to device at an offset, a 16-bit fill, device to device between
  // offsets, and back.
  mgpu.memset16(second, 0xABCD, 32, stream);
  mgpu.memcpy(first + 8, bytes.data(), 16, stream);
  mgpu.memcpy(second + 4, first + 8, 16, stream);
  std::vector<uint8_t> result(64, 0);
  mgpu.memcpy(result.data(), second, 64, stream);
  mgpu.streamSynchronize(stream);
  mgpu.memFree(first, stream);
  mgpu.memFree(second, stream);
  ASSERT_EQ(takeError(), "");
  for (int i = 0; i < 64; ++i) {
    uint8_t expected = (i >= 4 && i < 20) ? static_cast<uint8_t>(i - 4)
                       : (i % 2 == 0)     ? 0xCD
                                          : 0xAB;
    ASSERT_EQ(result[i], expected) << "at byte " << i;
  }
}

TEST_F(OpenCLRuntimeTest, RecordsAndWaitsForEvents) {
  void *stream = mgpu.streamCreate();
  void *event = mgpu.eventCreate();
  ASSERT_TRUE(stream && event) << takeError();
  mgpu.eventSynchronize(event); // Never recorded: nothing to wait for.
  mgpu.eventRecord(event, stream);
  mgpu.streamWaitEvent(stream, event);
  mgpu.eventSynchronize(event);
  mgpu.eventDestroy(event);
  EXPECT_EQ(takeError(), "");
}

TEST_F(OpenCLRuntimeTest, UnknownKernelNameIsAnError) {
  void *module = loadKernelModule();
  ASSERT_NE(module, nullptr) << takeError();
  EXPECT_EQ(mgpu.moduleGetFunction(module, "no_such_kernel"), nullptr);

  // While the error stands, work is skipped: no allocation is made.
  EXPECT_EQ(mgpu.memAlloc(16, nullptr, false), nullptr);
  std::string error = takeError();
  EXPECT_NE(error.find("mgpuModuleGetFunction"), std::string::npos) << error;
  EXPECT_NE(error.find("CL_INVALID_KERNEL_NAME"), std::string::npos) << error;
  EXPECT_NE(error.find("'no_such_kernel'"), std::string::npos) << error;
  EXPECT_NE(error.find("scale_add"), std::string::npos) << error;

  // Taking the error lets work run again.
  void *pointer = mgpu.memAlloc(16, nullptr, false);
  EXPECT_NE(pointer, nullptr);
  mgpu.memFree(pointer, nullptr);
  mgpu.moduleUnload(module);
  EXPECT_EQ(takeError(), "");
}

TEST_F(OpenCLRuntimeTest, GarbageModuleIsAnError) {
  char garbage[] = "this is not a kernel module";
  EXPECT_EQ(mgpu.moduleLoad(garbage, sizeof(garbage)), nullptr);
  std::string error = takeError();
  EXPECT_NE(error.find("mgpuModuleLoad"), std::string::npos) << error;
  EXPECT_NE(error.find("SPIR-V"), std::string::npos) << error;

  // The SPIR-V magic number followed by garbage: llvm-spirv rejects it.
  std::vector<uint32_t> words = {0x07230203u, 0xdeadbeefu, 1, 2, 3, 4};
  EXPECT_EQ(mgpu.moduleLoad(words.data(), words.size() * 4), nullptr);
  error = takeError();
  EXPECT_NE(error.find("llvm-spirv"), std::string::npos) << error;

  EXPECT_EQ(mgpu.moduleLoad(nullptr, 0), nullptr);
  EXPECT_NE(takeError(), "");
  // Host code unloads what its constructor loaded, null after a failure.
  mgpu.moduleUnload(nullptr);
  EXPECT_EQ(takeError(), "");
}

TEST_F(OpenCLRuntimeTest, BadLaunchesAreErrors) {
  void *module = loadKernelModule();
  void *function = mgpu.moduleGetFunction(module, "scale_add");
  void *buffer = mgpu.memAlloc(kBytes, nullptr, false);
  ASSERT_TRUE(module && function && buffer) << takeError();
  int64_t n = kSize;
  void *params[] = {&buffer, &buffer, &buffer, &n};

  mgpu.launchKernel(function, 1, 1, 1, 64, 1, 1, /*smem=*/128, nullptr, params,
                    nullptr, 4);
  std::string error = takeError();
  EXPECT_NE(error.find("dynamic workgroup memory"), std::string::npos) << error;

  mgpu.launchKernel(function, 1, 1, 1, 64, 1, 1, 0, nullptr, params, nullptr,
                    3);
  error = takeError();
  EXPECT_NE(error.find("takes 4 arguments, but 3 were passed"),
            std::string::npos)
      << error;

  void *inside = static_cast<char *>(buffer) + 4;
  void *offsetParams[] = {&buffer, &inside, &buffer, &n};
  mgpu.launchKernel(function, 1, 1, 1, 64, 1, 1, 0, nullptr, offsetParams,
                    nullptr, 4);
  error = takeError();
  EXPECT_NE(error.find("argument #1 points 4 bytes into"), std::string::npos)
      << error;

  mgpu.launchKernel(nullptr, 1, 1, 1, 64, 1, 1, 0, nullptr, params, nullptr, 4);
  error = takeError();
  EXPECT_NE(error.find("unknown function"), std::string::npos) << error;

  std::vector<float> host(kSize + 1);
  mgpu.memcpy(buffer, host.data(), kBytes + 4, nullptr);
  error = takeError();
  EXPECT_NE(error.find("overruns its device allocation of 4096 bytes"),
            std::string::npos)
      << error;

  EXPECT_EQ(mgpu.memAlloc(16, nullptr, /*hostShared=*/true), nullptr);
  error = takeError();
  EXPECT_NE(error.find("host_shared"), std::string::npos) << error;

  mgpu.memFree(buffer, nullptr);
  mgpu.moduleUnload(module);
  EXPECT_EQ(takeError(), "");
}
