// Tensors carried through scf.for and scf.while (attention applied three
// times to its own result; a linalg.add accumulated in a loop): the
// one-shot bufferization lets each iteration yield a new buffer, and the
// CPU results match the reference evaluator. They used to stop at "Yield
// operand #0 is not equivalent to the corresponding iter bbArg". (The
// reference evaluator has no scf ops: numpy checks them.)

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x2x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 1x2x4x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x2x4x8 float32 --seed 3
// RUN: attn-run %s --function=attention_loop --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/cpu.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/cpu.npy "attention(attention(attention(q, k, v), k, v), k, v)" q=%t/q.npy k=%t/k.npy v=%t/v.npy | FileCheck %s --check-prefix=LOOP
// LOOP: OK cpu.npy shape=1x2x4x8
// RUN: attn-run %s --function=add_while --input=@%t/q.npy --input=@%t/k.npy --output=@%t/sum.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/sum.npy "q + 3 * k" q=%t/q.npy k=%t/k.npy | FileCheck %s --check-prefix=WHILE
// WHILE: OK sum.npy shape=1x2x4x8

func.func @attention_loop(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %q) -> (tensor<1x2x4x8xf32>) {
    %o = attn.attention %acc, %k, %v : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
    scf.yield %o : tensor<1x2x4x8xf32>
  }
  return %r : tensor<1x2x4x8xf32>
}

func.func @add_while(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %r:2 = scf.while (%i = %c0, %acc = %q) : (index, tensor<1x2x4x8xf32>) -> (index, tensor<1x2x4x8xf32>) {
    %more = arith.cmpi slt, %i, %c3 : index
    scf.condition(%more) %i, %acc : index, tensor<1x2x4x8xf32>
  } do {
  ^bb0(%j: index, %a: tensor<1x2x4x8xf32>):
    %e = tensor.empty() : tensor<1x2x4x8xf32>
    %s = linalg.add ins(%a, %k : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) outs(%e : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
    %n = arith.addi %j, %c1 : index
    scf.yield %n, %s : index, tensor<1x2x4x8xf32>
  }
  return %r#1 : tensor<1x2x4x8xf32>
}
