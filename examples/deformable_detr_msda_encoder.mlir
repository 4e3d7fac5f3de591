// Deformable DETR encoder (Zhu et al., ICLR 2021), one multi-scale deformable
// attention layer (the core of MSDeformAttn, ms_deform_attn_core_pytorch):
// ResNet-50 features of an 800x1200 image at strides 8/16/32/64 give 4 levels
// 100x150, 50x75, 25x38 and 13x19, S = 19947 tokens; every token is a query
// (Lq = S). d_model 256 = M = 8 heads of D = 32; each query samples P = 4
// points per head and level. Batch 1.
//
//   value                [N, S, M, D]            value_proj(src), split into heads
//   sampling_locations   [N, Lq, M, L, P, 2]     reference point + offset, (x, y) in [0, 1]
//   attention_weights    [N, Lq, M, L, P]        softmax over the L*P points of a head
//   result               [N, Lq, M*D]            (output_proj follows in the model)
//
// 2.55 M bilinear samples per call (N*Lq*M*L*P), 1.31 GB gathered
// (4 corners * D * 4 bytes per sample).
//
//   scripts/demo_inputs.py gen examples/deformable_detr_msda_encoder.mlir /tmp/enc
//   attn-run examples/deformable_detr_msda_encoder.mlir --input=@/tmp/enc/arg0.npy \
//     --input=@/tmp/enc/arg1.npy --input=@/tmp/enc/arg2.npy --output=@out.npy
func.func @main(%value: tensor<1x19947x8x32xf32>,
                %sampling_locations: tensor<1x19947x8x4x4x2xf32>,
                %attention_weights: tensor<1x19947x8x4x4xf32>) -> tensor<1x19947x256xf32> {
  %out = attn.ms_deform_attn %value, %sampling_locations, %attention_weights
      {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
      : tensor<1x19947x8x32xf32>, tensor<1x19947x8x4x4x2xf32>, tensor<1x19947x8x4x4xf32>
      -> tensor<1x19947x256xf32>
  return %out : tensor<1x19947x256xf32>
}
