// --benchmark=N: one warm-up, N timed calls; min/median/max in ms and
// GFLOP/s where the FLOP count is known (2*M*N*K for a static matmul).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 16x32 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/b.npy 32x8 float32 --seed 2
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/b.npy --output=@%t/c.npy --benchmark=3 | FileCheck %s
// RUN: %PYTHON %S/Inputs/npytool.py check %t/c.npy "a @ b" a=%t/a.npy b=%t/b.npy

// CHECK:      benchmark @main: 3 runs after 1 warm-up
// CHECK-NEXT:   min     {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   median  {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   max     {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 8192 FLOP per call)

// Without a FLOP count (elementwise only), no GFLOP/s line.
// RUN: attn-run %s --function=scale --input=@%t/a.npy --benchmark=1 | FileCheck %s --check-prefix=NOFLOPS
// NOFLOPS:     result #0: tensor<16x32xf32>
// NOFLOPS:     benchmark @scale: 1 run after 1 warm-up
// NOFLOPS:     max
// NOFLOPS-NOT: GFLOP/s

func.func @main(%a: tensor<16x32xf32>, %b: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<16x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<16x8xf32>) -> tensor<16x8xf32>
  %c = linalg.matmul ins(%a, %b : tensor<16x32xf32>, tensor<32x8xf32>)
                     outs(%acc : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %c : tensor<16x8xf32>
}

func.func @scale(%a: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %init = tensor.empty() : tensor<16x32xf32>
  %r = linalg.mul ins(%a, %a : tensor<16x32xf32>, tensor<16x32xf32>)
                  outs(%init : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}
