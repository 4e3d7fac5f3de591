// A lowering config pinned in the IR with register tiles of more than 64
// accumulator vectors (rows x vectors) is refused at the op by the CPU
// kernel lowering: such tiles only spill, and the unrolled code of a
// [64, 64] tile kept the canonicalizer busy for minutes.
// RUN: not attn-opt %s --attn-cpu-pipeline 2>&1 | FileCheck %s

// CHECK: error: 'attn.online_attention' op has 'partial_qk_tile' = [64, 64] in its lowering config: 4096 accumulator vectors, where the CPU kernel takes at most 64 (rows x vectors)
func.func @main(%q: tensor<1x1x64x16xf32>, %k: tensor<1x1x64x16xf32>, %v: tensor<1x1x64x16xf32>) -> tensor<1x1x64x16xf32> {
  %o = attn.attention %q, %k, %v {lowering_config = #attn.lowering_config<block_q = 64, block_k = 64, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [64, 64], partial_pv_tile = [4, 4]>} : tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32> -> tensor<1x1x64x16xf32>
  return %o : tensor<1x1x64x16xf32>
}
