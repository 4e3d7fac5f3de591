//===- HostTensor.h - dense host tensors for the runtime --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The value type that `attn-run`, `attn-compile`'s tests and the Python
// bindings hand to compiled functions: a dense, row-major (C order) buffer
// with a shape and an element type. Floating-point types narrower than 32
// bits are stored as their raw bits (IEEE half / bfloat16), `i1` as one byte
// per element (0 or 1), as numpy stores `bool`. A tensor usually owns its
// bytes; HostTensor::borrow makes one that refers to the caller's buffer
// instead (how the Python bindings pass numpy arrays without a copy).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_HOSTTENSOR_H
#define ATTN_RUNTIME_HOSTTENSOR_H

#include "attn/Runtime/ElementTypes.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// Formats a shape with its element type as MLIR does inside `tensor<...>`:
/// "2x8x?x64xf32"; "f32" for rank 0. Dynamic dimensions (kDynamicSize, the
/// value of ShapedType::kDynamic) print as `?`.
std::string formatTensorType(ArrayRef<int64_t> shape, ElementType type);

/// A dense, row-major host tensor that owns its bytes.
class HostTensor {
public:
  HostTensor() = default;

  /// Creates a zero-filled tensor. All sizes in `shape` must be >= 0.
  HostTensor(ElementType elementType, ArrayRef<int64_t> shape);

  /// Creates a tensor from raw bytes; `bytes` must hold exactly
  /// `numElements * byteWidth` bytes.
  HostTensor(ElementType elementType, ArrayRef<int64_t> shape,
             ArrayRef<uint8_t> bytes);

  /// Creates a tensor that refers to the row-major buffer `data` (holding
  /// `numElements * byteWidth` bytes of `elementType`) without copying it.
  /// The tensor is read-only (nothing may write through getMutableBytes or
  /// the non-const data()), and the caller keeps `data` alive and unchanged
  /// while the tensor or a copy of it is used; copies refer to the same
  /// buffer. Compiled functions only read their inputs, so a borrowed tensor
  /// can be passed to CompiledModule::invoke and Executable::call as it is.
  static HostTensor borrow(ElementType elementType, ArrayRef<int64_t> shape,
                           const void *data);

  /// Creates an f32 tensor holding `values` (their count must match `shape`).
  static HostTensor fromF32(ArrayRef<int64_t> shape, ArrayRef<float> values);

  /// Creates a tensor of `elementType` from float64 values, rounding to
  /// nearest-even for narrower float types and to 0/1 (`!= 0`) for `i1`.
  static HostTensor fromDoubles(ElementType elementType,
                                ArrayRef<int64_t> shape,
                                ArrayRef<double> values);

  ElementType getElementType() const { return elementType; }
  ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }

  /// Product of the shape (1 for rank 0).
  int64_t getNumElements() const;

  /// Size of the buffer in bytes.
  int64_t getSizeInBytes() const {
    return static_cast<int64_t>(getBytes().size());
  }

  /// Whether the tensor refers to a caller's buffer (borrow) instead of
  /// owning its bytes.
  bool isBorrowed() const { return borrowed != nullptr; }

  /// The raw bytes, row-major.
  ArrayRef<uint8_t> getBytes() const {
    if (borrowed)
      return ArrayRef<uint8_t>(borrowed, borrowedSize);
    return bytes;
  }
  /// The bytes for writing; a borrowed tensor must not be written through
  /// them (its buffer is the caller's, lent for reading).
  MutableArrayRef<uint8_t> getMutableBytes() {
    if (borrowed)
      return MutableArrayRef<uint8_t>(const_cast<uint8_t *>(borrowed),
                                      borrowedSize);
    return bytes;
  }
  const void *data() const { return getBytes().data(); }
  void *data() { return getMutableBytes().data(); }

  /// Typed view of the elements; `T` must have the element's byte width.
  template <typename T> ArrayRef<T> getValues() const {
    assert(sizeof(T) == getElementByteWidth(elementType) && "width mismatch");
    ArrayRef<uint8_t> raw = getBytes();
    return ArrayRef<T>(reinterpret_cast<const T *>(raw.data()),
                       raw.size() / sizeof(T));
  }

  /// Element `index` (row-major linear index) converted to double.
  double getElementAsDouble(int64_t index) const;

  /// All elements converted to double.
  std::vector<double> toDoubles() const;

  /// Reinterprets the bytes as another element type of the same width (for
  /// example i16 -> bf16 for bfloat16 data stored as numpy uint16). Returns
  /// false, changing nothing, when the widths differ.
  bool bitcastElementType(ElementType newType);

  /// "2x8x16x64xf32".
  std::string getTypeString() const {
    return formatTensorType(shape, elementType);
  }

private:
  ElementType elementType = ElementType::F32;
  SmallVector<int64_t, 4> shape;
  std::vector<uint8_t> bytes;
  /// The caller's buffer of a borrowed tensor (then `bytes` is empty).
  const uint8_t *borrowed = nullptr;
  size_t borrowedSize = 0;
};

} // namespace mlir::attn

#endif // ATTN_RUNTIME_HOSTTENSOR_H
