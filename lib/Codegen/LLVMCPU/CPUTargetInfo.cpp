//===- CPUTargetInfo.cpp - CPU parameters of code generation ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace mlir;
using namespace mlir::attn;

CPUTargetInfo CPUTargetInfo::get(llvm::StringRef cpu) {
  CPUTargetInfo info;
  llvm::StringSet<> enabled;
  if (cpu.empty() || cpu == "native") {
    info.cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      if (feature.second)
        enabled.insert(feature.first());
  } else {
    info.cpu = cpu.str();
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(cpu, features);
    for (llvm::StringRef f : features)
      enabled.insert(f);
  }
  llvm::SmallVector<std::string> list;
  for (const auto &f : enabled)
    list.push_back("+" + f.first().str());
  llvm::sort(list);
  info.features = llvm::join(list, ",");

  if (enabled.contains("avx512f"))
    info.vectorBits = 512;
  else if (enabled.contains("avx2") && enabled.contains("fma"))
    info.vectorBits = 256;
  info.hasAVX512 = enabled.contains("avx512f");
  info.hasAMXBF16 = enabled.contains("amx-bf16");
  info.hasAVX512BF16 = enabled.contains("avx512bf16");

  if (info.vectorBits == 512) {
    // 32 zmm registers. Whole visible blocks (every block of dense ops):
    // 6x4 and 6x4 tiles (24 accumulators, 10 loads per 24 FMAs instead of
    // 10 and 8 per 16): 6-9% less time in the VM's slow phases (when the
    // other tenant of the core competes for loads and cache), the same in
    // its fast ones (interleaved A/B at (1,16,1024,128) and (1,12,2048,64)).
    // Partial blocks of ops that restrict keys keep 8x2 and 4x4: with the
    // big tiles everywhere, causal D = 64 and the window measured -2%/-3%
    // (64-key chunks and 6-row groups waste more on invisible keys); with
    // the split, causal +1.5% (D = 64) and +3.7% (D = 128), window +3.5%.
    info.tiles = {/*qkRows=*/8, /*qkVectors=*/2, /*pvRows=*/4,
                  /*pvVectors=*/4};
    info.denseTiles = {6, 4, 6, 4};
    // Query rows per tile (bench/ab_compare.py, 2 threads). 128 rows instead
    // of 64 pack each key block for twice the rows: 2.5-3.7% less time on
    // every shape (non-causal and causal L = 512-2048, window 512 at
    // L = 4096). 256 instead of 128 take 2-3.5% less again where every row
    // sees every key ((1,12,{512,2048,4096},64), (1,8,2048,128)), but 3-4%
    // more for causal L = 512 and the window, whose partial blocks grow with
    // the tile; so 256 for those ops only.
    // 128 = blockK: a causal tile's diagonal lies in one key block. 120
    // (whole groups of the 8-, 6- and 4-row tiles; the last 6-row group of
    // 128 rows repeats 4) measured 0.7% (D = 64) and 8% (D = 128, in slow
    // phases; the best calls equal) slower causal, the window the same;
    // 240: causal D = 64 +1.5% over 120, window -5.4%.
    info.blockQ = 128;
    info.blockQDense = 256;
    // 12 rows x 2 zmm: 24 accumulators, 2 B loads and 12 broadcasts per 24
    // FMAs (the 12x32x4 tile of ../shared/notes/mlir22-cpu-recipes.md).
    info.matmulTiles = {/*rows=*/12, /*cols=*/32, /*depth=*/4,
                        /*cacheRows=*/96, /*cacheCols=*/128,
                        /*cacheDepth=*/256};
  } else {
    // 16 registers: 4x2 accumulators.
    info.tiles = info.denseTiles = {4, 2, 4, 2};
    // 6 rows x 2 ymm: 12 accumulators + 2 B vectors + 1 broadcast of the
    // 16 registers (the Haswell sgemm kernel's shape). K unrolled by 16:
    // 197x768x3072 took 7.1-8.9 ms against 10.9-13.5 with 4 (2 threads,
    // interleaved runs on the AVX2 VM); 1024^3 13.4-15.4 against 14.4-15.0.
    if (info.vectorBits == 256)
      info.matmulTiles = {6, 16, 16, 48, 128, 256};
  }
  return info;
}

/// 2^x as the online softmax needs it (its exponents are <= 0, with log2(e)
/// folded into the scale as in FlashAttention-2): x = n + f with n =
/// roundeven(x) and |f| <= 1/2; 2^f is a degree-5 polynomial (coefficients
/// fitted for relative error on [-1/2, 1/2]; max relative error 2.4e-7 in
/// f32) and 2^n is applied with AVX-512's vscalefps or, on other targets,
/// put into the exponent bits. Lanes with x <= -125 (masked keys are -inf)
/// give exactly 0 without computing anything tiny: results below 2^-126
/// (denormal or flushed to 0) take a microcode assist of ~100+ cycles per
/// instruction on x86 unless FTZ is set, which made the exponentiation of
/// partial blocks (-inf lanes) 9.5% of a sliding-window kernel. With
/// AVX-512 those lanes are masked off in vscalefps (masked lanes raise no
/// exceptions, hence no assist); the exponent-bit path clamps at -125 and
/// selects 0. NaN lanes give NaN. 11-13 vector instructions, about half of
/// math.exp's polynomial approximation.
Value CPUTargetInfo::exp2(OpBuilder &b, Location loc, Value x) const {
  auto vecF32 = dyn_cast<VectorType>(x.getType());
  int64_t w = lanes();
  if (!vecF32 || vecF32.getRank() != 1 || vecF32.getDimSize(0) != w ||
      !vecF32.getElementType().isF32())
    return TargetInfoBase::exp2(b, loc, x);
  static constexpr double kCoeffs[] = {1.0000001192092896,  0.6931469440460205,
                                       0.24022120237350464, 0.05550713092088699,
                                       0.009675540961325169, 0.001327647129073739};
  constexpr double kLowest = -125.0; // 0.7 * 2^-125 is still a normal float
  auto vConst = [&](double v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecF32, b.getF32FloatAttr(v)));
  };
  // NaN lanes are kept (unordered compare) and stay NaN through the clamp
  // (maximumf propagates NaN), as math.exp2 and the linalg decomposition
  // give them: a NaN in an additive mask makes its row NaN, as in PyTorch.
  Value keep = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGT, x,
                                     vConst(kLowest));
  bool useScaleF = hasAVX512 && w == 16;
  if (!useScaleF)
    x = arith::MaximumFOp::create(b, loc, x, vConst(kLowest));
  Value n = math::RoundEvenOp::create(b, loc, x);
  Value f = arith::SubFOp::create(b, loc, x, n);
  Value p = vConst(kCoeffs[5]);
  for (int i = 4; i >= 0; --i)
    p = vector::FMAOp::create(b, loc, p, f, vConst(kCoeffs[i]));
  if (useScaleF) {
    // The lane mask as vscalefps's i16 write mask.
    Value k = vector::ExtractOp::create(
        b, loc,
        vector::BitCastOp::create(
            b, loc, VectorType::get({1}, b.getI16Type()), keep),
        ArrayRef<int64_t>{0});
    Value currentRounding =
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(4));
    // x86vector.avx512.mask.scalef passes its operands to
    // llvm.x86.avx512.mask.scalef.ps.512(a, b, passthru, k, rounding) in
    // the op's own order (src, a, b, ...) in MLIR 22, so the value to scale
    // goes in `src`, the exponent in `a` and the pass-through (0 for the
    // masked-off lanes) in `b`.
    return x86vector::MaskScaleFOp::create(b, loc, /*src=*/p, /*a=*/n,
                                           /*b=*/vConst(0.0), k,
                                           currentRounding);
  }
  auto vecI32 = VectorType::get({w}, b.getI32Type());
  auto i32Const = [&](int32_t c) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecI32, b.getI32IntegerAttr(c)));
  };
  Value bits = arith::ShLIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, arith::FPToSIOp::create(b, loc, vecI32, n),
                            i32Const(127)),
      i32Const(23));
  Value r = arith::MulFOp::create(
      b, loc, p, arith::BitcastOp::create(b, loc, vecF32, bits));
  return arith::SelectOp::create(b, loc, keep, r, vConst(0.0));
}
