// --backend=reference evaluates the function with the float64 reference
// evaluator (results rounded to the result types); it agrees with the CPU
// backend.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x2x8x16 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 1x2x8x16 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x2x8x16 float32 --seed 3
// RUN: attn-run %s --backend=reference --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/ref.npy --output=@%t/ref_h.npy
// RUN: attn-run %s --backend=cpu --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/cpu.npy --output=@%t/cpu_h.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref.npy "attention(q, k, v, causal=True)" q=%t/q.npy k=%t/k.npy v=%t/v.npy --dtype float32 --tol 1e-6 | FileCheck %s --check-prefix=REF
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "ref" ref=%t/ref.npy | FileCheck %s --check-prefix=CPU
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_h.npy "ref" ref=%t/ref_h.npy --dtype float16 --tol 1e-3
// REF: OK ref.npy shape=1x2x8x16
// CPU: OK cpu.npy shape=1x2x8x16

// RUN: attn-run %s --backend=reference --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: result #0: tensor<1x2x8x16xf32>
// SUMMARY: result #1: tensor<1x2x8x16xf16>

// The reference backend checks the call the same way.
// RUN: not attn-run %s --backend=reference --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: @main expects 3 arguments but 1 input was given

// RUN: not attn-run %s --backend=tpu --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=BACKEND
// BACKEND: error: invalid --backend='tpu': expected cpu, opencl, cuda or reference

func.func @main(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>)
    -> (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf16>) {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  %init = tensor.empty() : tensor<1x2x8x16xf16>
  %h = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>,
                                        affine_map<(a, b, c, d) -> (a, b, c, d)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<1x2x8x16xf32>) outs(%init : tensor<1x2x8x16xf16>) {
  ^bb0(%x: f32, %out: f16):
    %t = arith.truncf %x : f32 to f16
    linalg.yield %t : f16
  } -> tensor<1x2x8x16xf16>
  return %o, %h : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf16>
}
