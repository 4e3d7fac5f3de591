//===- GPUPipeline.cpp - --attn-gpu-pipeline --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// attn ops -> GPU lowering configs -> online_attention tiles (scf.forall) ->
// buffers -> gpu.launch (generic mapping, Codegen/GPU) -> outlined kernels ->
// device buffers and copies -> the device leaf (NVVM or SPIR-V) -> host code
// in the LLVM dialect -> gpu.binary. Each step is a pass of its own.
//
//===----------------------------------------------------------------------===//

#include "attn/Pipelines/Pipelines.h"

#include "Detail.h"

#include "attn/Codegen/Common/Passes.h"
#include "attn/Codegen/GPU/GPUTargetInfo.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/LLVMGPU/Passes.h"
#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Codegen/SPIRV/Passes.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/Dialect/SPIRV/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/Regex.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::attn;

/// attn ops to bufferized tiles of attn.online_attention.
static void buildTilingPipeline(OpPassManager &pm,
                                const GPUPipelineOptions &options) {
  AttnGPUSelectLoweringConfigPassOptions select;
  select.sharedMemoryBytes = options.sharedMemoryBytes;
  select.maxThreads = options.maxThreads;
  select.blockQ = options.blockQ;
  select.blockK = options.blockK;
  std::string tensorCores = options.tensorCores;
  select.tensorCores = tensorCores == "on" || tensorCores == "wgmma" ||
                       (tensorCores == "auto" && options.target == "nvvm");
  // wgmma on sm_90a (GPUTargetInfo::hasWarpgroupMMA); other chips keep
  // mma.sync. `wgmma` asks for it (emulated on SPIR-V).
  select.warpgroupMma =
      tensorCores == "wgmma" ||
      (select.tensorCores && options.target == "nvvm" &&
       GPUTargetInfo::hasWarpgroupMMA(std::string(options.chip)));
  // Ops with empty results fold away; other zero-size dims become dynamic,
  // which the check below reports (launches are sized statically).
  pm.addNestedPass<func::FuncOp>(createAttnZeroExtentsPass());
  AttnGPUCheckMappablePassOptions check;
  check.bf16 = options.target != "spirv";
  pm.addNestedPass<func::FuncOp>(createAttnGPUCheckMappablePass(check));
  pm.addNestedPass<func::FuncOp>(createAttnGPUSelectLoweringConfigPass(select));
  pm.addPass(createAttnEmitCInterfacePass());
  pm.addNestedPass<func::FuncOp>(createAttnConvertToOnlinePass());
  pm.addNestedPass<func::FuncOp>(createAttnConvertToGatherPass());
  // Gathers and composes in tiles of a few queries (many workgroups), the
  // gathers' batches in the forall (one grid).
  GPUTargetInfo target;
  AttnTilePassOptions tile;
  tile.gatherBlockQ = target.gatherBlockQ;
  tile.gatherSerialBatches = false;
  tile.composeBlockQ = target.composeBlockQ;
  tile.dcmhaBlockQ = target.dcmhaBlockQ;
  pm.addNestedPass<func::FuncOp>(createAttnTilePass(tile));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  attn::detail::buildBufferizationPipeline(pm);
  // Tile self-copies go; strided copies on the host become loops.
  pm.addNestedPass<func::FuncOp>(createAttnLowerStridedCopiesPass());
}

/// Tiles onto workgroups, kernels outlined, device buffers around launches.
static void buildMappingPipeline(OpPassManager &pm,
                                 const GPUPipelineOptions &options) {
  // Tensor-core tiles get nvgpu warp products on NVVM, the emulated warp
  // primitives elsewhere.
  if (options.target == "nvvm")
    pm.addNestedPass<func::FuncOp>(createAttnNVGPUMapAttentionPass());
  else
    pm.addNestedPass<func::FuncOp>(createAttnGPUMapAttentionPass(
        {/*emulateWarpgroupMma=*/options.tensorCores == "wgmma"}));
  pm.addNestedPass<func::FuncOp>(createAttnGPUMapGatherPass(
      {options.sharedMemoryBytes, options.maxThreads}));
  pm.addNestedPass<func::FuncOp>(createAttnGPUMapComposePass(
      {options.sharedMemoryBytes, options.maxThreads}));
  pm.addNestedPass<func::FuncOp>(createAttnGPUMapDCMHAPass(
      {options.sharedMemoryBytes, options.maxThreads}));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Subviews fold into the loads and stores of the kernels, so kernels take
  // whole (identity-layout) buffers as bare pointers.
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Constants and index arithmetic are recomputed in kernels rather than
  // passed as arguments.
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createAttnGPUInsertDeviceCopiesPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
}

/// The NVVM leaf: PTX (through LLVM's NVPTX back end) for `options.chip`.
static void buildNVVMDevicePipeline(OpPassManager &pm,
                                    const GPUPipelineOptions &options) {
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  // TMA tensor maps (sm_90a warpgroup mapping) cross into kernels as
  // pointers; their host-side creation becomes mgpuTensorMapEncodeTiledMemref
  // calls.
  pm.addPass(createAttnNVGPUTensorMapArgumentsPass());
  pm.addNestedPass<func::FuncOp>(createConvertNVGPUToNVVMPass());
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  // 16-byte aligned .shared arrays (vector stores, ldmatrix, wgmma).
  device.addPass(createAttnNVGPUAlignWorkgroupBuffersPass());
  device.addPass(createSCFToControlFlowPass());
  device.addPass(createConvertNVGPUToNVVMPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  device.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  device.addPass(createReconcileUnrealizedCastsPass());
}

/// The SPIR-V leaf: OpenCL kernels (Kernel, Addresses, Int64 capabilities).
static void buildSPIRVDevicePipeline(OpPassManager &pm) {
  GpuSPIRVAttachTargetOptions target;
  target.spirvVersion = "v1.0";
  // Int8: i8 masks (attn.attention's i1 masks are stored as bytes).
  target.spirvCapabilities = {"Kernel",  "Addresses", "Int64",
                              "Int8",    "Int16",     "Float16",
                              "Float16Buffer"};
  target.clientApi = "OpenCL";
  pm.addPass(createGpuSPIRVAttachTarget(target));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createAttnSPIRVPrepareKernelsPass());
  // OpenCL's SPIR-V has no exp2: exp2(x) = exp(x ln 2).
  math::MathExpandOpsPassOptions expand;
  expand.opMnemonics = {"exp2"};
  device.addPass(math::createMathExpandOpsPass(expand));
  // floordivsi and ceildivsi (chunk geometry) have no SPIR-V form.
  device.addPass(arith::createArithExpandOpsPass());
  device.addPass(createConvertMathToSPIRVPass());
  // 64-bit indices make the module Physical64 (a spir64 triple), as 64-bit
  // OpenCL devices require. The C++ constructor does not take this option,
  // so the pass is created from its registered textual form.
  registerConvertGPUToSPIRV();
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline("convert-gpu-to-spirv{use-64bit-index=true}",
                               pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("convert-gpu-to-spirv: ") + error);
  OpPassManager &spirvModule =
      pm.nest<gpu::GPUModuleOp>().nest<spirv::ModuleOp>();
  spirvModule.addPass(spirv::createSPIRVLowerABIAttributesPass());
  spirvModule.addPass(spirv::createSPIRVUpdateVCEPass());
}

/// Host functions to the LLVM dialect; launches become `mgpu*` calls.
static void buildHostPipeline(OpPassManager &pm) {
  OpPassManager &host = pm.nest<func::FuncOp>();
  host.addPass(createSCFToControlFlowPass());
  host.addPass(memref::createExpandStridedMetadataPass());
  host.addPass(createLowerAffinePass());
  host.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  GpuToLLVMConversionPassOptions gpu;
  gpu.kernelBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(gpu));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::attn::buildGPUPipeline(OpPassManager &pm,
                                  const GPUPipelineOptions &options) {
  std::string target = options.target;
  if (target != "nvvm" && target != "spirv") {
    detail::addInvalidOptionPass(pm, "invalid --attn-gpu-pipeline target='" +
                                         target + "': expected nvvm or spirv");
    return;
  }
  std::string tensorCores = options.tensorCores;
  if (tensorCores != "auto" && tensorCores != "on" && tensorCores != "off" &&
      tensorCores != "wgmma") {
    detail::addInvalidOptionPass(
        pm, "invalid --attn-gpu-pipeline tensor-cores='" + tensorCores +
                "': expected auto, on, off or wgmma");
    return;
  }
  std::string chip = options.chip;
  if (target == "nvvm" && !llvm::Regex("^sm_[0-9]+[af]?$").match(chip)) {
    detail::addInvalidOptionPass(
        pm, "invalid --attn-gpu-pipeline chip='" + chip +
                "': expected an NVIDIA SM name such as sm_80, sm_90 or sm_90a");
    return;
  }
  if (tensorCores == "wgmma" && target == "spirv") {
    detail::addInvalidOptionPass(
        pm, "--attn-gpu-pipeline tensor-cores=wgmma needs target=nvvm "
            "(chip=sm_90a): "
            "on SPIR-V the emulated warpgroup products need the Vector16 "
            "capability, which the OpenCL route does not support yet");
    return;
  }
  if (tensorCores == "wgmma" && target == "nvvm" &&
      !GPUTargetInfo::hasWarpgroupMMA(std::string(options.chip))) {
    detail::addInvalidOptionPass(
        pm, "--attn-gpu-pipeline tensor-cores=wgmma needs chip=sm_90a, found "
            "chip='" +
                std::string(options.chip) + "'");
    return;
  }
  std::string format = options.format;
  if (format != "isa" && format != "bin" && format != "fatbin" &&
      format != "none") {
    detail::addInvalidOptionPass(
        pm, "invalid --attn-gpu-pipeline format='" + format +
                "': expected isa, bin, fatbin or none");
    return;
  }
  buildTilingPipeline(pm, options);
  buildMappingPipeline(pm, options);
  if (target == "nvvm")
    buildNVVMDevicePipeline(pm, options);
  else
    buildSPIRVDevicePipeline(pm);
  buildHostPipeline(pm);
  if (format != "none") {
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = format;
    if (target == "nvvm") {
      // libdevice is linked from the toolkit (math functions as __nv_*).
      std::string cuda = options.cudaPath;
      if (cuda.empty()) {
        const char *home = std::getenv("CUDA_HOME");
        cuda = home && *home ? home : "/usr/local/cuda";
      }
      binary.toolkitPath = cuda;
    }
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
}
