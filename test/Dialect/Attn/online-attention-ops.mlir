// RUN: attn-opt %s -split-input-file -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -verify-diagnostics --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// attn.online_attention, the destination-style form that the lowerings
// consume: round trip on tensors (one result) and on memrefs (no result),
// through the custom and the generic form, then one verifier error per case.

// CHECK-LABEL: func.func @online_tensor_defaults(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x1x64x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x1x512x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x1x512x64xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x1x64x64xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] offset %[[OFF]] : tensor<1x1x64x64xf32>, tensor<1x1x512x64xf32>, tensor<1x1x512x64xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<1x1x64x64xf32>) {scale = 1.250000e-01 : f32} -> tensor<1x1x64x64xf32>
// CHECK:         return %[[O]]
// The window extents default to -1 and are spelled out in the generic form.
// GENERIC-LABEL: sym_name = "online_tensor_defaults"
// GENERIC:         "attn.online_attention"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{scale = 1.250000e-01 : f32, window_left = -1 : i64, window_right = -1 : i64}>
// GENERIC-SAME:      -> tensor<1x1x64x64xf32>
func.func @online_tensor_defaults(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x512x64xf32>,
                                  %v: tensor<1x1x512x64xf32>, %init: tensor<1x1x64x64xf32>,
                                  %off: index) -> tensor<1x1x64x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x512x64xf32>, tensor<1x1x512x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

// Every attribute, an i8 mask that broadcasts over batch and heads, GQA
// operand shapes and Dv != D.
// CHECK-LABEL: func.func @online_tensor_all_attributes(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf16>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x2x256x64xf16>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x2x256x32xf16>, %[[MASK:[a-zA-Z0-9_]+]]: tensor<1x1x128x256xi8>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<2x8x128x32xf16>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK:         %[[O:.+]] = attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[MASK]] offset %[[OFF]] : tensor<2x8x128x64xf16>, tensor<2x2x256x64xf16>, tensor<2x2x256x32xf16>, tensor<1x1x128x256xi8>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<2x8x128x32xf16>)
// CHECK-SAME:      {chunk = 64 : i64, scale = 2.500000e-01 : f32, softcap = 3.000000e+01 : f32, window_left = 16 : i64, window_right = 0 : i64} -> tensor<2x8x128x32xf16>
// CHECK:         return %[[O]]
func.func @online_tensor_all_attributes(%q: tensor<2x8x128x64xf16>, %k: tensor<2x2x256x64xf16>,
                                        %v: tensor<2x2x256x32xf16>, %m: tensor<1x1x128x256xi8>,
                                        %init: tensor<2x8x128x32xf16>, %off: index)
    -> tensor<2x8x128x32xf16> {
  %o = attn.online_attention ins(%q, %k, %v mask %m offset %off
         : tensor<2x8x128x64xf16>, tensor<2x2x256x64xf16>, tensor<2x2x256x32xf16>, tensor<1x1x128x256xi8>)
         outs(%init : tensor<2x8x128x32xf16>)
         {scale = 0.25 : f32, softcap = 30.0 : f32, window_left = 16 : i64, window_right = 0 : i64,
          chunk = 64 : i64} -> tensor<2x8x128x32xf16>
  return %o : tensor<2x8x128x32xf16>
}

// -----

// A float bias mask and dynamic dims.
// CHECK-LABEL: func.func @online_tensor_dynamic_bias(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[BIAS:[a-zA-Z0-9_]+]]: tensor<?x4x?x?xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK:         attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[BIAS]] offset %[[OFF]] : tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x?xf32>)
// CHECK-SAME:      outs(%[[INIT]] : tensor<?x4x?x64xf32>) {scale = 1.250000e-01 : f32, window_left = 4 : i64} -> tensor<?x4x?x64xf32>
func.func @online_tensor_dynamic_bias(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>,
                                      %v: tensor<?x4x?x64xf32>, %bias: tensor<?x4x?x?xf32>,
                                      %init: tensor<?x4x?x64xf32>, %off: index)
    -> tensor<?x4x?x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v mask %bias offset %off
         : tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x?xf32>)
         outs(%init : tensor<?x4x?x64xf32>) {scale = 0.125 : f32, window_left = 4 : i64}
         -> tensor<?x4x?x64xf32>
  return %o : tensor<?x4x?x64xf32>
}

// -----

// On memrefs the op writes `output` and has no result.
// CHECK-LABEL: func.func @online_memref(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: memref<1x2x100x64xf32>, %[[K:[a-zA-Z0-9_]+]]: memref<1x2x77x64xf32>, %[[V:[a-zA-Z0-9_]+]]: memref<1x2x77x48xf32>, %[[MASK:[a-zA-Z0-9_]+]]: memref<1x2x100x77xi8>, %[[OUT:[a-zA-Z0-9_]+]]: memref<1x2x100x48xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK:         attn.online_attention ins(%[[Q]], %[[K]], %[[V]] mask %[[MASK]] offset %[[OFF]] : memref<1x2x100x64xf32>, memref<1x2x77x64xf32>, memref<1x2x77x48xf32>, memref<1x2x100x77xi8>)
// CHECK-SAME:      outs(%[[OUT]] : memref<1x2x100x48xf32>) {scale = 1.250000e-01 : f32, window_right = 0 : i64}{{$}}
// CHECK-NEXT:    return{{$}}
// GENERIC-LABEL: sym_name = "online_memref"
// GENERIC:         "attn.online_attention"({{.*}}) <{scale = 1.250000e-01 : f32, window_left = -1 : i64, window_right = 0 : i64}> : (memref<1x2x100x64xf32>, memref<1x2x77x64xf32>, memref<1x2x77x48xf32>, memref<1x2x100x77xi8>, index, memref<1x2x100x48xf32>) -> ()
func.func @online_memref(%q: memref<1x2x100x64xf32>, %k: memref<1x2x77x64xf32>,
                         %v: memref<1x2x77x48xf32>, %m: memref<1x2x100x77xi8>,
                         %out: memref<1x2x100x48xf32>, %off: index) {
  attn.online_attention ins(%q, %k, %v mask %m offset %off
      : memref<1x2x100x64xf32>, memref<1x2x77x64xf32>, memref<1x2x77x48xf32>, memref<1x2x100x77xi8>)
      outs(%out : memref<1x2x100x48xf32>) {scale = 0.125 : f32, window_right = 0 : i64}
  return
}

// -----

// CHECK-LABEL: func.func @online_memref_strided_dynamic(
// CHECK:         attn.online_attention ins(%{{.*}} : memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>, memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>, memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>)
// CHECK-SAME:      outs(%{{.*}} : memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>) {chunk = 128 : i64, scale = 1.250000e-01 : f32}
func.func @online_memref_strided_dynamic(
    %q: memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>,
    %k: memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>,
    %v: memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>,
    %out: memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>, %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>,
        memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>,
        memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>)
      outs(%out : memref<1x1x?x64xf32, strided<[?, ?, 64, 1], offset: ?>>)
      {scale = 0.125 : f32, chunk = 128 : i64}
  return
}

//===----------------------------------------------------------------------===//
// Verifier errors
//===----------------------------------------------------------------------===//

// -----

func.func @online_query_rank(%q: tensor<1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                             %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                             %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'query' of rank 4 ([B, Hq, Lq, D]), found rank 3 ('tensor<1x64x64xf32>')}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_key_rank(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x1x64x64xf32>,
                           %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                           %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'key' of rank 4 ([B, Hkv, Lk, D]), found rank 5}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_value_rank(%q: memref<1x1x64x64xf32>, %k: memref<1x1x64x64xf32>,
                             %v: memref<64x64xf32>, %out: memref<1x1x64x64xf32>, %off: index) {
  // expected-error @+1 {{'attn.online_attention' op expected 'value' of rank 4 ([B, Hkv, Lk, Dv]), found rank 2}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x64x64xf32>, memref<1x1x64x64xf32>, memref<64x64xf32>)
      outs(%out : memref<1x1x64x64xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @online_output_rank(%q: memref<1x1x64x64xf32>, %k: memref<1x1x64x64xf32>,
                              %v: memref<1x1x64x64xf32>, %out: memref<1x64x64xf32>, %off: index) {
  // expected-error @+1 {{'attn.online_attention' op expected 'output' of rank 4 ([B, Hq, Lq, Dv]), found rank 3}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x64x64xf32>, memref<1x1x64x64xf32>, memref<1x1x64x64xf32>)
      outs(%out : memref<1x64x64xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @online_mask_rank(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                            %v: tensor<1x1x64x64xf32>, %m: tensor<64x64xi8>,
                            %init: tensor<1x1x64x64xf32>, %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'mask' of rank 4 ([B|1, Hq|1, Lq, Lk]), found rank 2}}
  %o = attn.online_attention ins(%q, %k, %v mask %m offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<64x64xi8>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_memref_with_result(%q: memref<1x1x64x64xf32>, %k: memref<1x1x64x64xf32>,
                                     %v: memref<1x1x64x64xf32>, %out: memref<1x1x64x64xf32>,
                                     %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 0 results on memrefs, found 1}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : memref<1x1x64x64xf32>, memref<1x1x64x64xf32>, memref<1x1x64x64xf32>)
         outs(%out : memref<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_tensor_without_result(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                                        %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                                        %off: index) {
  // expected-error @+1 {{'attn.online_attention' op expected 1 results on tensors, found 0}}
  attn.online_attention ins(%q, %k, %v offset %off
      : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
      outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @online_result_type(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                              %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                              %off: index) -> tensor<1x1x64x32xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected the result type to match the destination 'tensor<1x1x64x64xf32>', found 'tensor<1x1x64x32xf32>'}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32} -> tensor<1x1x64x32xf32>
  return %o : tensor<1x1x64x32xf32>
}

// -----

func.func @online_window_left(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                              %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                              %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected window extents >= -1, found (-2, 0)}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>)
         {scale = 0.125 : f32, window_left = -2 : i64, window_right = 0 : i64} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_window_right(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                               %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                               %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected window extents >= -1, found (-1, -5)}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>)
         {scale = 0.125 : f32, window_right = -5 : i64} -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

func.func @online_chunk_zero(%q: tensor<1x1x64x64xf32>, %k: tensor<1x1x64x64xf32>,
                             %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                             %off: index) -> tensor<1x1x64x64xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'chunk' > 0, found 0}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) {scale = 0.125 : f32, chunk = 0 : i64}
         -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}

// -----

// Without `scale` the op uses 1/sqrt(D) of the run-time D.
// CHECK-LABEL: func.func @online_default_scale
// CHECK:         attn.online_attention
// CHECK-NOT:     scale
func.func @online_default_scale(%q: tensor<1x1x64x?xf32>, %k: tensor<1x1x64x?xf32>,
                                %v: tensor<1x1x64x64xf32>, %init: tensor<1x1x64x64xf32>,
                                %off: index) -> tensor<1x1x64x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x64x?xf32>, tensor<1x1x64x?xf32>, tensor<1x1x64x64xf32>)
         outs(%init : tensor<1x1x64x64xf32>) -> tensor<1x1x64x64xf32>
  return %o : tensor<1x1x64x64xf32>
}
