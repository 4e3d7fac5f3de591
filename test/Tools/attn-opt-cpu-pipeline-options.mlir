// Invalid --attn-cpu-pipeline options stop with one line that names the
// option and what it takes (the module is not printed); the tools check the
// same options (attn-run-errors.test).
// RUN: not attn-opt %s --attn-cpu-pipeline="num-threads=99999" 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not attn-opt %s --attn-cpu-pipeline="num-threads=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: not attn-opt %s --attn-cpu-pipeline="gather-block-q=0" 2>&1 | FileCheck %s --check-prefix=GATHER
// RUN: not attn-opt %s --attn-cpu-pipeline="dcmha-block-q=257" 2>&1 | FileCheck %s --check-prefix=DCMHA
// RUN: not attn-opt %s --attn-cpu-pipeline="target-cpu=pentium9000" 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: attn-opt %s --attn-cpu-pipeline="num-threads=1024 target-cpu=x86-64-v3" | FileCheck %s --check-prefix=VALID
// RUN: not attn-opt %s --attn-gpu-pipeline="target=spirv block-q=-1" 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not attn-opt %s --attn-gpu-pipeline="target=spirv format=none block-k=9223372036854775807" 2>&1 | FileCheck %s --check-prefix=GPU-HUGE
// RUN: not attn-opt %s --attn-convert-to-online --attn-tile="split-keys=9223372036854775807" 2>&1 | FileCheck %s --check-prefix=SPLIT
// RUN: not attn-opt %s --attn-gpu-map-gather="max-threads=33" 2>&1 | FileCheck %s --check-prefix=GATHER-THREADS

// THREADS: error: invalid --attn-cpu-pipeline num-threads=99999: expected 0 to 1024 (0 = OpenMP's default)
// THREADS-NOT: see current operation
// NEGATIVE: error: invalid --attn-cpu-pipeline num-threads=-1: expected 0 to 1024
// GATHER: error: invalid --attn-cpu-pipeline gather-block-q=0: expected 1 to 1048576
// DCMHA: error: invalid --attn-cpu-pipeline dcmha-block-q=257: expected 1 to 256
// CPU: error: invalid --attn-cpu-pipeline target-cpu='pentium9000': expected 'native' or an x86 CPU name LLVM knows
// VALID: llvm.func @main
// GPU: error: expected block-q and block-k in [0, 4096] and max-threads in [32, 4096], found block-q=-1, block-k=0, max-threads=128
// GPU-HUGE: error: expected block-q and block-k in [0, 4096] and max-threads in [32, 4096], found block-q=0, block-k=9223372036854775807
// SPLIT: error: expected split-keys in [0, 4096] and block-q in [0, 4096] (0 = chosen per op), found split-keys=9223372036854775807
// GATHER-THREADS: error: expected max-threads to be a positive multiple of 32, found 33
func.func @main(%q: tensor<1x2x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32> {
  %o = attn.attention %q, %k, %v : tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x16x32xf32>
  return %o : tensor<1x2x16x32xf32>
}
