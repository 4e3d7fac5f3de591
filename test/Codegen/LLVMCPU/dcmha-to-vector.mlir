// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell" --canonicalize | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=skylake-avx512" --canonicalize | FileCheck %s --check-prefixes=CHECK,AVX512

// convert-attn-to-vector on the DCMHA tiles (memrefs). attn.online_dcmha:
// query blocks of 16 rows in the vector lanes (two AVX2 vectors, one
// AVX-512 vector); Q^T packed per head; Q K^T register tiles of 12
// accumulators (6 keys x 2 row vectors, or 12 keys x 1); the compose as
// math.fma over row vectors with the key-indexed weights broadcast; the
// softmax statistics per head and row vector. With a post-compose the
// block's probabilities go to a heap buffer [H][keys][16] with the max of
// each key block; without one, one key block on the stack and the online
// rescale. No attn op is left.

// CHECK-LABEL: func.func @post(
// CHECK-NOT:     attn.online_dcmha
// CHECK-DAG:     memref.alloca() {alignment = 64 : i64} : memref<4x8x16xf32>
// CHECK-DAG:     memref.alloca() {alignment = 64 : i64} : memref<16xi32>
// CHECK:         scf.for
// CHECK:           %[[S:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<4x?x16xf32>
// CHECK:           %[[BM:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x4x16xf32>
// Key blocks of 128.
// CHECK:           scf.for %{{.+}} = %c0 to %{{.+}} step %c128
// AVX2:              scf.for {{.+}} step %c6
// AVX2:                scf.for {{.+}} iter_args({{.+}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX512:              scf.for {{.+}} step %c12
// AVX512:              scf.for {{.+}} iter_args({{.+}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:                 vector.fma
// The mask (window_right = 0) selects -inf per row lane.
// CHECK:             arith.cmpi sge, %{{.+}}, %{{.+}} : vector<{{8|16}}xi32>
// CHECK:             arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<{{8|16}}xi1>, vector<{{8|16}}xf32>
// The second pass: the key gate (a broadcast key scalar) of the post-compose.
// CHECK:           scf.for %{{.+}} = %c0 to %{{.+}} step %c128
// CHECK:             memref.load %{{.+}} : memref<1x20x4xf32>
// CHECK:             math.fma
// CHECK:           memref.dealloc %[[S]]
// CHECK:           memref.dealloc %[[BM]]
func.func @post(%q: memref<1x4x?x8xf32>, %k: memref<1x4x20x8xf32>, %g: memref<1x20x4xf32>, %off: index, %out: memref<1x4x?x8xf32>) {
  attn.online_dcmha %q, %k, %k post(key_gate(%g)) offset %off outs(%out) {window_right = 0 : i64}
    : memref<1x4x?x8xf32>, memref<1x4x20x8xf32>, memref<1x4x20x8xf32>, memref<1x20x4xf32>, index, memref<1x4x?x8xf32>
  return
}

// -----

// Without a post-compose no heap buffer: one key block of S on the stack.
// CHECK-LABEL: func.func @pre_only(
// CHECK-DAG:     memref.alloca() {alignment = 64 : i64} : memref<2x128x16xf32>
// CHECK-NOT:     memref.alloc(
// CHECK:         math.fma
// CHECK-NOT:     memref.alloc(
// CHECK:         return
func.func @pre_only(%q: memref<1x2x?x8xf16>, %k: memref<1x2x30x8xf16>, %w1: memref<1x?x2x2xf16>, %off: index, %out: memref<1x2x?x8xf16>) {
  attn.online_dcmha %q, %k, %k pre(query_weights(%w1, %w1)) offset %off outs(%out)
    : memref<1x2x?x8xf16>, memref<1x2x30x8xf16>, memref<1x2x30x8xf16>, memref<1x?x2x2xf16>, memref<1x?x2x2xf16>, index, memref<1x2x?x8xf16>
  return
}

// -----

// attn.tiled_compose: keys in the lanes (masked tail loads and stores), the
// key-indexed weights packed per tile into a heap buffer, the query gate a
// broadcast scalar.
// CHECK-LABEL: func.func @compose(
// CHECK:         memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<4x?xf32>
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             vector.create_mask
// CHECK:             vector.maskedload
// CHECK:             math.fma
// CHECK:             vector.maskedstore
// CHECK:         memref.dealloc
func.func @compose(%a: memref<2x4x5x?xf32>, %kg: memref<2x?x4xf32>, %qg: memref<2x5x4xf32>, %out: memref<2x4x5x?xf32>) {
  attn.tiled_compose %a outs(%out) query_gate(%qg) key_gate(%kg)
    : memref<2x4x5x?xf32>, memref<2x5x4xf32>, memref<2x?x4xf32>, memref<2x4x5x?xf32>
  return
}

// -----

func.func @dynamic_heads(%q: memref<1x?x4x8xf32>, %off: index, %out: memref<1x?x4x8xf32>) {
  // expected-error @+1 {{'attn.online_dcmha' op vector lowering needs static heads H and head dims D and Dv}}
  attn.online_dcmha %q, %q, %q offset %off outs(%out)
    : memref<1x?x4x8xf32>, memref<1x?x4x8xf32>, memref<1x?x4x8xf32>, index, memref<1x?x4x8xf32>
  return
}
