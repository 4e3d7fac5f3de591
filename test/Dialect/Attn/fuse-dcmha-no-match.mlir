// RUN: attn-opt %s -split-input-file --attn-fuse-dcmha | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-decompose-linalg-aggregates --attn-fuse-dcmha | FileCheck %s --check-prefix=DECOMPOSED

// attn-fuse-dcmha near-misses: chains that differ from SPEC 1.4's DCMHA in
// one respect stay unfused (docs/Fusion.md). B = 1, H = 2, Lq = 4, Lk = 6,
// D = Dv = 8 unless said otherwise. The second RUN line decomposes the
// softmax first: no case fuses in that form either.

// DECOMPOSED-NOT: attn.dcmha

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// The scaled scores are also returned: a second use outside the chain.
// CHECK-LABEL: func.func @no_fuse_scores_second_use(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_scores_second_use(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>) {
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
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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
  return %o, %ss : tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>
}

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// The probabilities are also returned (attention weights).
// CHECK-LABEL: func.func @no_fuse_probabilities_second_use(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_probabilities_second_use(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>) {
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
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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
  return %o, %p : tensor<1x2x4x8xf32>, tensor<1x2x4x6xf32>
}

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// An i1 mask that is causal except for a hole at (i, j) = (2, 1): no SPEC
// geometry.
// CHECK-LABEL: func.func @no_fuse_mask_not_causal(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_mask_not_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %mask = arith.constant dense<[[[[true, true, true, false, false, false], [true, true, true, true, false, false], [true, false, true, true, true, false], [true, true, true, true, true, true]], [[true, true, true, false, false, false], [true, true, true, true, false, false], [true, false, true, true, true, false], [true, true, true, true, true, true]]]]> : tensor<1x2x4x6xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<1x2x4x6xf32>
  %masked = arith.select %mask, %ss, %ninf : tensor<1x2x4x6xi1>, tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// A causal mask aligned top-left (j <= i) with Lq != Lk: SPEC's causal is
// bottom-right (j <= i + Lk - Lq).
// CHECK-LABEL: func.func @no_fuse_mask_top_left_causal(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_mask_top_left_causal(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %mask = arith.constant dense<[[[[true, false, false, false, false, false], [true, true, false, false, false, false], [true, true, true, false, false, false], [true, true, true, true, false, false]], [[true, false, false, false, false, false], [true, true, false, false, false, false], [true, true, true, false, false, false], [true, true, true, true, false, false]]]]> : tensor<1x2x4x6xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<1x2x4x6xf32>
  %masked = arith.select %mask, %ss, %ninf : tensor<1x2x4x6xi1>, tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// A causal bias of -1e9 instead of -inf: not exactly a mask.
// CHECK-LABEL: func.func @no_fuse_mask_finite_bias(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_mask_finite_bias(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %bias = arith.constant dense<[[[[0.0, 0.0, 0.0, -1.0e+09, -1.0e+09, -1.0e+09], [0.0, 0.0, 0.0, 0.0, -1.0e+09, -1.0e+09], [0.0, 0.0, 0.0, 0.0, 0.0, -1.0e+09], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, -1.0e+09, -1.0e+09, -1.0e+09], [0.0, 0.0, 0.0, 0.0, -1.0e+09, -1.0e+09], [0.0, 0.0, 0.0, 0.0, 0.0, -1.0e+09], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// A mask that is causal for head 0 and a window for head 1.
// CHECK-LABEL: func.func @no_fuse_mask_differs_per_head(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_mask_differs_per_head(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %mask = arith.constant dense<[[[[true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]], [[false, true, true, false, false, false], [false, false, true, true, false, false], [false, false, false, true, true, false], [false, false, false, false, true, true]]]]> : tensor<1x2x4x6xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<1x2x4x6xf32>
  %masked = arith.select %mask, %ss, %ninf : tensor<1x2x4x6xi1>, tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// A softmax over the query dimension.
// CHECK-LABEL: func.func @no_fuse_softmax_wrong_dim(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_softmax_wrong_dim(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(2) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// compose_pre mixes S plus a run-time bias, not the scaled S.
// CHECK-LABEL: func.func @no_fuse_compose_scores_not_scaled_s(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_compose_scores_not_scaled_s(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %bias: tensor<1x2x4x6xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x4x8xf32> {
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
  %biased = arith.addf %ss, %bias : tensor<1x2x4x6xf32>
  %c = attn.compose %biased static(%w) : tensor<1x2x4x6xf32>, tensor<2x2xf32> -> tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%c : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// S times a run-time tensor is not a scale.
// CHECK-LABEL: func.func @no_fuse_scale_not_constant(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_scale_not_constant(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %t: tensor<1x2x4x6xf32>) -> tensor<1x2x4x8xf32> {
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
  %ss = arith.mulf %s, %t : tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// Q has 2 heads, K one (read through a constant head index, MQA):
// attn.dcmha is MHA only.
// CHECK-LABEL: func.func @no_fuse_mismatched_heads(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_mismatched_heads(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %k1: tensor<1x1x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero_s = arith.constant 0.0 : f32
  %empty_s = tensor.empty() : tensor<1x2x4x6xf32>
  %init_s = linalg.fill ins(%zero_s : f32) outs(%empty_s : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k0, #qk_s],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k1 : tensor<1x2x4x8xf32>, tensor<1x1x6x8xf32>) outs(%init_s : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %c_scale = arith.constant dense<0.125> : tensor<1x2x4x6xf32>
  %ss = arith.mulf %s, %c_scale : tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// P V contracts P's query dimension (Lq = Lk here) instead of its key
// dimension.
// CHECK-LABEL: func.func @no_fuse_pv_wrong_dim(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_pv_wrong_dim(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %empty_s = tensor.empty() : tensor<1x2x4x4xf32>
  %init_s = linalg.fill ins(%zero : f32) outs(%empty_s : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%init_s : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x4xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<1x2x4x4xf32>) outs(%empty_p : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %empty_o = tensor.empty() : tensor<1x2x4x8xf32>
  %init_o = linalg.fill ins(%zero : f32) outs(%empty_o : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %o = linalg.generic {indexing_maps = [#pv_pt, #pv_v, #pv_o],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) outs(%init_o : tensor<1x2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

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
#qk_k0 = affine_map<(b, h, i, j, d) -> (b, 0, j, d)>
#pv_pt = affine_map<(b, h, i, d, j) -> (b, h, j, i)>

// P V accumulates into a run-time tensor instead of zeros.
// CHECK-LABEL: func.func @no_fuse_pv_accumulates(
// CHECK-NOT:     attn.dcmha
// CHECK:         linalg.softmax
// CHECK-NOT:     attn.dcmha
// CHECK:         return

func.func @no_fuse_pv_accumulates(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %acc_o: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) outs(%acc_o : tensor<1x2x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
