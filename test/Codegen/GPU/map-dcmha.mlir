// The generic GPU mapping of attn.online_dcmha tiles (attn.dcmha): one
// workgroup per (batch, block of query rows), one thread per row holding
// the H heads' softmax statistics and H x Dv accumulators in registers, two
// sweeps over the keys the row sees (max and sum, then normalize +
// compose_post + P V); K, V and compose weights read from global memory.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-convert-to-online,attn-tile{dcmha-block-q=32}),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-dcmha),canonicalize,cse)' | FileCheck %s

// B = 2, Lq = 40 in blocks of 32 rows: grid = 2 x 2, 32 threads; thread t
// has rows t, t + 32, ... of its tile (the folded block order hides the
// tile's row count). Causal: the keys [0, p + 1) of the row at p.
// CHECK-LABEL: func.func @dcmha_causal_all_groups
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C32:.+]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C4]],
// CHECK-SAME: threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C32]],
// CHECK-NOT: workgroup(
// CHECK: %[[Q:.+]] = memref.subview %arg0
// CHECK: %[[K:.+]] = memref.subview %arg1
// CHECK: %[[V:.+]] = memref.subview %arg2
// CHECK: %[[O:.+]] = memref.subview %alloc
// CHECK: scf.for %[[ROW:.+]] = %[[TX]] to %{{.+}} step %[[C32]]
// CHECK: %[[HI:.+]] = arith.maxsi
// CHECK: %[[ANY:.+]] = arith.cmpi ugt, %[[HI]]
// CHECK: scf.if %[[ANY]]
// Sweep 1: the 4 heads' max and sum.
// CHECK: %[[STATS:.+]]:8 = scf.for %[[J:.+]] = %{{.+}} to %[[HI]] step %{{.+}} iter_args
// CHECK: scf.for
// CHECK: memref.load %[[Q]][%{{.+}}, %{{.+}}, %[[ROW]], %{{.+}}]
// CHECK: memref.load %[[K]][%{{.+}}, %{{.+}}, %[[J]], %{{.+}}]
// CHECK: math.fma
// CHECK: arith.maxnumf
// CHECK: math.exp2
// CHECK: scf.yield
// The reciprocal sums, then sweep 2 with 4 x 8 accumulators.
// CHECK: arith.divf %{{.+}}, %[[STATS]]#4
// CHECK: %[[ACC:.+]]:32 = scf.for %[[J2:.+]] = %{{.+}} to %[[HI]] step %{{.+}} iter_args
// CHECK: math.exp2
// CHECK: memref.load %[[V]][%{{.+}}, %{{.+}}, %[[J2]], %{{.+}}]
// CHECK: math.fma
// CHECK: scf.yield
// CHECK: memref.store %[[ACC]]#0, %[[O]][%{{.+}}, %{{.+}}, %[[ROW]], %{{.+}}]
// A row without a visible key stores zeros.
// CHECK: } else {
// CHECK: memref.store %{{.+}}, %[[O]][%{{.+}}, %{{.+}}, %[[ROW]], %{{.+}}]
// CHECK: gpu.terminator
// CHECK-NOT: attn.online_dcmha
func.func @dcmha_causal_all_groups(%q: tensor<2x4x40x8xf32>, %k: tensor<2x4x40x8xf32>, %v: tensor<2x4x40x8xf32>,
                     %qw1: tensor<2x40x2x4xf32>, %qw2: tensor<2x40x2x4xf32>,
                     %kw1: tensor<2x40x2x4xf32>, %kw2: tensor<2x40x2x4xf32>,
                     %qdd: tensor<2x40x4xf32>, %kdd: tensor<2x40x4xf32>) -> tensor<2x4x40x8xf32> {
  %o = attn.dcmha %q, %k, %v pre(query_weights(%qw1, %qw2) key_gate(%kdd)) post(key_weights(%kw1, %kw2) query_gate(%qdd)) {causal}
      : tensor<2x4x40x8xf32>, tensor<2x4x40x8xf32>, tensor<2x4x40x8xf32>, tensor<2x40x2x4xf32>, tensor<2x40x2x4xf32>,
        tensor<2x40x4xf32>, tensor<2x40x2x4xf32>, tensor<2x40x2x4xf32>, tensor<2x40x4xf32>
      -> tensor<2x4x40x8xf32>
  return %o : tensor<2x4x40x8xf32>
}

// One tile of 12 rows: 12 threads, one row each (no row loop); f16 is
// widened on load and rounded on store.
// CHECK-LABEL: func.func @dcmha_f16_one_tile
// CHECK-DAG: %[[C12:.+]] = arith.constant 12 : index
// CHECK: gpu.launch
// CHECK-SAME: threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C12]],
// CHECK-NOT: scf.for %{{.+}} = %[[TX]]
// CHECK: arith.cmpi ult, %[[TX]], %[[C12]]
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: gpu.terminator
func.func @dcmha_f16_one_tile(%q: tensor<1x2x12x8xf16>, %k: tensor<1x2x20x8xf16>, %v: tensor<1x2x20x4xf16>,
                              %W: tensor<2x2xf16>) -> tensor<1x2x12x4xf16> {
  %o = attn.dcmha %q, %k, %v post(static(%W)) {window = array<i64: 3, 0>}
      : tensor<1x2x12x8xf16>, tensor<1x2x20x8xf16>, tensor<1x2x20x4xf16>, tensor<2x2xf16> -> tensor<1x2x12x4xf16>
  return %o : tensor<1x2x12x4xf16>
}
