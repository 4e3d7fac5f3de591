// The generic GPU mapping of attn.tiled_compose tiles (attn.compose): one
// workgroup per (batch, block of rows), threads as 32 keys by row lanes,
// the keys in chunks of 32, a chunk's key-indexed weights staged in
// workgroup memory between barriers.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-convert-to-online,attn-tile{compose-block-q=4}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-compose),canonicalize,cse)' | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-convert-to-online,attn-tile{compose-block-q=4}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-compose{shared-memory-bytes=1024}),canonicalize,cse)' | FileCheck %s --check-prefix=GLOBAL

// B = 2, Lq = 10 in blocks of 4 rows: grid = 2 x 3; 32 keys x 4 row lanes.
// kw1, kw2 ([C * H = 8][32 + 1]) and kdd ([H = 4][33]) are staged per chunk.
// CHECK-LABEL: func.func @compose_all
// CHECK-DAG: %[[C6:.+]] = arith.constant 6 : index
// CHECK-DAG: %[[C128:.+]] = arith.constant 128 : index
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C6]],
// CHECK-SAME: threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C128]],
// CHECK-SAME: workgroup(%[[KW1:.+]] : memref<8x33xf32, #gpu.address_space<workgroup>>, %[[KW2:.+]] : memref<8x33xf32, #gpu.address_space<workgroup>>, %[[KDD:.+]] : memref<4x33xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[KEY:.+]] = arith.remui %[[TX]], %[[C32]]
// CHECK: %[[LANE:.+]] = arith.divui %[[TX]], %[[C32]]
// CHECK: scf.for %[[S0:.+]] = %{{.+}} to %{{.+}} step %[[C32]]
// CHECK: gpu.barrier
// CHECK: scf.for %{{.+}} = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: memref.store %{{.+}}, %[[KW1]]
// CHECK: scf.for %{{.+}} = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: memref.store %{{.+}}, %[[KW2]]
// CHECK: scf.for %{{.+}} = %[[TX]] to %{{.+}} step %[[C128]]
// CHECK: memref.store %{{.+}}, %[[KDD]]
// CHECK: gpu.barrier
// The thread's key, and its rows lane, lane + 4, ...
// CHECK: %[[S:.+]] = arith.addi %[[S0]], %[[KEY]]
// CHECK: scf.if
// CHECK: scf.for %[[ROW:.+]] = %[[LANE]] to %{{.+}} step %[[C4]]
// CHECK: memref.load %{{.+}}[%{{.+}}, %{{.+}}, %[[ROW]], %[[S]]]
// CHECK: math.fma
// CHECK: memref.load %[[KW1]][%{{.+}}, %[[KEY]]]
// CHECK: memref.load %[[KW2]][%{{.+}}, %[[KEY]]]
// CHECK: memref.load %[[KDD]][%{{.+}}, %[[KEY]]]
// CHECK: memref.store %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %[[ROW]], %[[S]]]
// CHECK: gpu.terminator
// CHECK-NOT: attn.tiled_compose

// 1 KiB cannot hold the staged weights (4 * 33 * 20 bytes): they are read
// from global memory, and there is nothing to synchronize.
// GLOBAL-LABEL: func.func @compose_all
// GLOBAL: gpu.launch
// GLOBAL-NOT: workgroup(
// GLOBAL-NOT: gpu.barrier
// GLOBAL: gpu.terminator
func.func @compose_all(%s: tensor<2x4x10x40xf32>, %W: tensor<4x4xf32>,
                       %qw1: tensor<2x10x2x4xf32>, %qw2: tensor<2x10x2x4xf32>,
                       %kw1: tensor<2x40x2x4xf32>, %kw2: tensor<2x40x2x4xf32>,
                       %qdd: tensor<2x10x4xf32>, %kdd: tensor<2x40x4xf32>)
    -> tensor<2x4x10x40xf32> {
  %c = attn.compose %s static(%W) query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)
    : tensor<2x4x10x40xf32>, tensor<4x4xf32>, tensor<2x10x2x4xf32>, tensor<2x10x2x4xf32>,
      tensor<2x40x2x4xf32>, tensor<2x40x2x4xf32>, tensor<2x10x4xf32>, tensor<2x40x4xf32>
    -> tensor<2x4x10x40xf32>
  return %c : tensor<2x4x10x40xf32>
}

// One row: one row lane (a warp of 32 threads, one workgroup); only
// query-indexed weights: no workgroup memory, no barriers. f16 is widened on
// load and rounded on store.
// CHECK-LABEL: func.func @compose_query_gate_one_row
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK: gpu.launch
// CHECK-SAME: threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C32]],
// CHECK-NOT: workgroup(
// CHECK-NOT: gpu.barrier
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: gpu.terminator
func.func @compose_query_gate_one_row(%s: tensor<1x3x1x50xf16>, %qdd: tensor<1x1x3xf16>)
    -> tensor<1x3x1x50xf16> {
  %c = attn.compose %s query_gate(%qdd) : tensor<1x3x1x50xf16>, tensor<1x1x3xf16> -> tensor<1x3x1x50xf16>
  return %c : tensor<1x3x1x50xf16>
}
