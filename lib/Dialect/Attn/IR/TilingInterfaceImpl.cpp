//===- TilingInterfaceImpl.cpp - tiling of attn.online_attention -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// TilingInterface of the internal tiled form: the iteration domain is the
// parallel (b, h, i) space; the key loop stays inside the op (it carries the
// online softmax), so every tile reads whole K/V heads.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::attn;

/// Size of dimension `dim` of a tensor or memref value as an OpFoldResult.
static OpFoldResult dimSize(OpBuilder &b, Location loc, Value v, int64_t dim) {
  auto type = cast<ShapedType>(v.getType());
  if (!type.isDynamicDim(dim))
    return b.getIndexAttr(type.getDimSize(dim));
  if (isa<RankedTensorType>(type))
    return tensor::DimOp::create(b, loc, v, dim).getResult();
  return memref::DimOp::create(b, loc, v, dim).getResult();
}

/// A slice of `v` (tensor.extract_slice or memref.subview), unit strides.
static Value slice(OpBuilder &b, Location loc, Value v,
                   ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  if (isa<RankedTensorType>(v.getType()))
    return tensor::ExtractSliceOp::create(b, loc, v, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, v, offsets, sizes, strides);
}

SmallVector<utils::IteratorType> OnlineAttentionOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel);
}

SmallVector<Range> OnlineAttentionOp::getIterationDomain(OpBuilder &b) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  SmallVector<Range> domain;
  for (int64_t dim = 0; dim < 3; ++dim)
    domain.push_back(Range{zero, dimSize(b, loc, getQuery(), dim), one});
  return domain;
}

FailureOr<TilingResult>
OnlineAttentionOp::getTiledImplementation(OpBuilder &b,
                                          ArrayRef<OpFoldResult> offsets,
                                          ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult bOff = offsets[0], hOff = offsets[1], iOff = offsets[2];
  OpFoldResult bSize = sizes[0], hSize = sizes[1], iSize = sizes[2];

  // K/V head of the tile: h / (Hq / Hkv). With GQA only unit head tiles map
  // to one KV head.
  OpFoldResult kvhOff = hOff, kvhSize = hSize;
  std::optional<int64_t> hq = getQueryType().isDynamicDim(1)
                                  ? std::nullopt
                                  : std::optional(getQueryType().getDimSize(1));
  std::optional<int64_t> hkv = getKeyType().isDynamicDim(1)
                                   ? std::nullopt
                                   : std::optional(getKeyType().getDimSize(1));
  if (!hq || !hkv || *hq != *hkv) {
    if (!isConstantIntValue(hSize, 1))
      return emitOpError("tiling the head dimension with grouped K/V heads "
                         "needs a head tile size of 1");
    Value group = arith::DivUIOp::create(
        b, loc,
        getValueOrCreateConstantIndexOp(b, loc, dimSize(b, loc, getQuery(), 1)),
        getValueOrCreateConstantIndexOp(b, loc, dimSize(b, loc, getKey(), 1)));
    kvhOff = arith::DivUIOp::create(
                 b, loc, getValueOrCreateConstantIndexOp(b, loc, hOff), group)
                 .getResult();
  }

  OpFoldResult lk = dimSize(b, loc, getKey(), 2);
  OpFoldResult d = dimSize(b, loc, getKey(), 3);
  OpFoldResult dv = dimSize(b, loc, getValue(), 3);
  SmallVector<Value> operands;
  operands.push_back(slice(b, loc, getQuery(), {bOff, hOff, iOff, zero},
                           {bSize, hSize, iSize, dimSize(b, loc, getQuery(), 3)}));
  operands.push_back(
      slice(b, loc, getKey(), {bOff, kvhOff, zero, zero}, {bSize, kvhSize, lk, d}));
  operands.push_back(slice(b, loc, getValue(), {bOff, kvhOff, zero, zero},
                           {bSize, kvhSize, lk, dv}));
  Value mask;
  if (Value m = getMask()) {
    // Statically unit mask dims broadcast: they keep offset 0 and size 1.
    auto mType = cast<ShapedType>(m.getType());
    bool bcastB = !mType.isDynamicDim(0) && mType.getDimSize(0) == 1;
    bool bcastH = !mType.isDynamicDim(1) && mType.getDimSize(1) == 1;
    mask = slice(b, loc, m,
                 {bcastB ? zero : bOff, bcastH ? zero : hOff, iOff, zero},
                 {bcastB ? one : bSize, bcastH ? one : hSize, iSize,
                  dimSize(b, loc, m, 3)});
  }
  Value offset = arith::AddIOp::create(
      b, loc, getQueryOffset(), getValueOrCreateConstantIndexOp(b, loc, iOff));
  Value output =
      slice(b, loc, getOutput(), {bOff, hOff, iOff, zero}, {bSize, hSize, iSize, dv});

  SmallVector<Type> resultTypes;
  if (getNumResults() == 1)
    resultTypes.push_back(output.getType());
  auto tiled = OnlineAttentionOp::create(
      b, loc, resultTypes, operands[0], operands[1], operands[2], mask, offset,
      output, getScaleAttr(), getSoftcapAttr(), getWindowLeftAttr(),
      getWindowRightAttr(), getChunkAttr());
  SmallVector<Operation *> slices;
  for (Value v : operands)
    if (Operation *op = v.getDefiningOp())
      slices.push_back(op);
  return TilingResult{{tiled}, SmallVector<Value>(tiled->getResults()), slices};
}

LogicalResult OnlineAttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets.assign(offsets.begin(), offsets.end());
  resultOffsets.push_back(b.getIndexAttr(0));
  resultSizes.assign(sizes.begin(), sizes.end());
  resultSizes.push_back(dimSize(b, getLoc(), getValue(), 3));
  return success();
}
