// The OnlineSoftmax builders, built by -test-attn-exp2 (test/lib) and run by
// attn-run on 8 rows (one per lane) of 16 keys: one online step per key
// (scale 0.5) over keys [0, 8) and [8, 16) into two partial states, merged
// by the logsumexp rule and normalized, and one state over all 16 keys, both
// against the direct softmax(0.5 s) . v in float64.
// Rows: 0 has no finite score in its second half, 1 none in its first
// (partial states without a key), 2 none at all (must be exactly 0), 3 a wide
// spread of scores, 4 a few -inf.
// Two exponentials: haswell's (CPUTargetInfo::exp2 on its 8 lanes, which
// maps NaN and -inf to 0), and the portable math.exp2 that the linalg
// decomposition and the split-K combine use (with skylake-avx512 as the
// target, 8 lanes are not its vector width, so CPUTargetInfo::exp2 falls
// back to it): there the safe max must keep -inf - -inf (NaN) out.
// online-softmax-avx512.mlir runs the AVX-512 form on hosts that have it.

// RUN: rm -rf %t && mkdir -p %t/avx2 %t/portable
// RUN: %PYTHON %S/Inputs/check_exp2.py make-softmax %t/avx2 8
// RUN: attn-opt %s -test-attn-exp2="target-cpu=haswell" -o %t/avx2/softmax.mlir
// RUN: attn-run %t/avx2/softmax.mlir --input=@%t/avx2/s.npy --input=@%t/avx2/v.npy --output=@%t/avx2/merged.npy --output=@%t/avx2/single.npy
// RUN: %PYTHON %S/Inputs/check_exp2.py check-softmax %t/avx2 0.5 | FileCheck %s

// RUN: %PYTHON %S/Inputs/check_exp2.py make-softmax %t/portable 8
// RUN: attn-opt %s -test-attn-exp2="target-cpu=skylake-avx512" -o %t/portable/softmax.mlir
// RUN: FileCheck %s --check-prefix=PORTABLE < %t/portable/softmax.mlir
// RUN: attn-run %t/portable/softmax.mlir --input=@%t/portable/s.npy --input=@%t/portable/v.npy --output=@%t/portable/merged.npy --output=@%t/portable/single.npy
// RUN: %PYTHON %S/Inputs/check_exp2.py check-softmax %t/portable 0.5 | FileCheck %s

// CHECK: PASS merged
// CHECK: PASS single

// PORTABLE-LABEL: func.func private @step(
// PORTABLE:         math.exp2 %{{.+}} : vector<8xf32>
// PORTABLE-NOT:     x86vector

func.func private @step(vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
    -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
    attributes {test.online_softmax = "step", test.scale = 0.5}
func.func private @merge(vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
    -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
    attributes {test.online_softmax = "merge"}
func.func private @normalize(vector<8xf32>, vector<8xf32>) -> vector<8xf32>
    attributes {test.online_softmax = "normalize"}

/// The (max, sum, acc) state after steps over keys [%lo, %hi).
func.func private @steps(%s: tensor<16x8xf32>, %v: tensor<16x8xf32>, %lo: index, %hi: index)
    -> (vector<8xf32>, vector<8xf32>, vector<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %pad = arith.constant 0.0 : f32
  %ninf = arith.constant dense<0xFF800000> : vector<8xf32>
  %zero = arith.constant dense<0.0> : vector<8xf32>
  %r:3 = scf.for %j = %lo to %hi step %c1 iter_args(%m = %ninf, %l = %zero, %acc = %zero)
      -> (vector<8xf32>, vector<8xf32>, vector<8xf32>) {
    %sj = vector.transfer_read %s[%j, %c0], %pad {in_bounds = [true]} : tensor<16x8xf32>, vector<8xf32>
    %vj = vector.transfer_read %v[%j, %c0], %pad {in_bounds = [true]} : tensor<16x8xf32>, vector<8xf32>
    %n:3 = func.call @step(%m, %l, %acc, %sj, %vj)
        : (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
        -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
    scf.yield %n#0, %n#1, %n#2 : vector<8xf32>, vector<8xf32>, vector<8xf32>
  }
  return %r#0, %r#1, %r#2 : vector<8xf32>, vector<8xf32>, vector<8xf32>
}

func.func @main(%s: tensor<16x8xf32>, %v: tensor<16x8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %a:3 = func.call @steps(%s, %v, %c0, %c8)
      : (tensor<16x8xf32>, tensor<16x8xf32>, index, index) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
  %b:3 = func.call @steps(%s, %v, %c8, %c16)
      : (tensor<16x8xf32>, tensor<16x8xf32>, index, index) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
  %all:3 = func.call @steps(%s, %v, %c0, %c16)
      : (tensor<16x8xf32>, tensor<16x8xf32>, index, index) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
  %mg:3 = func.call @merge(%a#0, %a#1, %a#2, %b#0, %b#1, %b#2)
      : (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
      -> (vector<8xf32>, vector<8xf32>, vector<8xf32>)
  %o1 = func.call @normalize(%mg#2, %mg#1) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  %o2 = func.call @normalize(%all#2, %all#1) : (vector<8xf32>, vector<8xf32>) -> vector<8xf32>
  %e = tensor.empty() : tensor<8xf32>
  %w1 = vector.transfer_write %o1, %e[%c0] {in_bounds = [true]} : vector<8xf32>, tensor<8xf32>
  %w2 = vector.transfer_write %o2, %e[%c0] {in_bounds = [true]} : vector<8xf32>, tensor<8xf32>
  return %w1, %w2 : tensor<8xf32>, tensor<8xf32>
}
