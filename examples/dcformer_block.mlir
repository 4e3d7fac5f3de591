// DCFormer++ attention block, local layer (Xiao et al., "Improving
// Transformers with Dynamically Composable Multi-Head Attention", ICML 2024;
// the DCFormer repository's DCFormer++-405M: d_model 1024, 16 heads of 64,
// rank C = 2, dynamic_w_hidden_dim 4 * H = 64, no static composition
// weights (use_sw = False), local layers with a 256-token window). Batch 1,
// L = 512 tokens (so that the window hides keys: query i sees keys
// i - 256 .. i), f32. x is the normalized hidden state that feeds the
// attention (DCFormer's query_vec).
//
// DynamicWeightProjection, as DCFormer's (slots in its order: pre-query,
// pre-key, post-query, post-key; self-attention, so the key-wise weights
// come from the same x at the key's position):
//   hid    = GELU(x @ W_dw1)                       linalg.matmul [512,1024] x [1024,256]
//                                                  (= 4 slots x K = 64), exact GELU
//                                                  0.5 x (1 + erf(x / sqrt(2)))
//   w      = hid @ W_qkw  per slot                 linalg.batch_matmul [4,512,64] x
//                                                  [4,64,64]; columns (I = 2C = 4, H = 16)
//   w1, w2 = split(w) along I                      [4, 512, C, H] each (w1: I < C)
//   w1     = w1 * rsqrt(mean_h(w1^2) + 1e-6)       RMS norm without scale, over the heads
//   dd     = tanh(x @ W_dd)                        linalg.matmul [512,1024] x [1024,64]
//                                                  -> 4 slots x H: the gates [1, 512, H]
// Attention:
//   q|k|v  = x @ Wq|Wk|Wv                          linalg.matmul, split into 16 heads of 64
//   o      = dcmha(q, k, v)                        attn.dcmha pre(...) post(...) with the
//                                                  four dynamic groups each, window
//                                                  [256, 0] (causal local layer: DCFormer's
//                                                  window mask keeps j >= i - 256, j <= i)
//   y      = o @ Wo                                linalg.matmul -> [512, 1024]
//
// Left out: rotary embeddings and the QK norm of DCFormer++ (they act on q
// and k before the attention and do not change its structure), biases (it
// has none), the residual and the MLP; the weights are inputs, so the graph
// is the same for any checkpoint. DCFormer's global layers are the same
// block without `window` (or with {causal}).
//
// attn.dcmha's CPU lowering is not on main yet: until it lands, `attn-opt`
// parses and verifies this file, `attn-run --backend=reference` runs it
// (about 3 minutes in float64, most of it the five projections), and the
// CPU pipeline rejects attn.dcmha with a clear error.
//
//   /usr/bin/python3 scripts/demo_inputs.py gen examples/dcformer_block.mlir /tmp/dcf
//   attn-run examples/dcformer_block.mlir --backend=reference \
//     $(for i in 0 1 2 3 4 5 6 7; do echo --input=@/tmp/dcf/arg$i.npy; done) --output=@y.npy
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rows4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @main(%x: tensor<512x1024xf32>, %wq: tensor<1024x1024xf32>,
                %wk: tensor<1024x1024xf32>, %wv: tensor<1024x1024xf32>,
                %wo: tensor<1024x1024xf32>, %w_dw1: tensor<1024x256xf32>,
                %w_qkw: tensor<4x64x64xf32>, %w_dd: tensor<1024x64xf32>)
    -> tensor<512x1024xf32> {
  %zero = arith.constant 0.0 : f32

  // --- DynamicWeightProjection ---------------------------------------------
  // hid = GELU(x @ W_dw1): [512, 256] = [512, 4 slots, 64].
  %e256 = tensor.empty() : tensor<512x256xf32>
  %acc256 = linalg.fill ins(%zero : f32) outs(%e256 : tensor<512x256xf32>) -> tensor<512x256xf32>
  %h0 = linalg.matmul ins(%x, %w_dw1 : tensor<512x1024xf32>, tensor<1024x256xf32>)
                      outs(%acc256 : tensor<512x256xf32>) -> tensor<512x256xf32>
  %h3 = tensor.expand_shape %h0 [[0], [1, 2]] output_shape [512, 4, 64]
      : tensor<512x256xf32> into tensor<512x4x64xf32>
  // Slots first, [4, 512, 64], with the exact GELU (nn.GELU()).
  %ehid = tensor.empty() : tensor<4x512x64xf32>
  %h3t = linalg.transpose ins(%h3 : tensor<512x4x64xf32>)
                          outs(%ehid : tensor<4x512x64xf32>) permutation = [1, 0, 2]
  %hid = linalg.generic {indexing_maps = [#id3, #id3],
                         iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h3t : tensor<4x512x64xf32>) outs(%ehid : tensor<4x512x64xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rsqrt2 = arith.constant 0.70710678118654752 : f32
    %s = arith.mulf %a, %rsqrt2 : f32
    %erf = math.erf %s : f32
    %t = arith.addf %erf, %one : f32
    %ha = arith.mulf %a, %half : f32
    %g = arith.mulf %ha, %t : f32
    linalg.yield %g : f32
  } -> tensor<4x512x64xf32>
  // w = hid @ W_qkw per slot: [4, 512, 64], columns (I = 4, H = 16).
  %e4x64 = tensor.empty() : tensor<4x512x64xf32>
  %acc4x64 = linalg.fill ins(%zero : f32) outs(%e4x64 : tensor<4x512x64xf32>) -> tensor<4x512x64xf32>
  %w = linalg.batch_matmul ins(%hid, %w_qkw : tensor<4x512x64xf32>, tensor<4x64x64xf32>)
                           outs(%acc4x64 : tensor<4x512x64xf32>) -> tensor<4x512x64xf32>
  %w5 = tensor.expand_shape %w [[0], [1], [2, 3, 4]] output_shape [4, 512, 2, 2, 16]
      : tensor<4x512x64xf32> into tensor<4x512x2x2x16xf32>
  // w1 = I in [0, C), w2 = I in [C, 2C).
  %w1 = tensor.extract_slice %w5[0, 0, 0, 0, 0] [4, 512, 1, 2, 16] [1, 1, 1, 1, 1]
      : tensor<4x512x2x2x16xf32> to tensor<4x512x2x16xf32>
  %w2 = tensor.extract_slice %w5[0, 0, 1, 0, 0] [4, 512, 1, 2, 16] [1, 1, 1, 1, 1]
      : tensor<4x512x2x2x16xf32> to tensor<4x512x2x16xf32>
  // RMS norm without scale over the heads: w1 * rsqrt(mean_h(w1^2) + 1e-6).
  %ess = tensor.empty() : tensor<4x512x2xf32>
  %acc_ss = linalg.fill ins(%zero : f32) outs(%ess : tensor<4x512x2xf32>) -> tensor<4x512x2xf32>
  %ss = linalg.generic {indexing_maps = [#id4, #rows4],
                        iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w1 : tensor<4x512x2x16xf32>) outs(%acc_ss : tensor<4x512x2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  } -> tensor<4x512x2xf32>
  %ew1 = tensor.empty() : tensor<4x512x2x16xf32>
  %w1n = linalg.generic {indexing_maps = [#id4, #rows4, #id4],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w1, %ss : tensor<4x512x2x16xf32>, tensor<4x512x2xf32>)
      outs(%ew1 : tensor<4x512x2x16xf32>) {
  ^bb0(%a: f32, %sum: f32, %unused: f32):
    %inv_h = arith.constant 0.0625 : f32
    %eps = arith.constant 1.0e-6 : f32
    %mean = arith.mulf %sum, %inv_h : f32
    %me = arith.addf %mean, %eps : f32
    %r = math.rsqrt %me : f32
    %n = arith.mulf %a, %r : f32
    linalg.yield %n : f32
  } -> tensor<4x512x2x16xf32>
  // Per slot [1, 512, C, H] (the leading 1 is the batch).
  %pre_qw1 = tensor.extract_slice %w1n[0, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %pre_kw1 = tensor.extract_slice %w1n[1, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %post_qw1 = tensor.extract_slice %w1n[2, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %post_kw1 = tensor.extract_slice %w1n[3, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %pre_qw2 = tensor.extract_slice %w2[0, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %pre_kw2 = tensor.extract_slice %w2[1, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %post_qw2 = tensor.extract_slice %w2[2, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  %post_kw2 = tensor.extract_slice %w2[3, 0, 0, 0] [1, 512, 2, 16] [1, 1, 1, 1]
      : tensor<4x512x2x16xf32> to tensor<1x512x2x16xf32>
  // Gates: dd = tanh(x @ W_dd), [512, 64] = [512, 4 slots, H] -> [4, 512, H].
  %e64 = tensor.empty() : tensor<512x64xf32>
  %acc64 = linalg.fill ins(%zero : f32) outs(%e64 : tensor<512x64xf32>) -> tensor<512x64xf32>
  %dd0 = linalg.matmul ins(%x, %w_dd : tensor<512x1024xf32>, tensor<1024x64xf32>)
                       outs(%acc64 : tensor<512x64xf32>) -> tensor<512x64xf32>
  %dd3 = tensor.expand_shape %dd0 [[0], [1, 2]] output_shape [512, 4, 16]
      : tensor<512x64xf32> into tensor<512x4x16xf32>
  %edd = tensor.empty() : tensor<4x512x16xf32>
  %dd3t = linalg.transpose ins(%dd3 : tensor<512x4x16xf32>)
                           outs(%edd : tensor<4x512x16xf32>) permutation = [1, 0, 2]
  %dd = linalg.generic {indexing_maps = [#id3, #id3],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%dd3t : tensor<4x512x16xf32>) outs(%edd : tensor<4x512x16xf32>) {
  ^bb0(%a: f32, %unused: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  } -> tensor<4x512x16xf32>
  %pre_qdd = tensor.extract_slice %dd[0, 0, 0] [1, 512, 16] [1, 1, 1]
      : tensor<4x512x16xf32> to tensor<1x512x16xf32>
  %pre_kdd = tensor.extract_slice %dd[1, 0, 0] [1, 512, 16] [1, 1, 1]
      : tensor<4x512x16xf32> to tensor<1x512x16xf32>
  %post_qdd = tensor.extract_slice %dd[2, 0, 0] [1, 512, 16] [1, 1, 1]
      : tensor<4x512x16xf32> to tensor<1x512x16xf32>
  %post_kdd = tensor.extract_slice %dd[3, 0, 0] [1, 512, 16] [1, 1, 1]
      : tensor<4x512x16xf32> to tensor<1x512x16xf32>

  // --- Q/K/V projections, 16 heads of 64 -------------------------------------
  %e1024 = tensor.empty() : tensor<512x1024xf32>
  %acc1024 = linalg.fill ins(%zero : f32) outs(%e1024 : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  %q2 = linalg.matmul ins(%x, %wq : tensor<512x1024xf32>, tensor<1024x1024xf32>)
                      outs(%acc1024 : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  %k2 = linalg.matmul ins(%x, %wk : tensor<512x1024xf32>, tensor<1024x1024xf32>)
                      outs(%acc1024 : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  %v2 = linalg.matmul ins(%x, %wv : tensor<512x1024xf32>, tensor<1024x1024xf32>)
                      outs(%acc1024 : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  // [L, 1024] -> [1, L, 16, 64] -> [1, 16, L, 64].
  %q3 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [1, 512, 16, 64]
      : tensor<512x1024xf32> into tensor<1x512x16x64xf32>
  %k3 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [1, 512, 16, 64]
      : tensor<512x1024xf32> into tensor<1x512x16x64xf32>
  %v3 = tensor.expand_shape %v2 [[0, 1], [2, 3]] output_shape [1, 512, 16, 64]
      : tensor<512x1024xf32> into tensor<1x512x16x64xf32>
  %eh = tensor.empty() : tensor<1x16x512x64xf32>
  %q = linalg.transpose ins(%q3 : tensor<1x512x16x64xf32>)
                        outs(%eh : tensor<1x16x512x64xf32>) permutation = [0, 2, 1, 3]
  %k = linalg.transpose ins(%k3 : tensor<1x512x16x64xf32>)
                        outs(%eh : tensor<1x16x512x64xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v3 : tensor<1x512x16x64xf32>)
                        outs(%eh : tensor<1x16x512x64xf32>) permutation = [0, 2, 1, 3]

  // --- DCMHA, causal local layer ----------------------------------------------
  %o = attn.dcmha %q, %k, %v
      pre(query_weights(%pre_qw1, %pre_qw2) key_weights(%pre_kw1, %pre_kw2)
          query_gate(%pre_qdd) key_gate(%pre_kdd))
      post(query_weights(%post_qw1, %post_qw2) key_weights(%post_kw1, %post_kw2)
           query_gate(%post_qdd) key_gate(%post_kdd))
      {window = array<i64: 256, 0>}
      : tensor<1x16x512x64xf32>, tensor<1x16x512x64xf32>, tensor<1x16x512x64xf32>,
        tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>,
        tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32>,
        tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>,
        tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32>
      -> tensor<1x16x512x64xf32>

  // --- Output projection: [1, 16, L, 64] -> [1, L, 16, 64] -> [L, 1024] -------
  %etok = tensor.empty() : tensor<1x512x16x64xf32>
  %o3 = linalg.transpose ins(%o : tensor<1x16x512x64xf32>)
                         outs(%etok : tensor<1x512x16x64xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %o3 [[0, 1], [2, 3]] : tensor<1x512x16x64xf32> into tensor<512x1024xf32>
  %y = linalg.matmul ins(%o2, %wo : tensor<512x1024xf32>, tensor<1024x1024xf32>)
                     outs(%acc1024 : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  return %y : tensor<512x1024xf32>
}
