// Heap allocations sized at run time are checked (malloc may return null);
// static ones and those inside parallel loops are not.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-check-allocations))' | FileCheck %s

// CHECK-LABEL: func.func @dynamic
// CHECK: %[[A:.*]] = memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf32>
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[A]] : memref<?x?xf32> -> index
// CHECK: %[[OK:.*]] = arith.cmpi ne, %[[P]], %{{.*}} : index
// CHECK: cf.assert %[[OK]], "out of memory allocating memref<?x?xf32>"
// CHECK: memref.alloc() : memref<4xf32>
// CHECK-NOT: cf.assert
// CHECK: scf.forall
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NOT: cf.assert
// CHECK: return
func.func @dynamic(%n: index, %m: index) -> memref<?x?xf32> {
  %a = memref.alloc(%n, %m) : memref<?x?xf32>
  %s = memref.alloc() : memref<4xf32>
  memref.dealloc %s : memref<4xf32>
  scf.forall (%i) in (%n) {
    %t = memref.alloc(%m) : memref<?xf32>
    memref.dealloc %t : memref<?xf32>
  }
  return %a : memref<?x?xf32>
}
