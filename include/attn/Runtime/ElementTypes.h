//===- ElementTypes.h - element types of host tensors -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// ElementType and what the runtime needs to know about each element type,
// generated from the one table in ElementTypes.def: the MLIR spelling, the
// byte width, the C type of the generated headers and the conversion to and
// from MLIR types. The numpy dtypes of the same table are in NpyIO.h.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_ELEMENTTYPES_H
#define ATTN_RUNTIME_ELEMENTTYPES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace mlir {
class MLIRContext;
class Type;

namespace attn {

/// Element types a host tensor can hold (one per row of ElementTypes.def).
/// Integer types are signless, as in MLIR; `BF16` and `F16` hold raw 16-bit
/// patterns.
enum class ElementType : uint8_t {
#define ATTN_ELEMENT_TYPE(Name, ...) Name,
#include "attn/Runtime/ElementTypes.def"
};

/// Every element type, in enumerator order.
ArrayRef<ElementType> getAllElementTypes();

/// Returns the MLIR spelling of `type` ("f32", "bf16", "i1", ...).
StringRef stringifyElementType(ElementType type);

/// Parses the MLIR spelling of an element type ("f32", "bf16", ...).
std::optional<ElementType> parseElementType(StringRef name);

/// Returns the number of bytes one element of `type` occupies in a host
/// buffer (1 for `i1`).
int64_t getElementByteWidth(ElementType type);

/// Returns true for F32, F16, BF16 and F64.
bool isFloatElementType(ElementType type);

/// Returns the C type of the element pointers of `type`'s memref
/// descriptors in generated C headers ("float", "uint16_t" for the bits of
/// f16 and bf16, "uint8_t" for i1, ...).
StringRef getCElementTypeName(ElementType type);

/// Returns the element type of the MLIR type `type` (a scalar type, not a
/// tensor), or std::nullopt when it has none (f8, i4, index, si32, ...).
std::optional<ElementType> getElementTypeOf(Type type);

/// Returns the MLIR type of `type` in `context` (f32, bf16, i1, ...).
Type getMLIRElementType(ElementType type, MLIRContext *context);

} // namespace attn
} // namespace mlir

#endif // ATTN_RUNTIME_ELEMENTTYPES_H
