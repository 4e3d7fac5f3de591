//===- ConvertToGather.cpp - sampling ops to bilinear_gather ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Graph-level sampling ops become the destination-style tiled form
// `attn.bilinear_gather`: `attn.ms_deform_attn` is it with `[0, 1]`
// coordinates and zeros padding (its [N, Lq, M*D] result is the gather's
// [N, Lq, M, D] collapsed); `attn.deformable_sample` is the one-head,
// one-level, one-point case without weights (its [N, Hin, Win, C] map is one
// level of Hin*Win rows, its [N, Hout, Wout] grid Hout*Wout queries). The
// reshapes are metadata only after bufferization.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCONVERTTOGATHERPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Mixed sizes of all dims of tensor `v`.
static SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, Location loc,
                                            Value v) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0, e = cast<ShapedType>(v.getType()).getRank(); d < e; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, v, d));
  return sizes;
}

/// The product of `sizes` as an OpFoldResult (static when all are).
static OpFoldResult product(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> sizes) {
  OpFoldResult result = b.getIndexAttr(1);
  for (OpFoldResult s : sizes) {
    std::optional<int64_t> x = getConstantIntValue(result),
                           y = getConstantIntValue(s);
    if (x && y) {
      result = b.getIndexAttr(*x * *y);
      continue;
    }
    result = arith::MulIOp::create(b, loc,
                                   getValueOrCreateConstantIndexOp(b, loc, result),
                                   getValueOrCreateConstantIndexOp(b, loc, s))
                 .getResult();
  }
  return result;
}

/// `v` reshaped to `sizes` by collapsing then expanding along `collapse` and
/// `expand` reassociations (`mid` the collapsed sizes).
static Value reshape(OpBuilder &b, Location loc, Value v,
                     ArrayRef<ReassociationIndices> collapse,
                     ArrayRef<ReassociationIndices> expand,
                     ArrayRef<OpFoldResult> sizes) {
  Value collapsed = tensor::CollapseShapeOp::create(b, loc, v, collapse);
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  // MLIR 22's -expand-strided-metadata crashes on a memref.expand_shape
  // with two dynamic sizes in one group (a dynamic Hout and Wout); such
  // shapes go through tensor.reshape (memref.reshape) instead.
  bool twoDynamic = llvm::any_of(expand, [&](const ReassociationIndices &g) {
    return llvm::count_if(g, [&](int64_t d) {
             return ShapedType::isDynamic(shape[d]);
           }) > 1;
  });
  if (twoDynamic) {
    SmallVector<Value> dims;
    for (OpFoldResult s : sizes)
      dims.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
    Value shapeTensor = tensor::FromElementsOp::create(b, loc, dims);
    return tensor::ReshapeOp::create(b, loc, resultType, collapsed,
                                     shapeTensor);
  }
  return tensor::ExpandShapeOp::create(b, loc, resultType, collapsed, expand,
                                       sizes);
}

/// `v` with dim `dim` (`dimName` in the error) cast to the static `size`,
/// with a run-time check when it is dynamic.
static Value withStaticDim(OpBuilder &b, Location loc, Operation *op, Value v,
                           int64_t dim, int64_t size, StringRef name,
                           StringRef dimName) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.isDynamicDim(dim))
    return v;
  Value found = tensor::DimOp::create(b, loc, v, dim);
  Value expected = arith::ConstantIndexOp::create(b, loc, size);
  cf::AssertOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, found, expected),
      (op->getName().getStringRef() + ": '" + name + "' dim " + Twine(dim) +
       " (" + dimName + ") must be " + Twine(size))
          .str());
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = size;
  return tensor::CastOp::create(b, loc, type.clone(shape), v);
}

/// Errors for shapes the gather cannot take: its row indices are i32.
static LogicalResult checkRows(Operation *op, int64_t rows) {
  if (rows <= std::numeric_limits<int32_t>::max())
    return success();
  return op->emitOpError("has no code-generation path for maps of more than "
                         "2^31 - 1 pixels (found ")
         << rows << ")";
}

FailureOr<BilinearGatherOp> mlir::attn::convertToGather(RewriterBase &rewriter,
                                                        Operation *op) {
  Location loc = op->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Type elt = resultType.getElementType();
  OpFoldResult one = rewriter.getIndexAttr(1);

  if (auto sample = dyn_cast<DeformableSampleOp>(op)) {
    Value input = sample.getInput(), grid = sample.getGrid();
    auto inType = cast<RankedTensorType>(input.getType());
    if (inType.isDynamicDim(1) || inType.isDynamicDim(2))
      return op->emitOpError("has no code-generation path for a dynamic "
                             "input height or width (found ")
             << inType << ")";
    int64_t hin = inType.getDimSize(1), win = inType.getDimSize(2);
    if (failed(checkRows(op, hin * win)))
      return failure();
    if (hin == 0 || win == 0) {
      // An empty map: every sample reads zeros.
      Value init = tensor::EmptyOp::create(
          rewriter, loc, mixedSizes(rewriter, loc, op->getResult(0)), elt);
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getZeroAttr(elt));
      rewriter.replaceOp(
          op, linalg::FillOp::create(rewriter, loc, zero, init).getResult(0));
      return BilinearGatherOp();
    }
    assertSameDim(rewriter, loc, op, grid, 0, "grid", input, 0, "input", "N");
    grid = withStaticDim(rewriter, loc, op, grid, 3, 2, "grid", "xy");
    SmallVector<OpFoldResult> in = mixedSizes(rewriter, loc, input);
    SmallVector<OpFoldResult> g = mixedSizes(rewriter, loc, grid);
    OpFoldResult queries = product(rewriter, loc, {g[1], g[2]});
    // input [N, Hin, Win, C] -> value [N, Hin*Win, 1, C]
    Value value = reshape(rewriter, loc, input, {{0}, {1, 2}, {3}},
                          {{0}, {1}, {2, 3}},
                          {in[0], rewriter.getIndexAttr(hin * win), one, in[3]});
    // grid [N, Hout, Wout, 2] -> locations [N, Hout*Wout, 1, 1, 1, 2]
    Value locations =
        reshape(rewriter, loc, grid, {{0}, {1, 2}, {3}}, {{0}, {1, 2, 3, 4}, {5}},
                {in[0], queries, one, one, one, rewriter.getIndexAttr(2)});
    SmallVector<OpFoldResult> outSizes = {in[0], queries, one, in[3]};
    Value init = tensor::EmptyOp::create(rewriter, loc, outSizes, elt);
    auto gather = BilinearGatherOp::create(
        rewriter, loc, TypeRange{init.getType()}, value, locations, Value(),
        init, rewriter.getDenseI64ArrayAttr({hin, win}),
        sample.getAlignCornersAttr(), sample.getPaddingModeAttr(),
        CoordinatesAttr::get(rewriter.getContext(), Coordinates::grid));
    // [N, Hout*Wout, 1, C] -> [N, Hout, Wout, C]
    Value result = reshape(rewriter, loc, gather.getResult()[0],
                           {{0}, {1}, {2, 3}}, {{0}, {1, 2}, {3}},
                           {in[0], g[1], g[2], in[3]});
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return gather;
  }

  auto msda = dyn_cast<MSDeformAttnOp>(op);
  if (!msda)
    return rewriter.notifyMatchFailure(op, "not a sampling op");
  Value value = msda.getValue(), locations = msda.getSamplingLocations(),
        weights = msda.getAttentionWeights();
  int64_t rows = 0;
  ArrayRef<int64_t> shapes = msda.getSpatialShapes();
  for (size_t l = 0; l + 1 < shapes.size(); l += 2)
    rows += shapes[l] * shapes[l + 1];
  if (failed(checkRows(op, rows)))
    return failure();
  // ms_deform_attn_c2/c3 where a dim is dynamic.
  auto valueType = cast<RankedTensorType>(value.getType());
  if (valueType.isDynamicDim(1)) {
    Value s = tensor::DimOp::create(rewriter, loc, value, 1);
    Value expected = arith::ConstantIndexOp::create(rewriter, loc, rows);
    cf::AssertOp::create(
        rewriter, loc,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, s,
                              expected),
        (op->getName().getStringRef() + ": 'value' dim 1 (S) does not match "
                                        "the sum of H_l*W_l over "
                                        "'spatial_shapes' (" +
         Twine(rows) + ")")
            .str());
  }
  // The levels come from 'spatial_shapes': a dynamic L must match them, or
  // the gather would read past the ends of the locations and weights.
  locations = withStaticDim(rewriter, loc, op, locations, 3, shapes.size() / 2,
                            "sampling_locations", "L");
  locations = withStaticDim(rewriter, loc, op, locations, 5, 2,
                            "sampling_locations", "xy");
  assertSameDim(rewriter, loc, op, locations, 0, "sampling_locations", value,
                0, "value", "N");
  assertSameDim(rewriter, loc, op, locations, 2, "sampling_locations", value,
                2, "value", "M");
  // A named array: a braced list inside the range expression would die
  // before the loop body runs (AddressSanitizer: stack-use-after-scope).
  static constexpr StringLiteral kWeightDims[] = {"N", "Lq", "M", "L", "P"};
  for (auto [d, name] : llvm::enumerate(kWeightDims))
    assertSameDim(rewriter, loc, op, weights, d, "attention_weights",
                  locations, d, "sampling_locations", name);
  SmallVector<OpFoldResult> v = mixedSizes(rewriter, loc, value);
  SmallVector<OpFoldResult> outSizes = {
      v[0], tensor::getMixedSize(rewriter, loc, locations, 1), v[2], v[3]};
  Value init = tensor::EmptyOp::create(rewriter, loc, outSizes, elt);
  auto gather = BilinearGatherOp::create(
      rewriter, loc, TypeRange{init.getType()}, value, locations, weights, init,
      msda.getSpatialShapesAttr(), rewriter.getBoolAttr(false),
      PaddingModeAttr::get(rewriter.getContext(), PaddingMode::zeros),
      CoordinatesAttr::get(rewriter.getContext(), Coordinates::unit));
  // [N, Lq, M, D] -> [N, Lq, M*D]
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, gather.getResult()[0],
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  if (result.getType() != resultType)
    result = tensor::CastOp::create(rewriter, loc, resultType, result);
  rewriter.replaceOp(op, result);
  return gather;
}

namespace {
struct AttnConvertToGatherPass
    : public mlir::attn::impl::AttnConvertToGatherPassBase<
          AttnConvertToGatherPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<DeformableSampleOp, MSDeformAttnOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      if (failed(convertToGather(rewriter, op)))
        return signalPassFailure();
  }
};
} // namespace
