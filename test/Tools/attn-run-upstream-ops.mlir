// Upstream ops a graph may contain run in the JIT, in an attn-compile'd
// library and in the reference evaluator, and agree with numpy: linalg.softmax (decomposed by -attn-decompose-linalg-aggregates;
// it used to fail in the LLVM translation), func.call of a private
// function, tensor.extract_slice (strided, rank-reducing) and
// tensor.insert_slice (the reference evaluator lacked the last three).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 4x8 float32 --seed 1
// RUN: attn-run %s --input=@%t/a.npy --output=@%t/cpu_sm.npy --output=@%t/cpu_sl.npy --output=@%t/cpu_ins.npy
// RUN: attn-run %s --backend=reference --input=@%t/a.npy --output=@%t/ref_sm.npy --output=@%t/ref_sl.npy --output=@%t/ref_ins.npy
// RUN: attn-compile %s -o %t/upstream.so
// RUN: attn-run --module=%t/upstream.so --input=@%t/a.npy --output=@%t/aot_sm.npy --output=@%t/aot_sl.npy --output=@%t/aot_ins.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_sm.npy "np.exp(a - a.max(1, keepdims=True)) / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)" a=%t/a.npy --tol 1e-5 | FileCheck %s --check-prefix=SM
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref_sm.npy "np.exp(a - a.max(1, keepdims=True)) / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)" a=%t/a.npy --tol 1e-6 | FileCheck %s --check-prefix=SM
// RUN: %PYTHON %S/Inputs/npytool.py check %t/aot_sm.npy "np.exp(a - a.max(1, keepdims=True)) / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)" a=%t/a.npy --tol 1e-5 | FileCheck %s --check-prefix=SM
// SM: OK {{.+}}_sm.npy shape=4x8
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_sl.npy "2 * a[1, 1::2]" a=%t/a.npy --tol 1e-6 | FileCheck %s --check-prefix=SL
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref_sl.npy "2 * a[1, 1::2]" a=%t/a.npy --tol 1e-6 | FileCheck %s --check-prefix=SL
// RUN: %PYTHON %S/Inputs/npytool.py check %t/aot_sl.npy "2 * a[1, 1::2]" a=%t/a.npy --tol 1e-5 | FileCheck %s --check-prefix=SL
// SL: OK {{.+}}_sl.npy shape=4
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu_ins.npy "np.concatenate([a[:2], 2 * a[2:]])" a=%t/a.npy --tol 1e-6 | FileCheck %s --check-prefix=INS
// RUN: %PYTHON %S/Inputs/npytool.py check %t/ref_ins.npy "np.concatenate([a[:2], 2 * a[2:]])" a=%t/a.npy --tol 1e-6 | FileCheck %s --check-prefix=INS
// RUN: %PYTHON %S/Inputs/npytool.py check %t/aot_ins.npy "np.concatenate([a[:2], 2 * a[2:]])" a=%t/a.npy --tol 1e-5 | FileCheck %s --check-prefix=INS
// INS: OK {{.+}}_ins.npy shape=4x8

// A slice outside its source is a run-time error of both backends (the CPU
// code used to read past the buffer).
// RUN: not attn-run %s --function=outside --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=OUTSIDECPU
// OUTSIDECPU: error: @outside stopped at a run-time check: tensor.extract_slice: the slice leaves dimension 1 of the source
// RUN: not attn-run %s --function=outside --backend=reference --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// OUTSIDE: error: reference evaluation of @outside failed: reference evaluator: 'tensor.extract_slice': the slice leaves dimension 1 of size 8 (offset 6, size 4, stride 1)

func.func private @twice(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.add ins(%a, %a : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

func.func @main(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %sm = linalg.softmax dimension(1) ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = func.call @twice(%a) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %row = tensor.extract_slice %t[1, 1] [1, 4] [1, 2] : tensor<4x8xf32> to tensor<4xf32>
  %bottom = tensor.extract_slice %t[2, 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
  %ins = tensor.insert_slice %bottom into %a[2, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<4x8xf32>
  return %sm, %row, %ins : tensor<4x8xf32>, tensor<4xf32>, tensor<4x8xf32>
}

func.func @outside(%a: tensor<4x8xf32>) -> tensor<2x4xf32> {
  %c6 = arith.constant 6 : index
  %s = tensor.extract_slice %a[0, %c6] [2, 4] [1, 1] : tensor<4x8xf32> to tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}
