// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=skylake-avx512 block-q=24 block-k=64" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell" | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=skylake-avx512" | FileCheck %s --check-prefix=LEFT
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell" | FileCheck %s --check-prefix=LEFT

// convert-attn-to-vector: attn.online_attention on memrefs becomes loops of
// vector code: scf.for over batch, head, query blocks (step block-q) and key
// blocks (step block-k); K^T packed through vector.transpose, which is
// lowered in the same pass (16x16 shuffles with AVX-512, element-wise
// extract/insert with AVX2); vector.fma micro-kernels of the target's vector
// width; the online softmax with a vector 2^x of its own (log2(e) folded into
// the scale; roundeven, a degree-5 polynomial, then vscalefps or the
// exponent bits);
// stack scratch in an alloca scope. Static head dims are required.

// Nothing of the attn dialect and no vector.transpose is left.
// LEFT-NOT: attn.
// LEFT-NOT: vector.transpose

// CHECK-LABEL: func.func @lower_causal(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: memref<1x2x100x64xf32>, %[[K:[a-zA-Z0-9_]+]]: memref<1x2x77x64xf32>, %[[V:[a-zA-Z0-9_]+]]: memref<1x2x77x48xf32>, %[[OUT:[a-zA-Z0-9_]+]]: memref<1x2x100x48xf32>, %[[OFF:[a-zA-Z0-9_]+]]: index)
// AVX512-DAG:    %[[BQ:.+]] = arith.constant 24 : index
// AVX512-DAG:    %[[BK:.+]] = arith.constant 64 : index
// Scratch, on the stack of a per-tile alloca scope: K^T in panels of the
// widest register tile's columns [block-k / 64, D, 64], scores [block-q, block-k], accumulator [block-q, Dv rounded up to the vector width].
// AVX512:        memref.alloca_scope {
// AVX512-DAG:    %[[KT:.+]] = memref.alloca() {alignment = 64 : i64} : memref<1x64x64xf32>
// AVX512-DAG:    %[[S:.+]] = memref.alloca() {alignment = 64 : i64} : memref<24x64xf32>
// AVX512-DAG:    %[[ACC:.+]] = memref.alloca() {alignment = 64 : i64} : memref<24x48xf32>
// AVX512:        scf.for %[[B:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// AVX512:          scf.for %[[H:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// AVX512:            scf.for %[[Q0:.+]] = %{{.+}} to %{{.+}} step %[[BQ]] {
// AVX512:              scf.for %[[KB:.+]] = %{{.+}} to %{{.+}} step %[[BK]] {
// Q K^T reads packed keys, P V the values (register tiles of FMAs).
// AVX512:                vector.shuffle
// AVX512:                vector.load %[[KT]]
// AVX512:                vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>
// P = 2^(S scale log2(e) - m log2(e)) through the target's exp2, which
// applies 2^n with vscalefps on AVX-512 (its structure is checked in
// exp2.mlir, its values by execution in test/Integration/CPU/exp2-*.mlir):
// AVX512:                math.roundeven %{{.+}} : vector<16xf32>
// AVX512:                x86vector.avx512.mask.scalef %{{.+}} : vector<16xf32>
// The result rows are written to the output.
// AVX512:              vector.store %{{.+}}, %[[OUT]][%[[B]], %[[H]], %{{.+}}, %{{.+}}] : memref<1x2x100x48xf32>, vector<16xf32>
// AVX512:        return
// AVX2-DAG:      memref.alloca() {alignment = 64 : i64} : memref<64x128xf32>
// AVX2-DAG:      memref.alloca() {alignment = 64 : i64} : memref<{{[0-9]+}}x48xf32>
// AVX2:          vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<8xf32>
// Without AVX-512, the exp2 puts 2^n into the exponent bits and selects 0
// for lanes at or below -125 (exp2.mlir); no vscalefps.
// AVX2-NOT:      x86vector.avx512.mask.scalef
// AVX2:          math.roundeven %{{.+}} : vector<8xf32>
// AVX2-NOT:      x86vector.avx512.mask.scalef
// AVX2:          arith.bitcast %{{.+}} : vector<8xi32> to vector<8xf32>
// AVX2-NOT:      x86vector.avx512.mask.scalef
// AVX2:          vector.store %{{.+}}, %[[OUT]]{{.+}} : memref<1x2x100x48xf32>, vector<8xf32>
func.func @lower_causal(%q: memref<1x2x100x64xf32>, %k: memref<1x2x77x64xf32>,
                        %v: memref<1x2x77x48xf32>, %out: memref<1x2x100x48xf32>,
                        %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x2x100x64xf32>, memref<1x2x77x64xf32>, memref<1x2x77x48xf32>)
      outs(%out : memref<1x2x100x48xf32>) {scale = 0.125 : f32, window_right = 0 : i64}
  return
}

// -----

// An i8 mask is read with masked vector loads and tested against zero;
// softcap is a vector tanh; the chunk bounds use floor division (query
// positions may be negative). D = 59 and Dv = 20 are not multiples of the
// vector width: the loads past the end are masked.
// CHECK-LABEL: func.func @lower_mask_softcap_chunk(
// CHECK-SAME:    %{{[a-zA-Z0-9_]+}}: memref<1x2x100x59xf32>, %[[K:[a-zA-Z0-9_]+]]: memref<1x2x77x59xf32>, %{{[a-zA-Z0-9_]+}}: memref<1x2x77x20xf32>, %[[MASK:[a-zA-Z0-9_]+]]: memref<1x1x100x77xi8>
// CHECK:         arith.floordivsi
// CHECK:         vector.maskedload %[[K]]
// CHECK:         math.tanh
// AVX512:        %[[MV:.+]] = vector.maskedload %[[MASK]][{{.+}}], %{{.+}}, %{{.+}} : memref<1x1x100x77xi8>, vector<16xi1>, vector<16xi8> into vector<16xi8>
// AVX512:        arith.cmpi ne, %[[MV]], %{{.+}} : vector<16xi8>
// AVX2:          %[[MV:.+]] = vector.maskedload %[[MASK]][{{.+}}], %{{.+}}, %{{.+}} : memref<1x1x100x77xi8>, vector<8xi1>, vector<8xi8> into vector<8xi8>
// AVX2:          arith.cmpi ne, %[[MV]], %{{.+}} : vector<8xi8>
// The per-row max, alpha and sum bookkeeping runs on vectors of rows too
// (alpha through the vector 2^x): no scalar exp is left.
// CHECK-NOT:     math.exp
// CHECK:         math.roundeven
// CHECK-NOT:     math.exp
// CHECK:         vector.maskedstore
func.func @lower_mask_softcap_chunk(%q: memref<1x2x100x59xf32>, %k: memref<1x2x77x59xf32>,
                                    %v: memref<1x2x77x20xf32>, %m: memref<1x1x100x77xi8>,
                                    %out: memref<1x2x100x20xf32>, %off: index) {
  attn.online_attention ins(%q, %k, %v mask %m offset %off
      : memref<1x2x100x59xf32>, memref<1x2x77x59xf32>, memref<1x2x77x20xf32>, memref<1x1x100x77xi8>)
      outs(%out : memref<1x2x100x20xf32>)
      {scale = 0.125 : f32, softcap = 30.0 : f32, window_left = 16 : i64, chunk = 32 : i64}
  return
}

// -----

// f16 operands with dynamic B and L: loads widen to f32 (accumulation is in
// f32), the result narrows back to f16; the loop bounds are memref.dim; a
// float mask is an additive bias. GQA with static head counts: the two
// query heads of a KV head are stacked into the rows of one block (row r is
// query r / 2 of head 2 kvh + r % 2), so the loop runs over KV heads and
// packs each K block once for both.
// CHECK-LABEL: func.func @lower_f16_gqa_bias_dynamic(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: memref<?x4x?x32xf16>, %[[K:[a-zA-Z0-9_]+]]: memref<?x2x?x32xf16>, %{{[a-zA-Z0-9_]+}}: memref<?x2x?x32xf16>, %[[BIAS:[a-zA-Z0-9_]+]]: memref<?x4x?x?xf16>, %[[OUT:[a-zA-Z0-9_]+]]: memref<?x4x?x32xf16>
// CHECK-DAG:     %[[BATCH:.+]] = memref.dim %[[Q]], %{{.+}} : memref<?x4x?x32xf16>
// CHECK:         scf.for %[[B:.+]] = %{{.+}} to %[[BATCH]] step
// CHECK:           scf.for %[[KVH:.+]] = %{{.+}} to %c2 step
// CHECK:             arith.muli %{{.+}}, %c2 : index
// CHECK:             vector.maskedload %[[K]][%[[B]], %[[KVH]], %{{.+}}, %{{.+}}]
// CHECK:             arith.extf %{{.+}} : vector<{{8|16}}xf16> to vector<{{8|16}}xf32>
// CHECK:             %[[BV:.+]] = vector.maskedload %[[BIAS]]
// CHECK:             %[[BW:.+]] = arith.extf %[[BV]]
// CHECK:             arith.addf %{{.+}}, %[[BW]]
// CHECK:             arith.truncf %{{.+}} : vector<{{8|16}}xf32> to vector<{{8|16}}xf16>
// CHECK:             vector.store %{{.+}}, %[[OUT]]
func.func @lower_f16_gqa_bias_dynamic(%q: memref<?x4x?x32xf16>, %k: memref<?x2x?x32xf16>,
                                      %v: memref<?x2x?x32xf16>, %m: memref<?x4x?x?xf16>,
                                      %out: memref<?x4x?x32xf16>, %off: index) {
  attn.online_attention ins(%q, %k, %v mask %m offset %off
      : memref<?x4x?x32xf16>, memref<?x2x?x32xf16>, memref<?x2x?x32xf16>, memref<?x4x?x?xf16>)
      outs(%out : memref<?x4x?x32xf16>) {scale = 0.125 : f32}
  return
}

// -----

// Scratch over 1 MiB (huge head dims) is heap memory, freed after the loops.
// (No window: the dense 6x4 Q K^T tile, K^T panels of 64 keys; 40 query
// rows, more than one vector, so K^T is packed.)
// AVX512-LABEL: func.func @huge_head_dim(
// AVX512-NOT:     memref.alloca(
// AVX512:         %[[KT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1x4096x64xf32>
// AVX512:         scf.for
// AVX512:         memref.dealloc %[[KT]] : memref<1x4096x64xf32>
// AVX512-NEXT:    memref.dealloc
func.func @huge_head_dim(%q: memref<1x1x40x4096xf32>, %k: memref<1x1x8x4096xf32>,
                         %v: memref<1x1x8x4096xf32>, %out: memref<1x1x40x4096xf32>, %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x40x4096xf32>, memref<1x1x8x4096xf32>, memref<1x1x8x4096xf32>)
      outs(%out : memref<1x1x40x4096xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @dynamic_head_dim(%q: memref<1x1x8x?xf32>, %k: memref<1x1x8x?xf32>,
                            %v: memref<1x1x8x16xf32>, %out: memref<1x1x8x16xf32>, %off: index) {
  // expected-error @+1 {{'attn.online_attention' op vector lowering needs static head dims D and Dv up to 4096, found 'memref<1x1x8x?xf32>' and 'memref<1x1x8x16xf32>' (-attn-decompose lowers the others)}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x8x?xf32>, memref<1x1x8x?xf32>, memref<1x1x8x16xf32>)
      outs(%out : memref<1x1x8x16xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @dynamic_value_head_dim(%q: memref<1x1x8x16xf32>, %k: memref<1x1x8x16xf32>,
                                  %v: memref<1x1x8x?xf32>, %out: memref<1x1x8x?xf32>, %off: index) {
  // expected-error @+1 {{'attn.online_attention' op vector lowering needs static head dims D and Dv up to 4096}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x8x16xf32>, memref<1x1x8x16xf32>, memref<1x1x8x?xf32>)
      outs(%out : memref<1x1x8x?xf32>) {scale = 0.125 : f32}
  return
}

// -----

func.func @tensor_operands(%q: tensor<1x1x8x16xf32>, %k: tensor<1x1x8x16xf32>,
                           %v: tensor<1x1x8x16xf32>, %init: tensor<1x1x8x16xf32>,
                           %off: index) -> tensor<1x1x8x16xf32> {
  // expected-error @+1 {{'attn.online_attention' op expected memref operands (run bufferization first)}}
  %o = attn.online_attention ins(%q, %k, %v offset %off
         : tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>, tensor<1x1x8x16xf32>)
         outs(%init : tensor<1x1x8x16xf32>) {scale = 0.125 : f32} -> tensor<1x1x8x16xf32>
  return %o : tensor<1x1x8x16xf32>
}

// -----

// Register tiles per key block: blocks that every row sees whole take the
// 6x4 tiles (24 accumulators, in Q K^T's d loop and P V's key loop); the
// partial blocks of a causal op keep 8x2 and 4x4 (16 accumulators).
// AVX512-LABEL: func.func @tiles_causal(
// AVX512:         scf.if
// AVX512:           %{{.+}}:24 = scf.for
// AVX512:           %{{.+}}:24 = scf.for
// AVX512:         } else {
// AVX512:           %{{.+}}:16 = scf.for
// AVX512:           %{{.+}}:16 = scf.for
// AVX512:         return
func.func @tiles_causal(%q: memref<1x1x64x64xf32>, %k: memref<1x1x64x64xf32>,
                        %v: memref<1x1x64x64xf32>, %out: memref<1x1x64x64xf32>,
                        %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x64x64xf32>, memref<1x1x64x64xf32>, memref<1x1x64x64xf32>)
      outs(%out : memref<1x1x64x64xf32>) {scale = 0.125 : f32, window_right = 0 : i64}
  return
}

// -----

// Without window or chunk every block is whole or the last one of the
// sequence: 6x4 tiles in both branches.
// AVX512-LABEL: func.func @tiles_dense(
// AVX512-NOT:     :16 = scf.for
// AVX512:         %{{.+}}:24 = scf.for
// AVX512-NOT:     :16 = scf.for
// AVX512:         return
func.func @tiles_dense(%q: memref<1x1x64x64xf32>, %k: memref<1x1x64x64xf32>,
                       %v: memref<1x1x64x64xf32>, %out: memref<1x1x64x64xf32>,
                       %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x1x64x64xf32>, memref<1x1x64x64xf32>, memref<1x1x64x64xf32>)
      outs(%out : memref<1x1x64x64xf32>) {scale = 0.125 : f32}
  return
}

// -----

// attn.partial_attention (a split-K decode tile: the 4 query heads of one KV
// head, one query row each): the state is loaded from max/sum/acc before the
// key loop and stored back unnormalized after it (no 1/l). Four rows fit
// half a vector: S^T = K Q^T holds two keys per vector (pairKeys), each
// iteration of its head-dim loop loads 4 elements of each key's K row where
// they lie (no copy, no K^T transposes) and shuffles element u of a pair of
// keys into the two halves; it also prefetches (into L2: locality 2) lines
// of the next key block's K and V rows. P V reads V's rows.
// CHECK-LABEL: func.func @lower_partial_decode(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: memref<1x4x1x64xf32>, %[[K:[a-zA-Z0-9_]+]]: memref<1x1x300x64xf32>, %[[V:[a-zA-Z0-9_]+]]: memref<1x1x300x64xf32>, %[[ACC:[a-zA-Z0-9_]+]]: memref<1x4x1x64xf32>, %[[M:[a-zA-Z0-9_]+]]: memref<1x4x1xf32>, %[[L:[a-zA-Z0-9_]+]]: memref<1x4x1xf32>
// CHECK:         memref.load %[[M]]
// CHECK:         memref.load %[[L]]
// CHECK:         vector.load %[[ACC]]
// CHECK-NOT:     vector.transpose
// CHECK:         scf.for
// CHECK:           memref.prefetch %[[K]][{{.+}}], read, locality<2>, data
// CHECK:           memref.prefetch %[[V]][{{.+}}], read, locality<2>, data
// CHECK:           %[[KA:.+]] = vector.load %[[K]]{{.+}} vector<4xf32>
// CHECK:           %[[KB:.+]] = vector.load %[[K]]{{.+}} vector<4xf32>
// AVX2:            %[[PAIR:.+]] = vector.shuffle %[[KA]], %[[KB]] [0, 0, 0, 0, 4, 4, 4, 4]
// AVX512:          %[[PAIR:.+]] = vector.shuffle %[[KA]], %[[KB]] [0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4]
// CHECK:           vector.fma %[[PAIR]]
// CHECK:         scf.for
// CHECK:           vector.load %[[V]]
// CHECK:         memref.store %{{.+}}, %[[M]]
// CHECK:         memref.store %{{.+}}, %[[L]]
// CHECK-NOT:     arith.divf
// CHECK:         vector.store %{{.+}}, %[[ACC]]
func.func @lower_partial_decode(%q: memref<1x4x1x64xf32>, %k: memref<1x1x300x64xf32>,
                                %v: memref<1x1x300x64xf32>, %acc: memref<1x4x1x64xf32>,
                                %m: memref<1x4x1xf32>, %l: memref<1x4x1xf32>, %qoff: index,
                                %koff: index) {
  attn.partial_attention ins(%q, %k, %v offset %qoff key_offset %koff
      : memref<1x4x1x64xf32>, memref<1x1x300x64xf32>, memref<1x1x300x64xf32>)
      outs(%acc, %m, %l : memref<1x4x1x64xf32>, memref<1x4x1xf32>, memref<1x4x1xf32>)
      {scale = 0.125 : f32, window_right = 0 : i64}
  return
}

// -----

// Eight rows (8 query heads per KV head): a whole AVX2 vector, one key per
// score vector in groups of 6 keys; without AVX-512's broadcast operands,
// each broadcast carries two head-dim elements of a K row (pairHeadDim) for
// two FMAs (Q^T rows 2p and 2p + 1, half of the rows each), and a
// horizontal add (two shuffles and an add) finishes each key's scores. Half
// an AVX-512 vector: key pairs.
// CHECK-LABEL: func.func @lower_partial_decode_8(
// CHECK-SAME:    %{{[a-zA-Z0-9_]+}}: memref<1x8x1x64xf32>, %[[K:[a-zA-Z0-9_]+]]: memref<1x1x300x64xf32>
// AVX2:          scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c6
// AVX2:            scf.for %{{.+}} = %c0 to %c32 step %c4 iter_args
// AVX2:              %[[KP:.+]] = vector.load %[[K]][{{.+}}] : memref<1x1x300x64xf32>, vector<2xf32>
// AVX2:              %[[KS:.+]] = vector.shuffle %[[KP]], %[[KP]] [0, 1, 0, 1, 0, 1, 0, 1]
// AVX2:              vector.fma %[[KS]]
// AVX2-NEXT:         vector.fma %[[KS]]
// AVX2:            %[[EVEN:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 2, 8, 10, 4, 6, 12, 14]
// AVX2:            %[[ODD:.+]] = vector.shuffle %{{.+}}, %{{.+}} [1, 3, 9, 11, 5, 7, 13, 15]
// AVX2:            arith.addf %[[EVEN]], %[[ODD]] : vector<8xf32>
// AVX512:        scf.for
// AVX512:          vector.shuffle {{.+}} [0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4]
// CHECK:         return
func.func @lower_partial_decode_8(%q: memref<1x8x1x64xf32>, %k: memref<1x1x300x64xf32>,
                                  %v: memref<1x1x300x64xf32>, %acc: memref<1x8x1x64xf32>,
                                  %m: memref<1x8x1xf32>, %l: memref<1x8x1xf32>, %qoff: index,
                                  %koff: index) {
  attn.partial_attention ins(%q, %k, %v offset %qoff key_offset %koff
      : memref<1x8x1x64xf32>, memref<1x1x300x64xf32>, memref<1x1x300x64xf32>)
      outs(%acc, %m, %l : memref<1x8x1x64xf32>, memref<1x8x1xf32>, memref<1x8x1xf32>)
      {scale = 0.125 : f32, window_right = 0 : i64}
  return
}

// -----

func.func @lower_i1_mask(%q: memref<1x1x4x16xf32>, %k: memref<1x1x9x16xf32>,
                         %v: memref<1x1x9x16xf32>, %m: memref<1x1x4x9xi1>,
                         %out: memref<1x1x4x16xf32>, %off: index) {
  // expected-error @+1 {{'attn.online_attention' op vector lowering needs an i8 or float mask (i1 masks are widened by -attn-convert-to-online)}}
  attn.online_attention ins(%q, %k, %v mask %m offset %off
      : memref<1x1x4x16xf32>, memref<1x1x9x16xf32>, memref<1x1x9x16xf32>, memref<1x1x4x9xi1>)
      outs(%out : memref<1x1x4x16xf32>) {scale = 0.125 : f32}
  return
}

// -----

// A lowering config pinned on the op wins over the pass options (block-q=24
// above) and the target's choice: 32-row query blocks, 64-key blocks and
// 4x2 register tiles (8 accumulators) in both branches.
// CHECK-LABEL: func.func @pinned_config(
// CHECK-DAG:     %[[BQ:.+]] = arith.constant 32 : index
// CHECK-DAG:     %[[BK:.+]] = arith.constant 64 : index
// CHECK-DAG:     memref.alloca() {alignment = 64 : i64} : memref<32x64xf32>
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[BQ]] {
// CHECK:           scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[BK]] {
// CHECK-NOT:         :24 = scf.for
// CHECK-NOT:         :16 = scf.for
// CHECK:             %{{.+}}:8 = scf.for
// CHECK-NOT:         :24 = scf.for
// CHECK-NOT:         :16 = scf.for
// CHECK:         return
func.func @pinned_config(%q: memref<1x2x100x64xf32>, %k: memref<1x2x77x64xf32>,
                         %v: memref<1x2x77x64xf32>, %out: memref<1x2x100x64xf32>,
                         %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x2x100x64xf32>, memref<1x2x77x64xf32>, memref<1x2x77x64xf32>)
      outs(%out : memref<1x2x100x64xf32>)
      {scale = 0.125 : f32, window_right = 0 : i64,
       lowering_config = #attn.lowering_config<block_q = 32, block_k = 64, split_keys = 1,
         qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2]>}
  return
}
