// The arithmetic unit of bf16 attention on the CPU (--unit; the lowering
// config's `unit`): attn-run --verbose reports the CPU's vector features and
// each attention op's config; attn-compile emits vdpbf16ps for a CPU with
// AVX512-BF16 whatever the host is.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x2x40x6 bf16 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 1x2x13x6 bf16 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x2x13x5 bf16 --seed 3

// RUN: attn-run %s --input=bf16:@%t/q.npy --input=bf16:@%t/k.npy --input=bf16:@%t/v.npy --unit=bf16_dot_emulated --verbose --output=@%t/o.npy 2>&1 | FileCheck %s --check-prefix=VERBOSE
// VERBOSE: attn-run: cpu {{.+}} (this machine): avx2{{.*}}, avx512bf16{{.*}}, amx-bf16
// VERBOSE: attn-run: {{.*}}attn-run-unit.mlir:{{[0-9]+}}:8: attn.attention: unit bf16_dot_emulated, #attn.lowering_config<{{.*}}, unit = bf16_dot_emulated>

// The same numbers as the float64 reference, within bf16 rounding of P.
// RUN: attn-run %s --input=bf16:@%t/q.npy --input=bf16:@%t/k.npy --input=bf16:@%t/v.npy --backend=reference --output=@%t/ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check bf16:%t/o.npy "r" r=bf16:%t/ref.npy --dtype uint16 --tol 2e-2 | FileCheck %s --check-prefix=CLOSE
// CLOSE: OK o.npy shape=1x2x40x5

// RUN: not attn-run %s --input=bf16:@%t/q.npy --input=bf16:@%t/k.npy --input=bf16:@%t/v.npy --unit=bf16 2>&1 | FileCheck %s --check-prefix=BADUNIT
// BADUNIT: attn-run: error: invalid --unit='bf16': expected auto, f32, bf16_dot, bf16_dot_emulated, amx or amx_emulated

// A CPU with AVX512-BF16 (Zen 4 and later, Sapphire Rapids) gets bf16_dot
// (vdpbf16ps; P rounded by vcvtneps2bf16); a library for an AVX2 CPU widens
// to f32.
// attn-compile --verbose reports the choice for the CPU it compiles for.
// RUN: attn-compile %s --cpu=znver4 --verbose --emit=mlir -o %t/zen4.mlir 2>&1 | FileCheck %s --check-prefix=VERBOSE-ZEN4
// VERBOSE-ZEN4: attn-compile: cpu znver4: avx2, fma, avx512f, avx512bf16, avx512fp16 no, amx-bf16 no
// VERBOSE-ZEN4: attn-compile: {{.*}}attn-run-unit.mlir:{{[0-9]+}}:8: attn.attention: unit bf16_dot, #attn.lowering_config<{{.*}}, unit = bf16_dot>
// RUN: attn-compile %s --cpu=znver4 --emit=asm -o - | FileCheck %s --check-prefix=ZEN4
// ZEN4-DAG: vcvtneps2bf16
// ZEN4-DAG: vdpbf16ps
// RUN: attn-compile %s --cpu=sapphirerapids --emit=asm -o - | FileCheck %s --check-prefix=SPR
// SPR: vdpbf16ps
// The AMX unit, on request: tile loads, tdpbf16ps, and the tile
// configuration that LLVM inserts.
// RUN: attn-compile %s --cpu=sapphirerapids --unit=amx --emit=asm -o - | FileCheck %s --check-prefix=AMX
// AMX-DAG: ldtilecfg
// AMX-DAG: tileloadd
// AMX-DAG: tdpbf16ps
// AMX-DAG: tilestored
// A library with AMX code asks Linux for the tile state in its entry
// points (and says so in attn_last_error() when refused); others do not.
// RUN: attn-compile %s --cpu=sapphirerapids --unit=amx -o %t/amx.so
// RUN: grep -a -o "Linux refused the AMX tile state" %t/amx.so | FileCheck %s --check-prefix=AMXLIB
// AMXLIB: Linux refused the AMX tile state
// RUN: attn-compile %s --cpu=sapphirerapids -o %t/dot.so
// RUN: not grep -a -q "AMX tile state" %t/dot.so
// RUN: attn-compile %s --cpu=x86-64-v3 --emit=asm -o - | FileCheck %s --check-prefix=AVX2
// AVX2-NOT: vdpbf16ps
// AVX2: vfmadd
// AVX2-NOT: vdpbf16ps

func.func @main(%q: tensor<1x2x40x6xbf16>, %k: tensor<1x2x13x6xbf16>,
                %v: tensor<1x2x13x5xbf16>) -> tensor<1x2x40x5xbf16> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x2x40x6xbf16>, tensor<1x2x13x6xbf16>, tensor<1x2x13x5xbf16> -> tensor<1x2x40x5xbf16>
  return %o : tensor<1x2x40x5xbf16>
}
