// attn-run --module=<library.so> runs a shared library written by
// attn-compile on .npy inputs, with the signatures embedded in it: the same
// checks, results (compared with the JIT's), messages and benchmark as for
// the .mlir file.

// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s -o %t/model.so
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 2x4x16x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 2x4x24x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 2x4x24x8 float32 --seed 3
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k1.npy 1x4x24x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 3x5 float16 --seed 4

// The library's results match the JIT's (and numpy's).
// RUN: attn-run %s --function=causal --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/jit.npy
// RUN: attn-run --module=%t/model.so --function=causal --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/lib.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/lib.npy "j" j=%t/jit.npy --tol 1e-6 | FileCheck %s --check-prefix=SAME
// RUN: %PYTHON %S/Inputs/npytool.py check %t/lib.npy "attention(q, k, v, causal=True)" q=%t/q.npy k=%t/k.npy v=%t/v.npy | FileCheck %s --check-prefix=SAME
// SAME: OK lib.npy shape=2x4x16x8

// Two results, f16, through the summary.
// RUN: attn-run --module=%t/model.so --function=twice --input=@%t/a.npy | FileCheck %s --check-prefix=TWO
// TWO: result #0: tensor<3x5xf16>
// TWO: result #1: tensor<3x5xf16>

// A failed run-time check: the same message as the JIT's, with the sizes
// of the dynamic arguments.
// RUN: not attn-run %s --function=causal --input=@%t/q.npy --input=@%t/k1.npy --input=@%t/v.npy 2>&1 | FileCheck %s --check-prefix=CHECK-FAIL
// RUN: not attn-run --module=%t/model.so --function=causal --input=@%t/q.npy --input=@%t/k1.npy --input=@%t/v.npy 2>&1 | FileCheck %s --check-prefix=CHECK-FAIL
// CHECK-FAIL: attn-run: error: @causal stopped at a run-time check: attn.attention: 'key' dim 0 (B) does not match 'query' dim 0 (dynamic sizes: %q = [2, 4, 16, 8], %k = [1, 4, 24, 8], %v = [2, 4, 24, 8])

// The signature's checks before the call, as for the .mlir file.
// RUN: not attn-run --module=%t/model.so --function=causal --input=@%t/q.npy --input=@%t/k.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: @causal expects 3 arguments but 2 inputs were given
// RUN: not attn-run --module=%t/model.so --function=twice --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: argument #0 of @twice ('{{.*}}q.npy'): expected element type f16 (tensor<3x5xf16>), found f32 (shape 2x4x16x8)
// RUN: not attn-run --module=%t/model.so --function=nope 2>&1 | FileCheck %s --check-prefix=FUNCTION
// FUNCTION: error: '{{.*}}model.so': no public function @nope; available: @causal, @twice, @static

// --benchmark, with GFLOP/s from the FLOP count embedded in the library.
// RUN: attn-run --module=%t/model.so --function=static --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --benchmark=2 | FileCheck %s --check-prefix=BENCH
// BENCH: benchmark @static: 2 runs after 1 warm-up
// BENCH: GFLOP/s

// Portable builds: --cpu=x86-64-v3 runs on this (AVX2) machine; an
// --cpu=x86-64-v4 library says that a CPU without AVX-512 cannot run it.
// RUN: attn-compile %s --cpu=x86-64-v3 -o %t/v3.so
// RUN: FileCheck %s --check-prefix=V3-HEADER < %t/v3.h
// V3-HEADER: * Built for: --cpu=x86-64-v3.
// V3-HEADER-NEXT: *   Instruction-set extensions it may use: sse4.2 popcnt avx avx2 bmi bmi2 fma
// RUN: attn-run --module=%t/v3.so --function=causal --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/v3.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/v3.npy "j" j=%t/jit.npy | FileCheck %s --check-prefix=V3
// V3: OK v3.npy shape=2x4x16x8
// RUN: attn-compile %s --cpu=x86-64-v4 -o %t/v4.so
// RUN: %if avx512 %{ attn-run --module=%t/v4.so --function=causal --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy %} \
// RUN: %else %{ not attn-run --module=%t/v4.so --function=causal --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy 2>&1 | FileCheck %s --check-prefix=V4 %}
// V4: error: @causal cannot run on this CPU: the library was built for --cpu=x86-64-v4 and uses avx512f, which this CPU lacks

// Bad uses of --module.
// RUN: not attn-run --module=%t/missing.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: attn-run: error: '{{.*}}missing.so': cannot load shared library: No such file or directory
// RUN: not attn-run --module=%t/libomp.so.5 2>&1 | FileCheck %s --check-prefix=FOREIGN
// FOREIGN: attn-run: error: '{{.*}}libomp.so.5' is not a shared library written by attn-compile: it has no __attn_library_info symbol
// RUN: not attn-run --module=%t/q.npy 2>&1 | FileCheck %s --check-prefix=NOTELF
// NOTELF: attn-run: error: '{{.*}}q.npy': cannot load shared library: {{.*}}
// RUN: not attn-run %s --module=%t/model.so 2>&1 | FileCheck %s --check-prefix=BOTH
// BOTH: attn-run: error: expected a .mlir file or --module=<library.so>, not both
// RUN: not attn-run 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: attn-run: error: no input: expected a .mlir file, or --module=<library.so>
// RUN: not attn-run --module=%t/model.so --cpu=x86-64 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: attn-run: error: --cpu has no effect with --module: the library's code was generated by attn-compile (pass it there)
// RUN: not attn-run --module=%t/model.so --backend=reference 2>&1 | FileCheck %s --check-prefix=REFERENCE
// REFERENCE: attn-run: error: --backend=reference needs the .mlir file: --module runs the compiled library

func.func @causal(%q: tensor<?x4x16x8xf32>, %k: tensor<?x4x24x8xf32>,
                  %v: tensor<?x4x24x8xf32>) -> tensor<?x4x16x8xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<?x4x16x8xf32>, tensor<?x4x24x8xf32>, tensor<?x4x24x8xf32> -> tensor<?x4x16x8xf32>
  return %o : tensor<?x4x16x8xf32>
}

func.func @twice(%a: tensor<3x5xf16>) -> (tensor<3x5xf16>, tensor<3x5xf16>) {
  %init = tensor.empty() : tensor<3x5xf16>
  %sum = linalg.add ins(%a, %a : tensor<3x5xf16>, tensor<3x5xf16>)
                    outs(%init : tensor<3x5xf16>) -> tensor<3x5xf16>
  %neg = linalg.negf ins(%a : tensor<3x5xf16>) outs(%init : tensor<3x5xf16>) -> tensor<3x5xf16>
  return %sum, %neg : tensor<3x5xf16>, tensor<3x5xf16>
}

func.func @static(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x24x8xf32>,
                  %v: tensor<2x4x24x8xf32>) -> tensor<2x4x16x8xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<2x4x16x8xf32>, tensor<2x4x24x8xf32>, tensor<2x4x24x8xf32> -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}
