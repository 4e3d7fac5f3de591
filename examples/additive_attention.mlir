// Additive (Bahdanau) attention (Bahdanau, Cho and Bengio, "Neural machine
// translation by jointly learning to align and translate", ICLR 2015):
// decoder states attend over encoder states of another length, with a
// padded batch of source sentences.
//
//   score[b, i, j] = w_v . tanh(W_q q[b, i] + W_k k[b, j])    (no bias)
//   p[b, i, :]     = softmax over the source positions j < len[b]
//   context[b, i]  = sum_j p[b, i, j] k[b, j]
//
// B = 4 sentence pairs, Lq = 32 decoder states, Lk = 50 encoder states
// (source lengths 50, 37, 12 and 1), state width 256, attention width 128.
// The score is one linalg.generic over (b, i, j, h) with h a reduction, so
// the [B, Lq, Lk, 128] tensor of tanh arguments is never stored: the CPU
// pipeline threads it over rows and vectorizes the reduction over h
// (-attn-vectorize-elementwise, docs/CodeGen.md). 4 * 32 * 50 * 128 tanh.
//
//   /usr/bin/python3 scripts/demo_inputs.py gen examples/additive_attention.mlir /tmp/add
//   build/bin/attn-run examples/additive_attention.mlir --input=@/tmp/add/arg0.npy \
//       --input=@/tmp/add/arg1.npy --input=@/tmp/add/arg2.npy \
//       --input=@/tmp/add/arg3.npy --input=@/tmp/add/arg4.npy
func.func @main(%q: tensor<4x32x256xf32>, %k: tensor<4x50x256xf32>,
                %wq: tensor<256x128xf32>, %wk: tensor<256x128xf32>,
                %wv: tensor<128xf32>) -> tensor<4x32x256xf32> {
  %zero = arith.constant 0.0 : f32
  // Projections: [B * L, 256] x [256, 128].
  %q2 = tensor.collapse_shape %q [[0, 1], [2]] : tensor<4x32x256xf32> into tensor<128x256xf32>
  %k2 = tensor.collapse_shape %k [[0, 1], [2]] : tensor<4x50x256xf32> into tensor<200x256xf32>
  %eq = tensor.empty() : tensor<128x128xf32>
  %fq = linalg.fill ins(%zero : f32) outs(%eq : tensor<128x128xf32>) -> tensor<128x128xf32>
  %qp2 = linalg.matmul ins(%q2, %wq : tensor<128x256xf32>, tensor<256x128xf32>)
                       outs(%fq : tensor<128x128xf32>) -> tensor<128x128xf32>
  %ek = tensor.empty() : tensor<200x128xf32>
  %fk = linalg.fill ins(%zero : f32) outs(%ek : tensor<200x128xf32>) -> tensor<200x128xf32>
  %kp2 = linalg.matmul ins(%k2, %wk : tensor<200x256xf32>, tensor<256x128xf32>)
                       outs(%fk : tensor<200x128xf32>) -> tensor<200x128xf32>
  %qp = tensor.expand_shape %qp2 [[0, 1], [2]] output_shape [4, 32, 128] : tensor<128x128xf32> into tensor<4x32x128xf32>
  %kp = tensor.expand_shape %kp2 [[0, 1], [2]] output_shape [4, 50, 128] : tensor<200x128xf32> into tensor<4x50x128xf32>
  // score[b, i, j] = sum_h w_v[h] * tanh(qp[b, i, h] + kp[b, j, h]).
  %es = tensor.empty() : tensor<4x32x50xf32>
  %fs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x32x50xf32>) -> tensor<4x32x50xf32>
  %score = linalg.generic {
      indexing_maps = [affine_map<(b, i, j, h) -> (b, i, h)>,
                       affine_map<(b, i, j, h) -> (b, j, h)>,
                       affine_map<(b, i, j, h) -> (h)>,
                       affine_map<(b, i, j, h) -> (b, i, j)>],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%qp, %kp, %wv : tensor<4x32x128xf32>, tensor<4x50x128xf32>, tensor<128xf32>)
      outs(%fs : tensor<4x32x50xf32>) {
  ^bb0(%a: f32, %c: f32, %w: f32, %acc: f32):
    %s = arith.addf %a, %c : f32
    %t = math.tanh %s : f32
    %p = arith.mulf %w, %t : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x32x50xf32>
  // Source positions j >= len[b] get -inf (every sentence has a word).
  %len = arith.constant dense<[50.0, 37.0, 12.0, 1.0]> : tensor<4xf32>
  %masked = linalg.generic {
      indexing_maps = [affine_map<(b, i, j) -> (b, i, j)>,
                       affine_map<(b, i, j) -> (b)>,
                       affine_map<(b, i, j) -> (b, i, j)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%score, %len : tensor<4x32x50xf32>, tensor<4xf32>) outs(%es : tensor<4x32x50xf32>) {
  ^bb0(%s: f32, %l: f32, %o: f32):
    %j = linalg.index 2 : index
    %ji = arith.index_cast %j : index to i32
    %jf = arith.sitofp %ji : i32 to f32
    %inside = arith.cmpf olt, %jf, %l : f32
    %ninf = arith.constant 0xFF800000 : f32
    %v = arith.select %inside, %s, %ninf : f32
    linalg.yield %v : f32
  } -> tensor<4x32x50xf32>
  %probs = linalg.softmax dimension(2) ins(%masked : tensor<4x32x50xf32>)
                                       outs(%es : tensor<4x32x50xf32>) -> tensor<4x32x50xf32>
  // context = p k: [4, 32, 50] x [4, 50, 256].
  %ec = tensor.empty() : tensor<4x32x256xf32>
  %fc = linalg.fill ins(%zero : f32) outs(%ec : tensor<4x32x256xf32>) -> tensor<4x32x256xf32>
  %context = linalg.batch_matmul ins(%probs, %k : tensor<4x32x50xf32>, tensor<4x50x256xf32>)
                                 outs(%fc : tensor<4x32x256xf32>) -> tensor<4x32x256xf32>
  return %context : tensor<4x32x256xf32>
}
