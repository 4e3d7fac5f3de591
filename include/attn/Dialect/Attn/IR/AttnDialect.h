//===- AttnDialect.h - attn dialect -----------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_IR_ATTNDIALECT_H
#define ATTN_DIALECT_ATTN_IR_ATTNDIALECT_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "attn/Dialect/Attn/IR/AttnOpsDialect.h.inc"

#include "attn/Dialect/Attn/IR/AttnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/Attn/IR/AttnAttrs.h.inc"

#include <cstdint>

namespace mlir::attn {
/// Upper bounds of the sizes in an `#attn.lowering_config` (its verifier
/// checks them, the tools check their flags against them): query rows and
/// keys per block (a block's scores are block_q x block_k floats), key
/// splits, and the rows and vectors of a register tile.
constexpr int64_t kMaxLoweringBlock = 4096;
constexpr int64_t kMaxKeySplits = 4096;
constexpr int64_t kMaxRegisterTile = 64;
/// Upper bound of the query rows of a DCMHA tile (the kernel keeps a row
/// vector of each in registers per tile step, so its code grows with it).
constexpr int64_t kMaxDCMHABlock = 256;
} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_IR_ATTNDIALECT_H
