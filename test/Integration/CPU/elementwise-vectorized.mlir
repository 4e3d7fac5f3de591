// The generics around attention (elementwise ops with broadcasts, row
// reductions, an i1 op) go through linalg elementwise fusion and
// -attn-vectorize-elementwise: an scf.forall over row blocks, the innermost
// loop in vectors (the partial last tile masked), checked against numpy
// float64 on odd shapes (rows of 37 and 5 elements, 1 row).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/x.npy 3x7x37 float32 --seed 1
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/g.npy 37 float32 --seed 2
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/y.npy 1x5 float32 --seed 3
// RUN: attn-run %s --input=@%t/x.npy --input=@%t/g.npy --input=@%t/y.npy --output=@%t/ln.npy --output=@%t/gelu.npy --output=@%t/rowmax.npy --output=@%t/small.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/ln.npy "(x - x.mean(-1, keepdims=True)) / np.sqrt(((x - x.mean(-1, keepdims=True)) ** 2).mean(-1, keepdims=True) + 1e-5) * g" x=%t/x.npy g=%t/g.npy --tol 1e-5 | FileCheck %s --check-prefix=LN
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/gelu.npy "0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3))) + g" x=%t/x.npy g=%t/g.npy --tol 1e-5 | FileCheck %s --check-prefix=GELU
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/rowmax.npy "np.where(x.max(-1) > 0, x.max(-1), 0)" x=%t/x.npy --tol 1e-6 | FileCheck %s --check-prefix=MAX
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/small.npy "np.exp(y) * 2" y=%t/y.npy --tol 1e-5 | FileCheck %s --check-prefix=SMALL
// LN: OK ln.npy shape=3x7x37
// GELU: OK gelu.npy shape=3x7x37
// MAX: OK rowmax.npy shape=3x7
// SMALL: OK small.npy shape=1x5

// RUN: attn-run %s --function=heads --input=@%t/x.npy --output=@%t/heads.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/heads.npy "x.transpose(1, 0, 2)" x=%t/x.npy --tol 0 | FileCheck %s --check-prefix=HEADS
// HEADS: OK heads.npy shape=7x3x37
// RUN: attn-opt %s --linalg-fuse-elementwise-ops --attn-vectorize-elementwise=target-cpu=haswell | FileCheck %s
// RUN: attn-opt %s --attn-vectorize-elementwise=target-cpu=haswell | FileCheck %s --check-prefix=UNFUSED
// Each generic is an scf.forall over rows, with 32-wide vectors (4 AVX2
// registers) and a static remainder of 5.
// CHECK-LABEL: func.func @main
// CHECK:         scf.forall
// CHECK:           vector.transfer_read {{.*}} : tensor<{{.*}}x32xf32>, vector<{{.*}}x32xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<{{.*}}x5xf32>, vector<{{.*}}x5xf32>
// Without fusion, the generics with an i1 operand stay scalar (a vector of
// i1 would read bits where memory holds bytes).
// UNFUSED:       linalg.generic {{.*}} outs(%{{.*}} : tensor<3x7xi1>)
// UNFUSED:       linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<3x7xi1>, tensor<3x7xf32>)
// A transpose that keeps the innermost dimension (a head split) becomes
// vector row copies.
// CHECK-LABEL: func.func @heads
// CHECK-NOT:     linalg.transpose
// CHECK:         scf.forall
// CHECK:           vector.transfer_read {{.*}} vector<{{.*}}x32xf32>

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#bc3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#vec3 = affine_map<(d0, d1, d2) -> (d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<3x7x37xf32>, %g: tensor<37xf32>, %y: tensor<1x5xf32>)
    -> (tensor<3x7x37xf32>, tensor<3x7x37xf32>, tensor<3x7xf32>, tensor<1x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e3 = tensor.empty() : tensor<3x7x37xf32>
  %e2 = tensor.empty() : tensor<3x7xf32>
  // Layer norm: mean, centred, variance, normalized * gamma.
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x7xf32>) -> tensor<3x7xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<3x7x37xf32>) outs(%z2 : tensor<3x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  %mean = tensor.expand_shape %sum [[0], [1, 2]] output_shape [3, 7, 1] : tensor<3x7xf32> into tensor<3x7x1xf32>
  %centred = linalg.generic {indexing_maps = [#id3, #bc3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mean : tensor<3x7x37xf32>, tensor<3x7x1xf32>) outs(%e3 : tensor<3x7x37xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %n = arith.constant 37.0 : f32
    %mm = arith.divf %m, %n : f32
    %c = arith.subf %a, %mm : f32
    linalg.yield %c : f32
  } -> tensor<3x7x37xf32>
  %sq = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%centred : tensor<3x7x37xf32>) outs(%e3 : tensor<3x7x37xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<3x7x37xf32>
  %var = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%sq : tensor<3x7x37xf32>) outs(%z2 : tensor<3x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  %var3 = tensor.expand_shape %var [[0], [1, 2]] output_shape [3, 7, 1] : tensor<3x7xf32> into tensor<3x7x1xf32>
  %ln = linalg.generic {indexing_maps = [#id3, #bc3, #vec3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%centred, %var3, %g : tensor<3x7x37xf32>, tensor<3x7x1xf32>, tensor<37xf32>) outs(%e3 : tensor<3x7x37xf32>) {
  ^bb0(%c: f32, %v: f32, %gg: f32, %o: f32):
    %n = arith.constant 37.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %vm = arith.divf %v, %n : f32
    %ve = arith.addf %vm, %eps : f32
    %r = math.rsqrt %ve : f32
    %nrm = arith.mulf %c, %r : f32
    %out = arith.mulf %nrm, %gg : f32
    linalg.yield %out : f32
  } -> tensor<3x7x37xf32>
  // GELU (tanh form) plus a broadcast bias.
  %gelu = linalg.generic {indexing_maps = [#id3, #vec3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %g : tensor<3x7x37xf32>, tensor<37xf32>) outs(%e3 : tensor<3x7x37xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %k = arith.constant 0.7978845608 : f32
    %c = arith.constant 0.044715 : f32
    %a2 = arith.mulf %a, %a : f32
    %a3 = arith.mulf %a2, %a : f32
    %t0 = arith.mulf %c, %a3 : f32
    %t1 = arith.addf %a, %t0 : f32
    %t2 = arith.mulf %k, %t1 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %one, %t3 : f32
    %t5 = arith.mulf %half, %a : f32
    %t6 = arith.mulf %t5, %t4 : f32
    %t7 = arith.addf %t6, %b : f32
    linalg.yield %t7 : f32
  } -> tensor<3x7x37xf32>
  // Row max (a max reduction: masked lanes must not count), then an i1
  // generic (kept scalar) to select positive maxima.
  %m0 = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<3x7xf32>) -> tensor<3x7xf32>
  %rowmax = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<3x7x37xf32>) outs(%m0 : tensor<3x7xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.maximumf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  %eb = tensor.empty() : tensor<3x7xi1>
  %pos = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%rowmax : tensor<3x7xf32>) outs(%eb : tensor<3x7xi1>) {
  ^bb0(%a: f32, %o: i1):
    %p = arith.cmpf ogt, %a, %zero : f32
    linalg.yield %p : i1
  } -> tensor<3x7xi1>
  %sel = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%pos, %rowmax : tensor<3x7xi1>, tensor<3x7xf32>) outs(%e2 : tensor<3x7xf32>) {
  ^bb0(%p: i1, %a: f32, %o: f32):
    %s = arith.select %p, %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  // One row of 5: a single masked tile.
  %e15 = tensor.empty() : tensor<1x5xf32>
  %small = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<1x5xf32>) outs(%e15 : tensor<1x5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %ex = math.exp %a : f32
    %r = arith.mulf %ex, %two : f32
    linalg.yield %r : f32
  } -> tensor<1x5xf32>
  return %ln, %gelu, %sel, %small : tensor<3x7x37xf32>, tensor<3x7x37xf32>, tensor<3x7xf32>, tensor<1x5xf32>
}

func.func @heads(%x: tensor<3x7x37xf32>) -> tensor<7x3x37xf32> {
  %e = tensor.empty() : tensor<7x3x37xf32>
  %t = linalg.transpose ins(%x : tensor<3x7x37xf32>) outs(%e : tensor<7x3x37xf32>) permutation = [1, 0, 2]
  return %t : tensor<7x3x37xf32>
}
