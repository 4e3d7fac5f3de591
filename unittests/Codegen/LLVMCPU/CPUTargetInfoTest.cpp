//===- TargetInfoTest.cpp - CPUTargetInfo -----------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"

#include "gtest/gtest.h"

using namespace mlir::attn;

TEST(CPUTargetInfo, NamedAVX512CPU) {
  CPUTargetInfo info = CPUTargetInfo::get("skylake-avx512");
  EXPECT_EQ(info.cpu, "skylake-avx512");
  EXPECT_EQ(info.vectorBits, 512);
  EXPECT_EQ(info.lanes(), 16);
  EXPECT_FALSE(info.hasAMXBF16);
  EXPECT_NE(info.features.find("+avx512f"), std::string::npos);
  // At most 24 zmm accumulators per micro-kernel: within the 32 registers
  // with the loaded and broadcast operands.
  for (bool restrictsKeys : {true, false}) {
    const CPUTargetInfo::RegisterTiles &tiles =
        info.registerTiles(restrictsKeys);
    EXPECT_LE(tiles.qkRows * tiles.qkVectors, 24);
    EXPECT_LE(tiles.pvRows * tiles.pvVectors, 24);
  }
  EXPECT_TRUE(info.hasAVX512);
  // Ops without window or chunk take the larger query block and tiles.
  EXPECT_EQ(info.queryBlock(/*restrictsKeys=*/true), info.blockQ);
  EXPECT_EQ(info.queryBlock(/*restrictsKeys=*/false), info.blockQDense);
  EXPECT_GE(info.blockQDense, info.blockQ);
  EXPECT_EQ(&info.registerTiles(/*restrictsKeys=*/true), &info.tiles);
  EXPECT_EQ(&info.registerTiles(/*restrictsKeys=*/false), &info.denseTiles);
  EXPECT_GE(info.denseTiles.qkRows * info.denseTiles.qkVectors,
            info.tiles.qkRows * info.tiles.qkVectors);
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
  for (bool restrictsKeys : {true, false}) {
    const CPUTargetInfo::RegisterTiles &tiles =
        info.registerTiles(restrictsKeys);
    EXPECT_LE(tiles.qkRows * tiles.qkVectors, 8);
    EXPECT_LE(tiles.pvRows * tiles.pvVectors, 8);
  }
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
