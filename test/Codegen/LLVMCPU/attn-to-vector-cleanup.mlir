// RUN: attn-opt %s -test-attn-to-vector-cleanup-patterns="target-cpu=skylake-avx512" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: attn-opt %s -test-attn-to-vector-cleanup-patterns="target-cpu=haswell" | FileCheck %s --check-prefixes=CHECK,AVX2

// populateAttnToVectorCleanupPatterns (include/attn/Codegen/LLVMCPU/
// AttnToVector.h) on their own, through
// -test-attn-to-vector-cleanup-patterns (test/lib): the vector.transpose
// ops of the K^T packing become shuffles for the target. AVX-512: the 16x16
// shuffle lowering (rows extracted, 4 stages of 16 shuffles). With AVX2, the 8x8
// f32 blocks as 24 shuffles/blends (vunpck, vshufps, vblendps as inline asm,
// vperm2f128) and anything else element by element.

// CHECK-NOT: vector.transpose

// CHECK-LABEL:    func.func @transpose_16x16(
// AVX512-COUNT-16:  vector.extract %{{.+}}[{{[0-9]+}}] : vector<16xf32> from vector<16x16xf32>
// AVX512-COUNT-64:  vector.shuffle {{.+}} : vector<16xf32>, vector<16xf32>
// AVX512-NOT:       vector.shuffle
// AVX512-COUNT-16:  vector.insert %{{.+}} : vector<16xf32> into vector<16x16xf32>
// AVX2-NOT:         vector.shuffle
// AVX2:             vector.extract %{{.+}}[0, 0] : f32 from vector<16x16xf32>
// AVX2:             vector.extract %{{.+}}[15, 15] : f32 from vector<16x16xf32>
// CHECK:            return
func.func @transpose_16x16(%a: vector<16x16xf32>) -> vector<16x16xf32> {
  %t = vector.transpose %a, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
  return %t : vector<16x16xf32>
}

// CHECK-LABEL:    func.func @transpose_8x8(
// AVX2-COUNT-8:     vector.extract %{{.+}}[{{[0-7]}}] : vector<8xf32> from vector<8x8xf32>
// AVX2-COUNT-12:    vector.shuffle {{.+}} : vector<8xf32>, vector<8xf32>
// AVX2-COUNT-8:     llvm.inline_asm asm_dialect = intel "vblendps
// AVX2-COUNT-8:     vector.shuffle {{.+}} : vector<8xf32>, vector<8xf32>
// AVX2-NOT:         vector.shuffle
// AVX2-COUNT-8:     vector.insert %{{.+}} : vector<8xf32> into vector<8x8xf32>
// AVX512-NOT:       llvm.inline_asm
// AVX512:           vector.shuffle {{.+}} : vector<64xf32>, vector<64xf32>
// CHECK:            return
func.func @transpose_8x8(%a: vector<8x8xf32>) -> vector<8x8xf32> {
  %t = vector.transpose %a, [1, 0] : vector<8x8xf32> to vector<8x8xf32>
  return %t : vector<8x8xf32>
}

// CHECK-LABEL:    func.func @transpose_4x8(
// AVX2-NOT:         vector.shuffle
// AVX2:             vector.extract %{{.+}}[3, 7] : f32 from vector<4x8xf32>
// AVX512:           vector.shuffle {{.+}} : vector<32xf32>, vector<32xf32>
// CHECK:            return
func.func @transpose_4x8(%a: vector<4x8xf32>) -> vector<8x4xf32> {
  %t = vector.transpose %a, [1, 0] : vector<4x8xf32> to vector<8x4xf32>
  return %t : vector<8x4xf32>
}
