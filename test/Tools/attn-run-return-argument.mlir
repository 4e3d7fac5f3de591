// Functions that return an argument or a constant: the deallocation pipeline
// gives the caller its own copy (bufferization.clone), which the CPU pipeline
// lowers with convert-bufferization-to-memref.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2x3 float32
// RUN: attn-run %s --function=identity --input=@%t/a.npy --output=@%t/same.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/same.npy "a" a=%t/a.npy
// RUN: attn-run %s --function=constant | FileCheck %s
// CHECK: [1, 2, 3]

func.func @identity(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %a : tensor<2x3xf32>
}

func.func @constant() -> tensor<3xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  return %c : tensor<3xf32>
}
