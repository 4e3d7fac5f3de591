//===- AttnAttrs.td - attn dialect attributes --------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
#define ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD

include "attn/Dialect/Attn/IR/AttnBase.td"
include "attn/Dialect/Attn/IR/AttnEnums.td"

/// `#attn<padding_mode zeros>` or `#attn<padding_mode border>`.
def Attn_PaddingModeAttr : EnumAttr<Attn_Dialect, Attn_PaddingModeEnum,
                                    "padding_mode">;

#endif // ATTN_DIALECT_ATTN_IR_ATTNATTRS_TD
