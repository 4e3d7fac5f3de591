// BERT-base self-attention (Devlin et al., NAACL 2019) on a padded batch:
// B = 8 sequences padded to L = 128 tokens, d_model 768 = H = 12 heads of
// D = 64, bidirectional, default scale 1/sqrt(64) = 0.125.
//
// The padding mask is BERT's per-token `attention_mask` ([B, L], true = real
// token), broadcast with linalg.broadcast to the [B, 1, Lq, Lk] i1 mask that
// attn.attention takes (true = visible; one mask for all heads). Padded keys
// are invisible to every query; padded query rows still attend to the real
// tokens, as in BERT.
//
//   attn-run examples/bert_base_padding_mask.mlir --input=@q.npy --input=@k.npy \
//     --input=@v.npy --input=@attention_mask.npy --output=@o.npy
func.func @main(%query: tensor<8x12x128x64xf32>, %key: tensor<8x12x128x64xf32>,
                %value: tensor<8x12x128x64xf32>, %attention_mask: tensor<8x128xi1>)
    -> tensor<8x12x128x64xf32> {
  %empty = tensor.empty() : tensor<8x1x128x128xi1>
  %mask = linalg.broadcast ins(%attention_mask : tensor<8x128xi1>)
                           outs(%empty : tensor<8x1x128x128xi1>) dimensions = [1, 2]
  %out = attn.attention %query, %key, %value mask %mask
      : tensor<8x12x128x64xf32>, tensor<8x12x128x64xf32>, tensor<8x12x128x64xf32>,
        tensor<8x1x128x128xi1> -> tensor<8x12x128x64xf32>
  return %out : tensor<8x12x128x64xf32>
}
