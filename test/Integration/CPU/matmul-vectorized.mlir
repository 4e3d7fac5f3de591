// The upstream matmuls around attention go through -attn-vectorize-matmuls:
// cache tiles (scf.forall), K panels (the last one peeled), B packed into
// strips of one register tile's columns when the panel is static, register
// tiles with peeled partial tiles, and masked vectors for partial tiles whose
// size stays dynamic. Shapes that are not multiples of any tile, checked
// against numpy float64.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/a.npy 37x45 float32 --seed 1
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/b.npy 45x70 float32 --seed 2
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/c.npy 3x17x9 float32 --seed 3
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/d.npy 3x9x33 float32 --seed 4
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/x.npy 53x300 float32 --seed 5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/w.npy 300x544 float32 --seed 6
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/b.npy --input=@%t/c.npy --input=@%t/d.npy --output=@%t/mm.npy --output=@%t/bmm.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/mm.npy "a @ b" a=%t/a.npy b=%t/b.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/bmm.npy "c @ d" c=%t/c.npy d=%t/d.npy --tol 1e-5
// RUN: attn-run %s --function=packed --input=@%t/x.npy --input=@%t/w.npy --output=@%t/packed.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/packed.npy "x @ w" x=%t/x.npy w=%t/w.npy --tol 1e-5
// RUN: attn-run %s --function=dynamic --input=@%t/x.npy --input=@%t/w.npy --output=@%t/dynamic.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/dynamic.npy "x @ w" x=%t/x.npy w=%t/w.npy --tol 1e-5
// RUN: attn-run %s --function=dynamic --input=@%t/a.npy --input=@%t/b.npy --output=@%t/dynamic2.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/dynamic2.npy "a @ b" a=%t/a.npy b=%t/b.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/bias.npy 70 float32 --seed 7
// RUN: attn-run %s --function=biased --input=@%t/a.npy --input=@%t/b.npy --input=@%t/bias.npy --output=@%t/biased.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/biased.npy "(a @ b + bias)[None]" a=%t/a.npy b=%t/b.npy bias=%t/bias.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/bias544.npy 544 float32 --seed 11
// RUN: attn-run %s --function=gelu --input=@%t/x.npy --input=@%t/w.npy --input=@%t/bias544.npy --output=@%t/gelu.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/gelu.npy "(lambda h: 0.5 * h * (1 + erf(h / np.sqrt(2))))(x @ w + bias)[None]" x=%t/x.npy w=%t/w.npy bias=%t/bias544.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/a2.npy 100x512 float32 --seed 8
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/b2.npy 512x96 float32 --seed 9
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/r2.npy 100x96 float32 --seed 10
// RUN: attn-run %s --function=residual_relu --input=@%t/a2.npy --input=@%t/b2.npy --input=@%t/r2.npy --output=@%t/residual.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/residual.npy "np.maximum(a @ b + r, 0)" a=%t/a2.npy b=%t/b2.npy r=%t/r2.npy --tol 1e-5
// RUN: attn-run %s --function=silu --input=@%t/a.npy --input=@%t/b.npy --output=@%t/silu.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/silu.npy "(lambda h: h / (1 + np.exp(-h)))(a @ b)" a=%t/a.npy b=%t/b.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/keep.npy 37x70 bool --fill bool --seed 12
// RUN: attn-run %s --function=masked --input=@%t/a.npy --input=@%t/b.npy --input=@%t/keep.npy --output=@%t/masked.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/masked.npy "np.where(keep, a @ b, 0)" a=%t/a.npy b=%t/b.npy keep=%t/keep.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/x97.npy 97x64 float32 --seed 13
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/x48.npy 48x64 float32 --seed 14
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/x1.npy 1x64 float32 --seed 15
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/w512.npy 64x512 float32 --seed 16
// RUN: attn-run %s --function=row_blocks --input=@%t/x97.npy --input=@%t/x48.npy --input=@%t/x1.npy --input=@%t/w512.npy --output=@%t/rb97.npy --output=@%t/rb48.npy --output=@%t/rb1.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/rb97.npy "x @ w" x=%t/x97.npy w=%t/w512.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/rb48.npy "x @ w" x=%t/x48.npy w=%t/w512.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/rb1.npy "x @ w" x=%t/x1.npy w=%t/w512.npy --tol 1e-5
// RUN: attn-run %s --function=dynamic --input=@%t/x97.npy --input=@%t/w512.npy --output=@%t/dyn97.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/dyn97.npy "x @ w" x=%t/x97.npy w=%t/w512.npy --tol 1e-5
// RUN: attn-opt %s --attn-vectorize-matmuls=target-cpu=haswell | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: attn-opt %s --attn-vectorize-matmuls=target-cpu=skylake-avx512 | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: attn-opt %s --attn-vectorize-matmuls | FileCheck %s --check-prefix=NOLINALG
// RUN: attn-opt %s --attn-vectorize-matmuls="target-cpu=haswell fuse-epilogues=false" | FileCheck %s --check-prefix=NOFUSE

// 37 x 70 fits one cache tile (the forall folds away); N = 70 is no multiple
// of the register tile's columns, so B is not packed. Full register tiles
// (AVX2 6 x 16 x 16, AVX-512 12 x 32 x 4) and the peeled partial ones (static
// here) are vector.contracts; no linalg matmul is left.
// CHECK-LABEL: func.func @main
// AVX2:          vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// AVX2:          vector.contract {{.*}} : vector<6x13xf32>, vector<13x16xf32> into vector<6x16xf32>
// AVX512:        vector.contract {{.*}} : vector<12x4xf32>, vector<4x32xf32> into vector<12x32xf32>
// CHECK:         scf.forall
// AVX2:            vector.contract {{.*}} : vector<1x6x9xf32>, vector<1x9x16xf32> into vector<1x6x16xf32>
// AVX512:          vector.contract {{.*}} : vector<1x12x4xf32>, vector<1x4x32xf32> into vector<1x12x32xf32>
// NOLINALG-NOT:  linalg.matmul
// NOLINALG-NOT:  linalg.batch_matmul
#map2 = affine_map<(d0, d1) -> (d0, d1)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>

func.func @main(%a: tensor<37x45xf32>, %b: tensor<45x70xf32>, %c: tensor<3x17x9xf32>,
                %d: tensor<3x9x33xf32>) -> (tensor<37x70xf32>, tensor<3x17x33xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x70xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x70xf32>) -> tensor<37x70xf32>
  %m = linalg.matmul ins(%a, %b : tensor<37x45xf32>, tensor<45x70xf32>)
                     outs(%f : tensor<37x70xf32>) -> tensor<37x70xf32>
  %e2 = tensor.empty() : tensor<3x17x33xf32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<3x17x33xf32>) -> tensor<3x17x33xf32>
  %bm = linalg.batch_matmul ins(%c, %d : tensor<3x17x9xf32>, tensor<3x9x33xf32>)
                            outs(%f2 : tensor<3x17x33xf32>) -> tensor<3x17x33xf32>
  return %m, %bm : tensor<37x70xf32>, tensor<3x17x33xf32>
}

// N = 544 >= 4 cache tiles of 128: the forall splits N only (each thread
// packs a B panel once for all rows) into 4 column blocks rounded up to
// whole register tiles (144 with AVX2, 160 with AVX-512); the last block
// is partial (112 or 64 columns; its strips are peeled: whole strips keep static register tiles, the
// last one is padded and masked). K = 300: a static panel of 256 and a
// peeled one of 44, both packed into strips ([?, 256, 16] with AVX2).
// M = 53 in row blocks of 48 (AVX2): the full blocks and the last one (5
// rows) are separate loops, so both have static register tiles (6 x 16 and
// 5 x 16); masks remain in the partial strips of the last column block.
// CHECK-LABEL: func.func @packed
// AVX2:          scf.forall (%{{.*}}) = (0) to (544) step (144)
// AVX512:        scf.forall (%{{.*}}) = (0) to (544) step (160)
// AVX2:            tensor.empty(%{{.*}}) : tensor<?x256x16xf32>
// AVX2:            vector.transfer_write {{.*}} : vector<16xf32>, tensor<?x256x16xf32>
// AVX2:            vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// AVX2:            vector.create_mask {{.*}} : vector<6x16xi1>
// AVX2:            vector.contract {{.*}} : vector<5x16xf32>, vector<16x16xf32> into vector<5x16xf32>
// AVX2:            tensor.empty(%{{.*}}) : tensor<?x44x16xf32>
// AVX512:          tensor.empty(%{{.*}}) : tensor<?x256x32xf32>
// AVX512:          vector.contract {{.*}} : vector<12x4xf32>, vector<4x32xf32> into vector<12x32xf32>
func.func @packed(%x: tensor<53x300xf32>, %w: tensor<300x544xf32>) -> tensor<53x544xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<53x544xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<53x544xf32>) -> tensor<53x544xf32>
  %m = linalg.matmul ins(%x, %w : tensor<53x300xf32>, tensor<300x544xf32>)
                     outs(%f : tensor<53x544xf32>) -> tensor<53x544xf32>
  return %m : tensor<53x544xf32>
}

// All sizes dynamic: nothing is packed; every register tile is vectorized,
// the partial ones with masks.
// CHECK-LABEL: func.func @dynamic
// AVX2:          vector.transfer_read {{.*}}, %{{.*}} {in_bounds = [true, true]} : tensor<?x?xf32>, vector<6x16xf32>
// AVX2:          vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
func.func @dynamic(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %z = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %w, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = linalg.matmul ins(%x, %w : tensor<?x?xf32>, tensor<?x?xf32>)
                     outs(%f : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// Packed panels (N = 512) with M = 97 (two full row blocks of 48 and a last
// block of 1 row with AVX2, one of 96 and one of 1 with AVX-512), 48 (one
// full block; the last-block loop is empty) and 1. Every register tile is
// static.
// CHECK-LABEL: func.func @row_blocks
// AVX2:          vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// AVX2:          vector.contract {{.*}} : vector<1x16xf32>, vector<16x16xf32> into vector<1x16xf32>
// AVX2-NOT:      vector.create_mask
// AVX2:          return
func.func @row_blocks(%x97: tensor<97x64xf32>, %x48: tensor<48x64xf32>, %x1: tensor<1x64xf32>,
                      %w: tensor<64x512xf32>) -> (tensor<97x512xf32>, tensor<48x512xf32>, tensor<1x512xf32>) {
  %z = arith.constant 0.0 : f32
  %e97 = tensor.empty() : tensor<97x512xf32>
  %f97 = linalg.fill ins(%z : f32) outs(%e97 : tensor<97x512xf32>) -> tensor<97x512xf32>
  %m97 = linalg.matmul ins(%x97, %w : tensor<97x64xf32>, tensor<64x512xf32>)
                       outs(%f97 : tensor<97x512xf32>) -> tensor<97x512xf32>
  %e48 = tensor.empty() : tensor<48x512xf32>
  %f48 = linalg.fill ins(%z : f32) outs(%e48 : tensor<48x512xf32>) -> tensor<48x512xf32>
  %m48 = linalg.matmul ins(%x48, %w : tensor<48x64xf32>, tensor<64x512xf32>)
                       outs(%f48 : tensor<48x512xf32>) -> tensor<48x512xf32>
  %e1 = tensor.empty() : tensor<1x512xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<1x512xf32>) -> tensor<1x512xf32>
  %m1 = linalg.matmul ins(%x1, %w : tensor<1x64xf32>, tensor<64x512xf32>)
                      outs(%f1 : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %m97, %m48, %m1 : tensor<97x512xf32>, tensor<48x512xf32>, tensor<1x512xf32>
}

// Bias epilogue: add(matmul(A, B, fill(0)) through an expand_shape, bias
// broadcast over the rows) becomes a matmul whose accumulator starts from
// the broadcast bias; no add is left.
// CHECK-LABEL: func.func @biased
// CHECK:         %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<70xf32>) outs(%{{.*}} : tensor<37x70xf32>)
// CHECK-NOT:     arith.addf {{.*}} : f32
// CHECK:         tensor.expand_shape
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @biased(%a: tensor<37x45xf32>, %b: tensor<45x70xf32>, %bias: tensor<70xf32>) -> tensor<1x37x70xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x70xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x70xf32>) -> tensor<37x70xf32>
  %m = linalg.matmul ins(%a, %b : tensor<37x45xf32>, tensor<45x70xf32>)
                     outs(%f : tensor<37x70xf32>) -> tensor<37x70xf32>
  %m3 = tensor.expand_shape %m [[0, 1], [2]] output_shape [1, 37, 70] : tensor<37x70xf32> into tensor<1x37x70xf32>
  %e3 = tensor.empty() : tensor<1x37x70xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                        affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%bias, %m3 : tensor<70xf32>, tensor<1x37x70xf32>) outs(%e3 : tensor<1x37x70xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x37x70xf32>
  return %r : tensor<1x37x70xf32>
}

// Activation epilogue (GELU as PyTorch exports it to ONNX: div, erf, add,
// mul, mul on [1, M, N] after the bias add). The chain becomes one
// elementwise generic, collapsed to the matmul's two dimensions; the matmul's
// last K panel (44 of K = 300) is split off, and the GELU runs on each of
// its strips right after the strip's register tiles, a row vector at a time
// (masked in the partial strips of the last column block). No pass over C
// is left after the forall.
// With fuse-epilogues=false the GELU stays a generic after the forall.
// CHECK-LABEL: func.func @gelu
// NOFUSE-LABEL: func.func @gelu
// NOFUSE:         scf.forall.in_parallel
// NOFUSE:         linalg.generic
// NOFUSE:           math.erf {{.*}} : f32
// CHECK:         scf.forall
// AVX2:            vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// AVX2:            tensor.empty(%{{.*}}) : tensor<?x44x16xf32>
// AVX2:            vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// CHECK:           math.erf {{.*}} : vector<1x{{16|32}}xf32>
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// CHECK:         tensor.expand_shape
// CHECK-NEXT:    return
func.func @gelu(%x: tensor<53x300xf32>, %w: tensor<300x544xf32>, %bias: tensor<544xf32>) -> tensor<1x53x544xf32> {
  %z = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %sqrt2 = arith.constant 1.41421354 : f32
  %e = tensor.empty() : tensor<53x544xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<53x544xf32>) -> tensor<53x544xf32>
  %m = linalg.matmul ins(%x, %w : tensor<53x300xf32>, tensor<300x544xf32>)
                     outs(%f : tensor<53x544xf32>) -> tensor<53x544xf32>
  %m3 = tensor.expand_shape %m [[0, 1], [2]] output_shape [1, 53, 544] : tensor<53x544xf32> into tensor<1x53x544xf32>
  %e3 = tensor.empty() : tensor<1x53x544xf32>
  %h = linalg.generic {indexing_maps = [#map3, #bias3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%m3, %bias : tensor<1x53x544xf32>, tensor<544xf32>) outs(%e3 : tensor<1x53x544xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x53x544xf32>
  %d = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h : tensor<1x53x544xf32>) outs(%e3 : tensor<1x53x544xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.divf %a, %sqrt2 : f32
    linalg.yield %s : f32
  } -> tensor<1x53x544xf32>
  %er = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%d : tensor<1x53x544xf32>) outs(%e3 : tensor<1x53x544xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.erf %a : f32
    linalg.yield %s : f32
  } -> tensor<1x53x544xf32>
  %p = linalg.generic {indexing_maps = [#map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%er : tensor<1x53x544xf32>) outs(%e3 : tensor<1x53x544xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %one : f32
    linalg.yield %s : f32
  } -> tensor<1x53x544xf32>
  %g = linalg.generic {indexing_maps = [#map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%h, %p : tensor<1x53x544xf32>, tensor<1x53x544xf32>) outs(%e3 : tensor<1x53x544xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.mulf %a, %b : f32
    %t = arith.mulf %s, %half : f32
    linalg.yield %t : f32
  } -> tensor<1x53x544xf32>
  return %g : tensor<1x53x544xf32>
}

// Residual and ReLU epilogue with K = 512, two whole panels: the second is
// split off and carries the epilogue; the residual is read a row slice per
// strip. N = 96 gives fewer than 4 column tiles, so the forall also tiles
// the rows (48), and the residual's slices follow both.
// CHECK-LABEL: func.func @residual_relu
// CHECK:         scf.forall
// CHECK:           scf.for
// AVX2:            vector.contract {{.*}} : vector<6x16xf32>, vector<16x16xf32> into vector<6x16xf32>
// CHECK:           arith.maximumf {{.*}} : vector<1x{{16|32}}xf32>
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @residual_relu(%a: tensor<100x512xf32>, %b: tensor<512x96xf32>, %r: tensor<100x96xf32>) -> tensor<100x96xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<100x96xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<100x96xf32>) -> tensor<100x96xf32>
  %m = linalg.matmul ins(%a, %b : tensor<100x512xf32>, tensor<512x96xf32>)
                     outs(%f : tensor<100x96xf32>) -> tensor<100x96xf32>
  %y = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %r : tensor<100x96xf32>, tensor<100x96xf32>) outs(%e : tensor<100x96xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %t = arith.addf %x, %s : f32
    %u = arith.maximumf %t, %z : f32
    linalg.yield %u : f32
  } -> tensor<100x96xf32>
  return %y : tensor<100x96xf32>
}

// SiLU epilogue on a single K panel (K = 45: nothing to split off) with
// N = 70, four whole strips and a partial one of 6 columns, whose epilogue
// rows are 6-lane vectors. 37 x 70 is one cache tile (the forall folds
// away).
// CHECK-LABEL: func.func @silu
// AVX2:          math.exp {{.*}} : vector<1x16xf32>
// AVX2:          math.exp {{.*}} : vector<1x6xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @silu(%a: tensor<37x45xf32>, %b: tensor<45x70xf32>) -> tensor<37x70xf32> {
  %z = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<37x70xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x70xf32>) -> tensor<37x70xf32>
  %m = linalg.matmul ins(%a, %b : tensor<37x45xf32>, tensor<45x70xf32>)
                     outs(%f : tensor<37x70xf32>) -> tensor<37x70xf32>
  %y = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<37x70xf32>) outs(%e : tensor<37x70xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %s = arith.divf %x, %d : f32
    linalg.yield %s : f32
  } -> tensor<37x70xf32>
  return %y : tensor<37x70xf32>
}

// An elementwise consumer with an i1 operand is no epilogue (an i1 tensor
// holds bytes; row vectors would read bits): it stays a generic after the
// matmul, for -attn-vectorize-elementwise (which keeps it scalar).
// CHECK-LABEL: func.func @masked
// CHECK:         vector.contract
// CHECK:         linalg.generic
// CHECK:           arith.select
// CHECK:         return
func.func @masked(%a: tensor<37x45xf32>, %b: tensor<45x70xf32>, %keep: tensor<37x70xi1>) -> tensor<37x70xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x70xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<37x70xf32>) -> tensor<37x70xf32>
  %m = linalg.matmul ins(%a, %b : tensor<37x45xf32>, tensor<45x70xf32>)
                     outs(%f : tensor<37x70xf32>) -> tensor<37x70xf32>
  %y = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %keep : tensor<37x70xf32>, tensor<37x70xi1>) outs(%e : tensor<37x70xf32>) {
  ^bb0(%x: f32, %k: i1, %o: f32):
    %s = arith.select %k, %x, %z : f32
    linalg.yield %s : f32
  } -> tensor<37x70xf32>
  return %y : tensor<37x70xf32>
}
