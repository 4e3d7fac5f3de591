// RUN: attn-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// attn.online_dcmha and attn.tiled_compose, the tiled forms of attn.dcmha and
// attn.compose: round trip on tensors (one result) and memrefs (none), then
// verifier errors.

// CHECK-LABEL: func.func @online_dcmha_tensor(
// CHECK:         %{{.+}} = attn.online_dcmha %{{.+}}, %{{.+}}, %{{.+}} pre(query_weights(%{{.+}}, %{{.+}}) key_gate(%{{.+}})) post(static(%{{.+}})) offset %{{.+}} outs(%{{.+}}) {scale = 1.250000e-01 : f32, window_right = 0 : i64}
// CHECK-SAME:      : tensor<1x4x16x8xf32>, tensor<1x4x20x8xf32>, tensor<1x4x20x8xf32>, tensor<1x16x2x4xf32>, tensor<1x16x2x4xf32>, tensor<1x20x4xf32>, tensor<4x4xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
func.func @online_dcmha_tensor(%q: tensor<1x4x16x8xf32>, %k: tensor<1x4x20x8xf32>, %v: tensor<1x4x20x8xf32>,
                               %a1: tensor<1x16x2x4xf32>, %a2: tensor<1x16x2x4xf32>, %kg: tensor<1x20x4xf32>,
                               %w: tensor<4x4xf32>, %off: index, %init: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = attn.online_dcmha %q, %k, %v pre(query_weights(%a1, %a2) key_gate(%kg)) post(static(%w)) offset %off outs(%init)
         {scale = 0.125 : f32, window_right = 0 : i64}
         : tensor<1x4x16x8xf32>, tensor<1x4x20x8xf32>, tensor<1x4x20x8xf32>, tensor<1x16x2x4xf32>, tensor<1x16x2x4xf32>,
           tensor<1x20x4xf32>, tensor<4x4xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// CHECK-LABEL: func.func @online_dcmha_memref(
// CHECK:         attn.online_dcmha %{{.+}}, %{{.+}}, %{{.+}} post(query_gate(%{{.+}})) offset %{{.+}} outs(%{{.+}}) : memref<?x2x?x8xf16>, memref<?x2x?x8xf16>, memref<?x2x?x8xf16>, memref<?x?x2xf16>, index, memref<?x2x?x8xf16>
// CHECK-NOT:     ->
func.func @online_dcmha_memref(%q: memref<?x2x?x8xf16>, %k: memref<?x2x?x8xf16>, %v: memref<?x2x?x8xf16>,
                               %g: memref<?x?x2xf16>, %off: index, %out: memref<?x2x?x8xf16>) {
  attn.online_dcmha %q, %k, %v post(query_gate(%g)) offset %off outs(%out)
    : memref<?x2x?x8xf16>, memref<?x2x?x8xf16>, memref<?x2x?x8xf16>, memref<?x?x2xf16>, index, memref<?x2x?x8xf16>
  return
}

// -----

// CHECK-LABEL: func.func @tiled_compose(
// CHECK:         %{{.+}} = attn.tiled_compose %{{.+}} outs(%{{.+}}) key_weights(%{{.+}}, %{{.+}}) query_gate(%{{.+}}) : tensor<2x4x5x7xf32>, tensor<2x7x3x4xf32>, tensor<2x7x3x4xf32>, tensor<2x5x4xf32>, tensor<2x4x5x7xf32> -> tensor<2x4x5x7xf32>
// CHECK:         attn.tiled_compose %{{.+}} outs(%{{.+}}) : memref<1x4x5x7xf32>, memref<1x4x5x7xf32>
func.func @tiled_compose(%a: tensor<2x4x5x7xf32>, %k1: tensor<2x7x3x4xf32>, %k2: tensor<2x7x3x4xf32>,
                         %g: tensor<2x5x4xf32>, %init: tensor<2x4x5x7xf32>,
                         %m: memref<1x4x5x7xf32>, %mo: memref<1x4x5x7xf32>) -> tensor<2x4x5x7xf32> {
  %c = attn.tiled_compose %a outs(%init) key_weights(%k1, %k2) query_gate(%g)
         : tensor<2x4x5x7xf32>, tensor<2x7x3x4xf32>, tensor<2x7x3x4xf32>, tensor<2x5x4xf32>, tensor<2x4x5x7xf32> -> tensor<2x4x5x7xf32>
  attn.tiled_compose %m outs(%mo) : memref<1x4x5x7xf32>, memref<1x4x5x7xf32>
  return %c : tensor<2x4x5x7xf32>
}

// -----

func.func @online_dcmha_gqa(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x20x8xf32>, %off: index, %init: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{'attn.online_dcmha' op expected 'key' dim 1 (H) to be 4 (heads of 'query'), found 2}}
  %o = attn.online_dcmha %q, %k, %k offset %off outs(%init)
         : tensor<1x4x16x8xf32>, tensor<1x2x20x8xf32>, tensor<1x2x20x8xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

func.func @online_dcmha_mixed(%q: tensor<1x4x16x8xf32>, %off: index, %out: memref<1x4x16x8xf32>) {
  // expected-error @+1 {{'attn.online_dcmha' op expected all shaped operands to be memrefs like the destination, found 'tensor<1x4x16x8xf32>'}}
  attn.online_dcmha %q, %q, %q offset %off outs(%out)
    : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, index, memref<1x4x16x8xf32>
  return
}

// -----

func.func @online_dcmha_window(%q: tensor<1x4x16x8xf32>, %off: index, %init: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{'attn.online_dcmha' op expected window extents >= -1, found (-2, -1)}}
  %o = attn.online_dcmha %q, %q, %q offset %off outs(%init) {window_left = -2 : i64}
         : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// The query-indexed compose operands cover the tile's rows.
func.func @online_dcmha_gate_rows(%q: tensor<1x4x16x8xf32>, %g: tensor<1x20x4xf32>, %off: index, %init: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{'attn.online_dcmha' op expected 'pre query_gate' dim 1 (Lq) to be 16 (from the scores [B, H, Lq, Lk]), found 20}}
  %o = attn.online_dcmha %q, %q, %q pre(query_gate(%g)) offset %off outs(%init)
         : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x20x4xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

func.func @online_dcmha_result(%q: tensor<1x4x16x8xf32>, %off: index, %init: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf16> {
  // expected-error @+1 {{'attn.online_dcmha' op expected the result type to match the destination 'tensor<1x4x16x8xf32>', found 'tensor<1x4x16x8xf16>'}}
  %o = attn.online_dcmha %q, %q, %q offset %off outs(%init)
         : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, index, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf16>
  return %o : tensor<1x4x16x8xf16>
}

// -----

func.func @tiled_compose_output(%a: tensor<1x4x5x7xf32>, %init: tensor<1x4x5x6xf32>) -> tensor<1x4x5x6xf32> {
  // expected-error @+1 {{'attn.tiled_compose' op expected 'output' dim 3 (Lk) to be 7 (as 'scores'), found 6}}
  %c = attn.tiled_compose %a outs(%init) : tensor<1x4x5x7xf32>, tensor<1x4x5x6xf32> -> tensor<1x4x5x6xf32>
  return %c : tensor<1x4x5x6xf32>
}

// -----

func.func @tiled_compose_rank(%a: tensor<1x4x5x7xf32>, %w1: tensor<1x5x2x4xf32>, %w2: tensor<1x5x3x4xf32>, %init: tensor<1x4x5x7xf32>) -> tensor<1x4x5x7xf32> {
  // expected-error @+1 {{'attn.tiled_compose' op expected 'query_weights qw2' dim 2 (Cq) to be 2 (as 'query_weights qw1'), found 3}}
  %c = attn.tiled_compose %a outs(%init) query_weights(%w1, %w2) : tensor<1x4x5x7xf32>, tensor<1x5x2x4xf32>, tensor<1x5x3x4xf32>, tensor<1x4x5x7xf32> -> tensor<1x4x5x7xf32>
  return %c : tensor<1x4x5x7xf32>
}
