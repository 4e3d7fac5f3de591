// Attention ops the GPU mapping cannot take are reported, not crashed on.
// RUN: attn-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{shared-memory-bytes=16384}))'

func.func @too_little_shared_memory(%q: tensor<1x1x8x64xf32>, %k: tensor<1x1x8x64xf32>, %v: tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32> {
  // expected-error @below {{workgroup buffers of D = 64, Dv = 64 need 18432 bytes of shared memory; the target has 16384}}
  %o = attn.attention %q, %k, %v : tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32> -> tensor<1x1x8x64xf32>
  return %o : tensor<1x1x8x64xf32>
}

// -----

func.func @dynamic_head_dim(%q: tensor<1x1x8x?xf32>, %k: tensor<1x1x8x?xf32>, %v: tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32> {
  // expected-error @below {{the GPU mapping needs static head dims D and Dv}}
  %o = attn.attention %q, %k, %v : tensor<1x1x8x?xf32>, tensor<1x1x8x?xf32>, tensor<1x1x8x64xf32> -> tensor<1x1x8x64xf32>
  return %o : tensor<1x1x8x64xf32>
}

// -----

func.func @value_dim_too_large(%q: tensor<1x1x8x16xf32>, %k: tensor<1x1x8x16xf32>, %v: tensor<1x1x8x256xf32>) -> tensor<1x1x8x256xf32> {
  // expected-error @below {{the GPU mapping keeps a row's Dv accumulators in registers: Dv must be at most 128, found 256}}
  %o = attn.attention %q, %k, %v : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x256xf32> -> tensor<1x1x8x256xf32>
  return %o : tensor<1x1x8x256xf32>
}
