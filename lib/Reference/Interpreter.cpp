//===- Interpreter.cpp - evaluate a func.func in float64 --------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// `evaluate` and the dispatch (StableHLO's reference/Ops and Api): walks the
// single block of a `func.func` in order, keeping the value of every SSA
// value in a Scope, and sends each op to its evaluator: the `attn` ops to the
// functions of Ops.cpp (after the shape checks of Detail.h), `linalg` ops to
// the payload interpreter of Linalg.cpp, elementwise arith/math ops to the
// scalar semantics of Scalar.cpp applied element by element, TOSA ops to
// Tosa.cpp, and the tensor
// ops that only move data (reshapes, casts, extract) to small evaluators
// here. The walk is iterative; nothing recurses on the IR.
//
// A new op gets its evaluator here when it has a tensor-level meaning of its
// own, in Scalar.cpp when it is a scalar arith/math op (it then works both
// elementwise on tensors and inside linalg payloads).
//
//===----------------------------------------------------------------------===//

#include "Detail.h"
#include "Linalg.h"
#include "Scalar.h"
#include "Scope.h"
#include "Tosa.h"

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <optional>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;
using namespace mlir::attn::reference::detail;
using llvm::Error;
using llvm::Expected;

//===----------------------------------------------------------------------===//
// Interpreter
//===----------------------------------------------------------------------===//

namespace {
/// Evaluates one function: binds the arguments, then steps through the ops
/// of its block until `func.return`.
class Interpreter {
public:
  explicit Interpreter(func::FuncOp func, unsigned depth = 0)
      : func(func), depth(depth) {}

  /// Evaluates the function on `args` and returns its results.
  Expected<std::vector<Tensor>> run(ArrayRef<Tensor> args);

private:
  Error bindArguments(ArrayRef<Tensor> args);
  /// Evaluates `op`: the dispatch to the evaluators below.
  Error step(Operation *op);

  Error runReturn(func::ReturnOp op);
  Error runAttention(Operation *op, Value q, Value k, Value v, Value mask,
                     const AttentionParams &params);
  Expected<ComposeWeights> composeWeights(Operation *op, Value w, Value qw1,
                                          Value qw2, Value kw1, Value kw2,
                                          Value qdd, Value kdd);
  Error runCompose(ComposeOp op);
  Error runDCMHA(DCMHAOp op);
  Error runDeformableSample(DeformableSampleOp op);
  Error runMSDeformAttn(MSDeformAttnOp op);
  Error runConstant(arith::ConstantOp op);
  Error runElementwise(Operation *op);
  Error runCall(func::CallOp op);
  Error runExtractSlice(tensor::ExtractSliceOp op);
  Error runInsertSlice(tensor::InsertSliceOp op);
  Error runConcat(tensor::ConcatOp op);

  func::FuncOp func;
  /// Calls between this function and the one evaluate() was given.
  unsigned depth;
  Scope scope;
  std::optional<std::vector<Tensor>> results;
};
} // namespace

Error Interpreter::bindArguments(ArrayRef<Tensor> args) {
  std::string fn = "@" + func.getSymName().str();
  if (func.getNumArguments() != args.size())
    return makeError(fn + " takes " + std::to_string(func.getNumArguments()) +
                     " arguments, got " + std::to_string(args.size()));
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    const Tensor &t = args[i];
    std::string which = "argument #" + std::to_string(i) + " of " + fn;
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      return makeError(which + " has type " + printToString(arg.getType()) +
                       "; only ranked tensor arguments are supported");
    Expected<ElementKind> kind = kindOf(type);
    if (!kind)
      return kind.takeError();
    bool matches = type.getRank() == static_cast<int64_t>(t.shape.size());
    for (int64_t d = 0; matches && d < type.getRank(); ++d)
      matches = t.shape[d] >= 0 &&
                (type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d]);
    if (!matches)
      return makeError(which + " has shape " + formatShape(t.shape) +
                       " but the function expects " + printToString(type));
    if (static_cast<int64_t>(t.data.size()) != t.numElements())
      return makeError(which + " has " + std::to_string(t.data.size()) +
                       " values but its shape " + formatShape(t.shape) +
                       " needs " + std::to_string(t.numElements()));
    // The values are taken as the element type sees them.
    Tensor bound = t;
    bound.kind = *kind;
    for (double &x : bound.data)
      x = roundToKind(x, *kind);
    scope.bindTensor(arg, std::move(bound));
  }
  return Error::success();
}

Expected<std::vector<Tensor>> Interpreter::run(ArrayRef<Tensor> args) {
  if (func.isExternal())
    return makeError("@" + func.getSymName().str() +
                     " is a declaration without a body");
  if (!func.getBody().hasOneBlock())
    return makeError("@" + func.getSymName().str() +
                     " has more than one block (control flow is not "
                     "supported)");
  if (Error e = bindArguments(args))
    return std::move(e);
  for (Operation &op : func.getBody().front()) {
    if (Error e = step(&op))
      return std::move(e);
    if (results)
      return std::move(*results);
  }
  return makeError("@" + func.getSymName().str() + " has no func.return");
}

Error Interpreter::step(Operation *op) {
  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case([&](func::ReturnOp ret) { return runReturn(ret); })
      .Case([&](AttentionOp attn) {
        AttentionParams params;
        if (FloatAttr scale = attn.getScaleAttr())
          params.scale = scale.getValueAsDouble();
        params.causal = attn.getCausal();
        if (FloatAttr softcap = attn.getSoftcapAttr())
          params.softcap = softcap.getValueAsDouble();
        return runAttention(op, attn.getQuery(), attn.getKey(), attn.getValue(),
                            attn.getMask(), params);
      })
      .Case([&](SlidingWindowAttentionOp attn) -> Error {
        AttentionParams params;
        if (FloatAttr scale = attn.getScaleAttr())
          params.scale = scale.getValueAsDouble();
        params.causal = attn.getCausal();
        if (FloatAttr softcap = attn.getSoftcapAttr())
          params.softcap = softcap.getValueAsDouble();
        ArrayRef<int64_t> window = attn.getWindow();
        if (window.size() != 2)
          return makeError(opName(op) + ": window must hold 2 values, got " +
                           std::to_string(window.size()));
        params.window = {window[0], window[1]};
        if (IntegerAttr chunk = attn.getChunkAttr())
          params.chunk = chunk.getInt();
        return runAttention(op, attn.getQuery(), attn.getKey(), attn.getValue(),
                            attn.getMask(), params);
      })
      .Case([&](ComposeOp compose) { return runCompose(compose); })
      .Case([&](DCMHAOp dcmhaOp) { return runDCMHA(dcmhaOp); })
      .Case([&](DeformableSampleOp sample) {
        return runDeformableSample(sample);
      })
      .Case([&](MSDeformAttnOp msda) { return runMSDeformAttn(msda); })
      .Case([&](arith::ConstantOp cst) { return runConstant(cst); })
      .Case([&](tensor::EmptyOp empty) -> Error {
        Expected<SmallVector<int64_t>> shape =
            scope.sizesOf(op, empty.getMixedSizes());
        if (!shape)
          return shape.takeError();
        return scope.setTensor(op, empty.getResult(), Tensor::filled(*shape));
      })
      .Case([&](tensor::DimOp dim) -> Error {
        Expected<const Tensor *> src = scope.tensorOf(op, dim.getSource());
        if (!src)
          return src.takeError();
        Expected<double> index = scope.scalarOf(op, dim.getIndex());
        if (!index)
          return index.takeError();
        int64_t i = static_cast<int64_t>(*index);
        if (i < 0 || i >= static_cast<int64_t>((*src)->shape.size()))
          return makeError(opName(op) + ": dimension " + std::to_string(i) +
                           " out of range for shape " +
                           formatShape((*src)->shape));
        scope.setScalar(dim.getResult(), static_cast<double>((*src)->shape[i]));
        return Error::success();
      })
      .Case([&](tensor::CastOp castOp) -> Error {
        Expected<const Tensor *> src = scope.tensorOf(op, castOp.getSource());
        if (!src)
          return src.takeError();
        return scope.setTensor(op, castOp.getResult(), **src);
      })
      .Case([&](tensor::ExtractOp extract) -> Error {
        Expected<const Tensor *> src = scope.tensorOf(op, extract.getTensor());
        if (!src)
          return src.takeError();
        SmallVector<int64_t> index;
        for (Value v : extract.getIndices()) {
          Expected<double> i = scope.scalarOf(op, v);
          if (!i)
            return i.takeError();
          index.push_back(static_cast<int64_t>(*i));
        }
        for (auto [i, d] : llvm::zip_equal(index, (*src)->shape))
          if (i < 0 || i >= d)
            return makeError(opName(op) + ": index out of bounds of shape " +
                             formatShape((*src)->shape));
        scope.setScalar(extract.getResult(), (*src)->at(index));
        return Error::success();
      })
      .Case([&](tensor::ExpandShapeOp expand) -> Error {
        Expected<const Tensor *> src = scope.tensorOf(op, expand.getSrc());
        if (!src)
          return src.takeError();
        Expected<SmallVector<int64_t>> shape =
            scope.sizesOf(op, expand.getMixedOutputShape());
        if (!shape)
          return shape.takeError();
        Tensor t = **src;
        t.shape = *shape;
        if (t.numElements() != (*src)->numElements())
          return makeError(opName(op) + ": cannot reshape " +
                           formatShape((*src)->shape) + " to " +
                           formatShape(t.shape));
        return scope.setTensor(op, expand.getResult(), std::move(t));
      })
      .Case([&](tensor::CollapseShapeOp collapse) -> Error {
        Expected<const Tensor *> src = scope.tensorOf(op, collapse.getSrc());
        if (!src)
          return src.takeError();
        Tensor t = **src;
        t.shape.clear();
        for (const ReassociationIndices &group :
             collapse.getReassociationIndices()) {
          int64_t size = 1;
          for (int64_t d : group) {
            if (d >= static_cast<int64_t>((*src)->shape.size()))
              return makeError(opName(op) + ": reassociation out of range");
            size *= (*src)->shape[d];
          }
          t.shape.push_back(size);
        }
        return scope.setTensor(op, collapse.getResult(), std::move(t));
      })
      .Case([&](linalg::SoftmaxOp softmax) {
        return evalSoftmax(scope, softmax);
      })
      .Case([&](func::CallOp call) { return runCall(call); })
      .Case([&](tensor::ExtractSliceOp slice) { return runExtractSlice(slice); })
      .Case([&](tensor::InsertSliceOp slice) { return runInsertSlice(slice); })
      .Case([&](tensor::ConcatOp concat) { return runConcat(concat); })
      .Default([&](Operation *other) -> Error {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(other))
          return evalLinalg(scope, linalgOp);
        if (isScalarOp(other))
          return runElementwise(other);
        if (other->getName().getDialectNamespace() == "tosa")
          return evalTosa(scope, other);
        return unsupported(other);
      });
}

Error Interpreter::runReturn(func::ReturnOp op) {
  std::vector<Tensor> out;
  for (Value v : op.getOperands()) {
    Expected<const Tensor *> t = scope.tensorOf(op, v);
    if (!t)
      return t.takeError();
    out.push_back(**t);
  }
  results = std::move(out);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// attn ops
//===----------------------------------------------------------------------===//

Error Interpreter::runAttention(Operation *op, Value q, Value k, Value v,
                                Value mask, const AttentionParams &params) {
  SmallVector<const Tensor *> t;
  if (Error e = scope.tensorsOf(op, {q, k, v, mask}, t))
    return e;
  if (Error e = checkAttention(*t[0], *t[1], *t[2], t[3], params))
    return atOp(op, std::move(e));
  return scope.setTensor(op, op->getResult(0),
                         attention(*t[0], *t[1], *t[2], t[3], params));
}

Expected<ComposeWeights> Interpreter::composeWeights(Operation *op, Value w,
                                                     Value qw1, Value qw2,
                                                     Value kw1, Value kw2,
                                                     Value qdd, Value kdd) {
  ComposeWeights weights;
  std::pair<Value, const Tensor **> slots[] = {
      {w, &weights.staticWeights}, {qw1, &weights.qw1},
      {qw2, &weights.qw2},         {kw1, &weights.kw1},
      {kw2, &weights.kw2},         {qdd, &weights.queryGate},
      {kdd, &weights.keyGate}};
  for (auto [value, slot] : slots) {
    Expected<const Tensor *> t = scope.optionalTensorOf(op, value);
    if (!t)
      return t.takeError();
    *slot = *t;
  }
  return weights;
}

Error Interpreter::runCompose(ComposeOp op) {
  Expected<const Tensor *> scores = scope.tensorOf(op, op.getScores());
  if (!scores)
    return scores.takeError();
  Expected<ComposeWeights> w =
      composeWeights(op, op.getStaticWeights(), op.getQueryWeights1(),
                     op.getQueryWeights2(), op.getKeyWeights1(),
                     op.getKeyWeights2(), op.getQueryGate(), op.getKeyGate());
  if (!w)
    return w.takeError();
  if (Error e = checkCompose((*scores)->shape, *w, ""))
    return atOp(op, std::move(e));
  return scope.setTensor(op, op.getResult(), compose(**scores, *w));
}

Error Interpreter::runDCMHA(DCMHAOp op) {
  SmallVector<const Tensor *> t;
  if (Error e =
          scope.tensorsOf(op, {op.getQuery(), op.getKey(), op.getValue()}, t))
    return e;
  Expected<ComposeWeights> pre = composeWeights(
      op, op.getPreStaticWeights(), op.getPreQueryWeights1(),
      op.getPreQueryWeights2(), op.getPreKeyWeights1(), op.getPreKeyWeights2(),
      op.getPreQueryGate(), op.getPreKeyGate());
  if (!pre)
    return pre.takeError();
  Expected<ComposeWeights> post = composeWeights(
      op, op.getPostStaticWeights(), op.getPostQueryWeights1(),
      op.getPostQueryWeights2(), op.getPostKeyWeights1(),
      op.getPostKeyWeights2(), op.getPostQueryGate(), op.getPostKeyGate());
  if (!post)
    return post.takeError();
  AttentionParams params;
  if (FloatAttr scale = op.getScaleAttr())
    params.scale = scale.getValueAsDouble();
  params.causal = op.getCausal();
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    if (window->size() != 2)
      return makeError(opName(op) + ": window must hold 2 values, got " +
                       std::to_string(window->size()));
    params.window = {(*window)[0], (*window)[1]};
  }
  if (Error e = checkDCMHA(*t[0], *t[1], *t[2], *pre, *post, params))
    return atOp(op, std::move(e));
  return scope.setTensor(op, op.getResult(),
                         dcmha(*t[0], *t[1], *t[2], *pre, *post, params));
}

Error Interpreter::runDeformableSample(DeformableSampleOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = scope.tensorsOf(op, {op.getInput(), op.getGrid()}, t))
    return e;
  if (Error e = checkDeformableSample(*t[0], *t[1]))
    return atOp(op, std::move(e));
  return scope.setTensor(
      op, op.getResult(),
      deformableSample(*t[0], *t[1], op.getAlignCorners(),
                       op.getPaddingMode() == PaddingMode::border));
}

Error Interpreter::runMSDeformAttn(MSDeformAttnOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = scope.tensorsOf(
          op,
          {op.getValue(), op.getSamplingLocations(), op.getAttentionWeights()},
          t))
    return e;
  ArrayRef<int64_t> shapes = op.getSpatialShapes();
  if (Error e = checkMSDeformAttn(*t[0], *t[1], *t[2], shapes))
    return atOp(op, std::move(e));
  return scope.setTensor(op, op.getResult(),
                         msDeformAttn(*t[0], *t[1], *t[2], shapes));
}

//===----------------------------------------------------------------------===//
// arith, math
//===----------------------------------------------------------------------===//

Error Interpreter::runConstant(arith::ConstantOp op) {
  Attribute value = op.getValue();
  if (!isa<ShapedType>(op.getType())) {
    std::optional<double> v = scalarConstant(value);
    if (!v)
      return makeError(opName(op) + ": unsupported constant " +
                       printToString(value));
    scope.setScalar(op.getResult(), *v);
    return Error::success();
  }
  Expected<Tensor> t =
      constantTensor(op, value, cast<ShapedType>(op.getType()));
  if (!t)
    return t.takeError();
  return scope.setTensor(op, op.getResult(), std::move(*t));
}

Error Interpreter::runElementwise(Operation *op) {
  Value result = op->getResult(0);
  // Scalar form.
  if (!isa<ShapedType>(result.getType())) {
    SmallVector<double> x;
    for (Value v : op->getOperands()) {
      Expected<double> s = scope.scalarOf(op, v);
      if (!s)
        return s.takeError();
      x.push_back(*s);
    }
    scope.setScalar(result, *evalScalar(op, x));
    return Error::success();
  }
  // Tensor form: every tensor operand has the shape of the result; scalar
  // operands (arith.select's condition) apply to every element.
  SmallVector<const Tensor *> operandTensors;
  SmallVector<double> x(op->getNumOperands(), 0.0);
  const Tensor *first = nullptr;
  for (auto [i, v] : llvm::enumerate(op->getOperands())) {
    if (!isa<ShapedType>(v.getType())) {
      Expected<double> s = scope.scalarOf(op, v);
      if (!s)
        return s.takeError();
      x[i] = *s;
      operandTensors.push_back(nullptr);
      continue;
    }
    Expected<const Tensor *> t = scope.tensorOf(op, v);
    if (!t)
      return t.takeError();
    if (first && (*t)->shape != first->shape)
      return makeError(opName(op) + ": operand shapes " +
                       formatShape(first->shape) + " and " +
                       formatShape((*t)->shape) + " differ");
    if (!first)
      first = *t;
    operandTensors.push_back(*t);
  }
  if (!first)
    return unsupported(op);
  Tensor out = Tensor::filled(first->shape);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
    for (auto [i, t] : llvm::enumerate(operandTensors))
      if (t)
        x[i] = t->data[e];
    out.data[e] = *evalScalar(op, x);
  }
  return scope.setTensor(op, result, std::move(out));
}

//===----------------------------------------------------------------------===//
// Calls and slices
//===----------------------------------------------------------------------===//

Error Interpreter::runCall(func::CallOp op) {
  // Deep enough for any model graph; recursion stops here with a message.
  constexpr unsigned kMaxCallDepth = 64;
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      op, op.getCalleeAttr());
  if (!callee)
    return makeError(opName(op) + ": no func.func @" + op.getCallee().str());
  if (depth >= kMaxCallDepth)
    return makeError(opName(op) + ": calls nested deeper than " +
                     std::to_string(kMaxCallDepth) + " (recursion?)");
  std::vector<Tensor> args;
  for (Value v : op.getOperands()) {
    if (!isa<RankedTensorType>(v.getType()))
      return makeError(opName(op) + ": only ranked tensor arguments are "
                                    "supported, found " +
                       printToString(v.getType()));
    Expected<const Tensor *> t = scope.tensorOf(op, v);
    if (!t)
      return t.takeError();
    args.push_back(**t);
  }
  Expected<std::vector<Tensor>> out =
      Interpreter(callee, depth + 1).run(args);
  if (!out)
    return out.takeError();
  for (auto [result, t] : llvm::zip(op.getResults(), *out))
    if (Error e = scope.setTensor(op, result, std::move(t)))
      return e;
  return Error::success();
}

/// Offsets, sizes and strides of a slice op, each one per dimension of the
/// full tensor `shape`; an error when the slice leaves it.
template <typename OpTy>
static Expected<std::array<SmallVector<int64_t>, 3>>
sliceGeometry(const Scope &scope, OpTy op, ArrayRef<int64_t> shape) {
  std::array<SmallVector<int64_t>, 3> g;
  std::array<SmallVector<OpFoldResult>, 3> mixed = {
      op.getMixedOffsets(), op.getMixedSizes(), op.getMixedStrides()};
  for (int i = 0; i < 3; ++i) {
    Expected<SmallVector<int64_t>> v = scope.sizesOf(op, mixed[i]);
    if (!v)
      return v.takeError();
    g[i] = std::move(*v);
  }
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t last = g[1][d] == 0 ? g[0][d]
                                : g[0][d] + (g[1][d] - 1) * g[2][d];
    if (g[0][d] < 0 || g[0][d] > shape[d] || (g[1][d] > 0 && last >= shape[d]))
      return makeError(opName(op) + ": the slice leaves dimension " +
                       std::to_string(d) + " of size " +
                       std::to_string(shape[d]) + " (offset " +
                       std::to_string(g[0][d]) + ", size " +
                       std::to_string(g[1][d]) + ", stride " +
                       std::to_string(g[2][d]) + ")");
  }
  return g;
}

/// Calls `fn(fullOffset, sliceOffset)` for every element of a slice of
/// `sizes` at `offsets` with `strides` in a row-major tensor of `shape`.
static void forEachSliceElement(ArrayRef<int64_t> shape,
                                ArrayRef<int64_t> offsets,
                                ArrayRef<int64_t> sizes,
                                ArrayRef<int64_t> strides,
                                function_ref<void(int64_t, int64_t)> fn) {
  size_t rank = shape.size();
  if (llvm::any_of(sizes, [](int64_t s) { return s == 0; }))
    return;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0;; ++linear) {
    int64_t full = 0;
    for (size_t d = 0; d < rank; ++d)
      full = full * shape[d] + offsets[d] + index[d] * strides[d];
    fn(full, linear);
    int64_t d = static_cast<int64_t>(rank) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

Error Interpreter::runExtractSlice(tensor::ExtractSliceOp op) {
  Expected<const Tensor *> src = scope.tensorOf(op, op.getSource());
  if (!src)
    return src.takeError();
  auto g = sliceGeometry(scope, op, (*src)->shape);
  if (!g)
    return g.takeError();
  auto &[offsets, sizes, strides] = *g;
  Tensor full = Tensor::filled(sizes, 0.0, (*src)->kind);
  forEachSliceElement((*src)->shape, offsets, sizes, strides,
                      [&](int64_t from, int64_t to) {
                        full.data[to] = (*src)->data[from];
                      });
  // Rank-reducing slices drop unit dims: the data stays in order.
  Tensor out = std::move(full);
  llvm::SmallBitVector dropped = op.getDroppedDims();
  out.shape.clear();
  for (auto [d, size] : llvm::enumerate(sizes))
    if (!dropped.test(d))
      out.shape.push_back(size);
  return scope.setTensor(op, op.getResult(), std::move(out));
}

Error Interpreter::runInsertSlice(tensor::InsertSliceOp op) {
  SmallVector<const Tensor *> t;
  if (Error e = scope.tensorsOf(op, {op.getSource(), op.getDest()}, t))
    return e;
  auto g = sliceGeometry(scope, op, t[1]->shape);
  if (!g)
    return g.takeError();
  auto &[offsets, sizes, strides] = *g;
  int64_t count = 1;
  for (int64_t s : sizes)
    count *= s;
  if (count != t[0]->numElements())
    return makeError(opName(op) + ": the source has " +
                     std::to_string(t[0]->numElements()) +
                     " elements but the slice " + std::to_string(count));
  Tensor out = *t[1];
  forEachSliceElement(out.shape, offsets, sizes, strides,
                      [&](int64_t to, int64_t from) {
                        out.data[to] = t[0]->data[from];
                      });
  return scope.setTensor(op, op.getResult(), std::move(out));
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

Expected<std::vector<Tensor>>
mlir::attn::reference::evaluate(func::FuncOp func, ArrayRef<Tensor> args) {
  if (!func)
    return makeError("no function to evaluate");
  Interpreter interpreter(func);
  return interpreter.run(args);
}

Error Interpreter::runConcat(tensor::ConcatOp op) {
  SmallVector<const Tensor *> inputs;
  if (Error e = scope.tensorsOf(op, llvm::to_vector(op.getInputs()), inputs))
    return e;
  Expected<Tensor> out =
      concatenate(op, inputs, static_cast<int64_t>(op.getDim()));
  if (!out)
    return out.takeError();
  return scope.setTensor(op, op.getResult(), std::move(*out));
}
