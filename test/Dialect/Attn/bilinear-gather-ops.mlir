// RUN: attn-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// attn.bilinear_gather, the tiled form of the sampling ops: round trip on
// tensors (one result) and memrefs (none), with and without weights, then
// verifier errors.

// CHECK-LABEL: func.func @gather_tensor(
// CHECK:         %{{.+}} = attn.bilinear_gather ins(%{{.+}}, %{{.+}} weights %{{.+}} : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x2xf32>)
// CHECK-SAME:      outs(%{{.+}} : tensor<1x5x2x8xf32>)
// CHECK-SAME:      {coordinates = #attn<coordinates unit>, spatial_shapes = array<i64: 4, 6, 2, 3>}
// CHECK-SAME:      -> tensor<1x5x2x8xf32>
func.func @gather_tensor(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>,
                         %w: tensor<1x5x2x2x2xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  %o = attn.bilinear_gather ins(%v, %loc weights %w : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x2xf32>)
         outs(%init : tensor<1x5x2x8xf32>)
         {spatial_shapes = array<i64: 4, 6, 2, 3>, coordinates = #attn<coordinates unit>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

// Defaults (grid coordinates, zeros padding, no align_corners) print as
// nothing; dynamic dims and f16 data with an f32 destination.
// CHECK-LABEL: func.func @gather_memref(
// CHECK:         attn.bilinear_gather ins(%{{.+}}, %{{.+}} : memref<?x196x1x64xf16>, memref<?x?x1x1x1x2xf16>)
// CHECK-SAME:      outs(%{{.+}} : memref<?x?x1x64xf32>) {align_corners = true, padding_mode = #attn<padding_mode border>, spatial_shapes = array<i64: 14, 14>}
// CHECK-NOT:     ->
func.func @gather_memref(%v: memref<?x196x1x64xf16>, %loc: memref<?x?x1x1x1x2xf16>, %out: memref<?x?x1x64xf32>) {
  attn.bilinear_gather ins(%v, %loc : memref<?x196x1x64xf16>, memref<?x?x1x1x1x2xf16>)
    outs(%out : memref<?x?x1x64xf32>)
    {spatial_shapes = array<i64: 14, 14>, align_corners = true, padding_mode = #attn<padding_mode border>,
     coordinates = #attn<coordinates grid>}
  return
}

// -----

func.func @gather_levels_rows(%v: tensor<1x31x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 'value' dim 1 (S) to be 30 (sum of H_l*W_l over 'spatial_shapes'), found 31 (shape [1, 31, 2, 8])}}
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x31x2x8xf32>, tensor<1x5x2x2x2x2xf32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_levels_count(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x3x2x2xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 'locations' dim 3 (L) to be 2 (levels in 'spatial_shapes'), found 3}}
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x30x2x8xf32>, tensor<1x5x2x3x2x2xf32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_shapes_odd(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x1x2x2xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 'spatial_shapes' to hold a non-empty list of (H, W) pairs, found 3 values}}
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x30x2x8xf32>, tensor<1x5x2x1x2x2xf32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 5, 6, 2>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_weights_points(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>, %w: tensor<1x5x2x2x3xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 'weights' dim 4 (P) to be 2 (the same dim of 'locations'), found 3}}
  %o = attn.bilinear_gather ins(%v, %loc weights %w : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>, tensor<1x5x2x2x3xf32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_output_channels(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>, %init: tensor<1x5x2x9xf32>) -> tensor<1x5x2x9xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 'output' dim 3 (D) to be 8 (channels of 'value'), found 9}}
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>)
         outs(%init : tensor<1x5x2x9xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x9xf32>
  return %o : tensor<1x5x2x9xf32>
}

// -----

func.func @gather_int_locations(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xi32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected float elements, found 'tensor<1x5x2x2x2x2xi32>'}}
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x30x2x8xf32>, tensor<1x5x2x2x2x2xi32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_mixed(%v: memref<1x30x2x8xf32>, %loc: tensor<1x5x2x2x2x2xf32>, %init: tensor<1x5x2x8xf32>) -> tensor<1x5x2x8xf32> {
  // expected-error @+1 {{'attn.bilinear_gather' op expected all shaped operands to be tensors like the destination, found 'memref<1x30x2x8xf32>'}}
  %o = attn.bilinear_gather ins(%v, %loc : memref<1x30x2x8xf32>, tensor<1x5x2x2x2x2xf32>)
         outs(%init : tensor<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return %o : tensor<1x5x2x8xf32>
}

// -----

func.func @gather_result_on_memref(%v: memref<1x30x2x8xf32>, %loc: memref<1x5x2x2x2x2xf32>, %out: memref<1x5x2x8xf32>) {
  // expected-error @+1 {{'attn.bilinear_gather' op expected 0 results on memrefs, found 1}}
  %o = attn.bilinear_gather ins(%v, %loc : memref<1x30x2x8xf32>, memref<1x5x2x2x2x2xf32>)
         outs(%out : memref<1x5x2x8xf32>) {spatial_shapes = array<i64: 4, 6, 2, 3>} -> tensor<1x5x2x8xf32>
  return
}
