// Llama-3-8B attention during prefill of a 2048-token prompt: grouped-query
// attention with Hq = 32 query heads sharing Hkv = 8 key/value heads (4 query
// heads per KV head), head dim D = 128, causal, default scale 1/sqrt(128).
// Batch 1, f32 (the model ships in bf16; f32 keeps the demo's reference
// comparison simple).
//
//   attn-opt examples/llama3_8b_gqa_prefill.mlir
func.func @main(%query: tensor<1x32x2048x128xf32>, %key: tensor<1x8x2048x128xf32>,
                %value: tensor<1x8x2048x128xf32>) -> tensor<1x32x2048x128xf32> {
  %out = attn.attention %query, %key, %value {causal}
      : tensor<1x32x2048x128xf32>, tensor<1x8x2048x128xf32>, tensor<1x8x2048x128xf32> -> tensor<1x32x2048x128xf32>
  return %out : tensor<1x32x2048x128xf32>
}
