//===- FuseDCMHA.cpp - form attn.dcmha from the unfused chain ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Recognizes the chain that a front end emits for DCMHA (SPEC 1.4),
//
//   S = Q K^T -> scale -> [attn.compose (pre)] -> [mask] -> softmax
//     -> [attn.compose (post)] -> P V
//
// in linalg/arith/attn ops, and replaces it with one `attn.dcmha`. The
// matcher walks backwards from each P V contraction. Every form it accepts is
// listed in docs/Fusion.md; anything else (or any intermediate value used
// outside the chain) leaves the IR unchanged.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFUSEDCMHAPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// The value of a float scalar constant or of a splat float tensor constant.
static std::optional<double> getFloatConstant(Value v) {
  if (!v)
    return std::nullopt;
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr))
    if (dense.isSplat())
      return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

static bool isNegInfConstant(Value v) {
  std::optional<double> c = getFloatConstant(v);
  return c && std::isinf(*c) && *c < 0;
}

/// A destination that holds zeros: a `linalg.fill` of 0.0 or a zero splat.
static bool isZeroInit(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  std::optional<double> c = getFloatConstant(v);
  return c && *c == 0.0;
}

/// The initial value of a max reduction: a fill (or splat) of -inf, or of NaN
/// when the combiner is `maxnumf` (the form linalg.softmax decomposes into).
static bool isMaxInit(Value v, bool maxnum) {
  Value init = v;
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    init = fill.getInputs()[0];
  std::optional<double> c = getFloatConstant(init);
  if (!c)
    return false;
  return (std::isinf(*c) && *c < 0) || (maxnum && std::isnan(*c));
}

//===----------------------------------------------------------------------===//
// Linalg structure helpers
//===----------------------------------------------------------------------===//

/// The value a LinalgOp's body yields (single result, tensor semantics).
static Value getYielded(linalg::LinalgOp op) {
  if (!op || op->getNumResults() != 1 || !op.hasPureTensorSemantics() ||
      op->getNumRegions() != 1 || op->getRegion(0).empty())
    return {};
  auto yield = dyn_cast<linalg::YieldOp>(op.getBlock()->getTerminator());
  if (!yield || yield->getNumOperands() != 1)
    return {};
  return yield->getOperand(0);
}

/// The operand of `op` that block argument `v` of its body stands for.
static OpOperand *getOperandOfArg(linalg::LinalgOp op, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != op.getBlock())
    return nullptr;
  return op.getMatchingOpOperand(arg);
}

/// An input operand of `op` read through the identity map, for block arg `v`.
static Value getIdentityInput(linalg::LinalgOp op, Value v) {
  OpOperand *operand = getOperandOfArg(op, v);
  if (!operand || !op.isDpsInput(operand) ||
      !op.getMatchingIndexingMap(operand).isIdentity())
    return {};
  return operand->get();
}

/// An all-parallel LinalgOp on rank-4 tensors whose result map is the
/// identity (an elementwise op, possibly with broadcast inputs).
static bool isElementwise4D(linalg::LinalgOp op) {
  if (!getYielded(op) || op.getNumDpsInits() != 1 || op.getNumLoops() != 4 ||
      op.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  // The destination's old value must not be read.
  return op.getMatchingIndexingMap(init).isIdentity() &&
         !op.payloadUsesValueFromOperand(init);
}

/// The map of a per-row value ([B, H, Lq] or keep-dim [B, H, Lq, 1]) read or
/// written in a 4-D iteration space whose last dimension is the row.
static bool isRowMap(AffineMap map) {
  if (map.getNumDims() != 4 || map.getNumSymbols() != 0)
    return false;
  ArrayRef<AffineExpr> r = map.getResults();
  if (r.size() != 3 && r.size() != 4)
    return false;
  for (unsigned i = 0; i < 3; ++i)
    if (r[i] != getAffineDimExpr(i, map.getContext()))
      return false;
  return r.size() == 3 || r[3] == getAffineConstantExpr(0, map.getContext());
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

namespace {
/// The operands of a batched contraction over [B, H] in the 4-D layout.
struct Contraction {
  Value lhs, rhs;
  /// The rhs's last two dims are (result column, reduction): K for Q K^T.
  /// Otherwise (reduction, result column): V for P V.
  bool rhsTransposed;
};

/// The ops of one chain, from the P V contraction backwards.
struct Chain {
  Value query, key, value;
  double scale = 1.0;
  ComposeOp pre, post;
  bool causal = false;
  std::optional<std::pair<int64_t, int64_t>> window;
  llvm::SetVector<Operation *> ops;
};
} // namespace

/// Matches a LinalgOp contraction (mul-add body, zero destination) whose
/// result has `rank` dims, the first `rank - 2` of which are batch dims that
/// both operands share in order, reducing over one dimension.
static FailureOr<Contraction> matchContractionOp(linalg::LinalgOp op,
                                                 unsigned rank) {
  if (!op || !getYielded(op) || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != rank + 1 ||
      op.getNumReductionLoops() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  Type elt = getElementTypeOrSelf(op->getResult(0).getType());
  for (Value v : op->getOperands())
    if (getElementTypeOrSelf(v.getType()) != elt)
      return failure();
  OpOperand *init = op.getDpsInitOperand(0);
  if (!isZeroInit(init->get()))
    return failure();
  AffineMap outMap = op.getMatchingIndexingMap(init);
  if (!outMap.isProjectedPermutation() || outMap.getNumResults() != rank)
    return failure();
  // The reduction loop is the one loop the result does not index.
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  std::optional<unsigned> red;
  for (unsigned d = 0; d <= rank; ++d)
    if (!outMap.isFunctionOfDim(d))
      red = d;
  if (!red || iters[*red] != utils::IteratorType::reduction)
    return failure();
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineExpr> batch(outMap.getResults().drop_back(2));
  AffineExpr x = outMap.getResult(rank - 2), y = outMap.getResult(rank - 1);
  AffineExpr r = getAffineDimExpr(*red, ctx);
  auto withBatch = [&](AffineExpr a, AffineExpr b) {
    SmallVector<AffineExpr> exprs(batch);
    exprs.append({a, b});
    return AffineMap::get(rank + 1, 0, exprs, ctx);
  };
  AffineMap lhsMap = withBatch(x, r);
  AffineMap rhsT = withBatch(y, r), rhsN = withBatch(r, y);
  // Multiplication commutes: the lhs (rows of the result) may come second.
  for (unsigned first = 0; first < 2; ++first) {
    OpOperand *a = op.getDpsInputOperand(first);
    OpOperand *b = op.getDpsInputOperand(1 - first);
    if (op.getMatchingIndexingMap(a) != lhsMap)
      continue;
    AffineMap bMap = op.getMatchingIndexingMap(b);
    if (bMap == rhsT)
      return Contraction{a->get(), b->get(), /*rhsTransposed=*/true};
    if (bMap == rhsN)
      return Contraction{a->get(), b->get(), /*rhsTransposed=*/false};
  }
  return failure();
}

/// `v` through a `linalg.transpose` that swaps its last two dims, if any.
static Value skipLastTwoTranspose(Value v, Chain &chain) {
  auto t = v.getDefiningOp<linalg::TransposeOp>();
  if (!t)
    return {};
  ArrayRef<int64_t> perm = t.getPermutation();
  int64_t n = perm.size();
  for (int64_t i = 0; i < n; ++i)
    if (perm[i] != (i < n - 2 ? i : (i == n - 2 ? n - 1 : n - 2)))
      return {};
  chain.ops.insert(t);
  return t.getInput();
}

/// The 4-D source of `v` = collapse_shape [[0, 1], [2], [3]] with a static
/// [B, H] equal to `bh`.
static Value getCollapsedSource(Value v, ArrayRef<int64_t> bh, Chain &chain) {
  auto c = v.getDefiningOp<tensor::CollapseShapeOp>();
  if (!c || c.getSrcType().getRank() != 4 ||
      c.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})
    return {};
  ArrayRef<int64_t> shape = c.getSrcType().getShape();
  if (ShapedType::isDynamic(shape[0]) || ShapedType::isDynamic(shape[1]) ||
      shape.take_front(2) != bh)
    return {};
  chain.ops.insert(c);
  return c.getSrc();
}

/// Matches `result` ([B, H, X, Y]) as a batched contraction whose rhs is in
/// the layout `rhsTransposed` asks for (a `linalg.transpose` of the last two
/// dims of the rhs is looked through, before or after the collapse). Either one
/// 4-D LinalgOp, or a rank-3 one over the collapsed batch B*H
/// (`linalg.batch_matmul`, possibly with transposed-B maps) between
/// `tensor.collapse_shape`s of 4-D operands and a `tensor.expand_shape` of its
/// result, all with static B and H.
static FailureOr<Contraction> matchContraction(Value result, bool rhsTransposed,
                                               Chain &chain) {
  auto fixLayout = [&](Contraction c) -> FailureOr<Contraction> {
    if (c.rhsTransposed == rhsTransposed)
      return c;
    Value src = skipLastTwoTranspose(c.rhs, chain);
    if (!src)
      return failure();
    return Contraction{c.lhs, src, rhsTransposed};
  };
  if (auto op = result.getDefiningOp<linalg::LinalgOp>()) {
    FailureOr<Contraction> c = matchContractionOp(op, 4);
    if (failed(c))
      return failure();
    chain.ops.insert(op);
    return fixLayout(*c);
  }
  auto expand = result.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getResultType().getRank() != 4 ||
      expand.getReassociationIndices() !=
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})
    return failure();
  ArrayRef<int64_t> bh = expand.getResultType().getShape().take_front(2);
  if (ShapedType::isDynamic(bh[0]) || ShapedType::isDynamic(bh[1]))
    return failure();
  auto op = expand.getSrc().getDefiningOp<linalg::LinalgOp>();
  FailureOr<Contraction> c = matchContractionOp(op, 3);
  if (failed(c))
    return failure();
  chain.ops.insert(expand);
  chain.ops.insert(op);
  Value lhs = getCollapsedSource(c->lhs, bh, chain);
  Value rhs;
  if (c->rhsTransposed == rhsTransposed) {
    rhs = getCollapsedSource(c->rhs, bh, chain);
  } else if (Value src = skipLastTwoTranspose(c->rhs, chain)) {
    // The collapsed rhs transposed ([0, 2, 1]).
    rhs = getCollapsedSource(src, bh, chain);
  } else if (Value collapsed = getCollapsedSource(c->rhs, bh, chain)) {
    // The 4-D rhs transposed ([0, 1, 3, 2]), then collapsed.
    rhs = skipLastTwoTranspose(collapsed, chain);
  }
  if (!lhs || !rhs)
    return failure();
  return Contraction{lhs, rhs, rhsTransposed};
}

//===----------------------------------------------------------------------===//
// Scale
//===----------------------------------------------------------------------===//

/// Matches `v = x * c` or `v = x / c` with a positive finite constant `c`:
/// `arith.mulf`/`arith.divf` on tensors with a splat constant, or an
/// elementwise LinalgOp whose body multiplies (divides) its identity-mapped
/// input by a scalar constant or by a splat constant input. Returns x and
/// sets `factor` (c or 1/c).
static Value matchScale(Value v, double &factor, Chain &chain) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return {};
  auto accept = [&](Value x, std::optional<double> c, bool divide) -> Value {
    if (!x || !c || !std::isfinite(*c) || *c <= 0)
      return {};
    factor = divide ? 1.0 / *c : *c;
    chain.ops.insert(def);
    return x;
  };
  if (auto mul = dyn_cast<arith::MulFOp>(def)) {
    if (std::optional<double> c = getFloatConstant(mul.getRhs()))
      return accept(mul.getLhs(), c, false);
    return accept(mul.getRhs(), getFloatConstant(mul.getLhs()), false);
  }
  if (auto div = dyn_cast<arith::DivFOp>(def))
    return accept(div.getLhs(), getFloatConstant(div.getRhs()), true);
  auto op = dyn_cast<linalg::LinalgOp>(def);
  if (!op || !isElementwise4D(op) || op.getNumDpsInputs() > 2)
    return {};
  Operation *body = getYielded(op).getDefiningOp();
  if (!body || !isa<arith::MulFOp, arith::DivFOp>(body))
    return {};
  // A scalar constant, or a block argument of a splat constant input.
  auto constantOf = [&](Value operand) -> std::optional<double> {
    if (OpOperand *o = getOperandOfArg(op, operand))
      return op.isDpsInput(o) ? getFloatConstant(o->get()) : std::nullopt;
    return getFloatConstant(operand);
  };
  Value lhs = body->getOperand(0), rhs = body->getOperand(1);
  if (isa<arith::DivFOp>(body))
    return accept(getIdentityInput(op, lhs), constantOf(rhs), true);
  if (Value x = getIdentityInput(op, lhs))
    if (std::optional<double> c = constantOf(rhs))
      return accept(x, c, false);
  return accept(getIdentityInput(op, rhs), constantOf(lhs), false);
}

//===----------------------------------------------------------------------===//
// Mask
//===----------------------------------------------------------------------===//

namespace {
/// A constant mask applied to the scores: which elements of `constant` (read
/// through `map` from the (b, h, i, j) iteration space) make a key visible.
struct MaskMatch {
  Value input;
  DenseElementsAttr constant;
  AffineMap map;
  enum Kind { Select, SelectInverted, Bias } kind;
};
} // namespace

/// Matches a mask on `v`: `arith.select %m, %x, -inf` (or `%m, -inf, %x`)
/// with a constant `i1` %m, `arith.addf %x, %bias` with a constant float bias,
/// or an elementwise LinalgOp with that select/addf body whose mask/bias is a
/// constant input (read through any map of dims and zeros).
static FailureOr<MaskMatch> matchMask(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return failure();
  auto identity = AffineMap::getMultiDimIdentityMap(4, v.getContext());
  auto constantAttr = [](Value c) -> DenseElementsAttr {
    DenseElementsAttr attr;
    if (!c || !matchPattern(c, m_Constant(&attr)))
      return {};
    return attr;
  };
  auto select = [&](Value cond, Value t, Value f, DenseElementsAttr attr,
                    AffineMap map, Value (*input)(Value, linalg::LinalgOp),
                    linalg::LinalgOp op) -> FailureOr<MaskMatch> {
    if (!attr || !attr.getElementType().isInteger(1))
      return failure();
    if (isNegInfConstant(f))
      if (Value x = input(t, op))
        return MaskMatch{x, attr, map, MaskMatch::Select};
    if (isNegInfConstant(t))
      if (Value x = input(f, op))
        return MaskMatch{x, attr, map, MaskMatch::SelectInverted};
    return failure();
  };
  auto plain = [](Value x, linalg::LinalgOp) { return x; };
  if (auto sel = dyn_cast<arith::SelectOp>(def)) {
    if (!isa<RankedTensorType>(sel.getCondition().getType()))
      return failure();
    return select(sel.getCondition(), sel.getTrueValue(), sel.getFalseValue(),
                  constantAttr(sel.getCondition()), identity, plain, {});
  }
  auto bias = [&](Value x, DenseElementsAttr attr,
                  AffineMap map) -> FailureOr<MaskMatch> {
    if (!x || !attr || !isa<FloatType>(attr.getElementType()))
      return failure();
    return MaskMatch{x, attr, map, MaskMatch::Bias};
  };
  if (auto add = dyn_cast<arith::AddFOp>(def)) {
    if (DenseElementsAttr attr = constantAttr(add.getRhs()))
      return bias(add.getLhs(), attr, identity);
    return bias(add.getRhs(), constantAttr(add.getLhs()), identity);
  }
  auto op = dyn_cast<linalg::LinalgOp>(def);
  if (!op || !isElementwise4D(op) || op.getNumDpsInputs() > 3)
    return failure();
  Operation *body = getYielded(op).getDefiningOp();
  if (!body)
    return failure();
  // A constant input (any map of dims and zeros) of block argument `arg`.
  auto constantInput = [&](Value arg, AffineMap &map) -> DenseElementsAttr {
    OpOperand *o = getOperandOfArg(op, arg);
    if (!o || !op.isDpsInput(o))
      return {};
    map = op.getMatchingIndexingMap(o);
    for (AffineExpr e : map.getResults())
      if (!isa<AffineDimExpr>(e) &&
          e != getAffineConstantExpr(0, e.getContext()))
        return {};
    return constantAttr(o->get());
  };
  auto scoresArg = [](Value arg, linalg::LinalgOp op) {
    return getIdentityInput(op, arg);
  };
  if (auto sel = dyn_cast<arith::SelectOp>(body)) {
    // The -inf arm may be a scalar constant or a splat constant input.
    auto negInfArm = [&](Value arm) -> Value {
      if (OpOperand *o = getOperandOfArg(op, arm))
        return op.isDpsInput(o) ? o->get() : Value();
      return arm;
    };
    AffineMap map;
    DenseElementsAttr attr = constantInput(sel.getCondition(), map);
    Value t = sel.getTrueValue(), f = sel.getFalseValue();
    if (isNegInfConstant(negInfArm(f)))
      f = negInfArm(f);
    else if (isNegInfConstant(negInfArm(t)))
      t = negInfArm(t);
    return select(sel.getCondition(), t, f, attr, map, scoresArg, op);
  }
  if (auto add = dyn_cast<arith::AddFOp>(body)) {
    AffineMap map;
    if (DenseElementsAttr attr = constantInput(add.getRhs(), map))
      return bias(getIdentityInput(op, add.getLhs()), attr, map);
    DenseElementsAttr attr = constantInput(add.getLhs(), map);
    return bias(getIdentityInput(op, add.getRhs()), attr, map);
  }
  return failure();
}

/// The [Lq, Lk] visibility table of `mask` (1 = visible), or failure when an
/// element is neither visible nor masked (a bias other than 0 or -inf) or the
/// mask differs across batches or heads.
static FailureOr<SmallVector<int8_t>>
computeVisibility(const MaskMatch &mask, int64_t lq, int64_t lk) {
  auto type = cast<ShapedType>(mask.constant.getType());
  ArrayRef<AffineExpr> results = mask.map.getResults();
  if (type.getRank() != static_cast<int64_t>(results.size()))
    return failure();
  std::optional<unsigned> iPos, jPos;
  for (auto [pos, e] : llvm::enumerate(results)) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (d && d.getPosition() == 2)
      iPos = pos;
    if (d && d.getPosition() == 3)
      jPos = pos;
  }
  SmallVector<int8_t> vis(lq * lk, -1);
  SmallVector<int64_t> strides = computeStrides(type.getShape());
  int64_t n = type.getNumElements();
  auto visibleAt = [&](int64_t flat) -> std::optional<bool> {
    int64_t at = mask.constant.isSplat() ? 0 : flat;
    if (mask.kind != MaskMatch::Bias) {
      bool m = mask.constant.getValues<bool>()[at];
      return mask.kind == MaskMatch::Select ? m : !m;
    }
    APFloat f = mask.constant.getValues<APFloat>()[at];
    if (f.isZero())
      return true;
    if (f.isInfinity() && f.isNegative())
      return false;
    return std::nullopt;
  };
  for (int64_t flat = 0; flat < n; ++flat) {
    std::optional<bool> visible = visibleAt(flat);
    if (!visible)
      return failure();
    auto coord = [&](std::optional<unsigned> pos) {
      return pos ? (flat / strides[*pos]) % type.getDimSize(*pos) : -1;
    };
    int64_t i = coord(iPos), j = coord(jPos);
    for (int64_t ii = i < 0 ? 0 : i; ii < (i < 0 ? lq : i + 1); ++ii) {
      for (int64_t jj = j < 0 ? 0 : j; jj < (j < 0 ? lk : j + 1); ++jj) {
        int8_t &slot = vis[ii * lk + jj];
        if (slot >= 0 && slot != *visible)
          return failure();
        slot = *visible;
      }
    }
  }
  return vis;
}

/// Whether `vis` is exactly SPEC 1.2's window (left, right) with
/// i' = i + (Lk - Lq); -1 is unbounded.
static bool isWindow(ArrayRef<int8_t> vis, int64_t lq, int64_t lk, int64_t left,
                     int64_t right) {
  for (int64_t i = 0; i < lq; ++i) {
    int64_t ip = i + (lk - lq);
    for (int64_t j = 0; j < lk; ++j) {
      bool visible =
          (left < 0 || j >= ip - left) && (right < 0 || j <= ip + right);
      if (vis[i * lk + j] != visible)
        return false;
    }
  }
  return true;
}

/// Sets the chain's causal/window from a visibility table, or fails when it
/// is not a window of SPEC 1.2's geometry, or when a query row sees no key
/// (the unfused softmax gives NaN there, attn.dcmha zeros).
static LogicalResult setGeometry(ArrayRef<int8_t> vis, int64_t lq, int64_t lk,
                                 Chain &chain) {
  int64_t left = INT64_MIN, right = INT64_MIN;
  for (int64_t i = 0; i < lq; ++i) {
    int64_t ip = i + (lk - lq);
    bool any = false;
    for (int64_t j = 0; j < lk; ++j) {
      if (!vis[i * lk + j])
        continue;
      any = true;
      left = std::max(left, ip - j);
      right = std::max(right, j - ip);
    }
    if (!any)
      return failure();
  }
  if (left < 0 || right < 0 || !isWindow(vis, lq, lk, left, right))
    return failure();
  if (isWindow(vis, lq, lk, -1, right))
    left = -1;
  if (isWindow(vis, lq, lk, left, -1))
    right = -1;
  if (left == -1 && right == 0)
    chain.causal = true;
  else if (left != -1 || right != -1)
    chain.window = {left, right};
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// `op` is a reduction over the last dim of its identity-mapped rank-4 input
/// into a per-row destination (`isRowMap`), with a body `comb(in, out)` (in
/// either order). Returns the input.
template <typename... CombinerTys>
static Value matchRowReduction(linalg::LinalgOp op) {
  if (!op || !getYielded(op) || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 4 ||
      op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray()[3] != utils::IteratorType::reduction)
    return {};
  OpOperand *in = op.getDpsInputOperand(0), *out = op.getDpsInitOperand(0);
  if (!op.getMatchingIndexingMap(in).isIdentity() ||
      !isRowMap(op.getMatchingIndexingMap(out)))
    return {};
  Operation *body = getYielded(op).getDefiningOp();
  if (!body || !isa<CombinerTys...>(body))
    return {};
  Block *block = op.getBlock();
  Value a = body->getOperand(0), b = body->getOperand(1);
  Value inArg = block->getArgument(0), outArg = block->getArgument(1);
  if (!((a == inArg && b == outArg) || (a == outArg && b == inArg)))
    return {};
  return in->get();
}

/// `op` is elementwise over rank 4 with inputs (x, row) read through the
/// identity and a row map, and `binary` (of its body, of type `BinTy`)
/// combines their block arguments as `binary(x, row)`. Returns x; sets `row`.
template <typename BinTy>
static Value matchRowBroadcast(linalg::LinalgOp op, Operation *binary,
                               Value &row) {
  if (!op || !isElementwise4D(op) || op.getNumDpsInputs() != 2 ||
      !isa_and_nonnull<BinTy>(binary))
    return {};
  OpOperand *x = op.getDpsInputOperand(0), *r = op.getDpsInputOperand(1);
  if (!op.getMatchingIndexingMap(x).isIdentity() ||
      !isRowMap(op.getMatchingIndexingMap(r)) ||
      binary->getOperand(0) != op.getMatchingBlockArgument(x) ||
      binary->getOperand(1) != op.getMatchingBlockArgument(r))
    return {};
  row = r->get();
  return x->get();
}

/// Matches a softmax over the last dim producing `p`:
/// - `linalg.softmax dimension(3)`;
/// - the generic form linalg.softmax decomposes into: m = max_j(x) (maxnumf
///   from NaN/-inf or maximumf from -inf), e = exp(x - m), s = sum_j(e)
///   (from 0), p = e / s;
/// - the same without the max: e = exp(x) (a LinalgOp or `math.exp` on the
///   tensor).
/// Returns x; adds the softmax's ops to the chain.
static Value matchSoftmax(Value p, Chain &chain) {
  if (auto sm = p.getDefiningOp<linalg::SoftmaxOp>()) {
    if (sm.getDimension() != 3 || sm.getInputOperandType().getRank() != 4 ||
        sm->getNumResults() != 1)
      return {};
    chain.ops.insert(sm);
    return sm.getInput();
  }
  // p = e / s
  auto div = p.getDefiningOp<linalg::LinalgOp>();
  Value quotient = getYielded(div), sum;
  Value e =
      quotient
          ? matchRowBroadcast<arith::DivFOp>(div, quotient.getDefiningOp(), sum)
          : Value();
  if (!e)
    return {};
  // s = sum_j(e)
  auto sumOp = sum.getDefiningOp<linalg::LinalgOp>();
  if (matchRowReduction<arith::AddFOp>(sumOp) != e ||
      !isZeroInit(sumOp.getDpsInitOperand(0)->get()))
    return {};
  chain.ops.insert(div);
  chain.ops.insert(sumOp);
  // e = exp(x) on the tensor.
  if (auto exp = e.getDefiningOp<math::ExpOp>()) {
    chain.ops.insert(exp);
    return exp.getOperand();
  }
  auto expOp = e.getDefiningOp<linalg::LinalgOp>();
  if (!expOp || !isElementwise4D(expOp))
    return {};
  auto exp = getYielded(expOp).getDefiningOp<math::ExpOp>();
  if (!exp)
    return {};
  chain.ops.insert(expOp);
  // e = exp(x), a LinalgOp.
  if (expOp.getNumDpsInputs() == 1)
    return getIdentityInput(expOp, exp.getOperand());
  // e = exp(x - m)
  Value max;
  Value x = matchRowBroadcast<arith::SubFOp>(
      expOp, exp.getOperand().getDefiningOp(), max);
  if (!x)
    return {};
  // m = max_j(x)
  auto maxOp = max.getDefiningOp<linalg::LinalgOp>();
  bool maxnum = true;
  if (matchRowReduction<arith::MaxNumFOp>(maxOp) != x) {
    maxnum = false;
    if (matchRowReduction<arith::MaximumFOp>(maxOp) != x)
      return {};
  }
  if (!isMaxInit(maxOp.getDpsInitOperand(0)->get(), maxnum))
    return {};
  chain.ops.insert(maxOp);
  return x;
}

//===----------------------------------------------------------------------===//
// The chain
//===----------------------------------------------------------------------===//

/// Matches the chain that ends in `anchor`'s result (the P V contraction, or
/// the expand_shape after a rank-3 one).
static FailureOr<Chain> matchChain(Operation *anchor) {
  Chain chain;
  if (anchor->getNumResults() != 1)
    return failure();
  Value out = anchor->getResult(0);
  FailureOr<Contraction> pv =
      matchContraction(out, /*rhsTransposed=*/false, chain);
  if (failed(pv))
    return failure();
  chain.value = pv->rhs;
  Value x = pv->lhs;
  // compose_post
  if (auto post = x.getDefiningOp<ComposeOp>()) {
    chain.post = post;
    chain.ops.insert(post);
    x = post.getScores();
  }
  x = matchSoftmax(x, chain);
  if (!x)
    return failure();
  // mask
  if (FailureOr<MaskMatch> mask = matchMask(x); succeeded(mask)) {
    auto type = cast<ShapedType>(x.getType());
    if (!type.hasStaticShape())
      return failure();
    int64_t lq = type.getDimSize(2), lk = type.getDimSize(3);
    FailureOr<SmallVector<int8_t>> vis = computeVisibility(*mask, lq, lk);
    if (failed(vis) || failed(setGeometry(*vis, lq, lk, chain)))
      return failure();
    chain.ops.insert(x.getDefiningOp());
    x = mask->input;
  }
  // compose_pre
  if (auto pre = x.getDefiningOp<ComposeOp>()) {
    chain.pre = pre;
    chain.ops.insert(pre);
    x = pre.getScores();
  }
  // scale (one or more factors)
  double factor;
  while (Value unscaled = matchScale(x, factor, chain)) {
    chain.scale *= factor;
    x = unscaled;
  }
  FailureOr<Contraction> qk =
      matchContraction(x, /*rhsTransposed=*/true, chain);
  if (failed(qk))
    return failure();
  chain.query = qk->lhs;
  chain.key = qk->rhs;
  // A scale folded into Q and/or K before the contraction.
  while (Value unscaled = matchScale(chain.query, factor, chain)) {
    chain.scale *= factor;
    chain.query = unscaled;
  }
  while (Value unscaled = matchScale(chain.key, factor, chain)) {
    chain.scale *= factor;
    chain.key = unscaled;
  }

  // Every intermediate value is used only inside the chain; all ops sit in
  // one block and are on tensors of one element type.
  Type elt = getElementTypeOrSelf(out.getType());
  for (Operation *op : chain.ops) {
    if (op->getBlock() != anchor->getBlock())
      return failure();
    for (Value r : op->getResults()) {
      if (getElementTypeOrSelf(r.getType()) != elt)
        return failure();
      if (op == anchor)
        continue;
      for (Operation *user : r.getUsers())
        if (!chain.ops.contains(user))
          return failure();
    }
  }
  for (Value v : {chain.query, chain.key, chain.value}) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || type.getRank() != 4 || type.getElementType() != elt)
      return failure();
  }
  // dcmha_c1: MHA only.
  auto heads = [](Value v) {
    return cast<ShapedType>(v.getType()).getDimSize(1);
  };
  if (heads(chain.query) != heads(chain.key) ||
      heads(chain.key) != heads(chain.value))
    return failure();
  if (!std::isfinite(chain.scale) || chain.scale <= 0 ||
      !std::isfinite(static_cast<float>(chain.scale)))
    return failure();
  return chain;
}

/// Replaces the chain with one attn.dcmha; fails (IR unchanged) when the op
/// would not verify.
static LogicalResult rewriteChain(RewriterBase &rewriter, Operation *anchor,
                                  Chain &chain,
                                  llvm::DenseSet<Operation *> &erased) {
  auto groups = [](ComposeOp c) -> SmallVector<Value, 7> {
    if (!c)
      return SmallVector<Value, 7>(7, Value());
    return {c.getStaticWeights(), c.getQueryWeights1(), c.getQueryWeights2(),
            c.getKeyWeights1(),   c.getKeyWeights2(),   c.getQueryGate(),
            c.getKeyGate()};
  };
  SmallVector<Value, 7> pre = groups(chain.pre), post = groups(chain.post);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(anchor);
  DenseI64ArrayAttr window;
  if (chain.window)
    window = rewriter.getDenseI64ArrayAttr(
        {chain.window->first, chain.window->second});
  auto dcmha = DCMHAOp::create(
      rewriter, anchor->getLoc(), anchor->getResult(0).getType(), chain.query,
      chain.key, chain.value, pre[0], pre[1], pre[2], pre[3], pre[4], pre[5],
      pre[6], post[0], post[1], post[2], post[3], post[4], post[5], post[6],
      rewriter.getF32FloatAttr(static_cast<float>(chain.scale)),
      chain.causal ? rewriter.getUnitAttr() : UnitAttr(), window);
  {
    // A last safety net: shapes the matcher did not relate (e.g. dynamic
    // dims) must still satisfy the op's verifier.
    ScopedDiagnosticHandler silence(rewriter.getContext(),
                                    [](Diagnostic &) { return success(); });
    if (failed(mlir::verify(dcmha))) {
      rewriter.eraseOp(dcmha);
      return failure();
    }
  }
  // What only the chain uses (fills, empties, constants) goes with it:
  // collect the chain's producers while every op of it is still alive.
  SetVector<Operation *> producers;
  for (Operation *op : chain.ops)
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        if (Operation *def = v.getDefiningOp();
            def && !chain.ops.contains(def) && !op->isAncestor(def))
          producers.insert(def);
    });
  rewriter.replaceOp(anchor, dcmha.getResult());
  erased.insert(anchor);

  // Erase the chain, users first, then its producers.
  bool progress = true;
  while (progress) {
    progress = false;
    for (Operation *op : chain.ops) {
      if (erased.contains(op) || !op->use_empty())
        continue;
      rewriter.eraseOp(op);
      erased.insert(op);
      progress = true;
    }
  }
  progress = true;
  while (progress) {
    progress = false;
    // Indexed: erasing a producer may add its own producers.
    for (size_t i = 0; i < producers.size(); ++i) {
      Operation *op = producers[i];
      if (erased.contains(op) || !isOpTriviallyDead(op))
        continue;
      for (Value v : op->getOperands())
        if (Operation *def = v.getDefiningOp())
          producers.insert(def);
      rewriter.eraseOp(op);
      erased.insert(op);
      progress = true;
    }
  }
  return success();
}

namespace {
struct AttnFuseDCMHAPass
    : public mlir::attn::impl::AttnFuseDCMHAPassBase<AttnFuseDCMHAPass> {
  void runOnOperation() override {
    // Candidates for the P V contraction: 4-D LinalgOps and the expand_shape
    // after a rank-3 one.
    SmallVector<Operation *> anchors;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::LinalgOp, tensor::ExpandShapeOp>(op) &&
          op->getNumResults() == 1)
        anchors.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    llvm::DenseSet<Operation *> erased;
    for (Operation *anchor : anchors) {
      if (erased.contains(anchor))
        continue;
      FailureOr<Chain> chain = matchChain(anchor);
      if (failed(chain))
        continue;
      (void)rewriteChain(rewriter, anchor, *chain, erased);
    }
  }
};
} // namespace
