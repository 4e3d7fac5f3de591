// RUN: attn-opt %s --split-input-file -attn-lower-strided-copies | FileCheck %s

// A copy out of a strided view becomes linalg.copy (loops later), not a call
// of MLIR's memrefCopy.
// CHECK-LABEL: func.func @strided_source
// CHECK: linalg.copy ins(%{{.*}} : memref<4xf32, strided<[2], offset: 9>>) outs(%{{.*}} : memref<4xf32>)
// CHECK-NOT: memref.copy
func.func @strided_source(%a: memref<4x8xf32>, %out: memref<4xf32>) {
  %s = memref.subview %a[1, 1] [1, 4] [1, 2] : memref<4x8xf32> to memref<4xf32, strided<[2], offset: 9>>
  memref.copy %s, %out : memref<4xf32, strided<[2], offset: 9>> to memref<4xf32>
  return
}

// -----

// Contiguous copies stay memref.copy (llvm.memcpy): identity layouts, and
// static row-major views with an offset.
// CHECK-LABEL: func.func @contiguous
// CHECK-NOT: linalg.copy
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x8xf32> to memref<?x8xf32>
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<2x8xf32, strided<[8, 1], offset: 16>> to memref<2x8xf32>
func.func @contiguous(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %c: memref<4x8xf32>, %d: memref<2x8xf32>) {
  memref.copy %a, %b : memref<?x8xf32> to memref<?x8xf32>
  %s = memref.subview %c[2, 0] [2, 8] [1, 1] : memref<4x8xf32> to memref<2x8xf32, strided<[8, 1], offset: 16>>
  memref.copy %s, %d : memref<2x8xf32, strided<[8, 1], offset: 16>> to memref<2x8xf32>
  return
}

// -----

// Dynamic strided views are copied by loops too.
// CHECK-LABEL: func.func @dynamic_target
// CHECK: linalg.copy ins(%{{.*}} : memref<?xf32>) outs(%{{.*}} : memref<?xf32, strided<[?], offset: ?>>)
func.func @dynamic_target(%a: memref<?xf32>, %b: memref<?xf32, strided<[?], offset: ?>>) {
  memref.copy %a, %b : memref<?xf32> to memref<?xf32, strided<[?], offset: ?>>
  return
}

// -----

// A copy of a tile onto the same tile (equal subviews of one buffer, as
// bufferization leaves them after in-place loops) is erased.
// CHECK-LABEL: func.func @self_copy
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @self_copy(%a: memref<4x8xf32>, %i: index) {
  %s = memref.subview %a[%i, 0] [2, 4] [1, 2] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 2], offset: ?>>
  %t = memref.subview %a[%i, 0] [2, 4] [1, 2] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 2], offset: ?>>
  memref.copy %s, %t : memref<2x4xf32, strided<[8, 2], offset: ?>> to memref<2x4xf32, strided<[8, 2], offset: ?>>
  memref.copy %a, %a : memref<4x8xf32> to memref<4x8xf32>
  return
}

// -----

// Subviews at different offsets are different memory: the copy stays.
// CHECK-LABEL: func.func @shifted_copy
// CHECK: linalg.copy
func.func @shifted_copy(%a: memref<4x8xf32>) {
  %s = memref.subview %a[0, 0] [2, 4] [1, 2] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 2]>>
  %t = memref.subview %a[2, 0] [2, 4] [1, 2] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 2], offset: 16>>
  memref.copy %s, %t : memref<2x4xf32, strided<[8, 2]>> to memref<2x4xf32, strided<[8, 2], offset: 16>>
  return
}
