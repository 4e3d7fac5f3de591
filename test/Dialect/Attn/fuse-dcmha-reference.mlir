// Differential check of -attn-fuse-dcmha: the float64 reference evaluator
// runs the unfused chain and the fused attn.dcmha on the same inputs, and
// the results must agree (the evaluator interprets linalg, arith, math,
// tensor and attn ops alike). Cases: both composes with a causal i1 mask and
// the decomposed softmax (Lq = 4 < Lk = 6, bottom-right causal); a window
// bias; batch_matmul with a transposed K. The unfused chain also runs
// through the CPU pipeline (fused there, then the DCMHA kernel, or the
// attention kernel without compose) against the evaluator's result.

// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-opt %s --attn-fuse-dcmha -o %t/fused.mlir
// RUN: FileCheck %s --input-file=%t/fused.mlir
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/q.npy 1x2x4x8 float32 --seed 1
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/k.npy 1x2x6x8 float32 --seed 2
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/v.npy 1x2x6x8 float32 --seed 3
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/w.npy 2x2 float32 --seed 4
// RUN: attn-run %s --backend=reference --function=dcmha_softmax_decomposed --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/w.npy --output=@%t/u1.npy
// RUN: attn-run %t/fused.mlir --backend=reference --function=dcmha_softmax_decomposed --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/w.npy --output=@%t/f1.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/f1.npy "u" u=%t/u1.npy --tol 1e-6 | FileCheck %s --check-prefix=SAME1
// RUN: attn-run %s --backend=reference --function=dcmha_window_bias --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/u2.npy
// RUN: attn-run %t/fused.mlir --backend=reference --function=dcmha_window_bias --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/f2.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/f2.npy "u" u=%t/u2.npy --tol 1e-6 | FileCheck %s --check-prefix=SAME2
// RUN: attn-run %s --backend=reference --function=dcmha_batch_matmul_transposed_key --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/u3.npy
// RUN: attn-run %t/fused.mlir --backend=reference --function=dcmha_batch_matmul_transposed_key --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/f3.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/f3.npy "u" u=%t/u3.npy --tol 1e-6 | FileCheck %s --check-prefix=SAME3
// RUN: attn-run %s --backend=cpu --function=dcmha_softmax_decomposed --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/w.npy --output=@%t/c1.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/c1.npy "u" u=%t/u1.npy --tol 1e-5 | FileCheck %s --check-prefix=CPU1
// RUN: attn-run %s --backend=cpu --function=dcmha_window_bias --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/c2.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/c2.npy "u" u=%t/u2.npy --tol 1e-5 | FileCheck %s --check-prefix=CPU2
// RUN: attn-run %s --backend=cpu --function=dcmha_batch_matmul_transposed_key --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/c3.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/c3.npy "u" u=%t/u3.npy --tol 1e-5 | FileCheck %s --check-prefix=CPU3

// CHECK-LABEL: func.func @dcmha_softmax_decomposed(
// CHECK:         attn.dcmha {{.+}} pre(static({{.+}})) post(static({{.+}})) {causal, scale = 1.250000e-01 : f32}
// CHECK-LABEL: func.func @dcmha_window_bias(
// CHECK:         attn.dcmha {{.+}} {scale = 1.250000e-01 : f32, window = array<i64: 1, 0>}
// CHECK-LABEL: func.func @dcmha_batch_matmul_transposed_key(
// CHECK:         attn.dcmha

// SAME1: OK f1.npy shape=1x2x4x8
// SAME2: OK f2.npy shape=1x2x4x8
// SAME3: OK f3.npy shape=1x2x4x8
// CPU1: OK c1.npy shape=1x2x4x8
// CPU2: OK c2.npy shape=1x2x4x8
// CPU3: OK c3.npy shape=1x2x4x8

#qk_q = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#qk_k = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#qk_s = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#pv_p = affine_map<(b, h, i, d, j) -> (b, h, i, j)>
#pv_v = affine_map<(b, h, i, d, j) -> (b, h, j, d)>
#pv_o = affine_map<(b, h, i, d, j) -> (b, h, i, d)>
#id = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row = affine_map<(b, h, i, j) -> (b, h, i)>
#row_keepdim = affine_map<(b, h, i, j) -> (b, h, i, 0)>
#ij = affine_map<(b, h, i, j) -> (i, j)>

func.func @dcmha_softmax_decomposed(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x4x8xf32> {
  %zero_s = arith.constant 0.0 : f32
  %empty_s = tensor.empty() : tensor<1x2x4x6xf32>
  %init_s = linalg.fill ins(%zero_s : f32) outs(%empty_s : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) outs(%init_s : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %c_scale = arith.constant dense<0.125> : tensor<1x2x4x6xf32>
  %ss = arith.mulf %s, %c_scale : tensor<1x2x4x6xf32>
  %c = attn.compose %ss static(%w) : tensor<1x2x4x6xf32>, tensor<2x2xf32> -> tensor<1x2x4x6xf32>
  %mask = arith.constant dense<[[[[true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]], [[true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]]]]> : tensor<1x2x4x6xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<1x2x4x6xf32>
  %masked = arith.select %mask, %c, %ninf : tensor<1x2x4x6xi1>, tensor<1x2x4x6xf32>
  %empty_r = tensor.empty() : tensor<1x2x4xf32>
  %empty_e = tensor.empty() : tensor<1x2x4x6xf32>
  %max_init = arith.constant 0xFFC00000 : f32
  %max_fill = linalg.fill ins(%max_init : f32) outs(%empty_r : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%masked : tensor<1x2x4x6xf32>) outs(%max_fill : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.maxnumf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4xf32>
  %e = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%masked, %max : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
  %sum_init = arith.constant 0.0 : f32
  %sum_fill = linalg.fill ins(%sum_init : f32) outs(%empty_r : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%e : tensor<1x2x4x6xf32>) outs(%sum_fill : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.addf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%e, %sum : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
  ^bb0(%in: f32, %rs: f32, %out: f32):
    %y = arith.divf %in, %rs : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
  %c2 = attn.compose %p static(%w) : tensor<1x2x4x6xf32>, tensor<2x2xf32> -> tensor<1x2x4x6xf32>
  %zero_o = arith.constant 0.0 : f32
  %empty_o = tensor.empty() : tensor<1x2x4x8xf32>
  %init_o = linalg.fill ins(%zero_o : f32) outs(%empty_o : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%c2, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) outs(%init_o : tensor<1x2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

func.func @dcmha_window_bias(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero_s = arith.constant 0.0 : f32
  %empty_s = tensor.empty() : tensor<1x2x4x6xf32>
  %init_s = linalg.fill ins(%zero_s : f32) outs(%empty_s : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) outs(%init_s : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %c_scale = arith.constant dense<0.125> : tensor<1x2x4x6xf32>
  %ss = arith.mulf %s, %c_scale : tensor<1x2x4x6xf32>
  %bias = arith.constant dense<[[[[0xFF800000, 0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0.0, 0.0, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0.0, 0.0, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0.0, 0.0]], [[0xFF800000, 0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0.0, 0.0, 0xFF800000, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0.0, 0.0, 0xFF800000], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000, 0.0, 0.0]]]]> : tensor<1x2x4x6xf32>
  %masked = arith.addf %ss, %bias : tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%masked : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %zero_o = arith.constant 0.0 : f32
  %empty_o = tensor.empty() : tensor<1x2x4x8xf32>
  %init_o = linalg.fill ins(%zero_o : f32) outs(%empty_o : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) outs(%init_o : tensor<1x2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

func.func @dcmha_batch_matmul_transposed_key(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %k3 = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x6x8xf32> into tensor<2x6x8xf32>
  %empty_kt = tensor.empty() : tensor<2x8x6xf32>
  %kt = linalg.transpose ins(%k3 : tensor<2x6x8xf32>) outs(%empty_kt : tensor<2x8x6xf32>) permutation = [0, 2, 1]
  %empty_s = tensor.empty() : tensor<2x4x6xf32>
  %init_s = linalg.fill ins(%zero : f32) outs(%empty_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt : tensor<2x4x8xf32>, tensor<2x8x6xf32>) outs(%init_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 6] : tensor<2x4x6xf32> into tensor<1x2x4x6xf32>
  %c_scale = arith.constant dense<0.125> : tensor<1x2x4x6xf32>
  %ss = arith.mulf %s, %c_scale : tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<1x2x4x6xf32> into tensor<2x4x6xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x6x8xf32> into tensor<2x6x8xf32>
  %empty_o = tensor.empty() : tensor<2x4x8xf32>
  %init_o = linalg.fill ins(%zero : f32) outs(%empty_o : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<2x4x6xf32>, tensor<2x6x8xf32>) outs(%init_o : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [1, 2, 4, 8] : tensor<2x4x8xf32> into tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
