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
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

namespace {
/// Stops the pipeline with `message` (see addInvalidOptionPass).
struct InvalidOptionPass
    : public PassWrapper<InvalidOptionPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InvalidOptionPass)
  explicit InvalidOptionPass(std::string message)
      : message(std::move(message)) {}
  StringRef getArgument() const override { return "attn-invalid-option"; }
  void runOnOperation() override {
    // At the module's location, without printing the module.
    mlir::emitError(getOperation().getLoc(), message);
    signalPassFailure();
  }
  std::string message;
};
} // namespace

void mlir::attn::detail::addInvalidOptionPass(OpPassManager &pm,
                                              std::string message) {
  pm.addPass(std::make_unique<InvalidOptionPass>(std::move(message)));
}

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

