//===- TargetInfo.cpp - hardware parameters of code generation --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Target/TargetInfo.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

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
  } else {
    // 16 registers: 4x2 accumulators.
    info.tiles = info.denseTiles = {4, 2, 4, 2};
  }
  return info;
}
