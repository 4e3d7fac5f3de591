// attn-compile --emit=mlir|llvm|asm|obj|so, and --cpu.

// RUN: rm -rf %t && mkdir -p %t

// RUN: attn-compile %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// MLIR: llvm.func @add(
// MLIR: llvm.func @_mlir_ciface_add(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)

// The expanded function is internal; `add` is an alias of the C interface.
// RUN: attn-compile %s --emit=llvm -o %t/model.ll
// RUN: FileCheck %s --check-prefix=LLVM < %t/model.ll
// LLVM-DAG: @add = alias void (ptr, ptr, ptr), ptr @_mlir_ciface_add
// LLVM-DAG: define void @_mlir_ciface_add(ptr {{.*}}, ptr {{.*}}, ptr {{.*}})
// LLVM-DAG: define void @_mlir_ciface_main(
// LLVM-NOT: define {{.*}} @main(

// RUN: attn-compile %s --emit=asm -o %t/model.s
// RUN: FileCheck %s --check-prefix=ASM < %t/model.s
// ASM: _mlir_ciface_add:

// RUN: attn-compile %s --emit=obj -o %t/model.o
// RUN: llvm-nm %t/model.o | FileCheck %s --check-prefix=OBJ
// OBJ-DAG: T _mlir_ciface_add
// OBJ-DAG: T _mlir_ciface_main
// OBJ-DAG: T add

// --emit=so is the default; the header goes next to the library.
// RUN: attn-compile %s -o %t/libmodel.so
// RUN: llvm-nm -D --defined-only %t/libmodel.so | FileCheck %s --check-prefix=SO
// SO-DAG: T _mlir_ciface_add
// SO-DAG: T _mlir_ciface_main
// SO-DAG: T add
// RUN: FileCheck %s --check-prefix=HEADER < %t/libmodel.h
// HEADER:      #ifndef ATTN_GENERATED_LIBMODEL_{{[0-9A-F]+}}_H
// HEADER:      #include <stdint.h>
// HEADER:      typedef struct attn_memref_2d_f32 {
// HEADER-NEXT:   float *allocated;
// HEADER-NEXT:   float *aligned;
// HEADER-NEXT:   int64_t offset;
// HEADER-NEXT:   int64_t sizes[2];
// HEADER-NEXT:   int64_t strides[2];
// HEADER-NEXT: } attn_memref_2d_f32;
// HEADER:      typedef struct attn_memref_1d_bf16 {
// HEADER-NEXT:   uint16_t *allocated;
// HEADER:      /* @add(tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>) */
// HEADER-NEXT: int _mlir_ciface_add(attn_memref_2d_f32 *result, const attn_memref_2d_f32 *arg0, const attn_memref_2d_f32 *arg1);
// HEADER-NEXT: int add(attn_memref_2d_f32 *result, const attn_memref_2d_f32 *arg0, const attn_memref_2d_f32 *arg1);
// HEADER:      /* @main(tensor<?xbf16>) -> (tensor<?xbf16>) */
// HEADER-NEXT: int _mlir_ciface_main(attn_memref_1d_bf16 *result, const attn_memref_1d_bf16 *arg0);
// HEADER-NOT:  {{void|int}} main(

// --cpu picks the instruction set of AOT code.
// RUN: attn-compile %s --emit=asm --cpu=x86-64 -o %t/generic.s
// RUN: FileCheck %s --check-prefix=GENERIC < %t/generic.s
// GENERIC-NOT: {{ymm|zmm}}
// RUN: attn-compile %s --emit=asm --cpu=skylake-avx512 -o %t/avx512.s
// RUN: FileCheck %s --check-prefix=AVX512 < %t/avx512.s
// AVX512: zmm

func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>)
                    outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}

func.func @main(%a: tensor<?xbf16>) -> tensor<?xbf16> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xbf16>
  %init = tensor.empty(%n) : tensor<?xbf16>
  %sum = linalg.add ins(%a, %a : tensor<?xbf16>, tensor<?xbf16>)
                    outs(%init : tensor<?xbf16>) -> tensor<?xbf16>
  return %sum : tensor<?xbf16>
}

func.func @attention(%q: tensor<1x1x16x16xf32>, %k: tensor<1x1x16x16xf32>,
                     %v: tensor<1x1x16x16xf32>) -> tensor<1x1x16x16xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32>, tensor<1x1x16x16xf32> -> tensor<1x1x16x16xf32>
  return %o : tensor<1x1x16x16xf32>
}
