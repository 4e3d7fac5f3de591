// The OnlineSoftmax builders with the skylake-avx512 exp2 (vscalefps), built
// by -test-attn-exp2 (test/lib) and run by attn-run on hosts with AVX-512:
// 16 rows (one per lane) of 16 keys, one online step per key (scale 0.5)
// over keys [0, 8) and [8, 16) into two partial states, merged by the
// logsumexp rule and normalized, and one state over all 16 keys, both against
// the direct softmax(0.5 s) . v in float64. Rows as in online-softmax.mlir.

// REQUIRES: avx512

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/check_exp2.py make-softmax %t 16
// RUN: attn-opt %s -test-attn-exp2="target-cpu=skylake-avx512" -o %t/softmax.mlir
// RUN: FileCheck %s --check-prefix=AVX512 < %t/softmax.mlir
// RUN: attn-run %t/softmax.mlir --input=@%t/s.npy --input=@%t/v.npy --output=@%t/merged.npy --output=@%t/single.npy
// RUN: %PYTHON %S/Inputs/check_exp2.py check-softmax %t 0.5 | FileCheck %s

// CHECK: PASS merged
// CHECK: PASS single

// AVX512-LABEL: func.func private @step(
// AVX512:         x86vector.avx512.mask.scalef

func.func private @step(vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
    -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
    attributes {test.online_softmax = "step", test.scale = 0.5}
func.func private @merge(vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
    -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
    attributes {test.online_softmax = "merge"}
func.func private @normalize(vector<16xf32>, vector<16xf32>) -> vector<16xf32>
    attributes {test.online_softmax = "normalize"}

/// The (max, sum, acc) state after steps over keys [%lo, %hi).
func.func private @steps(%s: tensor<16x16xf32>, %v: tensor<16x16xf32>, %lo: index, %hi: index)
    -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %pad = arith.constant 0.0 : f32
  %ninf = arith.constant dense<0xFF800000> : vector<16xf32>
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %r:3 = scf.for %j = %lo to %hi step %c1 iter_args(%m = %ninf, %l = %zero, %acc = %zero)
      -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
    %sj = vector.transfer_read %s[%j, %c0], %pad {in_bounds = [true]} : tensor<16x16xf32>, vector<16xf32>
    %vj = vector.transfer_read %v[%j, %c0], %pad {in_bounds = [true]} : tensor<16x16xf32>, vector<16xf32>
    %n:3 = func.call @step(%m, %l, %acc, %sj, %vj)
        : (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
        -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
    scf.yield %n#0, %n#1, %n#2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
  }
  return %r#0, %r#1, %r#2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
}

func.func @main(%s: tensor<16x16xf32>, %v: tensor<16x16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %a:3 = func.call @steps(%s, %v, %c0, %c8)
      : (tensor<16x16xf32>, tensor<16x16xf32>, index, index) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
  %b:3 = func.call @steps(%s, %v, %c8, %c16)
      : (tensor<16x16xf32>, tensor<16x16xf32>, index, index) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
  %all:3 = func.call @steps(%s, %v, %c0, %c16)
      : (tensor<16x16xf32>, tensor<16x16xf32>, index, index) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
  %mg:3 = func.call @merge(%a#0, %a#1, %a#2, %b#0, %b#1, %b#2)
      : (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
      -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
  %o1 = func.call @normalize(%mg#2, %mg#1) : (vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  %o2 = func.call @normalize(%all#2, %all#1) : (vector<16xf32>, vector<16xf32>) -> vector<16xf32>
  %e = tensor.empty() : tensor<16xf32>
  %w1 = vector.transfer_write %o1, %e[%c0] {in_bounds = [true]} : vector<16xf32>, tensor<16xf32>
  %w2 = vector.transfer_write %o2, %e[%c0] {in_bounds = [true]} : vector<16xf32>, tensor<16xf32>
  return %w1, %w2 : tensor<16xf32>, tensor<16xf32>
}
