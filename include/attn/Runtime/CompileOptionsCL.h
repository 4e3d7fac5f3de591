//===- CompileOptionsCL.h - code-generation flags of the tools --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_COMPILEOPTIONSCL_H
#define ATTN_RUNTIME_COMPILEOPTIONSCL_H

#include "attn/Runtime/Compiler.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::attn {
class CompiledModule;

/// The code-generation flags that attn-run and attn-compile share
/// (`--cpu`, `--num-threads`, `--block-q`, `--block-k`, `--split-keys`,
/// `--unit`, `--decompose-all`, `--gpu-*`),
/// registered in `category` on construction, in the way MLIR's
/// PassPipelineCLParser registers its flags. Construct one before
/// llvm::cl::ParseCommandLineOptions.
class CompileOptionsCL {
public:
  /// `cpuHelp` describes `--cpu` for the tool (the JIT ignores it for code
  /// emission, attn-compile does not).
  CompileOptionsCL(llvm::cl::OptionCategory &category, llvm::StringRef cpuHelp);

  /// The parsed flags as CompileOptions (target and entry points left at
  /// their defaults); check them with verifyCompileOptions.
  CompileOptions get() const;

private:
  // In the order of the constructor's initializers.
  llvm::cl::opt<std::string> cpu;
  llvm::cl::opt<int64_t> numThreads, blockQ, blockK, gatherBlockQ,
      dcmhaBlockQ, splitKeys;
  llvm::cl::opt<std::string> unit;
  llvm::cl::opt<bool> decomposeAll;
  llvm::cl::opt<std::string> gpuTensorCores, gpuChip;
};

/// Prints `message` as an error of the tool `toolName` on stderr and returns
/// 1, the tools' exit status for errors. MLIR diagnostics, which start with
/// the input file's location (`inputFile:`), are printed unchanged.
/// The command-line set-up every tool shares, before parsing: MLIR's
/// context, printer, pass-manager (IR printing) and timing (`--mlir-timing`)
/// options; `--help` shows `category` and MLIR's `--mlir-*` options and
/// hides the rest of LLVM's; `--version` prints the project's version and
/// commit (attn/Support/Version.h).
void registerToolCLOptions(llvm::cl::OptionCategory &category);

/// cl::ParseCommandLineOptions with the tools' error style: a bad flag is
/// reported as `<tool>: error: ...` (LLVM's parser prints no `error:`) and
/// exits with status 1.
void parseToolCommandLine(int argc, const char *const *argv,
                          llvm::StringRef overview);

int reportToolError(llvm::StringRef toolName, llvm::StringRef inputFile,
                    const llvm::Twine &message);
/// The same for an llvm::Error (consumed).
int reportToolError(llvm::StringRef toolName, llvm::StringRef inputFile,
                    llvm::Error error);

/// `--verbose`: prints `module`'s code-generation report
/// (CompiledModule::describeCodegen) on stderr, each line prefixed with
/// `<toolName>: `.
llvm::Error printCodegenReport(llvm::StringRef toolName,
                               const CompiledModule &module);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_COMPILEOPTIONSCL_H
