// DCNv4-style deformable sampling (Xiong et al., CVPR 2024) written as one
// attn.ms_deform_attn level: a 100x152 feature map (stride 8 of an 800x1216
// image), C = 256 channels in M = 8 groups of D = 32, and every position of
// the map is a query (Lq = 100 * 152 = 15200) that samples P = 8 points per
// group with its own aggregation weights. (DCNv4 proper samples a 3x3 kernel
// grid plus offsets, in pixels, with unnormalized weights; here the points
// arrive as normalized (x, y) in [0, 1] and the weights as given, which
// covers the same gather-and-blend work.)
//
//   value                [N, H*W, M, D]          the input map, channels split into groups
//   sampling_locations   [N, Lq, M, 1, P, 2]     (x, y) in [0, 1]
//   attention_weights    [N, Lq, M, 1, P]        aggregation weights
//   result               [N, Lq, M*D]            = the output map [N, H, W, C]
//
// 0.97 M bilinear samples per call, 0.50 GB gathered.
//
//   scripts/demo_inputs.py gen examples/dcnv4_msda.mlir /tmp/dcn
//   attn-run examples/dcnv4_msda.mlir --input=@/tmp/dcn/arg0.npy \
//     --input=@/tmp/dcn/arg1.npy --input=@/tmp/dcn/arg2.npy --output=@out.npy
func.func @main(%value: tensor<1x15200x8x32xf32>,
                %sampling_locations: tensor<1x15200x8x1x8x2xf32>,
                %attention_weights: tensor<1x15200x8x1x8xf32>) -> tensor<1x15200x256xf32> {
  %out = attn.ms_deform_attn %value, %sampling_locations, %attention_weights
      {spatial_shapes = array<i64: 100, 152>}
      : tensor<1x15200x8x32xf32>, tensor<1x15200x8x1x8x2xf32>, tensor<1x15200x8x1x8xf32>
      -> tensor<1x15200x256xf32>
  return %out : tensor<1x15200x256xf32>
}
