//===- Detail.cpp - pipeline steps shared by every target -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "Detail.h"

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

/// Tensors to buffers, whole-module (function boundaries included).
void mlir::attn::detail::buildBufferizationPipeline(OpPassManager &pm) {
  // Ops without a bufferization model stop here with an error naming them.
  pm.addNestedPass<func::FuncOp>(createAttnCheckBufferizablePass());
  bufferization::OneShotBufferizePassOptions opts;
  opts.bufferizeFunctionBoundaries = true;
  opts.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Tensors carried through scf.for/scf.while may yield new buffers (each
  // iteration's result), which the deallocation pipeline then frees.
  opts.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(opts));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Returned arguments and constants leave bufferization.clone behind.
  pm.addPass(createConvertBufferizationToMemRefPass());
}

