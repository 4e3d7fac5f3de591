//===- AttnBase.td - attn dialect definition ---------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNBASE_TD
#define ATTN_DIALECT_ATTN_IR_ATTNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Attention operations: SDPA, local attention, DCMHA and deformable sampling";
  let description = [{
    The `attn` dialect holds graph-level attention operations with value
    semantics on ranked tensors (scaled dot-product attention with GQA, causal,
    masks and softcap; sliding-window and chunked local attention; DCFormer's
    cross-head composition and its fused DCMHA form; DAT-style grid sampling and
    Deformable DETR's multi-scale deformable attention), plus the internal
    destination-style tiled forms that the compiler's passes create. The
    semantics of every op are specified in `docs/Spec.md`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

/// Floating-point tensors accepted by attn ops (accumulation is always f32).
def Attn_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
/// Masks: `i1` (true = visible) or an additive float bias.
def Attn_MaskTensor : RankedTensorOf<[I1, F32, F16, BF16]>;

#endif // ATTN_DIALECT_ATTN_IR_ATTNBASE_TD
