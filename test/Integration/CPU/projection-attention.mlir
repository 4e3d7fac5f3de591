// Upstream ops around attention, as a front end emits them: Q/K/V projections
// (linalg.matmul), head split (tensor.expand_shape + linalg.transpose),
// causal attn.attention, then out * out + bias (a linalg.generic of arith
// ops). attn-run's CPU code against the reference evaluator, which
// interprets the linalg/tensor ops too (SPEC section 4 rule).

// RUN: rm -rf %t
// RUN: %check_attention graph %s %t --naive projection_attention --input x=37x48 --input wq=48x64*0.15 --input wk=48x64*0.15 --input wv=48x64*0.15 --input bias=1x4x37x16 | FileCheck %s
// RUN: %check_attention graph %s %t/threads1 --naive projection_attention --input x=37x48 --input wq=48x64*0.3 --input wk=48x64*0.3 --input wv=48x64*0.3 --input bias=1x4x37x16 --seed 1 --flags "--num-threads=1 --block-q=16 --block-k=16" | FileCheck %s

// CHECK: PASS projection_attention err=

func.func @main(%x: tensor<37x48xf32>, %wq: tensor<48x64xf32>, %wk: tensor<48x64xf32>,
                %wv: tensor<48x64xf32>, %bias: tensor<1x4x37x16xf32>) -> tensor<1x4x37x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<37x64xf32>) -> tensor<37x64xf32>
  %q2 = linalg.matmul ins(%x, %wq : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %k2 = linalg.matmul ins(%x, %wk : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %v2 = linalg.matmul ins(%x, %wv : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %q3 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %k3 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %v3 = tensor.expand_shape %v2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %t = tensor.empty() : tensor<1x4x37x16xf32>
  %q = linalg.transpose ins(%q3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %k = linalg.transpose ins(%k3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32> -> tensor<1x4x37x16xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>,
                       affine_map<(a, b, c, d) -> (a, b, c, d)>,
                       affine_map<(a, b, c, d) -> (a, b, c, d)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %bias : tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32>) outs(%t : tensor<1x4x37x16xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x4x37x16xf32>
  return %r : tensor<1x4x37x16xf32>
}
