//===- TestAttnToVectorCleanup.cpp - kernel cleanup patterns ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// -test-attn-to-vector-cleanup-patterns="target-cpu=<cpu>": applies
// populateAttnToVectorCleanupPatterns (the lowering of the K^T packing's
// vector.transpose ops for the target) greedily on their own, so the
// transposes can be tested without generating a whole kernel.
//
//===----------------------------------------------------------------------===//

#include "TestPasses.h"

#include "attn/Codegen/LLVMCPU/AttnToVector.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::attn;

namespace {
struct TestAttnToVectorCleanupPatternsPass
    : public PassWrapper<TestAttnToVectorCleanupPatternsPass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(
      TestAttnToVectorCleanupPatternsPass)

  TestAttnToVectorCleanupPatternsPass() = default;
  TestAttnToVectorCleanupPatternsPass(
      const TestAttnToVectorCleanupPatternsPass &pass)
      : PassWrapper(pass) {}

  StringRef getArgument() const final {
    return "test-attn-to-vector-cleanup-patterns";
  }
  StringRef getDescription() const final {
    return "Apply populateAttnToVectorCleanupPatterns greedily for a target";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    // The AVX2 8x8 transpose blends through inline asm.
    registry.insert<LLVM::LLVMDialect, vector::VectorDialect,
                    x86vector::X86VectorDialect>();
  }

  Option<std::string> targetCPU{
      *this, "target-cpu",
      llvm::cl::desc("LLVM CPU to lower for (e.g. haswell, skylake-avx512; "
                     "'native' = host)"),
      llvm::cl::init("haswell")};

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateAttnToVectorCleanupPatterns(patterns,
                                        CPUTargetInfo::get(targetCPU));
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::attn::test::registerTestAttnToVectorCleanupPatternsPass() {
  PassRegistration<TestAttnToVectorCleanupPatternsPass>();
}
