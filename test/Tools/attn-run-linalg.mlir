// attn-run on upstream linalg/arith/tensor graphs: static and dynamic shapes,
// one and several results, results written to .npy and checked with numpy.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2x3 float32 --fill arange
// RUN: %PYTHON %S/Inputs/npytool.py make %t/b.npy 2x3 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/m.npy 5x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/n.npy 8x4 float32 --seed 3

// --function defaults to @main.
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/b.npy --output=@%t/sum.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/sum.npy "a + b" a=%t/a.npy b=%t/b.npy --dtype float32 --shape 2x3 | FileCheck %s --check-prefix=SUM
// SUM: OK sum.npy shape=2x3

// A dynamic leading dimension takes the input's size; two results.
// RUN: attn-run %s --function=matmul_and_negate --input=@%t/m.npy --input=@%t/n.npy --output=@%t/mm.npy --output=@%t/neg.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mm.npy "m @ n" m=%t/m.npy n=%t/n.npy --shape 5x4 | FileCheck %s --check-prefix=MM
// RUN: %PYTHON %S/Inputs/npytool.py check %t/neg.npy "-m" m=%t/m.npy --shape 5x8 | FileCheck %s --check-prefix=NEG
// MM: OK mm.npy shape=5x4
// NEG: OK neg.npy shape=5x8

// The same function on another size of the dynamic dimension.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/m1.npy 1x8 float32 --seed 4
// RUN: attn-run %s --function=matmul_and_negate --input=@%t/m1.npy --input=@%t/n.npy --output=@%t/mm1.npy --output=@%t/neg1.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mm1.npy "m @ n" m=%t/m1.npy n=%t/n.npy --shape 1x4

// Without --output: shape, element type and a summary of each result.
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/a.npy | FileCheck %s --check-prefix=SUMMARY
// SUMMARY:      result #0: tensor<2x3xf32>
// SUMMARY-NEXT:   min 0, max 10, mean 5
// SUMMARY-NEXT:   [0, 2, 4, 6, 8, 10]

// Outputs replace existing files.
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/a.npy --output=@%t/sum.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/sum.npy "2 * a" a=%t/a.npy

func.func @main(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>)
                    outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}

func.func @matmul_and_negate(%m: tensor<?x8xf32>, %n: tensor<8x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %m, %c0 : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty(%rows) : tensor<?x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x4xf32>) -> tensor<?x4xf32>
  %mm = linalg.matmul ins(%m, %n : tensor<?x8xf32>, tensor<8x4xf32>)
                      outs(%acc : tensor<?x4xf32>) -> tensor<?x4xf32>
  %init2 = tensor.empty(%rows) : tensor<?x8xf32>
  %neg = linalg.negf ins(%m : tensor<?x8xf32>) outs(%init2 : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %mm, %neg : tensor<?x4xf32>, tensor<?x8xf32>
}
