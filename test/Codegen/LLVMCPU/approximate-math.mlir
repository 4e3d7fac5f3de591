// RUN: attn-opt %s --attn-approximate-math | FileCheck %s

// Vector exp and tanh become polynomial arithmetic, not libm calls per lane.
// CHECK-LABEL: func.func @vector_exp_tanh
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.tanh
// CHECK:         math.fma
// CHECK:         return
func.func @vector_exp_tanh(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %e = math.exp %x : vector<16xf32>
  %t = math.tanh %x : vector<16xf32>
  return %e, %t : vector<16xf32>, vector<16xf32>
}
