// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell" --canonicalize | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=skylake-avx512" --canonicalize | FileCheck %s --check-prefixes=CHECK,AVX512

// convert-attn-to-vector on an attn.bilinear_gather tile (memrefs): a loop
// over the tile's queries and heads; the corner math of a (q, m)'s points
// (up to 16 of any levels as one vector, level sizes as per-lane constants;
// coordinates deinterleaved from the (x, y) pairs; the shared
// BilinearSampling builder) into a scratch; then per point and corner a
// D-wide row gather (vector.load, f16 widened with arith.extf) into f32 vector.fma
// accumulators; the channel tail is a masked load/store. No attn op is left.

// CHECK-LABEL: func.func @msda_f16(
// CHECK-SAME:    %[[V:[a-zA-Z0-9_]+]]: memref<1x30x2x20xf16>, %[[LOC:[a-zA-Z0-9_]+]]: memref<1x5x2x2x4x2xf16>, %[[W:[a-zA-Z0-9_]+]]: memref<1x5x2x2x4xf16>, %[[OUT:[a-zA-Z0-9_]+]]: memref<1x5x2x20xf16>)
// CHECK:         %[[PAIRS:.+]] = memref.collapse_shape %[[LOC]] {{\[}}[0], [1], [2], [3, 4, 5]] : memref<1x5x2x2x4x2xf16> into memref<1x5x2x16xf16>
// CHECK:         %[[WROW:.+]] = memref.collapse_shape %[[W]] {{\[}}[0], [1], [2], [3, 4]] : memref<1x5x2x2x4xf16> into memref<1x5x2x8xf16>
// CHECK-DAG:     %[[ROWS:.+]] = memref.alloca() {alignment = 64 : i64} : memref<4x8xi32>
// CHECK-DAG:     %[[WTS:.+]] = memref.alloca() {alignment = 64 : i64} : memref<4x8xf32>
// Per (q, m): the corners of the 8 points of both levels as one vector
// (per-lane level sizes), then the gathers.
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             %[[XY:.+]] = vector.load %[[PAIRS]]{{.+}} : memref<1x5x2x16xf16>, vector<16xf16>
// CHECK:             %{{.+}}, %{{.+}} = vector.deinterleave %[[XY]] : vector<16xf16> -> vector<8xf16>
// CHECK:             vector.load %[[WROW]]{{.+}} : memref<1x5x2x8xf16>, vector<8xf16>
// CHECK:             arith.mulf %{{.+}}, %{{.+}} : vector<8xf32>
// CHECK:             math.floor %{{.+}} : vector<8xf32>
// CHECK:             arith.fptosi %{{.+}} : vector<8xf32> to vector<8xi32>
// CHECK:             vector.store %{{.+}}, %[[ROWS]]{{.+}} : memref<4x8xi32>, vector<8xi32>
// CHECK:             vector.store %{{.+}}, %[[WTS]]{{.+}} : memref<4x8xf32>, vector<8xf32>
// CHECK-NOT:     memref.prefetch
// AVX2:              %[[TAIL:.+]] = vector.constant_mask [4] : vector<8xi1>
// AVX2:              %{{.+}}:3 = scf.for %{{.+}} iter_args(%{{.+}}, %{{.+}}, %{{.+}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2:                vector.load %[[V]]{{.+}} : memref<1x30x2x20xf16>, vector<8xf16>
// AVX2:                arith.extf %{{.+}} : vector<8xf16> to vector<8xf32>
// AVX2:                vector.fma %{{.+}} : vector<8xf32>
// AVX2:                vector.maskedload %[[V]]{{.+}}, %[[TAIL]], %{{.+}} : memref<1x30x2x20xf16>, vector<8xi1>, vector<8xf16> into vector<8xf16>
// AVX2:              arith.truncf %{{.+}} : vector<8xf32> to vector<8xf16>
// AVX2:              vector.store %{{.+}}, %[[OUT]]{{.+}} : memref<1x5x2x20xf16>, vector<8xf16>
// AVX2:              vector.maskedstore %[[OUT]]{{.+}}, %[[TAIL]], %{{.+}} : memref<1x5x2x20xf16>, vector<8xi1>, vector<8xf16>
// AVX512:            %[[TAIL:.+]] = vector.constant_mask [4] : vector<16xi1>
// AVX512:            %{{.+}}:2 = scf.for %{{.+}} iter_args(%{{.+}}, %{{.+}}) -> (vector<16xf32>, vector<16xf32>) {
// AVX512:              vector.maskedload %[[V]]{{.+}}, %[[TAIL]], %{{.+}} : memref<1x30x2x20xf16>, vector<16xi1>, vector<16xf16> into vector<16xf16>
// AVX512:            vector.maskedstore %[[OUT]]{{.+}}, %[[TAIL]], %{{.+}} : memref<1x5x2x20xf16>, vector<16xi1>, vector<16xf16>
// CHECK-NOT:     attn.
func.func @msda_f16(%v: memref<1x30x2x20xf16>, %loc: memref<1x5x2x2x4x2xf16>, %w: memref<1x5x2x2x4xf16>, %out: memref<1x5x2x20xf16>) {
  attn.bilinear_gather ins(%v, %loc weights %w : memref<1x30x2x20xf16>, memref<1x5x2x2x4x2xf16>, memref<1x5x2x2x4xf16>)
    outs(%out : memref<1x5x2x20xf16>) {spatial_shapes = array<i64: 4, 6, 2, 3>, coordinates = #attn<coordinates unit>}
  return
}

// -----

// Many channels: groups of 4 vectors in an scf.for over channel groups
// (2 groups of 4 vectors of 8 with AVX2, one of 4 vectors of 16 with AVX-512),
// then the remaining vectors. No weights: no weight loads.
// CHECK-LABEL: func.func @sample_wide(
// CHECK-NOT:     vector.load %{{.+}} : memref<?x?x1x1x3xf32>
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} {
// AVX2:            %{{.+}}:4 = scf.for %{{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2:            %{{.+}}:2 = scf.for %{{.+}} -> (vector<8xf32>, vector<8xf32>)
// AVX512:          %{{.+}}:4 = scf.for %{{.+}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX512:          %{{.+}} = scf.for %{{.+}} -> (vector<16xf32>)
func.func @sample_wide(%v: memref<?x196x1x80xf32>, %loc: memref<?x?x1x1x3x2xf32>, %out: memref<?x?x1x80xf32>) {
  attn.bilinear_gather ins(%v, %loc : memref<?x196x1x80xf32>, memref<?x?x1x1x3x2xf32>)
    outs(%out : memref<?x?x1x80xf32>) {spatial_shapes = array<i64: 14, 14>, padding_mode = #attn<padding_mode border>}
  return
}

// -----

// Dynamic channels go through -attn-decompose; the kernel says so.
func.func @dynamic_channels(%v: memref<1x196x1x?xf32>, %loc: memref<1x7x1x1x1x2xf32>, %out: memref<1x7x1x?xf32>) {
  // expected-error @+1 {{'attn.bilinear_gather' op the vector kernel needs static channels D and points P (-attn-decompose lowers the others)}}
  attn.bilinear_gather ins(%v, %loc : memref<1x196x1x?xf32>, memref<1x7x1x1x1x2xf32>)
    outs(%out : memref<1x7x1x?xf32>) {spatial_shapes = array<i64: 14, 14>}
  return
}
