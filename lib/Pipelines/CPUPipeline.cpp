//===- CPUPipeline.cpp - --attn-cpu-pipeline --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// attn ops -> lowering configs -> online_attention -> tiles (scf.forall) ->
// buffers -> vector kernels -> OpenMP -> LLVM dialect. Each step is a pass
// of its own.
//
//===----------------------------------------------------------------------===//

#include "attn/Pipelines/Pipelines.h"

#include "Detail.h"

#include "attn/Codegen/Common/Passes.h"
#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"
#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <optional>
#include <string>
#include <tuple>

using namespace mlir;
using namespace mlir::attn;

/// A lowering config for every attention op: the only pass that sees the
/// target's heuristics and the overrides of the options.
void mlir::attn::buildCPUSelectLoweringConfigPipeline(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  AttnCPUSelectLoweringConfigPassOptions select;
  select.targetCPU = options.targetCPU;
  select.blockQ = options.blockQ;
  select.blockK = options.blockK;
  select.splitKeys = options.splitKeys;
  select.numThreads = options.numThreads;
  select.unit = options.unit;
  select.qkTile.assign(options.qkTile.begin(), options.qkTile.end());
  select.pvTile.assign(options.pvTile.begin(), options.pvTile.end());
  pm.addNestedPass<func::FuncOp>(
      createAttnCPUSelectLoweringConfigPass(select));
}

/// attn ops to tiles of their destination-style forms (online softmax for
/// attention, as their lowering configs say; online_dcmha and tiled_compose
/// for DCMHA; bilinear_gather for sampling). Attention tiles with dynamic
/// head dims (which the vector kernel does not take), or all attention tiles
/// with `decompose-all`, go through the linalg decomposition.
static void buildTilingPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options) {
  // TOSA graphs (as TFLite/ONNX front ends emit them) become linalg, arith
  // and tensor ops first; on modules without TOSA these passes do nothing.
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalgNamed());
  pm.addNestedPass<func::FuncOp>(tosa::createTosaToLinalg());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
  // The unfused DCMHA chain a front end emits becomes attn.dcmha (and
  // without compose, attention), before anything else rewrites its parts.
  pm.addNestedPass<func::FuncOp>(createAttnFuseDCMHAPass());
  pm.addNestedPass<func::FuncOp>(createAttnZeroExtentsPass());
  pm.addNestedPass<func::FuncOp>(createAttnCheckLowerablePass());
  pm.addPass(createAttnEmitCInterfacePass());
  // Elementwise arith/math on tensors (as front ends emit them) become
  // linalg.generic, which bufferizes.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createAttnDecomposeLinalgAggregatesPass());
  // Dynamic loop sizes of the linalg ops around attention are checked when
  // the code runs (the attn ops check their own).
  pm.addNestedPass<func::FuncOp>(createAttnInsertShapeChecksPass());
  AttnVectorizeMatmulsPassOptions matmuls;
  matmuls.targetCPU = options.targetCPU;
  pm.addNestedPass<func::FuncOp>(createAttnVectorizeMatmulsPass(matmuls));
  // Chains of elementwise generics become one generic (a producer with one
  // use is fused into its consumer), then each is threaded and vectorized.
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  AttnVectorizeElementwisePassOptions elementwise;
  elementwise.targetCPU = options.targetCPU;
  pm.addNestedPass<func::FuncOp>(
      createAttnVectorizeElementwisePass(elementwise));
  pm.addNestedPass<func::FuncOp>(createAttnConvertToOnlinePass());
  pm.addNestedPass<func::FuncOp>(createAttnConvertToGatherPass());
  AttnTilePassOptions tile;
  tile.gatherBlockQ = options.gatherBlockQ;
  tile.dcmhaBlockQ = options.dcmhaBlockQ;
  pm.addNestedPass<func::FuncOp>(createAttnTilePass(tile));
  AttnDecomposePassOptions decompose;
  decompose.dynamicHeadDimsOnly = !options.decomposeAll;
  decompose.maxKernelHeadDim = CPUTargetInfo::kMaxHeadDim;
  pm.addNestedPass<func::FuncOp>(createAttnDecomposePass(decompose));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Tiles to vector kernels, threads, and polynomial math.
static void buildKernelPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options) {
  // Sizes and tiles come from each op's config; the target gives the vector
  // width and the primitives.
  ConvertAttnToVectorPassOptions vector;
  vector.targetCPU = options.targetCPU;
  vector.dcmhaBlockQ = options.dcmhaBlockQ;
  pm.addNestedPass<func::FuncOp>(createConvertAttnToVectorPass(vector));
  // Strided copies become loops rather than calls of memrefCopy, which a
  // deployed library could not link.
  pm.addNestedPass<func::FuncOp>(createAttnLowerStridedCopiesPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Results sized by the inputs: a failed malloc is an error, not a write
  // through null (before the foralls become OpenMP regions).
  pm.addNestedPass<func::FuncOp>(createAttnCheckAllocationsPass());
  // A model graph's intermediates in a workspace kept between calls (after
  // the allocation checks, which it must not lie across).
  pm.addPass(createAttnTransientWorkspacePass());
  if (options.numThreads == 1) {
    pm.addNestedPass<func::FuncOp>(createAttnForallToSerialLoopsPass());
  } else {
    pm.addPass(createForallToParallelLoopPass());
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createAttnApproximateMathPass());
}

/// Everything left in standard dialects down to the LLVM dialect.
static void buildLowerToLLVMPipeline(OpPassManager &pm,
                                     const CPUPipelineOptions &options) {
  // Multi-dimensional transfers (the matmul tiles' C, A and B) unroll into
  // 1-D ones; the default goes through a stack buffer per transfer, and
  // such allocas inside loops grew the stack until it overflowed.
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // Masked transfers wider than a register in register-wide pieces (works
  // around an LLVM 22 X86 back-end bug that loads a split masked load's
  // all-false half unmasked).
  AttnSplitMaskedTransfersPassOptions split;
  split.targetCPU = options.targetCPU;
  pm.addNestedPass<func::FuncOp>(createAttnSplitMaskedTransfersPass(split));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vec;
  vec.reassociateFPReductions = true;
  // The matmul tiles of -attn-vectorize-matmuls are vector.contracts.
  vec.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  // The kernels use AVX-512 intrinsics (vscalefps) where the target has them.
  vec.x86Vector = true;
  // The attention kernel's AMX unit (amx tile ops; LLVM configures the
  // tiles, ldtilecfg, from their shapes).
  vec.amx = true;
  pm.addPass(createConvertVectorToLLVMPass(vec));
  // memref before scf: memref.alloca_scope (the kernels' per-tile scratch)
  // must become stacksave/stackrestore while its region is still one block.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

/// The first option of `options` that buildCPUPipeline cannot accept, as a
/// message naming it; std::nullopt when all are valid. (The lowering-config
/// overrides are checked where they are used, by
/// -attn-cpu-select-lowering-config.)
static std::optional<std::string>
findInvalidOption(const CPUPipelineOptions &options) {
  for (auto [name, value, min, max] :
       {std::tuple<StringRef, int64_t, int64_t, int64_t>{
            "num-threads", options.numThreads, 0, kMaxThreads},
        {"gather-block-q", options.gatherBlockQ, 1, kMaxGatherBlock},
        {"dcmha-block-q", options.dcmhaBlockQ, 1, kMaxDCMHABlock}})
    if (value < min || value > max)
      return ("invalid --attn-cpu-pipeline " + name + "=" + Twine(value) +
              ": expected " + Twine(min) + " to " + Twine(max) +
              (name == "num-threads" ? " (0 = OpenMP's default)" : ""))
          .str();
  StringRef cpu = options.targetCPU;
  if (!cpu.empty() && cpu != "native" &&
      llvm::X86::parseArchX86(cpu) == llvm::X86::CK_None)
    return ("invalid --attn-cpu-pipeline target-cpu='" + cpu +
            "': expected 'native' or an x86 CPU name LLVM knows, such as "
            "'x86-64-v3', 'skylake-avx512', 'sapphirerapids' or 'znver4'")
        .str();
  return std::nullopt;
}

void mlir::attn::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  if (std::optional<std::string> message = findInvalidOption(options)) {
    detail::addInvalidOptionPass(pm, std::move(*message));
    return;
  }
  buildCPUSelectLoweringConfigPipeline(pm, options);
  buildTilingPipeline(pm, options);
  detail::buildBufferizationPipeline(pm);
  buildKernelPipeline(pm, options);
  buildLowerToLLVMPipeline(pm, options);
}

void mlir::attn::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "attn-cpu-pipeline",
      "Lower attn ops and the upstream tensor ops around them to the LLVM "
      "dialect for a host CPU (tiled online softmax, vector code, OpenMP)",
      buildCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "attn-gpu-pipeline",
      "Lower attention ops to GPU kernels (NVVM PTX/cubin or OpenCL SPIR-V) "
      "and host code in the LLVM dialect that launches them",
      buildGPUPipeline);
}
