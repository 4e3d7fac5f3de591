// The upstream matmuls around attention go through -attn-vectorize-matmuls
// (register tiles, peeled partial tiles); shapes that are not multiples of the
// 8 x 32 x 8 tile, checked against numpy float64.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/a.npy 37x45 float32 --seed 1
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/b.npy 45x70 float32 --seed 2
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/c.npy 3x17x9 float32 --seed 3
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py make %t/d.npy 3x9x33 float32 --seed 4
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/b.npy --input=@%t/c.npy --input=@%t/d.npy --output=@%t/mm.npy --output=@%t/bmm.npy
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/mm.npy "a @ b" a=%t/a.npy b=%t/b.npy --tol 1e-5
// RUN: %PYTHON %attn_src_root/test/Tools/Inputs/npytool.py check %t/bmm.npy "c @ d" c=%t/c.npy d=%t/d.npy --tol 1e-5
// RUN: attn-opt %s --attn-vectorize-matmuls | FileCheck %s
// RUN: attn-opt %s --attn-vectorize-matmuls | FileCheck %s --check-prefix=NOLINALG

// An scf.forall over (batch,) 64 x 128 cache tiles is the parallel loop (the
// 37 x 70 matmul fits one cache tile, so its forall folds away); inside,
// full 8 x 32 x 8 tiles and the peeled partial ones (static here) are
// vector.contracts; no linalg matmul is left.
// CHECK-LABEL: func.func @main
// CHECK:         scf.for
// CHECK:           vector.contract {{.*}} : vector<8x8xf32>, vector<8x32xf32> into vector<8x32xf32>
// CHECK:         vector.contract {{.*}} : vector<8x5xf32>, vector<5x32xf32> into vector<8x32xf32>
// CHECK:         scf.forall
// CHECK:           vector.contract {{.*}} : vector<1x8x8xf32>, vector<1x8x32xf32> into vector<1x8x32xf32>
// NOLINALG-NOT:  linalg.matmul
// NOLINALG-NOT:  linalg.batch_matmul
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
