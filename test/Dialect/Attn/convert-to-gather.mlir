// RUN: attn-opt %s -split-input-file -verify-diagnostics --attn-convert-to-gather | FileCheck %s

// attn-convert-to-gather: the sampling ops become attn.bilinear_gather on a
// tensor.empty destination, with reshapes around it; dynamic shape
// relations become cf.asserts.

// deformable_sample: one level of Hin*Win rows, one head, one point per
// query, no weights; the attributes carry over with grid coordinates.
// CHECK-LABEL: func.func @sample(
// CHECK-SAME:    %[[X:[a-zA-Z0-9_]+]]: tensor<2x14x14x32xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<2x7x7x2xf32>)
// CHECK:         %[[XC:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2], [3]] : tensor<2x14x14x32xf32> into tensor<2x196x32xf32>
// CHECK:         %[[V:.+]] = tensor.expand_shape %[[XC]] {{\[}}[0], [1], [2, 3]] output_shape [2, 196, 1, 32] : tensor<2x196x32xf32> into tensor<2x196x1x32xf32>
// CHECK:         %[[GC:.+]] = tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3]] : tensor<2x7x7x2xf32> into tensor<2x49x2xf32>
// CHECK:         %[[LOC:.+]] = tensor.expand_shape %[[GC]] {{\[}}[0], [1, 2, 3, 4], [5]] output_shape [2, 49, 1, 1, 1, 2] : tensor<2x49x2xf32> into tensor<2x49x1x1x1x2xf32>
// CHECK:         %[[INIT:.+]] = tensor.empty() : tensor<2x49x1x32xf32>
// CHECK:         %[[R:.+]] = attn.bilinear_gather ins(%[[V]], %[[LOC]] : tensor<2x196x1x32xf32>, tensor<2x49x1x1x1x2xf32>) outs(%[[INIT]] : tensor<2x49x1x32xf32>)
// CHECK-SAME:      {align_corners = true, padding_mode = #attn<padding_mode border>, spatial_shapes = array<i64: 14, 14>}
// CHECK:         %[[RC:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1], [2, 3]] : tensor<2x49x1x32xf32> into tensor<2x49x32xf32>
// CHECK:         %[[OUT:.+]] = tensor.expand_shape %[[RC]] {{\[}}[0], [1, 2], [3]] output_shape [2, 7, 7, 32] : tensor<2x49x32xf32> into tensor<2x7x7x32xf32>
// CHECK:         return %[[OUT]]
func.func @sample(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x7x7x32xf32> {
  %s = attn.deformable_sample %x, %grid {align_corners = true, padding_mode = #attn<padding_mode border>}
      : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// Dynamic batch and output map: an assert on the batches, sizes from
// tensor.dim; a dynamic xy dim is checked and cast to 2.
// CHECK-LABEL: func.func @sample_dynamic(
// CHECK:         cf.assert %{{.+}}, "attn.deformable_sample: 'grid' dim 0 (N) does not match 'input' dim 0"
// CHECK:         cf.assert %{{.+}}, "attn.deformable_sample: 'grid' dim 3 (xy) must be 2"
// CHECK:         tensor.cast %{{.+}} : tensor<?x?x?x?xf16> to tensor<?x?x?x2xf16>
// CHECK:         attn.bilinear_gather ins(%{{.+}}, %{{.+}} : tensor<?x20x1x8xf16>, tensor<?x?x1x1x1x2xf16>) outs(%{{.+}} : tensor<?x?x1x8xf16>)
// A dynamic Hout and Wout in one group: tensor.reshape, not expand_shape
// (MLIR 22's expand-strided-metadata crashes on the memref form).
// CHECK:         %[[SHAPE:.+]] = tensor.from_elements %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<4xindex>
// CHECK:         tensor.reshape %{{.+}}(%[[SHAPE]]) : (tensor<?x?x8xf16>, tensor<4xindex>) -> tensor<?x?x?x8xf16>
func.func @sample_dynamic(%x: tensor<?x4x5x8xf16>, %grid: tensor<?x?x?x?xf16>) -> tensor<?x?x?x8xf16> {
  %s = attn.deformable_sample %x, %grid : tensor<?x4x5x8xf16>, tensor<?x?x?x?xf16> -> tensor<?x?x?x8xf16>
  return %s : tensor<?x?x?x8xf16>
}

// -----

// A dynamic input height has no static level size.
func.func @sample_dynamic_height(%x: tensor<1x?x5x8xf32>, %grid: tensor<1x3x3x2xf32>) -> tensor<1x3x3x8xf32> {
  // expected-error @+1 {{'attn.deformable_sample' op has no code-generation path for a dynamic input height or width (found 'tensor<1x?x5x8xf32>')}}
  %s = attn.deformable_sample %x, %grid : tensor<1x?x5x8xf32>, tensor<1x3x3x2xf32> -> tensor<1x3x3x8xf32>
  return %s : tensor<1x3x3x8xf32>
}

// -----

// ms_deform_attn: operands as they are, unit coordinates; [N, Lq, M, D]
// collapsed into the [N, Lq, M*D] result.
// CHECK-LABEL: func.func @msda(
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<1x30x2x8xf32>, %[[LOC:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2x2xf32>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2xf32>)
// CHECK-NOT:     cf.assert
// CHECK:         %[[INIT:.+]] = tensor.empty() : tensor<1x5x2x8xf32>
// CHECK:         %[[R:.+]] = attn.bilinear_gather ins(%[[V]], %[[LOC]] weights %[[W]] : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x2xf32>) outs(%[[INIT]] : tensor<1x5x2x8xf32>)
// CHECK-SAME:      {coordinates = #attn<coordinates unit>, spatial_shapes = array<i64: 4, 6, 2, 3>}
// CHECK:         %[[OUT:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1], [2, 3]] : tensor<1x5x2x8xf32> into tensor<1x5x16xf32>
// CHECK:         return %[[OUT]]
func.func @msda(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>, %w: tensor<1x5x2x2x2xf32>) -> tensor<1x5x16xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
    : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x2xf32> -> tensor<1x5x16xf32>
  return %o : tensor<1x5x16xf32>
}

// -----

// Dynamic dims: asserts for S, N, M and every dim of the weights that is
// dynamic on either side.
// CHECK-LABEL: func.func @msda_dynamic(
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'value' dim 1 (S) does not match the sum of H_l*W_l over 'spatial_shapes' (30)"
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'sampling_locations' dim 0 (N) does not match 'value' dim 0"
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'sampling_locations' dim 2 (M) does not match 'value' dim 2"
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'attention_weights' dim 0 (N) does not match 'sampling_locations' dim 0"
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'attention_weights' dim 1 (Lq) does not match 'sampling_locations' dim 1"
// CHECK-NOT:     cf.assert
// CHECK:         attn.bilinear_gather
// CHECK:         tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<?x?x?x8xf16> into tensor<?x?x?xf16>
func.func @msda_dynamic(%v: tensor<?x?x?x8xf16>, %loc: tensor<?x?x2x2x2x2xf16>, %w: tensor<?x?x2x2x2xf16>) -> tensor<?x?x?xf16> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
    : tensor<?x?x?x8xf16>, tensor<?x?x2x2x2x2xf16>, tensor<?x?x2x2x2xf16> -> tensor<?x?x?xf16>
  return %o : tensor<?x?x?xf16>
}

// -----

// A dynamic level count L must match 'spatial_shapes' (2 levels): checked
// on the locations, whose static L the weights are then checked against.
// CHECK-LABEL: func.func @msda_dynamic_levels(
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'sampling_locations' dim 3 (L) must be 2"
// CHECK:         tensor.cast %{{.+}} : tensor<1x5x2x?x3x2xf32> to tensor<1x5x2x2x3x2xf32>
// CHECK:         cf.assert %{{.+}}, "attn.ms_deform_attn: 'attention_weights' dim 3 (L) does not match 'sampling_locations' dim 3"
// CHECK:         attn.bilinear_gather
func.func @msda_dynamic_levels(%v: tensor<1x41x2x4xf32>, %loc: tensor<1x5x2x?x3x2xf32>, %w: tensor<1x5x2x?x3xf32>) -> tensor<1x5x8xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 5, 7, 2, 3>}
    : tensor<1x41x2x4xf32>, tensor<1x5x2x?x3x2xf32>, tensor<1x5x2x?x3xf32> -> tensor<1x5x8xf32>
  return %o : tensor<1x5x8xf32>
}
