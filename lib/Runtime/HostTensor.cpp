//===- HostTensor.cpp - dense host tensors for the runtime ----------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/HostTensor.h"
#include "attn/Support/Format.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/ErrorHandling.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn;

std::string mlir::attn::formatTensorType(ArrayRef<int64_t> shape,
                                         ElementType type) {
  if (shape.empty())
    return stringifyElementType(type).str();
  return formatShape(shape, ShapeStyle::Dims) + "x" +
         stringifyElementType(type).str();
}

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t size : shape)
    n *= size;
  return n;
}

HostTensor::HostTensor(ElementType elementType, ArrayRef<int64_t> shape)
    : elementType(elementType), shape(shape.begin(), shape.end()) {
  bytes.assign(product(shape) * getElementByteWidth(elementType), 0);
}

HostTensor::HostTensor(ElementType elementType, ArrayRef<int64_t> shape,
                       ArrayRef<uint8_t> data)
    : elementType(elementType), shape(shape.begin(), shape.end()),
      bytes(data.begin(), data.end()) {
  assert(static_cast<int64_t>(bytes.size()) ==
             product(shape) * getElementByteWidth(elementType) &&
         "byte count does not match the shape");
}

HostTensor HostTensor::borrow(ElementType elementType,
                              ArrayRef<int64_t> shape, const void *data) {
  HostTensor result;
  result.elementType = elementType;
  result.shape.assign(shape.begin(), shape.end());
  result.borrowedSize = static_cast<size_t>(product(shape) *
                                            getElementByteWidth(elementType));
  // A non-null pointer marks the tensor as borrowed, also when it is empty.
  static const uint8_t kEmpty = 0;
  result.borrowed = data ? static_cast<const uint8_t *>(data) : &kEmpty;
  return result;
}

HostTensor HostTensor::fromF32(ArrayRef<int64_t> shape,
                               ArrayRef<float> values) {
  assert(static_cast<int64_t>(values.size()) == product(shape) &&
         "value count does not match the shape");
  return HostTensor(
      ElementType::F32, shape,
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(values.data()),
                        values.size() * sizeof(float)));
}

int64_t HostTensor::getNumElements() const { return product(shape); }

/// Converts the raw bits of a 16-bit float of `semantics` to double.
static double halfBitsToDouble(const llvm::fltSemantics &semantics,
                               uint16_t bits) {
  llvm::APFloat value(semantics, llvm::APInt(16, bits));
  bool losesInfo = false;
  value.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value.convertToDouble();
}

/// Rounds `value` to a 16-bit float of `semantics` and returns its bits.
static uint16_t doubleToHalfBits(const llvm::fltSemantics &semantics,
                                 double value) {
  llvm::APFloat converted(value);
  bool losesInfo = false;
  converted.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint16_t>(converted.bitcastToAPInt().getZExtValue());
}

template <typename T>
static T loadAt(ArrayRef<uint8_t> bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T>
static void storeAt(std::vector<uint8_t> &bytes, int64_t index, T value) {
  std::memcpy(bytes.data() + index * sizeof(T), &value, sizeof(T));
}

double HostTensor::getElementAsDouble(int64_t index) const {
  assert(index >= 0 && index < getNumElements() && "index out of range");
  ArrayRef<uint8_t> bytes = getBytes();
  switch (elementType) {
  case ElementType::F32:
    return loadAt<float>(bytes, index);
  case ElementType::F64:
    return loadAt<double>(bytes, index);
  case ElementType::F16:
    return halfBitsToDouble(llvm::APFloat::IEEEhalf(),
                            loadAt<uint16_t>(bytes, index));
  case ElementType::BF16: {
    // bfloat16 is the upper half of a float32.
    uint32_t bits = static_cast<uint32_t>(loadAt<uint16_t>(bytes, index)) << 16;
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case ElementType::I1:
    return loadAt<uint8_t>(bytes, index) != 0 ? 1.0 : 0.0;
  case ElementType::I8:
    return loadAt<int8_t>(bytes, index);
  case ElementType::I16:
    return loadAt<int16_t>(bytes, index);
  case ElementType::I32:
    return loadAt<int32_t>(bytes, index);
  case ElementType::I64:
    return static_cast<double>(loadAt<int64_t>(bytes, index));
  }
  llvm_unreachable("unknown element type");
}

std::vector<double> HostTensor::toDoubles() const {
  int64_t n = getNumElements();
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i)
    values[i] = getElementAsDouble(i);
  return values;
}

/// Converts `value` to the integer type `T`: rounded toward zero, NaN to 0,
/// out-of-range values saturated.
template <typename T> static T toInteger(double value) {
  if (std::isnan(value))
    return 0;
  double lo = static_cast<double>(std::numeric_limits<T>::min());
  double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (value <= lo)
    return std::numeric_limits<T>::min();
  if (value >= hi)
    return std::numeric_limits<T>::max();
  return static_cast<T>(value);
}

HostTensor HostTensor::fromDoubles(ElementType elementType,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<double> values) {
  HostTensor result(elementType, shape);
  assert(static_cast<int64_t>(values.size()) == result.getNumElements() &&
         "value count does not match the shape");
  std::vector<uint8_t> &bytes = result.bytes;
  for (auto [i, value] : llvm::enumerate(values)) {
    int64_t index = static_cast<int64_t>(i);
    switch (elementType) {
    case ElementType::F32:
      storeAt<float>(bytes, index, static_cast<float>(value));
      break;
    case ElementType::F64:
      storeAt<double>(bytes, index, value);
      break;
    case ElementType::F16:
      storeAt<uint16_t>(bytes, index,
                        doubleToHalfBits(llvm::APFloat::IEEEhalf(), value));
      break;
    case ElementType::BF16:
      storeAt<uint16_t>(bytes, index,
                        doubleToHalfBits(llvm::APFloat::BFloat(), value));
      break;
    case ElementType::I1:
      storeAt<uint8_t>(bytes, index, value != 0.0 ? 1 : 0);
      break;
    case ElementType::I8:
      storeAt<int8_t>(bytes, index, toInteger<int8_t>(value));
      break;
    case ElementType::I16:
      storeAt<int16_t>(bytes, index, toInteger<int16_t>(value));
      break;
    case ElementType::I32:
      storeAt<int32_t>(bytes, index, toInteger<int32_t>(value));
      break;
    case ElementType::I64:
      storeAt<int64_t>(bytes, index, toInteger<int64_t>(value));
      break;
    }
  }
  return result;
}

bool HostTensor::bitcastElementType(ElementType newType) {
  if (getElementByteWidth(newType) != getElementByteWidth(elementType))
    return false;
  elementType = newType;
  return true;
}
