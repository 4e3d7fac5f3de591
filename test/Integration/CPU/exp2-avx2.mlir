// CPUTargetInfo::exp2 for haswell (AVX2: 2^n in the exponent bits, a select
// of 0 below -125), built by -test-attn-exp2 (test/lib) and run by attn-run
// on the named points -inf, -126, -125, -0.5, 0, 0.5, 10, 127, a sweep of
// [-125, 127] and a grid of [-1, 1], against numpy's exp2 in float64
// (relative error < 3e-7; exactly 0 at -inf and <= -125).
// exp2-avx512.mlir runs the AVX-512 form (vscalefps) on hosts that have it.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/check_exp2.py make-exp2 %t 8
// RUN: attn-opt %s -test-attn-exp2="target-cpu=haswell" -o %t/exp2.mlir
// RUN: attn-run %t/exp2.mlir --input=@%t/x.npy --output=@%t/y.npy
// RUN: %PYTHON %S/Inputs/check_exp2.py check-exp2 %t | FileCheck %s

// CHECK: exp2 named points: 0 0 0 0.7071{{[0-9]+}} 1{{[.0-9]*}} 1.4142{{[0-9]+}} 1024{{[.0-9]*}} 1.7014{{[0-9]+}}e+38
// CHECK: PASS exp2

func.func private @exp2(vector<8xf32>) -> vector<8xf32> attributes {test.exp2}

func.func @main(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %pad = arith.constant 0.0 : f32
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %init = tensor.empty(%rows) : tensor<?x8xf32>
  %y = scf.for %i = %c0 to %rows step %c1 iter_args(%acc = %init) -> tensor<?x8xf32> {
    %v = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : tensor<?x8xf32>, vector<8xf32>
    %e = func.call @exp2(%v) : (vector<8xf32>) -> vector<8xf32>
    %w = vector.transfer_write %e, %acc[%i, %c0] {in_bounds = [true]} : vector<8xf32>, tensor<?x8xf32>
    scf.yield %w : tensor<?x8xf32>
  }
  return %y : tensor<?x8xf32>
}
