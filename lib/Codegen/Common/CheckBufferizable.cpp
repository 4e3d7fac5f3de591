//===- CheckBufferizable.cpp - reject ops bufferization cannot take -------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCHECKBUFFERIZABLEPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;

/// Whether `op` has a tensor operand or result.
static bool touchesTensors(Operation *op) {
  auto isTensor = [](Type type) { return isa<TensorType>(type); };
  return llvm::any_of(op->getOperandTypes(), isTensor) ||
         llvm::any_of(op->getResultTypes(), isTensor);
}

namespace {
struct AttnCheckBufferizablePass
    : public mlir::attn::impl::AttnCheckBufferizablePassBase<
          AttnCheckBufferizablePass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](Operation *op) {
      if (!touchesTensors(op) ||
          isa<bufferization::BufferizableOpInterface>(op) ||
          isa<bufferization::ToTensorOp, bufferization::ToBufferOp>(op))
        return WalkResult::advance();
      op->emitOpError("is not supported by --attn-cpu-pipeline: it has no "
                      "bufferization model, so one-shot-bufferize cannot "
                      "lower it (rejected by -attn-check-bufferizable); "
                      "the reference evaluator may still run it "
                      "(attn-run --backend=reference)");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
