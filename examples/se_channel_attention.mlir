// Squeeze-and-excitation channel attention (Hu, Shen and Sun, "Squeeze-and-
// Excitation Networks", CVPR 2018) on a ResNet-50 stage-1 feature map:
// N = 2 images, C = 256 channels, 56 x 56, reduction ratio 16.
//
//   s = mean over (h, w) of x                       [N, C]       squeeze
//   g = sigmoid(relu(s W1 + b1) W2 + b2)            [N, C]       excitation
//   y = x * g[:, :, None, None]                     [N, C, H, W]
//
// The squeeze is a row reduction and the scale an elementwise op with a
// broadcast: both are threaded and vectorized (-attn-vectorize-elementwise).
//
//   /usr/bin/python3 scripts/demo_inputs.py gen examples/se_channel_attention.mlir /tmp/se
//   build/bin/attn-run examples/se_channel_attention.mlir --input=@/tmp/se/arg0.npy \
//       --input=@/tmp/se/arg1.npy --input=@/tmp/se/arg2.npy \
//       --input=@/tmp/se/arg3.npy --input=@/tmp/se/arg4.npy
func.func @main(%x: tensor<2x256x56x56xf32>, %w1: tensor<256x16xf32>,
                %b1: tensor<16xf32>, %w2: tensor<16x256xf32>,
                %b2: tensor<256xf32>) -> tensor<2x256x56x56xf32> {
  %zero = arith.constant 0.0 : f32
  %x3 = tensor.collapse_shape %x [[0], [1], [2, 3]] : tensor<2x256x56x56xf32> into tensor<2x256x3136xf32>
  // Squeeze: the mean of each channel.
  %es = tensor.empty() : tensor<2x256xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x256xf32>) -> tensor<2x256xf32>
  %sum = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x3 : tensor<2x256x3136xf32>) outs(%fs : tensor<2x256xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x256xf32>
  // Excitation: relu(mean W1 + b1) W2 + b2, sigmoid.
  %eh = tensor.empty() : tensor<2x16xf32>
  %fh = linalg.fill ins(%zero : f32) outs(%eh : tensor<2x16xf32>) -> tensor<2x16xf32>
  %h0 = linalg.matmul ins(%sum, %w1 : tensor<2x256xf32>, tensor<256x16xf32>)
                      outs(%fh : tensor<2x16xf32>) -> tensor<2x16xf32>
  %h = linalg.generic {
      indexing_maps = [affine_map<(n, j) -> (n, j)>, affine_map<(n, j) -> (j)>,
                       affine_map<(n, j) -> (n, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%h0, %b1 : tensor<2x16xf32>, tensor<16xf32>) outs(%eh : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    // The matmul summed the channel; divide by H * W for the mean.
    %inv = arith.constant 3.18877551e-04 : f32
    %m = arith.mulf %a, %inv : f32
    %v = arith.addf %m, %b : f32
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x16xf32>
  %fg = linalg.fill ins(%zero : f32) outs(%es : tensor<2x256xf32>) -> tensor<2x256xf32>
  %g0 = linalg.matmul ins(%h, %w2 : tensor<2x16xf32>, tensor<16x256xf32>)
                      outs(%fg : tensor<2x256xf32>) -> tensor<2x256xf32>
  %g = linalg.generic {
      indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (c)>,
                       affine_map<(n, c) -> (n, c)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%g0, %b2 : tensor<2x256xf32>, tensor<256xf32>) outs(%es : tensor<2x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %v = arith.addf %a, %b : f32
    %nv = arith.negf %v : f32
    %e = math.exp %nv : f32
    %d = arith.addf %one, %e : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x256xf32>
  // Scale every channel by its gate.
  %ey = tensor.empty() : tensor<2x256x3136xf32>
  %y3 = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c)>,
                       affine_map<(n, c, p) -> (n, c, p)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x3, %g : tensor<2x256x3136xf32>, tensor<2x256xf32>) outs(%ey : tensor<2x256x3136xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %r = arith.mulf %a, %s : f32
    linalg.yield %r : f32
  } -> tensor<2x256x3136xf32>
  %y = tensor.expand_shape %y3 [[0], [1], [2, 3]] output_shape [2, 256, 56, 56] : tensor<2x256x3136xf32> into tensor<2x256x56x56xf32>
  return %y : tensor<2x256x56x56xf32>
}
