// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// #attn.lowering_config round trip: the discardable `lowering_config`
// attribute of the attention ops and of their online forms, through the
// custom and the generic form (where it stays outside the properties).

// CHECK-LABEL: func.func @attention_config(
// CHECK:         attn.attention %{{.+}}, %{{.+}}, %{{.+}} {causal, lowering_config = #attn.lowering_config<block_q = 128, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>, scale = 1.250000e-01 : f32}
// GENERIC-LABEL: sym_name = "attention_config"
// GENERIC:         "attn.attention"(%{{.*}}, %{{.*}}, %{{.*}}) <{causal, scale = 1.250000e-01 : f32}> {lowering_config = #attn.lowering_config<block_q = 128, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
func.func @attention_config(%q: tensor<1x12x1024x64xf32>) -> tensor<1x12x1024x64xf32> {
  %o = attn.attention %q, %q, %q {causal, scale = 0.125 : f32,
      lowering_config = #attn.lowering_config<block_q = 128, block_k = 128, split_keys = 1,
        qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32> -> tensor<1x12x1024x64xf32>
  return %o : tensor<1x12x1024x64xf32>
}

// -----

// CHECK-LABEL: func.func @sliding_window_config(
// CHECK:         attn.sliding_window_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 64, block_k = 32, split_keys = 1, qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>
func.func @sliding_window_config(%q: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 8, 0>,
      lowering_config = #attn.lowering_config<block_q = 64, block_k = 32, split_keys = 1,
        qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
      : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// -----

// The online forms carry it too (a split-K tile keeps the split factor of
// the op it came from).
// CHECK-LABEL: func.func @online_forms_config(
// CHECK:         attn.online_attention {{.*}} {lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>, scale = 1.250000e-01 : f32}
// CHECK:         attn.partial_attention {{.*}} {lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 8, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>, scale = 1.250000e-01 : f32}
func.func @online_forms_config(%q: tensor<1x4x1x64xf32>, %k: tensor<1x1x300x64xf32>,
                               %v: tensor<1x1x300x64xf32>, %o: tensor<1x4x1x64xf32>,
                               %m: tensor<1x4x1xf32>, %l: tensor<1x4x1xf32>, %off: index)
    -> (tensor<1x4x1x64xf32>, tensor<1x4x1x64xf32>) {
  %r = attn.online_attention ins(%q, %k, %v offset %off
      : tensor<1x4x1x64xf32>, tensor<1x1x300x64xf32>, tensor<1x1x300x64xf32>)
      outs(%o : tensor<1x4x1x64xf32>)
      {scale = 0.125 : f32,
       lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1,
         qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>}
      -> tensor<1x4x1x64xf32>
  %acc, %max, %sum = attn.partial_attention ins(%q, %k, %v offset %off key_offset %off
      : tensor<1x4x1x64xf32>, tensor<1x1x300x64xf32>, tensor<1x1x300x64xf32>)
      outs(%o, %m, %l : tensor<1x4x1x64xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>)
      {scale = 0.125 : f32,
       lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 8,
         qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>}
      -> tensor<1x4x1x64xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
  return %r, %acc : tensor<1x4x1x64xf32>, tensor<1x4x1x64xf32>
}

// -----

// `unit` (the CPU kernel's arithmetic) is optional; f32, the default, is not
// printed.
// CHECK-LABEL: func.func @unit_config(
// CHECK:         lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1, qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2], unit = bf16_dot>
// CHECK:         lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1, qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
// GENERIC-LABEL: sym_name = "unit_config"
// GENERIC:         unit = bf16_dot>
func.func @unit_config(%q: tensor<1x2x64x16xbf16>) -> (tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16>) {
  %o = attn.attention %q, %q, %q {
      lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1,
        qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2],
        unit = bf16_dot>}
      : tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16> -> tensor<1x2x64x16xbf16>
  %p = attn.attention %q, %q, %q {
      lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1,
        qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2],
        unit = f32>}
      : tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16> -> tensor<1x2x64x16xbf16>
  return %o, %p : tensor<1x2x64x16xbf16>, tensor<1x2x64x16xbf16>
}
