//===- Linalg.cpp - linalg ops in float64 -----------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The linalg payload interpreter and linalg.softmax (Linalg.h). The payload
// is numbered into slots once per op; each point of the iteration space then
// fills the block-argument slots from the operands, runs the payload ops in
// order and stores the yielded values. Loops advance as an odometer and
// affine expressions are evaluated with an explicit stack: nothing recurses
// on the IR or on the loop count.
//
//===----------------------------------------------------------------------===//

#include "Linalg.h"

#include "Detail.h"
#include "Scalar.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn::reference;
using namespace mlir::attn::reference::detail;
using llvm::Error;
using llvm::Expected;

//===----------------------------------------------------------------------===//
// Affine maps
//===----------------------------------------------------------------------===//

/// Evaluates `expr` at loop indices `dims`, iteratively (post-order with an
/// explicit stack). Fails on symbols and non-positive divisors.
static Expected<int64_t> evalAffine(AffineExpr expr, ArrayRef<int64_t> dims) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dims[dim.getPosition()];
  if (auto cst = dyn_cast<AffineConstantExpr>(expr))
    return cst.getValue();
  SmallVector<std::pair<AffineExpr, bool>> stack = {{expr, false}};
  SmallVector<int64_t> values;
  while (!stack.empty()) {
    auto [e, expanded] = stack.pop_back_val();
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      values.push_back(dims[dim.getPosition()]);
      continue;
    }
    if (auto cst = dyn_cast<AffineConstantExpr>(e)) {
      values.push_back(cst.getValue());
      continue;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return makeError("unsupported affine expression " + printToString(e));
    if (!expanded) {
      stack.push_back({e, true});
      stack.push_back({bin.getRHS(), false});
      stack.push_back({bin.getLHS(), false});
      continue;
    }
    int64_t rhs = values.pop_back_val();
    int64_t lhs = values.pop_back_val();
    switch (e.getKind()) {
    case AffineExprKind::Add:
      values.push_back(lhs + rhs);
      break;
    case AffineExprKind::Mul:
      values.push_back(lhs * rhs);
      break;
    case AffineExprKind::Mod:
    case AffineExprKind::FloorDiv:
    case AffineExprKind::CeilDiv:
      if (rhs <= 0)
        return makeError("non-positive divisor in affine expression " +
                         printToString(e));
      if (e.getKind() == AffineExprKind::Mod)
        values.push_back(((lhs % rhs) + rhs) % rhs);
      else if (e.getKind() == AffineExprKind::FloorDiv)
        values.push_back(floorDivInt(lhs, rhs));
      else
        values.push_back(ceilDivInt(lhs, rhs));
      break;
    default:
      return makeError("unsupported affine expression " + printToString(e));
    }
  }
  return values.back();
}

//===----------------------------------------------------------------------===//
// linalg.softmax
//===----------------------------------------------------------------------===//

Error mlir::attn::reference::detail::evalSoftmax(Scope &scope,
                                                 linalg::SoftmaxOp op) {
  if (op->getNumResults() != 1)
    return makeError(opName(op) + ": only the tensor form is supported");
  Expected<const Tensor *> input = scope.tensorOf(op, op.getInput());
  if (!input)
    return input.takeError();
  const Tensor &in = **input;
  int64_t dim = static_cast<int64_t>(op.getDimension());
  if (dim >= static_cast<int64_t>(in.shape.size()))
    return makeError(opName(op) + ": dimension " + std::to_string(dim) +
                     " out of range for shape " + formatShape(in.shape));
  // View the tensor as [outer, size, inner] around `dim`.
  int64_t outer = 1, inner = 1, size = in.shape[dim];
  for (int64_t d = 0; d < dim; ++d)
    outer *= in.shape[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(in.shape.size()); ++d)
    inner *= in.shape[d];
  Tensor out = Tensor::filled(in.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * size + j) * inner + i; };
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < size; ++j)
        max = ieeeMaximum(max, in.data[at(j)]);
      double sum = 0.0;
      for (int64_t j = 0; j < size; ++j) {
        out.data[at(j)] = std::exp(in.data[at(j)] - max);
        sum += out.data[at(j)];
      }
      for (int64_t j = 0; j < size; ++j)
        out.data[at(j)] /= sum;
    }
  return scope.setTensor(op, op->getResult(0), std::move(out));
}

//===----------------------------------------------------------------------===//
// Structured ops
//===----------------------------------------------------------------------===//

namespace {
/// One operand of a linalg op, as the payload interpreter reads it.
struct LinalgOperand {
  /// The tensor read (inputs) or written (inits); nullptr for a scalar.
  const Tensor *tensor = nullptr;
  Tensor *output = nullptr;
  double scalar = 0.0;
  AffineMap map;
  /// Result position -> loop dimension, or -1 when the result is not a
  /// plain dimension (then `map` is evaluated).
  SmallVector<int64_t> dimOfResult;
  /// Block argument slot, or -1 when the payload has no argument for it.
  int64_t slot = -1;
};

/// One payload op: result slot from operand slots.
struct PayloadOp {
  Operation *op;
  SmallVector<unsigned> operandSlots;
  unsigned resultSlot;
  /// >= 0 for `linalg.index`: the loop dimension it reads.
  int64_t indexDim = -1;
};
} // namespace

/// Row-major offset into `operand`'s tensor at loop indices `point`.
static Expected<int64_t> offsetAt(const LinalgOperand &operand,
                                  ArrayRef<int64_t> point, Operation *op) {
  const SmallVector<int64_t> &shape = operand.tensor->shape;
  int64_t linear = 0;
  for (unsigned r = 0; r < operand.map.getNumResults(); ++r) {
    int64_t i;
    if (operand.dimOfResult[r] >= 0) {
      i = point[operand.dimOfResult[r]];
    } else {
      Expected<int64_t> v = evalAffine(operand.map.getResult(r), point);
      if (!v)
        return v.takeError();
      i = *v;
      if (i < 0 || i >= shape[r])
        return makeError(opName(op) + ": indexing map " +
                         printToString(operand.map) + " reads outside shape " +
                         formatShape(shape));
    }
    linear = linear * shape[r] + i;
  }
  return linear;
}

Error mlir::attn::reference::detail::evalLinalg(Scope &scope,
                                                linalg::LinalgOp op) {
  Operation *raw = op.getOperation();
  if (!op.hasPureTensorSemantics())
    return makeError(opName(raw) +
                     ": only linalg ops on tensors are supported");
  Block *body = op.getBlock();
  if (!body)
    return makeError(opName(raw) + ": has no payload region");
  int64_t numInputs = op.getNumDpsInputs();
  int64_t numInits = op.getNumDpsInits();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (static_cast<int64_t>(maps.size()) != numInputs + numInits ||
      raw->getNumOperands() != numInputs + numInits)
    return makeError(opName(raw) + ": unexpected operand/indexing map count");

  // Operands and outputs (copies of the inits, updated in place).
  std::vector<Tensor> outputs(numInits);
  SmallVector<LinalgOperand> operands(numInputs + numInits);
  SmallVector<int64_t> allSizes;
  for (auto [i, value] : llvm::enumerate(raw->getOperands())) {
    LinalgOperand &operand = operands[i];
    operand.map = maps[i];
    if (maps[i].getNumSymbols() != 0)
      return makeError(opName(raw) + ": indexing maps with symbols are not "
                                     "supported");
    if (!isa<ShapedType>(value.getType())) {
      if (static_cast<int64_t>(i) >= numInputs)
        return makeError(opName(raw) + ": scalar init operand");
      Expected<double> s = scope.scalarOf(raw, value);
      if (!s)
        return s.takeError();
      operand.scalar = *s;
      continue;
    }
    Expected<const Tensor *> t = scope.tensorOf(raw, value);
    if (!t)
      return t.takeError();
    if (static_cast<int64_t>((*t)->shape.size()) != maps[i].getNumResults())
      return makeError(opName(raw) + ": operand #" + std::to_string(i) +
                       " has rank " + std::to_string((*t)->shape.size()) +
                       " but its indexing map " + printToString(maps[i]) +
                       " has " + std::to_string(maps[i].getNumResults()) +
                       " results");
    allSizes.append((*t)->shape.begin(), (*t)->shape.end());
    if (static_cast<int64_t>(i) >= numInputs) {
      outputs[i - numInputs] = **t;
      operand.output = &outputs[i - numInputs];
      operand.tensor = operand.output;
    } else {
      operand.tensor = *t;
    }
  }

  // Loop ranges from the operand shapes, then check that every plain
  // dimension access agrees with them.
  AffineMap shapesToLoops = op.getShapesToLoopsMap();
  if (!shapesToLoops)
    return makeError(opName(raw) + ": cannot derive loop ranges from the "
                                   "indexing maps");
  SmallVector<int64_t> ranges = shapesToLoops.compose(allSizes);
  for (auto [i, operand] : llvm::enumerate(operands)) {
    for (unsigned r = 0; r < operand.map.getNumResults(); ++r) {
      auto dim = dyn_cast<AffineDimExpr>(operand.map.getResult(r));
      operand.dimOfResult.push_back(
          dim ? static_cast<int64_t>(dim.getPosition()) : int64_t{-1});
      if (dim && operand.tensor &&
          ranges[dim.getPosition()] != operand.tensor->shape[r])
        return makeError(opName(raw) + ": operand #" + std::to_string(i) +
                         " has shape " + formatShape(operand.tensor->shape) +
                         " but loop d" + std::to_string(dim.getPosition()) +
                         " runs over " +
                         std::to_string(ranges[dim.getPosition()]) +
                         " (indexing map " + printToString(operand.map) + ")");
    }
  }

  // Number the payload values: block arguments, captured scalars, results.
  llvm::DenseMap<Value, unsigned> slotOf;
  SmallVector<double> slots;
  auto newSlot = [&](Value v, double init) {
    slotOf[v] = slots.size();
    slots.push_back(init);
    return slots.size() - 1;
  };
  if (body->getNumArguments() == static_cast<unsigned>(numInputs + numInits)) {
    for (auto [i, arg] : llvm::enumerate(body->getArguments()))
      operands[i].slot = newSlot(arg, 0.0);
  } else if (body->getNumArguments() == static_cast<unsigned>(numInputs)) {
    // linalg.map: no block argument for the init.
    for (auto [i, arg] : llvm::enumerate(body->getArguments()))
      operands[i].slot = newSlot(arg, 0.0);
  } else {
    return makeError(opName(raw) + ": unexpected payload block arguments");
  }
  SmallVector<PayloadOp> payload;
  SmallVector<unsigned> yieldSlots;
  for (Operation &bodyOp : *body) {
    auto slotFor = [&](Value v) -> Expected<unsigned> {
      auto it = slotOf.find(v);
      if (it != slotOf.end())
        return it->second;
      // A scalar defined above the linalg op.
      Expected<double> s = scope.scalarOf(&bodyOp, v);
      if (!s)
        return s.takeError();
      return newSlot(v, *s);
    };
    if (auto yield = dyn_cast<linalg::YieldOp>(bodyOp)) {
      for (Value v : yield.getOperands()) {
        Expected<unsigned> s = slotFor(v);
        if (!s)
          return s.takeError();
        yieldSlots.push_back(*s);
      }
      continue;
    }
    if (auto cst = dyn_cast<arith::ConstantOp>(bodyOp)) {
      std::optional<double> v = scalarConstant(cst.getValue());
      if (!v)
        return makeError(opName(&bodyOp) +
                         ": unsupported constant in the "
                         "payload of " +
                         opName(raw));
      newSlot(cst.getResult(), *v);
      continue;
    }
    PayloadOp p;
    p.op = &bodyOp;
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
      p.indexDim = index.getDim();
      if (p.indexDim >= static_cast<int64_t>(ranges.size()))
        return makeError(opName(&bodyOp) + ": dimension out of range");
    } else if (!isScalarOp(&bodyOp)) {
      return makeError("unsupported op " + opName(&bodyOp) +
                       " in the payload of " + opName(raw));
    }
    for (Value v : bodyOp.getOperands()) {
      Expected<unsigned> s = slotFor(v);
      if (!s)
        return s.takeError();
      p.operandSlots.push_back(*s);
    }
    p.resultSlot = newSlot(bodyOp.getResult(0), 0.0);
    payload.push_back(std::move(p));
  }
  if (static_cast<int64_t>(yieldSlots.size()) != numInits)
    return makeError(opName(raw) + ": payload yields " +
                     std::to_string(yieldSlots.size()) + " values for " +
                     std::to_string(numInits) + " inits");

  // Run the payload at every point of the iteration space, last loop
  // fastest (an odometer, so no recursion on the loop count).
  bool empty = llvm::any_of(ranges, [](int64_t r) { return r <= 0; });
  SmallVector<int64_t> point(ranges.size(), 0);
  SmallVector<int64_t> offsets(operands.size(), 0);
  SmallVector<double> x;
  while (!empty) {
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (!operand.tensor)
        continue;
      Expected<int64_t> offset = offsetAt(operand, point, raw);
      if (!offset)
        return offset.takeError();
      offsets[i] = *offset;
    }
    for (auto [i, operand] : llvm::enumerate(operands)) {
      if (operand.slot < 0)
        continue;
      slots[operand.slot] =
          operand.tensor ? operand.tensor->data[offsets[i]] : operand.scalar;
    }
    for (PayloadOp &p : payload) {
      if (p.indexDim >= 0) {
        slots[p.resultSlot] = static_cast<double>(point[p.indexDim]);
        continue;
      }
      x.clear();
      for (unsigned s : p.operandSlots)
        x.push_back(slots[s]);
      slots[p.resultSlot] = *evalScalar(p.op, x);
    }
    for (int64_t i = 0; i < numInits; ++i)
      operands[numInputs + i].output->data[offsets[numInputs + i]] =
          slots[yieldSlots[i]];

    // Advance.
    int64_t d = static_cast<int64_t>(ranges.size()) - 1;
    for (; d >= 0; --d) {
      if (++point[d] < ranges[d])
        break;
      point[d] = 0;
    }
    if (d < 0)
      break;
  }

  for (int64_t i = 0; i < numInits; ++i)
    if (Error e =
            scope.setTensor(raw, raw->getResult(i), std::move(outputs[i])))
      return e;
  return Error::success();
}
