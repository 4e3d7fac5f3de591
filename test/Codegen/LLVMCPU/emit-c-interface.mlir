// RUN: attn-opt %s --attn-emit-c-interface | FileCheck %s

// Public functions with a body get llvm.emit_c_interface; private functions
// and declarations do not.
// CHECK-LABEL: func.func @public_kernel
// CHECK-SAME:    attributes {llvm.emit_c_interface}
func.func @public_kernel(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// CHECK-LABEL: func.func private @helper
// CHECK-NOT:     llvm.emit_c_interface
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// CHECK-LABEL: func.func private @external
// CHECK-NOT:     llvm.emit_c_interface
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
