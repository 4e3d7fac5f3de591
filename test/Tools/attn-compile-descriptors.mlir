// The entry points of an attn-compile library check each argument's memref
// descriptor against the function's type before running (offset 0, the
// static sizes, no negative size, packed row-major strides) and return an
// error otherwise; a value returned twice gets two buffers, each freed.

// RUN: rm -rf %t && mkdir -p %t/a %t/b
// RUN: attn-compile %s -o %t/a/model.so 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: clang -std=c99 -Wall -Wextra -Werror -pedantic -I%t/a %S/Inputs/call-descriptors.c \
// RUN:   %t/a/model.so -Wl,-rpath,%t/a -o %t/call-descriptors
// RUN: %t/call-descriptors | FileCheck %s

// CHECK: packed: status 0: 11 22 33 44
// CHECK: offset: status 1: @add: %x: expected a descriptor with offset 0 (the function takes identity-layout memrefs), found offset 2
// CHECK: strided: status 1: @add: %x: expected packed row-major strides [1], found [2]
// CHECK: negative: status 1: @add: %x: expected sizes [?], found [-1]
// CHECK: static sizes: status 1: @fixed: %m: expected sizes [2, 3], found [1, 3]
// CHECK: fixed: status 0: 12
// CHECK: twice: status 0, one buffer: no, values 80 80

// Names the header defines are not declared as plain functions, so the
// header still compiles; a function named like one only gets its
// _mlir_ciface_ symbol.
// WARN-DAG: warning: @twice_results is exported as _mlir_ciface_twice_results only, not as `twice_results`: the header defines `twice_results`, the results of @twice
// WARN-DAG: warning: @int64_t is exported as _mlir_ciface_int64_t only, not as `int64_t`: the header includes <stdint.h>, which defines `int64_t`
// WARN-DAG: warning: @attn_memref_1d_f32 is exported as _mlir_ciface_attn_memref_1d_f32 only

// Headers of two models with the same file name have different include
// guards and compile together.
// RUN: attn-compile %S/Inputs/tosa-attention.mlir -o %t/b/model.so
// RUN: printf '#include "a/model.h"\n#include "b/model.h"\nint main(void) { return 0; }\n' > %t/both.c
// RUN: clang -std=c99 -Wall -Werror -fsyntax-only -I%t %t/both.c

// No output is left behind when the run-time library cannot be copied next
// to the library (here a directory stands where it would go).
// RUN: mkdir -p %t/c/libomp.so.5
// RUN: not attn-compile %S/Inputs/tosa-attention.mlir -o %t/c/model.so 2>&1 | FileCheck %s --check-prefix=COPY
// RUN: ls %t/c | FileCheck %s --check-prefix=LEFT
// COPY: error: cannot copy
// LEFT-NOT: model

func.func @add(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %init = tensor.empty(%n) : tensor<?xf32>
  %s = linalg.add ins(%x, %y : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) -> tensor<?xf32>
  return %s : tensor<?xf32>
}

func.func @fixed(%m: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %s = linalg.add ins(%m, %m : tensor<2x3xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %s : tensor<2x3xf32>
}

func.func @twice(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %init = tensor.empty(%n) : tensor<?xf32>
  %s = linalg.add ins(%x, %x : tensor<?xf32>, tensor<?xf32>) outs(%init : tensor<?xf32>) -> tensor<?xf32>
  return %s, %s : tensor<?xf32>, tensor<?xf32>
}

func.func @twice_results(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

func.func @int64_t(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

func.func @attn_memref_1d_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
