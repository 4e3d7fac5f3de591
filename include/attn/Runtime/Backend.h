//===- Backend.h - where lowered modules run --------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The seam between the compiler driver (Compiler.h) and the machines that
// run its output. A Backend owns everything target-specific about a module
// after parsing: which pipeline lowers it, how the lowered module is loaded
// for execution in this process (an Executable that calls functions on
// HostTensors), and which artifacts it can be emitted as. CompiledModule
// (Runner.h) drives one backend, chosen by CompileOptions::target; the
// tools reach backends only through it.
//
// Backends today and next:
//   - "cpu" (HostBackend.h): buildCPUPipeline to the LLVM dialect; an ORC
//     JIT (mlir::ExecutionEngine) calling `_mlir_ciface_<f>` with memref
//     descriptors over the host tensors; LLVM IR, assembly, objects and
//     shared libraries with a C header.
//   - "cuda" (not implemented): a GPU pipeline (not written yet) down to
//     NVVM, with the cubin embedded in the module; Executable::call copies
//     the HostTensors to device memory, launches through the CUDA driver API
//     and copies the results back; EmitKind gains PTX. createBackend already
//     reserves the name ("--target=cuda is not implemented yet").
//   - "opencl" (not implemented): the same GPU pipeline to SPIR-V kernels
//     run through an OpenCL runtime (PoCL on machines without a GPU), with
//     the same Executable contract.
// A new backend is a subclass of Backend plus one case in createBackend
// (Backend.cpp); signatures, input checks, FLOP counts, .npy I/O and the
// tools stay as they are.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_BACKEND_H
#define ATTN_RUNTIME_BACKEND_H

#include "attn/Runtime/Compiler.h"
#include "attn/Runtime/HostTensor.h"
#include "attn/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <vector>

namespace mlir {
class OpPassManager;

namespace attn {

/// What Backend::emit (and CompiledModule::emit) writes.
enum class EmitKind {
  /// The lowered module (for the host: the LLVM dialect), as MLIR text.
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

/// A lowered module loaded for execution in this process by a backend (for
/// the host: JIT-compiled code). It refers to the lowered module it was
/// loaded from, which must outlive it. Not thread-safe.
class Executable {
public:
  virtual ~Executable();

  /// Calls the public function `signature.name` once on `inputs`, which the
  /// caller has checked against `signature` (checkInputs). Inputs are only
  /// read. With `results`, the function's results are appended to it as
  /// dense row-major host tensors; without, they are released unread (for
  /// timing). With `elapsedMs`, the wall time of the call itself (without
  /// argument set-up and result copies) is stored there, in milliseconds.
  /// Errors: the function is missing from the loaded code, the kernel
  /// stopped at a run-time check ("@f stopped at a run-time check: ..."),
  /// or a result's size contradicts the signature.
  virtual llvm::Error call(const FunctionSignature &signature,
                           ArrayRef<HostTensor> inputs,
                           std::vector<HostTensor> *results,
                           double *elapsedMs) = 0;
};

/// A code-generation target and the runtime that executes its code.
class Backend {
public:
  virtual ~Backend();

  /// The name CompileOptions::target (`--target`) selects it by: "cpu".
  virtual StringRef getName() const = 0;

  /// Checks the options only this backend interprets (for the host: `--cpu`
  /// names a CPU that LLVM knows). verifyCompileOptions has checked the
  /// shared ones first. Errors name the option as the tools spell it.
  virtual llvm::Error verifyOptions(const CompileOptions &options) const = 0;

  /// Adds to `pm` (anchored on builtin.module) the passes that lower a
  /// parsed module of graph-level attn and upstream tensor ops into the form
  /// `load` and `emit` take (for the host: buildCPUPipeline, down to the
  /// LLVM dialect).
  virtual void buildLoweringPipeline(OpPassManager &pm,
                                     const CompileOptions &options) const = 0;

  /// Compiles the lowered `module` for execution in this process (for the
  /// host: with the ORC JIT, at -O3, for the host CPU). `module` must
  /// outlive the returned Executable.
  virtual llvm::Expected<std::unique_ptr<Executable>>
  load(ModuleOp module, const CompileOptions &options) const = 0;

  /// Writes the lowered `module`, whose public functions are `functions`,
  /// as `kind` to `path` ("-" = stdout for text kinds), atomically: a
  /// temporary file is renamed into place, so a failure leaves no partial
  /// output. Errors: a kind the backend cannot emit, a path that cannot be
  /// written, a failure of translation, code generation or linking.
  /// A few lines on how the backend will generate code for the parsed,
  /// not yet lowered `module` (attn-run --verbose): for the host, the CPU's
  /// vector features and each attention op's lowering config, the
  /// arithmetic unit among them. `module` is left untouched. Default: "".
  virtual llvm::Expected<std::string>
  describeCodegen(ModuleOp module, const CompileOptions &options) const;

  virtual llvm::Error emit(ModuleOp module,
                           ArrayRef<FunctionSignature> functions,
                           const CompileOptions &options, EmitKind kind,
                           StringRef path) const = 0;
};

/// Creates the backend that `target` names. Errors: "--target=cuda is not
/// implemented yet: only --target=cpu is available" for the reserved name,
/// "invalid --target='<target>': expected cpu" for any other.
llvm::Expected<std::unique_ptr<Backend>> createBackend(StringRef target);

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_BACKEND_H
