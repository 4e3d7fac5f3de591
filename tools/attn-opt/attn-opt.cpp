//===- attn-opt.cpp - mlir-opt for the attn dialect -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// An mlir-opt-style driver: the attn dialect and passes plus the upstream
// dialects, passes and pipelines that lowering model graphs needs, and the
// test passes of test/lib (-test-attn-*).
//
//===----------------------------------------------------------------------===//

#include "attn/InitAllDialects.h"
#include "attn/InitAllPasses.h"
#include "attn/Support/Version.h"

#include "TestPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::attn::registerAllPasses();
  mlir::attn::test::registerTestPasses();
  mlir::DialectRegistry registry;
  mlir::attn::registerAllDialects(registry);
  // gpu-module-to-binary (--attn-gpu-pipeline) translates device modules.
  mlir::registerAllToLLVMIRTranslations(registry);
  llvm::cl::SetVersionPrinter(
      [](llvm::raw_ostream &os) { mlir::attn::printVersion(os); });
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "attn-mlir optimizer driver\n", registry));
}
