//===- TargetInfoTest.cpp - CPUTargetInfo -----------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Target/TargetInfo.h"

#include "gtest/gtest.h"

using namespace mlir::attn;

TEST(CPUTargetInfo, NamedAVX512CPU) {
  CPUTargetInfo info = CPUTargetInfo::get("skylake-avx512");
  EXPECT_EQ(info.cpu, "skylake-avx512");
  EXPECT_EQ(info.vectorBits, 512);
  EXPECT_EQ(info.lanes(), 16);
  EXPECT_FALSE(info.hasAMXBF16);
  EXPECT_NE(info.features.find("+avx512f"), std::string::npos);
  // 16 zmm accumulators in each micro-kernel: within the 32 registers.
  EXPECT_LE(info.qkRows * info.qkVectors, 24);
  EXPECT_LE(info.pvRows * info.pvVectors, 24);
  EXPECT_TRUE(info.hasAVX512);
  // Ops without window or chunk take the larger query block.
  EXPECT_EQ(info.queryBlock(/*restrictsKeys=*/true), info.blockQ);
  EXPECT_EQ(info.queryBlock(/*restrictsKeys=*/false), info.blockQDense);
  EXPECT_GE(info.blockQDense, info.blockQ);
}

TEST(CPUTargetInfo, NamedAMXCPU) {
  CPUTargetInfo info = CPUTargetInfo::get("sapphirerapids");
  EXPECT_EQ(info.vectorBits, 512);
  EXPECT_TRUE(info.hasAMXBF16);
}

TEST(CPUTargetInfo, NamedAVX2CPU) {
  CPUTargetInfo info = CPUTargetInfo::get("haswell");
  EXPECT_EQ(info.vectorBits, 256);
  EXPECT_EQ(info.lanes(), 8);
  EXPECT_FALSE(info.hasAVX512);
  // 16 ymm registers: at most 8 accumulators per micro-kernel.
  EXPECT_LE(info.qkRows * info.qkVectors, 8);
  EXPECT_LE(info.pvRows * info.pvVectors, 8);
}

TEST(CPUTargetInfo, BaselineAndUnknownCPUs) {
  EXPECT_EQ(CPUTargetInfo::get("x86-64").vectorBits, 128);
  EXPECT_EQ(CPUTargetInfo::get("no-such-cpu").vectorBits, 128);
}

TEST(CPUTargetInfo, NativeIsTheHost) {
  CPUTargetInfo native = CPUTargetInfo::get("native");
  EXPECT_FALSE(native.cpu.empty());
  EXPECT_NE(native.cpu, "native");
  EXPECT_EQ(CPUTargetInfo::get("").cpu, native.cpu);
  // Blocks are multiples of the vector width the kernels step by.
  EXPECT_EQ(native.blockK % native.lanes(), 0);
}
