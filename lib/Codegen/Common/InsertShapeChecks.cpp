//===- InsertShapeChecks.cpp - run-time checks of linalg shapes -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/Twine.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNINSERTSHAPECHECKSPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
/// An operand dim that a loop indexes directly.
struct LoopUse {
  OpOperand *operand;
  unsigned dim;
};

/// The start of a function's entry block (its prologue), where the checks of
/// the ops in that block go when every size they compare can be recomputed
/// there from the function's arguments and constants. A failing check
/// unwinds the call (attn-run, the Python bindings and attn-compile'd
/// libraries turn it into an error), and a buffer the function had
/// allocated before it would leak: checked at the op, an elementwise op's
/// output buffer (its tensor.empty) is already allocated.
class Prologue {
public:
  explicit Prologue(Block *entry) : entry(entry), b(entry, entry->begin()) {}

  /// Whether `op` runs unconditionally, once per call (checks of ops in
  /// regions or other blocks stay at the op).
  bool covers(Operation *op) const { return op->getBlock() == entry; }

  /// Whether dim `d` of the tensor `value` (the index `value`) can be
  /// recomputed in the prologue.
  bool canDim(Value value, int64_t d) {
    return static_cast<bool>(resolveDim(value, d, false));
  }
  bool canIndex(Value value) {
    return static_cast<bool>(resolveIndex(value, false));
  }
  /// That dim (index), recomputed in the prologue (once per value).
  Value dim(Value value, int64_t d) { return resolveDim(value, d, true); }
  Value index(Value value) { return resolveIndex(value, true); }

  OpBuilder &builder() { return b; }

private:
  /// With `emit`, creates the ops; without, only says whether it can.
  Value resolveDim(Value value, int64_t d, bool emit);
  Value resolveIndex(Value value, bool emit);
  Block *entry;
  OpBuilder b;
  IRMapping indices;
  DenseMap<std::pair<Value, int64_t>, Value> dims;
};

Value Prologue::resolveDim(Value value, int64_t d, bool emit) {
  auto type = cast<RankedTensorType>(value.getType());
  Location loc = value.getLoc();
  // Without `emit`, any non-null value says "can".
  if (!type.isDynamicDim(d))
    return emit ? arith::ConstantIndexOp::create(b, loc, type.getDimSize(d))
                      .getResult()
                : value;
  if (auto it = dims.find({value, d}); it != dims.end())
    return it->second;
  Value result;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (arg.getOwner() != entry)
      return {};
    result = emit ? tensor::DimOp::create(b, loc, value, d).getResult() : value;
  } else if (auto empty = value.getDefiningOp<tensor::EmptyOp>()) {
    result = resolveIndex(empty.getDynamicSize(d), emit);
  } else if (auto castOp = value.getDefiningOp<tensor::CastOp>()) {
    // Run-time dims agree with the source's (the cast only refines types).
    result = resolveDim(castOp.getSource(), d, emit);
  } else if (auto dps = value.getDefiningOp<DestinationStyleOpInterface>()) {
    // A result has the shape of its init.
    if (OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(value)))
      result = resolveDim(init->get(), d, emit);
  }
  if (emit && result)
    dims[{value, d}] = result;
  return result;
}

Value Prologue::resolveIndex(Value value, bool emit) {
  if (Value mapped = indices.lookupOrNull(value))
    return mapped;
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner() == entry ? value : Value();
  Operation *def = value.getDefiningOp();
  if (auto dim = dyn_cast<tensor::DimOp>(def)) {
    std::optional<int64_t> d = dim.getConstantIndex();
    return d ? resolveDim(dim.getSource(), *d, emit) : Value();
  }
  // Constants and pure arith ops on recomputable indices.
  if (def->getNumResults() != 1 || def->getNumRegions() != 0 ||
      !isa<arith::ArithDialect>(def->getDialect()) || !isPure(def))
    return {};
  for (Value operand : def->getOperands())
    if (!resolveIndex(operand, /*emit=*/false))
      return {};
  if (!emit)
    return value;
  for (Value operand : def->getOperands())
    indices.map(operand, resolveIndex(operand, /*emit=*/true));
  Value result = b.clone(*def, indices)->getResult(0);
  indices.map(value, result);
  return result;
}

/// Adds the checks of one linalg op on tensors.
void insertChecks(OpBuilder &atOp, Prologue &prologue, linalg::LinalgOp op) {
  SmallVector<SmallVector<LoopUse>> uses(op.getNumLoops());
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.get().getType());
    if (!type)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    for (auto [dim, expr] : llvm::enumerate(map.getResults()))
      if (auto loop = dyn_cast<AffineDimExpr>(expr))
        uses[loop.getPosition()].push_back({&operand, static_cast<unsigned>(dim)});
  }
  auto isDynamic = [](const LoopUse &u) {
    return cast<ShapedType>(u.operand->get().getType()).isDynamicDim(u.dim);
  };
  // Pairs (first use of a loop, another use) to compare.
  SmallVector<std::tuple<int64_t, LoopUse, LoopUse>> pairs;
  for (auto [loop, loopUses] : llvm::enumerate(uses)) {
    if (loopUses.size() < 2 || llvm::none_of(loopUses, isDynamic))
      continue;
    for (const LoopUse &use : ArrayRef(loopUses).drop_front())
      if (isDynamic(use) || isDynamic(loopUses.front()))
        pairs.emplace_back(loop, loopUses.front(), use);
  }
  if (pairs.empty())
    return;
  bool early = prologue.covers(op) && llvm::all_of(pairs, [&](auto &pair) {
                 auto &[loop, first, use] = pair;
                 return prologue.canDim(first.operand->get(), first.dim) &&
                        prologue.canDim(use.operand->get(), use.dim);
               });
  OpBuilder &b = early ? prologue.builder() : atOp;
  if (!early)
    b.setInsertionPoint(op);
  auto dimOf = [&](const LoopUse &u) -> Value {
    if (early)
      return prologue.dim(u.operand->get(), u.dim);
    return tensor::DimOp::create(b, op.getLoc(), u.operand->get(), u.dim);
  };
  Location loc = op.getLoc();
  std::string opName = op->getName().getStringRef().str();
  DenseMap<int64_t, Value> sizes;
  for (auto &[loop, first, use] : pairs) {
    Value &size = sizes[loop];
    if (!size)
      size = dimOf(first);
    Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size,
                                       dimOf(use));
    cf::AssertOp::create(
        b, loc, same,
        (opName + ": operand #" + Twine(use.operand->getOperandNumber()) +
         " dim " + Twine(use.dim) + " does not match operand #" +
         Twine(first.operand->getOperandNumber()) + " dim " + Twine(first.dim) +
         " (both are loop d" + Twine(loop) + ")")
            .str());
  }
}

/// Adds the bounds checks of a tensor slice (extract_slice of its source,
/// insert_slice into its destination) whose offsets, sizes, strides or full
/// tensor are dynamic: per dim, 0 <= offset and, for a non-empty slice,
/// offset + (size - 1) * stride < dim.
template <typename OpTy>
void insertSliceChecks(OpBuilder &atOp, Prologue &prologue, OpTy op,
                       Value full) {
  auto type = cast<RankedTensorType>(full.getType());
  bool dynamic = !type.hasStaticShape() ||
                 llvm::any_of(op.getMixedOffsets(), llvm::IsaPred<Value>) ||
                 llvm::any_of(op.getMixedSizes(), llvm::IsaPred<Value>) ||
                 llvm::any_of(op.getMixedStrides(), llvm::IsaPred<Value>);
  if (!dynamic)
    return;
  auto canIndex = [&](ArrayRef<OpFoldResult> values) {
    return llvm::all_of(values, [&](OpFoldResult v) {
      auto value = dyn_cast<Value>(v);
      return !value || prologue.canIndex(value);
    });
  };
  bool early = prologue.covers(op) && canIndex(op.getMixedOffsets()) &&
               canIndex(op.getMixedSizes()) && canIndex(op.getMixedStrides());
  for (int64_t d = 0; early && d < type.getRank(); ++d)
    early = prologue.canDim(full, d);
  OpBuilder &b = early ? prologue.builder() : atOp;
  if (!early)
    b.setInsertionPoint(op);
  Location loc = op.getLoc();
  auto value = [&](OpFoldResult v) -> Value {
    if (early)
      if (auto dynamicValue = dyn_cast<Value>(v))
        return prologue.index(dynamicValue);
    return getValueOrCreateConstantIndexOp(b, loc, v);
  };
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  std::string opName = op->getName().getStringRef().str();
  for (int64_t d = 0; d < type.getRank(); ++d) {
    Value offset = value(op.getMixedOffsets()[d]);
    Value size = value(op.getMixedSizes()[d]);
    Value stride = value(op.getMixedStrides()[d]);
    Value dim = early ? prologue.dim(full, d)
                      : tensor::DimOp::create(b, loc, full, d).getResult();
    // last = offset + (size - 1) * stride, for size > 0.
    Value last = arith::AddIOp::create(
        b, loc, offset,
        arith::MulIOp::create(b, loc, arith::SubIOp::create(b, loc, size, one),
                              stride));
    Value empty =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, zero);
    Value inside = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, offset, zero),
        arith::OrIOp::create(
            b, loc, empty,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, last,
                                  dim)));
    cf::AssertOp::create(b, loc, inside,
                         (opName + ": the slice leaves dimension " + Twine(d) +
                          " of the " +
                          (isa<tensor::ExtractSliceOp>(op) ? "source"
                                                           : "destination"))
                             .str());
  }
}

struct AttnInsertShapeChecksPass
    : public mlir::attn::impl::AttnInsertShapeChecksPassBase<
          AttnInsertShapeChecksPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    OpBuilder b(&getContext());
    Prologue prologue(&func.getBody().front());
    func.walk([&](Operation *op) {
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        if (linalgOp.hasPureTensorSemantics())
          insertChecks(b, prologue, linalgOp);
      } else if (auto extract = dyn_cast<tensor::ExtractSliceOp>(op)) {
        insertSliceChecks(b, prologue, extract, extract.getSource());
      } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
        insertSliceChecks(b, prologue, insert, insert.getDest());
      }
    });
  }
};
} // namespace
