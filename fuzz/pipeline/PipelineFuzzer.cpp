//===- PipelineFuzzer.cpp - libFuzzer target: parse, verify, CPU pipeline -===//
//
// Part of the attn-mlir project.
//
// Feeds each input to the MLIR parser with every dialect attn-opt knows,
// verifies what parses, and runs what verifies through --attn-cpu-pipeline
// down to the LLVM dialect (no machine code, no execution). Diagnostics are
// swallowed: a fuzz input is expected to be rejected; what must never
// happen is a crash, an assertion, a sanitizer report or a hang. Each input
// gets a fresh MLIRContext, so that a finding reproduces from its file
// alone (`attn-pipeline-fuzzer crash-<hash>` or `attn-opt
// --attn-cpu-pipeline crash-<hash>`). Built with -DATTN_BUILD_FUZZERS=ON;
// scripts/fuzz.sh builds, seeds and runs it (docs/Fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "attn/InitAllDialects.h"
#include "attn/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  DialectRegistry registry;
  attn::registerAllDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading();
  ScopedDiagnosticHandler swallow(&context,
                                  [](Diagnostic &) { return success(); });
  // NUL-terminated, as the tools' inputs are (llvm::MemoryBuffer): MLIR's
  // lexer looks one character past the end of the text (found by this
  // target: heap-buffer-overflow reads in OperationName's copy of an op
  // name at the very end of a raw libFuzzer buffer).
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return 0;
  PassManager pm(&context);
  attn::CPUPipelineOptions options;
  // One thread: no OpenMP in the IR, and the smallest pipeline that still
  // runs every attn pass.
  options.numThreads = 1;
  attn::buildCPUPipeline(pm, options);
  (void)pm.run(*module);
  return 0;
}
