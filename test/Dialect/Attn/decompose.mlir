// RUN: attn-opt %s --attn-decompose -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --attn-decompose=dynamic-head-dims-only -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=DYNONLY

// The linalg decomposition of a tile: a fresh state (acc 0, max -inf, sum
// 0), one online step over its 40 keys (fewer than block-k: no key loop) --
// Q K^T (a reduction over D), scale/visibility, block row max, new max and
// rescale factor, P = exp2, rescaled row sum, rescaled acc + P V -- and the
// normalization into the destination.
// CHECK-LABEL: func.func @decompose_causal_tile(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x1x16x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x1x40x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x1x40x32xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x1x16x32xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index
// CHECK-NOT:     attn.online_attention
// CHECK-NOT:     attn.partial_attention
// CHECK:         %[[ACC0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x1x16x32xf32>)
// CHECK:         %[[M0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x1x16xf32>)
// CHECK:         %[[L0:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x1x16xf32>)
// CHECK-NOT:     scf.for
// CHECK:         %[[S:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[Q]], %[[K]] :
// CHECK:         %[[MASKED:.+]] = linalg.generic {{.*}} ins(%[[S]] :
// CHECK:           linalg.index 2
// CHECK:           arith.addi %[[OFF]]
// CHECK:           arith.cmpi sle
// CHECK:         %[[BM:.+]] = linalg.generic {{.*}} ins(%[[MASKED]] :
// CHECK:           arith.maxnumf
// CHECK:         %[[MA:.+]]:2 = linalg.generic {{.*}} ins(%[[BM]] : {{.*}}) outs(%[[M0]], %{{.+}} :
// CHECK:           math.exp2
// CHECK:         %[[P:.+]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[MA]]#0 :
// CHECK:           math.exp2
// CHECK:         %[[LS:.+]] = linalg.generic {{.*}} ins(%[[MA]]#1 : {{.*}}) outs(%[[L0]] :
// CHECK:         %[[L:.+]] = linalg.generic {{.*}} ins(%[[P]] : {{.*}}) outs(%[[LS]] :
// CHECK:         %[[AS:.+]] = linalg.generic {{.*}} ins(%[[MA]]#1 : {{.*}}) outs(%[[ACC0]] :
// CHECK:         %[[O:.+]] = linalg.generic {{.*}} ins(%[[P]], %[[V]] : {{.*}}) outs(%[[AS]] :
// CHECK:         %[[R:.+]] = linalg.generic {{.*}} ins(%[[O]], %[[L]] : {{.*}}) outs(%[[INIT]] :
// CHECK:           arith.divf
// CHECK:         return %[[R]]
// DYNONLY-LABEL: func.func @decompose_causal_tile(
// DYNONLY:         attn.online_attention
func.func @decompose_causal_tile(%q: tensor<1x1x16x64xf32>, %k: tensor<1x1x40x64xf32>,
                                 %v: tensor<1x1x40x32xf32>, %init: tensor<1x1x16x32xf32>,
                                 %off: index) -> tensor<1x1x16x32xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x16x64xf32>, tensor<1x1x40x64xf32>, tensor<1x1x40x32xf32>)
         outs(%init : tensor<1x1x16x32xf32>)
         {scale = 0.125 : f32, window_right = 0 : i64} -> tensor<1x1x16x32xf32>
  return %o : tensor<1x1x16x32xf32>
}

// -----

// Dynamic head dims are what the CPU pipeline sends here.
// CHECK-LABEL: func.func @decompose_dynamic_head_dims(
// CHECK-NOT:     attn.online_attention
// DYNONLY-LABEL: func.func @decompose_dynamic_head_dims(
// DYNONLY-NOT:     attn.online_attention
func.func @decompose_dynamic_head_dims(%q: tensor<1x1x16x?xf32>, %k: tensor<1x1x40x?xf32>,
                                       %v: tensor<1x1x40x?xf32>, %init: tensor<1x1x16x?xf32>,
                                       %off: index) -> tensor<1x1x16x?xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x16x?xf32>, tensor<1x1x40x?xf32>, tensor<1x1x40x?xf32>)
         outs(%init : tensor<1x1x16x?xf32>) {scale = 0.5 : f32} -> tensor<1x1x16x?xf32>
  return %o : tensor<1x1x16x?xf32>
}

// -----

// Grouped K/V heads: query head h reads KV head h floordiv 2 (no copies).
// CHECK-LABEL: func.func @decompose_gqa_untiled(
// CHECK-NOT:     attn.online_attention
// CHECK:         linalg.generic {indexing_maps = [#{{.+}}, #[[KMAP:.+]], #{{.+}}]{{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x4x16x?xf32>, tensor<1x2x40x?xf32>)
// DYNONLY-LABEL: func.func @decompose_gqa_untiled(
// DYNONLY-NOT:     attn.online_attention
func.func @decompose_gqa_untiled(%q: tensor<1x4x16x?xf32>, %k: tensor<1x2x40x?xf32>,
                                 %v: tensor<1x2x40x?xf32>, %init: tensor<1x4x16x?xf32>,
                                 %off: index) -> tensor<1x4x16x?xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x4x16x?xf32>, tensor<1x2x40x?xf32>, tensor<1x2x40x?xf32>)
         outs(%init : tensor<1x4x16x?xf32>) {scale = 0.5 : f32} -> tensor<1x4x16x?xf32>
  return %o : tensor<1x4x16x?xf32>
}

// -----

// Long key ranges become the FlashAttention loop: an scf.for over blocks of
// 128 keys carrying (acc, max, sum), one online step per block; only
// [16, 128] scores exist at a time. Without `scale`, 1/sqrt(D) of the
// run-time D.
// CHECK-LABEL: func.func @decompose_key_loop(
// CHECK:         %[[LOOP:.+]]:3 = scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<1x1x16x?xf32>, tensor<1x1x16xf32>, tensor<1x1x16xf32>)
// CHECK:           tensor.extract_slice %{{.+}}[0, 0, %[[KB]], 0] [1, 1, %{{.+}}, %{{.+}}]
// CHECK:           math.rsqrt
// CHECK:           tensor<1x1x16x?xf32>
// CHECK:           scf.yield
// CHECK:         linalg.generic {{.*}} ins(%[[LOOP]]#0, %[[LOOP]]#2 :
// DYNONLY-LABEL: func.func @decompose_key_loop(
// DYNONLY:         scf.for
func.func @decompose_key_loop(%q: tensor<1x1x16x?xf32>, %k: tensor<1x1x300x?xf32>,
                              %v: tensor<1x1x300x?xf32>, %init: tensor<1x1x16x?xf32>,
                              %off: index) -> tensor<1x1x16x?xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x16x?xf32>, tensor<1x1x300x?xf32>, tensor<1x1x300x?xf32>)
         outs(%init : tensor<1x1x16x?xf32>) -> tensor<1x1x16x?xf32>
  return %o : tensor<1x1x16x?xf32>
}

// -----

// The key block of an op with a lowering config is the config's block_k
// (100 here, not the pass's 128).
// CHECK-LABEL: func.func @decompose_config_block_k(
// CHECK:         %[[STEP:.+]] = arith.constant 100 : index
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[STEP]] iter_args(
// CHECK-NOT:       attn.partial_attention
// CHECK:           scf.yield
func.func @decompose_config_block_k(%q: tensor<1x1x16x32xf32>, %k: tensor<1x1x300x32xf32>,
                                    %v: tensor<1x1x300x32xf32>, %init: tensor<1x1x16x32xf32>,
                                    %off: index) -> tensor<1x1x16x32xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x16x32xf32>, tensor<1x1x300x32xf32>, tensor<1x1x300x32xf32>)
         outs(%init : tensor<1x1x16x32xf32>)
         {scale = 0.125 : f32,
          lowering_config = #attn.lowering_config<block_q = 16, block_k = 100, split_keys = 1,
            qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
         -> tensor<1x1x16x32xf32>
  return %o : tensor<1x1x16x32xf32>
}

// -----

// A window (or chunk, or causal bound) restricts the key loop to the keys
// that some row of the tile sees: K and V are sliced to [lo, hi) first, so
// the loop costs 16 x (visible keys), not 16 x 300.
// CHECK-LABEL: func.func @decompose_window_keys(
// CHECK:         %[[K:.+]] = tensor.extract_slice %{{.+}}[0, 0, %[[LO:.+]], 0] [1, 1, %[[N:.+]], %{{.+}}]
// CHECK:         %[[V:.+]] = tensor.extract_slice %{{.+}}[0, 0, %[[LO]], 0] [1, 1, %[[N]], %{{.+}}]
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(
// CHECK:           tensor.extract_slice %[[K]]
// CHECK:           scf.yield
// DYNONLY-LABEL: func.func @decompose_window_keys(
func.func @decompose_window_keys(%q: tensor<1x1x16x?xf32>, %k: tensor<1x1x300x?xf32>,
                                 %v: tensor<1x1x300x?xf32>, %init: tensor<1x1x16x?xf32>,
                                 %off: index) -> tensor<1x1x16x?xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x16x?xf32>, tensor<1x1x300x?xf32>, tensor<1x1x300x?xf32>)
         outs(%init : tensor<1x1x16x?xf32>)
         {scale = 0.125 : f32, window_left = 7 : i64, window_right = 0 : i64}
         -> tensor<1x1x16x?xf32>
  return %o : tensor<1x1x16x?xf32>
}
