// RUN: attn-opt %s -split-input-file -verify-diagnostics --attn-forall-to-serial-loops | FileCheck %s

// attn-forall-to-serial-loops: the one-thread form of the parallel tile loop.
// scf.forall becomes nested scf.for; statically sized allocas of the body
// (also inside memref.alloca_scope) move to the function entry, so the serial
// iterations share one buffer instead of growing the stack every iteration.

// CHECK-LABEL: func.func @scratch_per_tile(
// CHECK-SAME:    %[[OUT:.+]]: memref<4x8x16xf32>)
// CHECK-DAG:     %[[S1:.+]] = memref.alloca() {alignment = 64 : i64} : memref<16xf32>
// CHECK-DAG:     %[[S0:.+]] = memref.alloca() : memref<16xf32>
// CHECK-NOT:     scf.forall
// CHECK:         scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK-NEXT:      scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK-NEXT:        memref.alloca_scope {
// CHECK-NEXT:          memref.copy %[[S0]], %[[S1]]
// CHECK-NEXT:          %[[O:.+]] = memref.subview %[[OUT]][%[[I]], %[[J]], 0]
// CHECK-NEXT:          memref.copy %[[S1]], %[[O]]
func.func @scratch_per_tile(%out: memref<4x8x16xf32>) {
  scf.forall (%i, %j) in (4, 8) {
    %s0 = memref.alloca() : memref<16xf32>
    memref.alloca_scope {
      %s1 = memref.alloca() {alignment = 64 : i64} : memref<16xf32>
      memref.copy %s0, %s1 : memref<16xf32> to memref<16xf32>
      %o = memref.subview %out[%i, %j, 0] [1, 1, 16] [1, 1, 1]
          : memref<4x8x16xf32> to memref<16xf32, strided<[1], offset: ?>>
      memref.copy %s1, %o : memref<16xf32> to memref<16xf32, strided<[1], offset: ?>>
    }
  }
  return
}

// -----

// A dynamically sized alloca cannot move out of the loop: it stays, with a
// warning.
// CHECK-LABEL: func.func @dynamic_scratch(
// CHECK:         scf.for
// CHECK:           memref.alloca(%{{.+}}) : memref<?xf32>
func.func @dynamic_scratch(%n: index) {
  scf.forall (%i) in (4) {
    // expected-warning @+1 {{dynamically sized stack allocation in a serial loop}}
    %s = memref.alloca(%n) : memref<?xf32>
    %c0 = arith.constant 0 : index
    %f = arith.constant 1.0 : f32
    memref.store %f, %s[%c0] : memref<?xf32>
  }
  return
}
