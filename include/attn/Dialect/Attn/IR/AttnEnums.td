//===- AttnEnums.td - attn dialect enums -------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNENUMS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNENUMS_TD

include "mlir/IR/EnumAttr.td"

/// Out-of-bounds handling of bilinear sampling, as torch's grid_sample
/// `padding_mode` ("reflection" is not supported).
def Attn_PaddingModeEnum : I32EnumAttr<"PaddingMode",
    "how bilinear sampling treats corners outside the input map", [
      I32EnumAttrCase<"zeros", 0>,
      I32EnumAttrCase<"border", 1>
    ]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

/// The range of normalized sampling coordinates: torch grid_sample's
/// `[-1, 1]` (`attn.deformable_sample`) or Deformable DETR's `[0, 1]`
/// (`attn.ms_deform_attn`).
def Attn_CoordinatesEnum : I32EnumAttr<"Coordinates",
    "the range of normalized sampling coordinates", [
      I32EnumAttrCase<"grid", 0>,
      I32EnumAttrCase<"unit", 1>
    ]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

/// The arithmetic that the CPU attention kernel's two products (S = Q K^T
/// and O += P V) run on: f32 FMAs on widened inputs, bf16 pair dot products
/// with f32 accumulation (AVX512-BF16's vdpbf16ps), or AMX-BF16 tiles
/// (tdpbf16ps); the `_emulated` forms compute the same with plain vector
/// ops on CPUs without the unit. Part of #attn.lowering_config; targets
/// other than the CPU ignore it.
def Attn_MatmulUnitEnum : I32EnumAttr<"MatmulUnit",
    "the arithmetic of the CPU attention kernel's products", [
      I32EnumAttrCase<"f32", 0>,
      I32EnumAttrCase<"bf16_dot", 1>,
      I32EnumAttrCase<"bf16_dot_emulated", 2>,
      I32EnumAttrCase<"amx", 3>,
      I32EnumAttrCase<"amx_emulated", 4>
    ]> {
  let cppNamespace = "::mlir::attn";
  let genSpecializedAttr = 0;
}

#endif // ATTN_DIALECT_ATTN_IR_ATTNENUMS_TD
