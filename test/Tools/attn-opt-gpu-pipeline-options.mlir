// Invalid --attn-gpu-pipeline options stop with one line that names the
// option and what it takes (the module is not printed).
// RUN: not attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_99z" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not attn-opt %s --attn-gpu-pipeline="target=spirv tensor-cores=wgmma" 2>&1 | FileCheck %s --check-prefix=SPIRV
// RUN: not attn-opt %s --attn-gpu-pipeline="target=cuda" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_80 tensor-cores=wgmma" 2>&1 | FileCheck %s --check-prefix=WGMMA

// CHIP: error: invalid --attn-gpu-pipeline chip='sm_99z': expected an NVIDIA SM name such as sm_80, sm_90 or sm_90a
// CHIP-NOT: see current operation
// SPIRV: error: --attn-gpu-pipeline tensor-cores=wgmma needs target=nvvm (chip=sm_90a): on SPIR-V the emulated warpgroup products need the Vector16 capability
// TARGET: error: invalid --attn-gpu-pipeline target='cuda': expected nvvm or spirv
// TARGET-NOT: see current operation
// WGMMA: error: --attn-gpu-pipeline tensor-cores=wgmma needs chip=sm_90a, found chip='sm_80'
func.func @main(%q: tensor<1x2x16x32xf16>, %k: tensor<1x2x16x32xf16>, %v: tensor<1x2x16x32xf16>) -> tensor<1x2x16x32xf16> {
  %o = attn.attention %q, %k, %v : tensor<1x2x16x32xf16>, tensor<1x2x16x32xf16>, tensor<1x2x16x32xf16> -> tensor<1x2x16x32xf16>
  return %o : tensor<1x2x16x32xf16>
}
