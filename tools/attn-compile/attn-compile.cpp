//===- attn-compile.cpp - ahead-of-time compiler for attn -------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// `attn-compile model.mlir -o model.so` lowers every public `func.func` with
// the CPU pipeline and writes a shared library exporting `_mlir_ciface_<f>`
// and `<f>` (MLIR's C interface: memref descriptors; they return 0, or
// non-zero with a message for `attn_last_error()`) plus `model.h` next to
// it, and copies the LLVM run-time libraries it needs (libomp.so.5) there
// too. `--emit=mlir|llvm|asm|obj` stops earlier. See docs/Runtime.md,
// "Deploying a shared library".
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/AOT.h"
#include "attn/Runtime/CHeader.h"
#include "attn/Runtime/CompileOptionsCL.h"
#include "attn/Runtime/Runner.h"
#include "attn/Support/Progress.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::attn;
namespace cl = llvm::cl;

static cl::OptionCategory category("attn-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir file>"),
                                      cl::cat(category));

static cl::opt<std::string>
    outputFile("o", cl::desc("Output file (default: stdout for text kinds)"),
               cl::value_desc("file"), cl::init("-"), cl::cat(category));

static cl::opt<std::string>
    emitKind("emit",
             cl::desc("What to write: mlir (LLVM dialect), llvm (LLVM IR), "
                      "asm, obj or so (shared library + header; default); "
                      "for --target=cuda mlir or ptx (= asm)"),
             cl::value_desc("kind"), cl::init("so"), cl::cat(category));

static cl::opt<std::string>
    target("target", cl::desc("Code generation target: cpu (the default), "
                           "opencl (SPIR-V kernels + host code) or cuda "
                           "(PTX kernels + host code; docs/gpu.md)"),
           cl::value_desc("target"), cl::init("cpu"), cl::cat(category));

static cl::opt<bool> bundleRuntime(
    "bundle-runtime",
    cl::desc("With --emit=so, copy the LLVM run-time libraries the library "
             "needs (libomp.so.5) next to it, where its $ORIGIN RUNPATH finds "
             "them (default: true; false: they come from the system's "
             "library path)"),
    cl::init(true), cl::cat(category));

static cl::opt<bool>
    verbose("verbose",
            cl::desc("Print how the code is generated (on stderr): the "
                     "CPU's vector features and each attention op's "
                     "lowering config with its arithmetic unit (f32, "
                     "bf16_dot, ...)"),
            cl::init(false), cl::cat(category));

static CompileOptionsCL
    compileFlags(category,
                 "CPU to generate code for: native (this machine's CPU and all "
                 "its extensions; the default) or an LLVM CPU name, such as "
                 "x86-64-v3 (AVX2) or x86-64-v4 (AVX-512) for a library that "
                 "runs on other machines");

static constexpr StringLiteral kToolName = "attn-compile";

static int fail(const Twine &message) {
  return reportToolError(kToolName, inputFile, message);
}
static int fail(llvm::Error error) {
  return reportToolError(kToolName, inputFile, std::move(error));
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerToolCLOptions(category);
  parseToolCommandLine(
      argc, argv,
      "attn-mlir ahead-of-time compiler\n\n"
      "  attn-compile model.mlir -o model.so   (writes model.so + model.h)\n");

  if (emitKind == "ptx" && target != "cuda")
    return fail("--emit=ptx needs --target=cuda");
  std::optional<EmitKind> kind =
      emitKind == "ptx" ? EmitKind::Assembly : parseEmitKind(emitKind);
  if (!kind)
    return fail("invalid --emit='" + emitKind +
                "': expected mlir, llvm, asm, obj, so, or ptx with "
                "--target=cuda");
  bool binary = *kind == EmitKind::Object || *kind == EmitKind::SharedLibrary;
  if (binary && outputFile == "-")
    return fail("--emit=" + emitKind +
                " writes a binary file: give its name with -o <file>");

  CompileOptions options = compileFlags.get();
  options.target = target;
  if (llvm::Error error = verifyCompileOptions(options))
    return fail(llvm::toString(std::move(error)));

  ProgressNotice progress("attn-compile", "compiling " + inputFile);
  auto compiled = CompiledModule::compileFile(inputFile, options);
  if (!compiled)
    return fail(compiled.takeError());
  if (verbose)
    if (llvm::Error error = printCodegenReport("attn-compile", **compiled))
      return fail(std::move(error));
  // Public functions that do not become what SPEC section 2 promises (an
  // exported C function `<f>` declared in the header) are named on stderr.
  if (*kind != EmitKind::MLIR) {
    for (const FunctionSignature &signature : (*compiled)->getFunctions()) {
      StringRef name = signature.name;
      if (!signature.unsupportedReason.empty())
        llvm::WithColor::warning(llvm::errs(), kToolName)
            << "@" << name << " is not declared in the header and has no "
            << "status-returning entry point: " << signature.unsupportedReason
            << "\n";
      else if (std::string conflict =
                   getPlainSymbolConflict(name, (*compiled)->getFunctions());
               !conflict.empty() && name != "main")
        llvm::WithColor::warning(llvm::errs(), kToolName)
            << "@" << name << " is exported as _mlir_ciface_" << name
            << " only, not as `" << name << "`: " << conflict << "\n";
    }
  }
  if (llvm::Error error = (*compiled)->emit(*kind, outputFile))
    return fail(std::move(error));
  if (*kind == EmitKind::SharedLibrary && bundleRuntime) {
    auto bundled = bundleRuntimeLibraries(outputFile);
    if (!bundled) {
      // No partial output: the library would not load without them.
      SmallString<256> header(outputFile);
      llvm::sys::path::replace_extension(header, "h");
      llvm::sys::fs::remove(outputFile);
      llvm::sys::fs::remove(header);
      return fail(bundled.takeError());
    }
  }
  return 0;
}
