// attn-compile -o model.so writes model.so and model.h; a C program built
// against them calls the functions (through the plain alias and through
// _mlir_ciface_) and checks the numbers against plain C loops.

// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s -o %t/model.so
// RUN: clang -std=c99 -Wall -Wextra -Werror -pedantic -I%t %S/Inputs/call-model.c \
// RUN:   %t/model.so -Wl,-rpath,%t -lm -o %t/call-model
// RUN: %t/call-model | FileCheck %s

// CHECK: matmul_and_negate: sizes 5x4 and 5x8, max error ok
// CHECK: attention_causal: sizes 1x2x6x8, max error ok
// CHECK: inputs unchanged: yes

// The header compiles as C++ too.
// RUN: clang -x c++ -std=c++17 -fsyntax-only -Wall -Werror -I%t %S/Inputs/call-model.c

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

func.func @attention_causal(%q: tensor<1x2x6x8xf32>, %k: tensor<1x2x9x8xf32>,
                            %v: tensor<1x2x9x8xf32>) -> tensor<1x2x6x8xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x2x6x8xf32>, tensor<1x2x9x8xf32>, tensor<1x2x9x8xf32> -> tensor<1x2x6x8xf32>
  return %o : tensor<1x2x6x8xf32>
}
