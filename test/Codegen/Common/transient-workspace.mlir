// Statically sized temporary buffers of a function become views of one
// workspace kept between calls (a mutable global, taken through a busy flag).
// RUN: attn-opt %s --attn-transient-workspace --split-input-file | FileCheck %s
// RUN: attn-opt %s --attn-transient-workspace=max-bytes=700 --split-input-file | FileCheck %s --check-prefix=SMALL

// Two temporary buffers (16 x 10 f32: 640 bytes; 3 x 5 f32: 60, aligned to
// 64) become views of the function's workspace; the returned buffer stays a
// malloc. The workspace is taken (busy flag 0 -> 1) before the first and
// given back after the last free; a call that finds it taken allocates its
// own and frees it.
// CHECK-DAG:   memref.global "private" @__attn_workspace_two : memref<704xi8> = uninitialized {alignment = 64 : i64}
// CHECK-DAG:   memref.global "private" @__attn_workspace_busy_two : memref<i32> = dense<0> {alignment = 64 : i64}
// CHECK-LABEL: func.func @two
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK:         %[[FLAG:.*]] = memref.get_global @__attn_workspace_busy_two : memref<i32>
// CHECK:         %[[WAS:.*]] = memref.atomic_rmw assign %[[ONE]], %[[FLAG]][] : (i32, memref<i32>) -> i32
// CHECK:         %[[OWN:.*]] = arith.cmpi ne, %[[WAS]], %[[ZERO]] : i32
// CHECK:         %[[WS:.*]] = scf.if %[[OWN]] -> (memref<704xi8>) {
// CHECK:           %[[MINE:.*]] = memref.alloc() {alignment = 64 : i64} : memref<704xi8>
// CHECK:           scf.yield %[[MINE]]
// CHECK:         } else {
// CHECK:           %[[GLOBAL:.*]] = memref.get_global @__attn_workspace_two : memref<704xi8>
// CHECK:           scf.yield %[[GLOBAL]]
// CHECK:         }
// CHECK:         %[[A:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<704xi8> to memref<16x10xf32>
// CHECK:         %[[B:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<704xi8> to memref<3x5xf32>
// CHECK:         %[[R:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NOT:     memref.dealloc %[[A]]
// CHECK-NOT:     memref.dealloc %[[B]]
// CHECK:         scf.if %[[OWN]] {
// CHECK:           memref.dealloc %[[WS]] : memref<704xi8>
// CHECK:         } else {
// CHECK:           memref.atomic_rmw assign %[[ZERO]], %[[FLAG]][] : (i32, memref<i32>) -> i32
// CHECK:         }
// CHECK:         return %[[R]]
// SMALL-LABEL: func.func @two
// SMALL-NOT:     __attn_workspace
// SMALL:         return
func.func @two(%x: f32) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() {alignment = 64 : i64} : memref<16x10xf32>
  memref.store %x, %a[%c0, %c0] : memref<16x10xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<3x5xf32>
  %v = memref.load %a[%c0, %c0] : memref<16x10xf32>
  memref.store %v, %b[%c0, %c0] : memref<3x5xf32>
  %r = memref.alloc() : memref<4xf32>
  %w = memref.load %b[%c0, %c0] : memref<3x5xf32>
  memref.store %w, %r[%c0] : memref<4xf32>
  memref.dealloc %a : memref<16x10xf32>
  memref.dealloc %b : memref<3x5xf32>
  return %r : memref<4xf32>
}

// -----

// Left alone: a dynamically sized buffer, a buffer freed inside a branch,
// a buffer of which an alias is freed too, and nothing else to place.
// CHECK-LABEL: func.func @left
// CHECK-NOT:     __attn_workspace
// CHECK:         memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK:         scf.if
// CHECK:           memref.dealloc
// CHECK:         memref.alloc() : memref<4xf32>
func.func @left(%n: index, %c: i1) {
  %a = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  %b = memref.alloc() : memref<8xf32>
  scf.if %c {
    memref.dealloc %b : memref<8xf32>
  }
  %d = memref.alloc() : memref<4xf32>
  %e = memref.cast %d : memref<4xf32> to memref<?xf32>
  memref.dealloc %e : memref<?xf32>
  memref.dealloc %d : memref<4xf32>
  return
}

// -----

// A run-time check between the first buffer and the last free: a failed
// check would leave the workspace taken, so the function keeps malloc.
// CHECK-LABEL: func.func @checked
// CHECK-NOT:     __attn_workspace
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK:         cf.assert
// CHECK:         memref.dealloc
func.func @checked(%ok: i1) {
  %a = memref.alloc() : memref<8xf32>
  cf.assert %ok, "shape mismatch"
  memref.dealloc %a : memref<8xf32>
  return
}

// -----

// The globals' names do not clash with the module's symbols.
// CHECK-DAG:   memref.global "private" @__attn_workspace_f_0 : memref<64xi8>
// CHECK-DAG:   func.func private @__attn_workspace_f()
// CHECK-LABEL: func.func @f
// CHECK:         memref.get_global @__attn_workspace_f_0
func.func private @__attn_workspace_f()
func.func @f() {
  %a = memref.alloc() : memref<2xf32>
  memref.dealloc %a : memref<2xf32>
  return
}

// -----

// Buffers whose lifetimes do not overlap share bytes: %a's last use (through
// its subview) comes before %b is allocated, so both lie at offset 0; %c is
// allocated while %b is live and gets bytes of its own.
// CHECK-LABEL: memref.global "private" @__attn_workspace_reuse : memref<192xi8>
// CHECK-LABEL: func.func @reuse
// CHECK:         memref.get_global @__attn_workspace_reuse
// CHECK:         %[[A:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %{{.*}}[%[[A]]][] : memref<192xi8> to memref<16xf32>
// CHECK:         %[[B:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.view %{{.*}}[%[[B]]][] : memref<192xi8> to memref<32xf32>
// CHECK:         %[[C:.*]] = arith.constant 128 : index
// CHECK-NEXT:    memref.view %{{.*}}[%[[C]]][] : memref<192xi8> to memref<8xf32>
func.func @reuse(%x: f32) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<16xf32>
  %va = memref.subview %a[4] [4] [1] : memref<16xf32> to memref<4xf32, strided<[1], offset: 4>>
  memref.store %x, %va[%c0] : memref<4xf32, strided<[1], offset: 4>>
  %y = memref.load %va[%c0] : memref<4xf32, strided<[1], offset: 4>>
  %b = memref.alloc() : memref<32xf32>
  memref.store %y, %b[%c0] : memref<32xf32>
  %c = memref.alloc() : memref<8xf32>
  %z = memref.load %b[%c0] : memref<32xf32>
  memref.store %z, %c[%c0] : memref<8xf32>
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<32xf32>
  memref.dealloc %c : memref<8xf32>
  return
}

// -----

// A loop that yields %a makes its result an alias: %a lives until the
// result's last use, after %b's allocation, so they do not share.
// CHECK-LABEL: memref.global "private" @__attn_workspace_loop : memref<128xi8>
// CHECK-LABEL: func.func @loop
func.func @loop(%x: f32, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<16xf32>
  memref.store %x, %a[%c0] : memref<16xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%m = %a) -> (memref<16xf32>) {
    scf.yield %m : memref<16xf32>
  }
  %b = memref.alloc() : memref<16xf32>
  memref.store %x, %b[%c0] : memref<16xf32>
  %v = memref.load %r[%c0] : memref<16xf32>
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  return %v : f32
}
