// dense_resource constants (how attn.Graph and attn.onnx store weights) run
// in the JIT and in the reference evaluator, for f32 and f16 blobs.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 2x3 float32 --seed 1
// RUN: attn-run %s --input=@%t/x.npy --output=@%t/cpu.npy
// RUN: attn-run %s --backend=reference --input=@%t/x.npy --output=@%t/ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "x * [[1.0, 2.0, -0.5]] + 1.5" x=%t/x.npy --tol 1e-6 | FileCheck %s
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref.npy "x * [[1.0, 2.0, -0.5]] + 1.5" x=%t/x.npy --tol 1e-6 | FileCheck %s
// CHECK: OK {{.*}}.npy shape=2x3

// A blob of the wrong size is an error naming the constant.
// RUN: not attn-run %s --backend=reference --function=short --input=@%t/x.npy 2>&1 | FileCheck %s --check-prefix=SHORT
// SHORT: 'arith.constant': dense_resource constant 'short_blob' holds 8 bytes, but tensor<1x3xf32> needs 12

func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense_resource<w_f32> : tensor<1x3xf32>
  %b = arith.constant dense_resource<b_f16> : tensor<1x3xf16>
  %e = tensor.empty() : tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>,
                                        affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x, %w, %b : tensor<2x3xf32>, tensor<1x3xf32>, tensor<1x3xf16>)
      outs(%e : tensor<2x3xf32>) {
  ^bb0(%xv: f32, %wv: f32, %bv: f16, %o: f32):
    %bw = arith.extf %bv : f16 to f32
    %p = arith.mulf %xv, %wv : f32
    %s = arith.addf %p, %bw : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

func.func @short(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense_resource<short_blob> : tensor<1x3xf32>
  return %w : tensor<1x3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_f32: "0x040000000000803F00000040000000BF",
      b_f16: "0x02000000003E003E003E",
      short_blob: "0x040000000000803F00000040"
    }
  }
#-}
