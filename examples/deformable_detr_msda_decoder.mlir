// Deformable DETR decoder (Zhu et al., ICLR 2021), the cross-attention of one
// decoder layer: Lq = 300 object queries sample the encoder's memory, the
// same 4 levels 100x150, 50x75, 25x38 and 13x19 (S = 19947) as
// deformable_detr_msda_encoder.mlir. M = 8 heads of D = 32, P = 4 points per
// head and level, batch 1.
//
//   value                [N, S, M, D]            value_proj(memory), split into heads
//   sampling_locations   [N, Lq, M, L, P, 2]     reference point + offset, (x, y) in [0, 1]
//   attention_weights    [N, Lq, M, L, P]        softmax over the L*P points of a head
//   result               [N, Lq, M*D]
//
// 38,400 bilinear samples per call, 19.7 MB gathered: small next to the
// 20 MB `value` it reads from (the cost is in touching `value`, not in
// arithmetic).
//
//   scripts/demo_inputs.py gen examples/deformable_detr_msda_decoder.mlir /tmp/dec
//   attn-run examples/deformable_detr_msda_decoder.mlir --input=@/tmp/dec/arg0.npy \
//     --input=@/tmp/dec/arg1.npy --input=@/tmp/dec/arg2.npy --output=@out.npy
func.func @main(%value: tensor<1x19947x8x32xf32>,
                %sampling_locations: tensor<1x300x8x4x4x2xf32>,
                %attention_weights: tensor<1x300x8x4x4xf32>) -> tensor<1x300x256xf32> {
  %out = attn.ms_deform_attn %value, %sampling_locations, %attention_weights
      {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
      : tensor<1x19947x8x32xf32>, tensor<1x300x8x4x4x2xf32>, tensor<1x300x8x4x4xf32>
      -> tensor<1x300x256xf32>
  return %out : tensor<1x300x256xf32>
}
