// RUN: attn-opt %s --attn-cpu-pipeline -split-input-file -verify-diagnostics

// Ops without a code-generation path stop the pipeline with a message that
// names them, before bufferization.

func.func @compose_not_lowered(%s: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'attn.compose' op has no code-generation path yet (lowered today: attn.attention, attn.sliding_window_attention, attn.deformable_sample and attn.ms_deform_attn)}}
  %c = attn.compose %s : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  return %c : tensor<1x2x3x3xf32>
}

// -----

// The gathers of the sampling ops take static level sizes.
func.func @deformable_sample_dynamic_map(%x: tensor<1x?x4x8xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x2x8xf32> {
  // expected-error @+1 {{'attn.deformable_sample' op has no code-generation path for a dynamic input height or width}}
  %s = attn.deformable_sample %x, %g : tensor<1x?x4x8xf32>, tensor<1x2x2x2xf32> -> tensor<1x2x2x8xf32>
  return %s : tensor<1x2x2x8xf32>
}
