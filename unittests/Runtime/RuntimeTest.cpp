//===- RuntimeTest.cpp - element types, descriptors, shapes -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The runtime's tables and ABI types, which the tool tests reach only
// through whole compilations: every row of ElementTypes.def round-trips
// through its spellings, MLIR types and `.npy` bytes; memref descriptors
// have MLIR's StridedMemRefType layout, alone and back to back; and the
// shape formatter spells each style as its users print it.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/ElementTypes.h"
#include "attn/Runtime/HostTensor.h"
#include "attn/Runtime/MemRefDescriptor.h"
#include "attn/Runtime/NpyIO.h"
#include "attn/Support/Format.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <array>
#include <cstddef>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// ElementTypes.def
//===----------------------------------------------------------------------===//

TEST(ElementTypes, TableIsInEnumeratorOrder) {
  ArrayRef<ElementType> all = getAllElementTypes();
  ASSERT_EQ(all.size(), 9u);
  for (auto [index, type] : llvm::enumerate(all))
    EXPECT_EQ(static_cast<size_t>(type), index);
}

TEST(ElementTypes, MnemonicRoundTrip) {
  for (ElementType type : getAllElementTypes()) {
    StringRef name = stringifyElementType(type);
    EXPECT_EQ(parseElementType(name), type) << name.str();
  }
  EXPECT_EQ(parseElementType("f8E4M3FN"), std::nullopt);
  EXPECT_EQ(parseElementType("index"), std::nullopt);
}

TEST(ElementTypes, MLIRTypeRoundTrip) {
  MLIRContext context;
  for (ElementType type : getAllElementTypes()) {
    Type mlirType = getMLIRElementType(type, &context);
    EXPECT_EQ(getElementTypeOf(mlirType), type)
        << stringifyElementType(type).str();
    // The MLIR spelling is the type's own.
    std::string printed;
    llvm::raw_string_ostream os(printed);
    mlirType.print(os);
    EXPECT_EQ(printed, stringifyElementType(type));
    EXPECT_EQ(isFloatElementType(type), isa<FloatType>(mlirType));
    if (auto intType = dyn_cast<IntegerType>(mlirType)) {
      EXPECT_TRUE(intType.isSignless());
      EXPECT_EQ(getElementByteWidth(type),
                std::max<int64_t>(1, intType.getWidth() / 8));
    } else {
      EXPECT_EQ(getElementByteWidth(type),
                cast<FloatType>(mlirType).getWidth() / 8);
    }
  }
  // Types without a row: no element type.
  Builder builder(&context);
  EXPECT_EQ(getElementTypeOf(builder.getIndexType()), std::nullopt);
  EXPECT_EQ(getElementTypeOf(builder.getIntegerType(4)), std::nullopt);
  EXPECT_EQ(getElementTypeOf(builder.getIntegerType(32, /*isSigned=*/true)),
            std::nullopt);
  EXPECT_EQ(getElementTypeOf(Float8E4M3FNType::get(&context)), std::nullopt);
}

TEST(ElementTypes, NpyRoundTrip) {
  for (ElementType type : getAllElementTypes()) {
    HostTensor tensor =
        HostTensor::fromDoubles(type, {2, 3}, {0, 1, 0, 1, 1, 0});
    std::string bytes = serializeNpy(tensor);
    llvm::Expected<HostTensor> read = readNpy(llvm::MemoryBufferRef(
        bytes, ("round-trip-" + stringifyElementType(type)).str()));
    ASSERT_TRUE(static_cast<bool>(read)) << llvm::toString(read.takeError());
    // numpy has no bfloat16: its bits come back as 16-bit integers.
    ElementType expected = type == ElementType::BF16 ? ElementType::I16 : type;
    EXPECT_EQ(read->getElementType(), expected)
        << stringifyElementType(type).str();
    EXPECT_EQ(read->getShape(), tensor.getShape());
    EXPECT_EQ(read->getBytes(), tensor.getBytes());
  }
  EXPECT_EQ(getNpyDescr(ElementType::F32), "<f4");
  EXPECT_EQ(getNpyDescr(ElementType::BF16), "<u2");
  EXPECT_EQ(getNpyDescr(ElementType::I1), "|b1");
}

TEST(ElementTypes, CTypeNames) {
  EXPECT_EQ(getCElementTypeName(ElementType::F32), "float");
  EXPECT_EQ(getCElementTypeName(ElementType::F64), "double");
  EXPECT_EQ(getCElementTypeName(ElementType::F16), "uint16_t");
  EXPECT_EQ(getCElementTypeName(ElementType::BF16), "uint16_t");
  EXPECT_EQ(getCElementTypeName(ElementType::I1), "uint8_t");
  EXPECT_EQ(getCElementTypeName(ElementType::I64), "int64_t");
}

//===----------------------------------------------------------------------===//
// MemRefDescriptor
//===----------------------------------------------------------------------===//

// The checks MemRefDescriptor.cpp makes for every element type, once more
// where a failure shows up as a test.
static_assert(hasStridedMemRefLayout<float, 0>());
static_assert(hasStridedMemRefLayout<float, 4>());
static_assert(hasStridedMemRefLayout<uint16_t, 2>());
static_assert(hasStridedMemRefLayout<int64_t, 7>());
static_assert(MemRefDescriptorRef::getSizeInBytes(4) ==
              sizeof(StridedMemRefType<double, 4>));

TEST(MemRefDescriptor, RowMajorViewReadsAsStridedMemRefType) {
  float data[2 * 3 * 4] = {};
  MemRefDescriptorList list({3});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.getSizeInBytes(), sizeof(StridedMemRefType<float, 3>));
  list[0].setRowMajor(data, {2, 3, 4});

  auto *upstream = static_cast<StridedMemRefType<float, 3> *>(list.data());
  EXPECT_EQ(upstream->basePtr, data);
  EXPECT_EQ(upstream->data, data);
  EXPECT_EQ(upstream->offset, 0);
  EXPECT_EQ(upstream->sizes[0], 2);
  EXPECT_EQ(upstream->sizes[1], 3);
  EXPECT_EQ(upstream->sizes[2], 4);
  EXPECT_EQ(upstream->strides[0], 12);
  EXPECT_EQ(upstream->strides[1], 4);
  EXPECT_EQ(upstream->strides[2], 1);
  // MLIR's own indexing finds the same element.
  std::array<int64_t, 3> index = {1, 2, 3};
  (*upstream)[index] = 5.0f;
  EXPECT_EQ(data[1 * 12 + 2 * 4 + 3], 5.0f);
}

TEST(MemRefDescriptor, ListIsAStructOfDescriptors) {
  // What the C interface passes for a function with three results.
  struct Results {
    StridedMemRefType<float, 2> first;
    StridedMemRefType<uint8_t, 0> second;
    StridedMemRefType<int64_t, 3> third;
  };
  MemRefDescriptorList list({2, 0, 3});
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list.getSizeInBytes(), sizeof(Results));
  auto *base = static_cast<std::byte *>(list.data());
  EXPECT_EQ(list[0].getAddress(), base + offsetof(Results, first));
  EXPECT_EQ(list[1].getAddress(), base + offsetof(Results, second));
  EXPECT_EQ(list[2].getAddress(), base + offsetof(Results, third));

  // Zero-filled, and written through the struct as a kernel would.
  auto *results = static_cast<Results *>(list.data());
  EXPECT_EQ(list[2].getAllocated(), nullptr);
  EXPECT_EQ(list[2].getSizes()[2], 0);
  int64_t buffer[8];
  results->third.basePtr = buffer;
  results->third.data = buffer + 1;
  results->third.offset = 1;
  results->third.sizes[0] = 1;
  results->third.sizes[1] = 2;
  results->third.sizes[2] = 3;
  results->third.strides[2] = 1;
  EXPECT_EQ(list[2].getAllocated(), buffer);
  EXPECT_EQ(list[2].getAligned(), buffer + 1);
  EXPECT_EQ(list[2].getOffset(), 1);
  EXPECT_EQ(list[2].getSizes(), ArrayRef<int64_t>({1, 2, 3}));
  EXPECT_EQ(list[2].getStrides()[2], 1);
  EXPECT_TRUE(list[0].getSizes().size() == 2 && list[1].getSizes().empty());
}

TEST(MemRefDescriptor, EmptyList) {
  MemRefDescriptorList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.data(), nullptr);
  EXPECT_EQ(list.getSizeInBytes(), 0u);
}

//===----------------------------------------------------------------------===//
// formatShape
//===----------------------------------------------------------------------===//

TEST(FormatShape, Styles) {
  SmallVector<int64_t> shape = {2, kDynamicSize, 64};
  EXPECT_EQ(formatShape(shape), "[2, ?, 64]");
  EXPECT_EQ(formatShape(shape, ShapeStyle::Tuple), "(2, ?, 64)");
  EXPECT_EQ(formatShape(shape, ShapeStyle::Dims), "2x?x64");
  EXPECT_EQ(formatShape({}, ShapeStyle::List), "[]");
  EXPECT_EQ(formatShape({}, ShapeStyle::Tuple), "()");
  EXPECT_EQ(formatShape({}, ShapeStyle::Dims), "");
  EXPECT_EQ(formatShape({7}, ShapeStyle::Tuple), "(7,)");
  // Only MLIR's dynamic marker is `?`; other negative sizes are numbers.
  EXPECT_EQ(formatShape({-3, 4}), "[-3, 4]");
  static_assert(kDynamicSize == ShapedType::kDynamic);
  EXPECT_EQ(formatTensorType({1, ShapedType::kDynamic}, ElementType::BF16),
            "1x?xbf16");
  EXPECT_EQ(formatTensorType({}, ElementType::F32), "f32");
}
