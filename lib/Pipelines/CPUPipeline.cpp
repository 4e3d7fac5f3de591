//===- CPUPipeline.cpp - --attn-cpu-pipeline --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// attn ops -> online_attention -> tiles (scf.forall) -> buffers -> vector
// kernels -> OpenMP -> LLVM dialect. Each step is a pass of its own.
//
//===----------------------------------------------------------------------===//

#include "attn/Pipelines/Pipelines.h"

#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::attn;

/// attn ops to tiles of the destination-style online-softmax form.
/// Tiles with dynamic head dims (which the vector kernel does not take), or
/// all tiles with `decompose-all`, go through the linalg decomposition.
static void buildTilingPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options,
                                const CPUTargetInfo &target) {
  pm.addNestedPass<func::FuncOp>(createAttnCheckLowerablePass());
  pm.addPass(createAttnEmitCInterfacePass());
  // Elementwise arith/math on tensors (as front ends emit them) become
  // linalg.generic, which bufferizes.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addNestedPass<func::FuncOp>(createAttnVectorizeMatmulsPass());
  pm.addNestedPass<func::FuncOp>(createAttnConvertToOnlinePass());
  pm.addNestedPass<func::FuncOp>(createAttnTilePass(AttnTilePassOptions{
      target.blockQ, target.blockQDense, options.splitKeys}));
  pm.addNestedPass<func::FuncOp>(createAttnDecomposePass(
      AttnDecomposePassOptions{/*dynamicHeadDimsOnly=*/!options.decomposeAll,
                               /*blockK=*/target.blockK}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Tensors to buffers, whole-module (function boundaries included).
static void buildBufferizationPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions opts;
  opts.bufferizeFunctionBoundaries = true;
  opts.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(opts));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Returned arguments and constants leave bufferization.clone behind.
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// Tiles to vector kernels, threads, and polynomial math.
static void buildKernelPipeline(OpPassManager &pm,
                                const CPUPipelineOptions &options,
                                const CPUTargetInfo &target) {
  pm.addNestedPass<func::FuncOp>(createConvertAttnToVectorPass(
      ConvertAttnToVectorPassOptions{options.targetCPU, target.blockQ,
                                     target.blockQDense, target.blockK,
                                     // Register tiles: the pass applies
                                     // the overrides to its target info.
                                     options.qkRows, options.qkVectors,
                                     options.pvRows, options.pvVectors}));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
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
static void buildLowerToLLVMPipeline(OpPassManager &pm) {
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  ConvertVectorToLLVMPassOptions vec;
  vec.reassociateFPReductions = true;
  // The matmul tiles of -attn-vectorize-matmuls are vector.contracts.
  vec.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  // The kernels use AVX-512 intrinsics (vscalefps) where the target has them.
  vec.x86Vector = true;
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

void mlir::attn::buildCPUPipeline(OpPassManager &pm,
                                  const CPUPipelineOptions &options) {
  CPUTargetInfo target = CPUTargetInfo::get(options.targetCPU);
  if (options.blockQ > 0)
    target.blockQ = target.blockQDense = options.blockQ;
  if (options.blockK > 0)
    target.blockK = options.blockK;
  buildTilingPipeline(pm, options, target);
  buildBufferizationPipeline(pm);
  buildKernelPipeline(pm, options, target);
  buildLowerToLLVMPipeline(pm);
}

void mlir::attn::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "attn-cpu-pipeline",
      "Lower attn ops and the upstream tensor ops around them to the LLVM "
      "dialect for a host CPU (tiled online softmax, vector code, OpenMP)",
      buildCPUPipeline);
}
