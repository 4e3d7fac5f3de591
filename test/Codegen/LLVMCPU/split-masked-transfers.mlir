// RUN: attn-opt %s -split-input-file --attn-split-masked-transfers="target-cpu=x86-64-v3" | FileCheck %s --check-prefix=AVX2
// RUN: attn-opt %s -split-input-file --attn-split-masked-transfers="target-cpu=skylake-avx512" | FileCheck %s --check-prefix=AVX512

// A masked 16-lane f32 read (one row of a 6 x 16 matmul tile) becomes two
// 8-lane reads with AVX2 (a ymm each, whose masks are the two halves) and
// stays whole with AVX-512.
// AVX2-LABEL: func.func @masked_read(
// AVX2-SAME:    %[[M:[a-zA-Z0-9_]+]]: memref<?x8xf32>, %[[I:[a-zA-Z0-9_]+]]: index, %[[N:[a-zA-Z0-9_]+]]: index
// AVX2:         %[[MASK:.+]] = vector.create_mask %[[N]] : vector<16xi1>
// AVX2:         %[[LO_MASK:.+]] = vector.extract_strided_slice %[[MASK]] {offsets = [0], sizes = [8], strides = [1]}
// AVX2:         %[[LO:.+]] = vector.transfer_read %[[M]][%[[I]], %{{.+}}], %{{.+}}, %[[LO_MASK]] {in_bounds = [true]} : memref<?x8xf32>, vector<8xf32>
// AVX2:         vector.insert_strided_slice %[[LO]], %{{.+}} {offsets = [0], strides = [1]} : vector<8xf32> into vector<16xf32>
// AVX2:         %[[HI_MASK:.+]] = vector.extract_strided_slice %[[MASK]] {offsets = [8], sizes = [8], strides = [1]}
// AVX2:         %[[HI:.+]] = vector.transfer_read %[[M]][%[[I]], %{{.+}}], %{{.+}}, %[[HI_MASK]] {in_bounds = [true]} : memref<?x8xf32>, vector<8xf32>
// AVX2:         vector.insert_strided_slice %[[HI]], %{{.+}} {offsets = [8], strides = [1]} : vector<8xf32> into vector<16xf32>
// AVX512-LABEL: func.func @masked_read(
// AVX512:         vector.transfer_read %{{.+}} : memref<?x8xf32>, vector<16xf32>
// AVX512-NOT:     vector.transfer_read
// AVX512:         return
func.func @masked_read(%m: memref<?x8xf32>, %i: index, %n: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %mask = vector.create_mask %n : vector<16xi1>
  %v = vector.transfer_read %m[%i, %c0], %pad, %mask {in_bounds = [true]} : memref<?x8xf32>, vector<16xf32>
  return %v : vector<16xf32>
}

// -----

// A read that may run out of bounds lowers to a masked load too: split,
// each half keeping its own bounds check. In-bounds unmasked reads stay.
// AVX2-LABEL: func.func @out_of_bounds_read(
// AVX2-COUNT-2: vector.transfer_read %{{.+}} : memref<8x4xf32>, vector<8xf32>
// AVX2:         vector.transfer_read %{{.+}} {in_bounds = [true]} : memref<8x4xf32>, vector<16xf32>
func.func @out_of_bounds_read(%m: memref<8x4xf32>, %i: index) -> (vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %a = vector.transfer_read %m[%i, %c0], %pad : memref<8x4xf32>, vector<16xf32>
  %b = vector.transfer_read %m[%i, %c0], %pad {in_bounds = [true]} : memref<8x4xf32>, vector<16xf32>
  return %a, %b : vector<16xf32>, vector<16xf32>
}

// -----

// Masked writes, vector.maskedload and vector.maskedstore: the same split;
// a 20-lane vector gives pieces of 8, 8 and 4.
// AVX2-LABEL: func.func @writes_and_masked_ops(
// AVX2:         vector.transfer_write %{{.+}} : vector<8xf32>, memref<?xf32>
// AVX2:         vector.transfer_write %{{.+}} : vector<8xf32>, memref<?xf32>
// AVX2-NOT:     vector.transfer_write
// AVX2-COUNT-2: vector.maskedload %{{.+}} : memref<?xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// AVX2:         vector.maskedload %{{.+}} : memref<?xf32>, vector<4xi1>, vector<4xf32> into vector<4xf32>
// AVX2-COUNT-2: vector.maskedstore %{{.+}} : memref<?xf32>, vector<8xi1>, vector<8xf32>
// AVX2:         vector.maskedstore %{{.+}} : memref<?xf32>, vector<4xi1>, vector<4xf32>
func.func @writes_and_masked_ops(%m: memref<?xf32>, %v: vector<16xf32>, %w: vector<20xf32>,
                                 %n: index) -> vector<20xf32> {
  %c0 = arith.constant 0 : index
  %mask = vector.create_mask %n : vector<16xi1>
  vector.transfer_write %v, %m[%c0], %mask {in_bounds = [true]} : vector<16xf32>, memref<?xf32>
  %mask20 = vector.create_mask %n : vector<20xi1>
  %r = vector.maskedload %m[%c0], %mask20, %w : memref<?xf32>, vector<20xi1>, vector<20xf32> into vector<20xf32>
  vector.maskedstore %m[%c0], %mask20, %r : memref<?xf32>, vector<20xi1>, vector<20xf32>
  return %r : vector<20xf32>
}

// -----

// 0-d transfers (a linalg.generic broadcasting a tensor<f32>) are left
// alone; they used to crash the pass (no dim 0 to ask about).
// AVX2-LABEL: func.func @zero_d
// AVX2:         vector.transfer_read %{{.+}}[], %{{.+}} : memref<f32>, vector<f32>
// AVX2:         vector.transfer_write %{{.+}}, %{{.+}}[] : vector<f32>, memref<f32>
func.func @zero_d(%m: memref<f32>) {
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[], %pad : memref<f32>, vector<f32>
  vector.transfer_write %v, %m[] : vector<f32>, memref<f32>
  return
}
