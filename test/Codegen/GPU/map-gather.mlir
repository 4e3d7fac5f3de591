// The generic GPU mapping of attn.bilinear_gather tiles (deformable_sample,
// ms_deform_attn): one workgroup per (batch, block of queries), corners of
// every sampling point staged in workgroup memory once, then one thread per
// output element with channels fastest.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-convert-to-gather,attn-tile{gather-block-q=8 gather-serial-batches=false}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-gather),canonicalize,cse)' | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-convert-to-gather,attn-tile{gather-block-q=8 gather-serial-batches=false}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-gather{shared-memory-bytes=1000 max-threads=64}),canonicalize,cse)' | FileCheck %s --check-prefix=SMALL

// N = 2, Lq = 13 in blocks of 8: grid = 2 x 2; M = 2 heads, L = 2 levels of
// P = 3 points: 8 queries x 2 heads rows of 4 * 6 corners (+1 of padding).
// CHECK-LABEL: func.func @msda_two_levels
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[C30:.+]] = arith.constant 30 : index
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C4]],
// CHECK-SAME: threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C128]],
// CHECK-SAME: workgroup(%[[ROWS:.+]] : memref<16x25xi32, #gpu.address_space<workgroup>>, %[[WTS:.+]] : memref<16x25xf32, #gpu.address_space<workgroup>>)
// Chunks of 8 queries (the tile's rows, a dynamic count up to 8).
// CHECK: scf.for %[[Q0:.+]] = %{{.+}} to %{{.+}} step %[[C8]]
// CHECK: gpu.barrier
// Level 0, then level 1: a thread per (query, head, point), corners via
// BilinearSampling (floor, clamped i32 rows) into workgroup memory.
// CHECK: scf.for %{{.+}} = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: math.floor
// CHECK: arith.fptosi
// CHECK: memref.store %{{.+}}, %[[ROWS]]
// CHECK: memref.store %{{.+}}, %[[WTS]]
// CHECK: scf.for %{{.+}} = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: math.floor
// CHECK: memref.store %{{.+}}, %[[ROWS]]
// CHECK: gpu.barrier
// A thread per output element, channels (D = 30) fastest; the L * P points
// in a loop, 4 corners each.
// CHECK: scf.for %[[E:.+]] = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: %[[CH:.+]] = arith.remui %[[E]], %[[C30]]
// CHECK: scf.for %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (f32)
// CHECK: memref.load %[[ROWS]]
// CHECK: arith.index_cast
// CHECK: memref.load %[[WTS]]
// CHECK: memref.load %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %[[CH]]]
// CHECK: math.fma
// CHECK: scf.yield
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %[[CH]]]
// CHECK: gpu.terminator
// CHECK-NOT: attn.bilinear_gather

// 1000 bytes of workgroup memory hold the corners of 2 queries (2 heads x
// 25 x 8 bytes each): chunks of 2.
// SMALL-LABEL: func.func @msda_two_levels
// SMALL-DAG: %[[C2:.+]] = arith.constant 2 : index
// SMALL-DAG: %[[C64:.+]] = arith.constant 64 : index
// SMALL: gpu.launch
// SMALL-SAME: threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C64]],
// SMALL-SAME: workgroup(%{{.+}} : memref<4x25xi32, #gpu.address_space<workgroup>>, %{{.+}} : memref<4x25xf32, #gpu.address_space<workgroup>>)
// SMALL: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C2]]
func.func @msda_two_levels(%v: tensor<2x30x2x30xf32>, %loc: tensor<2x13x2x2x3x2xf32>,
                           %w: tensor<2x13x2x2x3xf32>) -> tensor<2x13x60xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
    : tensor<2x30x2x30xf32>, tensor<2x13x2x2x3x2xf32>, tensor<2x13x2x2x3xf32> -> tensor<2x13x60xf32>
  return %o : tensor<2x13x60xf32>
}

// deformable_sample: one head, one level, one point, no weights; N = 3
// batches of 2 x 3 = 6 queries (one tile each): grid = 3. f16 is widened on
// load and the f32 sum rounded on store.
// CHECK-LABEL: func.func @sample_f16_border
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C3]],
// CHECK-SAME: workgroup(%[[ROWS:.+]] : memref<6x5xi32, #gpu.address_space<workgroup>>, %[[WTS:.+]] : memref<6x5xf32, #gpu.address_space<workgroup>>)
// CHECK: gpu.barrier
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: math.floor
// CHECK: memref.store %{{.+}}, %[[ROWS]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[ROWS]]
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: math.fma
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: gpu.terminator
func.func @sample_f16_border(%x: tensor<3x5x7x4xf16>, %grid: tensor<3x2x3x2xf16>)
    -> tensor<3x2x3x4xf16> {
  %s = attn.deformable_sample %x, %grid {align_corners = true, padding_mode = #attn<padding_mode border>}
      : tensor<3x5x7x4xf16>, tensor<3x2x3x2xf16> -> tensor<3x2x3x4xf16>
  return %s : tensor<3x2x3x4xf16>
}
