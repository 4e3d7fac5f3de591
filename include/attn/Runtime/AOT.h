//===- AOT.h - ahead-of-time emission for the host --------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What the host backend writes for `attn-compile`: the lowered module as
// MLIR text, optimized LLVM IR, assembly, a relocatable object, or a shared
// library linked with clang plus its C header (CHeader.h).
//
// A shared library is the generated code plus a small run-time support file
// in C, written here and compiled with it (getLibrarySupportSource):
//   - each supported public function's `_mlir_ciface_<f>` (renamed
//     `__attn_body_<i>`, hidden) is called by an exported `int
//     _mlir_ciface_<f>(...)` and `int <f>(...)` that check the CPU's
//     extensions, run the body under setjmp and return 0, or 1 with a
//     message for attn_last_error() when a run-time check failed: the
//     lowering of `cf.assert` calls `puts(message); abort()`, which are
//     renamed to hidden hooks that record the message and longjmp back;
//   - `const char *attn_last_error(void)`, the calling thread's message;
//   - `__attn_library_info`, the text of formatLibraryInfo (functions and
//     CPU), and `int __attn_invoke(int64_t index, void **pointers)`, which
//     calls function #index with its descriptor pointers: what
//     `attn-run --module` loads (loadHostLibrary in HostBackend.h).
// It is linked with DT_RUNPATH `$ORIGIN` and DT_SONAME its file name, so no
// path of the build machine is recorded; bundleRuntimeLibraries copies the
// LLVM run-time libraries it needs (libomp.so.5) next to it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_AOT_H
#define ATTN_RUNTIME_AOT_H

#include "attn/Runtime/Backend.h"
#include "attn/Runtime/CHeader.h"
#include "attn/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

namespace mlir::attn {

/// Writes `module` (LLVM dialect; its public functions are `functions`) as
/// `kind` to `path`, for the CPU `cpu` (see createHostTargetMachine),
/// atomically. For EmitKind::SharedLibrary the C header goes to `<path
/// without extension>.h` (see emitCHeader), and the library gets the
/// status-returning entry points described above: `int _mlir_ciface_f` and,
/// for a C-identifier name other than `main`, `int f`. In the LLVM IR,
/// assembly and object, the generated code is as MLIR lowers it: `void
/// _mlir_ciface_f` and its plain alias `f`, and a failed run-time check
/// calls `puts` and `abort`. Errors name the path and what failed: a
/// directory or stdout where a file is needed, an unknown CPU, translation
/// to LLVM IR, or linking (with clang's output).
llvm::Error emitHostArtifact(ModuleOp module,
                             ArrayRef<FunctionSignature> functions,
                             StringRef cpu, EmitKind kind, StringRef path);

/// The CPU that code for `cpu` ("native" or an LLVM CPU name) is generated
/// for: its LLVM name and the extensions of getCheckedCPUFeatures it has.
llvm::Expected<HostCPUDescription> describeHostCPU(StringRef cpu);

/// Symbols of a shared library's run-time support (see above).
constexpr StringLiteral kLibraryInfoSymbol = "__attn_library_info";
constexpr StringLiteral kLibraryInvokeSymbol = "__attn_invoke";
constexpr StringLiteral kLastErrorSymbol = "attn_last_error";

/// What `__attn_library_info` says: the CPU and the public functions, in
/// module order (function #i of `__attn_invoke`).
struct LibraryInfo {
  HostCPUDescription cpu;
  std::vector<FunctionSignature> functions;
};

/// The text of `__attn_library_info`: a line `attn-library 1`, a line `cpu
/// <flag> <name> <feature>...`, then per function `function <name>`, its
/// `arg <type>` and `result <type>` lines (`tensor<2x?xf32>`), optionally
/// `flops <n>` and `unsupported <reason>`.
std::string formatLibraryInfo(const LibraryInfo &info);

/// Parses formatLibraryInfo's text. Errors say what line is malformed.
llvm::Expected<LibraryInfo> parseLibraryInfo(StringRef text);

/// The C source of a shared library's run-time support for `functions`
/// (their bodies are `__attn_body_<index>`) and `cpu`. With `requestAMX`
/// (the code uses AMX tiles), every entry point first asks Linux for the
/// AMX tile state (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)) and
/// fails with attn_last_error() saying so when it is refused.
std::string getLibrarySupportSource(ArrayRef<FunctionSignature> functions,
                                    const HostCPUDescription &cpu,
                                    bool requestAMX = false);

/// The DT_NEEDED entries of the ELF shared library at `path`.
llvm::Expected<SmallVector<std::string>> getNeededLibraries(StringRef path);

/// The DT_NEEDED entries of the library at `path` that are LLVM run-time
/// libraries, found in LLVM's library directory (libomp.so.5,
/// libmlir_c_runner_utils.so.22.1): what it needs besides the C library.
llvm::Expected<SmallVector<std::string>>
getNeededRuntimeLibraries(StringRef path);

/// Copies the LLVM run-time libraries that the shared library at `path`
/// needs (getNeededRuntimeLibraries) next to it, under their DT_NEEDED names,
/// so that its `$ORIGIN` RUNPATH finds them wherever the directory is moved; an
/// identical copy there is kept, another file of that name replaced atomically.
/// Returns the names it copied or kept.
llvm::Expected<SmallVector<std::string>> bundleRuntimeLibraries(StringRef path);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_AOT_H
