// RUN: attn-opt %s -split-input-file --attn-tile | FileCheck %s --check-prefix=TILE
// RUN: attn-opt %s -split-input-file --attn-tile=gather-block-q=2 | FileCheck %s --check-prefix=BQ2
// RUN: attn-opt %s -split-input-file --attn-decompose | FileCheck %s --check-prefix=DEC

// attn-tile on attn.bilinear_gather: an scf.forall over (n, query block)
// with tile sizes [1, gather-block-q] (default 32), inside an scf.for over
// batches when N may exceed 1; a tile reads every head and every row of its
// batch's value, and its queries' locations, weights and output.
// attn-decompose: one linalg.generic per level over (n, q, m, p, d), points
// a reduction, gathering the four corners with tensor.extract and
// accumulating in f32; f16 results are rounded by a last generic.

// TILE-LABEL: func.func @gather(
// TILE-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<1x30x2x8xf16>, %[[LOC:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2x2xf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2xf16>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x5x2x8xf16>)
// TILE:         scf.forall (%[[N:.+]], %[[Q:.+]]) = (0, 0) to (1, 5) step (1, 32) shared_outs(%[[ACC:.+]] = %[[INIT]])
// TILE-DAG:       %[[ROWS:.+]] = affine.min #{{.+}}(%[[Q]])
// TILE-DAG:       %[[VT:.+]] = tensor.extract_slice %[[V]][%[[N]], 0, 0, 0] [1, 30, 2, 8] [1, 1, 1, 1]
// TILE-DAG:       %[[WT:.+]] = tensor.extract_slice %[[W]][%[[N]], %[[Q]], 0, 0, 0] [1, %[[ROWS]], 2, 2, 2] [1, 1, 1, 1, 1]
// TILE-DAG:       %[[LT:.+]] = tensor.extract_slice %[[LOC]][%[[N]], %[[Q]], 0, 0, 0, 0] [1, %[[ROWS]], 2, 2, 2, 2] [1, 1, 1, 1, 1, 1]
// TILE-DAG:       %[[OT:.+]] = tensor.extract_slice %[[ACC]][%[[N]], %[[Q]], 0, 0] [1, %[[ROWS]], 2, 8] [1, 1, 1, 1]
// TILE:           %[[T:.+]] = attn.bilinear_gather ins(%[[VT]], %[[LT]] weights %[[WT]] : tensor<1x30x2x8xf16>, tensor<1x?x2x2x2x2xf16>, tensor<1x?x2x2x2xf16>) outs(%[[OT]] : tensor<1x?x2x8xf16>)
// TILE-SAME:        {coordinates = #attn<coordinates unit>, spatial_shapes = array<i64: 4, 6, 2, 3>}
// TILE:           tensor.parallel_insert_slice %[[T]] into %[[ACC]][%[[N]], %[[Q]], 0, 0] [1, %[[ROWS]], 2, 8] [1, 1, 1, 1]

// BQ2-LABEL: func.func @gather(
// BQ2:         scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (1, 5) step (1, 2)

// DEC-DAG:   #[[X0:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 0, d3, 0)>
// DEC-DAG:   #[[Y0:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 0, d3, 1)>
// DEC-DAG:   #[[W0:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 0, d3)>
// DEC-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// DEC-DAG:   #[[X1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 1, d3, 0)>
// DEC-LABEL: func.func @gather(
// DEC-SAME:    %[[V:[a-zA-Z0-9_]+]]: tensor<1x30x2x8xf16>, %[[LOC:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2x2xf16>, %[[W:[a-zA-Z0-9_]+]]: tensor<1x5x2x2x2xf16>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x5x2x8xf16>)
// DEC:         %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x5x2x8xf32>)
// DEC:         %[[L0:.+]] = linalg.generic {indexing_maps = [#[[X0]], #[[Y0]], #[[W0]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
// DEC-SAME:      ins(%[[LOC]], %[[LOC]], %[[W]] : {{.+}}) outs(%[[ZERO]] : tensor<1x5x2x8xf32>)
// DEC:           math.floor
// DEC-COUNT-4:   tensor.extract %[[V]]
// DEC:           linalg.yield
// DEC:         %[[L1:.+]] = linalg.generic {indexing_maps = [#[[X1]], {{.+}}]
// DEC-SAME:      outs(%[[L0]] : tensor<1x5x2x8xf32>)
// DEC:         linalg.generic {{.+}} ins(%[[L1]] : tensor<1x5x2x8xf32>) outs(%[[INIT]] : tensor<1x5x2x8xf16>)
// DEC:           arith.truncf %{{.+}} : f32 to f16
func.func @gather(%v: tensor<1x30x2x8xf16>, %loc: tensor<1x5x2x2x2x2xf16>, %w: tensor<1x5x2x2x2xf16>, %init: tensor<1x5x2x8xf16>) -> tensor<1x5x2x8xf16> {
  %o = attn.bilinear_gather ins(%v, %loc weights %w : tensor<1x30x2x8xf16>, tensor<1x5x2x2x2x2xf16>, tensor<1x5x2x2x2xf16>)
         outs(%init : tensor<1x5x2x8xf16>)
         {spatial_shapes = array<i64: 4, 6, 2, 3>, coordinates = #attn<coordinates unit>} -> tensor<1x5x2x8xf16>
  return %o : tensor<1x5x2x8xf16>
}

// -----

// f32 results accumulate in the destination itself.
// DEC-LABEL: func.func @gather_f32(
// DEC-SAME:    %{{.+}}: tensor<1x196x1x8xf32>, %{{.+}}: tensor<1x7x1x1x1x2xf32>, %[[INIT:[a-zA-Z0-9_]+]]: tensor<1x7x1x8xf32>)
// DEC:         %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[INIT]] : tensor<1x7x1x8xf32>)
// DEC:         %[[R:.+]] = linalg.generic {{.+}} outs(%[[ZERO]] : tensor<1x7x1x8xf32>)
// DEC-NOT:     linalg.generic
// DEC:         return %[[R]]
func.func @gather_f32(%v: tensor<1x196x1x8xf32>, %loc: tensor<1x7x1x1x1x2xf32>, %init: tensor<1x7x1x8xf32>) -> tensor<1x7x1x8xf32> {
  %o = attn.bilinear_gather ins(%v, %loc : tensor<1x196x1x8xf32>, tensor<1x7x1x1x1x2xf32>)
         outs(%init : tensor<1x7x1x8xf32>) {spatial_shapes = array<i64: 14, 14>} -> tensor<1x7x1x8xf32>
  return %o : tensor<1x7x1x8xf32>
}

// -----

// More than one batch: an scf.for over batches around the forall, so all
// threads gather from one batch's map at a time.
// TILE-LABEL: func.func @gather_batches(
// TILE:         scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<?x100x1x8xf32>)
// TILE:           scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (1, 100) step (1, 32)
// TILE:             attn.bilinear_gather ins(%{{.+}}, %{{.+}} : tensor<1x196x1x8xf32>, tensor<1x?x1x1x1x2xf32>) outs(%{{.+}} : tensor<1x?x1x8xf32>)
func.func @gather_batches(%v: tensor<?x196x1x8xf32>, %loc: tensor<?x100x1x1x1x2xf32>, %init: tensor<?x100x1x8xf32>) -> tensor<?x100x1x8xf32> {
  %o = attn.bilinear_gather ins(%v, %loc : tensor<?x196x1x8xf32>, tensor<?x100x1x1x1x2xf32>)
         outs(%init : tensor<?x100x1x8xf32>) {spatial_shapes = array<i64: 14, 14>} -> tensor<?x100x1x8xf32>
  return %o : tensor<?x100x1x8xf32>
}
