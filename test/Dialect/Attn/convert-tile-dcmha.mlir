// RUN: attn-opt %s -split-input-file --attn-convert-to-online | FileCheck %s --check-prefix=ONLINE
// RUN: attn-opt %s -split-input-file --attn-convert-to-online --attn-tile="dcmha-block-q=8 compose-block-q=4" --canonicalize --cse | FileCheck %s --check-prefix=TILE

// -attn-convert-to-online on the DCMHA ops: attn.dcmha becomes
// attn.online_dcmha on a tensor.empty destination with the scale resolved,
// causal/window as window extents (causal forces right = 0) and the
// bottom-right query offset Lk - Lq; without compose groups it is plain
// attention; attn.compose becomes attn.tiled_compose. -attn-tile: an
// scf.forall over (batch, query block) in folded order (blocks 0, n-1, 1,
// ...), query-indexed operands sliced to the rows, key-indexed ones whole.

// ONLINE-LABEL: func.func @dcmha(
// ONLINE:         %[[INIT:.+]] = tensor.empty() : tensor<1x4x16x8xf32>
// ONLINE:         %[[OFF:.+]] = arith.subi %c20, %c16
// ONLINE:         attn.online_dcmha %{{.+}}, %{{.+}}, %{{.+}} pre(query_gate(%{{.+}})) post(key_gate(%{{.+}})) offset %[[OFF]] outs(%[[INIT]])
// ONLINE-SAME:      {scale = 0.353553385 : f32, window_left = 5 : i64, window_right = 0 : i64}

// TILE-LABEL: func.func @dcmha(
// TILE-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x4x16x8xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x4x20x8xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1x4x20x8xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<1x16x4xf32>, %[[KG:[a-zA-Z0-9_]+]]: tensor<1x20x4xf32>)
// TILE:         scf.forall (%[[IT:.+]]) in (2) shared_outs(%[[OUT:.+]] = %{{.+}})
// TILE:           %[[HALF:.+]] = arith.divui %[[IT]], %c2
// TILE:           %[[ODD:.+]] = arith.cmpi ne, %{{.+}}, %c0
// TILE:           %[[MIRROR:.+]] = arith.subi %c1, %[[HALF]]
// TILE:           %[[BLOCK:.+]] = arith.select %[[ODD]], %[[MIRROR]], %[[HALF]]
// TILE:           %[[ROW:.+]] = arith.muli %[[BLOCK]], %c8
// TILE:           %[[N:.+]] = arith.minui
// TILE:           %[[QS:.+]] = tensor.extract_slice %[[Q]][0, 0, %[[ROW]], 0] [1, 4, %[[N]], 8]
// TILE:           %[[GS:.+]] = tensor.extract_slice %[[G]][0, %[[ROW]], 0] [1, %[[N]], 4]
// TILE:           %[[POS:.+]] = arith.addi %[[ROW]], %c4
// TILE:           %[[OS:.+]] = tensor.extract_slice %[[OUT]][0, 0, %[[ROW]], 0] [1, 4, %[[N]], 8]
// TILE:           %[[T:.+]] = attn.online_dcmha %[[QS]], %[[K]], %[[V]] pre(query_gate(%[[GS]])) post(key_gate(%[[KG]])) offset %[[POS]] outs(%[[OS]])
// TILE:           tensor.parallel_insert_slice %[[T]] into %[[OUT]][0, 0, %[[ROW]], 0] [1, 4, %[[N]], 8]
func.func @dcmha(%q: tensor<1x4x16x8xf32>, %k: tensor<1x4x20x8xf32>, %v: tensor<1x4x20x8xf32>, %g: tensor<1x16x4xf32>, %kg: tensor<1x20x4xf32>) -> tensor<1x4x16x8xf32> {
  %o = attn.dcmha %q, %k, %v pre(query_gate(%g)) post(key_gate(%kg)) {window = array<i64: 5, 2>, causal}
    : tensor<1x4x16x8xf32>, tensor<1x4x20x8xf32>, tensor<1x4x20x8xf32>, tensor<1x16x4xf32>, tensor<1x20x4xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

// -----

// No compose groups: plain (sliding-window) attention.
// ONLINE-LABEL: func.func @dcmha_plain(
// ONLINE-NOT:     attn.online_dcmha
// ONLINE:         attn.online_attention {{.+}} {scale = 2.500000e-01 : f32, window_left = 3 : i64, window_right = 1 : i64}
// TILE-LABEL: func.func @dcmha_plain(
// TILE:         attn.online_attention
func.func @dcmha_plain(%q: tensor<1x2x9x8xf32>) -> tensor<1x2x9x8xf32> {
  %o = attn.dcmha %q, %q, %q {window = array<i64: 3, 1>, scale = 0.25 : f32}
    : tensor<1x2x9x8xf32>, tensor<1x2x9x8xf32>, tensor<1x2x9x8xf32> -> tensor<1x2x9x8xf32>
  return %o : tensor<1x2x9x8xf32>
}

// -----

// Dynamic dims are checked when the code runs.
// ONLINE-LABEL: func.func @dcmha_dynamic(
// ONLINE:         cf.assert %{{.+}}, "attn.dcmha: 'key' dim 0 (B) does not match 'query' dim 0"
// ONLINE:         cf.assert %{{.+}}, "attn.dcmha: 'pre query_gate' dim 1 (Lq) does not match 'query' dim 2"
// ONLINE:         attn.online_dcmha
func.func @dcmha_dynamic(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>, %g: tensor<?x?x2xf32>) -> tensor<?x2x?x8xf32> {
  %o = attn.dcmha %q, %k, %k pre(query_gate(%g))
    : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x?x2xf32> -> tensor<?x2x?x8xf32>
  return %o : tensor<?x2x?x8xf32>
}

// -----

// ONLINE-LABEL: func.func @compose(
// ONLINE:         %[[INIT:.+]] = tensor.empty() : tensor<2x4x10x7xf32>
// ONLINE:         attn.tiled_compose %{{.+}} outs(%[[INIT]]) key_weights(%{{.+}}, %{{.+}}) query_gate(%{{.+}})
// TILE-LABEL: func.func @compose(
// TILE-SAME:    %[[A:[a-zA-Z0-9_]+]]: tensor<2x4x10x7xf32>, %[[K1:[a-zA-Z0-9_]+]]: tensor<2x7x3x4xf32>, %[[K2:[a-zA-Z0-9_]+]]: tensor<2x7x3x4xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<2x10x4xf32>)
// TILE:         scf.forall (%[[B:.+]], %[[T:.+]]) = (0, 0) to (2, 10) step (1, 4)
// TILE:           tensor.extract_slice %[[A]][%[[B]], 0, %[[T]], 0] [1, 4, %{{.+}}, 7]
// TILE:           tensor.extract_slice %[[K1]][%[[B]], 0, 0, 0] [1, 7, 3, 4]
// TILE:           tensor.extract_slice %[[G]][%[[B]], %[[T]], 0] [1, %{{.+}}, 4]
// TILE:           attn.tiled_compose
func.func @compose(%a: tensor<2x4x10x7xf32>, %k1: tensor<2x7x3x4xf32>, %k2: tensor<2x7x3x4xf32>, %g: tensor<2x10x4xf32>) -> tensor<2x4x10x7xf32> {
  %c = attn.compose %a key_weights(%k1, %k2) query_gate(%g)
    : tensor<2x4x10x7xf32>, tensor<2x7x3x4xf32>, tensor<2x7x3x4xf32>, tensor<2x10x4xf32> -> tensor<2x4x10x7xf32>
  return %c : tensor<2x4x10x7xf32>
}
