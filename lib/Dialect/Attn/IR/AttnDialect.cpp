//===- AttnDialect.cpp - attn dialect ---------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attn;

#include "attn/Dialect/Attn/IR/AttnOpsDialect.cpp.inc"

#include "attn/Dialect/Attn/IR/AttnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "attn/Dialect/Attn/IR/AttnAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// LoweringConfigAttr
//===----------------------------------------------------------------------===//

LogicalResult
LoweringConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           int64_t blockQ, int64_t blockK, int64_t splitKeys,
                           ArrayRef<int64_t> qkTile, ArrayRef<int64_t> pvTile,
                           ArrayRef<int64_t> partialQkTile,
                           ArrayRef<int64_t> partialPvTile, MatmulUnit) {
  for (auto [name, size, limit] :
       {std::tuple<StringRef, int64_t, int64_t>{"block_q", blockQ,
                                                kMaxLoweringBlock},
        {"block_k", blockK, kMaxLoweringBlock},
        {"split_keys", splitKeys, kMaxKeySplits}})
    if (size <= 0 || size > limit)
      return emitError() << "expected '" << name
                         << "' in #attn.lowering_config in [1, " << limit
                         << "], found " << size;
  for (auto [name, tile] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"qk_tile", qkTile},
        {"pv_tile", pvTile},
        {"partial_qk_tile", partialQkTile},
        {"partial_pv_tile", partialPvTile}}) {
    if (tile.size() != 2 || tile[0] <= 0 || tile[1] <= 0 ||
        tile[0] > kMaxRegisterTile || tile[1] > kMaxRegisterTile) {
      InFlightDiagnostic diag = emitError();
      diag << "expected '" << name
           << "' in #attn.lowering_config to be [rows, vectors] (two sizes "
              "in [1, "
           << kMaxRegisterTile << "]), found [";
      llvm::interleaveComma(tile, diag);
      return diag << "]";
    }
  }
  return success();
}

LoweringConfigAttr mlir::attn::getLoweringConfig(Operation *op) {
  return op->getAttrOfType<LoweringConfigAttr>(
      LoweringConfigAttr::getAttrName());
}

void mlir::attn::setLoweringConfig(Operation *op, LoweringConfigAttr config) {
  if (config)
    op->setAttr(LoweringConfigAttr::getAttrName(), config);
  else
    op->removeAttr(LoweringConfigAttr::getAttrName());
}

void mlir::attn::copyLoweringConfig(Operation *from, Operation *to) {
  if (LoweringConfigAttr config = getLoweringConfig(from))
    setLoweringConfig(to, config);
}

LogicalResult mlir::attn::verifyLoweringConfig(Operation *op) {
  Attribute attr = op->getAttr(LoweringConfigAttr::getAttrName());
  if (!attr || isa<LoweringConfigAttr>(attr))
    return success();
  return op->emitOpError("expected '")
         << LoweringConfigAttr::getAttrName()
         << "' to be an #attn.lowering_config, found " << attr;
}

//===----------------------------------------------------------------------===//
// AttnDialect
//===----------------------------------------------------------------------===//

void AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "attn/Dialect/Attn/IR/AttnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "attn/Dialect/Attn/IR/AttnAttrs.cpp.inc"
      >();
}
