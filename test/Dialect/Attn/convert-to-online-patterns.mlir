// RUN: attn-opt %s -test-attn-convert-to-online-patterns | FileCheck %s

// populateConvertToOnlinePatterns (include/attn/Dialect/Attn/Transforms/
// Transforms.h) applied by the greedy driver through
// -test-attn-convert-to-online-patterns (test/lib), as a compiler that mixes
// the patterns into its own set would: the same rewrite as
// -attn-convert-to-online (convert-to-online.mlir has the details), and the
// driver folds what the rewrite leaves constant, such as the query offset
// Lk - Lq of static shapes.

// CHECK-NOT: = attn.attention
// CHECK-NOT: = attn.sliding_window_attention

// Causal GQA with Lk > Lq: the offset Lk - Lq = 2 is folded to a constant.
// CHECK-LABEL: func.func @attention_causal(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x4x8x16xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x10x16xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x10x16xf32>)
// CHECK-DAG:     %[[OFF:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[INIT:.+]] = tensor.empty() : tensor<1x4x8x16xf32>
// CHECK-NOT:     arith.subi
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] offset %[[OFF]] : tensor<1x4x8x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<1x4x8x16xf32>) {scale = 2.500000e-01 : f32, window_right = 0 : i64}
// CHECK:         return %[[O]]
func.func @attention_causal(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x10x16xf32>,
                            %v: tensor<1x2x10x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x8x16xf32>, tensor<1x2x10x16xf32>, tensor<1x2x10x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}

// The sliding-window op's pattern: the window becomes both extents.
// CHECK-LABEL: func.func @sliding_window(
// CHECK:         attn.online_attention
// CHECK-SAME:      {scale = 2.500000e-01 : f32, window_left = 4 : i64, window_right = 0 : i64}
func.func @sliding_window(%q: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0>}
      : tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32> -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

// An i1 mask is widened to i8 before the online op.
// CHECK-LABEL: func.func @attention_i1_mask(
// CHECK-SAME:    %{{[a-zA-Z0-9_]+}}: tensor<1x1x4x8xf32>, %{{[a-zA-Z0-9_]+}}: tensor<1x1x6x8xf32>, %{{[a-zA-Z0-9_]+}}: tensor<1x1x6x8xf32>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<1x1x4x6xi1>)
// CHECK:         %[[WIDE:.+]] = linalg.generic {{.+}} ins(%[[MASK]] : tensor<1x1x4x6xi1>) outs(%{{.+}} : tensor<1x1x4x6xi8>)
// CHECK:           arith.extui
// CHECK:         attn.online_attention ins(%{{.+}}, %{{.+}}, %{{.+}} mask %[[WIDE]] offset
func.func @attention_i1_mask(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x6x8xf32>,
                             %v: tensor<1x1x6x8xf32>, %m: tensor<1x1x4x6xi1>) -> tensor<1x1x4x8xf32> {
  %o = attn.attention %q, %k, %v mask %m
      : tensor<1x1x4x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x6x8xf32>, tensor<1x1x4x6xi1> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// A static Lk = 0 folds to zeros: the pattern succeeds without creating an
// online op.
// CHECK-LABEL: func.func @attention_no_keys(
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[INIT:.+]] = tensor.empty() : tensor<1x1x4x8xf32>
// CHECK:         %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[INIT]] : tensor<1x1x4x8xf32>)
// CHECK-NOT:     attn.
// CHECK:         return %[[FILL]]
func.func @attention_no_keys(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x0x8xf32>,
                             %v: tensor<1x1x0x8xf32>) -> tensor<1x1x4x8xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x1x4x8xf32>, tensor<1x1x0x8xf32>, tensor<1x1x0x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
