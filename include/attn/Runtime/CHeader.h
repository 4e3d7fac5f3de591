//===- CHeader.h - C headers for shared libraries ---------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_CHEADER_H
#define ATTN_RUNTIME_CHEADER_H

#include "attn/Runtime/Signature.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::attn {

/// True for names usable as C identifiers (letters, digits and `_`, not
/// starting with a digit).
bool isCIdentifier(StringRef name);

/// The C header of a shared library exporting `functions` (MLIR's C
/// interface, see HostBackend.h): include guards, <stdint.h>, one
/// descriptor struct per (rank, element type) used,
/// `attn_memref_<R>d_<elt>` (element pointers of getCElementTypeName: float
/// for f32, double for f64, uint16_t holding the bits for f16 and bf16,
/// uint8_t for i1, ...), a result struct `<f>_results` for functions with
/// several results, and for each public function the declarations of
/// `_mlir_ciface_<f>` and of the plain alias `<f>`. Functions that cannot be
/// declared (unsupported types, names that are not C identifiers) get a
/// comment saying why. `guardName` is the stem used for the include guard.
std::string emitCHeader(ArrayRef<FunctionSignature> functions,
                        StringRef guardName);

} // namespace mlir::attn

#endif // ATTN_RUNTIME_CHEADER_H
