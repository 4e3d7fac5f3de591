// Exported names: a public function named after a C library function
// (@free) is exported as _mlir_ciface_free only, with a warning and a
// comment in the header, since an exported `free` would replace the C
// library's in the whole program; private functions are not exported, and a
// private @malloc does not meet the allocator the lowering declares.

// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s -o %t/sym.so 2>&1 | FileCheck %s --check-prefix=WARN
// WARN: attn-compile: warning: @free is exported as _mlir_ciface_free only, not as `free`: `free` is a function of the C, math or OpenMP run-time library
// WARN-NOT: warning

// RUN: llvm-nm -D --defined-only %t/sym.so | FileCheck %s --check-prefix=SYMS
// SYMS-NOT: {{ (free|helper|malloc|__attn_private_.*)$}}
// SYMS: T _mlir_ciface_free
// SYMS-NOT: {{ (free|helper|malloc|__attn_private_.*)$}}
// SYMS: T twice
// SYMS-NOT: {{ (free|helper|malloc|__attn_private_.*)$}}

// RUN: FileCheck %s --check-prefix=HEADER < %t/sym.h
// HEADER: int _mlir_ciface_free(attn_memref_1d_f32 *result, const attn_memref_1d_f32 *arg0);
// HEADER-NEXT: /* No plain `free`: `free` is a function of the C, math or OpenMP run-time library, which the export would replace in the whole program. */
// HEADER: int twice(

// RUN: clang -std=c99 -Wall -Wextra -Werror -I%t %S/Inputs/call-symbols.c \
// RUN:   %t/sym.so -Wl,-rpath,%t -o %t/call-symbols
// RUN: %t/call-symbols | FileCheck %s
// CHECK: twice: 4 8 12 16
// CHECK: _mlir_ciface_free: 1 2 3 4

// The JIT runs them too.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 4 float32 --fill arange
// RUN: attn-run %s --function=free --input=@%t/a.npy | FileCheck %s --check-prefix=JIT-FREE
// JIT-FREE: [0, 1, 2, 3]
// RUN: attn-run %s --function=twice --input=@%t/a.npy | FileCheck %s --check-prefix=JIT-TWICE
// JIT-TWICE: [0, 4, 8, 12]

func.func @free(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

func.func @twice(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = call @malloc(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %c = call @helper(%b) : (tensor<4xf32>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}

func.func private @malloc(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = arith.addf %a, %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = arith.addf %a, %a : tensor<4xf32>
  return %b : tensor<4xf32>
}
