// The FMA mapping unrolls a block's scores in each thread: a block-k option
// beyond 128 is refused at the op instead of unrolling it.
// RUN: attn-opt %s -verify-diagnostics --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{block-k=256}))'

func.func @option_block_k_too_large(%q: tensor<1x1x8x8xf32>, %k: tensor<1x1x8x8xf32>, %v: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @below {{the GPU mapping keeps a block's scores in registers: block_k must be at most 128, found 256}}
  %o = attn.attention %q, %k, %v : tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32> -> tensor<1x1x8x8xf32>
  return %o : tensor<1x1x8x8xf32>
}
