// The generic GPU mapping: one workgroup per tile of `attn.online_attention`,
// one thread per query row, K/V blocks staged in workgroup memory between
// barriers, the online softmax in registers.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config,attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-attention))' | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{shared-memory-bytes=20480}))' | FileCheck %s --check-prefix=CONFIG

// D = 64, causal GQA: 100 query rows in one workgroup of 128 threads (48 KiB
// of buffers), grid = 4 heads x 1 query block.
// CONFIG: lowering_config = #attn.lowering_config<block_q = 32, block_k = 16, split_keys = 1
// CHECK-LABEL: func.func @causal_gqa
// CHECK: %[[C128:[a-z0-9_]+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in
// CHECK-SAME: threads(%[[TX:[a-z0-9_]+]], %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C128]],
// CHECK-SAME: workgroup(%[[QT:[a-z0-9_]+]] : memref<64x128xf32, #gpu.address_space<workgroup>>, %[[KS:[a-z0-9_]+]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[VS:[a-z0-9_]+]] : memref<16x64xf32, #gpu.address_space<workgroup>>, %[[PT:[a-z0-9_]+]] : memref<16x128xf32, #gpu.address_space<workgroup>>)
// Q^T staged once, then a barrier.
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[QT]]
// CHECK: gpu.barrier
// The key-block loop carries max, sum and the 64 accumulators.
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}},
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}}, %[[KS]]
// CHECK: memref.store %{{.*}}, %[[VS]]
// CHECK: gpu.barrier
// Scores: Q^T column of this thread times the staged K rows.
// CHECK: memref.load %[[QT]][%{{.*}}, %[[TX]]]
// CHECK: math.fma
// CHECK: math.exp2
// CHECK: memref.store %{{.*}}, %[[PT]][%{{.*}}, %[[TX]]]
// CHECK: memref.load %[[PT]]
// CHECK: memref.load %[[VS]]
// Rows past the tile are not stored; empty rows give 0.
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK-NOT: attn.online_attention
func.func @causal_gqa(%q: tensor<1x4x100x64xf32>, %k: tensor<1x2x77x64xf32>,
                      %v: tensor<1x2x77x64xf32>) -> tensor<1x4x100x64xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x100x64xf32>, tensor<1x2x77x64xf32>, tensor<1x2x77x64xf32>
      -> tensor<1x4x100x64xf32>
  return %o : tensor<1x4x100x64xf32>
}
