//===- CPUTargetInfo.h - CPU parameters of code generation ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The x86 CPU target of code generation: its hardware facts (vector width,
// features), the default block sizes and register tiles that the lowering
// config starts from (KernelDispatch.h chooses per op among them and writes
// the choice into the IR), and its IR primitives (the TargetInfoBase
// interface, as Triton's TargetInfoBase: exp2 with vscalefps).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_CPUTARGETINFO_H
#define ATTN_CODEGEN_LLVMCPU_CPUTARGETINFO_H

#include "attn/Codegen/Common/TargetInfoBase.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace mlir::attn {

/// Code-generation parameters and IR primitives of the attention kernel on
/// an x86 CPU.
struct CPUTargetInfo : public TargetInfoBase {
  /// LLVM CPU name the code is generated for (e.g. "sapphirerapids").
  std::string cpu;
  /// Comma-separated LLVM target features ("+avx512f,...") for that CPU.
  std::string features;
  /// Widest usable vector register in bits (512 AVX-512, 256 AVX2, 128 SSE).
  int64_t vectorBits = 128;
  /// Whether AVX-512F is available (vscalefps, 16 f32 lanes).
  bool hasAVX512 = false;
  /// Whether AVX512-BF16 is available (vdpbf16ps, vcvtneps2bf16: Cooper
  /// Lake, Sapphire Rapids, Zen 4 and later).
  bool hasAVX512BF16 = false;
  /// Whether AMX tiles with bf16 are available (Sapphire Rapids and later).
  bool hasAMXBF16 = false;

  // Default sizes of the lowering config (selectLoweringConfig); the kernel
  // works on a copy with the op's config applied (applyLoweringConfig).

  /// Query rows per tile (the parallel unit of work) of ops whose window or
  /// chunk hides keys from some rows (causal, sliding window, chunked).
  int64_t blockQ = 64;
  /// Query rows per tile of ops where every row sees every key: more rows
  /// per packed key block, and no partial blocks to waste them on.
  int64_t blockQDense = 64;
  /// Keys per inner block (the online-softmax step): the scores of a
  /// `blockQ x blockK` tile stay in L1/L2.
  int64_t blockK = 128;
  /// Keys per inner block of split-K (decode) tiles, which stream K and V
  /// from DRAM and prefetch one block ahead: 64 took 4% less time than 128
  /// on both decode rows of docs/benchmarks.md (AVX2 VM, interleaved A/B,
  /// 2 threads); 32 was within 1-4% of 64.
  int64_t decodeBlockK = 64;
  /// Register tiles of the kernel's two matmuls (at most ~24 accumulators
  /// on 32 registers).
  struct RegisterTiles {
    /// S = Q K^T: `qkRows` query rows x `qkVectors` vectors of keys.
    int64_t qkRows = 4, qkVectors = 2;
    /// O += P V: `pvRows` query rows x `pvVectors` vectors of Dv.
    int64_t pvRows = 4, pvVectors = 2;
  };
  /// Tiles of the partial key blocks of ops that restrict keys (see
  /// blockQ): a tile computes all its rows and key vectors, so smaller
  /// tiles waste less on invisible keys there.
  RegisterTiles tiles;
  /// Tiles of key blocks that every row of the query block sees whole (all
  /// blocks of ops without window or chunk).
  RegisterTiles denseTiles;
  /// Unroll factor of the reduction (head dim) loop of the Q K^T tile.
  int64_t qkUnroll = 4;

  /// Tiles of the upstream matmuls (-attn-vectorize-matmuls), in elements:
  /// register tile rows x columns x reduction unroll (rows x columns / lanes
  /// accumulators, at most ~24 of 32 registers, 12 of 16), and the cache
  /// tile: `matmulCacheRows` x `matmulCacheCols` of C per thread task, with
  /// `matmulCacheDepth` of the reduction per pass over it (its B panel,
  /// depth x cols floats, stays in L2).
  struct MatmulTiles {
    int64_t rows = 4, cols = 8, depth = 4;
    int64_t cacheRows = 64, cacheCols = 128, cacheDepth = 256;
  };
  MatmulTiles matmulTiles;

  /// Query rows per tile for an op that restricts keys (see blockQ) or not.
  int64_t queryBlock(bool restrictsKeys) const {
    return restrictsKeys ? blockQ : blockQDense;
  }
  /// Register tiles of the partial blocks of an op that restricts keys or
  /// of every block of one that does not.
  const RegisterTiles &registerTiles(bool restrictsKeys) const {
    return restrictsKeys ? tiles : denseTiles;
  }

  /// The largest static head dims D and Dv the vector kernel takes (it
  /// unrolls over Dv's vectors); larger ones go through -attn-decompose.
  static constexpr int64_t kMaxHeadDim = 4096;

  /// f32 lanes per vector register.
  int64_t lanes() const override { return vectorBits / 32; }

  /// 2^x for x <= 127 on vectors of `lanes()` f32 (other types: math.exp2):
  /// x = n + f with n = roundeven(x), a degree-5 polynomial for 2^f
  /// (relative error 2.4e-7) and 2^n applied with AVX-512's vscalefps or put
  /// into the exponent bits; lanes with x <= -125 (masked keys are -inf)
  /// give exactly 0 without denormal arithmetic.
  Value exp2(OpBuilder &b, Location loc, Value x) const override;

  /// Parameters for `cpu` ("native" or "" = the host CPU, else an LLVM CPU
  /// name such as "skylake-avx512", "znver4", "x86-64-v3"). Unknown names
  /// give the conservative 128-bit defaults.
  static CPUTargetInfo get(llvm::StringRef cpu);
};

} // namespace mlir::attn

#endif // ATTN_CODEGEN_LLVMCPU_CPUTARGETINFO_H
