// CPUTargetInfo::exp2 for skylake-avx512 (2^n applied by vscalefps, lanes
// at or below -125 masked off to 0), built by -test-attn-exp2 (test/lib) and
// run by attn-run on hosts with AVX-512: the named points -inf, -126, -125,
// -0.5, 0, 0.5, 10, 127, -125.5, -124.99, -1, 1, 126.5, 1e-7, -1e-7, 126, a
// sweep of [-125, 127] and a grid of [-1, 1], against numpy's exp2 in
// float64 (relative error < 3e-7; exactly 0 at -inf and <= -125).
// exp2-avx2.mlir runs the AVX2 form everywhere.

// REQUIRES: avx512

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/check_exp2.py make-exp2 %t 16
// RUN: attn-opt %s -test-attn-exp2="target-cpu=skylake-avx512" -o %t/exp2.mlir
// RUN: attn-run %t/exp2.mlir --input=@%t/x.npy --output=@%t/y.npy
// RUN: %PYTHON %S/Inputs/check_exp2.py check-exp2 %t | FileCheck %s

// CHECK: exp2 named points: 0 0 0 0.7071{{[0-9]+}} 1{{[.0-9]*}} 1.4142{{[0-9]+}} 1024{{[.0-9]*}} 1.7014{{[0-9]+}}e+38 0 {{.+}}
// CHECK: PASS exp2

func.func private @exp2(vector<16xf32>) -> vector<16xf32> attributes {test.exp2}

func.func @main(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %pad = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x16xf32>
  %init = tensor.empty(%rows) : tensor<?x16xf32>
  %y = scf.for %i = %c0 to %rows step %c1 iter_args(%acc = %init) -> tensor<?x16xf32> {
    %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : tensor<?x16xf32>, vector<16xf32>
    %e = func.call @exp2(%v) : (vector<16xf32>) -> vector<16xf32>
    %w = vector.transfer_write %e, %acc[%i, %c0] {in_bounds = [true]} : vector<16xf32>, tensor<?x16xf32>
    scf.yield %w : tensor<?x16xf32>
  }
  return %y : tensor<?x16xf32>
}
