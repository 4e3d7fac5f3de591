// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=skylake-avx512 num-threads=16" | FileCheck %s --check-prefix=AVX512
// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=haswell num-threads=2" | FileCheck %s --check-prefix=AVX2
// RUN: attn-opt %s -split-input-file --attn-cpu-select-lowering-config="target-cpu=skylake-avx512 block-q=32 block-k=64 split-keys=3 qk-tile=4,2 pv-tile=2,2" | FileCheck %s --check-prefix=OVERRIDE
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="qk-tile=4" 2>&1 | FileCheck %s --check-prefix=BADTILE
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="block-q=-8" 2>&1 | FileCheck %s --check-prefix=BADBLOCK
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="block-k=100000" 2>&1 | FileCheck %s --check-prefix=HUGEBLOCK
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="pv-tile=4,100" 2>&1 | FileCheck %s --check-prefix=HUGETILE
// RUN: not attn-opt %s -split-input-file --attn-cpu-select-lowering-config="num-threads=-2" 2>&1 | FileCheck %s --check-prefix=BADTHREADS

// attn-cpu-select-lowering-config writes an #attn.lowering_config on every
// attention op that has none, from the heuristics of the target: query
// blocks by whether the window or chunk hides keys from some rows, key
// blocks, split-K for decode shapes, register tiles for whole and partial
// key blocks. Options other than target-cpu override single choices.

// BADTILE: error: invalid qk-tile=4: expected 'rows,vectors' (two sizes in [1, 64], at most 64 vectors in all)
// BADBLOCK: error: invalid block-q=-8: expected 0 (from the heuristics) or a number up to 4096
// HUGEBLOCK: error: invalid block-k=100000: expected 0 (from the heuristics) or a number up to 4096
// BADTHREADS: error: invalid num-threads=-2: expected 0 (this machine's hardware threads) or a positive number
// HUGETILE: error: invalid pv-tile=4,100: expected 'rows,vectors' (two sizes in [1, 64], at most 64 vectors in all)

// Every row sees every key: the dense query block (256 rows on AVX-512) and
// the dense 6x4 tiles for every key block.
// AVX512-LABEL: func.func @dense(
// AVX512:         attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>
// AVX2-LABEL:   func.func @dense(
// AVX2:           attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1, qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>
// OVERRIDE-LABEL: func.func @dense(
// OVERRIDE:       attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 3, qk_tile = [4, 2], pv_tile = [2, 2], partial_qk_tile = [4, 2], partial_pv_tile = [2, 2]>
func.func @dense(%q: tensor<1x12x1024x64xf32>, %k: tensor<1x12x1024x64xf32>,
                 %v: tensor<1x12x1024x64xf32>) -> tensor<1x12x1024x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32> -> tensor<1x12x1024x64xf32>
  return %o : tensor<1x12x1024x64xf32>
}

// -----

// Causal: 128-row query blocks (a diagonal in one key block) and the
// smaller 8x2 / 4x4 tiles for the partial (diagonal) blocks.
// AVX512-LABEL: func.func @causal(
// AVX512:         attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 128, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>
// AVX2-LABEL:   func.func @causal(
// AVX2:           lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 1,
func.func @causal(%q: tensor<1x12x1024x64xf32>, %k: tensor<1x12x1024x64xf32>,
                  %v: tensor<1x12x1024x64xf32>) -> tensor<1x12x1024x64xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32>, tensor<1x12x1024x64xf32> -> tensor<1x12x1024x64xf32>
  return %o : tensor<1x12x1024x64xf32>
}

// -----

// A sliding window restricts keys like causal does; a chunk alone too.
// AVX512-LABEL: func.func @sliding_window(
// AVX512:         attn.sliding_window_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 128, {{.*}}partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>
// AVX512:         attn.sliding_window_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 128, {{.*}}partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>
// AVX512:         attn.sliding_window_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 256, {{.*}}partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>
func.func @sliding_window(%q: tensor<1x4x512x64xf32>) -> (tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>) {
  %w = attn.sliding_window_attention %q, %q, %q {window = array<i64: 128, 0>}
      : tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32> -> tensor<1x4x512x64xf32>
  %c = attn.sliding_window_attention %q, %q, %q {window = array<i64: -1, -1>, chunk = 64 : i64}
      : tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32> -> tensor<1x4x512x64xf32>
  %u = attn.sliding_window_attention %q, %q, %q {window = array<i64: -1, -1>}
      : tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32> -> tensor<1x4x512x64xf32>
  return %w, %c, %u : tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>
}

// -----

// Decode (GQA 32/8, one query row, 8192 keys): a KV group's 4 rows fill
// less than half a query block, so the keys are split, and split tiles take
// blocks of 64 keys. The splits give each thread 8 (split, batch, KV group)
// tiles: 16 threads want 16 splits of the 8 groups, capped at one split
// per 1024 keys (8); 2 threads want 2. With 1024 keys (fewer than 2048)
// they are not split.
// AVX512-LABEL: func.func @decode(
// AVX512:         attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 256, block_k = 64, split_keys = 8,
// AVX512:         attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1,
// AVX2-LABEL:   func.func @decode(
// AVX2:           attn.attention {{.*}}lowering_config = #attn.lowering_config<block_q = 64, block_k = 64, split_keys = 2,
func.func @decode(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x8192x128xf32>,
                  %v: tensor<1x8x8192x128xf32>, %k2: tensor<1x8x1024x128xf32>,
                  %v2: tensor<1x8x1024x128xf32>) -> (tensor<1x32x1x128xf32>, tensor<1x32x1x128xf32>) {
  %o = attn.attention %q, %k, %v
      : tensor<1x32x1x128xf32>, tensor<1x8x8192x128xf32>, tensor<1x8x8192x128xf32> -> tensor<1x32x1x128xf32>
  %s = attn.attention %q, %k2, %v2
      : tensor<1x32x1x128xf32>, tensor<1x8x1024x128xf32>, tensor<1x8x1024x128xf32> -> tensor<1x32x1x128xf32>
  return %o, %s : tensor<1x32x1x128xf32>, tensor<1x32x1x128xf32>
}

// -----

// One KV head (MQA 8/1, 131072 keys): 2 threads want 16 splits (8 tiles
// each), 16 threads 128, capped at 64.
// AVX512-LABEL: func.func @decode_mqa(
// AVX512:         lowering_config = #attn.lowering_config<block_q = 128, block_k = 64, split_keys = 64,
// AVX2-LABEL:   func.func @decode_mqa(
// AVX2:           lowering_config = #attn.lowering_config<block_q = 64, block_k = 64, split_keys = 16,
func.func @decode_mqa(%q: tensor<1x8x1x128xf32>, %k: tensor<1x1x131072x128xf32>,
                      %v: tensor<1x1x131072x128xf32>) -> tensor<1x8x1x128xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x8x1x128xf32>, tensor<1x1x131072x128xf32>, tensor<1x1x131072x128xf32> -> tensor<1x8x1x128xf32>
  return %o : tensor<1x8x1x128xf32>
}

// -----

// Dynamic shapes are never split.
// AVX512-LABEL: func.func @decode_dynamic(
// AVX512:         lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1,
func.func @decode_dynamic(%q: tensor<1x32x1x128xf32>, %k: tensor<1x8x?x128xf32>,
                          %v: tensor<1x8x?x128xf32>) -> tensor<1x32x1x128xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x32x1x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32> -> tensor<1x32x1x128xf32>
  return %o : tensor<1x32x1x128xf32>
}

// -----

// A config in the IR is kept, options or not.
// AVX512-LABEL: func.func @pinned(
// AVX512:         lowering_config = #attn.lowering_config<block_q = 32, block_k = 32, split_keys = 1, qk_tile = [2, 2], pv_tile = [2, 2], partial_qk_tile = [2, 2], partial_pv_tile = [2, 2]>
// OVERRIDE-LABEL: func.func @pinned(
// OVERRIDE:       lowering_config = #attn.lowering_config<block_q = 32, block_k = 32, split_keys = 1, qk_tile = [2, 2], pv_tile = [2, 2], partial_qk_tile = [2, 2], partial_pv_tile = [2, 2]>
func.func @pinned(%q: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf32> {
  %o = attn.attention %q, %q, %q {causal,
      lowering_config = #attn.lowering_config<block_q = 32, block_k = 32, split_keys = 1,
        qk_tile = [2, 2], pv_tile = [2, 2], partial_qk_tile = [2, 2], partial_pv_tile = [2, 2]>}
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32> -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

// -----

// The online forms get configs too (split_keys = 1 for a partial op, which
// is a split already); other ops do not.
// AVX512-LABEL: func.func @online_forms(
// AVX512:         attn.online_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 128, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>
// AVX512:         attn.partial_attention {{.*}}lowering_config = #attn.lowering_config<block_q = 256, block_k = 128, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [6, 4], partial_pv_tile = [6, 4]>
// AVX512-NOT:     lowering_config
// AVX512:         return
// OVERRIDE-LABEL: func.func @online_forms(
// OVERRIDE:       attn.online_attention {{.*}}split_keys = 3,
// OVERRIDE:       attn.partial_attention {{.*}}split_keys = 3,
func.func @online_forms(%q: memref<1x4x1x64xf32>, %k: memref<1x1x300x64xf32>,
                        %v: memref<1x1x300x64xf32>, %out: memref<1x4x1x64xf32>,
                        %m: memref<1x4x1xf32>, %l: memref<1x4x1xf32>, %qoff: index,
                        %koff: index) {
  attn.online_attention ins(%q, %k, %v offset %qoff
      : memref<1x4x1x64xf32>, memref<1x1x300x64xf32>, memref<1x1x300x64xf32>)
      outs(%out : memref<1x4x1x64xf32>) {scale = 0.125 : f32, window_right = 0 : i64}
  attn.partial_attention ins(%q, %k, %v offset %qoff key_offset %koff
      : memref<1x4x1x64xf32>, memref<1x1x300x64xf32>, memref<1x1x300x64xf32>)
      outs(%out, %m, %l : memref<1x4x1x64xf32>, memref<1x4x1xf32>, memref<1x4x1xf32>)
      {scale = 0.125 : f32}
  %f = arith.constant 1.0 : f32
  memref.store %f, %m[%qoff, %qoff, %qoff] : memref<1x4x1xf32>
  return
}
