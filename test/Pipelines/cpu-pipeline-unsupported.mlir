// RUN: attn-opt %s --attn-cpu-pipeline -split-input-file -verify-diagnostics

// Ops in forms without a code-generation path stop the pipeline with a
// message that names them, before bufferization. The DCMHA kernels unroll
// over heads and compose ranks and tile D and Dv.

func.func @compose_dynamic_heads(%s: tensor<1x?x3x3xf32>) -> tensor<1x?x3x3xf32> {
  // expected-error @+1 {{'attn.compose' op has no code-generation path for a dynamic head count H}}
  %c = attn.compose %s : tensor<1x?x3x3xf32> -> tensor<1x?x3x3xf32>
  return %c : tensor<1x?x3x3xf32>
}

// -----

func.func @compose_dynamic_rank(%s: tensor<1x2x3x3xf32>, %w: tensor<1x3x?x2xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'attn.compose' op has no code-generation path for a dynamic compose rank}}
  %c = attn.compose %s query_weights(%w, %w) : tensor<1x2x3x3xf32>, tensor<1x3x?x2xf32>, tensor<1x3x?x2xf32> -> tensor<1x2x3x3xf32>
  return %c : tensor<1x2x3x3xf32>
}

// -----

func.func @dcmha_dynamic_heads(%q: tensor<1x?x3x4xf32>, %g: tensor<1x3x?xf32>) -> tensor<1x?x3x4xf32> {
  // expected-error @+1 {{'attn.dcmha' op has no code-generation path for a dynamic head count H}}
  %o = attn.dcmha %q, %q, %q pre(query_gate(%g)) : tensor<1x?x3x4xf32>, tensor<1x?x3x4xf32>, tensor<1x?x3x4xf32>, tensor<1x3x?xf32> -> tensor<1x?x3x4xf32>
  return %o : tensor<1x?x3x4xf32>
}

// -----

func.func @dcmha_dynamic_head_dim(%q: tensor<1x2x3x?xf32>, %g: tensor<1x3x2xf32>) -> tensor<1x2x3x?xf32> {
  // expected-error @+1 {{'attn.dcmha' op has no code-generation path for dynamic head dims D or Dv}}
  %o = attn.dcmha %q, %q, %q post(query_gate(%g)) : tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>, tensor<1x3x2xf32> -> tensor<1x2x3x?xf32>
  return %o : tensor<1x2x3x?xf32>
}

// -----

// The gathers of the sampling ops take static level sizes.
func.func @deformable_sample_dynamic_map(%x: tensor<1x?x4x8xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x2x2x8xf32> {
  // expected-error @+1 {{'attn.deformable_sample' op has no code-generation path for a dynamic input height or width}}
  %s = attn.deformable_sample %x, %g : tensor<1x?x4x8xf32>, tensor<1x2x2x2xf32> -> tensor<1x2x2x8xf32>
  return %s : tensor<1x2x2x8xf32>
}

// -----

// Upstream ops that one-shot bufferization cannot take stop before it, with
// the op and the pass named.
func.func @gather_not_bufferizable(%a: tensor<5x3xf32>, %i: tensor<2x1xindex>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'tensor.gather' op is not supported by --attn-cpu-pipeline: it has no bufferization model, so one-shot-bufferize cannot lower it (rejected by -attn-check-bufferizable)}}
  %g = tensor.gather %a[%i] gather_dims([0]) : (tensor<5x3xf32>, tensor<2x1xindex>) -> tensor<2x3xf32>
  return %g : tensor<2x3xf32>
}
