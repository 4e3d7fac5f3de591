//===- TilingInterfaceImpl.cpp - tiling of attn.online_attention -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// TilingInterface of the internal tiled forms. `attn.online_attention`:
// the parallel (b, h, i) space; its key loop stays inside the op (it carries
// the online softmax and the normalization), so a tile reads whole K/V
// heads. `attn.partial_attention`: (b, h, i, j) with the keys j a reduction
// over the running (acc, max, sum) state, so key tiles give the
// FlashAttention loop (sequential) or split-K (parallel, then merged).
// Tiles keep the op's `lowering_config`.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <utility>

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

/// The head tile of K/V for the query head tile [hOff, hOff + hSize): the
/// same heads without GQA; with Hq = G * Hkv, one KV head for a single query
/// head, or hSize / G KV heads for whole groups (static G and hSize, a
/// multiple of G; the offset is then a multiple of G, as tiles of a domain
/// starting at 0 with that tile size are).
template <typename OpTy>
static FailureOr<std::pair<OpFoldResult, OpFoldResult>>
kvHeadTile(OpTy op, OpBuilder &b, Location loc, OpFoldResult hOff,
           OpFoldResult hSize) {
  ShapedType qType = op.getQueryType(), kType = op.getKeyType();
  bool staticHeads = !qType.isDynamicDim(1) && !kType.isDynamicDim(1);
  if (staticHeads && qType.getDimSize(1) == kType.getDimSize(1))
    return std::make_pair(hOff, hSize);
  auto divide = [&](OpFoldResult x, Value d) -> OpFoldResult {
    return arith::DivUIOp::create(
               b, loc, getValueOrCreateConstantIndexOp(b, loc, x), d)
        .getResult();
  };
  Value group = arith::DivUIOp::create(
      b, loc,
      getValueOrCreateConstantIndexOp(b, loc, dimSize(b, loc, op.getQuery(), 1)),
      getValueOrCreateConstantIndexOp(b, loc, dimSize(b, loc, op.getKey(), 1)));
  if (isConstantIntValue(hSize, 1))
    return std::make_pair(divide(hOff, group), hSize);
  std::optional<int64_t> size = getConstantIntValue(hSize);
  if (staticHeads && size && kType.getDimSize(1) > 0) {
    int64_t g = qType.getDimSize(1) / kType.getDimSize(1);
    if (*size % g == 0)
      return std::make_pair(divide(hOff, group),
                            OpFoldResult(b.getIndexAttr(*size / g)));
  }
  return op.emitOpError("tiling the head dimension with grouped K/V heads "
                        "needs a head tile of 1 or of whole groups (a "
                        "multiple of Hq / Hkv, static)");
}

/// Slices of the inputs of a (b, h, i) tile with keys [kOff, kOff + kSize):
/// query, key, value and the mask (null without one). Unit mask dims 0 and
/// 1 broadcast and keep offset 0 and size 1 (chosen at run time for a
/// dynamic dim).
template <typename OpTy>
static FailureOr<SmallVector<Value>>
sliceInputs(OpTy op, OpBuilder &b, Location loc, ArrayRef<OpFoldResult> offsets,
            ArrayRef<OpFoldResult> sizes, OpFoldResult kOff,
            OpFoldResult kSize) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  OpFoldResult bOff = offsets[0], hOff = offsets[1], iOff = offsets[2];
  OpFoldResult bSize = sizes[0], hSize = sizes[1], iSize = sizes[2];
  FailureOr<std::pair<OpFoldResult, OpFoldResult>> kvh =
      kvHeadTile(op, b, loc, hOff, hSize);
  if (failed(kvh))
    return failure();
  auto [kvhOff, kvhSize] = *kvh;
  OpFoldResult d = dimSize(b, loc, op.getKey(), 3);
  OpFoldResult dv = dimSize(b, loc, op.getValue(), 3);
  SmallVector<Value> slices;
  slices.push_back(slice(b, loc, op.getQuery(), {bOff, hOff, iOff, zero},
                         {bSize, hSize, iSize,
                          dimSize(b, loc, op.getQuery(), 3)}));
  slices.push_back(slice(b, loc, op.getKey(), {bOff, kvhOff, kOff, zero},
                         {bSize, kvhSize, kSize, d}));
  slices.push_back(slice(b, loc, op.getValue(), {bOff, kvhOff, kOff, zero},
                         {bSize, kvhSize, kSize, dv}));
  Value mask;
  if (Value m = op.getMask()) {
    // Mask dim `d` with the tile's offset and size along it: offset 0 and
    // size 1 where the dim is 1 (broadcast), statically or, for a dynamic
    // dim, at run time.
    auto mType = cast<ShapedType>(m.getType());
    auto broadcastDim =
        [&](int64_t d, OpFoldResult off,
            OpFoldResult size) -> std::pair<OpFoldResult, OpFoldResult> {
      if (!mType.isDynamicDim(d))
        return mType.getDimSize(d) == 1 ? std::make_pair(zero, one)
                                        : std::make_pair(off, size);
      Value unit = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          getValueOrCreateConstantIndexOp(b, loc, dimSize(b, loc, m, d)),
          arith::ConstantIndexOp::create(b, loc, 1));
      auto pick = [&](OpFoldResult ifUnit, OpFoldResult other) -> OpFoldResult {
        if (ifUnit == other)
          return other;
        return arith::SelectOp::create(
                   b, loc, unit,
                   getValueOrCreateConstantIndexOp(b, loc, ifUnit),
                   getValueOrCreateConstantIndexOp(b, loc, other))
            .getResult();
      };
      return {pick(zero, off),
              isConstantIntValue(size, 1) ? one : pick(one, size)};
    };
    auto [mbOff, mbSize] = broadcastDim(0, bOff, bSize);
    auto [mhOff, mhSize] = broadcastDim(1, hOff, hSize);
    mask = slice(b, loc, m, {mbOff, mhOff, iOff, kOff},
                 {mbSize, mhSize, iSize, kSize});
  }
  slices.push_back(mask);
  return slices;
}

/// Offset `base` plus the tile offset `off`.
static Value addOffset(OpBuilder &b, Location loc, Value base,
                       OpFoldResult off) {
  if (isConstantIntValue(off, 0))
    return base;
  return arith::AddIOp::create(b, loc, base,
                               getValueOrCreateConstantIndexOp(b, loc, off));
}

static SmallVector<Operation *> definingOps(ArrayRef<Value> values) {
  SmallVector<Operation *> ops;
  for (Value v : values)
    if (v)
      if (Operation *op = v.getDefiningOp())
        ops.push_back(op);
  return ops;
}

/// The parallel domain [0, size) of the first `count` dims of `v`.
static SmallVector<Range> leadingDomain(OpBuilder &b, Location loc, Value v,
                                        int64_t count) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  SmallVector<Range> domain;
  for (int64_t dim = 0; dim < count; ++dim)
    domain.push_back(Range{zero, dimSize(b, loc, v, dim), one});
  return domain;
}

/// The position of a tile's result whose dims are the tiled loops followed
/// by one whole dim of `lastSize` (the output's channels).
static void rowTilePosition(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                            ArrayRef<OpFoldResult> sizes,
                            OpFoldResult lastSize,
                            SmallVector<OpFoldResult> &resultOffsets,
                            SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets.assign(offsets.begin(), offsets.end());
  resultOffsets.push_back(b.getIndexAttr(0));
  resultSizes.assign(sizes.begin(), sizes.end());
  resultSizes.push_back(lastSize);
}

//===----------------------------------------------------------------------===//
// OnlineAttentionOp
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> OnlineAttentionOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel);
}

SmallVector<Range> OnlineAttentionOp::getIterationDomain(OpBuilder &b) {
  return leadingDomain(b, getLoc(), getQuery(), 3);
}

FailureOr<TilingResult>
OnlineAttentionOp::getTiledImplementation(OpBuilder &b,
                                          ArrayRef<OpFoldResult> offsets,
                                          ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  FailureOr<SmallVector<Value>> inputs = sliceInputs(
      *this, b, loc, offsets, sizes, zero, dimSize(b, loc, getKey(), 2));
  if (failed(inputs))
    return failure();
  Value offset = addOffset(b, loc, getQueryOffset(), offsets[2]);
  Value output = slice(b, loc, getOutput(), {offsets[0], offsets[1], offsets[2], zero},
                       {sizes[0], sizes[1], sizes[2],
                        dimSize(b, loc, getValue(), 3)});
  SmallVector<Type> resultTypes;
  if (getNumResults() == 1)
    resultTypes.push_back(output.getType());
  auto tiled = OnlineAttentionOp::create(
      b, loc, resultTypes, (*inputs)[0], (*inputs)[1], (*inputs)[2],
      (*inputs)[3], offset, output, getScaleAttr(), getSoftcapAttr(),
      getWindowLeftAttr(), getWindowRightAttr(), getChunkAttr());
  copyLoweringConfig(*this, tiled);
  // A scale left to the run time is 1/sqrt(D) of the whole op's D, which a
  // tile shares (D is not tiled).
  return TilingResult{{tiled},
                      SmallVector<Value>(tiled->getResults()),
                      definingOps(*inputs)};
}

LogicalResult OnlineAttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  rowTilePosition(b, offsets, sizes, dimSize(b, getLoc(), getValue(), 3),
                  resultOffsets, resultSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// PartialAttentionOp
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> PartialAttentionOp::getLoopIteratorTypes() {
  return {utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::parallel, utils::IteratorType::reduction};
}

SmallVector<Range> PartialAttentionOp::getIterationDomain(OpBuilder &b) {
  Location loc = getLoc();
  SmallVector<Range> domain = leadingDomain(b, loc, getQuery(), 3);
  domain.push_back(
      Range{b.getIndexAttr(0), dimSize(b, loc, getKey(), 2), b.getIndexAttr(1)});
  return domain;
}

FailureOr<TilingResult>
PartialAttentionOp::getTiledImplementation(OpBuilder &b,
                                           ArrayRef<OpFoldResult> offsets,
                                           ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  FailureOr<SmallVector<Value>> inputs =
      sliceInputs(*this, b, loc, offsets, sizes, offsets[3], sizes[3]);
  if (failed(inputs))
    return failure();
  Value queryOffset = addOffset(b, loc, getQueryOffset(), offsets[2]);
  Value keyOffset = addOffset(b, loc, getKeyOffset(), offsets[3]);
  ArrayRef<OpFoldResult> rowOffsets = offsets.take_front(3),
                         rowSizes = sizes.take_front(3);
  Value acc = slice(b, loc, getAcc(),
                    {rowOffsets[0], rowOffsets[1], rowOffsets[2], zero},
                    {rowSizes[0], rowSizes[1], rowSizes[2],
                     dimSize(b, loc, getValue(), 3)});
  Value max = slice(b, loc, getMax(), rowOffsets, rowSizes);
  Value sum = slice(b, loc, getSum(), rowOffsets, rowSizes);
  SmallVector<Type> resultTypes;
  if (getNumResults() == 3)
    resultTypes = {acc.getType(), max.getType(), sum.getType()};
  // Without an explicit scale the tile must keep the untiled D's default,
  // which it does: D is not tiled.
  auto tiled = PartialAttentionOp::create(
      b, loc, resultTypes, (*inputs)[0], (*inputs)[1], (*inputs)[2],
      (*inputs)[3], queryOffset, keyOffset, acc, max, sum, getScaleAttr(),
      getSoftcapAttr(), getWindowLeftAttr(), getWindowRightAttr(),
      getChunkAttr());
  copyLoweringConfig(*this, tiled);
  return TilingResult{{tiled},
                      SmallVector<Value>(tiled->getResults()),
                      definingOps(*inputs)};
}

LogicalResult PartialAttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  // The key dimension (a reduction) does not index the state.
  resultOffsets.assign(offsets.begin(), offsets.begin() + 3);
  resultSizes.assign(sizes.begin(), sizes.begin() + 3);
  if (resultNumber == 0) {
    resultOffsets.push_back(b.getIndexAttr(0));
    resultSizes.push_back(dimSize(b, getLoc(), getValue(), 3));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// BilinearGatherOp
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> BilinearGatherOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel);
}

SmallVector<Range> BilinearGatherOp::getIterationDomain(OpBuilder &b) {
  return leadingDomain(b, getLoc(), getOutput(), 3);
}

FailureOr<TilingResult>
BilinearGatherOp::getTiledImplementation(OpBuilder &b,
                                         ArrayRef<OpFoldResult> offsets,
                                         ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  auto whole = [&](Value v, int64_t dim) { return dimSize(b, loc, v, dim); };
  // A (n, q, m) tile reads every level (all of S) of its batches and heads,
  // and the locations and weights of its queries.
  Value value = slice(b, loc, getValue(), {offsets[0], zero, offsets[2], zero},
                      {sizes[0], whole(getValue(), 1), sizes[2],
                       whole(getValue(), 3)});
  SmallVector<OpFoldResult> pointOffsets(offsets), pointSizes(sizes);
  for (int64_t dim : {3, 4}) {
    pointOffsets.push_back(zero);
    pointSizes.push_back(whole(getLocations(), dim));
  }
  Value weights;
  if (getWeights())
    weights = slice(b, loc, getWeights(), pointOffsets, pointSizes);
  pointOffsets.push_back(zero);
  pointSizes.push_back(b.getIndexAttr(2));
  Value locations = slice(b, loc, getLocations(), pointOffsets, pointSizes);
  Value output = slice(b, loc, getOutput(),
                       {offsets[0], offsets[1], offsets[2], zero},
                       {sizes[0], sizes[1], sizes[2], whole(getOutput(), 3)});
  SmallVector<Type> resultTypes;
  if (getNumResults() == 1)
    resultTypes.push_back(output.getType());
  auto tiled = BilinearGatherOp::create(
      b, loc, resultTypes, value, locations, weights, output,
      getSpatialShapesAttr(), getAlignCornersAttr(), getPaddingModeAttr(),
      getCoordinatesAttr());
  return TilingResult{{tiled},
                      SmallVector<Value>(tiled->getResults()),
                      definingOps({value, locations, weights})};
}

LogicalResult BilinearGatherOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  rowTilePosition(b, offsets, sizes, dimSize(b, getLoc(), getOutput(), 3),
                  resultOffsets, resultSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// OnlineDCMHAOp
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> OnlineDCMHAOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel);
}

/// The (b, row) domain of the DCMHA tiled forms, whose destination is
/// [B, H, rows, X]: dims 0 and 2; heads stay whole (compose mixes them).
static SmallVector<Range> batchRowDomain(OpBuilder &b, Location loc,
                                         Value output) {
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  return {Range{zero, dimSize(b, loc, output, 0), one},
          Range{zero, dimSize(b, loc, output, 2), one}};
}

/// The destination tile [B, H, rows, X] of a (b, row) tile: all heads and
/// all of X.
static void batchRowTilePosition(OpBuilder &b, Location loc, Value output,
                                 ArrayRef<OpFoldResult> offsets,
                                 ArrayRef<OpFoldResult> sizes,
                                 SmallVector<OpFoldResult> &resultOffsets,
                                 SmallVector<OpFoldResult> &resultSizes) {
  resultOffsets = {offsets[0], b.getIndexAttr(0), offsets[1],
                   b.getIndexAttr(0)};
  resultSizes = {sizes[0], dimSize(b, loc, output, 1), sizes[1],
                 dimSize(b, loc, output, 3)};
}

SmallVector<Range> OnlineDCMHAOp::getIterationDomain(OpBuilder &b) {
  return batchRowDomain(b, getLoc(), getOutput());
}

/// The compose groups of a tile of batches [bOff, bOff + bSize) and query
/// rows [iOff, iOff + iSize): query-indexed operands are sliced to the rows,
/// key-indexed ones keep every key, static weights are shared.
static ComposeGroups sliceComposeGroups(OpBuilder &b, Location loc,
                                        const ComposeGroups &g,
                                        OpFoldResult bOff, OpFoldResult bSize,
                                        OpFoldResult iOff, OpFoldResult iSize) {
  OpFoldResult zero = b.getIndexAttr(0);
  auto rows = [&](Value v) -> Value {
    if (!v)
      return v;
    int64_t rank = cast<ShapedType>(v.getType()).getRank();
    SmallVector<OpFoldResult> offsets = {bOff, iOff}, sizes = {bSize, iSize};
    for (int64_t d = 2; d < rank; ++d) {
      offsets.push_back(zero);
      sizes.push_back(dimSize(b, loc, v, d));
    }
    return slice(b, loc, v, offsets, sizes);
  };
  auto batch = [&](Value v) -> Value {
    if (!v)
      return v;
    int64_t rank = cast<ShapedType>(v.getType()).getRank();
    SmallVector<OpFoldResult> offsets = {bOff}, sizes = {bSize};
    for (int64_t d = 1; d < rank; ++d) {
      offsets.push_back(zero);
      sizes.push_back(dimSize(b, loc, v, d));
    }
    return slice(b, loc, v, offsets, sizes);
  };
  return {g.staticWeights, rows(g.qw1),      rows(g.qw2),
          batch(g.kw1),    batch(g.kw2),     rows(g.queryGate),
          batch(g.keyGate)};
}

FailureOr<TilingResult>
OnlineDCMHAOp::getTiledImplementation(OpBuilder &b,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  OpFoldResult zero = b.getIndexAttr(0);
  OpFoldResult bOff = offsets[0], iOff = offsets[1];
  OpFoldResult bSize = sizes[0], iSize = sizes[1];
  OpFoldResult h = dimSize(b, loc, getQuery(), 1);
  OpFoldResult lk = dimSize(b, loc, getKey(), 2);
  Value q = slice(b, loc, getQuery(), {bOff, zero, iOff, zero},
                  {bSize, h, iSize, dimSize(b, loc, getQuery(), 3)});
  Value k = slice(b, loc, getKey(), {bOff, zero, zero, zero},
                  {bSize, h, lk, dimSize(b, loc, getKey(), 3)});
  Value v = slice(b, loc, getValue(), {bOff, zero, zero, zero},
                  {bSize, h, lk, dimSize(b, loc, getValue(), 3)});
  ComposeGroups pre =
      sliceComposeGroups(b, loc, getPreGroups(), bOff, bSize, iOff, iSize);
  ComposeGroups post =
      sliceComposeGroups(b, loc, getPostGroups(), bOff, bSize, iOff, iSize);
  Value offset = addOffset(b, loc, getQueryOffset(), iOff);
  Value output = slice(b, loc, getOutput(), {bOff, zero, iOff, zero},
                       {bSize, h, iSize, dimSize(b, loc, getValue(), 3)});
  SmallVector<Type> resultTypes;
  if (getNumResults() == 1)
    resultTypes.push_back(output.getType());
  auto tiled = OnlineDCMHAOp::create(
      b, loc, resultTypes, q, k, v, pre.staticWeights, pre.qw1, pre.qw2,
      pre.kw1, pre.kw2, pre.queryGate, pre.keyGate, post.staticWeights,
      post.qw1, post.qw2, post.kw1, post.kw2, post.queryGate, post.keyGate,
      offset, output, getScaleAttr(), getWindowLeftAttr(),
      getWindowRightAttr());
  SmallVector<Value> inputs = {q, k, v};
  for (const ComposeGroups *g : {&pre, &post})
    inputs.append({g->qw1, g->qw2, g->kw1, g->kw2, g->queryGate, g->keyGate});
  return TilingResult{{tiled},
                      SmallVector<Value>(tiled->getResults()),
                      definingOps(inputs)};
}

LogicalResult OnlineDCMHAOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  batchRowTilePosition(b, getLoc(), getOutput(), offsets, sizes,
                       resultOffsets, resultSizes);
  return success();
}

//===----------------------------------------------------------------------===//
// TiledComposeOp
//===----------------------------------------------------------------------===//

SmallVector<utils::IteratorType> TiledComposeOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel);
}


/// (b, t): batches and query rows; heads and keys stay whole.
SmallVector<Range> TiledComposeOp::getIterationDomain(OpBuilder &b) {
  return batchRowDomain(b, getLoc(), getOutput());
}

FailureOr<TilingResult>
TiledComposeOp::getTiledImplementation(OpBuilder &b,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  SmallVector<OpFoldResult> resultOffsets, resultSizes;
  (void)getResultTilePosition(b, 0, offsets, sizes, resultOffsets,
                              resultSizes);
  Value scores = slice(b, loc, getScores(), resultOffsets, resultSizes);
  Value output = slice(b, loc, getOutput(), resultOffsets, resultSizes);
  ComposeGroups g = sliceComposeGroups(b, loc, getGroups(), offsets[0],
                                       sizes[0], offsets[1], sizes[1]);
  SmallVector<Type> resultTypes;
  if (getNumResults() == 1)
    resultTypes.push_back(output.getType());
  auto tiled = TiledComposeOp::create(b, loc, resultTypes, scores,
                                      g.staticWeights, g.qw1, g.qw2, g.kw1,
                                      g.kw2, g.queryGate, g.keyGate, output);
  return TilingResult{
      {tiled},
      SmallVector<Value>(tiled->getResults()),
      definingOps({scores, g.qw1, g.qw2, g.kw1, g.kw2, g.queryGate,
                   g.keyGate})};
}

LogicalResult TiledComposeOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  batchRowTilePosition(b, getLoc(), getOutput(), offsets, sizes,
                       resultOffsets, resultSizes);
  return success();
}
