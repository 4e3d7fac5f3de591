// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config=target-cpu=skylake-avx512 --attn-convert-to-online --attn-tile --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config=target-cpu=skylake-avx512 --attn-convert-to-online --attn-tile --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --convert-attn-to-vector=target-cpu=skylake-avx512 | FileCheck %s --check-prefix=KERNEL

// The lowering config of a graph-level op reaches the kernel: convert-to-
// online, tiling, split-K and bufferization keep it on the ops they make, so
// the sizes pinned here (or chosen by the selection pass) are the ones the
// tile loop and the kernel use.

// A pinned 48-row query block and 64-key block: the forall steps by 48 and
// the kernel's query and key loops by 48 and 64 (scores scratch 48 x 64).
// CHECK-LABEL: func.func @pinned(
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to (1, 2, 200) step (1, 1, 48)
// CHECK:           attn.online_attention {{.*}} outs(%{{.+}} : memref<1x1x?x64xf32, strided<{{.*}}>>) {lowering_config = #attn.lowering_config<block_q = 48, block_k = 64, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>,
// KERNEL-LABEL: func.func @pinned(
// KERNEL-DAG:     %[[BQ:.+]] = arith.constant 48 : index
// KERNEL-DAG:     %[[BK:.+]] = arith.constant 64 : index
// KERNEL:         scf.forall ({{.*}}) = (0, 0, 0) to (1, 2, 200) step (1, 1, 48)
// KERNEL:           memref.alloca() {alignment = 64 : i64} : memref<48x64xf32>
// KERNEL:           scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[BQ]] {
// KERNEL:             scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[BK]] {
func.func @pinned(%q: tensor<1x2x200x64xf32>) -> tensor<1x2x200x64xf32> {
  %o = attn.attention %q, %q, %q {causal,
      lowering_config = #attn.lowering_config<block_q = 48, block_k = 64, split_keys = 1,
        qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
      : tensor<1x2x200x64xf32>, tensor<1x2x200x64xf32>, tensor<1x2x200x64xf32> -> tensor<1x2x200x64xf32>
  return %o : tensor<1x2x200x64xf32>
}

// -----

// A decode op: the selection pass chooses 4 key splits (4096 keys), and
// every partial_attention tile carries that config through bufferization.
// CHECK-LABEL: func.func @decode(
// CHECK:         scf.forall ({{.*}}) in (4, 1, %{{.+}})
// CHECK:           attn.partial_attention ins({{.*}} : memref<1x4x1x64xf32{{.*}}lowering_config = #attn.lowering_config<block_q = 256, block_k = 64, split_keys = 4,
// KERNEL-LABEL: func.func @decode(
// KERNEL-NOT:     attn.partial_attention
// KERNEL:         return
func.func @decode(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x4096x64xf32>,
                  %v: tensor<1x2x4096x64xf32>) -> tensor<1x8x1x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x8x1x64xf32>, tensor<1x2x4096x64xf32>, tensor<1x2x4096x64xf32> -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
