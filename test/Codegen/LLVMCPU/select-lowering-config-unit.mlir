// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config=target-cpu=znver4 | FileCheck %s --check-prefix=BF16
// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config=target-cpu=skylake-avx512 | FileCheck %s --check-prefix=NOBF16
// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=haswell unit=bf16_dot_emulated" | FileCheck %s --check-prefix=FORCED
// RUN: not attn-opt %s --attn-cpu-select-lowering-config="unit=bf16" 2>&1 | FileCheck %s --check-prefix=BADUNIT
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=haswell unit=bf16_dot" 2>&1 | FileCheck %s --check-prefix=MISSBF16
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=znver4 unit=amx" 2>&1 | FileCheck %s --check-prefix=MISSAMX

// The `unit` of the lowering config: bf16 pair dot products (bf16_dot,
// vdpbf16ps) for ops whose query, key and value are bf16 on a CPU with
// AVX512-BF16 (znver4, not skylake-avx512), except decode shapes (rows =
// queries x stacked GQA heads within one vector: the f32 kernel's transposed
// form, which is bandwidth-bound); f32 (the default, not printed) otherwise.
// The `unit` option overrides the choice for bf16 ops only.

// A forced unit that the target CPU lacks is an error at the user's op.
// MISSBF16: error: 'attn.attention' op unit = bf16_dot needs AVX512-BF16, which the target CPU 'haswell' does not have (bf16_dot_emulated runs the same kernel without it)
// MISSAMX: error: 'attn.attention' op unit = amx needs AMX-BF16, which the target CPU 'znver4' does not have (amx_emulated runs the same kernel without it)

// BADUNIT: error: invalid unit=bf16: expected auto, f32, bf16_dot, bf16_dot_emulated, amx or amx_emulated

// BF16-LABEL:   func.func @bf16_prefill(
// BF16:           lowering_config = #attn.lowering_config<{{.*}}, unit = bf16_dot>
// NOBF16-LABEL: func.func @bf16_prefill(
// NOBF16-NOT:     unit =
// NOBF16:         return
// FORCED-LABEL: func.func @bf16_prefill(
// FORCED:         lowering_config = #attn.lowering_config<{{.*}}, unit = bf16_dot_emulated>
func.func @bf16_prefill(%q: tensor<1x8x512x64xbf16>, %k: tensor<1x2x512x64xbf16>,
                        %v: tensor<1x2x512x64xbf16>) -> tensor<1x8x512x64xbf16> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x8x512x64xbf16>, tensor<1x2x512x64xbf16>, tensor<1x2x512x64xbf16> -> tensor<1x8x512x64xbf16>
  return %o : tensor<1x8x512x64xbf16>
}

// -----

// BF16-LABEL:   func.func @bf16_decode(
// BF16-NOT:       unit =
// BF16:           return
// FORCED-LABEL: func.func @bf16_decode(
// FORCED:         unit = bf16_dot_emulated
func.func @bf16_decode(%q: tensor<1x8x1x128xbf16>, %k: tensor<1x1x4096x128xbf16>,
                       %v: tensor<1x1x4096x128xbf16>) -> tensor<1x8x1x128xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x8x1x128xbf16>, tensor<1x1x4096x128xbf16>, tensor<1x1x4096x128xbf16> -> tensor<1x8x1x128xbf16>
  return %o : tensor<1x8x1x128xbf16>
}

// -----

// f16 and f32 keep the f32 unit (no AVX512-FP16 kernel yet: f16 is widened
// to f32), whatever the option says.
// BF16-LABEL:   func.func @f16(
// BF16-NOT:       unit =
// BF16:           return
// FORCED-LABEL: func.func @f16(
// FORCED-NOT:     unit =
// FORCED:         return
func.func @f16(%q: tensor<1x8x512x64xf16>) -> tensor<1x8x512x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x8x512x64xf16>, tensor<1x8x512x64xf16>, tensor<1x8x512x64xf16> -> tensor<1x8x512x64xf16>
  return %o : tensor<1x8x512x64xf16>
}
