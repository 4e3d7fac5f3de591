// RUN: attn-opt %s -split-input-file --attn-fuse-dcmha | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-decompose-linalg-aggregates --attn-fuse-dcmha | FileCheck %s
// RUN: attn-opt %s -split-input-file --convert-elementwise-to-linalg --attn-decompose-linalg-aggregates --attn-fuse-dcmha | FileCheck %s

// attn-fuse-dcmha: the unfused DCMHA chain S = Q K^T -> scale -> compose_pre
// -> mask -> softmax -> compose_post -> P V becomes one attn.dcmha (SPEC 1.4)
// in each of the forms docs/Fusion.md lists. B = 1, H = 2, Lq = 4, Lk = 6,
// D = Dv = 8. Each chain is replaced entirely: nothing but the dcmha is left.
// The second RUN line decomposes linalg.softmax first (the generic form of
// -attn-decompose-linalg-aggregates), the third also turns the elementwise
// arith/math ops on tensors into linalg.generic: every case fuses the same.

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

// No compose: the chain is plain attention; the splat multiplier is the
// scale and the contractions, scale and softmax are gone.
// CHECK-LABEL: func.func @dcmha_no_compose(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f32}
// CHECK-SAME:      : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_no_compose(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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

// compose_pre between the scale and the softmax.
// CHECK-LABEL: func.func @dcmha_pre_only(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[K:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[V:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QW1:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QW2:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QG:[a-zA-Z0-9_]+]]: tensor<1x4x2xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] pre(query_weights(%[[QW1]], %[[QW2]]) query_gate(%[[QG]])) {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_pre_only(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %qw1: tensor<1x4x2x2xf32>, %qw2: tensor<1x4x2x2xf32>, %qg: tensor<1x4x2xf32>) -> tensor<1x2x4x8xf32> {
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
  %c = attn.compose %ss query_weights(%qw1, %qw2) query_gate(%qg)
      : tensor<1x2x4x6xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2xf32> -> tensor<1x2x4x6xf32>
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

// compose_post between the softmax and P V.
// CHECK-LABEL: func.func @dcmha_post_only(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[K:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[V:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[KG:[a-zA-Z0-9_]+]]: tensor<1x6x2xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] post(key_gate(%[[KG]])) {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_post_only(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %kg: tensor<1x6x2xf32>) -> tensor<1x2x4x8xf32> {
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
  %c = attn.compose %p key_gate(%kg) : tensor<1x2x4x6xf32>, tensor<1x6x2xf32> -> tensor<1x2x4x6xf32>
  %zero_o = arith.constant 0.0 : f32
  %empty_o = tensor.empty() : tensor<1x2x4x8xf32>
  %init_o = linalg.fill ins(%zero_o : f32) outs(%empty_o : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%c, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x8xf32>) outs(%init_o : tensor<1x2x4x8xf32>) {
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

// Both composes; the scale is a division by a splat (1/8).
// CHECK-LABEL: func.func @dcmha_pre_post_divf_scale(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[K:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[V:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QW1:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QW2:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[QG:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[KG:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[W:[a-zA-Z0-9_]+]]: tensor<2x2xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] pre(static(%[[W]]) query_weights(%[[QW1]], %[[QW2]])) post(query_gate(%[[QG]]) key_gate(%[[KG]])) {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_pre_post_divf_scale(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %qw1: tensor<1x4x2x2xf32>, %qw2: tensor<1x4x2x2xf32>, %qg: tensor<1x4x2xf32>, %kg: tensor<1x6x2xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x4x8xf32> {
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
  %c_scale = arith.constant dense<8.0> : tensor<1x2x4x6xf32>
  %ss = arith.divf %s, %c_scale : tensor<1x2x4x6xf32>
  %c1 = attn.compose %ss static(%w) query_weights(%qw1, %qw2)
      : tensor<1x2x4x6xf32>, tensor<2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32> -> tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%c1 : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %c2 = attn.compose %p query_gate(%qg) key_gate(%kg)
      : tensor<1x2x4x6xf32>, tensor<1x4x2xf32>, tensor<1x6x2xf32> -> tensor<1x2x4x6xf32>
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

// The scale as a linalg.generic multiply by a scalar constant.
// CHECK-LABEL: func.func @dcmha_scale_generic(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 2.500000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_scale_generic(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %quarter = arith.constant 0.25 : f32
  %empty_ss = tensor.empty() : tensor<1x2x4x6xf32>
  %ss = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x2x4x6xf32>) outs(%empty_ss : tensor<1x2x4x6xf32>) {
  ^bb0(%x: f32, %out: f32):
    %y = arith.mulf %quarter, %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
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

// The scale folded into Q and K before the contraction (Whisper-style
// D^-1/4 on each): 0.5 * 0.5.
// CHECK-LABEL: func.func @dcmha_scale_folded_into_query_and_key(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] {scale = 2.500000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_scale_folded_into_query_and_key(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %half_q = arith.constant dense<0.5> : tensor<1x2x4x8xf32>
  %qs = arith.mulf %q, %half_q : tensor<1x2x4x8xf32>
  %half_k = arith.constant dense<0.5> : tensor<1x2x6x8xf32>
  %ks = arith.mulf %half_k, %k : tensor<1x2x6x8xf32>
  %zero_s = arith.constant 0.0 : f32
  %empty_s = tensor.empty() : tensor<1x2x4x6xf32>
  %init_s = linalg.fill ins(%zero_s : f32) outs(%empty_s : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs, %ks : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) outs(%init_s : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// No scale in the chain: scale = 1 (not the op's default 1/sqrt(D)).
// CHECK-LABEL: func.func @dcmha_unscaled(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.000000e+00 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_unscaled(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_p = tensor.empty() : tensor<1x2x4x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<1x2x4x6xf32>) outs(%empty_p : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
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

// A causal i1 mask (bottom-right: key j visible iff j <= i + 2) applied with
// arith.select against -inf, after compose_pre.
// CHECK-LABEL: func.func @dcmha_causal_select(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[K:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[V:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[W:[a-zA-Z0-9_]+]]: tensor<2x2xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] pre(static(%[[W]])) {causal, scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_causal_select(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x4x8xf32> {
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

// The causal mask as a linalg.generic select of a broadcast [Lq, Lk] i1
// constant and a scalar -inf.
// CHECK-LABEL: func.func @dcmha_causal_generic_select(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {causal, scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_causal_generic_select(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %mask = arith.constant dense<[[true, true, true, false, false, false], [true, true, true, true, false, false], [true, true, true, true, true, false], [true, true, true, true, true, true]]> : tensor<4x6xi1>
  %ninf = arith.constant 0xFF800000 : f32
  %empty_m = tensor.empty() : tensor<1x2x4x6xf32>
  %masked = linalg.generic {indexing_maps = [#id, #ij, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss, %mask : tensor<1x2x4x6xf32>, tensor<4x6xi1>) outs(%empty_m : tensor<1x2x4x6xf32>) {
  ^bb0(%x: f32, %keep: i1, %out: f32):
    %y = arith.select %keep, %x, %ninf : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
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

// A sliding window (left 1, right 0) as an additive 0 / -inf bias.
// CHECK-LABEL: func.func @dcmha_window_bias(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32, window = array<i64: 1, 0>}
// CHECK-NEXT:    return %[[O]]

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

// The softmax in the form -attn-decompose-linalg-aggregates gives
// linalg.softmax (max from NaN with maxnumf, exp(x - max), sum, divide),
// with compose_pre and compose_post.
// CHECK-LABEL: func.func @dcmha_softmax_decomposed(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[K:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[V:[a-zA-Z0-9_]+]]: {{[^,]+}}, %[[W:[a-zA-Z0-9_]+]]: tensor<2x2xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] pre(static(%[[W]])) post(static(%[[W]])) {causal, scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

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

// The plain exp / sum / divide softmax (no max subtracted).
// CHECK-LABEL: func.func @dcmha_softmax_exp_sum_div(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_softmax_exp_sum_div(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_r = tensor.empty() : tensor<1x2x4xf32>
  %empty_e = tensor.empty() : tensor<1x2x4x6xf32>
  %e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss : tensor<1x2x4x6xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = math.exp %in : f32
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

// A max from -inf with maximumf.
// CHECK-LABEL: func.func @dcmha_softmax_maximumf(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_softmax_maximumf(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_r = tensor.empty() : tensor<1x2x4xf32>
  %empty_e = tensor.empty() : tensor<1x2x4x6xf32>
  %max_init = arith.constant 0xFF800000 : f32
  %max_fill = linalg.fill ins(%max_init : f32) outs(%empty_r : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ss : tensor<1x2x4x6xf32>) outs(%max_fill : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.maximumf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4xf32>
  %e = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
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

// Keep-dim row values [B, H, Lq, 1] (as torch-mlir writes amax/sum with
// keepdim=True), read through (b, h, i, j) -> (b, h, i, 0).
// CHECK-LABEL: func.func @dcmha_softmax_keepdim(
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %{{.+}}, %{{.+}}, %{{.+}} {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_softmax_keepdim(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
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
  %empty_r = tensor.empty() : tensor<1x2x4x1xf32>
  %empty_e = tensor.empty() : tensor<1x2x4x6xf32>
  %max_init = arith.constant 0xFF800000 : f32
  %max_fill = linalg.fill ins(%max_init : f32) outs(%empty_r : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %max = linalg.generic {indexing_maps = [#id, #row_keepdim], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ss : tensor<1x2x4x6xf32>) outs(%max_fill : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.maxnumf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x1xf32>
  %e = linalg.generic {indexing_maps = [#id, #row_keepdim, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
  %sum_init = arith.constant 0.0 : f32
  %sum_fill = linalg.fill ins(%sum_init : f32) outs(%empty_r : tensor<1x2x4x1xf32>) -> tensor<1x2x4x1xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row_keepdim], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%e : tensor<1x2x4x6xf32>) outs(%sum_fill : tensor<1x2x4x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.addf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x1xf32>
  %p = linalg.generic {indexing_maps = [#id, #row_keepdim, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%e, %sum : tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) outs(%empty_e : tensor<1x2x4x6xf32>) {
  ^bb0(%in: f32, %rs: f32, %out: f32):
    %y = arith.divf %in, %rs : f32
    linalg.yield %y : f32
  } -> tensor<1x2x4x6xf32>
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

// linalg.batch_matmul over B*H: Q K^T with transposed-B maps, P V with a
// linalg.transpose-free plain B; collapse/expand of (B, H) around both.
// CHECK-LABEL: func.func @dcmha_batch_matmul(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_batch_matmul(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %k3 = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x6x8xf32> into tensor<2x6x8xf32>
  %empty_s = tensor.empty() : tensor<2x4x6xf32>
  %init_s = linalg.fill ins(%zero : f32) outs(%empty_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %s3 = linalg.batch_matmul indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                                             affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>,
                                             affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>]
      ins(%q3, %k3 : tensor<2x4x8xf32>, tensor<2x6x8xf32>) outs(%init_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
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

// K^T as a linalg.transpose of the collapsed K before a plain batch_matmul
// (torch.matmul(q, k.transpose(-2, -1)) through torch-mlir).
// CHECK-LABEL: func.func @dcmha_batch_matmul_transposed_key(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

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

// -----

// K^T as a 4-D linalg.transpose ([0, 1, 3, 2]) collapsed before the
// batch_matmul: the other order of the transpose and the collapse.
// CHECK-LABEL: func.func @dcmha_batch_matmul_transposed_key_4d(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x6x8xf32>)
// CHECK-NEXT:    %[[O:.+]] = attn.dcmha %[[Q]], %[[K]], %[[V]] {scale = 1.250000e-01 : f32}
// CHECK-NEXT:    return %[[O]]

func.func @dcmha_batch_matmul_transposed_key_4d(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>) -> tensor<1x2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %empty_kt = tensor.empty() : tensor<1x2x8x6xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x6x8xf32>) outs(%empty_kt : tensor<1x2x8x6xf32>) permutation = [0, 1, 3, 2]
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x4x8xf32> into tensor<2x4x8xf32>
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<1x2x8x6xf32> into tensor<2x8x6xf32>
  %empty_s = tensor.empty() : tensor<2x4x6xf32>
  %init_s = linalg.fill ins(%zero : f32) outs(%empty_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<2x4x8xf32>, tensor<2x8x6xf32>) outs(%init_s : tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
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
