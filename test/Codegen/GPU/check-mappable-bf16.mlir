// OpenCL SPIR-V has no bf16 type: the SPIR-V target refuses attn ops on
// bf16 values at the op (-attn-gpu-check-mappable{bf16=false}) instead of
// generating kernels that misread them; NVVM takes them.
// RUN: attn-opt %s -verify-diagnostics --attn-gpu-pipeline="target=spirv format=none"
// RUN: attn-opt %s -verify-diagnostics --pass-pipeline='builtin.module(func.func(attn-gpu-check-mappable{bf16=false}))'
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-check-mappable))' | FileCheck %s

// CHECK: attn.attention
func.func @attention_bf16(%q: tensor<1x1x4x16xbf16>) -> tensor<1x1x4x16xbf16> {
  // expected-error @below {{'attn.attention' op has no bf16 code for OpenCL SPIR-V (OpenCL has no bf16 type), found 'tensor<1x1x4x16xbf16>'; the nvvm target (CUDA), --attn-cpu-pipeline and the reference evaluator (attn-run --backend=reference) run it}}
  %o = attn.attention %q, %q, %q : tensor<1x1x4x16xbf16>, tensor<1x1x4x16xbf16>, tensor<1x1x4x16xbf16> -> tensor<1x1x4x16xbf16>
  return %o : tensor<1x1x4x16xbf16>
}
