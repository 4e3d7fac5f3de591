//===- HostBackend.h - the host CPU backend ---------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The "cpu" Backend: buildCPUPipeline lowers a module to the LLVM dialect;
// the ORC JIT (mlir::ExecutionEngine) runs it in this process
// (HostBackend.cpp), and AOT.h emits it as LLVM IR, assembly, an object or
// a shared library with a C header (CHeader.h).
//
// Calling convention (MLIR's C interface): every public function `@f` gets
// `void _mlir_ciface_f([Results *out,] Memref *arg0, Memref *arg1, ...)`,
// where a ranked tensor of rank R and element T becomes the descriptor
// `struct { T *allocated; T *aligned; int64_t offset; int64_t sizes[R];
// int64_t strides[R]; }` (StridedMemRefType<T, R>; MemRefDescriptor.h).
// With one result, `out` points to its descriptor; with several, to a
// struct of descriptors in result order; with none there is no `out`.
// Results are buffers malloc'ed by the kernel, owned by the caller (release
// with free(out->allocated)). Arguments are only read: lowering marks them
// `bufferization.writable = false`.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_HOSTBACKEND_H
#define ATTN_RUNTIME_HOSTBACKEND_H

#include "attn/Runtime/AOT.h"
#include "attn/Runtime/Backend.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir::attn {

/// Creates the host CPU backend ("cpu").
std::unique_ptr<Backend> createHostBackend();

/// Creates an LLVM target machine for the host triple and `cpu` ("native":
/// the host CPU with its features; otherwise an LLVM CPU name with its
/// default features), position-independent, at -O3. Errors: no LLVM target
/// for the host triple, or a CPU name the target does not know ("unknown CPU
/// 'x' for target '...': expected 'native' or an LLVM CPU name such as
/// ...").
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(StringRef cpu);

/// A shared library written by attn-compile (emitHostArtifact), loaded into
/// this process.
struct HostLibrary {
  /// Its `__attn_library_info`: the CPU and the public functions.
  LibraryInfo info;
  /// Calls its functions through `__attn_invoke` on host tensors; errors of
  /// a call are the library's attn_last_error() ("@f stopped at a run-time
  /// check: ...", "@f cannot run on this CPU: ...").
  std::unique_ptr<Executable> executable;
};

/// Loads the shared library at `path` with dlopen (it stays loaded until the
/// process exits; it finds libomp.so.5 through its own RUNPATH). Errors: the
/// file is missing or cannot be loaded (with dlerror's message), it was not
/// written by attn-compile (no `__attn_library_info`), or its info is
/// malformed.
llvm::Expected<HostLibrary> loadHostLibrary(StringRef path);

/// JIT-compiles the host code of a lowered `module` (LLVM dialect, public
/// functions with C interfaces) for this machine at -O3, resolving
/// `extraSymbols` (name -> address, e.g. a GPU runtime's `mgpu*`
/// functions) besides the process's own. After each call, `afterCall`
/// (when set) reports errors that the called code recorded instead of
/// returning (a GPU runtime's); the call then fails with "@f failed: ...".
llvm::Expected<std::unique_ptr<Executable>>
loadHostJIT(ModuleOp module,
            ArrayRef<std::pair<std::string, void *>> extraSymbols,
            std::function<llvm::Error()> afterCall);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_HOSTBACKEND_H
