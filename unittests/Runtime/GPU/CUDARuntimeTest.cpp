//===- CUDARuntimeTest.cpp - the mgpu* functions over CUDA ----------------===//
//
// Part of the attn-mlir project.
//
// The CUDA runtime's symbol table and error contract, which hold without a
// driver: the calls then record "libcuda.so.1 not found" (or "no CUDA
// device") instead of crashing. With a GPU, a hand-written PTX kernel runs
// through the mgpu* functions in host-code order; without one that test
// skips with describeCUDADevice()'s reason. Where the OpenCL runtime is
// built too, it is linked into this test, which shows that the two sets of
// mgpu* functions coexist in one binary.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/GPU/CUDARuntime.h"

#include "MGPUFunctions.h"

#include "llvm/ADT/StringSet.h"

#include "gtest/gtest.h"

#ifdef ATTN_HAVE_OPENCL
#include "attn/Runtime/GPU/OpenCLRuntime.h"
#endif

#include <vector>

using namespace mlir::attn;
using mlir::attn::test::MGPUFunctions;

namespace {

/// out[i] = a[i] * 2 + b[i] for i < n (one thread per element), in PTX for
/// sm_75 and later (the oldest GPUs CUDA 13 supports); its parameters are
/// bare pointers and an i64, as the GPU pipeline's kernels take them.
const char kScaleAddPTX[] = R"ptx(
.version 6.3
.target sm_75
.address_size 64

.visible .entry scale_add(
    .param .u64 a, .param .u64 b, .param .u64 out, .param .u64 n)
{
  .reg .pred %p;
  .reg .b32 %r<4>;
  .reg .b64 %rd<10>;
  .reg .f32 %f<4>;

  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mul.wide.u32 %rd1, %r1, %r2;
  cvt.u64.u32 %rd2, %r3;
  add.u64 %rd3, %rd1, %rd2;
  ld.param.u64 %rd4, [n];
  setp.ge.u64 %p, %rd3, %rd4;
  @%p bra DONE;
  shl.b64 %rd5, %rd3, 2;
  ld.param.u64 %rd6, [a];
  ld.param.u64 %rd7, [b];
  ld.param.u64 %rd8, [out];
  cvta.to.global.u64 %rd6, %rd6;
  cvta.to.global.u64 %rd7, %rd7;
  cvta.to.global.u64 %rd8, %rd8;
  add.u64 %rd6, %rd6, %rd5;
  add.u64 %rd7, %rd7, %rd5;
  add.u64 %rd9, %rd8, %rd5;
  ld.global.f32 %f1, [%rd6];
  ld.global.f32 %f2, [%rd7];
  add.rn.f32 %f1, %f1, %f1;
  add.rn.f32 %f3, %f1, %f2;
  st.global.f32 [%rd9], %f3;
DONE:
  ret;
}
)ptx";

std::string takeError() {
  llvm::Error error = takeCUDARuntimeError();
  return error ? llvm::toString(std::move(error)) : std::string();
}

} // namespace

TEST(CUDARuntimeSymbols, HasEveryMGPUFunctionOnce) {
  llvm::StringSet<> names;
  for (const auto &[name, address] : getCUDARuntimeSymbols()) {
    EXPECT_NE(address, nullptr) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
  for (const char *name : test::kCommonMGPUNames)
    EXPECT_TRUE(names.contains(name)) << "missing " << name;
  EXPECT_TRUE(names.contains("mgpuTensorMapEncodeTiledMemref"));
}

#ifdef ATTN_HAVE_OPENCL
// Both runtimes in one binary: each table has its own functions.
TEST(CUDARuntimeSymbols, CoexistsWithOpenCLRuntime) {
  std::vector<std::pair<std::string, void *>> cuda = getCUDARuntimeSymbols();
  std::vector<std::pair<std::string, void *>> opencl =
      getOpenCLRuntimeSymbols();
  for (const auto &[name, address] : cuda)
    for (const auto &[otherName, otherAddress] : opencl)
      if (name == otherName)
        EXPECT_NE(address, otherAddress) << name;
}
#endif

// Holds with and without a GPU: a call either works or records an error.
TEST(CUDARuntime, CallsWithoutDeviceRecordErrors) {
  MGPUFunctions mgpu;
  ASSERT_TRUE(mgpu.assign(getCUDARuntimeSymbols()).empty());
  llvm::consumeError(takeCUDARuntimeError());
  llvm::Expected<std::string> device = describeCUDADevice();
  if (device)
    GTEST_SKIP() << "a CUDA device exists (" << *device
                 << "); this test is for machines without one";
  std::string reason = llvm::toString(device.takeError());
  EXPECT_EQ(mgpu.streamCreate(), nullptr);
  std::string error = takeError();
  EXPECT_NE(error.find("mgpuStreamCreate"), std::string::npos) << error;
  EXPECT_NE(error.find(reason), std::string::npos) << error;
  EXPECT_EQ(mgpu.memAlloc(64, nullptr, false), nullptr);
  EXPECT_NE(takeError(), "");
  // Releasing nothing is no error.
  mgpu.moduleUnload(nullptr);
  mgpu.memFree(nullptr, nullptr);
  EXPECT_EQ(takeError(), "");
}

TEST(CUDARuntime, RunsKernelInHostCodeOrder) {
  llvm::Expected<std::string> device = describeCUDADevice();
  if (!device)
    GTEST_SKIP() << llvm::toString(device.takeError());
  std::printf("CUDA device: %s\n", device->c_str());
  MGPUFunctions mgpu;
  ASSERT_TRUE(mgpu.assign(getCUDARuntimeSymbols()).empty());
  llvm::consumeError(takeCUDARuntimeError());

  constexpr int64_t size = 1024;
  std::vector<float> a(size), b(size), out(size, 0.0f);
  for (int64_t i = 0; i < size; ++i) {
    a[i] = static_cast<float>(i) / 4;
    b[i] = static_cast<float>(i - 3);
  }
  std::string ptx = kScaleAddPTX;
  void *module = mgpu.moduleLoad(ptx.data(), ptx.size() + 1);
  ASSERT_NE(module, nullptr) << takeError();
  EXPECT_EQ(mgpu.moduleGetFunction(module, "no_such_kernel"), nullptr);
  std::string error = takeError();
  EXPECT_NE(error.find("CUDA_ERROR_NOT_FOUND"), std::string::npos) << error;
  void *function = mgpu.moduleGetFunction(module, "scale_add");
  void *stream = mgpu.streamCreate();
  size_t bytes = size * sizeof(float);
  void *deviceA = mgpu.memAlloc(bytes, stream, false);
  void *deviceB = mgpu.memAlloc(bytes, stream, false);
  void *deviceOut = mgpu.memAlloc(bytes, stream, false);
  ASSERT_TRUE(function && stream && deviceA && deviceB && deviceOut)
      << takeError();
  mgpu.memcpy(deviceA, a.data(), bytes, stream);
  mgpu.memcpy(deviceB, b.data(), bytes, stream);
  mgpu.memset32(deviceOut, 0xBF800000u /* -1.0f */, size, stream);
  int64_t n = 1000;
  void *params[] = {&deviceA, &deviceB, &deviceOut, &n};
  mgpu.launchKernel(function, 4, 1, 1, 256, 1, 1, 0, stream, params, nullptr,
                    4);
  mgpu.memcpy(out.data(), deviceOut, bytes, stream);
  mgpu.streamSynchronize(stream);
  for (void *pointer : {deviceA, deviceB, deviceOut})
    mgpu.memFree(pointer, stream);
  mgpu.streamDestroy(stream);
  mgpu.moduleUnload(module);
  ASSERT_EQ(takeError(), "");
  for (int64_t i = 0; i < size; ++i)
    ASSERT_EQ(out[i], i < n ? a[i] * 2 + b[i] : -1.0f) << "at " << i;
}
