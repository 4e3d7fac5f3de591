// -attn-forall-to-serial-loops runs after bufferization: a forall on tensors
// (shared_outs) is refused with an error (it was rewritten without its
// results, leaving their uses dangling: a crash in the verifier).
// RUN: attn-opt %s -verify-diagnostics --attn-forall-to-serial-loops

func.func @tensor_forall(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'scf.forall' op has tensor results (shared_outs): -attn-forall-to-serial-loops takes bufferized foralls}}
  %r = scf.forall (%i) in (4) shared_outs(%o = %a) -> (tensor<4xf32>) {
    %s = tensor.extract_slice %o[%i] [1] [1] : tensor<4xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [1] [1] : tensor<1xf32> into tensor<4xf32>
    }
  }
  return %r : tensor<4xf32>
}
