// Mistral-7B-v0.1 attention (Jiang et al., 2023) during prefill of an
// 8192-token prompt: sliding-window attention with a window of 4096 tokens
// (each query sees itself and the 4095 keys before it: window = [4095, 0]),
// grouped-query attention with Hq = 32 query heads sharing Hkv = 8 key/value
// heads, D = 128, default scale 1/sqrt(128). Batch 1, f32.
//
// 4 * D * (visible pairs) * Hq = 4*128*25.2M*32 = 412 GFLOP per call; the
// cost scales with L * window, not L^2 (docs/Spec.md 1.2).
//
//   attn-run examples/mistral_7b_sliding_window.mlir --input=@q.npy \
//     --input=@k.npy --input=@v.npy --benchmark=1
func.func @main(%query: tensor<1x32x8192x128xf32>, %key: tensor<1x8x8192x128xf32>,
                %value: tensor<1x8x8192x128xf32>) -> tensor<1x32x8192x128xf32> {
  %out = attn.sliding_window_attention %query, %key, %value {window = array<i64: 4095, 0>}
      : tensor<1x32x8192x128xf32>, tensor<1x8x8192x128xf32>, tensor<1x8x8192x128xf32>
      -> tensor<1x32x8192x128xf32>
  return %out : tensor<1x32x8192x128xf32>
}
