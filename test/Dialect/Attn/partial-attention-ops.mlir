// RUN: attn-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// attn.partial_attention, the online-softmax step over a key range (the
// split-K tile): round trip on tensors (three results) and memrefs (none),
// then verifier errors, including the element-type checks shared with
// attn.online_attention.

// CHECK-LABEL: func.func @partial_tensor(
// CHECK:         %{{.+}}:3 = attn.partial_attention ins(%{{.+}}, %{{.+}}, %{{.+}} offset %{{.+}} key_offset %{{.+}} : tensor<1x4x1x128xf32>, tensor<1x1x2048x128xf32>, tensor<1x1x2048x128xf32>)
// CHECK-SAME:      outs(%{{.+}}, %{{.+}}, %{{.+}} : tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>)
// CHECK-SAME:      {scale = 0.0883788987 : f32, window_right = 0 : i64}
// CHECK-SAME:      -> tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
func.func @partial_tensor(%q: tensor<1x4x1x128xf32>, %k: tensor<1x1x2048x128xf32>,
                          %v: tensor<1x1x2048x128xf32>, %acc: tensor<1x4x1x128xf32>,
                          %m: tensor<1x4x1xf32>, %l: tensor<1x4x1xf32>, %qoff: index,
                          %koff: index)
    -> (tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>) {
  %r:3 = attn.partial_attention ins(%q, %k, %v offset %qoff key_offset %koff
           : tensor<1x4x1x128xf32>, tensor<1x1x2048x128xf32>, tensor<1x1x2048x128xf32>)
           outs(%acc, %m, %l : tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>)
           {scale = 0.0883789 : f32, window_left = -1 : i64, window_right = 0 : i64}
           -> tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
  return %r#0, %r#1, %r#2 : tensor<1x4x1x128xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
}

// -----

// CHECK-LABEL: func.func @partial_memref_mask(
// CHECK:         attn.partial_attention ins(%{{.+}}, %{{.+}}, %{{.+}} mask %{{.+}} offset %{{.+}} key_offset %{{.+}} : memref<1x2x3x64xbf16>, memref<1x2x100x64xbf16>, memref<1x2x100x32xbf16>, memref<1x1x3x100xi8>)
// CHECK-SAME:      outs(%{{.+}}, %{{.+}}, %{{.+}} : memref<1x2x3x32xf32>, memref<1x2x3xf32>, memref<1x2x3xf32>)
// CHECK-SAME:      {chunk = 32 : i64, softcap = 5.000000e+01 : f32, window_left = 7 : i64}
// CHECK-NOT:     ->
func.func @partial_memref_mask(%q: memref<1x2x3x64xbf16>, %k: memref<1x2x100x64xbf16>,
                               %v: memref<1x2x100x32xbf16>, %mask: memref<1x1x3x100xi8>,
                               %acc: memref<1x2x3x32xf32>, %m: memref<1x2x3xf32>,
                               %l: memref<1x2x3xf32>, %qoff: index, %koff: index) {
  attn.partial_attention ins(%q, %k, %v mask %mask offset %qoff key_offset %koff
      : memref<1x2x3x64xbf16>, memref<1x2x100x64xbf16>, memref<1x2x100x32xbf16>, memref<1x1x3x100xi8>)
      outs(%acc, %m, %l : memref<1x2x3x32xf32>, memref<1x2x3xf32>, memref<1x2x3xf32>)
      {softcap = 50.0 : f32, window_left = 7 : i64, chunk = 32 : i64}
  return
}

// -----

func.func @partial_state_not_f32(%q: tensor<1x1x4x8xf16>, %k: tensor<1x1x9x8xf16>,
                                 %v: tensor<1x1x9x8xf16>, %acc: tensor<1x1x4x8xf16>,
                                 %m: tensor<1x1x4xf32>, %l: tensor<1x1x4xf32>, %off: index)
    -> (tensor<1x1x4x8xf16>, tensor<1x1x4xf32>, tensor<1x1x4xf32>) {
  // expected-error @+1 {{'attn.partial_attention' op expected f32 elements for 'acc', found 'tensor<1x1x4x8xf16>'}}
  %r:3 = attn.partial_attention ins(%q, %k, %v offset %off key_offset %off
           : tensor<1x1x4x8xf16>, tensor<1x1x9x8xf16>, tensor<1x1x9x8xf16>)
           outs(%acc, %m, %l : tensor<1x1x4x8xf16>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
           -> tensor<1x1x4x8xf16>, tensor<1x1x4xf32>, tensor<1x1x4xf32>
  return %r#0, %r#1, %r#2 : tensor<1x1x4x8xf16>, tensor<1x1x4xf32>, tensor<1x1x4xf32>
}

// -----

func.func @partial_max_rows(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x9x8xf32>,
                            %v: tensor<1x1x9x8xf32>, %acc: tensor<1x1x4x8xf32>,
                            %m: tensor<1x1x5xf32>, %l: tensor<1x1x4xf32>, %off: index)
    -> (tensor<1x1x4x8xf32>, tensor<1x1x5xf32>, tensor<1x1x4xf32>) {
  // expected-error @+1 {{'attn.partial_attention' op expected 'max' dim 2 (Lq) to be 4 (the same dim of 'acc'), found 5 (shape [1, 1, 5])}}
  %r:3 = attn.partial_attention ins(%q, %k, %v offset %off key_offset %off
           : tensor<1x1x4x8xf32>, tensor<1x1x9x8xf32>, tensor<1x1x9x8xf32>)
           outs(%acc, %m, %l : tensor<1x1x4x8xf32>, tensor<1x1x5xf32>, tensor<1x1x4xf32>)
           -> tensor<1x1x4x8xf32>, tensor<1x1x5xf32>, tensor<1x1x4xf32>
  return %r#0, %r#1, %r#2 : tensor<1x1x4x8xf32>, tensor<1x1x5xf32>, tensor<1x1x4xf32>
}

// -----

func.func @partial_memref_with_results(%q: memref<1x1x4x8xf32>, %k: memref<1x1x9x8xf32>,
                                       %v: memref<1x1x9x8xf32>, %acc: memref<1x1x4x8xf32>,
                                       %m: memref<1x1x4xf32>, %l: memref<1x1x4xf32>, %off: index) {
  // expected-error @+1 {{'attn.partial_attention' op expected 0 results on memrefs, found 1}}
  %r = attn.partial_attention ins(%q, %k, %v offset %off key_offset %off
         : memref<1x1x4x8xf32>, memref<1x1x9x8xf32>, memref<1x1x9x8xf32>)
         outs(%acc, %m, %l : memref<1x1x4x8xf32>, memref<1x1x4xf32>, memref<1x1x4xf32>)
         -> tensor<1x1x4x8xf32>
  return
}

// -----

// q, k, v of one float type (shared with attn.online_attention).
func.func @online_key_type(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x9x8xf16>,
                           %v: tensor<1x1x9x8xf32>, %init: tensor<1x1x4x8xf32>,
                           %off: index) -> tensor<1x1x4x8xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'key' to have the element type of 'query' ('f32'), found 'f16'}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x4x8xf32>, tensor<1x1x9x8xf16>, tensor<1x1x9x8xf32>)
         outs(%init : tensor<1x1x4x8xf32>) {scale = 1.0 : f32} -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

func.func @online_integer_elements(%q: tensor<1x1x4x8xi32>, %k: tensor<1x1x9x8xi32>,
                                   %v: tensor<1x1x9x8xi32>, %init: tensor<1x1x4x8xi32>,
                                   %off: index) -> tensor<1x1x4x8xi32> {
  // expected-error @+1 {{'attn.online_attention' op expected a float element type for 'query', found 'i32'}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x4x8xi32>, tensor<1x1x9x8xi32>, tensor<1x1x9x8xi32>)
         outs(%init : tensor<1x1x4x8xi32>) {scale = 1.0 : f32} -> tensor<1x1x4x8xi32>
  return %o : tensor<1x1x4x8xi32>
}

// -----

func.func @online_mask_type(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x9x8xf32>,
                            %v: tensor<1x1x9x8xf32>, %mask: tensor<1x1x4x9xi32>,
                            %init: tensor<1x1x4x8xf32>, %off: index) -> tensor<1x1x4x8xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'mask' elements of i1, i8 or the element type of 'query' ('f32'), found 'i32'}}
  %o = attn.online_attention ins(%q, %k, %v mask %mask offset %off
         : tensor<1x1x4x8xf32>, tensor<1x1x9x8xf32>, tensor<1x1x9x8xf32>, tensor<1x1x4x9xi32>)
         outs(%init : tensor<1x1x4x8xf32>) {scale = 1.0 : f32} -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

func.func @online_index_elements(%q: memref<1x1x4x8xindex>, %k: memref<1x1x9x8xindex>,
                                 %v: memref<1x1x9x8xindex>, %init: memref<1x1x4x8xindex>,
                                 %off: index) {
  // expected-error @+1 {{'attn.online_attention' op expected a float element type for 'query', found 'index'}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x4x8xindex>, memref<1x1x9x8xindex>, memref<1x1x9x8xindex>)
      outs(%init : memref<1x1x4x8xindex>) {scale = 1.0 : f32}
  return
}
