// RUN: attn-opt %s -split-input-file --attn-insert-shape-checks | FileCheck %s

// attn-insert-shape-checks: for a linalg op on tensors, one cf.assert per
// operand dim that shares a loop with an earlier operand when either dim is
// dynamic; nothing when all are static. The checks of ops in the function's
// entry block go to its start when the sizes can be recomputed there from
// the arguments (before anything is allocated), else before the op.

// CHECK-LABEL: func.func @add(
// CHECK-SAME:    %[[A:[a-zA-Z0-9_]+]]: tensor<?xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<?xf32>, %[[C:[a-zA-Z0-9_]+]]: tensor<?xf32>)
// CHECK:         %[[NA:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?xf32>
// CHECK:         %[[NB:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?xf32>
// CHECK:         %[[EQB:.+]] = arith.cmpi eq, %[[NA]], %[[NB]] : index
// CHECK:         cf.assert %[[EQB]], "linalg.add: operand #1 dim 0 does not match operand #0 dim 0 (both are loop d0)"
// CHECK:         %[[NC:.+]] = tensor.dim %[[C]], %{{.+}} : tensor<?xf32>
// CHECK:         %[[EQC:.+]] = arith.cmpi eq, %[[NA]], %[[NC]] : index
// CHECK:         cf.assert %[[EQC]], "linalg.add: operand #2 dim 0 does not match operand #0 dim 0 (both are loop d0)"
// CHECK:         linalg.add
func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>, %c: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.add ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%c : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// A matmul: the reduction dim k (A dim 1, B dim 0) and the dynamic rows m
// (A dim 0, C dim 0); the static n needs no check.
// CHECK-LABEL: func.func @matmul(
// CHECK:         cf.assert %{{.+}}, "linalg.matmul: operand #2 dim 0 does not match operand #0 dim 0 (both are loop d0)"
// CHECK:         cf.assert %{{.+}}, "linalg.matmul: operand #1 dim 0 does not match operand #0 dim 1 (both are loop d2)"
// CHECK-NOT:     cf.assert
// CHECK:         linalg.matmul
func.func @matmul(%a: tensor<?x?xf32>, %b: tensor<?x8xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// Static shapes: nothing to check.
// CHECK-LABEL: func.func @static(
// CHECK-NOT:     cf.assert
func.func @static(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %r = linalg.add ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%a : tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A slice with a dynamic offset: per dim, 0 <= offset and the last element
// inside the source.
// CHECK-LABEL: func.func @slice(
// CHECK:         cf.assert %{{.+}}, "tensor.extract_slice: the slice leaves dimension 0 of the source"
// CHECK:         cf.assert %{{.+}}, "tensor.extract_slice: the slice leaves dimension 1 of the source"
// CHECK:         tensor.extract_slice
func.func @slice(%a: tensor<4x8xf32>, %i: index) -> tensor<2x4xf32> {
  %s = tensor.extract_slice %a[0, %i] [2, 4] [1, 1] : tensor<4x8xf32> to tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

// The output buffer (tensor.empty) comes after the checks, which read its
// size from the argument it was taken from; the second op's checks too (its
// first operand's size is the first op's init's).
// CHECK-LABEL: func.func @prologue(
// CHECK-SAME:    %[[A:[a-zA-Z0-9_]+]]: tensor<?xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<?xf32>)
// CHECK:         cf.assert %{{.+}}, "linalg.add: operand #1 dim 0
// CHECK:         cf.assert %{{.+}}, "linalg.mul: operand #1 dim 0
// CHECK:         tensor.empty
// CHECK-NEXT:    linalg.add
// CHECK-NOT:     cf.assert
// CHECK:         linalg.mul
func.func @prologue(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.add ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  %r2 = linalg.mul ins(%r, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r2 : tensor<?xf32>
}

// -----

// An op that runs only on one branch keeps its checks.
// CHECK-LABEL: func.func @branch(
// CHECK:         scf.if
// CHECK:           cf.assert %{{.+}}, "linalg.add: operand #1 dim 0
// CHECK:           cf.assert %{{.+}}, "linalg.add: operand #2 dim 0
// CHECK-NEXT:      linalg.add
func.func @branch(%a: tensor<?xf32>, %b: tensor<?xf32>, %p: i1) -> tensor<?xf32> {
  %r = scf.if %p -> tensor<?xf32> {
    %s = linalg.add ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%a : tensor<?xf32>) -> tensor<?xf32>
    scf.yield %s : tensor<?xf32>
  } else {
    scf.yield %a : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// A size the prologue cannot recompute (a tensor.empty sized by a loaded
// value): the check stays before the op.
// CHECK-LABEL: func.func @loaded_size(
// CHECK:         tensor.extract
// CHECK:         tensor.empty
// CHECK:         cf.assert %{{.+}}, "linalg.add: operand #1 dim 0
// CHECK:         cf.assert %{{.+}}, "linalg.add: operand #2 dim 0
// CHECK-NEXT:    linalg.add
func.func @loaded_size(%a: tensor<?xf32>, %sizes: tensor<1xindex>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.extract %sizes[%c0] : tensor<1xindex>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.add ins(%a, %e : tensor<?xf32>, tensor<?xf32>) outs(%a : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
