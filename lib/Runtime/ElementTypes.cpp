//===- ElementTypes.cpp - element types of host tensors -------------------===//
//
// Part of the attn-mlir project.
//
// Every function here is a walk over the rows of ElementTypes.def.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/ElementTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace mlir::attn;

// ByteWidth must be the size of the storage type: host buffers, `.npy` data
// and memref descriptors all address elements by it.
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, ...)         \
  static_assert(sizeof(StorageType) == ByteWidth,                              \
                "ElementTypes.def: ByteWidth of " #Name                        \
                " is not sizeof(" #StorageType ")");
#include "attn/Runtime/ElementTypes.def"

ArrayRef<ElementType> mlir::attn::getAllElementTypes() {
  static constexpr ElementType kAll[] = {
#define ATTN_ELEMENT_TYPE(Name, ...) ElementType::Name,
#include "attn/Runtime/ElementTypes.def"
  };
  return kAll;
}

StringRef mlir::attn::stringifyElementType(ElementType type) {
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, ...)                                 \
  case ElementType::Name:                                                      \
    return Mnemonic;
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> mlir::attn::parseElementType(StringRef name) {
  return llvm::StringSwitch<std::optional<ElementType>>(name)
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, ...)                                 \
  .Case(Mnemonic, ElementType::Name)
#include "attn/Runtime/ElementTypes.def"
      .Default(std::nullopt);
}

int64_t mlir::attn::getElementByteWidth(ElementType type) {
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, ...)         \
  case ElementType::Name:                                                      \
    return ByteWidth;
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}

bool mlir::attn::isFloatElementType(ElementType type) {
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          ...)                                                 \
  case ElementType::Name:                                                      \
    return IsFloat;
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}

StringRef mlir::attn::getCElementTypeName(ElementType type) {
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          NpyDescr, NpyReads, CTypeName, MLIRBuilder)          \
  case ElementType::Name:                                                      \
    return CTypeName;
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> mlir::attn::getElementTypeOf(Type type) {
  Builder builder(type.getContext());
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          NpyDescr, NpyReads, CTypeName, MLIRBuilder)          \
  if (type == builder.MLIRBuilder())                                           \
    return ElementType::Name;
#include "attn/Runtime/ElementTypes.def"
  return std::nullopt;
}

Type mlir::attn::getMLIRElementType(ElementType type, MLIRContext *context) {
  Builder builder(context);
  switch (type) {
#define ATTN_ELEMENT_TYPE(Name, Mnemonic, StorageType, ByteWidth, IsFloat,     \
                          NpyDescr, NpyReads, CTypeName, MLIRBuilder)          \
  case ElementType::Name:                                                      \
    return builder.MLIRBuilder();
#include "attn/Runtime/ElementTypes.def"
  }
  llvm_unreachable("unknown element type");
}
