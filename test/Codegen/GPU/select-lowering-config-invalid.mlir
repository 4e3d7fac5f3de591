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

// -----

// A config pinned in the IR is checked against the target as a selected one
// is: this one's buffers (2 MiB) once hung the pipeline, unrolling 4096
// scores per thread.
func.func @pinned_too_large(%q: tensor<1x1x8x64xf32>, %k: tensor<1x1x8x64xf32>, %v: tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32> {
  // expected-error @below {{the GPU mapping keeps a block's scores in registers: block_k must be at most 128, found 4096}}
  %o = attn.attention %q, %k, %v {lowering_config = #attn.lowering_config<block_q = 32, block_k = 4096, split_keys = 1, qk_tile = [1, 1], pv_tile = [1, 1], partial_qk_tile = [1, 1], partial_pv_tile = [1, 1]>} : tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32> -> tensor<1x1x8x64xf32>
  return %o : tensor<1x1x8x64xf32>
}

// -----

func.func @pinned_too_much_shared_memory(%q: tensor<1x1x8x64xf32>, %k: tensor<1x1x8x64xf32>, %v: tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32> {
  // expected-error @below {{the pinned lowering config's workgroup buffers (block_q = 128, block_k = 64, D = 64, Dv = 64) need 98304 bytes of shared memory; the target has 16384}}
  %o = attn.attention %q, %k, %v {lowering_config = #attn.lowering_config<block_q = 128, block_k = 64, split_keys = 1, qk_tile = [1, 1], pv_tile = [1, 1], partial_qk_tile = [1, 1], partial_pv_tile = [1, 1]>} : tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32> -> tensor<1x1x8x64xf32>
  return %o : tensor<1x1x8x64xf32>
}

// -----

func.func @pinned_too_many_threads(%q: tensor<1x2x5x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x2x5x8xf32> {
  // expected-error @below {{the pinned lowering config needs 4096 threads per workgroup; the target allows 128 (max-threads)}}
  %o = attn.attention %q, %k, %v {causal, lowering_config = #attn.lowering_config<block_q = 4096, block_k = 16, split_keys = 1, qk_tile = [1, 1], pv_tile = [1, 1], partial_qk_tile = [1, 1], partial_pv_tile = [1, 1]>} : tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32> -> tensor<1x2x5x8xf32>
  return %o : tensor<1x2x5x8xf32>
}
