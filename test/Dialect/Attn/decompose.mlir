// RUN: attn-opt %s --attn-decompose -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --attn-decompose=dynamic-head-dims-only -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=DYNONLY

// The linalg decomposition of a tile: Q K^T (a reduction over D), one
// elementwise generic for scale/visibility, row max, exp, row sum, P V (a
// reduction over keys) and the normalization into the destination.
// CHECK-LABEL: func.func @decompose_causal_tile(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x1x16x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x1x40x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x1x40x32xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x1x16x32xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index
// CHECK-NOT:     attn.online_attention
// CHECK:         %[[S:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%[[Q]], %[[K]] :
// CHECK:         %[[MASKED:.+]] = linalg.generic {{.*}} ins(%[[S]] :
// CHECK:           linalg.index 2
// CHECK:           arith.addi %[[OFF]]
// CHECK:           arith.cmpi sle
// CHECK:         %[[M:.+]] = linalg.generic {{.*}} ins(%[[MASKED]] :
// CHECK:           arith.maximumf
// CHECK:         %[[P:.+]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[M]] :
// CHECK:           math.exp
// CHECK:         %[[L:.+]] = linalg.generic {{.*}} ins(%[[P]] :
// CHECK:         %[[O:.+]] = linalg.generic {{.*}} ins(%[[P]], %[[V]] :
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

// Grouped K/V heads must be tiled to one head first (dynamic D, so that the
// dynamic-head-dims-only run tries it too).
func.func @decompose_gqa_untiled(%q: tensor<1x4x16x?xf32>, %k: tensor<1x2x40x?xf32>,
                                 %v: tensor<1x2x40x?xf32>, %init: tensor<1x4x16x?xf32>,
                                 %off: index) -> tensor<1x4x16x?xf32> {
  // expected-error @+1 {{decomposition needs one K/V head per query head}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x4x16x?xf32>, tensor<1x2x40x?xf32>, tensor<1x2x40x?xf32>)
         outs(%init : tensor<1x4x16x?xf32>) {scale = 0.5 : f32} -> tensor<1x4x16x?xf32>
  return %o : tensor<1x4x16x?xf32>
}
