//===- TestConvertToOnlinePatterns.cpp - the rewrite patterns ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// -test-attn-convert-to-online-patterns: applies
// populateConvertToOnlinePatterns greedily, as an embedding compiler that
// mixes them into its own pattern set would (-attn-convert-to-online walks
// the ops and calls convertToOnline instead).
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"

#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::attn;

namespace {
struct TestConvertToOnlinePatternsPass
    : public PassWrapper<TestConvertToOnlinePatternsPass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestConvertToOnlinePatternsPass)

  StringRef getArgument() const final {
    return "test-attn-convert-to-online-patterns";
  }
  StringRef getDescription() const final {
    return "Apply populateConvertToOnlinePatterns greedily";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                    tensor::TensorDialect>();
  }

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateConvertToOnlinePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::attn::test::registerTestConvertToOnlinePatternsPass() {
  PassRegistration<TestConvertToOnlinePatternsPass>();
}
