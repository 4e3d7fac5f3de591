//===- Runner.h - compile attn modules and run them on the host -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one compile-and-run API that `attn-run`, `attn-compile` and the Python
// bindings share. A module of `func.func`s (attn ops and upstream tensor ops)
// is parsed, lowered by `buildCPUPipeline` to the LLVM dialect, and then
// either JIT-compiled and called on host tensors, or emitted for
// ahead-of-time use (MLIR, LLVM IR, assembly, an object or a shared library
// with a C header).
//
// Calling convention (MLIR's C interface): every public function `@f` gets
// `void _mlir_ciface_f([Results *out,] Memref *arg0, Memref *arg1, ...)`,
// where a ranked tensor of rank R and element T becomes the descriptor
// `struct { T *allocated; T *aligned; int64_t offset; int64_t sizes[R];
// int64_t strides[R]; }`. With one result, `out` points to its descriptor;
// with several, to a struct of descriptors in result order; with none there
// is no `out`. Results are buffers malloc'ed by the kernel, owned by the
// caller (release with free(out->allocated)). Arguments are only read:
// lowering marks them `bufferization.writable = false`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_RUNNER_H
#define ATTN_RUNTIME_RUNNER_H

#include "attn/Runtime/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class MLIRContext;
namespace func {
class FuncOp;
} // namespace func

namespace attn {

//===----------------------------------------------------------------------===//
// Options and signatures
//===----------------------------------------------------------------------===//

/// How to compile a module.
struct CompileOptions {
  /// Code generation target; only "cpu" is implemented ("cuda" is reserved).
  std::string target = "cpu";
  /// CPU to generate code for: "native" (the host, with its features) or an
  /// LLVM CPU name such as "sapphirerapids", "znver4", "x86-64-v3". The JIT
  /// always runs host code: there the name only steers the pipeline's tiling
  /// and vector-width choices.
  std::string cpu = "native";
  /// Threads of the parallel tile loop (0 = OpenMP default, 1 = serial).
  int64_t numThreads = 0;
  /// Query rows per tile / keys per inner block (0 = chosen per target).
  int64_t blockQ = 0;
  int64_t blockK = 0;
  /// Lower attention tiles through the portable linalg decomposition instead
  /// of the vector kernel (the pipeline's `decompose-all`; for testing).
  bool decomposeAll = false;
  /// Public functions to compile; empty = all of them. Other public
  /// functions become private and are dropped unless called, which saves
  /// compile time when only one function of a large module will run.
  SmallVector<std::string> entryPoints;
};

/// Checks `options` (target, CPU name, non-negative sizes). The error names
/// the offending option as the tools and the pipeline spell it
/// (`invalid --block-q=-8: expected ...`), so tools print it as it is.
llvm::Error verifyCompileOptions(const CompileOptions &options);

/// One argument or result of a function: a ranked tensor type.
struct TensorSpec {
  ElementType elementType = ElementType::F32;
  /// Sizes; ShapedType::kDynamic (negative) for `?`.
  SmallVector<int64_t, 4> shape;

  /// "tensor<2x?x64xf32>".
  std::string str() const;
};

/// The tensor signature of a public function, recorded before lowering.
struct FunctionSignature {
  std::string name;
  SmallVector<TensorSpec> arguments;
  SmallVector<TensorSpec> results;
  /// Non-empty when some argument or result is not a ranked tensor of a
  /// supported element type: the reason, naming it. Such a function can be
  /// emitted but not invoked from the host API.
  std::string unsupportedReason;
  /// FLOPs of one call when known (see countFlops).
  std::optional<double> flops;
};

/// Records the signature of `func`.
FunctionSignature getFunctionSignature(func::FuncOp func);

/// Checks `inputs` against `signature` before anything runs: the number of
/// inputs, each element type and each static dimension (dynamic `?`
/// dimensions take the input's size). Errors name the function, the
/// argument index, what was expected and what was found. When given,
/// `inputNames` (one per input, e.g. the .npy file) are quoted too.
llvm::Error checkInputs(const FunctionSignature &signature,
                        ArrayRef<HostTensor> inputs,
                        ArrayRef<std::string> inputNames = {});

/// FLOPs of one call of `func`: the sum over its `attn.attention` and
/// `attn.sliding_window_attention` ops of (number of visible (query, key)
/// pairs, counting causal, window and chunk restrictions but not masks)
/// * 2 * (D + Dv) * B * Hq, plus 2 * (iteration space) for each linalg
/// contraction (matmul, batch_matmul, ...). Elementwise and data-movement
/// ops count as free. std::nullopt when the function holds no counted op,
/// another attn op, or a dynamic dimension in a counted op.
std::optional<double> countFlops(func::FuncOp func);

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

/// Creates a context with what CompiledModule uses registered: the attn
/// dialect and its dependencies (registerAllDialects) and the LLVM IR
/// translations.
std::unique_ptr<MLIRContext> createRuntimeContext();

/// Reads and parses the MLIR file at `path` ("-" reads stdin) into `context`
/// without lowering it (for example for the reference evaluator). Read,
/// parse and verifier errors come back in the error, MLIR diagnostics with
/// their source locations and lines.
llvm::Expected<OwningOpRef<ModuleOp>> parseModuleFile(StringRef path,
                                                      MLIRContext &context);

//===----------------------------------------------------------------------===//
// CompiledModule
//===----------------------------------------------------------------------===//

/// What `CompiledModule::emit` writes.
enum class EmitKind {
  /// The lowered module in the LLVM dialect (MLIR text).
  MLIR,
  /// Optimized LLVM IR (text).
  LLVMIR,
  /// Target assembly.
  Assembly,
  /// A relocatable object file (position-independent).
  Object,
  /// A shared library plus a C header `<stem>.h` next to it.
  SharedLibrary,
};

/// Parses "mlir", "llvm", "asm", "obj" or "so".
std::optional<EmitKind> parseEmitKind(StringRef name);

/// Timings of repeated calls, in milliseconds.
struct BenchmarkResult {
  /// One entry per timed call, in call order.
  std::vector<double> timesMs;
  double min() const;
  double median() const;
  double max() const;
};

/// A module lowered for the CPU; JIT-compiled on first use. Not thread-safe.
class CompiledModule {
public:
  ~CompiledModule();
  CompiledModule(const CompiledModule &) = delete;
  CompiledModule &operator=(const CompiledModule &) = delete;

  /// Parses `source` (MLIR text; `bufferName` names it in diagnostics) with
  /// the attn dialect and its dependencies registered, records the
  /// signatures of its public functions, and lowers it with
  /// `buildCPUPipeline`. Parse, verification and lowering diagnostics are
  /// returned in the error, with their source locations.
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

  /// Runs `name` on `inputs` (JIT-compiling the module on first use) and
  /// returns its results. The inputs are checked against the signature
  /// first (see checkInputs); nothing runs when they do not match.
  llvm::Expected<std::vector<HostTensor>> invoke(StringRef name,
                                                 ArrayRef<HostTensor> inputs);

  /// Calls `name` once to warm up, then `repetitions` more times, timing
  /// each call (results are freed outside the timed region).
  llvm::Expected<BenchmarkResult>
  benchmark(StringRef name, ArrayRef<HostTensor> inputs, unsigned repetitions);

  /// JIT-compiles the module now (otherwise the first invoke does).
  llvm::Error prepareJIT();

  /// Writes the module as `kind` to `path`, atomically (a temporary file is
  /// renamed into place, so a failure leaves no partial output). For
  /// EmitKind::SharedLibrary the header goes to `<path without extension>.h`
  /// (see getCHeader). In the LLVM IR, assembly, object and shared library,
  /// each public function `@f` with a C-identifier name other than `main`
  /// is also exported as the plain symbol `f`, an alias of
  /// `_mlir_ciface_f` with the same signature.
  llvm::Error emit(EmitKind kind, StringRef path);

  /// The C header for the shared library: include guards, <stdint.h>, one
  /// descriptor struct per (rank, element type) used,
  /// `attn_memref_<R>d_<elt>` (element pointers: float for f32, double for
  /// f64, uint16_t holding the bits for f16 and bf16, uint8_t for i1,
  /// intN_t for iN), a result struct `<f>_results` for functions with
  /// several results, and for each public function the declarations of
  /// `_mlir_ciface_<f>` and of the plain alias `<f>`. `guardName` is the
  /// stem used for the include guard.
  std::string getCHeader(StringRef guardName) const;

  /// The lowered module (LLVM dialect).
  ModuleOp getLoweredModule() const;

  const CompileOptions &getOptions() const { return options; }

private:
  CompiledModule();

  struct Invocation;
  /// Checks, lays out descriptors for and calls `name`; fills `invocation`.
  llvm::Error call(StringRef name, ArrayRef<HostTensor> inputs,
                   Invocation &invocation, double *elapsedMs);

  CompileOptions options;
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> module;
  std::vector<FunctionSignature> functions;
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_RUNNER_H
