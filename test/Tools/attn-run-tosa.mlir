// TOSA graphs (as TFLite and ONNX-to-TOSA front ends emit them) run in the
// JIT, in an attn-compile'd library and in the reference evaluator, which
// evaluates TOSA itself (lib/Reference/Tosa.cpp) rather than the pipeline's
// tosa-to-linalg form. All three are checked against numpy.

// RUN: rm -rf %t && mkdir -p %t

// Scores: softmax(q k + b) without max subtraction, batched matmul.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 2x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 2x8x4 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/b.npy 1x1x4 float32 --seed 3
// RUN: attn-run %S/Inputs/tosa-attention-scores.mlir --input=@%t/q.npy --input=@%t/k.npy --input=@%t/b.npy --output=@%t/cpu.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "np.exp(q @ k + b) / np.exp(q @ k + b).sum(-1, keepdims=True)" q=%t/q.npy k=%t/k.npy b=%t/b.npy --tol 1e-5 | FileCheck %s --check-prefix=SCORES
// RUN: attn-run %S/Inputs/tosa-attention-scores.mlir --backend=reference --input=@%t/q.npy --input=@%t/k.npy --input=@%t/b.npy --output=@%t/ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref.npy "np.exp(q @ k + b) / np.exp(q @ k + b).sum(-1, keepdims=True)" q=%t/q.npy k=%t/k.npy b=%t/b.npy --tol 1e-6 | FileCheck %s --check-prefix=SCORES-REF
// SCORES: OK cpu.npy shape=2x4x4
// SCORES-REF: OK ref.npy shape=2x4x4

// Multi-head attention with reshapes, transposes, scale, bias and a stable
// softmax: JIT, AOT library and reference.
// DEFINE: %{heads} = (lambda t: t.reshape(1, -1, 2, 4).transpose(0, 2, 1, 3))
// DEFINE: %{mha} = (lambda s: (np.exp(s - s.max(-1, keepdims=True)) / np.exp(s - s.max(-1, keepdims=True)).sum(-1, keepdims=True)) @ %{heads}(v))(%{heads}(q) @ %{heads}(k).transpose(0, 1, 3, 2) * 0.5 + b[:, None]).transpose(0, 2, 1, 3).reshape(1, 7, 8)
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 1x7x8 float32 --seed 4
// RUN: %PYTHON %S/Inputs/npytool.py make %t/y.npy 1x5x8 float32 --seed 5
// RUN: %PYTHON %S/Inputs/npytool.py make %t/z.npy 1x5x8 float32 --seed 6
// RUN: %PYTHON %S/Inputs/npytool.py make %t/bias.npy 1x1x5 float32 --seed 7
// RUN: attn-run %S/Inputs/tosa-attention.mlir --input=@%t/x.npy --input=@%t/y.npy --input=@%t/z.npy --input=@%t/bias.npy --output=@%t/mha-jit.npy
// RUN: attn-compile %S/Inputs/tosa-attention.mlir -o %t/libtosa.so
// RUN: attn-run --module=%t/libtosa.so --input=@%t/x.npy --input=@%t/y.npy --input=@%t/z.npy --input=@%t/bias.npy --output=@%t/mha-aot.npy
// RUN: attn-run %S/Inputs/tosa-attention.mlir --backend=reference --input=@%t/x.npy --input=@%t/y.npy --input=@%t/z.npy --input=@%t/bias.npy --output=@%t/mha-ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mha-jit.npy "%{mha}" q=%t/x.npy k=%t/y.npy v=%t/z.npy b=%t/bias.npy --tol 1e-5 | FileCheck %s --check-prefix=MHA-JIT
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mha-aot.npy "%{mha}" q=%t/x.npy k=%t/y.npy v=%t/z.npy b=%t/bias.npy --tol 1e-5 | FileCheck %s --check-prefix=MHA-AOT
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mha-ref.npy "%{mha}" q=%t/x.npy k=%t/y.npy v=%t/z.npy b=%t/bias.npy --tol 1e-6 | FileCheck %s --check-prefix=MHA-REF
// MHA-JIT: OK mha-jit.npy shape=1x7x8
// MHA-AOT: OK mha-aot.npy shape=1x7x8
// MHA-REF: OK mha-ref.npy shape=1x7x8

// The rest of the subset (concat, slice, comparison and select, clamp,
// tanh, erf, sigmoid, rsqrt of a positive value, negate, reduce_min) on both
// backends.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/m.npy 2x3x4 float32 --seed 10
// RUN: attn-run %s --function=misc --input=@%t/m.npy --output=@%t/misc-cpu.npy
// RUN: attn-run %s --function=misc --backend=reference --input=@%t/m.npy --output=@%t/misc-ref.npy
// DEFINE: %{misc} = (lambda c: np.concatenate([np.where(c > 0, np.tanh(c), np.clip(c, -0.5, 0.5)) + np.vectorize(__import__('math').erf)(c) + 1 / (1 + np.exp(-c)) - 1 / np.sqrt(c * c + 1), np.min(c, axis=2, keepdims=True)], axis=2))(np.concatenate([m, -m], axis=1)[:, 1:5, :])
// RUN: %PYTHON %S/Inputs/npytool.py check %t/misc-cpu.npy "%{misc}" m=%t/m.npy --tol 1e-5 | FileCheck %s --check-prefix=MISC
// RUN: %PYTHON %S/Inputs/npytool.py check %t/misc-ref.npy "%{misc}" m=%t/m.npy --tol 1e-6 | FileCheck %s --check-prefix=MISC
// MISC: OK misc-{{cpu|ref}}.npy shape=2x4x5

// The reference's own TOSA errors name the op.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a23.npy 2x3 float32 --seed 8
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a24.npy 2x4 float32 --seed 9
// RUN: not attn-run %s --backend=reference --function=dynamic_add --input=@%t/a23.npy --input=@%t/a24.npy 2>&1 | FileCheck %s --check-prefix=BROADCAST
// BROADCAST: 'tosa.add': shapes [2, 3] and [2, 4] do not broadcast
// RUN: not attn-run %s --backend=reference --function=unsupported --input=@%t/b.npy 2>&1 | FileCheck %s --check-prefix=OTHER-OP
// OTHER-OP: unsupported op 'tosa.tile': the reference evaluator runs the float subset of TOSA (docs/Rationale.md); for other TOSA ops, evaluate the graph after `attn-opt --pass-pipeline=

func.func @dynamic_add(%a: tensor<2x?xf32>, %b: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %s = tosa.add %a, %b : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %s : tensor<2x?xf32>
}

func.func @unsupported(%b: tensor<1x1x4xf32>) -> tensor<1x2x4xf32> {
  %m = tosa.const_shape {values = dense<[1, 2, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %t = tosa.tile %b, %m : (tensor<1x1x4xf32>, !tosa.shape<3>) -> tensor<1x2x4xf32>
  return %t : tensor<1x2x4xf32>
}

func.func @misc(%m: tensor<2x3x4xf32>) -> tensor<2x4x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %neg = tosa.negate %m, %zp, %zp : (tensor<2x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3x4xf32>
  %cat = tosa.concat %m, %neg {axis = 1 : i32} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %start = tosa.const_shape {values = dense<[0, 1, 0]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %size = tosa.const_shape {values = dense<[2, 4, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %c = tosa.slice %cat, %start, %size : (tensor<2x6x4xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x4x4xf32>
  %pos = tosa.greater %c, %zero : (tensor<2x4x4xf32>, tensor<1x1x1xf32>) -> tensor<2x4x4xi1>
  %th = tosa.tanh %c : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %cl = tosa.clamp %c {min_val = -0.5 : f32, max_val = 0.5 : f32} : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %sel = tosa.select %pos, %th, %cl : (tensor<2x4x4xi1>, tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %erf = tosa.erf %c : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %sig = tosa.sigmoid %c : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %sq = tosa.mul %c, %c, %shift : (tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<1xi8>) -> tensor<2x4x4xf32>
  %sq1 = tosa.add %sq, %one : (tensor<2x4x4xf32>, tensor<1x1x1xf32>) -> tensor<2x4x4xf32>
  %rs = tosa.rsqrt %sq1 : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %a1 = tosa.add %sel, %erf : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %a2 = tosa.add %a1, %sig : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %a3 = tosa.sub %a2, %rs : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %mn = tosa.reduce_min %c {axis = 2 : i32} : (tensor<2x4x4xf32>) -> tensor<2x4x1xf32>
  %out = tosa.concat %a3, %mn {axis = 2 : i32} : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x5xf32>
  return %out : tensor<2x4x5xf32>
}
