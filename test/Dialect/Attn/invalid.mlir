// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per verifier check of lib/Dialect/Attn/IR/AttnOps.cpp (the label
// of the constraint it enforces is named above each case; see docs/Spec.md),
// then the checks ODS generates and the errors of the custom syntax.

//===----------------------------------------------------------------------===//
// attn.attention
//===----------------------------------------------------------------------===//

// attention_c6
func.func @attention_query_rank(%q: tensor<8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                %v: tensor<2x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'query' of rank 4 ([B, Hq, Lq, D]), found rank 3 ('tensor<8x128x64xf32>')}}
  %o = attn.attention %q, %k, %v
      : tensor<8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c6
func.func @attention_key_rank(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x4x256x64xf32>,
                              %v: tensor<2x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'key' of rank 4 ([B, Hkv, Lk, D]), found rank 5}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x4x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c6
func.func @attention_value_rank(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                %v: tensor<256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'value' of rank 4 ([B, Hkv, Lk, Dv]), found rank 2}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c6
func.func @attention_result_rank(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                 %v: tensor<2x8x256x64xf32>) -> tensor<16x128x64xf32> {
  // expected-error @+1 {{expected 'result' of rank 4 ([B, Hq, Lq, Dv]), found rank 3}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<16x128x64xf32>
  return %o : tensor<16x128x64xf32>
}

// -----

// attention_c6
func.func @attention_mask_rank(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                               %v: tensor<2x8x256x64xf32>, %m: tensor<128x256xi1>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' of rank 4 ([B or 1, Hq or 1, Lq, Lk]), found rank 2}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>, tensor<128x256xi1>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c7
func.func @attention_key_element_type(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf16>,
                                      %v: tensor<2x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'key' element type 'f32' (as 'query'), found 'f16'}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf16>, tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c7
func.func @attention_value_element_type(%q: tensor<2x8x128x64xf16>, %k: tensor<2x8x256x64xf16>,
                                        %v: tensor<2x8x256x64xbf16>) -> tensor<2x8x128x64xf16> {
  // expected-error @+1 {{expected 'value' element type 'f16' (as 'query'), found 'bf16'}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf16>, tensor<2x8x256x64xf16>, tensor<2x8x256x64xbf16> -> tensor<2x8x128x64xf16>
  return %o : tensor<2x8x128x64xf16>
}

// -----

// attention_c7: accumulation is f32, but the result keeps the input type.
func.func @attention_result_element_type(%q: tensor<2x8x128x64xbf16>, %k: tensor<2x8x256x64xbf16>,
                                         %v: tensor<2x8x256x64xbf16>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'result' element type 'bf16' (as 'query'), found 'f32'}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xbf16>, tensor<2x8x256x64xbf16>, tensor<2x8x256x64xbf16> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c7: a float mask has the float type of the other operands.
func.func @attention_mask_element_type(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                       %v: tensor<2x8x256x64xf32>, %m: tensor<2x8x128x256xf16>)
    -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' element type i1 or 'f32' (as 'query'), found 'f16'}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x128x256xf16>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_key_batch(%q: tensor<2x8x128x64xf32>, %k: tensor<3x8x256x64xf32>,
                               %v: tensor<3x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'key' dim 0 (B) to be 2 (batch of 'query'), found 3 (shape [3, 8, 256, 64])}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<3x8x256x64xf32>, tensor<3x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_value_batch(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                 %v: tensor<1x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'value' dim 0 (B) to be 2 (batch of 'query'), found 1 (shape [1, 8, 256, 64])}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<1x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_head_dim(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x128xf32>,
                              %v: tensor<2x8x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'key' dim 3 (D) to be 64 (head dim of 'query'), found 128 (shape [2, 8, 256, 128])}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x128xf32>, tensor<2x8x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_value_heads(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                 %v: tensor<2x4x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'value' dim 1 (Hkv) to be 2 (heads of 'key'), found 4 (shape [2, 4, 256, 64])}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x4x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_value_length(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                  %v: tensor<2x8x255x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'value' dim 2 (Lk) to be 256 (length of 'key'), found 255 (shape [2, 8, 255, 64])}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x255x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c1
func.func @attention_gqa_not_divisible(%q: tensor<2x8x128x64xf32>, %k: tensor<2x3x256x64xf32>,
                                       %v: tensor<2x3x256x64xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'query' heads (Hq = 8) to be a multiple of 'key' heads (Hkv = 3), found 'query' shape [2, 8, 128, 64] and 'key' shape [2, 3, 256, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x3x256x64xf32>, tensor<2x3x256x64xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c1: more KV heads than query heads.
func.func @attention_gqa_more_kv_heads(%q: tensor<1x2x16x8xf32>, %k: tensor<1x4x16x8xf32>,
                                       %v: tensor<1x4x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'query' heads (Hq = 2) to be a multiple of 'key' heads (Hkv = 4)}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c1: zero KV heads.
func.func @attention_zero_kv_heads(%q: tensor<1x2x16x8xf32>, %k: tensor<1x0x16x8xf32>,
                                   %v: tensor<1x0x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected at least one 'key' head (Hkv), found 'key' shape [1, 0, 16, 8]}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x16x8xf32>, tensor<1x0x16x8xf32>, tensor<1x0x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c8
func.func @attention_result_batch(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                  %v: tensor<2x8x256x64xf32>) -> tensor<1x8x128x64xf32> {
  // expected-error @+1 {{expected 'result' dim 0 (B) to be 2 (batch of 'query'), found 1}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<1x8x128x64xf32>
  return %o : tensor<1x8x128x64xf32>
}

// -----

// attention_c8: the result has Hq heads, not Hkv.
func.func @attention_result_heads(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                  %v: tensor<2x2x256x64xf32>) -> tensor<2x2x128x64xf32> {
  // expected-error @+1 {{expected 'result' dim 1 (Hq) to be 8 (heads of 'query'), found 2}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32> -> tensor<2x2x128x64xf32>
  return %o : tensor<2x2x128x64xf32>
}

// -----

// attention_c8: the result has Lq rows, not Lk.
func.func @attention_result_length(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                   %v: tensor<2x8x256x64xf32>) -> tensor<2x8x256x64xf32> {
  // expected-error @+1 {{expected 'result' dim 2 (Lq) to be 128 (length of 'query'), found 256}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32> -> tensor<2x8x256x64xf32>
  return %o : tensor<2x8x256x64xf32>
}

// -----

// attention_c8: the result has Dv columns, not D.
func.func @attention_result_value_dim(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                      %v: tensor<2x8x256x32xf32>) -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'result' dim 3 (Dv) to be 32 (head dim of 'value'), found 64}}
  %o = attn.attention %q, %k, %v
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x32xf32> -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3: the mask's batch is B or 1.
func.func @attention_mask_batch(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                %v: tensor<2x8x256x64xf32>, %m: tensor<3x1x128x256xi1>)
    -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' dim 0 (B) to be 1 or 2, found 3 (shape [3, 1, 128, 256])}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>, tensor<3x1x128x256xi1>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3: the mask has Hq heads (or 1), not Hkv.
func.func @attention_mask_heads(%q: tensor<2x8x128x64xf32>, %k: tensor<2x2x256x64xf32>,
                                %v: tensor<2x2x256x64xf32>, %m: tensor<2x2x128x256xi1>)
    -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' dim 1 (Hq) to be 1 or 8, found 2 (shape [2, 2, 128, 256])}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x256x64xf32>, tensor<2x2x128x256xi1>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3: Lq and Lk of the mask do not broadcast.
func.func @attention_mask_query_length(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                       %v: tensor<2x8x256x64xf32>, %m: tensor<1x1x1x256xf32>)
    -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' dim 2 (Lq) to be 128 (length of 'query'), found 1 (shape [1, 1, 1, 256])}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>, tensor<1x1x1x256xf32>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c3
func.func @attention_mask_key_length(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                                     %v: tensor<2x8x256x64xf32>, %m: tensor<2x8x128x128xi1>)
    -> tensor<2x8x128x64xf32> {
  // expected-error @+1 {{expected 'mask' dim 3 (Lk) to be 256 (length of 'key'), found 128 (shape [2, 8, 128, 128])}}
  %o = attn.attention %q, %k, %v mask %m
      : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x128x128xi1>
      -> tensor<2x8x128x64xf32>
  return %o : tensor<2x8x128x64xf32>
}

// -----

// attention_c2: softcap = 0.0 is an error, not "off" (absent is off).
func.func @attention_softcap_zero(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                                  %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'softcap' to be finite and > 0, found 0}}
  %o = attn.attention %q, %k, %v {softcap = 0.0 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c2
func.func @attention_softcap_negative(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                                      %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'softcap' to be finite and > 0, found -5}}
  %o = attn.attention %q, %k, %v {softcap = -5.0 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c2
func.func @attention_softcap_inf(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                                 %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'softcap' to be finite and > 0, found inf}}
  %o = attn.attention %q, %k, %v {softcap = 0x7F800000 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c9
func.func @attention_scale_nan(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x16x8xf32>,
                               %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'scale' to be finite, found nan}}
  %o = attn.attention %q, %k, %v {scale = 0x7FC00000 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// ODS: float operands are f32, f16 or bf16.
func.func @attention_integer_query(%q: tensor<1x2x16x8xi32>, %k: tensor<1x2x16x8xf32>,
                                   %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x2x16x8xi32>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x16x8xi32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// ODS: f64 is not an accepted element type.
func.func @attention_f64(%q: tensor<1x2x16x8xf64>) -> tensor<1x2x16x8xf64> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x16x8xf64>, tensor<1x2x16x8xf64>, tensor<1x2x16x8xf64> -> tensor<1x2x16x8xf64>
  return %o : tensor<1x2x16x8xf64>
}

// -----

// ODS: operands are ranked.
func.func @attention_unranked(%q: tensor<*xf32>, %k: tensor<1x2x16x8xf32>,
                              %v: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %o = attn.attention %q, %k, %v
      : tensor<*xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// ODS: masks are i1 or a float type; integer masks other than i1 are rejected.
func.func @attention_mask_i8(%q: tensor<1x2x16x8xf32>, %m: tensor<1x1x16x16xi8>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{operand #3 must be ranked tensor of 1-bit signless integer or 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x1x16x16xi8>'}}
  %o = attn.attention %q, %q, %q mask %m
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x1x16x16xi8>
      -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// ODS: scale is an f32 attribute.
func.func @attention_scale_f64(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{attribute 'scale' failed to satisfy constraint: 32-bit float attribute}}
  %o = attn.attention %q, %q, %q {scale = 0.5 : f64}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

//===----------------------------------------------------------------------===//
// attn.sliding_window_attention
//===----------------------------------------------------------------------===//

// -----

// sliding_window_attention_c4
func.func @sliding_window_one_value(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'window' to hold exactly 2 values (left, right), found 1}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4>}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// sliding_window_attention_c4
func.func @sliding_window_three_values(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'window' to hold exactly 2 values (left, right), found 3}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0, 1>}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// sliding_window_attention_c4
func.func @sliding_window_left_below_minus_one(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'window' left extent >= -1, found -2}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: -2, 0>}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// sliding_window_attention_c4
func.func @sliding_window_right_below_minus_one(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'window' right extent >= -1, found -7}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 16, -7>, causal}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// sliding_window_attention_c5
func.func @sliding_window_chunk_zero(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'chunk' > 0, found 0}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: -1, 0>, chunk = 0 : i64}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// sliding_window_attention_c5: a negative chunk is read as signed.
func.func @sliding_window_chunk_negative(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'chunk' > 0, found -4}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: -1, 0>, chunk = -4 : i64}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c2 (shared)
func.func @sliding_window_softcap_zero(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'softcap' to be finite and > 0, found 0}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0>, softcap = 0.0 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c9 (shared)
func.func @sliding_window_scale_inf(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'scale' to be finite, found -inf}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0>, scale = 0xFF800000 : f32}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// attention_c1 (shared)
func.func @sliding_window_gqa_not_divisible(%q: tensor<1x6x16x8xf32>, %k: tensor<1x4x16x8xf32>)
    -> tensor<1x6x16x8xf32> {
  // expected-error @+1 {{expected 'query' heads (Hq = 6) to be a multiple of 'key' heads (Hkv = 4)}}
  %o = attn.sliding_window_attention %q, %k, %k {window = array<i64: 4, 0>}
      : tensor<1x6x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32> -> tensor<1x6x16x8xf32>
  return %o : tensor<1x6x16x8xf32>
}

// -----

// attention_c3 (shared)
func.func @sliding_window_mask_shape(%q: tensor<1x2x16x8xf32>, %m: tensor<1x2x16x8xi1>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{expected 'mask' dim 3 (Lk) to be 16 (length of 'key'), found 8 (shape [1, 2, 16, 8])}}
  %o = attn.sliding_window_attention %q, %q, %q mask %m {window = array<i64: 4, 0>}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xi1>
      -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

// -----

// ODS: window is required.
func.func @sliding_window_missing_window(%q: tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32> {
  // expected-error @+1 {{requires attribute 'window'}}
  %o = attn.sliding_window_attention %q, %q, %q {causal}
      : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x2x16x8xf32>
  return %o : tensor<1x2x16x8xf32>
}

//===----------------------------------------------------------------------===//
// attn.compose
//===----------------------------------------------------------------------===//

// -----

// compose_c1
func.func @compose_scores_rank(%s: tensor<2x8x12xf32>) -> tensor<2x8x12xf32> {
  // expected-error @+1 {{expected 'scores' of rank 4 ([B, H, Lq, Lk]), found rank 3}}
  %c = attn.compose %s : tensor<2x8x12xf32> -> tensor<2x8x12xf32>
  return %c : tensor<2x8x12xf32>
}

// -----

// compose_c1
func.func @compose_result_element_type(%s: tensor<2x4x8x12xf32>) -> tensor<2x4x8x12xf16> {
  // expected-error @+1 {{expected 'result' element type 'f32' (as 'scores'), found 'f16'}}
  %c = attn.compose %s : tensor<2x4x8x12xf32> -> tensor<2x4x8x12xf16>
  return %c : tensor<2x4x8x12xf16>
}

// -----

// compose_c1
func.func @compose_result_rank(%s: tensor<2x4x8x12xf32>) -> tensor<8x8x12xf32> {
  // expected-error @+1 {{expected 'result' of rank 4 ([B, H, Lq, Lk]), found rank 3}}
  %c = attn.compose %s : tensor<2x4x8x12xf32> -> tensor<8x8x12xf32>
  return %c : tensor<8x8x12xf32>
}

// -----

// compose_c1
func.func @compose_result_shape(%s: tensor<2x4x8x12xf32>) -> tensor<2x4x12x8xf32> {
  // expected-error @+1 {{expected 'result' dim 2 (Lq) to be 8 (as 'scores'), found 12 (shape [2, 4, 12, 8])}}
  %c = attn.compose %s : tensor<2x4x8x12xf32> -> tensor<2x4x12x8xf32>
  return %c : tensor<2x4x12x8xf32>
}

// -----

// compose_c2
func.func @compose_static_rank(%s: tensor<2x4x8x12xf32>, %w: tensor<16xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'static' of rank 2 ([H, H]), found rank 1}}
  %c = attn.compose %s static(%w) : tensor<2x4x8x12xf32>, tensor<16xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c2
func.func @compose_static_shape(%s: tensor<2x4x8x12xf32>, %w: tensor<4x8xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'static' dim 1 (H) to be 4 (from the scores [B, H, Lq, Lk]), found 8 (shape [4, 8])}}
  %c = attn.compose %s static(%w) : tensor<2x4x8x12xf32>, tensor<4x8xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c2: every group has the scores' element type.
func.func @compose_static_element_type(%s: tensor<2x4x8x12xf32>, %w: tensor<4x4xbf16>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'static' element type 'f32' (as the scores), found 'bf16'}}
  %c = attn.compose %s static(%w) : tensor<2x4x8x12xf32>, tensor<4x4xbf16> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c3: in the generic form a pair can be left half-empty.
func.func @compose_query_weights_half_pair(%s: tensor<2x4x8x12xf32>, %qw: tensor<2x8x2x4xf32>)
    -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected both 'query_weights' operands (qw1, qw2), found one}}
  %c = "attn.compose"(%s, %qw) <{operandSegmentSizes = array<i32: 1, 0, 1, 0, 0, 0, 0, 0>}>
      : (tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32>) -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c3
func.func @compose_query_weights_rank(%s: tensor<2x4x8x12xf32>, %qw: tensor<2x8x4xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_weights qw1' of rank 4 ([B, Lq, Cq, H]), found rank 3}}
  %c = attn.compose %s query_weights(%qw, %qw)
      : tensor<2x4x8x12xf32>, tensor<2x8x4xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c3: query weights run over Lq, not Lk.
func.func @compose_query_weights_length(%s: tensor<2x4x8x12xf32>, %qw: tensor<2x12x2x4xf32>)
    -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_weights qw1' dim 1 (Lq) to be 8 (from the scores [B, H, Lq, Lk]), found 12 (shape [2, 12, 2, 4])}}
  %c = attn.compose %s query_weights(%qw, %qw)
      : tensor<2x4x8x12xf32>, tensor<2x12x2x4xf32>, tensor<2x12x2x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c3: qw1 and qw2 share the rank Cq.
func.func @compose_query_weights_rank_mismatch(%s: tensor<2x4x8x12xf32>, %qw1: tensor<2x8x2x4xf32>,
                                               %qw2: tensor<2x8x3x4xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_weights qw2' dim 2 (Cq) to be 2 (as 'query_weights qw1'), found 3 (shape [2, 8, 3, 4])}}
  %c = attn.compose %s query_weights(%qw1, %qw2)
      : tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32>, tensor<2x8x3x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c3
func.func @compose_query_weights_heads(%s: tensor<2x4x8x12xf32>, %qw1: tensor<2x8x2x4xf32>,
                                       %qw2: tensor<2x8x2x5xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_weights qw2' dim 3 (H) to be 4 (from the scores [B, H, Lq, Lk]), found 5}}
  %c = attn.compose %s query_weights(%qw1, %qw2)
      : tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32>, tensor<2x8x2x5xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c4: in the generic form a pair can be left half-empty.
func.func @compose_key_weights_half_pair(%s: tensor<2x4x8x12xf32>, %kw: tensor<2x12x2x4xf32>)
    -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected both 'key_weights' operands (kw1, kw2), found one}}
  %c = "attn.compose"(%s, %kw) <{operandSegmentSizes = array<i32: 1, 0, 0, 0, 0, 1, 0, 0>}>
      : (tensor<2x4x8x12xf32>, tensor<2x12x2x4xf32>) -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c4
func.func @compose_key_weights_batch(%s: tensor<2x4x8x12xf32>, %kw: tensor<1x12x2x4xf32>)
    -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'key_weights kw1' dim 0 (B) to be 2 (from the scores [B, H, Lq, Lk]), found 1}}
  %c = attn.compose %s key_weights(%kw, %kw)
      : tensor<2x4x8x12xf32>, tensor<1x12x2x4xf32>, tensor<1x12x2x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c4: key weights run over Lk, not Lq.
func.func @compose_key_weights_length(%s: tensor<2x4x8x12xf32>, %kw1: tensor<2x12x2x4xf32>,
                                      %kw2: tensor<2x8x2x4xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'key_weights kw2' dim 1 (Lk) to be 12 (from the scores [B, H, Lq, Lk]), found 8}}
  %c = attn.compose %s key_weights(%kw1, %kw2)
      : tensor<2x4x8x12xf32>, tensor<2x12x2x4xf32>, tensor<2x8x2x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c4
func.func @compose_key_weights_element_type(%s: tensor<2x4x8x12xf32>, %kw1: tensor<2x12x2x4xf32>,
                                            %kw2: tensor<2x12x2x4xf16>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'key_weights kw2' element type 'f32' (as the scores), found 'f16'}}
  %c = attn.compose %s key_weights(%kw1, %kw2)
      : tensor<2x4x8x12xf32>, tensor<2x12x2x4xf32>, tensor<2x12x2x4xf16> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c5
func.func @compose_query_gate_rank(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x1x4xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_gate' of rank 3 ([B, Lq, H]), found rank 4}}
  %c = attn.compose %s query_gate(%g) : tensor<2x4x8x12xf32>, tensor<2x8x1x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c5
func.func @compose_query_gate_heads(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x8xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'query_gate' dim 2 (H) to be 4 (from the scores [B, H, Lq, Lk]), found 8}}
  %c = attn.compose %s query_gate(%g) : tensor<2x4x8x12xf32>, tensor<2x8x8xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// compose_c5
func.func @compose_key_gate_length(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x4xf32>) -> tensor<2x4x8x12xf32> {
  // expected-error @+1 {{expected 'key_gate' dim 1 (Lk) to be 12 (from the scores [B, H, Lq, Lk]), found 8}}
  %c = attn.compose %s key_gate(%g) : tensor<2x4x8x12xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return %c : tensor<2x4x8x12xf32>
}

// -----

// Syntax: groups are written in the order static, query_weights, key_weights,
// query_gate, key_gate.
func.func @compose_groups_out_of_order(%s: tensor<2x4x8x12xf32>, %qg: tensor<2x8x4xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{compose group 'static' is repeated or out of order; groups are written as static, query_weights, key_weights, query_gate, key_gate}}
  %c = attn.compose %s query_gate(%qg) static(%w)
      : tensor<2x4x8x12xf32>, tensor<4x4xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

func.func @compose_group_repeated(%s: tensor<2x4x8x12xf32>, %qg: tensor<2x8x4xf32>) {
  // expected-error @+1 {{compose group 'query_gate' is repeated or out of order}}
  %c = attn.compose %s query_gate(%qg) query_gate(%qg)
      : tensor<2x4x8x12xf32>, tensor<2x8x4xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

// Syntax: a pair group needs both operands.
func.func @compose_pair_missing_operand(%s: tensor<2x4x8x12xf32>, %qw: tensor<2x8x2x4xf32>) {
  // expected-error @+1 {{expected 2 operands in 'query_weights(...)', found 1}}
  %c = attn.compose %s query_weights(%qw)
      : tensor<2x4x8x12xf32>, tensor<2x8x2x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

func.func @compose_pair_empty_second_operand(%s: tensor<2x4x8x12xf32>, %kw: tensor<2x12x2x4xf32>) {
  // expected-error @+1 {{expected SSA operand}}
  %c = attn.compose %s key_weights(%kw, )
      : tensor<2x4x8x12xf32>, tensor<2x12x2x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

// Syntax: a single-operand group takes exactly one operand.
func.func @compose_gate_two_operands(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{expected ')'}}
  %c = attn.compose %s query_gate(%g, %g)
      : tensor<2x4x8x12xf32>, tensor<2x8x4xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

func.func @compose_unknown_group(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{unknown compose group 'gate'; expected one of static, query_weights, key_weights, query_gate, key_gate}}
  %c = attn.compose %s gate(%g) : tensor<2x4x8x12xf32>, tensor<2x8x4xf32> -> tensor<2x4x8x12xf32>
  return
}

// -----

// Syntax: one type per operand.
func.func @compose_missing_type(%s: tensor<2x4x8x12xf32>, %g: tensor<2x8x4xf32>) {
  // expected-error @+1 {{number of operands and types do not match: got 2 operands and 1 types}}
  %c = attn.compose %s query_gate(%g) : tensor<2x4x8x12xf32> -> tensor<2x4x8x12xf32>
  return
}

//===----------------------------------------------------------------------===//
// attn.dcmha
//===----------------------------------------------------------------------===//

// -----

// dcmha_c1
func.func @dcmha_gqa(%q: tensor<1x8x16x8xf32>, %k: tensor<1x2x16x8xf32>) -> tensor<1x8x16x8xf32> {
  // expected-error @+1 {{expected 'key' dim 1 (H) to be 8 (heads of 'query'; dcmha needs Hq == Hkv), found 2}}
  %o = attn.dcmha %q, %k, %k : tensor<1x8x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32> -> tensor<1x8x16x8xf32>
  return %o : tensor<1x8x16x8xf32>
}

// -----

// dcmha_c2: the pre groups are checked against [B, H, Lq, Lk].
func.func @dcmha_pre_gate_shape(%q: tensor<1x4x16x8xf32>, %k: tensor<1x4x32x8xf32>, %g: tensor<1x16x4xf32>)
    -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 'pre key_gate' dim 1 (Lk) to be 32 (from the scores [B, H, Lq, Lk]), found 16}}
  %o = attn.dcmha %q, %k, %k pre(key_gate(%g))
      : tensor<1x4x16x8xf32>, tensor<1x4x32x8xf32>, tensor<1x4x32x8xf32>, tensor<1x16x4xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// dcmha_c2
func.func @dcmha_post_static_shape(%q: tensor<1x4x16x8xf32>, %w: tensor<8x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 'post static' dim 0 (H) to be 4 (from the scores [B, H, Lq, Lk]), found 8}}
  %o = attn.dcmha %q, %q, %q post(static(%w))
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<8x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// dcmha_c2: in the generic form a pair can be left half-empty.
func.func @dcmha_post_half_pair(%q: tensor<1x4x16x8xf32>, %qw: tensor<1x16x2x4xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected both 'post query_weights' operands (qw1, qw2), found one}}
  %o = "attn.dcmha"(%q, %q, %q, %qw)
      <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0>}>
      : (tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x16x2x4xf32>)
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// sliding_window_attention_c4 (shared)
func.func @dcmha_window_bad(%q: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 'window' left extent >= -1, found -3}}
  %o = attn.dcmha %q, %q, %q {window = array<i64: -3, 0>}
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// sliding_window_attention_c4 (shared)
func.func @dcmha_window_size(%q: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 'window' to hold exactly 2 values (left, right), found 0}}
  %o = attn.dcmha %q, %q, %q {window = array<i64>}
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// attention_c3 (shared)
func.func @dcmha_head_dim(%q: tensor<1x4x16x8xf32>, %k: tensor<1x4x16x4xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 'key' dim 3 (D) to be 8 (head dim of 'query'), found 4}}
  %o = attn.dcmha %q, %k, %q
      : tensor<1x4x16x8xf32>, tensor<1x4x16x4xf32>, tensor<1x4x16x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// Syntax: pre(...) comes before post(...).
func.func @dcmha_blocks_out_of_order(%q: tensor<1x4x16x8xf32>, %g: tensor<1x16x4xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{compose block 'pre' is repeated or out of order; blocks are written as pre(...) post(...)}}
  %o = attn.dcmha %q, %q, %q post(query_gate(%g)) pre(query_gate(%g))
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x16x4xf32>, tensor<1x16x4xf32>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

func.func @dcmha_block_repeated(%q: tensor<1x4x16x8xf32>, %g: tensor<1x16x4xf32>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{compose block 'post' is repeated or out of order}}
  %o = attn.dcmha %q, %q, %q post(query_gate(%g)) post(query_gate(%g))
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x16x4xf32>, tensor<1x16x4xf32>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// Syntax: the groups inside a block follow the order of attn.compose.
func.func @dcmha_groups_out_of_order(%q: tensor<1x4x16x8xf32>, %g: tensor<1x16x4xf32>, %w: tensor<4x4xf32>)
    -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{compose group 'static' is repeated or out of order}}
  %o = attn.dcmha %q, %q, %q pre(key_gate(%g) static(%w))
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<4x4xf32>, tensor<1x16x4xf32>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

func.func @dcmha_pair_missing_operand(%q: tensor<1x4x16x8xf32>, %kw: tensor<1x16x2x4xf32>)
    -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected 2 operands in 'key_weights(...)', found 1}}
  %o = attn.dcmha %q, %q, %q post(key_weights(%kw))
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x16x2x4xf32>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// Syntax: attn.dcmha takes no mask operand.
func.func @dcmha_mask(%q: tensor<1x4x16x8xf32>, %m: tensor<1x1x16x16xi1>) -> tensor<1x4x16x8xf32> {
  // expected-error @+1 {{expected ':'}}
  %o = attn.dcmha %q, %q, %q mask %m
      : tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x4x16x8xf32>, tensor<1x1x16x16xi1>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

//===----------------------------------------------------------------------===//
// attn.deformable_sample
//===----------------------------------------------------------------------===//

// -----

// deformable_sample_c1
func.func @deformable_sample_input_rank(%x: tensor<14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'input' of rank 4 ([N, Hin, Win, C]), found rank 3}}
  %s = attn.deformable_sample %x, %grid : tensor<14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_grid_rank(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x49x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'grid' of rank 4 ([N, Hout, Wout, 2]), found rank 3}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x49x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_result_rank(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x49x32xf32> {
  // expected-error @+1 {{expected 'result' of rank 4 ([N, Hout, Wout, C]), found rank 3}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x49x32xf32>
  return %s : tensor<2x49x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_grid_element_type(%x: tensor<2x14x14x32xf16>, %grid: tensor<2x7x7x2xf32>)
    -> tensor<2x7x7x32xf16> {
  // expected-error @+1 {{expected 'grid' element type 'f16' (as 'input'), found 'f32'}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf16>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf16>
  return %s : tensor<2x7x7x32xf16>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_result_element_type(%x: tensor<2x14x14x32xf16>, %grid: tensor<2x7x7x2xf16>)
    -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'result' element type 'f16' (as 'input'), found 'f32'}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf16>, tensor<2x7x7x2xf16> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_grid_batch(%x: tensor<2x14x14x32xf32>, %grid: tensor<1x7x7x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'grid' dim 0 (N) to be 2 (batch of 'input'), found 1 (shape [1, 7, 7, 2])}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<1x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c2: the grid's last dim holds (x, y).
func.func @deformable_sample_grid_last_dim(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x3xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'grid' dim 3 (xy) to be 2 (an (x, y) pair), found 3 (shape [2, 7, 7, 3])}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x7x3xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_result_batch(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<1x7x7x32xf32> {
  // expected-error @+1 {{expected 'result' dim 0 (N) to be 2 (batch of 'input'), found 1}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<1x7x7x32xf32>
  return %s : tensor<1x7x7x32xf32>
}

// -----

// deformable_sample_c1: the result has the grid's spatial size, not the input's.
func.func @deformable_sample_result_height(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x5x2xf32>) -> tensor<2x14x5x32xf32> {
  // expected-error @+1 {{expected 'result' dim 1 (Hout) to be 7 (from 'grid'), found 14}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x5x2xf32> -> tensor<2x14x5x32xf32>
  return %s : tensor<2x14x5x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_result_width(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x5x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{expected 'result' dim 2 (Wout) to be 5 (from 'grid'), found 7}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x5x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// deformable_sample_c1
func.func @deformable_sample_result_channels(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x7x7x2xf32> {
  // expected-error @+1 {{expected 'result' dim 3 (C) to be 32 (channels of 'input'), found 2}}
  %s = attn.deformable_sample %x, %grid : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x2xf32>
  return %s : tensor<2x7x7x2xf32>
}

// -----

// ODS: padding_mode is zeros or border ("reflection" is not supported).
func.func @deformable_sample_reflection(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+2 {{expected ::mlir::attn::PaddingMode to be one of: zeros, border}}
  // expected-error @+1 {{failed to parse Attn_PaddingModeAttr parameter 'value'}}
  %s = attn.deformable_sample %x, %grid {padding_mode = #attn<padding_mode reflection>}
      : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

// -----

// ODS: align_corners is a BoolAttr.
func.func @deformable_sample_align_corners_int(%x: tensor<2x14x14x32xf32>, %grid: tensor<2x7x7x2xf32>) -> tensor<2x7x7x32xf32> {
  // expected-error @+1 {{attribute 'align_corners' failed to satisfy constraint: bool attribute}}
  %s = attn.deformable_sample %x, %grid {align_corners = 1 : i64}
      : tensor<2x14x14x32xf32>, tensor<2x7x7x2xf32> -> tensor<2x7x7x32xf32>
  return %s : tensor<2x7x7x32xf32>
}

//===----------------------------------------------------------------------===//
// attn.ms_deform_attn
//===----------------------------------------------------------------------===//

// -----

// ms_deform_attn_c5
func.func @ms_deform_attn_value_rank(%value: tensor<1x80x8xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                     %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'value' of rank 4 ([N, S, M, D]), found rank 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x8xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c5
func.func @ms_deform_attn_locations_rank(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4xf32>,
                                         %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'sampling_locations' of rank 6 ([N, Lq, M, L, P, 2]), found rank 5}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c5
func.func @ms_deform_attn_weights_rank(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                       %w: tensor<1x10x2x8xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' of rank 5 ([N, Lq, M, L, P]), found rank 4}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x8xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c5
func.func @ms_deform_attn_result_rank(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                      %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x2x4xf32> {
  // expected-error @+1 {{expected 'result' of rank 3 ([N, Lq, M*D]), found rank 4}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x2x4xf32>
  return %o : tensor<1x10x2x4xf32>
}

// -----

// ms_deform_attn_c6
func.func @ms_deform_attn_locations_element_type(%value: tensor<1x80x2x4xbf16>, %loc: tensor<1x10x2x2x4x2xf32>,
                                                 %w: tensor<1x10x2x2x4xbf16>) -> tensor<1x10x8xbf16> {
  // expected-error @+1 {{expected 'sampling_locations' element type 'bf16' (as 'value'), found 'f32'}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xbf16>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xbf16> -> tensor<1x10x8xbf16>
  return %o : tensor<1x10x8xbf16>
}

// -----

// ms_deform_attn_c6
func.func @ms_deform_attn_weights_element_type(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                               %w: tensor<1x10x2x2x4xf16>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' element type 'f32' (as 'value'), found 'f16'}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf16> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c6
func.func @ms_deform_attn_result_element_type(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                              %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf16> {
  // expected-error @+1 {{expected 'result' element type 'f32' (as 'value'), found 'f16'}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf16>
  return %o : tensor<1x10x8xf16>
}

// -----

// ms_deform_attn_c1
func.func @ms_deform_attn_spatial_shapes_odd(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                             %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'spatial_shapes' to hold a non-empty list of (H, W) pairs, found 3 values}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c1
func.func @ms_deform_attn_spatial_shapes_empty(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x0x4x2xf32>,
                                               %w: tensor<1x10x2x0x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'spatial_shapes' to hold a non-empty list of (H, W) pairs, found 0 values}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x0x4x2xf32>, tensor<1x10x2x0x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c1
func.func @ms_deform_attn_spatial_shapes_zero(%value: tensor<1x64x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                              %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'spatial_shapes' entries > 0, found 0 at position 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 0>}
      : tensor<1x64x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c1: the sum of H_l*W_l must not overflow.
func.func @ms_deform_attn_spatial_shapes_overflow(%value: tensor<1x?x2x4xf32>, %loc: tensor<1x10x2x1x4x2xf32>,
                                                  %w: tensor<1x10x2x1x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected the sum of H_l*W_l over 'spatial_shapes' to fit in 64 bits, found an overflow at position 1}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 4611686018427387904, 4>}
      : tensor<1x?x2x4xf32>, tensor<1x10x2x1x4x2xf32>, tensor<1x10x2x1x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c2
func.func @ms_deform_attn_value_length(%value: tensor<1x81x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                       %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'value' dim 1 (S) to be 80 (sum of H_l*W_l over 'spatial_shapes'), found 81 (shape [1, 81, 2, 4])}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x81x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_locations_batch(%value: tensor<1x80x2x4xf32>, %loc: tensor<2x10x2x2x4x2xf32>,
                                          %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'sampling_locations' dim 0 (N) to be 1 (batch of 'value'), found 2}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<2x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_locations_heads(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x4x2x4x2xf32>,
                                          %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'sampling_locations' dim 2 (M) to be 2 (heads of 'value'), found 4}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x4x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_locations_levels(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x3x4x2xf32>,
                                           %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'sampling_locations' dim 3 (L) to be 2 (levels in 'spatial_shapes'), found 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x3x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_locations_xy(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x3xf32>,
                                       %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'sampling_locations' dim 5 (xy) to be 2 (an (x, y) pair), found 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x3xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_weights_batch(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                        %w: tensor<3x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' dim 0 (N) to be 1 (batch of 'value'), found 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<3x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_weights_queries(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                          %w: tensor<1x11x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' dim 1 (Lq) to be 10 (queries of 'sampling_locations'), found 11}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x11x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_weights_heads(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                        %w: tensor<1x10x1x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' dim 2 (M) to be 2 (heads of 'value'), found 1}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x1x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_weights_levels(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                         %w: tensor<1x10x2x4x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' dim 3 (L) to be 2 (levels in 'spatial_shapes'), found 4}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x4x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c3
func.func @ms_deform_attn_weights_points(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                         %w: tensor<1x10x2x2x3xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{expected 'attention_weights' dim 4 (P) to be 4 (points of 'sampling_locations'), found 3}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x3xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// ms_deform_attn_c4
func.func @ms_deform_attn_result_batch(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                       %w: tensor<1x10x2x2x4xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{expected 'result' dim 0 (N) to be 1 (batch of 'value'), found 2}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<2x10x8xf32>
  return %o : tensor<2x10x8xf32>
}

// -----

// ms_deform_attn_c4
func.func @ms_deform_attn_result_queries(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                         %w: tensor<1x10x2x2x4xf32>) -> tensor<1x80x8xf32> {
  // expected-error @+1 {{expected 'result' dim 1 (Lq) to be 10 (queries of 'sampling_locations'), found 80}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x80x8xf32>
  return %o : tensor<1x80x8xf32>
}

// -----

// ms_deform_attn_c4: heads and channels are flattened into M*D.
func.func @ms_deform_attn_result_channels(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                          %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x4xf32> {
  // expected-error @+1 {{expected 'result' dim 2 (M*D) to be 8 (heads times channels of 'value'), found 4 (shape [1, 10, 4])}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x4xf32>
  return %o : tensor<1x10x4xf32>
}

// -----

// ms_deform_attn_c4: with M dynamic, the width is a multiple of D.
func.func @msda_result_width_dynamic_heads(%v: tensor<1x30x?x4xf32>, %l: tensor<1x5x?x2x2x2xf32>, %w: tensor<1x5x?x2x2xf32>) -> tensor<1x5x7xf32> {
  // expected-error @+1 {{expected 'result' dim 2 (M*D) to be a multiple of the channels D of 'value' (4), found 7 (shape [1, 5, 7])}}
  %o = attn.ms_deform_attn %v, %l, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
    : tensor<1x30x?x4xf32>, tensor<1x5x?x2x2x2xf32>, tensor<1x5x?x2x2xf32> -> tensor<1x5x7xf32>
  return %o : tensor<1x5x7xf32>
}

// -----

// ms_deform_attn_c4: M*D must not overflow.
func.func @ms_deform_attn_result_channels_overflow(%value: tensor<1x80x4611686018427387904x4xf32>,
                                                   %loc: tensor<1x10x?x2x4x2xf32>, %w: tensor<1x10x?x2x4xf32>)
    -> tensor<1x10x?xf32> {
  // expected-error @+1 {{expected M*D of 'value' (shape [1, 80, 4611686018427387904, 4]) to fit in 64 bits}}
  %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 8, 8, 4, 4>}
      : tensor<1x80x4611686018427387904x4xf32>, tensor<1x10x?x2x4x2xf32>, tensor<1x10x?x2x4xf32> -> tensor<1x10x?xf32>
  return %o : tensor<1x10x?xf32>
}

// -----

// ODS: spatial_shapes is required.
func.func @ms_deform_attn_missing_spatial_shapes(%value: tensor<1x80x2x4xf32>, %loc: tensor<1x10x2x2x4x2xf32>,
                                                 %w: tensor<1x10x2x2x4xf32>) -> tensor<1x10x8xf32> {
  // expected-error @+1 {{requires attribute 'spatial_shapes'}}
  %o = attn.ms_deform_attn %value, %loc, %w
      : tensor<1x80x2x4xf32>, tensor<1x10x2x2x4x2xf32>, tensor<1x10x2x2x4xf32> -> tensor<1x10x8xf32>
  return %o : tensor<1x10x8xf32>
}

// -----

// A misspelt (unprefixed, unknown) attribute is an error, not a silently
// kept discardable attribute.
func.func @attention_misspelt_attribute(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'attn.attention' op has no attribute 'casual'; it takes: causal, scale, softcap, lowering_config}}
  %o = attn.attention %q, %q, %q {casual}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @sliding_window_misspelt_attribute(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{has no attribute 'windw'; it takes: window, chunk, causal, scale, softcap, lowering_config}}
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 1, 0>, windw = 3}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @compose_unknown_attribute(%s: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'attn.compose' op has no attribute 'scale'}}
  %c = attn.compose %s {scale = 1.0 : f32} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  return %c : tensor<1x2x3x3xf32>
}

// -----

// #attn.lowering_config: sizes are positive and bounded, tiles are [rows,
// vectors].
func.func @lowering_config_zero_block(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{expected 'block_q' in #attn.lowering_config in [1, 4096], found 0}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 0, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @lowering_config_negative_splits(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{expected 'split_keys' in #attn.lowering_config in [1, 4096], found -2}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 32, block_k = 128, split_keys = -2, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @lowering_config_huge_block(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{expected 'block_k' in #attn.lowering_config in [1, 4096], found 2147483648}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 32, block_k = 2147483648, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @lowering_config_tile_rank(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{expected 'qk_tile' in #attn.lowering_config to be [rows, vectors] (two sizes in [1, 64]), found [6]}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 32, block_k = 128, split_keys = 1, qk_tile = [6], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @lowering_config_tile_zero(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{expected 'partial_pv_tile' in #attn.lowering_config to be [rows, vectors] (two sizes in [1, 64]), found [4, 0]}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 32, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 0]>}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// `lowering_config` holds an #attn.lowering_config and nothing else.
func.func @lowering_config_wrong_type(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-error @+1 {{'attn.attention' op expected 'lowering_config' to be an #attn.lowering_config, found 5 : i64}}
  %o = attn.attention %q, %q, %q {lowering_config = 5 : i64}
      : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

func.func @lowering_config_wrong_type_online(%q: tensor<1x1x8x16xf32>, %off: index) -> tensor<1x1x8x16xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected 'lowering_config' to be an #attn.lowering_config, found "fast"}}
  %o = attn.online_attention ins(%q, %q, %q offset %off
         : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>)
         outs(%q : tensor<1x1x8x16xf32>) {lowering_config = "fast"} -> tensor<1x1x8x16xf32>
  return %o : tensor<1x1x8x16xf32>
}

// -----

// Ops without a code-generation path take no lowering config.
func.func @compose_lowering_config(%s: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  // expected-error @+1 {{'attn.compose' op has no attribute 'lowering_config'}}
  %c = attn.compose %s {lowering_config = #attn.lowering_config<block_q = 32, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xf32>
  return %c : tensor<1x2x3x3xf32>
}

// -----

func.func @lowering_config_unknown_unit(%q: tensor<1x2x4x8xbf16>) -> tensor<1x2x4x8xbf16> {
  // expected-error @+2 {{expected one of [f32, bf16_dot, bf16_dot_emulated, amx, amx_emulated]}}
  // expected-error @+1 {{failed to parse Attn_LoweringConfigAttr parameter 'unit'}}
  %o = attn.attention %q, %q, %q {lowering_config = #attn.lowering_config<block_q = 4, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4], unit = tmul>}
      : tensor<1x2x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<1x2x4x8xbf16> -> tensor<1x2x4x8xbf16>
  return %o : tensor<1x2x4x8xbf16>
}
