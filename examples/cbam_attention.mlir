// CBAM, the convolutional block attention module (Woo, Park, Lee and Kweon,
// "CBAM: Convolutional Block Attention Module", ECCV 2018), on a ResNet
// stage-2 feature map: N = 2, C = 128 channels, 28 x 28, ratio 16.
//
//   channel:  a  = mlp(mean_hw(x)) + mlp(max_hw(x)),  mlp(t) = relu(t W1) W2
//             x' = x * sigmoid(a)[:, :, None, None]
//   spatial:  m  = [mean_c(x'), max_c(x')]             [N, 2, H, W]
//             y  = x' * sigmoid(conv7x7(m))[:, None]   zero padding 3
//
// The pooled rows are reductions over h*w (innermost) and over c (through
// a transposed map); the 7x7 convolution is linalg.conv_2d_nchw_fchw on a
// zero-padded copy made with tensor.insert_slice.
//
//   /usr/bin/python3 scripts/demo_inputs.py gen examples/cbam_attention.mlir /tmp/cbam
//   build/bin/attn-run examples/cbam_attention.mlir --input=@/tmp/cbam/arg0.npy \
//       --input=@/tmp/cbam/arg1.npy --input=@/tmp/cbam/arg2.npy --input=@/tmp/cbam/arg3.npy
func.func @main(%x: tensor<2x128x28x28xf32>, %w1: tensor<128x8xf32>,
                %w2: tensor<8x128xf32>, %wconv: tensor<1x2x7x7xf32>)
    -> tensor<2x128x28x28xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %x3 = tensor.collapse_shape %x [[0], [1], [2, 3]] : tensor<2x128x28x28xf32> into tensor<2x128x784xf32>
  // Channel attention: average- and max-pooled descriptors.
  %ep = tensor.empty() : tensor<2x128xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%ep : tensor<2x128xf32>) -> tensor<2x128xf32>
  %sum = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x3 : tensor<2x128x784xf32>) outs(%f0 : tensor<2x128xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x128xf32>
  %avg = linalg.generic {
      indexing_maps = [affine_map<(n, c) -> (n, c)>, affine_map<(n, c) -> (n, c)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<2x128xf32>) outs(%ep : tensor<2x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %inv = arith.constant 1.27551020e-03 : f32
    %r = arith.mulf %a, %inv : f32
    linalg.yield %r : f32
  } -> tensor<2x128xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%ep : tensor<2x128xf32>) -> tensor<2x128xf32>
  %mx = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x3 : tensor<2x128x784xf32>) outs(%fm : tensor<2x128xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x128xf32>
  // The shared MLP on both descriptors, stacked as 4 rows.
  %d = tensor.concat dim(0) %avg, %mx : (tensor<2x128xf32>, tensor<2x128xf32>) -> tensor<4x128xf32>
  %eh = tensor.empty() : tensor<4x8xf32>
  %fh = linalg.fill ins(%zero : f32) outs(%eh : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h0 = linalg.matmul ins(%d, %w1 : tensor<4x128xf32>, tensor<128x8xf32>)
                      outs(%fh : tensor<4x8xf32>) -> tensor<4x8xf32>
  %h = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%h0 : tensor<4x8xf32>) outs(%eh : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %eo = tensor.empty() : tensor<4x128xf32>
  %fo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x128xf32>) -> tensor<4x128xf32>
  %o = linalg.matmul ins(%h, %w2 : tensor<4x8xf32>, tensor<8x128xf32>)
                     outs(%fo : tensor<4x128xf32>) -> tensor<4x128xf32>
  %o_avg = tensor.extract_slice %o[0, 0] [2, 128] [1, 1] : tensor<4x128xf32> to tensor<2x128xf32>
  %o_max = tensor.extract_slice %o[2, 0] [2, 128] [1, 1] : tensor<4x128xf32> to tensor<2x128xf32>
  %ex = tensor.empty() : tensor<2x128x784xf32>
  %xc = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, c)>,
                       affine_map<(n, c, p) -> (n, c)>, affine_map<(n, c, p) -> (n, c, p)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x3, %o_avg, %o_max : tensor<2x128x784xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
      outs(%ex : tensor<2x128x784xf32>) {
  ^bb0(%a: f32, %u: f32, %v: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %s = arith.addf %u, %v : f32
    %ns = arith.negf %s : f32
    %e = math.exp %ns : f32
    %den = arith.addf %one, %e : f32
    %r = arith.divf %a, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x128x784xf32>
  // Spatial attention: mean and max over the channels.
  %es = tensor.empty() : tensor<2x784xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x784xf32>) -> tensor<2x784xf32>
  %csum = linalg.generic {
      indexing_maps = [affine_map<(n, p, c) -> (n, c, p)>, affine_map<(n, p, c) -> (n, p)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xc : tensor<2x128x784xf32>) outs(%fs : tensor<2x784xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x784xf32>
  %cmean = linalg.generic {
      indexing_maps = [affine_map<(n, p) -> (n, p)>, affine_map<(n, p) -> (n, p)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%csum : tensor<2x784xf32>) outs(%es : tensor<2x784xf32>) {
  ^bb0(%a: f32, %o2: f32):
    %inv = arith.constant 7.8125e-03 : f32
    %r = arith.mulf %a, %inv : f32
    linalg.yield %r : f32
  } -> tensor<2x784xf32>
  %fx = linalg.fill ins(%ninf : f32) outs(%es : tensor<2x784xf32>) -> tensor<2x784xf32>
  %cmax = linalg.generic {
      indexing_maps = [affine_map<(n, p, c) -> (n, c, p)>, affine_map<(n, p, c) -> (n, p)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xc : tensor<2x128x784xf32>) outs(%fx : tensor<2x784xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<2x784xf32>
  // [N, 2, 28, 28] zero-padded to 34 x 34, then the 7x7 convolution.
  %m0 = tensor.expand_shape %cmean [[0], [1, 2, 3]] output_shape [2, 1, 28, 28] : tensor<2x784xf32> into tensor<2x1x28x28xf32>
  %m1 = tensor.expand_shape %cmax [[0], [1, 2, 3]] output_shape [2, 1, 28, 28] : tensor<2x784xf32> into tensor<2x1x28x28xf32>
  %epad = tensor.empty() : tensor<2x2x34x34xf32>
  %zpad = linalg.fill ins(%zero : f32) outs(%epad : tensor<2x2x34x34xf32>) -> tensor<2x2x34x34xf32>
  %p0 = tensor.insert_slice %m0 into %zpad[0, 0, 3, 3] [2, 1, 28, 28] [1, 1, 1, 1] : tensor<2x1x28x28xf32> into tensor<2x2x34x34xf32>
  %p1 = tensor.insert_slice %m1 into %p0[0, 1, 3, 3] [2, 1, 28, 28] [1, 1, 1, 1] : tensor<2x1x28x28xf32> into tensor<2x2x34x34xf32>
  %ec = tensor.empty() : tensor<2x1x28x28xf32>
  %fc = linalg.fill ins(%zero : f32) outs(%ec : tensor<2x1x28x28xf32>) -> tensor<2x1x28x28xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p1, %wconv : tensor<2x2x34x34xf32>, tensor<1x2x7x7xf32>)
      outs(%fc : tensor<2x1x28x28xf32>) -> tensor<2x1x28x28xf32>
  %gate = tensor.collapse_shape %conv [[0], [1, 2, 3]] : tensor<2x1x28x28xf32> into tensor<2x784xf32>
  %ey = tensor.empty() : tensor<2x128x784xf32>
  %y3 = linalg.generic {
      indexing_maps = [affine_map<(n, c, p) -> (n, c, p)>, affine_map<(n, c, p) -> (n, p)>,
                       affine_map<(n, c, p) -> (n, c, p)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%xc, %gate : tensor<2x128x784xf32>, tensor<2x784xf32>) outs(%ey : tensor<2x128x784xf32>) {
  ^bb0(%a: f32, %g: f32, %o3: f32):
    %one = arith.constant 1.0 : f32
    %ng = arith.negf %g : f32
    %e = math.exp %ng : f32
    %den = arith.addf %one, %e : f32
    %r = arith.divf %a, %den : f32
    linalg.yield %r : f32
  } -> tensor<2x128x784xf32>
  %y = tensor.expand_shape %y3 [[0], [1], [2, 3]] output_shape [2, 128, 28, 28] : tensor<2x128x784xf32> into tensor<2x128x28x28xf32>
  return %y : tensor<2x128x28x28xf32>
}
