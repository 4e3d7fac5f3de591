//===- Compiler.h - parse attn modules and lower them -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The compiler driver of the runtime: options, the MLIR context, reading and
// parsing a module, recording the signatures of its public functions and
// running the lowering pipeline of the Backend that `CompileOptions::target`
// names. What happens to the lowered module (JIT, emission) is the
// backend's business (Backend.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_COMPILER_H
#define ATTN_RUNTIME_COMPILER_H

#include "attn/Pipelines/Pipelines.h"
#include "attn/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;

namespace attn {
class Backend;

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// How to compile a module.
struct CompileOptions {
  /// The backend (createBackend): "cpu" is implemented ("cuda" is reserved).
  std::string target = "cpu";
  /// CPU to generate code for: "native" (the host, with its features) or an
  /// LLVM CPU name such as "sapphirerapids", "znver4", "x86-64-v3". The JIT
  /// always runs host code: there the name steers the pipeline's tiling,
  /// vector width and units, and a CPU with vector features the host lacks
  /// is refused when the module is loaded.
  std::string cpu = "native";
  /// Threads of the parallel tile loop (0 = OpenMP default, 1 = serial).
  int64_t numThreads = 0;
  /// Query rows per tile / keys per inner block (0 = chosen per target).
  int64_t blockQ = 0;
  int64_t blockK = 0;
  /// Queries per tile of the sampling ops' gathers (0 = chosen per target).
  int64_t gatherBlockQ = 0;
  /// Query rows per tile of DCMHA (0 = chosen per target).
  int64_t dcmhaBlockQ = 0;
  /// Key splits of attention (flash-decoding): 0 = chosen per op (decode
  /// shapes only), 1 = never, N > 1 = N splits for every op.
  int64_t splitKeys = 0;
  /// CPU: the arithmetic of bf16 attention's products ("auto": bf16_dot
  /// where the CPU has AVX512-BF16, else f32; "f32", "bf16_dot",
  /// "bf16_dot_emulated", "amx", "amx_emulated"; #attn.lowering_config's
  /// `unit`).
  std::string unit = "auto";
  /// Lower attention tiles through the portable linalg decomposition instead
  /// of the vector kernel (the pipeline's `decompose-all`; for testing).
  bool decomposeAll = false;
  /// GPU targets: f16/bf16 attention on tensor cores ("auto": cuda yes,
  /// opencl no; "on": on opencl, emulated in workgroup memory; "off").
  std::string gpuTensorCores = "auto";
  /// The cuda target's GPU, an NVIDIA SM name such as "sm_80", "sm_90" or
  /// "sm_90a" ("" = sm_80, or sm_90a with gpuTensorCores "wgmma"). The PTX
  /// runs on that architecture and newer ones the driver can JIT it for
  /// (an "a" architecture: only that one).
  std::string gpuChip;
  /// Public functions to compile; empty = all of them. Other public
  /// functions become private and are dropped unless called, which saves
  /// compile time when only one function of a large module will run.
  SmallVector<std::string> entryPoints;
};

/// Checks `options`: the target names a backend, the sizes lie in their
/// ranges (0 = automatic, up to the bounds above), then the backend's own options (Backend::verifyOptions: for the
/// host, the CPU name). The error names the offending option as the tools
/// and the pipeline spell it (`invalid --block-q=-8: expected ...`), so
/// tools print it as it is.
llvm::Error verifyCompileOptions(const CompileOptions &options);

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

/// Reads the file at `path` ("-" reads stdin) into memory. Errors name the
/// file ("'x.mlir': cannot read MLIR file: ...").
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readSourceFile(StringRef path);

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

/// A module parsed into a context of its own and lowered by a backend's
/// pipeline. Members are destroyed in reverse order: the module before its
/// context.
struct LoweredModule {
  std::unique_ptr<MLIRContext> context;
  /// The module in the backend's lowered form (for the host: LLVM dialect).
  OwningOpRef<ModuleOp> module;
  /// The public functions, in module order, recorded before lowering.
  std::vector<FunctionSignature> functions;
};

/// Parses `source` (MLIR text; `bufferName` names it in diagnostics) into a
/// new runtime context, keeps only `options.entryPoints` public (all public
/// functions when empty), records the signatures of the public functions,
/// marks them for MLIR's C interface with read-only tensor arguments
/// (`bufferization.writable = false`) and runs `backend`'s lowering
/// pipeline. `options` are not verified here (see verifyCompileOptions).
/// Parse, verification and lowering diagnostics come back in the error, with
/// their source locations; an unknown entry point is an error listing the
/// public functions.
llvm::Expected<LoweredModule> lowerModule(StringRef source,
                                          const Backend &backend,
                                          const CompileOptions &options,
                                          StringRef bufferName);

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_COMPILER_H
