//===- Runner.h - compile attn modules and run them -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one compile-and-run API that `attn-run` and `attn-compile` share.
// CompiledModule ties the pieces of the runtime together: Compiler.h parses
// a module of `func.func`s (attn ops and upstream tensor ops), records the
// signatures of its public functions (Signature.h) and lowers it with the
// pipeline of the Backend that CompileOptions::target names (Backend.h);
// the backend then loads it for execution on host tensors or emits it
// ahead of time. For the host backend's calling convention see
// HostBackend.h.
//
// This header includes the rest of the runtime API, so that including it
// alone keeps working.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_RUNNER_H
#define ATTN_RUNTIME_RUNNER_H

#include "attn/Runtime/Backend.h"
#include "attn/Runtime/Compiler.h"
#include "attn/Runtime/FlopCount.h"
#include "attn/Runtime/HostTensor.h"
#include "attn/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;

namespace attn {

/// Timings of repeated calls, in milliseconds.
struct BenchmarkResult {
  /// One entry per timed call, in call order.
  std::vector<double> timesMs;
  double min() const;
  double median() const;
  double max() const;
};

/// A module lowered by a backend; loaded for execution (for the host:
/// JIT-compiled) on first use. On the host backend, invoke may run in
/// several threads at once (each call's scratch, workspace and check
/// failures are its own); the other methods are not thread-safe.
class CompiledModule {
public:
  ~CompiledModule();
  CompiledModule(const CompiledModule &) = delete;
  CompiledModule &operator=(const CompiledModule &) = delete;

  /// Verifies `options` (verifyCompileOptions), then parses `source` (MLIR
  /// text; `bufferName` names it in diagnostics) with the attn dialect and
  /// its dependencies registered, records the signatures of its public
  /// functions, and lowers it with the pipeline of the backend that
  /// `options.target` names (lowerModule). Option, parse, verification and
  /// lowering errors are returned, diagnostics with their source locations.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compile(StringRef source, const CompileOptions &options,
          StringRef bufferName = "<source>");

  /// Compiles a module built elsewhere. It is printed and re-parsed into a
  /// context of our own, so `module` itself is left untouched.
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compile(ModuleOp module, const CompileOptions &options);

  /// Reads and compiles the file at `path` ("-" reads stdin).
  static llvm::Expected<std::unique_ptr<CompiledModule>>
  compileFile(StringRef path, const CompileOptions &options);

  /// The public functions, in module order.
  ArrayRef<FunctionSignature> getFunctions() const { return functions; }

  /// The function named `name`, or nullptr.
  const FunctionSignature *lookupFunction(StringRef name) const;

  /// Runs `name` on `inputs` (loading the module on first use) and returns
  /// its results. The inputs are checked against the signature first (see
  /// checkInputs); nothing runs when they do not match.
  llvm::Expected<std::vector<HostTensor>> invoke(StringRef name,
                                                 ArrayRef<HostTensor> inputs);

  /// Calls `name` once to warm up, then `repetitions` more times, timing
  /// each call (results are freed outside the timed region).
  llvm::Expected<BenchmarkResult>
  benchmark(StringRef name, ArrayRef<HostTensor> inputs, unsigned repetitions);

  /// Loads the module into its backend now (for the host: JIT-compiles it);
  /// otherwise the first invoke does. Thread-safe: concurrent first calls
  /// load it once.
  llvm::Error prepareJIT();

  /// Writes the module as `kind` to `path` through the backend
  /// (Backend::emit), atomically: a temporary file is renamed into place,
  /// so a failure leaves no partial output. For the host backend see
  /// emitHostArtifact (AOT.h): with EmitKind::SharedLibrary the header goes
  /// to `<path without extension>.h` (see getCHeader), and each public
  /// function `@f` with a C-identifier name other than `main` is also
  /// exported as the plain symbol `f`.
  llvm::Error emit(EmitKind kind, StringRef path);

  /// The C header for the shared library (emitCHeader in CHeader.h).
  /// `guardName` is the stem used for the include guard.
  std::string getCHeader(StringRef guardName) const;

  /// The lowered module (for the host backend: LLVM dialect).
  ModuleOp getLoweredModule() const;

  /// The stages getIR prints, in pipeline order: "input" (the source module
  /// as parsed and verified, before lowering), "lowered" (after the
  /// backend's pipeline; for the host: the LLVM dialect), "llvm" (optimized
  /// LLVM IR) and "asm" (target assembly).
  static ArrayRef<StringRef> getIRStages();

  /// The module at `stage` (one of getIRStages) as text. "input" re-parses
  /// the source the module was compiled from; "llvm" and "asm" are what
  /// emit writes for EmitKind::LLVMIR and EmitKind::Assembly. Errors: an
  /// unknown stage (listing the stages), or a failure of the backend's
  /// emission.
  llvm::Expected<std::string> getIR(StringRef stage) const;

  /// The backend's report on how it generates code for this module
  /// (Backend::describeCodegen of the source as parsed): for the host, the
  /// CPU features and each attention op's lowering config.
  llvm::Expected<std::string> describeCodegen() const;

  const CompileOptions &getOptions() const { return options; }

  /// The backend the module was lowered for and runs on.
  const Backend &getBackend() const { return *backend; }

private:
  CompiledModule(CompileOptions options, std::unique_ptr<Backend> backend,
                 LoweredModule lowered);

  /// Checks the call and runs `name` once through the executable; with
  /// `results`, copies the results there.
  llvm::Error call(StringRef name, ArrayRef<HostTensor> inputs,
                   std::vector<HostTensor> *results, double *elapsedMs);

  CompileOptions options;
  /// The MLIR text the module was compiled from and its name in
  /// diagnostics (for getIR("input")).
  std::string source;
  std::string bufferName;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> module;
  std::vector<FunctionSignature> functions;
  /// The loaded module; created on first use, destroyed before `module`.
  std::unique_ptr<Executable> executable;
  /// Guards `executable`: the first calls of several threads race to load
  /// the module.
  std::mutex executableMutex;
};

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_RUNNER_H
