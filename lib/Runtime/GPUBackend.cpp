//===- GPUBackend.cpp - attention kernels on GPUs and OpenCL ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The "opencl" and "cuda" backends: --attn-gpu-pipeline (SPIR-V or NVVM
// device code, host code calling the mgpu* runtime functions), host code
// JIT-compiled with the runtime's functions resolved (Runtime/GPU), errors
// of the device runtime reported after each call.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/GPUBackend.h"

#include "Detail.h"
#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/HostBackend.h"

#if ATTN_HAVE_OPENCL
#include "attn/Runtime/GPU/OpenCLRuntime.h"
#endif
#if ATTN_HAVE_CUDA
#include "attn/Runtime/GPU/CUDARuntime.h"
#endif

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::makeError;

namespace {
/// One GPU runtime: its pipeline target and its mgpu* functions.
struct GPURuntime {
  StringRef backendName;
  StringRef pipelineTarget;
  std::function<llvm::Expected<std::string>()> describeDevice;
  std::function<std::vector<std::pair<std::string, void *>>()> symbols;
  std::function<llvm::Error()> takeError;
};

class GPUBackend final : public Backend {
public:
  explicit GPUBackend(GPURuntime runtime) : runtime(std::move(runtime)) {}

  StringRef getName() const override { return runtime.backendName; }

  llvm::Error verifyOptions(const CompileOptions &options) const override {
    const std::string &tc = options.gpuTensorCores;
    if (tc != "auto" && tc != "on" && tc != "off" && tc != "wgmma")
      return makeError("invalid --gpu-tensor-cores='" + tc +
                       "': expected auto, on, off or wgmma");
    if (!options.gpuChip.empty() && runtime.pipelineTarget != "nvvm")
      return makeError("--gpu-chip='" + options.gpuChip +
                       "' applies to --target=cuda only (this is --target=" +
                       runtime.backendName.str() + ")");
    return llvm::Error::success();
  }

  void buildLoweringPipeline(OpPassManager &pm,
                             const CompileOptions &options) const override {
    GPUPipelineOptions pipeline;
    pipeline.target = runtime.pipelineTarget.str();
    // SPIR-V as a binary (mgpuModuleLoad); PTX as text, which the CUDA
    // driver compiles for the GPU it finds (mgpuModuleLoadJIT).
    pipeline.format = runtime.pipelineTarget == "spirv" ? "bin" : "isa";
    pipeline.blockQ = options.blockQ;
    pipeline.blockK = options.blockK;
    pipeline.tensorCores = options.gpuTensorCores;
    // The warpgroup mapping's wgmma exists on sm_90a only; the pipeline
    // checks the chip name and its pairing with wgmma.
    if (!options.gpuChip.empty())
      pipeline.chip = options.gpuChip;
    else if (options.gpuTensorCores == "wgmma" &&
             runtime.pipelineTarget == "nvvm")
      pipeline.chip = "sm_90a";
    buildGPUPipeline(pm, pipeline);
  }

  llvm::Expected<std::unique_ptr<Executable>>
  load(ModuleOp module, const CompileOptions &options) const override {
    llvm::Expected<std::string> device = runtime.describeDevice();
    if (!device)
      return makeError("the " + runtime.backendName.str() +
                       " backend (--backend or --target=" +
                       runtime.backendName.str() +
                       ") has no device to run on: " +
                       llvm::toString(device.takeError()));
    return loadHostJIT(module, runtime.symbols(), runtime.takeError);
  }

  llvm::Error emit(ModuleOp module, ArrayRef<FunctionSignature> functions,
                   const CompileOptions &options, EmitKind kind,
                   StringRef path) const override;

private:
  GPURuntime runtime;
};
} // namespace

static llvm::Error writeText(StringRef path, StringRef text) {
  std::error_code error;
  llvm::ToolOutputFile out(path, error, llvm::sys::fs::OF_Text);
  if (error)
    return makeError("cannot write '" + path.str() + "': " + error.message());
  out.os() << text;
  out.keep();
  return llvm::Error::success();
}

llvm::Error GPUBackend::emit(ModuleOp module,
                             ArrayRef<FunctionSignature> functions,
                             const CompileOptions &options, EmitKind kind,
                             StringRef path) const {
  if (kind == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return writeText(path, text);
  }
  // --emit=asm: the device code of the one kernel module (PTX for cuda).
  if (kind == EmitKind::Assembly && runtime.pipelineTarget == "nvvm") {
    SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
    if (binaries.size() != 1)
      return makeError("--emit=asm/ptx writes the PTX of one kernel; this module "
                       "has " + std::to_string(binaries.size()) +
                       " (use --emit=mlir)");
    auto object = cast<gpu::ObjectAttr>(binaries.front().getObjects()[0]);
    return writeText(path, object.getObject().getValue());
  }
  return makeError("--target=" + runtime.backendName.str() +
                   " emits mlir" +
                   (runtime.pipelineTarget == "nvvm" ? " and asm (PTX)" : "") +
                   " only");
}

llvm::Expected<std::unique_ptr<Backend>>
mlir::attn::createGPUBackend(StringRef target) {
#if ATTN_HAVE_OPENCL
  if (target == "opencl")
    return std::make_unique<GPUBackend>(GPURuntime{
        "opencl", "spirv", describeOpenCLDevice, getOpenCLRuntimeSymbols,
        takeOpenCLRuntimeError});
#endif
#if ATTN_HAVE_CUDA
  if (target == "cuda")
    return std::make_unique<GPUBackend>(GPURuntime{
        "cuda", "nvvm", describeCUDADevice, getCUDARuntimeSymbols,
        takeCUDARuntimeError});
#endif
  return makeError("--target=" + target.str() +
                   " is not built into this attn-mlir (its runtime's API was "
                   "not found at build time; see docs/Runtime.md)");
}
