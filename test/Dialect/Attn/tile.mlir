// RUN: attn-opt %s -split-input-file --attn-tile | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-tile=block-q=16 | FileCheck %s --check-prefix=BQ16

// attn-tile: attn.online_attention on tensors becomes an scf.forall over
// (b, h, query block) with tile sizes [1, 1, block-q] (TilingInterface).
// Each tile reads whole K/V heads (GQA: head h reads KV head h / (Hq / Hkv)),
// the query rows [i, i + block-q) of the mask (unit mask dims broadcast and
// keep offset 0), and adds the tile offset i to the query offset. The
// sizes come from the op's #attn.lowering_config (the last cases); the
// pass's options (block-q, default 64) apply to ops without one.

// MHA, static shapes that the block divides.
// CHECK-LABEL: func.func @tile_mha(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<2x8x128x64xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<2x8x256x64xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<2x8x256x48xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<2x8x128x48xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK:         %[[R:.+]] = scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) = (0, 0, 0) to (2, 8, 128) step (1, 1, 64)
// CHECK-SAME:        shared_outs(%[[ACC:.+]] = %[[INIT]]) -> (tensor<2x8x128x48xf32>)
// CHECK-NOT:       arith.divui
// CHECK-DAG:       %[[QT:.+]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[I]], 0] [1, 1, 64, 64] [1, 1, 1, 1]
// CHECK-DAG:       %[[KT:.+]] = tensor.extract_slice %[[K]][%[[B]], %[[H]], 0, 0] [1, 1, 256, 64] [1, 1, 1, 1]
// CHECK-DAG:       %[[VT:.+]] = tensor.extract_slice %[[V]][%[[B]], %[[H]], 0, 0] [1, 1, 256, 48] [1, 1, 1, 1]
// CHECK-DAG:       %[[OT:.+]] = tensor.extract_slice %[[ACC]][%[[B]], %[[H]], %[[I]], 0] [1, 1, 64, 48] [1, 1, 1, 1]
// CHECK-DAG:       %[[TOFF:.+]] = arith.addi %[[OFF]], %[[I]] : index
// CHECK:           %[[TILE:.+]] = attn.online_attention ins(%[[QT]], %[[KT]], %[[VT]] offset %[[TOFF]] : tensor<1x1x64x64xf32>, tensor<1x1x256x64xf32>, tensor<1x1x256x48xf32>)
// CHECK-SAME:          outs(%[[OT]] : tensor<1x1x64x48xf32>) {scale = 1.250000e-01 : f32, window_right = 0 : i64} -> tensor<1x1x64x48xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[TILE]] into %[[ACC]][%[[B]], %[[H]], %[[I]], 0] [1, 1, 64, 48] [1, 1, 1, 1]
// CHECK:         return %[[R]]
// BQ16-LABEL:  func.func @tile_mha(
// BQ16:          scf.forall ({{.*}}) = (0, 0, 0) to (2, 8, 128) step (1, 1, 16)
// BQ16:            attn.online_attention {{.*}} : tensor<1x1x16x64xf32>, tensor<1x1x256x64xf32>, tensor<1x1x256x48xf32>)
func.func @tile_mha(%q: tensor<2x8x128x64xf32>, %k: tensor<2x8x256x64xf32>,
                    %v: tensor<2x8x256x48xf32>, %init: tensor<2x8x128x48xf32>,
                    %off: index) -> tensor<2x8x128x48xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<2x8x128x64xf32>, tensor<2x8x256x64xf32>, tensor<2x8x256x48xf32>)
         outs(%init : tensor<2x8x128x48xf32>) {scale = 0.125 : f32, window_right = 0 : i64}
         -> tensor<2x8x128x48xf32>
  return %o : tensor<2x8x128x48xf32>
}

// -----

// GQA, Hq = 6, Hkv = 2: the K/V slices start at head h / (6 / 2).
// CHECK-LABEL: func.func @tile_gqa(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x6x64x32xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x96x32xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x2x96x32xf32>
// CHECK:         scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) = (0, 0, 0) to (1, 6, 64) step (1, 1, 64)
// CHECK-DAG:       %[[HQ:.+]] = arith.constant 6 : index
// CHECK-DAG:       %[[HKV:.+]] = arith.constant 2 : index
// CHECK:           %[[GROUP:.+]] = arith.divui %[[HQ]], %[[HKV]] : index
// CHECK:           %[[KVH:.+]] = arith.divui %[[H]], %[[GROUP]] : index
// CHECK-DAG:       %[[QT:.+]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[I]], 0] [1, 1, 64, 32]
// CHECK-DAG:       %[[KT:.+]] = tensor.extract_slice %[[K]][%[[B]], %[[KVH]], 0, 0] [1, 1, 96, 32]
// CHECK-DAG:       %[[VT:.+]] = tensor.extract_slice %[[V]][%[[B]], %[[KVH]], 0, 0] [1, 1, 96, 32]
// CHECK:           attn.online_attention ins(%[[QT]], %[[KT]], %[[VT]] offset
func.func @tile_gqa(%q: tensor<1x6x64x32xf32>, %k: tensor<1x2x96x32xf32>,
                    %v: tensor<1x2x96x32xf32>, %init: tensor<1x6x64x32xf32>,
                    %off: index) -> tensor<1x6x64x32xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x6x64x32xf32>, tensor<1x2x96x32xf32>, tensor<1x2x96x32xf32>)
         outs(%init : tensor<1x6x64x32xf32>) {scale = 0.125 : f32} -> tensor<1x6x64x32xf32>
  return %o : tensor<1x6x64x32xf32>
}

// -----

// GQA with a dynamic head count: the group size Hq / Hkv is computed from
// tensor.dim at run time.
// CHECK-LABEL: func.func @tile_gqa_dynamic_heads(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x?x64x32xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x?x96x32xf32>
// CHECK:         %[[HQ:.+]] = tensor.dim %[[Q]], %{{.+}}
// CHECK:         scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) = (0, 0, 0) to (1, %[[HQ]], 64) step (1, 1, 64)
// CHECK:           %[[HKV:.+]] = tensor.dim %[[K]], %{{.+}}
// CHECK:           %[[GROUP:.+]] = arith.divui %{{.+}}, %[[HKV]] : index
// CHECK:           %[[KVH:.+]] = arith.divui %[[H]], %[[GROUP]] : index
// CHECK:           tensor.extract_slice %[[K]][%[[B]], %[[KVH]], 0, 0] [1, 1, 96, 32]
func.func @tile_gqa_dynamic_heads(%q: tensor<1x?x64x32xf32>, %k: tensor<1x?x96x32xf32>,
                                  %v: tensor<1x?x96x32xf32>, %init: tensor<1x?x64x32xf32>,
                                  %off: index) -> tensor<1x?x64x32xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x?x64x32xf32>, tensor<1x?x96x32xf32>, tensor<1x?x96x32xf32>)
         outs(%init : tensor<1x?x64x32xf32>) {scale = 0.125 : f32} -> tensor<1x?x64x32xf32>
  return %o : tensor<1x?x64x32xf32>
}

// -----

// Mask slices: a [1, 1, Lq, Lk] mask keeps offsets 0 for batch and head, a
// [B, 1, Lq, Lk] one only for the head, a full one follows the tile; all take
// the tile's query rows and every key.
// CHECK-LABEL: func.func @tile_mask_broadcast(
// CHECK-SAME:    %{{[a-zA-Z0-9_]+}}: tensor<2x4x64x16xf32>, %{{[a-zA-Z0-9_]+}}: tensor<2x4x80x16xf32>, %{{[a-zA-Z0-9_]+}}: tensor<2x4x80x16xf32>,
// CHECK-SAME:    %[[M11:[a-zA-Z0-9_]+]]: tensor<1x1x64x80xi8>, %[[MB1:[a-zA-Z0-9_]+]]: tensor<2x1x64x80xf32>, %[[MBH:[a-zA-Z0-9_]+]]: tensor<2x4x64x80xi8>
// CHECK:         scf.forall (%[[B0:.+]], %[[H0:.+]], %[[I0:.+]]) = (0, 0, 0) to (2, 4, 64) step (1, 1, 64)
// CHECK:           %[[S11:.+]] = tensor.extract_slice %[[M11]][0, 0, %[[I0]], 0] [1, 1, 64, 80] [1, 1, 1, 1] : tensor<1x1x64x80xi8> to tensor<1x1x64x80xi8>
// CHECK:           attn.online_attention ins({{.*}} mask %[[S11]] offset
// CHECK:         scf.forall (%[[B1:.+]], %[[H1:.+]], %[[I1:.+]]) = (0, 0, 0) to (2, 4, 64) step (1, 1, 64)
// CHECK:           %[[SB1:.+]] = tensor.extract_slice %[[MB1]][%[[B1]], 0, %[[I1]], 0] [1, 1, 64, 80] [1, 1, 1, 1] : tensor<2x1x64x80xf32> to tensor<1x1x64x80xf32>
// CHECK:           attn.online_attention ins({{.*}} mask %[[SB1]] offset
// CHECK:         scf.forall (%[[B2:.+]], %[[H2:.+]], %[[I2:.+]]) = (0, 0, 0) to (2, 4, 64) step (1, 1, 64)
// CHECK:           %[[SBH:.+]] = tensor.extract_slice %[[MBH]][%[[B2]], %[[H2]], %[[I2]], 0] [1, 1, 64, 80] [1, 1, 1, 1] : tensor<2x4x64x80xi8> to tensor<1x1x64x80xi8>
// CHECK:           attn.online_attention ins({{.*}} mask %[[SBH]] offset
// BQ16-LABEL:  func.func @tile_mask_broadcast(
// BQ16:          tensor.extract_slice %{{.+}}[0, 0, %{{.+}}, 0] [1, 1, 16, 80] [1, 1, 1, 1] : tensor<1x1x64x80xi8> to tensor<1x1x16x80xi8>
func.func @tile_mask_broadcast(%q: tensor<2x4x64x16xf32>, %k: tensor<2x4x80x16xf32>,
                               %v: tensor<2x4x80x16xf32>, %m11: tensor<1x1x64x80xi8>,
                               %mb1: tensor<2x1x64x80xf32>, %mbh: tensor<2x4x64x80xi8>,
                               %init: tensor<2x4x64x16xf32>, %off: index)
    -> (tensor<2x4x64x16xf32>, tensor<2x4x64x16xf32>, tensor<2x4x64x16xf32>) {
  %o1 = attn.online_attention ins(%q, %k, %v mask %m11 offset %off
          : tensor<2x4x64x16xf32>, tensor<2x4x80x16xf32>, tensor<2x4x80x16xf32>, tensor<1x1x64x80xi8>)
          outs(%init : tensor<2x4x64x16xf32>) {scale = 0.125 : f32} -> tensor<2x4x64x16xf32>
  %o2 = attn.online_attention ins(%q, %k, %v mask %mb1 offset %off
          : tensor<2x4x64x16xf32>, tensor<2x4x80x16xf32>, tensor<2x4x80x16xf32>, tensor<2x1x64x80xf32>)
          outs(%init : tensor<2x4x64x16xf32>) {scale = 0.125 : f32} -> tensor<2x4x64x16xf32>
  %o3 = attn.online_attention ins(%q, %k, %v mask %mbh offset %off
          : tensor<2x4x64x16xf32>, tensor<2x4x80x16xf32>, tensor<2x4x80x16xf32>, tensor<2x4x64x80xi8>)
          outs(%init : tensor<2x4x64x16xf32>) {scale = 0.125 : f32} -> tensor<2x4x64x16xf32>
  return %o1, %o2, %o3 : tensor<2x4x64x16xf32>, tensor<2x4x64x16xf32>, tensor<2x4x64x16xf32>
}

// -----

// Dynamic B and Lq, Lq not a multiple of the block: the last tile is
// min(block-q, Lq - i) rows; the attributes carry over to the tile.
// CHECK-DAG:   #[[$MIN64:.+]] = affine_map<(d0)[s0] -> (-d0 + s0, 64)>
// CHECK-LABEL: func.func @tile_dynamic(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %{{[a-zA-Z0-9_]+}}: tensor<?x4x?x64xf32>, %{{[a-zA-Z0-9_]+}}: tensor<?x4x?x64xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<?x4x?x64xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// CHECK-DAG:     %[[BATCH:.+]] = tensor.dim %[[Q]], %{{.+}} : tensor<?x4x?x64xf32>
// CHECK-DAG:     %[[LQ:.+]] = tensor.dim %[[Q]], %{{.+}} : tensor<?x4x?x64xf32>
// CHECK:         scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) = (0, 0, 0) to (%[[BATCH]], 4, %[[LQ]]) step (1, 1, 64) shared_outs(%[[ACC:.+]] = %[[INIT]])
// CHECK:           %[[ROWS:.+]] = affine.min #[[$MIN64]](%[[I]])[%[[LQ]]]
// CHECK-DAG:       %[[QT:.+]] = tensor.extract_slice %[[Q]][%[[B]], %[[H]], %[[I]], 0] [1, 1, %[[ROWS]], 64]
// CHECK-DAG:       %[[TOFF:.+]] = arith.addi %[[OFF]], %[[I]] : index
// CHECK:           %[[TILE:.+]] = attn.online_attention ins(%[[QT]], %{{.+}}, %{{.+}} offset %[[TOFF]] : tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>)
// CHECK-SAME:          {chunk = 32 : i64, scale = 1.250000e-01 : f32, softcap = 5.000000e+01 : f32, window_left = 8 : i64, window_right = 2 : i64}
// CHECK:           tensor.parallel_insert_slice %[[TILE]] into %[[ACC]][%[[B]], %[[H]], %[[I]], 0] [1, 1, %[[ROWS]], 64]
// BQ16-DAG:    #[[$MIN16:.+]] = affine_map<(d0)[s0] -> (-d0 + s0, 16)>
// BQ16-LABEL:  func.func @tile_dynamic(
// BQ16:          scf.forall ({{.*}}, {{.*}}, %[[I:.+]]) = (0, 0, 0) to ({{.*}}) step (1, 1, 16)
// BQ16:            affine.min #[[$MIN16]](%[[I]])
func.func @tile_dynamic(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>,
                        %v: tensor<?x4x?x64xf32>, %init: tensor<?x4x?x64xf32>,
                        %off: index) -> tensor<?x4x?x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>)
         outs(%init : tensor<?x4x?x64xf32>)
         {scale = 0.125 : f32, softcap = 50.0 : f32, window_left = 8 : i64, window_right = 2 : i64,
          chunk = 32 : i64} -> tensor<?x4x?x64xf32>
  return %o : tensor<?x4x?x64xf32>
}

// -----

// The memref form (after bufferization) is left alone.
// CHECK-LABEL: func.func @no_tiling_on_memrefs(
// CHECK-NOT:     scf.forall
// CHECK:         attn.online_attention ins({{.*}}) outs(%{{.*}} : memref<1x2x100x16xf32>)
func.func @no_tiling_on_memrefs(%q: memref<1x2x100x16xf32>, %k: memref<1x2x100x16xf32>,
                                %v: memref<1x2x100x16xf32>, %out: memref<1x2x100x16xf32>,
                                %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x2x100x16xf32>, memref<1x2x100x16xf32>, memref<1x2x100x16xf32>)
      outs(%out : memref<1x2x100x16xf32>) {scale = 0.25 : f32}
  return
}

// -----

// A lowering config pinned in the IR sets the query block (32, not the
// pass's 64 or 16), and every tile keeps it.
// CHECK-LABEL: func.func @tile_pinned_config(
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to (1, 2, 128) step (1, 1, 32)
// CHECK:           attn.online_attention {{.*}} : tensor<1x1x32x64xf32>, tensor<1x1x256x64xf32>, tensor<1x1x256x64xf32>)
// CHECK-SAME:          lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 1, qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>
// BQ16-LABEL:  func.func @tile_pinned_config(
// BQ16:          scf.forall ({{.*}}) = (0, 0, 0) to (1, 2, 128) step (1, 1, 32)
func.func @tile_pinned_config(%q: tensor<1x2x128x64xf32>, %k: tensor<1x2x256x64xf32>,
                              %v: tensor<1x2x256x64xf32>, %init: tensor<1x2x128x64xf32>,
                              %off: index) -> tensor<1x2x128x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x2x128x64xf32>, tensor<1x2x256x64xf32>, tensor<1x2x256x64xf32>)
         outs(%init : tensor<1x2x128x64xf32>)
         {scale = 0.125 : f32, window_right = 0 : i64,
          lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 1,
            qk_tile = [6, 4], pv_tile = [6, 4], partial_qk_tile = [8, 2], partial_pv_tile = [4, 4]>}
         -> tensor<1x2x128x64xf32>
  return %o : tensor<1x2x128x64xf32>
}

// -----

// split_keys = 4 in the config: flash-decoding, an scf.forall over (split,
// batch, KV group) of attn.partial_attention tiles holding the GQA group's
// 4 query heads, each with the op's config; the states are merged in linalg.
// CHECK-LABEL: func.func @tile_pinned_split_keys(
// CHECK:         scf.forall ({{.*}}) in (4, 1, %{{.+}}) shared_outs
// CHECK:           attn.partial_attention {{.*}} : tensor<1x4x1x64xf32>, tensor<1x1x?x64xf32>, tensor<1x1x?x64xf32>)
// CHECK-SAME:          lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 4,
// CHECK:         linalg.generic
// CHECK-NOT:     attn.online_attention
func.func @tile_pinned_split_keys(%q: tensor<1x8x1x64xf32>, %k: tensor<1x2x4096x64xf32>,
                                  %v: tensor<1x2x4096x64xf32>, %init: tensor<1x8x1x64xf32>,
                                  %off: index) -> tensor<1x8x1x64xf32> {
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x8x1x64xf32>, tensor<1x2x4096x64xf32>, tensor<1x2x4096x64xf32>)
         outs(%init : tensor<1x8x1x64xf32>)
         {scale = 0.125 : f32,
          lowering_config = #attn.lowering_config<block_q = 64, block_k = 128, split_keys = 4,
            qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
         -> tensor<1x8x1x64xf32>
  return %o : tensor<1x8x1x64xf32>
}
