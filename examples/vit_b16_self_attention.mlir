// ViT-B/16 self-attention (Dosovitskiy et al., ICLR 2021) on a 224x224 image:
// 14x14 = 196 patches plus the [CLS] token give L = 197; d_model 768 is split
// into H = 12 heads of D = 64. Batch 1, bidirectional (no mask, not causal),
// default scale 1/sqrt(64) = 0.125.
//
//   attn-opt examples/vit_b16_self_attention.mlir
func.func @main(%query: tensor<1x12x197x64xf32>, %key: tensor<1x12x197x64xf32>,
                %value: tensor<1x12x197x64xf32>) -> tensor<1x12x197x64xf32> {
  %out = attn.attention %query, %key, %value
      : tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32> -> tensor<1x12x197x64xf32>
  return %out : tensor<1x12x197x64xf32>
}
