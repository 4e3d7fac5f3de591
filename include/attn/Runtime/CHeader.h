//===- CHeader.h - C headers for shared libraries ---------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_CHEADER_H
#define ATTN_RUNTIME_CHEADER_H

#include "attn/Runtime/Signature.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::attn {

/// True for names usable as C identifiers (letters, digits and `_`, not
/// starting with a digit), other than the keywords of C and C++.
bool isCIdentifier(StringRef name);

/// The CPU a shared library is built for (describeHostCPU in AOT.h).
struct HostCPUDescription {
  /// `--cpu` as given: "native" or an LLVM CPU name.
  std::string flag = "native";
  /// The CPU LLVM generated code for ("znver3", "x86-64-v3", ...).
  std::string name;
  /// The instruction-set extensions of that CPU, among those its code may
  /// need (getCheckedCPUFeatures), in LLVM's spelling ("avx2", "avx512f").
  SmallVector<std::string> features;

  /// "--cpu=native (znver3)" or "--cpu=x86-64-v3".
  std::string str() const;
};

/// The extensions that a library's CPU check looks at, in LLVM's spelling,
/// which is also that of `__builtin_cpu_supports`: the x86-64-v2/v3/v4
/// levels' extensions and the AVX-512, VNNI and AMX ones.
ArrayRef<StringRef> getCheckedCPUFeatures();

/// What a C header says about its shared library besides the functions.
struct CHeaderLibrary {
  /// The library's file name, as written ("model.so", "libmodel.so"); empty:
  /// `<guardName>.so`.
  std::string fileName;
  /// The CPU it is built for; std::nullopt: not stated.
  std::optional<HostCPUDescription> cpu;
  /// The LLVM run-time libraries it needs (DT_NEEDED), such as
  /// "libomp.so.5".
  SmallVector<std::string> runtimeLibraries;
};

/// The linker flags that link a program against the library `fileName`
/// from the directory given with -L: `-lmodel` for `libmodel.so`,
/// `-l:model.so` otherwise.
std::string getLinkFlag(StringRef fileName);

/// The C header of a shared library written by emitHostArtifact, exporting
/// `functions`: a comment with the library's file name, the CPU it is built
/// for, the link recipe and the calling convention; include guards,
/// <stdint.h>, `attn_last_error`, one descriptor struct per (rank, element
/// type) used, `attn_memref_<R>d_<elt>` (element pointers of
/// getCElementTypeName: float for f32, double for f64, uint16_t holding the
/// bits for f16 and bf16, uint8_t for i1, ...), a result struct
/// `<f>_results` for functions with several results, and for each public
/// function the declarations of `int _mlir_ciface_<f>(...)` and of `int
/// <f>(...)` (both return 0, or non-zero after a failed run-time check).
/// Functions that cannot be declared (unsupported types, names that are not
/// C identifiers) get a comment saying why. The include guard is
/// ATTN_GENERATED_<guardName>_<hash of the header's text>_H, so that the
/// headers of two models with the same file name (a/model.h, b/model.h) can
/// be included together.
std::string emitCHeader(ArrayRef<FunctionSignature> functions,
                        StringRef guardName,
                        const CHeaderLibrary &library = {});

/// The names the library's run-time support exports itself; a public
/// function of one of these names gets no plain `<f>` symbol.
bool isReservedLibrarySymbol(StringRef name);

/// True when `name` is a function of the C, math or OpenMP run-time
/// libraries (which every program that loads a library links) or of MLIR's
/// memref run time (`memrefCopy`): names that the lowering itself may call.
bool isRuntimeLibrarySymbol(StringRef name);

/// Why the public function `name` of the module whose public functions are
/// `functions` is exported as `_mlir_ciface_<name>` only, without the plain
/// symbol `<name>`; empty when it gets both. Reasons: `main`; not a C
/// identifier; a name of the library's run-time support
/// (isReservedLibrarySymbol); a function of the C or math library or of the
/// OpenMP run time (`free`, `expf`, `omp_get_num_threads`, ...), which an
/// exported symbol would replace in the whole program that loads the
/// library; a name the generated header defines (a descriptor type
/// `attn_memref_*`, an `ATTN_*` macro, the `<g>_results` struct of a
/// function g with several results) or takes from <stdint.h> (`int64_t`,
/// `INT8_C`, ...), which a declaration of the function would clash with.
std::string getPlainSymbolConflict(StringRef name,
                                   ArrayRef<FunctionSignature> functions);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_CHEADER_H
