// RUN: attn-opt %s -split-input-file -verify-diagnostics --attn-convert-to-online --cse | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --attn-convert-to-online | FileCheck %s --check-prefix=GONE

// attn-convert-to-online: attn.attention / attn.sliding_window_attention
// become attn.online_attention on a tensor.empty destination with every
// default resolved (SPEC 1.1-1.2): scale 1/sqrt(D) unless given, causal as
// window_right = 0, the bottom-right query offset Lk - Lq, an i1 mask widened
// to i8, a float mask passed through unchanged. (--cse only merges the
// duplicate constants and tensor.dim ops the rewrite creates.)

// No graph-level attention op is left.
// GONE-NOT: = attn.attention
// GONE-NOT: = attn.sliding_window_attention

// Defaults: D = 64 gives scale 0.125; no window attributes (both sides
// unbounded); offset Lk - Lq = 0.
// CHECK-LABEL: func.func @attention_defaults(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>)
// CHECK-DAG:     %[[L:.+]] = arith.constant 128 : index
// CHECK-DAG:     %[[INIT:.+]] = tensor.empty() : tensor<2x8x128x64xf32>
// CHECK:         %[[OFF:.+]] = arith.subi %[[L]], %[[L]] : index
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] offset %[[OFF]] : tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<2x8x128x64xf32>) {scale = 1.250000e-01 : f32} -> tensor<2x8x128x64xf32>
// CHECK:         return %[[O]]
func.func @attention_defaults(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x128x64xf32>,
                              %v: tensor<2x8x128x64xf32>) -> tensor<2x8x128x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// causal -> window_right = 0 (window_left stays unbounded); Lq < Lk puts the
// queries at the bottom right: offset = 256 - 128. GQA operands pass through
// unchanged; the destination has the shape [B, Hq, Lq, Dv] with Dv != D.
// CHECK-LABEL: func.func @attention_causal_gqa_dv(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x2x256x48xf32>)
// CHECK-DAG:     %[[LK:.+]] = arith.constant 256 : index
// CHECK-DAG:     %[[LQ:.+]] = arith.constant 128 : index
// CHECK-DAG:     %[[INIT:.+]] = tensor.empty() : tensor<2x8x128x48xf32>
// CHECK:         %[[OFF:.+]] = arith.subi %[[LK]], %[[LQ]] : index
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] offset %[[OFF]] :
// CHECK-SAME:      outs(%[[INIT]] : tensor<2x8x128x48xf32>) {scale = 1.250000e-01 : f32, window_right = 0 : i64} -> tensor<2x8x128x48xf32>
// CHECK:         return %[[O]]
func.func @attention_causal_gqa_dv(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                   %v: tensor<2x2x256x48xf32>) -> tensor<2x8x128x48xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x48xf32> -> tensor<2x8x128x48xf32>
  return %o : tensor<2x8x128x48xf32>
}

// -----

// Lq > Lk: the offset is negative (16 - 48); an explicit scale is kept.
// CHECK-LABEL: func.func @attention_lq_gt_lk_scale(
// CHECK-DAG:     %[[LK:.+]] = arith.constant 16 : index
// CHECK-DAG:     %[[LQ:.+]] = arith.constant 48 : index
// CHECK:         %[[OFF:.+]] = arith.subi %[[LK]], %[[LQ]] : index
// CHECK:         attn.online_attention ins({{.*}} offset %[[OFF]] :
// CHECK-SAME:      {scale = 3.000000e-01 : f32, window_right = 0 : i64}
func.func @attention_lq_gt_lk_scale(%q: tensor<1x2x48x32xf32>, %k: tensor<1x2x16x32xf32>,
                                    %v: tensor<1x2x16x32xf32>) -> tensor<1x2x48x32xf32> {
  %o = attn.attention %q, %k, %v {causal, scale = 0.3 : f32}
      : tensor<1x2x48x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32> -> tensor<1x2x48x32xf32>
  return %o : tensor<1x2x48x32xf32>
}

// -----

// The default scale is 1/sqrt(D) for any D (here D = 59: 0.130188912); a
// float mask is the bias operand as is; softcap carries over.
// CHECK-LABEL: func.func @attention_float_mask_softcap_d59(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x8x59xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x8x59xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x8x59xf32>, %[[BIAS:[a-zA-Z0-9_]+]]: tensor<1x1x8x8xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[BIAS]] offset %{{.+}} : tensor<1x2x8x59xf32>, tensor<1x2x8x59xf32>, tensor<1x2x8x59xf32>, tensor<1x1x8x8xf32>)
// CHECK-SAME:      {scale = 0.130188912 : f32, softcap = 3.000000e+01 : f32}
func.func @attention_float_mask_softcap_d59(%q: tensor<1x2x8x59xf32>, %k: tensor<1x2x8x59xf32>,
                                            %v: tensor<1x2x8x59xf32>, %m: tensor<1x1x8x8xf32>)
    -> tensor<1x2x8x59xf32> {
  %o = attn.attention %q, %k, %v mask %m {softcap = 30.0 : f32}
      : tensor<1x2x8x59xf32>, tensor<1x2x8x59xf32>, tensor<1x2x8x59xf32>, tensor<1x1x8x8xf32>
      -> tensor<1x2x8x59xf32>
  return %o : tensor<1x2x8x59xf32>
}

// -----

// An i1 mask becomes i8 (extui, one byte per element) of the same, still
// broadcasting, shape.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @attention_i1_mask(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x4x16x24xf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x4x24x24xf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x4x24x24xf16>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<2x1x16x24xi1>)
// CHECK:         %[[EMPTY8:.+]] = tensor.empty() : tensor<2x1x16x24xi8>
// CHECK:         %[[WIDE:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ID]]]
// CHECK-SAME:      ins(%[[MASK]] : tensor<2x1x16x24xi1>) outs(%[[EMPTY8]] : tensor<2x1x16x24xi8>)
// CHECK:         ^bb0(%[[IN:.+]]: i1, %{{.+}}: i8):
// CHECK:           %[[EXT:.+]] = arith.extui %[[IN]] : i1 to i8
// CHECK:           linalg.yield %[[EXT]] : i8
// CHECK:         attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[WIDE]] offset %{{.+}} : tensor<2x4x16x24xf16>, tensor<2x4x24x24xf16>, tensor<2x4x24x24xf16>, tensor<2x1x16x24xi8>)
func.func @attention_i1_mask(%q: tensor<2x4x16x24xf16>, %k: tensor<2x4x24x24xf16>,
                             %v: tensor<2x4x24x24xf16>, %m: tensor<2x1x16x24xi1>)
    -> tensor<2x4x16x24xf16> {
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x4x16x24xf16>, tensor<2x4x24x24xf16>, tensor<2x4x24x24xf16>, tensor<2x1x16x24xi1>
      -> tensor<2x4x16x24xf16>
  return %o : tensor<2x4x16x24xf16>
}

// -----

// Sliding window: both extents and the chunk carry over.
// CHECK-LABEL: func.func @sliding_window_chunk(
// CHECK:         attn.online_attention
// CHECK-SAME:      {chunk = 32 : i64, scale = 2.500000e-01 : f32, window_left = 16 : i64, window_right = 4 : i64}
func.func @sliding_window_chunk(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>,
                                %v: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 16, 4>, chunk = 32 : i64}
      : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// -----

// causal forces window_right = 0 whatever the right extent.
// CHECK-LABEL: func.func @sliding_window_causal_right(
// CHECK:         attn.online_attention
// CHECK-SAME:      {scale = 2.500000e-01 : f32, window_left = 8 : i64, window_right = 0 : i64}
func.func @sliding_window_causal_right(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>,
                                       %v: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 8, 5>, causal}
      : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// -----

// (-1, -1) is the unbounded window: both extents keep their default -1 (not
// printed), as for attn.attention.
// CHECK-LABEL: func.func @sliding_window_unbounded(
// CHECK:         attn.online_attention
// CHECK-SAME:      {scale = 2.500000e-01 : f32} -> tensor<1x2x64x16xf32>
func.func @sliding_window_unbounded(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>,
                                    %v: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: -1, -1>}
      : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32> -> tensor<1x2x64x16xf32>
  return %o : tensor<1x2x64x16xf32>
}

// -----

// Dynamic B and L: the destination takes B and Lq from the query, Dv from the
// value; the offset is tensor.dim(key, 2) - tensor.dim(query, 2); the widened
// mask keeps the mask's own sizes.
// CHECK-LABEL: func.func @attention_dynamic(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x4x?x?xf32>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<?x1x?x?xi1>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[Q]], %[[C0]]
// CHECK-DAG:     %[[LQ:.+]] = tensor.dim %[[Q]], %[[C2]]
// CHECK-DAG:     %[[LK:.+]] = tensor.dim %[[K]], %[[C2]]
// CHECK-DAG:     %[[DV:.+]] = tensor.dim %[[V]], %[[C3]]
// CHECK-DAG:     %[[MB:.+]] = tensor.dim %[[MASK]], %[[C0]]
// CHECK-DAG:     %[[MLQ:.+]] = tensor.dim %[[MASK]], %[[C2]]
// CHECK-DAG:     %[[MLK:.+]] = tensor.dim %[[MASK]], %[[C3]]
// CHECK-DAG:     %[[INIT:.+]] = tensor.empty(%[[B]], %[[LQ]], %[[DV]]) : tensor<?x4x?x?xf32>
// CHECK-DAG:     %[[EMPTY8:.+]] = tensor.empty(%[[MB]], %[[MLQ]], %[[MLK]]) : tensor<?x1x?x?xi8>
// CHECK:         %[[WIDE:.+]] = linalg.generic {{.*}} ins(%[[MASK]] : tensor<?x1x?x?xi1>) outs(%[[EMPTY8]] : tensor<?x1x?x?xi8>)
// CHECK:         %[[OFF:.+]] = arith.subi %[[LK]], %[[LQ]] : index
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[WIDE]] offset %[[OFF]] :
// CHECK-SAME:      outs(%[[INIT]] : tensor<?x4x?x?xf32>) {scale = 1.250000e-01 : f32, window_right = 0 : i64}
// CHECK:         return %[[O]]
func.func @attention_dynamic(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>,
                             %v: tensor<?x4x?x?xf32>, %m: tensor<?x1x?x?xi1>) -> tensor<?x4x?x?xf32> {
  %o = attn.attention %q, %k, %v mask %m {causal}
      : tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x?xf32>, tensor<?x1x?x?xi1>
      -> tensor<?x4x?x?xf32>
  return %o : tensor<?x4x?x?xf32>
}

// -----

// A dynamic D with an explicit scale converts.
// CHECK-LABEL: func.func @attention_dynamic_d_scale(
// CHECK:         attn.online_attention
// CHECK-SAME:      {scale = 5.000000e-01 : f32} -> tensor<1x4x8x?xf32>
func.func @attention_dynamic_d_scale(%q: tensor<1x4x8x?xf32>, %k: tensor<1x4x8x?xf32>,
                                     %v: tensor<1x4x8x?xf32>) -> tensor<1x4x8x?xf32> {
  %o = attn.attention %q, %k, %v {scale = 0.5 : f32}
      : tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32> -> tensor<1x4x8x?xf32>
  return %o : tensor<1x4x8x?xf32>
}

// -----

// Without a scale, a dynamic D leaves the default 1/sqrt(D) to the run
// time: the online form has no `scale` attribute (SPEC §1.1).
// CHECK-LABEL: func.func @attention_dynamic_d_no_scale
// CHECK:         attn.online_attention
// CHECK-NOT:     scale =
// CHECK-SAME:    -> tensor<1x4x8x?xf32>
func.func @attention_dynamic_d_no_scale(%q: tensor<1x4x8x?xf32>, %k: tensor<1x4x8x?xf32>,
                                        %v: tensor<1x4x8x?xf32>) -> tensor<1x4x8x?xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32> -> tensor<1x4x8x?xf32>
  return %o : tensor<1x4x8x?xf32>
}

// -----

// CHECK-LABEL: func.func @sliding_window_dynamic_d_no_scale
// CHECK:         attn.online_attention
// CHECK-NOT:     scale =
// CHECK-SAME:    {window_left = 4 : i64, window_right = 0 : i64}
func.func @sliding_window_dynamic_d_no_scale(%q: tensor<1x4x8x?xf32>, %k: tensor<1x4x8x?xf32>,
                                             %v: tensor<1x4x8x?xf32>) -> tensor<1x4x8x?xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 4, 0>}
      : tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32>, tensor<1x4x8x?xf32> -> tensor<1x4x8x?xf32>
  return %o : tensor<1x4x8x?xf32>
}

// -----

// The op's lowering config goes to its online form.
// CHECK-LABEL: func.func @attention_lowering_config
// CHECK:         attn.online_attention
// CHECK-SAME:    {lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 1, qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>, scale = 2.500000e-01 : f32, window_left = 4 : i64, window_right = 0 : i64}
func.func @attention_lowering_config(%q: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0>,
      lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 1,
        qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
      : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32> -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
