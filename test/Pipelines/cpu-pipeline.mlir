// RUN: attn-opt %s --attn-cpu-pipeline="target-cpu=skylake-avx512" | FileCheck %s
// RUN: attn-opt %s --attn-cpu-pipeline="target-cpu=skylake-avx512" | FileCheck %s --check-prefix=ONLY
// RUN: attn-opt %s --attn-cpu-pipeline="target-cpu=haswell num-threads=4 block-q=32 block-k=64" | FileCheck %s --check-prefixes=ONLY,THREADS4
// RUN: attn-opt %s --attn-cpu-pipeline="target-cpu=skylake-avx512 num-threads=1" | FileCheck %s --check-prefixes=ONLY,SEQ

// --attn-cpu-pipeline takes a whole module of attn ops and the upstream
// tensor ops around them to the LLVM dialect: only llvm and omp ops remain,
// every public function gets a `_mlir_ciface_` wrapper (MLIR's C interface)
// and private ones do not, the tile loop is an OpenMP worksharing loop unless
// num-threads=1, and exp/tanh are polynomials (no libm calls).

// Nothing but the LLVM and OpenMP dialects is left, and no libm call.
// ONLY-NOT: {{^ *(%[^ ]+ = )?"?(arith|attn|bufferization|cf|func|linalg|math|memref|scf|tensor|vector|affine|ub)\.}}
// ONLY-NOT: builtin.unrealized_conversion_cast
// ONLY-NOT: llvm.call @{{(expf|exp|tanhf|tanh)\(}}

// CHECK-LABEL: llvm.func @attention_causal_gqa(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         omp.parallel {
// CHECK:           omp.wsloop {
// CHECK:             omp.loop_nest
// CHECK:               llvm.intr.fmuladd({{.+}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK:               omp.yield
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_attention_causal_gqa(
// CHECK-SAME:    %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK:         llvm.call @attention_causal_gqa(
// THREADS4-LABEL: llvm.func @attention_causal_gqa(
// THREADS4:         %[[N:.+]] = llvm.mlir.constant(4 : i32) : i32
// THREADS4:         omp.parallel num_threads(%[[N]] : i32)
// THREADS4:           llvm.intr.fmuladd({{.+}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// SEQ-NOT:      omp.
// SEQ-LABEL:    llvm.func @attention_causal_gqa(
// SEQ:            llvm.intr.fmuladd
// SEQ-LABEL:    llvm.func @_mlir_ciface_attention_causal_gqa(
func.func @attention_causal_gqa(%q: tensor<2x4x100x64xf32>, %k: tensor<2x2x130x64xf32>,
                                %v: tensor<2x2x130x64xf32>) -> tensor<2x4x100x64xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<2x4x100x64xf32>, tensor<2x2x130x64xf32>, tensor<2x2x130x64xf32> -> tensor<2x4x100x64xf32>
  return %o : tensor<2x4x100x64xf32>
}

// A model fragment: Q/K/V projections (linalg.matmul), head split
// (tensor.expand_shape + linalg.transpose), attention, then elementwise arith
// in a linalg.generic with a scale computed by scalar arith ops, and arith ops
// on whole tensors.
// CHECK-LABEL: llvm.func @projection_attention(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         llvm.intr.fmuladd
// CHECK:         llvm.fmul
// CHECK:         llvm.fsub
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_projection_attention(
// CHECK:         llvm.call @projection_attention(
func.func @projection_attention(%x: tensor<37x48xf32>, %wq: tensor<48x64xf32>,
                                %wk: tensor<48x64xf32>, %wv: tensor<48x64xf32>,
                                %bias: tensor<1x4x37x16xf32>, %gain: f32) -> tensor<1x4x37x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<37x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<37x64xf32>) -> tensor<37x64xf32>
  %q2 = linalg.matmul ins(%x, %wq : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %k2 = linalg.matmul ins(%x, %wk : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %v2 = linalg.matmul ins(%x, %wv : tensor<37x48xf32>, tensor<48x64xf32>)
                      outs(%acc : tensor<37x64xf32>) -> tensor<37x64xf32>
  %q3 = tensor.expand_shape %q2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %k3 = tensor.expand_shape %k2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %v3 = tensor.expand_shape %v2 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16]
      : tensor<37x64xf32> into tensor<1x37x4x16xf32>
  %t = tensor.empty() : tensor<1x4x37x16xf32>
  %q = linalg.transpose ins(%q3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %k = linalg.transpose ins(%k3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v3 : tensor<1x37x4x16xf32>) outs(%t : tensor<1x4x37x16xf32>)
                        permutation = [0, 2, 1, 3]
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32> -> tensor<1x4x37x16xf32>
  %two = arith.constant 2.0 : f32
  %g2 = arith.mulf %gain, %two : f32
  %r = linalg.generic {
      indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>,
                       affine_map<(a, b, c, d) -> (a, b, c, d)>,
                       affine_map<(a, b, c, d) -> (a, b, c, d)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %bias : tensor<1x4x37x16xf32>, tensor<1x4x37x16xf32>) outs(%t : tensor<1x4x37x16xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %g2 : f32
    %s = arith.addf %m, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x4x37x16xf32>
  %r2 = arith.mulf %r, %o : tensor<1x4x37x16xf32>
  %r3 = arith.subf %r2, %bias : tensor<1x4x37x16xf32>
  return %r3 : tensor<1x4x37x16xf32>
}

// A private function is lowered but gets no C wrapper.
// CHECK-LABEL: llvm.func @sliding_window_helper(
// CHECK-NOT:     llvm.emit_c_interface
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @calls_private(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         llvm.call @sliding_window_helper(
// CHECK-LABEL: llvm.func @_mlir_ciface_calls_private(
// CHECK-NOT:   @_mlir_ciface_sliding_window_helper
func.func private @sliding_window_helper(%q: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %o = attn.sliding_window_attention %q, %q, %q {window = array<i64: 4, 0>}
      : tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32> -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}

func.func @calls_private(%q: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %o = func.call @sliding_window_helper(%q) : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
  return %o : tensor<1x2x16x16xf32>
}
