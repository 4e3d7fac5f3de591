// A run-time shape check that fails leaves nothing allocated: the checks of
// ops in a function's entry block run at its start, before the function
// allocates (before, @add's output buffer was allocated and then leaked on
// every failed call of an attn-compile'd library or of attn-run's JIT). A C
// program built with AddressSanitizer calls @add with operands of different
// lengths; its leak check at exit fails the test if a buffer leaked.

// REQUIRES: asan
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s -o %t/model.so
// RUN: %clang -g -fsanitize=address -I%t %S/Inputs/call-failed-check.c \
// RUN:   %t/model.so -Wl,-rpath,%t -o %t/call
// RUN: %t/call | FileCheck %s

// CHECK: call 0: status 1: @add stopped at a run-time check: linalg.add: operand #1 dim 0 does not match operand #0 dim 0 (both are loop d0) (dynamic sizes: %a = [100000], %b = [4])
// CHECK: call 2: status 1: @add stopped at a run-time check
// CHECK: matching: status 0: 1 4

// The checks come first in the lowered function, before its allocation.
// RUN: attn-opt %s --attn-insert-shape-checks | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @add(
// IR:         cf.assert
// IR:         tensor.empty
// IR:         linalg.add

func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.add ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
