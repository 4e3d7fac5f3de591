//===- AOTTest.cpp - shared-library metadata and header helpers -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// What attn-compile embeds in a shared library and `attn-run --module`
// reads back (the `__attn_library_info` text), the header's link flag and
// the names it can declare; the libraries themselves are tested end to end
// by test/Tools/attn-compile-deploy.mlir and attn-run-module.mlir.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/AOT.h"
#include "attn/Runtime/CHeader.h"

#include "mlir/IR/BuiltinTypes.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::attn;

static TensorSpec spec(ElementType type, ArrayRef<int64_t> shape) {
  TensorSpec result;
  result.elementType = type;
  result.shape.assign(shape.begin(), shape.end());
  return result;
}

TEST(LibraryInfo, RoundTrips) {
  LibraryInfo info;
  info.cpu.flag = "native";
  info.cpu.name = "znver3";
  info.cpu.features = {"avx2", "fma"};
  FunctionSignature attention;
  attention.name = "main";
  attention.arguments = {
      spec(ElementType::F32, {ShapedType::kDynamic, 4, 16, 8}),
      spec(ElementType::BF16, {1, 2})};
  attention.results = {spec(ElementType::F16, {}),
                       spec(ElementType::I1, {0, 3})};
  attention.flops = 123456789012.5;
  FunctionSignature unsupported;
  unsupported.name = "odd name";
  unsupported.unsupportedReason = "argument #0 has type 'index'; only\nranked";
  info.functions = {attention, unsupported};

  std::string text = formatLibraryInfo(info);
  llvm::Expected<LibraryInfo> parsed = parseLibraryInfo(text);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->cpu.flag, "native");
  EXPECT_EQ(parsed->cpu.name, "znver3");
  EXPECT_EQ(parsed->cpu.features, info.cpu.features);
  ASSERT_EQ(parsed->functions.size(), 2u);
  const FunctionSignature &main = parsed->functions[0];
  EXPECT_EQ(main.name, "main");
  ASSERT_EQ(main.arguments.size(), 2u);
  EXPECT_EQ(main.arguments[0].str(), "tensor<?x4x16x8xf32>");
  EXPECT_EQ(main.arguments[1].str(), "tensor<1x2xbf16>");
  ASSERT_EQ(main.results.size(), 2u);
  EXPECT_EQ(main.results[0].str(), "tensor<f16>");
  EXPECT_EQ(main.results[1].str(), "tensor<0x3xi1>");
  ASSERT_TRUE(main.flops.has_value());
  EXPECT_EQ(*main.flops, 123456789012.5);
  EXPECT_TRUE(main.unsupportedReason.empty());
  EXPECT_EQ(parsed->functions[1].name, "odd name");
  EXPECT_EQ(parsed->functions[1].unsupportedReason,
            "argument #0 has type 'index'; only ranked");
}

TEST(LibraryInfo, RejectsMalformedText) {
  auto error = [](StringRef text) {
    llvm::Expected<LibraryInfo> parsed = parseLibraryInfo(text);
    return parsed ? std::string() : llvm::toString(parsed.takeError());
  };
  EXPECT_EQ(error("attn-library 2\n"),
            "unknown library info format: expected 'attn-library 1' as its "
            "first line");
  EXPECT_EQ(error("attn-library 1\narg tensor<2xf32>\n"),
            "malformed library info, line 2: 'arg tensor<2xf32>'");
  EXPECT_EQ(error("attn-library 1\nfunction f\narg tensor<2xq7>\n"),
            "malformed library info, line 3: 'arg tensor<2xq7>'");
  EXPECT_EQ(error("attn-library 1\nfunction f\nresult tensor<-2xf32>\n"),
            "malformed library info, line 3: 'result tensor<-2xf32>'");
  EXPECT_EQ(error("attn-library 1\nfunction f\nflops many\n"),
            "malformed library info, line 3: 'flops many'");
  EXPECT_EQ(error("attn-library 1\nsurprise\n"),
            "malformed library info, line 2: 'surprise'");
}

TEST(CHeader, LinkFlagNamesTheFile) {
  EXPECT_EQ(getLinkFlag("libvit.so"), "-lvit");
  EXPECT_EQ(getLinkFlag("vit.so"), "-l:vit.so");
  EXPECT_EQ(getLinkFlag("lib.so"), "-l:lib.so");
  EXPECT_EQ(getLinkFlag("libvit.so.1"), "-l:libvit.so.1");
}

TEST(CHeader, DeclaresOnlyCIdentifiers) {
  EXPECT_TRUE(isCIdentifier("attention_causal"));
  EXPECT_TRUE(isCIdentifier("_f2"));
  EXPECT_FALSE(isCIdentifier("2f"));
  EXPECT_FALSE(isCIdentifier("my.func"));
  EXPECT_FALSE(isCIdentifier("int"));
  EXPECT_FALSE(isCIdentifier("class"));
  EXPECT_TRUE(isReservedLibrarySymbol("attn_last_error"));
  EXPECT_TRUE(isReservedLibrarySymbol("__attn_invoke"));
  EXPECT_FALSE(isReservedLibrarySymbol("attention"));
}

TEST(CHeader, StatesTheCPU) {
  HostCPUDescription native;
  native.flag = "native";
  native.name = "sapphirerapids";
  native.features = {"avx512f", "amx-bf16"};
  CHeaderLibrary library;
  library.fileName = "libvit.so";
  library.cpu = native;
  library.runtimeLibraries = {"libomp.so.5"};
  std::string header = emitCHeader({}, "libvit", library);
  EXPECT_NE(header.find(" * Library: libvit.so\n"), std::string::npos);
  EXPECT_NE(header.find(" * Built for: --cpu=native (sapphirerapids), the CPU"),
            std::string::npos);
  EXPECT_NE(header.find("it may use: avx512f amx-bf16."), std::string::npos);
  EXPECT_NE(header.find("cc app.c -IDIR -LDIR -lvit -Wl,-rpath,'$ORIGIN'"),
            std::string::npos);
  EXPECT_NE(header.find("libvit.so needs libomp.so.5 from LLVM"),
            std::string::npos);
  HostCPUDescription portable;
  portable.flag = portable.name = "x86-64-v3";
  EXPECT_EQ(portable.str(), "--cpu=x86-64-v3");
}
