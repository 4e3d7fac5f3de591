// Gather tiles whose corners do not fit workgroup memory are reported.
// RUN: attn-opt %s -verify-diagnostics --pass-pipeline='builtin.module(func.func(attn-convert-to-gather,attn-tile{gather-block-q=8 gather-serial-batches=false}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-gpu-map-gather{shared-memory-bytes=256}))'

func.func @corners_too_large(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x3x2xf32>,
                             %w: tensor<1x5x2x2x3xf32>) -> tensor<1x5x16xf32> {
  // expected-error @below {{'attn.bilinear_gather' op the GPU mapping stages the corners of a query's 12 sampling points (M * L * P) in workgroup memory: 400 bytes, but the target has 256}}
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
      : tensor<1x30x2x8xf32>, tensor<1x5x2x2x3x2xf32>, tensor<1x5x2x2x3xf32> -> tensor<1x5x16xf32>
  return %o : tensor<1x5x16xf32>
}
