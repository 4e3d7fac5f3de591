// attn ops without a GPU mapping stop --attn-gpu-pipeline with an error
// naming the op (-attn-gpu-check-mappable, its first pass), instead of
// staying in host code.
// RUN: attn-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(attn-gpu-check-mappable))'
// RUN: attn-opt %s -split-input-file -verify-diagnostics --attn-gpu-pipeline="target=spirv format=none"

// A thread of the DCMHA mapping holds the H x Dv accumulators of its row.
func.func @dcmha_too_many_accumulators(%q: tensor<1x16x16x16xf32>, %g: tensor<1x16x16xf32>) -> tensor<1x16x16x16xf32> {
  // expected-error @below {{'attn.dcmha' op has no GPU mapping for H x Dv = 16 x 16 (a thread holds the accumulators of all heads in registers: at most 128); --attn-cpu-pipeline and the reference evaluator (attn-run --backend=reference) run it}}
  %o = attn.dcmha %q, %q, %q pre(query_gate(%g)) {causal}
      : tensor<1x16x16x16xf32>, tensor<1x16x16x16xf32>, tensor<1x16x16x16xf32>, tensor<1x16x16xf32>
      -> tensor<1x16x16x16xf32>
  return %o : tensor<1x16x16x16xf32>
}

// -----

func.func @dcmha_without_groups(%q: tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> {
  // expected-error @below {{'attn.dcmha' op has no GPU mapping without compose groups (it is plain attention: write attn.attention or attn.sliding_window_attention); --attn-cpu-pipeline and the reference evaluator}}
  %o = attn.dcmha %q, %q, %q {causal}
      : tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32> -> tensor<1x4x16x16xf32>
  return %o : tensor<1x4x16x16xf32>
}

// -----

func.func @dcmha_dynamic_head_dim(%q: tensor<1x4x16x?xf32>, %g: tensor<1x16x4xf32>) -> tensor<1x4x16x?xf32> {
  // expected-error @below {{'attn.dcmha' op has no GPU mapping for dynamic head dims D or Dv (the kernel holds the accumulators in registers), found 'tensor<1x4x16x?xf32>' and 'tensor<1x4x16x?xf32>'}}
  %o = attn.dcmha %q, %q, %q post(query_gate(%g))
      : tensor<1x4x16x?xf32>, tensor<1x4x16x?xf32>, tensor<1x4x16x?xf32>, tensor<1x16x4xf32>
      -> tensor<1x4x16x?xf32>
  return %o : tensor<1x4x16x?xf32>
}

// -----

func.func @compose_dynamic_heads(%s: tensor<1x?x8x8xf32>, %g: tensor<1x8x?xf32>) -> tensor<1x?x8x8xf32> {
  // expected-error @below {{'attn.compose' op has no GPU mapping for a dynamic head count H (the kernel unrolls over heads), found 'tensor<1x?x8x8xf32>'; --attn-cpu-pipeline and the reference evaluator}}
  %c = attn.compose %s query_gate(%g) : tensor<1x?x8x8xf32>, tensor<1x8x?xf32> -> tensor<1x?x8x8xf32>
  return %c : tensor<1x?x8x8xf32>
}

// -----

func.func @compose_dynamic_rank(%s: tensor<1x4x8x8xf32>, %w1: tensor<1x8x?x4xf32>, %w2: tensor<1x8x?x4xf32>)
    -> tensor<1x4x8x8xf32> {
  // expected-error @below {{'attn.compose' op has no GPU mapping for a dynamic compose rank (dim 2 of 'tensor<1x8x?x4xf32>')}}
  %c = attn.compose %s key_weights(%w1, %w2)
      : tensor<1x4x8x8xf32>, tensor<1x8x?x4xf32>, tensor<1x8x?x4xf32> -> tensor<1x4x8x8xf32>
  return %c : tensor<1x4x8x8xf32>
}

// -----

func.func @msda_dynamic_points(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x?x2xf32>, %w: tensor<1x5x2x2x?xf32>)
    -> tensor<1x5x16xf32> {
  // expected-error @below {{'attn.ms_deform_attn' op has no GPU mapping for a dynamic head count M or point count P (workgroup memory is sized by them)}}
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
      : tensor<1x30x2x8xf32>, tensor<1x5x2x2x?x2xf32>, tensor<1x5x2x2x?xf32> -> tensor<1x5x16xf32>
  return %o : tensor<1x5x16xf32>
}

// -----

// Launch sizes and device buffers are static: a dynamic sequence length is
// refused at the op, not as a kernel operand deep in the pipeline.
func.func @attention_dynamic_length(%q: tensor<1x4x?x32xf32>, %k: tensor<1x4x?x32xf32>, %v: tensor<1x4x?x32xf32>) -> tensor<1x4x?x32xf32> {
  // expected-error @below {{'attn.attention' op has no GPU mapping for dynamic shapes (kernel launches and device buffers are sized statically), found 'tensor<1x4x?x32xf32>'; --attn-cpu-pipeline and the reference evaluator}}
  %o = attn.attention %q, %k, %v : tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32>, tensor<1x4x?x32xf32> -> tensor<1x4x?x32xf32>
  return %o : tensor<1x4x?x32xf32>
}
