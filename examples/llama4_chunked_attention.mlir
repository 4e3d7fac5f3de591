// Llama-4-style chunked local attention (Meta, Llama 4 Scout/Maverick
// `attention_chunk_size` = 8192; FlashAttention 3 `attention_chunk`) on a
// 16384-token prompt: causal attention restricted to the query's own chunk of
// 8192 tokens (key j visible from query i iff j <= i and i/8192 == j/8192).
// H = 8 heads of D = 128 (Llama 4 has 40 query heads sharing these 8 KV heads;
// 8 keeps the example at a few seconds), default scale 1/sqrt(128). Batch 1,
// f32. The cost scales with L * chunk, not L^2 (docs/Spec.md 1.2).
//
//   attn-run examples/llama4_chunked_attention.mlir --input=@q.npy \
//     --input=@k.npy --input=@v.npy --benchmark=1
func.func @main(%query: tensor<1x8x16384x128xf32>, %key: tensor<1x8x16384x128xf32>,
                %value: tensor<1x8x16384x128xf32>) -> tensor<1x8x16384x128xf32> {
  %out = attn.sliding_window_attention %query, %key, %value
      {window = array<i64: -1, -1>, chunk = 8192 : i64, causal}
      : tensor<1x8x16384x128xf32>, tensor<1x8x16384x128xf32>, tensor<1x8x16384x128xf32>
      -> tensor<1x8x16384x128xf32>
  return %out : tensor<1x8x16384x128xf32>
}
