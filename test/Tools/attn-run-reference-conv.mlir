// The reference evaluator runs linalg ops whose indexing maps have compound
// expressions (convolutions: d0 + d1); it used to crash on them. Both
// backends agree with numpy on a 1-D sliding sum and a depthwise 2-D conv.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/img.npy 1x5x6x3 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/f.npy 2x2x3 float32 --seed 3
// RUN: attn-run %s --backend=reference --input=@%t/x.npy --input=@%t/img.npy --input=@%t/f.npy --output=@%t/ref_sum.npy --output=@%t/ref_conv.npy
// RUN: attn-run %s --input=@%t/x.npy --input=@%t/img.npy --input=@%t/f.npy --output=@%t/cpu_sum.npy --output=@%t/cpu_conv.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref_sum.npy "x[:-1] + x[1:]" x=%t/x.npy --tol 1e-6 | FileCheck %s --check-prefix=SUM
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_sum.npy "x[:-1] + x[1:]" x=%t/x.npy --tol 1e-6 | FileCheck %s --check-prefix=SUM
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref_conv.npy "sum(img[:, a:a+4, b:b+5, :] * f[a, b] for a in range(2) for b in range(2))" img=%t/img.npy f=%t/f.npy --tol 1e-5 | FileCheck %s --check-prefix=CONV
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_conv.npy "sum(img[:, a:a+4, b:b+5, :] * f[a, b] for a in range(2) for b in range(2))" img=%t/img.npy f=%t/f.npy --tol 1e-5 | FileCheck %s --check-prefix=CONV
// SUM: OK {{.+}}_sum.npy shape=7
// CONV: OK {{.+}}_conv.npy shape=1x4x5x3

#in = affine_map<(i, k) -> (i + k)>
func.func @main(%x: tensor<8xf32>, %img: tensor<1x5x6x3xf32>, %f: tensor<2x2x3xf32>)
    -> (tensor<7xf32>, tensor<1x4x5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<7xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<7xf32>) -> tensor<7xf32>
  %k = tensor.empty() : tensor<2xf32>
  %sum = linalg.generic {indexing_maps = [#in, affine_map<(i, k) -> (k)>, affine_map<(i, k) -> (i)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x, %k : tensor<8xf32>, tensor<2xf32>) outs(%acc : tensor<7xf32>) {
  ^bb0(%a: f32, %b: f32, %s: f32):
    %t = arith.addf %a, %s : f32
    linalg.yield %t : f32
  } -> tensor<7xf32>
  %e2 = tensor.empty() : tensor<1x4x5x3xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x4x5x3xf32>) -> tensor<1x4x5x3xf32>
  %conv = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%img, %f : tensor<1x5x6x3xf32>, tensor<2x2x3xf32>) outs(%acc2 : tensor<1x4x5x3xf32>) -> tensor<1x4x5x3xf32>
  return %sum, %conv : tensor<7xf32>, tensor<1x4x5x3xf32>
}
