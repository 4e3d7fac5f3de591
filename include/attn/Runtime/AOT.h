//===- AOT.h - ahead-of-time emission for the host --------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What the host backend writes for `attn-compile`: the lowered module as
// MLIR text, optimized LLVM IR, assembly, a relocatable object, or a shared
// library linked with clang plus its C header (CHeader.h).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_AOT_H
#define ATTN_RUNTIME_AOT_H

#include "attn/Runtime/Backend.h"
#include "attn/Runtime/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

namespace mlir::attn {

/// Writes `module` (LLVM dialect; its public functions are `functions`) as
/// `kind` to `path`, for the CPU `cpu` (see createHostTargetMachine),
/// atomically. For EmitKind::SharedLibrary the C header goes to `<path
/// without extension>.h` (see emitCHeader). In the LLVM IR, assembly, object
/// and shared library, each public function `@f` with a C-identifier name
/// other than `main` is also exported as the plain symbol `f`, an alias of
/// `_mlir_ciface_f` with the same signature. Errors name the path and what
/// failed: a directory or stdout where a file is needed, an unknown CPU,
/// translation to LLVM IR, or linking (with clang's output).
llvm::Error emitHostArtifact(ModuleOp module,
                             ArrayRef<FunctionSignature> functions,
                             StringRef cpu, EmitKind kind, StringRef path);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_AOT_H
