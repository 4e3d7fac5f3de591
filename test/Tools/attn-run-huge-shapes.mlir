// A module that merely contains a function with absurd static shapes runs
// its other functions promptly: the FLOP count of a causal attention with
// 2^40 query rows is left unknown instead of being counted row by row, and
// a head dim of 2^40 is not unrolled by the vector kernel (it goes through
// the linalg decomposition).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2 float32 --fill ones
// RUN: attn-run %s --input=@%t/a.npy | FileCheck %s
// CHECK: result #0: tensor<2xf32>
// RUN: attn-opt %s --attn-cpu-pipeline -o /dev/null

func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

func.func @long(%q: tensor<1x1x1099511627776x8xf32>) -> tensor<1x1x1099511627776x8xf32> {
  %o = attn.attention %q, %q, %q {causal}
      : tensor<1x1x1099511627776x8xf32>, tensor<1x1x1099511627776x8xf32>, tensor<1x1x1099511627776x8xf32> -> tensor<1x1x1099511627776x8xf32>
  return %o : tensor<1x1x1099511627776x8xf32>
}

func.func @wide(%q: tensor<1x1x4x1099511627776xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %o = attn.attention %q, %q, %v
      : tensor<1x1x4x1099511627776xf32>, tensor<1x1x4x1099511627776xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
