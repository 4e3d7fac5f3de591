//===- CompiledModuleTest.cpp - the API the Python bindings use -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What the Python bindings (python-bindings/) take from CompiledModule and
// HostTensor beyond what the tools use: borrowed tensors (numpy buffers
// passed without a copy), the arguments' source names in signatures, and
// the module's text at each IR stage.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Runner.h"

#include "gtest/gtest.h"

#include <vector>

using namespace mlir;
using namespace mlir::attn;

static constexpr const char *kAdd = R"mlir(
func.func @add(%lhs: tensor<2x3xf32>, %rhs_1: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%lhs, %rhs_1 : tensor<2x3xf32>, tensor<2x3xf32>)
                  outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}
)mlir";

TEST(HostTensor, BorrowRefersToTheCallersBuffer) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  HostTensor tensor =
      HostTensor::borrow(ElementType::F32, {2, 3}, values.data());
  EXPECT_TRUE(tensor.isBorrowed());
  EXPECT_EQ(tensor.data(), static_cast<const void *>(values.data()));
  EXPECT_EQ(tensor.getSizeInBytes(), 24);
  values[4] = 50;
  EXPECT_EQ(tensor.getElementAsDouble(4), 50.0);
  HostTensor copy = tensor;
  EXPECT_EQ(copy.data(), tensor.data());
  EXPECT_FALSE(HostTensor(ElementType::F32, {2}).isBorrowed());
  // Empty tensors are borrowed too, whatever the pointer.
  HostTensor empty = HostTensor::borrow(ElementType::F16, {0, 4}, nullptr);
  EXPECT_TRUE(empty.isBorrowed());
  EXPECT_EQ(empty.getSizeInBytes(), 0);
}

TEST(CompiledModule, InvokesOnBorrowedTensors) {
  CompileOptions options;
  options.numThreads = 1;
  auto module = CompiledModule::compile(kAdd, options, "add.mlir");
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  std::vector<float> lhs = {1, 2, 3, 4, 5, 6}, rhs = {10, 20, 30, 40, 50, 60};
  std::vector<HostTensor> inputs = {
      HostTensor::borrow(ElementType::F32, {2, 3}, lhs.data()),
      HostTensor::borrow(ElementType::F32, {2, 3}, rhs.data())};
  auto results = (*module)->invoke("add", inputs);
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  ASSERT_EQ(results->size(), 1u);
  EXPECT_FALSE(results->front().isBorrowed());
  EXPECT_EQ(results->front().getValues<float>(),
            ArrayRef<float>({11, 22, 33, 44, 55, 66}));
  // The inputs are only read.
  EXPECT_EQ(lhs[0], 1.0f);
}

TEST(CompiledModule, SignaturesNameTheArguments) {
  auto module = CompiledModule::compile(kAdd, CompileOptions(), "add.mlir");
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  const FunctionSignature *add = (*module)->lookupFunction("add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->argumentNames,
            SmallVector<std::string>({"%lhs", "%rhs_1"}));
}

TEST(CompiledModule, PrintsEveryIRStage) {
  auto module = CompiledModule::compile(kAdd, CompileOptions(), "add.mlir");
  ASSERT_TRUE(static_cast<bool>(module)) << llvm::toString(module.takeError());
  std::vector<std::pair<StringRef, StringRef>> expected = {
      {"input", "linalg.add"},
      {"lowered", "llvm.func @_mlir_ciface_add"},
      {"llvm", "define void @_mlir_ciface_add"},
      {"asm", "_mlir_ciface_add:"}};
  ASSERT_EQ(CompiledModule::getIRStages().size(), expected.size());
  for (auto [stage, needle] : expected) {
    EXPECT_TRUE(llvm::is_contained(CompiledModule::getIRStages(), stage));
    auto text = (*module)->getIR(stage);
    ASSERT_TRUE(static_cast<bool>(text)) << llvm::toString(text.takeError());
    EXPECT_NE(text->find(needle.str()), std::string::npos) << stage.str();
  }
  auto unknown = (*module)->getIR("tosa");
  ASSERT_FALSE(static_cast<bool>(unknown));
  EXPECT_EQ(llvm::toString(unknown.takeError()),
            "unknown IR stage 'tosa': expected one of input, lowered, llvm, "
            "asm");
}
