// A TOSA graph (softmax(q k^T + bias) over batched matmuls, as TFLite and
// ONNX front ends emit it) runs on the CPU backend: the pipeline lowers TOSA
// to linalg first. The reference evaluator runs its linalg form and names
// the command when given TOSA directly.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 2x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 2x8x4 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/b.npy 1x1x4 float32 --seed 3
// RUN: attn-run %S/Inputs/tosa-attention-scores.mlir --input=@%t/q.npy --input=@%t/k.npy --input=@%t/b.npy --output=@%t/cpu.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "np.exp(q @ k + b) / np.exp(q @ k + b).sum(-1, keepdims=True)" q=%t/q.npy k=%t/k.npy b=%t/b.npy --tol 1e-5 | FileCheck %s
// CHECK: OK cpu.npy shape=2x4x4

// RUN: attn-opt %S/Inputs/tosa-attention-scores.mlir --pass-pipeline='builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),canonicalize)' -o %t/linalg.mlir
// RUN: attn-run %t/linalg.mlir --backend=reference --input=@%t/q.npy --input=@%t/k.npy --input=@%t/b.npy --output=@%t/ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "ref" ref=%t/ref.npy --tol 1e-5 | FileCheck %s

// RUN: not attn-run %S/Inputs/tosa-attention-scores.mlir --backend=reference --input=@%t/q.npy --input=@%t/k.npy --input=@%t/b.npy 2>&1 | FileCheck %s --check-prefix=REF
// REF: unsupported op 'tosa.const': the reference evaluator runs TOSA graphs after `attn-opt --pass-pipeline=
