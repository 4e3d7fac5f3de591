// Gemma-2-9B local attention layer (Gemma Team, 2024) at its full context of
// 8192 tokens: every other Gemma 2 layer is a sliding-window layer with a
// 4096-token window (as in Hugging Face's Gemma2, each query sees itself and
// the 4095 keys before it: window = [4095, 0]), and every layer soft-caps the
// attention logits at 50: s -> 50 * tanh(s / 50). Hq = 16 query heads share
// Hkv = 8 key/value heads of D = 256; the scale is query_pre_attn_scalar^-1/2
// = 1/sqrt(256) = 0.0625. Batch 1, f32.
//
// The global layers are the same op without `window`
// (attn.attention {causal, scale = 0.0625 : f32, softcap = 50.0 : f32}).
//
//   attn-run examples/gemma2_9b_softcap_sliding_window.mlir --input=@q.npy \
//     --input=@k.npy --input=@v.npy --benchmark=1
func.func @main(%query: tensor<1x16x8192x256xf32>, %key: tensor<1x8x8192x256xf32>,
                %value: tensor<1x8x8192x256xf32>) -> tensor<1x16x8192x256xf32> {
  %out = attn.sliding_window_attention %query, %key, %value
      {window = array<i64: 4095, 0>, scale = 0.0625 : f32, softcap = 50.0 : f32}
      : tensor<1x16x8192x256xf32>, tensor<1x8x8192x256xf32>, tensor<1x8x8192x256xf32>
      -> tensor<1x16x8192x256xf32>
  return %out : tensor<1x16x8192x256xf32>
}
