// RUN: attn-opt %s -split-input-file -verify-diagnostics -test-attn-geometry --canonicalize | FileCheck %s

// AttentionGeometry (include/attn/Dialect/Attn/Utils/AttentionGeometry.h)
// through -test-attn-geometry (test/lib): for each case, the remarks are the
// host side (visibleKeys of each row, countVisiblePairs, and which blocks of
// block_q rows x block_k keys every row sees whole), and the function body is
// the IR side on constants, folded by --canonicalize: the columns
// emitVisibleColumns gives each row, the emitIsFullBlock flags, and `true`
// when every IR result (row columns, emitIsVisible of every (row, key), the
// union and intersection columns of every block, emitIsFullBlock) agrees with
// the host side. Query row i sits at position query_offset + i (default
// Lk - Lq); -1 = unbounded.

// No window or chunk: every row sees every key; only the last, short key
// block is not full.
// CHECK-LABEL: func.func private @dense()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 5], [0, 5], [0, 5]]> : tensor<3x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}true, true, false]]> : tensor<1x3xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 5) [0, 5) [0, 5)}}
// expected-remark @below {{visible pairs: 15}}
// expected-remark @below {{full blocks: [1, 1, 0]}}
func.func private @dense() attributes {test.geometry = {lq = 3, lk = 5, block_k = 2}}

// -----

// Causal (right = 0), Lq = Lk: the diagonal blocks are partial.
// CHECK-LABEL: func.func private @causal()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 1], [0, 2], [0, 3], [0, 4]]> : tensor<4x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}false, false], [true, false]]> : tensor<2x2xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 1) [0, 2) [0, 3) [0, 4)}}
// expected-remark @below {{visible pairs: 10}}
// expected-remark @below {{full blocks: [0, 0] [1, 0]}}
func.func private @causal() attributes {test.geometry = {right = 0, lq = 4, lk = 4, block_q = 2, block_k = 2}}

// -----

// Causal with Lq > Lk: the query offset Lk - Lq = -2 is negative and the
// first two rows see no key.
// CHECK-LABEL: func.func private @causal_query_offset_negative()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 0], [0, 0], [0, 1], [0, 2], [0, 3], [0, 4]]> : tensor<6x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}false, false], [false, false], [true, false]]> : tensor<3x2xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 0) [0, 0) [0, 1) [0, 2) [0, 3) [0, 4)}}
// expected-remark @below {{visible pairs: 10}}
// expected-remark @below {{full blocks: [0, 0] [0, 0] [1, 0]}}
func.func private @causal_query_offset_negative() attributes {test.geometry = {right = 0, lq = 6, lk = 4, block_q = 2, block_k = 2}}

// -----

// A window with both sides bounded (2 keys back, 1 ahead).
// CHECK-LABEL: func.func private @window_both_sides()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 2], [0, 3], [0, 4], [1, 5], [2, 6], [3, 6]]> : tensor<6x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}true, false, false], [false, true, false], [false, false, true]]> : tensor<3x3xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 2) [0, 3) [0, 4) [1, 5) [2, 6) [3, 6)}}
// expected-remark @below {{visible pairs: 20}}
// expected-remark @below {{full blocks: [1, 0, 0] [0, 1, 0] [0, 0, 1]}}
func.func private @window_both_sides() attributes {test.geometry = {left = 2, right = 1, lq = 6, lk = 6, block_q = 2, block_k = 2}}

// -----

// One side unbounded: 1 key back and every key ahead.
// CHECK-LABEL: func.func private @window_right_unbounded()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 5], [0, 5], [1, 5], [2, 5], [3, 5]]> : tensor<5x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}true, true, false], [false, true, false], [false, false, false]]> : tensor<3x3xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 5) [0, 5) [1, 5) [2, 5) [3, 5)}}
// expected-remark @below {{visible pairs: 19}}
// expected-remark @below {{full blocks: [1, 1, 0] [0, 1, 0] [0, 0, 0]}}
func.func private @window_right_unbounded() attributes {test.geometry = {left = 1, lq = 5, lk = 5, block_q = 2, block_k = 2}}

// -----

// The other side unbounded: every key back and 1 ahead.
// CHECK-LABEL: func.func private @window_left_unbounded()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 2], [0, 3], [0, 4], [0, 5], [0, 5]]> : tensor<5x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 2) [0, 3) [0, 4) [0, 5) [0, 5)}}
// expected-remark @below {{visible pairs: 19}}
// expected-remark @below {{full blocks: [1, 0, 0] [1, 1, 0] [1, 1, 0]}}
func.func private @window_left_unbounded() attributes {test.geometry = {right = 1, lq = 5, lk = 5, block_q = 2, block_k = 2}}

// -----

// Chunks of 3 keys: a row sees its own chunk; the last chunk is short.
// CHECK-LABEL: func.func private @chunk()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 3], [0, 3], [0, 3], [3, 6], [3, 6], [3, 6], [6, 7]]> : tensor<7x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<{{\[\[}}true, false, false], [false, true, false], [false, false, false]]> : tensor<3x3xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 3) [0, 3) [0, 3) [3, 6) [3, 6) [3, 6) [6, 7)}}
// expected-remark @below {{visible pairs: 19}}
// expected-remark @below {{full blocks: [1, 0, 0] [0, 1, 0] [0, 0, 0]}}
func.func private @chunk() attributes {test.geometry = {chunk = 3, lq = 7, lk = 7, block_q = 3, block_k = 3}}

// Query blocks across chunk boundaries: rows 2 and 3 (chunks [0, 3) and
// [3, 6)) together see columns [0, 4) of key block [0, 4) and none of them
// all; the last key block is short, so nothing is full.
// CHECK-LABEL: func.func private @chunk_blocks_across_chunks()
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<false> : tensor<4x2xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %{{.+}}, %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 3) [0, 3) [0, 3) [3, 6) [3, 6) [3, 6) [6, 7)}}
// expected-remark @below {{visible pairs: 19}}
// expected-remark @below {{full blocks: [0, 0] [0, 0] [0, 0] [0, 0]}}
func.func private @chunk_blocks_across_chunks() attributes {test.geometry = {chunk = 3, lq = 7, lk = 7, block_q = 2, block_k = 4}}

// -----

// Chunks with causal: the visible range restarts at each chunk. (With 1 x 1
// blocks the full-block flags are the visibility matrix.)
// CHECK-LABEL: func.func private @chunk_causal()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 1], [0, 2], [0, 3], [3, 4], [3, 5], [3, 6], [6, 7]]> : tensor<7x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 1) [0, 2) [0, 3) [3, 4) [3, 5) [3, 6) [6, 7)}}
// expected-remark @below {{visible pairs: 13}}
// expected-remark @below {{full blocks: [1, 0, 0, 0, 0, 0, 0] [1, 1, 0, 0, 0, 0, 0] [1, 1, 1, 0, 0, 0, 0] [0, 0, 0, 1, 0, 0, 0] [0, 0, 0, 1, 1, 0, 0] [0, 0, 0, 1, 1, 1, 0] [0, 0, 0, 0, 0, 0, 1]}}
func.func private @chunk_causal() attributes {test.geometry = {chunk = 3, right = 0, lq = 7, lk = 7, block_q = 1, block_k = 1}}

// -----

// Chunks at negative positions (Lq > Lk) use floor division: position -1 is
// in chunk [-2, 0), not in chunk [0, 2), and sees nothing.
// CHECK-LABEL: func.func private @chunk_query_offset_negative()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 0], [0, 0], [0, 0], [0, 2], [0, 2]]> : tensor<5x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 0) [0, 0) [0, 0) [0, 2) [0, 2)}}
// expected-remark @below {{visible pairs: 4}}
// expected-remark @below {{full blocks: [0] [1]}}
func.func private @chunk_query_offset_negative() attributes {test.geometry = {chunk = 2, lq = 5, lk = 2, block_q = 3}}

// -----

// Rows past the last key: a diagonal window (0 back, 0 ahead) with the
// queries placed at positions 2..5 of 4 keys; the last two see nothing.
// CHECK-LABEL: func.func private @rows_past_the_keys()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}2, 3], [3, 4], [4, 4], [4, 4]]> : tensor<4x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [2, 3) [3, 4) [4, 4) [4, 4)}}
// expected-remark @below {{visible pairs: 2}}
// expected-remark @below {{full blocks: [0, 0, 0, 0] [0, 0, 0, 0]}}
func.func private @rows_past_the_keys() attributes {test.geometry = {left = 0, right = 0, lq = 4, lk = 4, query_offset = 2, block_q = 2, block_k = 1}}

// -----

// Extents beyond 2^40 are unbounded (no overflow in p - left or p + right):
// INT64_MAX on both sides is the dense case.
// CHECK-LABEL: func.func private @huge_extents()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 3], [0, 3]]> : tensor<2x2xindex>
// CHECK-DAG:     %[[FULL:.+]] = arith.constant dense<true> : tensor<1x1xi1>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %[[FULL]], %[[TRUE]]
// expected-remark @below {{visible keys: [0, 3) [0, 3)}}
// expected-remark @below {{visible pairs: 6}}
// expected-remark @below {{full blocks: [1]}}
func.func private @huge_extents() attributes {test.geometry = {left = 9223372036854775807, right = 9223372036854775806, lq = 2, lk = 3}}

// -----

// A huge left extent with causal is causal; 2^40 itself is still bounded (and
// covers every key), 2^40 + 1 is unbounded.
// CHECK-LABEL: func.func private @huge_left_causal()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 2], [0, 3]]> : tensor<2x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 2) [0, 3)}}
// expected-remark @below {{visible pairs: 5}}
// expected-remark @below {{full blocks: [0]}}
func.func private @huge_left_causal() attributes {test.geometry = {left = 1099511627776, right = 0, lq = 2, lk = 3}}

// CHECK-LABEL: func.func private @huge_left_unbounded_causal()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 2], [0, 3]]> : tensor<2x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 2) [0, 3)}}
// expected-remark @below {{visible pairs: 5}}
// expected-remark @below {{full blocks: [0]}}
func.func private @huge_left_unbounded_causal() attributes {test.geometry = {left = 1099511627777, right = 0, lq = 2, lk = 3}}

// -----

// A chunk of INT64_MAX keys: position -2 is in chunk [-INT64_MAX, 0) (floor
// division, no overflow), the others in [0, INT64_MAX).
// CHECK-LABEL: func.func private @huge_chunk_query_offset_negative()
// CHECK-DAG:     %[[ROWS:.+]] = arith.constant dense<{{\[\[}}0, 0], [0, 0], [0, 2], [0, 2]]> : tensor<4x2xindex>
// CHECK-DAG:     %[[TRUE:.+]] = arith.constant true
// CHECK:         return %[[ROWS]], %{{.+}}, %[[TRUE]]
// expected-remark @below {{visible keys: [0, 0) [0, 0) [0, 2) [0, 2)}}
// expected-remark @below {{visible pairs: 4}}
// expected-remark @below {{full blocks: [0] [1]}}
func.func private @huge_chunk_query_offset_negative() attributes {test.geometry = {chunk = 9223372036854775807, lq = 4, lk = 2, block_q = 2}}
