// ViT-B/16 attention block (Dosovitskiy et al., ICLR 2021) on a 224x224 image,
// with the projections around the attention: L = 197 tokens (14x14 patches +
// [CLS]) of width d_model = 768, H = 12 heads of D = 64, batch 1.
//
//   q|k|v = x @ Wq|Wk|Wv              linalg.matmul   [197,768] x [768,768]
//         -> [1,197,12,64]            tensor.expand_shape
//         -> [1,12,197,64]            linalg.transpose
//   o     = attn.attention(q, k, v)   bidirectional, scale 1/sqrt(64)
//         -> [1,197,12,64] -> [197,768]   linalg.transpose, tensor.collapse_shape
//   y     = o @ Wo                    linalg.matmul
//
// Biases and the layer norm in front are left out (the weights are inputs, so
// the graph is the same for any checkpoint). 0.93 GFLOP of projections and
// 0.12 GFLOP of attention per call.
//
//   attn-run examples/vit_b16_attention_block.mlir --input=@x.npy \
//     --input=@wq.npy --input=@wk.npy --input=@wv.npy --input=@wo.npy --output=@y.npy
func.func @main(%x: tensor<197x768xf32>, %wq: tensor<768x768xf32>,
                %wk: tensor<768x768xf32>, %wv: tensor<768x768xf32>,
                %wo: tensor<768x768xf32>) -> tensor<197x768xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<197x768xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<197x768xf32>) -> tensor<197x768xf32>
  %q2 = linalg.matmul ins(%x, %wq : tensor<197x768xf32>, tensor<768x768xf32>)
                      outs(%acc : tensor<197x768xf32>) -> tensor<197x768xf32>
  %k2 = linalg.matmul ins(%x, %wk : tensor<197x768xf32>, tensor<768x768xf32>)
                      outs(%acc : tensor<197x768xf32>) -> tensor<197x768xf32>
  %v2 = linalg.matmul ins(%x, %wv : tensor<197x768xf32>, tensor<768x768xf32>)
                      outs(%acc : tensor<197x768xf32>) -> tensor<197x768xf32>
  // [197, 768] -> [1, 197, 12, 64] -> [1, 12, 197, 64]
  %q3 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [1, 197, 12, 64]
      : tensor<197x768xf32> into tensor<1x197x12x64xf32>
  %k3 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [1, 197, 12, 64]
      : tensor<197x768xf32> into tensor<1x197x12x64xf32>
  %v3 = tensor.expand_shape %v2 [[0, 1], [2, 3]] output_shape [1, 197, 12, 64]
      : tensor<197x768xf32> into tensor<1x197x12x64xf32>
  %heads = tensor.empty() : tensor<1x12x197x64xf32>
  %q = linalg.transpose ins(%q3 : tensor<1x197x12x64xf32>)
                        outs(%heads : tensor<1x12x197x64xf32>) permutation = [0, 2, 1, 3]
  %k = linalg.transpose ins(%k3 : tensor<1x197x12x64xf32>)
                        outs(%heads : tensor<1x12x197x64xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v3 : tensor<1x197x12x64xf32>)
                        outs(%heads : tensor<1x12x197x64xf32>) permutation = [0, 2, 1, 3]
  %o = attn.attention %q, %k, %v
      : tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32>, tensor<1x12x197x64xf32> -> tensor<1x12x197x64xf32>
  // [1, 12, 197, 64] -> [1, 197, 12, 64] -> [197, 768]
  %tokens = tensor.empty() : tensor<1x197x12x64xf32>
  %o3 = linalg.transpose ins(%o : tensor<1x12x197x64xf32>)
                         outs(%tokens : tensor<1x197x12x64xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %o3 [[0, 1], [2, 3]] : tensor<1x197x12x64xf32> into tensor<197x768xf32>
  %y = linalg.matmul ins(%o2, %wo : tensor<197x768xf32>, tensor<768x768xf32>)
                     outs(%acc : tensor<197x768xf32>) -> tensor<197x768xf32>
  return %y : tensor<197x768xf32>
}
