// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Round trip of every graph-level attn op: the examples of docs/Spec.md
// (SPEC §1) first, then variants per op. The second RUN line goes through the
// generic form; the third checks what the generic form spells out.

//===----------------------------------------------------------------------===//
// attn.attention
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @attention_causal_scale(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf32>)
// CHECK:         %[[O:.+]] = attn.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 1.250000e-01 : f32}
// CHECK-SAME:      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x64xf32>
// CHECK:         return %[[O]]
// GENERIC-LABEL: sym_name = "attention_causal_scale"
// GENERIC:         "attn.attention"(%{{.*}}, %{{.*}}, %{{.*}}) <{causal, scale = 1.250000e-01 : f32}>
func.func @attention_causal_scale(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                  %v: tensor<2x2x256x64xf32>) -> tensor<2x8x128x64xf32> {
  %o = attn.attention %q, %k, %v {causal, scale = 0.125 : f32}
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}


// CHECK-LABEL: func.func @attention_gqa_mask_i1_softcap(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf32>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<2x1x128x256xi1>)
// CHECK:         %[[O:.+]] = attn.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {softcap = 3.000000e+01 : f32}
// CHECK-SAME:      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32>, tensor<2x1x128x256xi1> -> tensor<2x8x128x64xf32>
// CHECK:         return %[[O]]
func.func @attention_gqa_mask_i1_softcap(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                         %v: tensor<2x2x256x64xf32>, %m: tensor<2x1x128x256xi1>)
    -> tensor<2x8x128x64xf32> {
  %o2 = attn.attention %q, %k, %v mask %m {softcap = 30.0 : f32}
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32>, tensor<2x1x128x256xi1>
      -> tensor<2x8x128x64xf32>
  return %o2 : tensor<2x8x128x64xf32>
}

// CHECK-LABEL: func.func @attention_defaults(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x12x197x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x12x197x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x12x197x64xf32>)
// CHECK:         attn.attention %[[Q]], %[[K]], %[[V]] : tensor<1x12x197x64xf32>
func.func @attention_defaults(%q: tensor<1x12x197x64xf32>, %k: tensor<1x12x197x64xf32>,
                              %v: tensor<1x12x197x64xf32>) -> tensor<1x12x197x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32> -> tensor<1x12x197x64xf32>
  return %o : tensor<1x12x197x64xf32>
}

// A float mask is an additive bias of the query's element type; here it
// broadcasts over batch and heads, and Dv differs from D.
// CHECK-LABEL: func.func @attention_mask_float_bias(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x4x16x32xf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x4x24x32xf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x4x24x48xf16>, %[[BIAS:[a-zA-Z0-9_]+]]: tensor<1x1x16x24xf16>)
// CHECK:         attn.attention %[[Q]], %[[K]], %[[V]] mask %[[BIAS]] {causal}
// CHECK-SAME:      tensor<1x1x16x24xf16> -> tensor<2x4x16x48xf16>
func.func @attention_mask_float_bias(%q: tensor<2x4x16x32xf16>, %k: tensor<2x4x24x32xf16>,
                                     %v: tensor<2x4x24x48xf16>, %bias: tensor<1x1x16x24xf16>)
    -> tensor<2x4x16x48xf16> {
  %o = attn.attention %q, %k, %v mask %bias {causal}
      : tensor<2x4x16x32xf16>, tensor<2x4x24x32xf16>, tensor<2x4x24x48xf16>, tensor<1x1x16x24xf16>
      -> tensor<2x4x16x48xf16>
  return %o : tensor<2x4x16x48xf16>
}

// CHECK-LABEL: func.func @attention_mqa_bf16(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x32x1x128xbf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x1x4096x128xbf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x1x4096x128xbf16>)
// CHECK:         attn.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 6.250000e-02 : f32, softcap = 5.000000e+01 : f32}
// CHECK-SAME:      -> tensor<1x32x1x128xbf16>
func.func @attention_mqa_bf16(%q: tensor<1x32x1x128xbf16>, %k: tensor<1x1x4096x128xbf16>,
                              %v: tensor<1x1x4096x128xbf16>) -> tensor<1x32x1x128xbf16> {
  %o = attn.attention %q, %k, %v {causal, scale = 0.0625 : f32, softcap = 50.0 : f32}
      : tensor<1x32x1x128xbf16>, tensor<1x1x4096x128xbf16>, tensor<1x1x4096x128xbf16> -> tensor<1x32x1x128xbf16>
  return %o : tensor<1x32x1x128xbf16>
}

// Dynamic dims are accepted; what cannot be checked now is checked at run time.
// CHECK-LABEL: func.func @attention_dynamic(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<?x?x?x?xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<?x?x?x?xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x?x?x?xf32>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<?x1x?x?xi1>)
// CHECK:         %[[O:.+]] = attn.attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]]
// CHECK-SAME:      : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x1x?x?xi1> -> tensor<?x?x?x?xf32>
// CHECK:         return %[[O]]
func.func @attention_dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>,
                             %v: tensor<?x?x?x?xf32>, %m: tensor<?x1x?x?xi1>) -> tensor<?x?x?x?xf32> {
  %o = attn.attention %q, %k, %v mask %m
      : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x1x?x?xi1> -> tensor<?x?x?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// Static and dynamic extents mix: the result may be more or less static than
// the operands.
// CHECK-LABEL: func.func @attention_mixed_static_dynamic(
// CHECK:         attn.attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} {causal}
// CHECK-SAME:      : tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32> -> tensor<1x32x?x128xf32>
// CHECK:         attn.attention
// CHECK-SAME:      : tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32> -> tensor<?x?x?x?xf32>
func.func @attention_mixed_static_dynamic(%q: tensor<1x32x?x128xf32>, %k: tensor<1x8x?x128xf32>,
                                          %v: tensor<1x8x?x128xf32>)
    -> (tensor<1x32x?x128xf32>, tensor<?x?x?x?xf32>) {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32> -> tensor<1x32x?x128xf32>
  %o2 = attn.attention %q, %k, %v
      : tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32> -> tensor<?x?x?x?xf32>
  return %o, %o2 : tensor<1x32x?x128xf32>, tensor<?x?x?x?xf32>
}

//===----------------------------------------------------------------------===//
// attn.sliding_window_attention
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @sliding_window_attention_left_256(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x16x2048x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x16x2048x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x16x2048x64xf32>)
// CHECK:         %[[O:.+]] = attn.sliding_window_attention %[[Q]], %[[K]], %[[V]] {window = array<i64: 256, 0>}
// CHECK-SAME:      : tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32> -> tensor<1x16x2048x64xf32>
// CHECK:         return %[[O]]
// GENERIC-LABEL: sym_name = "sliding_window_attention_left_256"
// GENERIC:         "attn.sliding_window_attention"(%{{.*}}, %{{.*}}, %{{.*}}) <{window = array<i64: 256, 0>}>
func.func @sliding_window_attention_left_256(%q: tensor<1x16x2048x64xf32>, %k: tensor<1x16x2048x64xf32>,
                                             %v: tensor<1x16x2048x64xf32>) -> tensor<1x16x2048x64xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 256, 0>}
      : tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32>, tensor<1x16x2048x64xf32> -> tensor<1x16x2048x64xf32>
  return %o : tensor<1x16x2048x64xf32>
}

// Chunked local attention (Llama 4): unbounded window, chunk and causal.
// CHECK-LABEL: func.func @sliding_window_attention_chunk_causal(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x40x8192x128xbf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x8x8192x128xbf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x8x8192x128xbf16>)
// CHECK:         attn.sliding_window_attention %[[Q]], %[[K]], %[[V]] {causal, chunk = 8192 : i64, window = array<i64: -1, -1>}
func.func @sliding_window_attention_chunk_causal(%q: tensor<1x40x8192x128xbf16>, %k: tensor<1x8x8192x128xbf16>,
                                                 %v: tensor<1x8x8192x128xbf16>) -> tensor<1x40x8192x128xbf16> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: -1, -1>, chunk = 8192 : i64, causal}
      : tensor<1x40x8192x128xbf16>, tensor<1x8x8192x128xbf16>, tensor<1x8x8192x128xbf16> -> tensor<1x40x8192x128xbf16>
  return %o : tensor<1x40x8192x128xbf16>
}

// `causal` is accepted with any `right` (and forces it to 0); Mistral-style
// window with a float mask and a scale.
// CHECK-LABEL: func.func @sliding_window_attention_mistral_mask(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x32x?x128xf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x8x?x128xf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x8x?x128xf16>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<1x1x?x?xf16>)
// CHECK:         attn.sliding_window_attention %[[Q]], %[[K]], %[[V]] mask %[[MASK]] {causal, scale = 1.000000e+00 : f32, window = array<i64: 4095, 7>}
// CHECK-SAME:      tensor<1x1x?x?xf16> -> tensor<1x32x?x128xf16>
func.func @sliding_window_attention_mistral_mask(%q: tensor<1x32x?x128xf16>, %k: tensor<1x8x?x128xf16>,
                                                 %v: tensor<1x8x?x128xf16>, %m: tensor<1x1x?x?xf16>)
    -> tensor<1x32x?x128xf16> {
  %o = attn.sliding_window_attention %q, %k, %v mask %m {causal, scale = 1.0 : f32, window = array<i64: 4095, 7>}
      : tensor<1x32x?x128xf16>, tensor<1x8x?x128xf16>, tensor<1x8x?x128xf16>, tensor<1x1x?x?xf16>
      -> tensor<1x32x?x128xf16>
  return %o : tensor<1x32x?x128xf16>
}

// CHECK-LABEL: func.func @sliding_window_attention_bidirectional_softcap(
// CHECK:         attn.sliding_window_attention %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} mask %{{[^ ,]+}} {softcap = 3.000000e+01 : f32, window = array<i64: 64, 64>}
// CHECK-SAME:      tensor<2x4x100x200xi1> -> tensor<2x4x100x16xf32>
func.func @sliding_window_attention_bidirectional_softcap(%q: tensor<2x4x100x32xf32>, %k: tensor<2x4x200x32xf32>,
                                                          %v: tensor<2x4x200x16xf32>, %m: tensor<2x4x100x200xi1>)
    -> tensor<2x4x100x16xf32> {
  %o = attn.sliding_window_attention %q, %k, %v mask %m {window = array<i64: 64, 64>, softcap = 30.0 : f32}
      : tensor<2x4x100x32xf32>, tensor<2x4x200x32xf32>, tensor<2x4x200x16xf32>, tensor<2x4x100x200xi1>
      -> tensor<2x4x100x16xf32>
  return %o : tensor<2x4x100x16xf32>
}

//===----------------------------------------------------------------------===//
// attn.compose
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compose_dynamic_groups(
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<1x16x512x512xf32>, %[[QW1:[a-zA-Z0-9_]+]]: tensor<1x512x2x16xf32>, %[[QW2:[a-zA-Z0-9_]+]]: tensor<1x512x2x16xf32>, %[[KW1:[a-zA-Z0-9_]+]]: tensor<1x512x2x16xf32>, %[[KW2:[a-zA-Z0-9_]+]]: tensor<1x512x2x16xf32>, %[[QDD:[a-zA-Z0-9_]+]]: tensor<1x512x16xf32>, %[[KDD:[a-zA-Z0-9_]+]]: tensor<1x512x16xf32>)
// CHECK:         %[[C:.+]] = attn.compose %[[S]] query_weights(%[[QW1]], %[[QW2]]) key_weights(%[[KW1]], %[[KW2]]) query_gate(%[[QDD]]) key_gate(%[[KDD]])
// CHECK-SAME:      : tensor<1x16x512x512xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32> -> tensor<1x16x512x512xf32>
// CHECK:         return %[[C]]
// GENERIC-LABEL: sym_name = "compose_dynamic_groups"
// GENERIC:         "attn.compose"({{.*}}) <{operandSegmentSizes = array<i32: 1, 0, 1, 1, 1, 1, 1, 1>}>
func.func @compose_dynamic_groups(%s: tensor<1x16x512x512xf32>,
                                  %qw1: tensor<1x512x2x16xf32>, %qw2: tensor<1x512x2x16xf32>,
                                  %kw1: tensor<1x512x2x16xf32>, %kw2: tensor<1x512x2x16xf32>,
                                  %qdd: tensor<1x512x16xf32>, %kdd: tensor<1x512x16xf32>)
    -> tensor<1x16x512x512xf32> {
  %c = attn.compose %s query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)
      : tensor<1x16x512x512xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>,
        tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32> -> tensor<1x16x512x512xf32>
  return %c : tensor<1x16x512x512xf32>
}

// Every group alone.
// CHECK-LABEL: func.func @compose_each_group_alone(
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<2x4x8x12xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x4xf32>, %[[QW1:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xf32>, %[[QW2:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xf32>, %[[KW1:[a-zA-Z0-9_]+]]: tensor<2x12x3x4xf32>, %[[KW2:[a-zA-Z0-9_]+]]: tensor<2x12x3x4xf32>, %[[QDD:[a-zA-Z0-9_]+]]: tensor<2x8x4xf32>, %[[KDD:[a-zA-Z0-9_]+]]: tensor<2x12x4xf32>)
// CHECK:         attn.compose %[[S]] static(%[[W]]) : tensor<2x4x8x12xf32>, tensor<4x4xf32> -> tensor<2x4x8x12xf32>
// CHECK:         attn.compose %[[S]] query_weights(%[[QW1]], %[[QW2]]) : tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32>, tensor<2x8x2x4xf32> -> tensor<2x4x8x12xf32>
// CHECK:         attn.compose %[[S]] key_weights(%[[KW1]], %[[KW2]]) : tensor<2x4x8x12xf32>, tensor<2x12x3x4xf32>, tensor<2x12x3x4xf32> -> tensor<2x4x8x12xf32>
// CHECK:         attn.compose %[[S]] query_gate(%[[QDD]]) : tensor<2x4x8x12xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
// CHECK:         attn.compose %[[S]] key_gate(%[[KDD]]) : tensor<2x4x8x12xf32>, tensor<2x12x4xf32> -> tensor<2x4x8x12xf32>
func.func @compose_each_group_alone(%s: tensor<2x4x8x12xf32>, %w: tensor<4x4xf32>,
                                    %qw1: tensor<2x8x2x4xf32>, %qw2: tensor<2x8x2x4xf32>,
                                    %kw1: tensor<2x12x3x4xf32>, %kw2: tensor<2x12x3x4xf32>,
                                    %qdd: tensor<2x8x4xf32>, %kdd: tensor<2x12x4xf32>) {
  %0 = attn.compose %s static(%w) : tensor<2x4x8x12xf32>, tensor<4x4xf32> -> tensor<2x4x8x12xf32>
  %1 = attn.compose %s query_weights(%qw1, %qw2)
      : tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32>, tensor<2x8x2x4xf32> -> tensor<2x4x8x12xf32>
  %2 = attn.compose %s key_weights(%kw1, %kw2)
      : tensor<2x4x8x12xf32>, tensor<2x12x3x4xf32>, tensor<2x12x3x4xf32> -> tensor<2x4x8x12xf32>
  %3 = attn.compose %s query_gate(%qdd) : tensor<2x4x8x12xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  %4 = attn.compose %s key_gate(%kdd) : tensor<2x4x8x12xf32>, tensor<2x12x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// All groups, with static(W) first; Cq and Ck differ.
// CHECK-LABEL: func.func @compose_all_groups_static(
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<2x4x8x12xbf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x4xbf16>, %[[QW1:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xbf16>, %[[QW2:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xbf16>, %[[KW1:[a-zA-Z0-9_]+]]: tensor<2x12x3x4xbf16>, %[[KW2:[a-zA-Z0-9_]+]]: tensor<2x12x3x4xbf16>, %[[QDD:[a-zA-Z0-9_]+]]: tensor<2x8x4xbf16>, %[[KDD:[a-zA-Z0-9_]+]]: tensor<2x12x4xbf16>)
// CHECK:         attn.compose %[[S]] static(%[[W]]) query_weights(%[[QW1]], %[[QW2]]) key_weights(%[[KW1]], %[[KW2]]) query_gate(%[[QDD]]) key_gate(%[[KDD]])
// CHECK-SAME:      -> tensor<2x4x8x12xbf16>
// GENERIC-LABEL: sym_name = "compose_all_groups_static"
// GENERIC:         "attn.compose"({{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}>
func.func @compose_all_groups_static(%s: tensor<2x4x8x12xbf16>, %w: tensor<4x4xbf16>,
                                     %qw1: tensor<2x8x2x4xbf16>, %qw2: tensor<2x8x2x4xbf16>,
                                     %kw1: tensor<2x12x3x4xbf16>, %kw2: tensor<2x12x3x4xbf16>,
                                     %qdd: tensor<2x8x4xbf16>, %kdd: tensor<2x12x4xbf16>)
    -> tensor<2x4x8x12xbf16> {
  %c = attn.compose %s static(%w) query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)
      : tensor<2x4x8x12xbf16>, tensor<4x4xbf16>, tensor<2x8x2x4xbf16>, tensor<2x8x2x4xbf16>,
        tensor<2x12x3x4xbf16>, tensor<2x12x3x4xbf16>, tensor<2x8x4xbf16>, tensor<2x12x4xbf16>
      -> tensor<2x4x8x12xbf16>
  return %c : tensor<2x4x8x12xbf16>
}

// No group at all: the identity.
// CHECK-LABEL: func.func @compose_no_groups(
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<1x2x3x4xf32>)
// CHECK:         attn.compose %[[S]] : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
func.func @compose_no_groups(%s: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %c = attn.compose %s : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
  return %c : tensor<1x2x3x4xf32>
}

// CHECK-LABEL: func.func @compose_dynamic(
// CHECK-SAME:    %[[S:[a-zA-Z0-9_]+]]: tensor<?x16x?x?xf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<16x16xf16>, %[[QW1:[a-zA-Z0-9_]+]]: tensor<?x?x2x16xf16>, %[[QW2:[a-zA-Z0-9_]+]]: tensor<?x?x2x?xf16>, %[[KDD:[a-zA-Z0-9_]+]]: tensor<?x?x16xf16>)
// CHECK:         attn.compose %[[S]] static(%[[W]]) query_weights(%[[QW1]], %[[QW2]]) key_gate(%[[KDD]])
// CHECK-SAME:      -> tensor<?x16x?x?xf16>
func.func @compose_dynamic(%s: tensor<?x16x?x?xf16>, %w: tensor<16x16xf16>,
                           %qw1: tensor<?x?x2x16xf16>, %qw2: tensor<?x?x2x?xf16>,
                           %kdd: tensor<?x?x16xf16>) -> tensor<?x16x?x?xf16> {
  %c = attn.compose %s static(%w) query_weights(%qw1, %qw2) key_gate(%kdd)
      : tensor<?x16x?x?xf16>, tensor<16x16xf16>, tensor<?x?x2x16xf16>, tensor<?x?x2x?xf16>, tensor<?x?x16xf16>
      -> tensor<?x16x?x?xf16>
  return %c : tensor<?x16x?x?xf16>
}

//===----------------------------------------------------------------------===//
// attn.dcmha
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @dcmha_pre_post_causal(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x16x256x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x16x256x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x16x256x64xf32>, %[[A1:[a-zA-Z0-9_]+]]: tensor<1x256x2x16xf32>, %[[A2:[a-zA-Z0-9_]+]]: tensor<1x256x2x16xf32>, %[[AG:[a-zA-Z0-9_]+]]: tensor<1x256x16xf32>, %[[BG:[a-zA-Z0-9_]+]]: tensor<1x256x16xf32>)
// CHECK:         %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] pre(query_weights(%[[A1]], %[[A2]]) query_gate(%[[AG]])) post(key_gate(%[[BG]])) {causal}
// CHECK-SAME:      : tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>, tensor<1x256x2x16xf32>, tensor<1x256x2x16xf32>, tensor<1x256x16xf32>, tensor<1x256x16xf32> -> tensor<1x16x256x64xf32>
// CHECK:         return %[[O]]
// GENERIC-LABEL: sym_name = "dcmha_pre_post_causal"
// GENERIC:         "attn.dcmha"({{.*}}) <{causal, operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>}>
func.func @dcmha_pre_post_causal(%q: tensor<1x16x256x64xf32>, %k: tensor<1x16x256x64xf32>,
                                 %v: tensor<1x16x256x64xf32>,
                                 %a1: tensor<1x256x2x16xf32>, %a2: tensor<1x256x2x16xf32>,
                                 %ag: tensor<1x256x16xf32>, %bg: tensor<1x256x16xf32>)
    -> tensor<1x16x256x64xf32> {
  %o = attn.dcmha %q, %k, %v pre(query_weights(%a1, %a2) query_gate(%ag)) post(key_gate(%bg)) {causal}
      : tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>, tensor<1x16x256x64xf32>,
        tensor<1x256x2x16xf32>, tensor<1x256x2x16xf32>, tensor<1x256x16xf32>, tensor<1x256x16xf32>
      -> tensor<1x16x256x64xf32>
  return %o : tensor<1x16x256x64xf32>
}

// CHECK-LABEL: func.func @dcmha_pre_only(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x4x8x32xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x4x12x32xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x4x12x16xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x4xf32>, %[[KW1:[a-zA-Z0-9_]+]]: tensor<2x12x2x4xf32>, %[[KW2:[a-zA-Z0-9_]+]]: tensor<2x12x2x4xf32>)
// CHECK:         attn.dcmha %[[Q]], %[[K]], %[[V]] pre(static(%[[W]]) key_weights(%[[KW1]], %[[KW2]])) {scale = 5.000000e-01 : f32}
// CHECK-SAME:      -> tensor<2x4x8x16xf32>
func.func @dcmha_pre_only(%q: tensor<2x4x8x32xf32>, %k: tensor<2x4x12x32xf32>, %v: tensor<2x4x12x16xf32>,
                          %w: tensor<4x4xf32>, %kw1: tensor<2x12x2x4xf32>, %kw2: tensor<2x12x2x4xf32>)
    -> tensor<2x4x8x16xf32> {
  %o = attn.dcmha %q, %k, %v pre(static(%w) key_weights(%kw1, %kw2)) {scale = 0.5 : f32}
      : tensor<2x4x8x32xf32>, tensor<2x4x12x32xf32>, tensor<2x4x12x16xf32>,
        tensor<4x4xf32>, tensor<2x12x2x4xf32>, tensor<2x12x2x4xf32> -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// CHECK-LABEL: func.func @dcmha_post_only(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x4x8x32xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x4x12x32xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x4x12x32xf32>, %[[QW1:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xf32>, %[[QW2:[a-zA-Z0-9_]+]]: tensor<2x8x2x4xf32>, %[[QDD:[a-zA-Z0-9_]+]]: tensor<2x8x4xf32>)
// CHECK:         attn.dcmha %[[Q]], %[[K]], %[[V]] post(query_weights(%[[QW1]], %[[QW2]]) query_gate(%[[QDD]])) :
// GENERIC-LABEL: sym_name = "dcmha_post_only"
// GENERIC:         "attn.dcmha"({{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0>}>
func.func @dcmha_post_only(%q: tensor<2x4x8x32xf32>, %k: tensor<2x4x12x32xf32>, %v: tensor<2x4x12x32xf32>,
                           %qw1: tensor<2x8x2x4xf32>, %qw2: tensor<2x8x2x4xf32>, %qdd: tensor<2x8x4xf32>)
    -> tensor<2x4x8x32xf32> {
  %o = attn.dcmha %q, %k, %v post(query_weights(%qw1, %qw2) query_gate(%qdd))
      : tensor<2x4x8x32xf32>, tensor<2x4x12x32xf32>, tensor<2x4x12x32xf32>,
        tensor<2x8x2x4xf32>, tensor<2x8x2x4xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x32xf32>
  return %o : tensor<2x4x8x32xf32>
}

// A local window, both blocks holding every group.
// CHECK-LABEL: func.func @dcmha_window_all_groups(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x4x16x8xf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x4x16x8xf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x4x16x8xf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x4xf16>, %[[QW:[a-zA-Z0-9_]+]]: tensor<1x16x2x4xf16>, %[[KW:[a-zA-Z0-9_]+]]: tensor<1x16x2x4xf16>, %[[G:[a-zA-Z0-9_]+]]: tensor<1x16x4xf16>)
// CHECK:         attn.dcmha %[[Q]], %[[K]], %[[V]]
// CHECK-SAME:      pre(static(%[[W]]) query_weights(%[[QW]], %[[QW]]) key_weights(%[[KW]], %[[KW]]) query_gate(%[[G]]) key_gate(%[[G]]))
// CHECK-SAME:      post(static(%[[W]]) query_weights(%[[QW]], %[[QW]]) key_weights(%[[KW]], %[[KW]]) query_gate(%[[G]]) key_gate(%[[G]]))
// CHECK-SAME:      {causal, window = array<i64: 128, -1>}
func.func @dcmha_window_all_groups(%q: tensor<1x4x16x8xf16>, %k: tensor<1x4x16x8xf16>, %v: tensor<1x4x16x8xf16>,
                                   %w: tensor<4x4xf16>, %qw: tensor<1x16x2x4xf16>, %kw: tensor<1x16x2x4xf16>,
                                   %g: tensor<1x16x4xf16>) -> tensor<1x4x16x8xf16> {
  %o = attn.dcmha %q, %k, %v
      pre(static(%w) query_weights(%qw, %qw) key_weights(%kw, %kw) query_gate(%g) key_gate(%g))
      post(static(%w) query_weights(%qw, %qw) key_weights(%kw, %kw) query_gate(%g) key_gate(%g))
      {causal, window = array<i64: 128, -1>}
      : tensor<1x4x16x8xf16>, tensor<1x4x16x8xf16>, tensor<1x4x16x8xf16>,
        tensor<4x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>,
        tensor<1x16x4xf16>, tensor<1x16x4xf16>,
        tensor<4x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>, tensor<1x16x2x4xf16>,
        tensor<1x16x4xf16>, tensor<1x16x4xf16>
      -> tensor<1x4x16x8xf16>
  return %o : tensor<1x4x16x8xf16>
}

// Neither block: plain MHA.
// CHECK-LABEL: func.func @dcmha_no_compose_dynamic(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<?x8x?x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<?x8x?x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x8x?x64xf32>)
// CHECK:         attn.dcmha %[[Q]], %[[K]], %[[V]] : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
func.func @dcmha_no_compose_dynamic(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                                    %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.dcmha %q, %k, %v : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

//===----------------------------------------------------------------------===//
// attn.deformable_sample
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @deformable_sample_border_align_corners(
// CHECK-SAME:    %[[X:[a-zA-Z0-9_]+]]: tensor<2x14x14x32xf32>, %[[GRID:[a-zA-Z0-9_]+]]: tensor<2x7x7x2xf32>)
// CHECK:         %[[S:.+]] = attn.deformable_sample %[[X]], %[[GRID]] {align_corners = true, padding_mode = #attn<padding_mode border>}
// CHECK-SAME:      : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
// CHECK:         return %[[S]]
func.func @deformable_sample_border_align_corners(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>)
    -> tensor<2x7x7x32xf32> {
  %s = attn.deformable_sample %x, %grid {align_corners = true, padding_mode = #attn<padding_mode border>}
      : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// Default-valued attributes are elided when printed, whether written or not,
// and spelled out in the generic form.
// CHECK-LABEL: func.func @deformable_sample_defaults(
// CHECK-SAME:    %[[X:[a-zA-Z0-9_]+]]: tensor<1x8x8x4xf32>, %[[GRID:[a-zA-Z0-9_]+]]: tensor<1x3x5x2xf32>)
// CHECK:         attn.deformable_sample %[[X]], %[[GRID]] : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
// CHECK:         attn.deformable_sample %[[X]], %[[GRID]] : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
// CHECK:         attn.deformable_sample %[[X]], %[[GRID]] {padding_mode = #attn<padding_mode border>} :
// CHECK:         attn.deformable_sample %[[X]], %[[GRID]] {align_corners = true} :
// GENERIC-LABEL: sym_name = "deformable_sample_defaults"
// GENERIC:         "attn.deformable_sample"(%{{.*}}, %{{.*}}) <{align_corners = false, padding_mode = #attn<padding_mode zeros>}>
// GENERIC:         "attn.deformable_sample"(%{{.*}}, %{{.*}}) <{align_corners = false, padding_mode = #attn<padding_mode zeros>}>
func.func @deformable_sample_defaults(%x: tensor<1x8x8x4xf32>, %grid: tensor<1x3x5x2xf32>) {
  %0 = attn.deformable_sample %x, %grid : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
  %1 = attn.deformable_sample %x, %grid {align_corners = false, padding_mode = #attn<padding_mode zeros>}
      : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
  %2 = attn.deformable_sample %x, %grid {padding_mode = #attn<padding_mode border>}
      : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
  %3 = attn.deformable_sample %x, %grid {align_corners = true}
      : tensor<1x8x8x4xf32>, tensor<1x3x5x2xf32> -> tensor<1x3x5x4xf32>
  return
}

// CHECK-LABEL: func.func @deformable_sample_dynamic_f16(
// CHECK-SAME:    %[[X:[a-zA-Z0-9_]+]]: tensor<?x?x?x64xf16>, %[[GRID:[a-zA-Z0-9_]+]]: tensor<?x?x?x2xf16>)
// CHECK:         attn.deformable_sample %[[X]], %[[GRID]] : tensor<?x?x?x64xf16>, tensor<?x?x?x2xf16> -> tensor<?x?x?x64xf16>
func.func @deformable_sample_dynamic_f16(%x: tensor<?x?x?x64xf16>, %grid: tensor<?x?x?x2xf16>)
    -> tensor<?x?x?x64xf16> {
  %s = attn.deformable_sample %x, %grid : tensor<?x?x?x64xf16>, tensor<?x?x?x2xf16> -> tensor<?x?x?x64xf16>
  return %s : tensor<?x?x?x64xf16>
}

//===----------------------------------------------------------------------===//
// attn.ms_deform_attn
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @ms_deform_attn_four_levels(
// CHECK-SAME:    %[[VALUE:[a-zA-Z0-9_]+]]: tensor<1x19947x8x32xf32>, %[[LOC:[a-zA-Z0-9_]+]]: tensor<1x300x8x4x4x2xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x300x8x4x4xf32>)
// CHECK:         %[[O:.+]] = attn.ms_deform_attn %[[VALUE]], %[[LOC]], %[[W]] {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
// CHECK-SAME:      : tensor<1x19947x8x32xf32>, tensor<1x300x8x4x4x2xf32>, tensor<1x300x8x4x4xf32> -> tensor<1x300x256xf32>
// CHECK:         return %[[O]]
// GENERIC-LABEL: sym_name = "ms_deform_attn_four_levels"
// GENERIC:         "attn.ms_deform_attn"(%{{.*}}, %{{.*}}, %{{.*}}) <{spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}>
func.func @ms_deform_attn_four_levels(%value: tensor<1x19947x8x32xf32>, %loc: tensor<1x300x8x4x4x2xf32>,
                                      %w: tensor<1x300x8x4x4xf32>) -> tensor<1x300x256xf32> {
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
      : tensor<1x19947x8x32xf32>, tensor<1x300x8x4x4x2xf32>, tensor<1x300x8x4x4xf32> -> tensor<1x300x256xf32>
  return %o : tensor<1x300x256xf32>
}

// CHECK-LABEL: func.func @ms_deform_attn_one_level_bf16(
// CHECK:         attn.ms_deform_attn %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} {spatial_shapes = array<i64: 4, 6>}
// CHECK-SAME:      : tensor<2x24x2x8xbf16>, tensor<2x5x2x1x3x2xbf16>, tensor<2x5x2x1x3xbf16> -> tensor<2x5x16xbf16>
func.func @ms_deform_attn_one_level_bf16(%value: tensor<2x24x2x8xbf16>, %loc: tensor<2x5x2x1x3x2xbf16>,
                                         %w: tensor<2x5x2x1x3xbf16>) -> tensor<2x5x16xbf16> {
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 4, 6>}
      : tensor<2x24x2x8xbf16>, tensor<2x5x2x1x3x2xbf16>, tensor<2x5x2x1x3xbf16> -> tensor<2x5x16xbf16>
  return %o : tensor<2x5x16xbf16>
}

// CHECK-LABEL: func.func @ms_deform_attn_dynamic(
// CHECK:         attn.ms_deform_attn %{{[^ ,]+}}, %{{[^ ,]+}}, %{{[^ ,]+}} {spatial_shapes = array<i64: 8, 8, 4, 4>}
// CHECK-SAME:      : tensor<?x80x?x?xf32>, tensor<?x?x?x2x?x2xf32>, tensor<?x?x?x2x?xf32> -> tensor<?x?x?xf32>
func.func @ms_deform_attn_dynamic(%value: tensor<?x80x?x?xf32>, %loc: tensor<?x?x?x2x?x2xf32>,
                                  %w: tensor<?x?x?x2x?xf32>) -> tensor<?x?x?xf32> {
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<?x80x?x?xf32>, tensor<?x?x?x2x?x2xf32>, tensor<?x?x?x2x?xf32> -> tensor<?x?x?xf32>
  return %o : tensor<?x?x?xf32>
}

// Dialect-prefixed discardable attributes pass through the verifier.
// CHECK-LABEL: func.func @attention_prefixed_attribute
// CHECK:         attn.attention {{.*}} {causal, my.tag = 1 : i64}
func.func @attention_prefixed_attribute(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %o = attn.attention %q, %q, %q {causal, my.tag = 1 : i64}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
