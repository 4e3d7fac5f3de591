// RUN: attn-opt %s -split-input-file --attn-zero-extents | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-cpu-pipeline -o /dev/null
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/../../Tools/Inputs/npytool.py make %t/q.npy 1x2x4x0 float32
// RUN: %PYTHON %S/../../Tools/Inputs/npytool.py make %t/v.npy 1x2x4x8 float32 --seed 2
// RUN: attn-run %s --function=head_dim_zero --input=@%t/q.npy --input=@%t/q.npy --input=@%t/v.npy --output=@%t/o.npy
// RUN: %PYTHON %S/../../Tools/Inputs/npytool.py check %t/o.npy "np.broadcast_to(v.mean(axis=2, keepdims=True), v.shape)" v=%t/v.npy | FileCheck %s --check-prefix=EXEC
// EXEC: OK o.npy

// -attn-zero-extents: an attn op with an empty result becomes tensor.empty;
// operands with other static zero-size dims are cast to that dim dynamic,
// for the code generator's dynamic-size path (the static tilings failed on
// such IR).

// CHECK-LABEL: func.func @value_dim_zero(
// CHECK-NOT:     attn.attention
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x2x4x0xf32>
// CHECK:         return %[[E]]
func.func @value_dim_zero(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x0xf32>) -> tensor<1x2x4x0xf32> {
  %o = attn.attention %q, %k, %v : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x0xf32> -> tensor<1x2x4x0xf32>
  return %o : tensor<1x2x4x0xf32>
}

// -----

// D = 0: every score is 0, so each row is the mean of V (scale given: the
// default 1/sqrt(0) is inf).
// CHECK-LABEL: func.func @head_dim_zero(
// CHECK-SAME:    %[[Q:[a-zA-Z0-9_]+]]: tensor<1x2x4x0xf32>, %[[K:[a-zA-Z0-9_]+]]: tensor<1x2x4x0xf32>
// CHECK-DAG:     %[[QC:.+]] = tensor.cast %[[Q]] : tensor<1x2x4x0xf32> to tensor<1x2x4x?xf32>
// CHECK-DAG:     %[[KC:.+]] = tensor.cast %[[K]] : tensor<1x2x4x0xf32> to tensor<1x2x4x?xf32>
// CHECK:         attn.attention %[[QC]], %[[KC]], %{{.+}} {scale = 1.000000e+00 : f32} : tensor<1x2x4x?xf32>, tensor<1x2x4x?xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
func.func @head_dim_zero(%q: tensor<1x2x4x0xf32>, %k: tensor<1x2x4x0xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %o = attn.attention %q, %k, %v {scale = 1.0 : f32} : tensor<1x2x4x0xf32>, tensor<1x2x4x0xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// CHECK-LABEL: func.func @compose_no_heads(
// CHECK:         tensor.empty() : tensor<1x0x3x4xf32>
func.func @compose_no_heads(%a: tensor<1x0x3x4xf32>, %w: tensor<0x0xf32>) -> tensor<1x0x3x4xf32> {
  %c = attn.compose %a static(%w) : tensor<1x0x3x4xf32>, tensor<0x0xf32> -> tensor<1x0x3x4xf32>
  return %c : tensor<1x0x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @msda_no_points(
// CHECK:         tensor.cast %{{.+}} : tensor<1x3x2x2x0x2xf32> to tensor<1x3x2x2x?x2xf32>
// CHECK:         tensor.cast %{{.+}} : tensor<1x3x2x2x0xf32> to tensor<1x3x2x2x?xf32>
// CHECK:         attn.ms_deform_attn
func.func @msda_no_points(%v: tensor<1x6x2x4xf32>, %l: tensor<1x3x2x2x0x2xf32>, %w: tensor<1x3x2x2x0xf32>) -> tensor<1x3x8xf32> {
  %o = attn.ms_deform_attn %v, %l, %w {spatial_shapes = array<i64: 2, 2, 1, 2>} : tensor<1x6x2x4xf32>, tensor<1x3x2x2x0x2xf32>, tensor<1x3x2x2x0xf32> -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}
