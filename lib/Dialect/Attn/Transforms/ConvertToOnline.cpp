//===- ConvertToOnline.cpp - attention ops to online_attention --*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Graph-level attention ops become the destination-style tiled form
// `attn.online_attention`, with every default resolved: the scale, the
// causal/window/chunk geometry and the bottom-right query offset.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCONVERTTOONLINEPASS
#include "attn/Dialect/Attn/Transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// `tensor.empty` shaped like `type`, taking dynamic sizes from `sources`
/// (value, dim) pairs, one per dimension.
static Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<std::pair<Value, int64_t>> sources) {
  SmallVector<Value> dynSizes;
  for (auto [dim, src] : llvm::enumerate(sources))
    if (type.isDynamicDim(dim))
      dynSizes.push_back(tensor::DimOp::create(b, loc, src.first, src.second));
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynSizes);
}

/// No keys at all (a static Lk of 0): every row sees nothing and is zero, so
/// `op` becomes a fill of `init` with zeros (slicing a zero-extent key
/// dimension would not even verify). Returns whether it did.
static bool replaceWithZerosIfNoKeys(RewriterBase &rewriter, Operation *op,
                                     Value key, Value init) {
  if (cast<ShapedType>(key.getType()).getDimSize(2) != 0)
    return false;
  Location loc = op->getLoc();
  Type elt = cast<ShapedType>(init.getType()).getElementType();
  Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(elt));
  rewriter.replaceOp(op, linalg::FillOp::create(rewriter, loc, zero, init)
                             .getResult(0));
  return true;
}

/// Widens an `i1` mask to `i8` (one byte per element) with a linalg.generic.
static Value widenMask(OpBuilder &b, Location loc, Value mask) {
  auto type = cast<RankedTensorType>(mask.getType());
  auto i8Type = type.clone(b.getI8Type());
  Value init = createEmpty(b, loc, i8Type,
                           {{mask, 0}, {mask, 1}, {mask, 2}, {mask, 3}});
  AffineMap id = b.getMultiDimIdentityMap(4);
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{i8Type}, ValueRange{mask}, ValueRange{init},
      ArrayRef<AffineMap>{id, id}, iters,
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        Value wide = arith::ExtUIOp::create(nb, nloc, nb.getI8Type(), args[0]);
        linalg::YieldOp::create(nb, nloc, wide);
      });
  return generic.getResult(0);
}

/// Emits `cf.assert`s for the shape relations of SPEC 1.1 that involve a
/// dynamic dimension and so could not be verified statically (SPEC: checked
/// when the kernel runs, with a clear error).
void mlir::attn::assertSameDim(OpBuilder &b, Location loc, Operation *op,
                               Value x, int64_t xd, StringRef xName, Value y,
                               int64_t yd, StringRef yName, StringRef dimName) {
  auto xt = cast<ShapedType>(x.getType()), yt = cast<ShapedType>(y.getType());
  if (!xt.isDynamicDim(xd) && !yt.isDynamicDim(yd))
    return;
  Value xs = tensor::DimOp::create(b, loc, x, xd);
  Value ys = tensor::DimOp::create(b, loc, y, yd);
  Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, xs, ys);
  cf::AssertOp::create(b, loc, eq,
                       (op->getName().getStringRef() + ": '" + xName +
                        "' dim " + Twine(xd) + " (" + dimName +
                        ") does not match '" + yName + "' dim " + Twine(yd))
                           .str());
}

static void emitRuntimeShapeChecks(OpBuilder &b, Location loc, Operation *op,
                                   Value q, Value k, Value v, Value mask) {
  std::string opName = op->getName().getStringRef().str();
  auto check = [&](Value x, int64_t xd, StringRef xName, Value y, int64_t yd,
                   StringRef yName, StringRef dimName) {
    assertSameDim(b, loc, op, x, xd, xName, y, yd, yName, dimName);
  };
  // attention_c3
  check(k, 0, "key", q, 0, "query", "B");
  check(v, 0, "value", q, 0, "query", "B");
  check(k, 3, "key", q, 3, "query", "D");
  check(v, 1, "value", k, 1, "key", "Hkv");
  check(v, 2, "value", k, 2, "key", "Lk");
  // attention_c1: Hq % Hkv == 0 (and Hkv > 0).
  auto qt = cast<ShapedType>(q.getType()), kt = cast<ShapedType>(k.getType());
  if (qt.isDynamicDim(1) || kt.isDynamicDim(1)) {
    Value hq = tensor::DimOp::create(b, loc, q, 1);
    Value hkv = tensor::DimOp::create(b, loc, k, 1);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value positive =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, hkv, zero);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value safe = arith::MaxSIOp::create(b, loc, hkv, one);
    Value rem = arith::RemUIOp::create(b, loc, hq, safe);
    Value divides =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rem, zero);
    cf::AssertOp::create(
        b, loc, arith::AndIOp::create(b, loc, positive, divides),
        opName + ": 'query' heads (Hq) must be a multiple of 'key' heads (Hkv)");
  }
  if (!mask)
    return;
  check(mask, 2, "mask", q, 2, "query", "Lq");
  check(mask, 3, "mask", k, 2, "key", "Lk");
  // Mask dims 0 and 1 broadcast when they are 1, statically or at run time
  // (SPEC 1.1: [B or 1, Hq or 1, Lq, Lk]); a dynamic one is checked here.
  auto mt = cast<ShapedType>(mask.getType());
  for (auto [d, dimName] : {std::make_pair(0, "B"), std::make_pair(1, "Hq")}) {
    if (mt.getDimSize(d) == 1)
      continue;
    auto qt = cast<ShapedType>(q.getType());
    if (!mt.isDynamicDim(d) && !qt.isDynamicDim(d))
      continue;
    Value ms = tensor::DimOp::create(b, loc, mask, d);
    Value qs = tensor::DimOp::create(b, loc, q, d);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value ok = arith::OrIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ms, qs),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ms, one));
    cf::AssertOp::create(b, loc, ok,
                         (opName + ": 'mask' dim " + Twine(d) + " (" + dimName +
                          ") must be 1 or match 'query' dim " + Twine(d))
                             .str());
  }
}

FailureOr<OnlineAttentionOp> mlir::attn::convertToOnline(RewriterBase &rewriter,
                                                         Operation *op) {
  Value q, k, v, mask;
  FailureOr<double> scale = failure();
  FloatAttr softcap;
  int64_t left = -1, right = -1;
  std::optional<int64_t> chunk;
  if (auto attn = dyn_cast<AttentionOp>(op)) {
    q = attn.getQuery(), k = attn.getKey(), v = attn.getValue();
    mask = attn.getMask();
    scale = attn.getEffectiveScale();
    softcap = attn.getSoftcapAttr();
    right = attn.getCausal() ? 0 : -1;
  } else if (auto swa = dyn_cast<SlidingWindowAttentionOp>(op)) {
    q = swa.getQuery(), k = swa.getKey(), v = swa.getValue();
    mask = swa.getMask();
    scale = swa.getEffectiveScale();
    softcap = swa.getSoftcapAttr();
    // Extents wider than any sequence (up to INT64_MAX) are kept as written:
    // AttentionGeometry, which every lowering asks, treats them as unbounded.
    left = swa.getWindowLeft();
    right = swa.getWindowRight();
    chunk = swa.getChunkSize();
  } else {
    return rewriter.notifyMatchFailure(op, "not an attention op");
  }
  // A dynamic D without `scale`: the online form computes 1/sqrt(D) of the
  // run-time D (no `scale` attribute).
  FloatAttr scaleAttr;
  if (succeeded(scale))
    scaleAttr = rewriter.getF32FloatAttr(static_cast<float>(*scale));

  Location loc = op->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  emitRuntimeShapeChecks(rewriter, loc, op, q, k, v, mask);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Value init =
      createEmpty(rewriter, loc, resultType, {{q, 0}, {q, 1}, {q, 2}, {v, 3}});
  if (replaceWithZerosIfNoKeys(rewriter, op, k, init))
    return OnlineAttentionOp();
  if (mask && cast<ShapedType>(mask.getType()).getElementType().isInteger(1))
    mask = widenMask(rewriter, loc, mask);

  // Bottom-right alignment: query i sits at key position i + (Lk - Lq).
  OpFoldResult lq = tensor::getMixedSize(rewriter, loc, q, 2);
  OpFoldResult lk = tensor::getMixedSize(rewriter, loc, k, 2);
  Value offset = arith::SubIOp::create(
      rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, lk),
      getValueOrCreateConstantIndexOp(rewriter, loc, lq));

  auto online = OnlineAttentionOp::create(
      rewriter, loc, TypeRange{resultType}, q, k, v, mask, offset, init,
      scaleAttr, softcap,
      rewriter.getI64IntegerAttr(left), rewriter.getI64IntegerAttr(right),
      chunk ? rewriter.getI64IntegerAttr(*chunk) : IntegerAttr());
  copyLoweringConfig(op, online);
  rewriter.replaceOp(op, online.getResults());
  return online;
}

namespace {
/// Where a dimension of the scores [B, H, Lq, Lk] can be read: dim `dim` of
/// `value`, named `name` in messages.
struct DimSource {
  Value value;
  int64_t dim;
  StringRef name;
};
} // namespace

/// Run-time checks of the compose operands of `g` against the scores' dims
/// B, H, Lq and Lk (compose_c2..c5) where a dim is dynamic; `where`
/// prefixes the operand names (e.g. "pre ").
static void emitComposeShapeChecks(OpBuilder &b, Location loc, Operation *op,
                                   StringRef where, const ComposeGroups &g,
                                   DimSource bDim, DimSource hDim,
                                   DimSource lqDim, DimSource lkDim) {
  auto check = [&](Value x, int64_t xd, StringRef xName, DimSource y,
                   StringRef dimName) {
    if (x)
      assertSameDim(b, loc, op, x, xd, (where + xName).str(), y.value, y.dim,
                    y.name, dimName);
  };
  check(g.staticWeights, 0, "static", hDim, "H");
  check(g.staticWeights, 1, "static", hDim, "H");
  for (auto [v, name] : {std::pair<Value, StringRef>{g.qw1, "query_weights qw1"},
                         {g.qw2, "query_weights qw2"}}) {
    check(v, 0, name, bDim, "B");
    check(v, 1, name, lqDim, "Lq");
    check(v, 3, name, hDim, "H");
  }
  check(g.qw2, 2, "query_weights qw2", {g.qw1, 2, "query_weights qw1"}, "Cq");
  for (auto [v, name] : {std::pair<Value, StringRef>{g.kw1, "key_weights kw1"},
                         {g.kw2, "key_weights kw2"}}) {
    check(v, 0, name, bDim, "B");
    check(v, 1, name, lkDim, "Lk");
    check(v, 3, name, hDim, "H");
  }
  check(g.kw2, 2, "key_weights kw2", {g.kw1, 2, "key_weights kw1"}, "Ck");
  check(g.queryGate, 0, "query_gate", bDim, "B");
  check(g.queryGate, 1, "query_gate", lqDim, "Lq");
  check(g.queryGate, 2, "query_gate", hDim, "H");
  check(g.keyGate, 0, "key_gate", bDim, "B");
  check(g.keyGate, 1, "key_gate", lkDim, "Lk");
  check(g.keyGate, 2, "key_gate", hDim, "H");
}

FailureOr<OnlineDCMHAOp> mlir::attn::convertDCMHAToOnline(RewriterBase &rewriter,
                                                          DCMHAOp op) {
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  // Without compose groups DCMHA is plain MHA attention (as the fusion of a
  // front end's unfused chain produces it): the attention kernel is faster.
  if (op.getPreGroups().empty() && op.getPostGroups().empty()) {
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    Operation *attention;
    Type resultType = op.getResult().getType();
    if (std::optional<ArrayRef<int64_t>> window = op.getWindow())
      attention = SlidingWindowAttentionOp::create(
          rewriter, op.getLoc(), resultType, q, k, v, /*mask=*/Value(),
          rewriter.getDenseI64ArrayAttr(*window), /*chunk=*/IntegerAttr(),
          op.getScaleAttr(), op.getCausalAttr(), /*softcap=*/FloatAttr());
    else
      attention = AttentionOp::create(rewriter, op.getLoc(), resultType, q, k,
                                      v, /*mask=*/Value(), op.getScaleAttr(),
                                      op.getCausalAttr(),
                                      /*softcap=*/FloatAttr());
    rewriter.replaceOp(op, attention->getResults());
    if (failed(convertToOnline(rewriter, attention)))
      return failure();
    return OnlineDCMHAOp();
  }
  FloatAttr scaleAttr;
  if (FailureOr<double> scale = op.getEffectiveScale(); succeeded(scale))
    scaleAttr = rewriter.getF32FloatAttr(static_cast<float>(*scale));
  int64_t left = -1, right = op.getCausal() ? 0 : -1;
  if (std::optional<ArrayRef<int64_t>> window = op.getWindow()) {
    left = (*window)[0];
    if (!op.getCausal())
      right = (*window)[1];
  }

  Location loc = op.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  emitRuntimeShapeChecks(rewriter, loc, op, q, k, v, /*mask=*/nullptr);
  // MHA only (dcmha_c1): the heads of K/V are those of Q.
  assertSameDim(rewriter, loc, op, k, 1, "key", q, 1, "query", "H");
  ComposeGroups pre = op.getPreGroups(), post = op.getPostGroups();
  DimSource bDim{q, 0, "query"}, hDim{q, 1, "query"}, lqDim{q, 2, "query"},
      lkDim{k, 2, "key"};
  emitComposeShapeChecks(rewriter, loc, op, "pre ", pre, bDim, hDim, lqDim,
                         lkDim);
  emitComposeShapeChecks(rewriter, loc, op, "post ", post, bDim, hDim, lqDim,
                         lkDim);
  auto resultType = cast<RankedTensorType>(op.getResult().getType());
  Value init =
      createEmpty(rewriter, loc, resultType, {{q, 0}, {q, 1}, {q, 2}, {v, 3}});
  if (replaceWithZerosIfNoKeys(rewriter, op, k, init))
    return OnlineDCMHAOp();
  OpFoldResult lq = tensor::getMixedSize(rewriter, loc, q, 2);
  OpFoldResult lk = tensor::getMixedSize(rewriter, loc, k, 2);
  Value offset = arith::SubIOp::create(
      rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, lk),
      getValueOrCreateConstantIndexOp(rewriter, loc, lq));
  auto online = OnlineDCMHAOp::create(
      rewriter, loc, TypeRange{resultType}, q, k, v, pre.staticWeights,
      pre.qw1, pre.qw2, pre.kw1, pre.kw2, pre.queryGate, pre.keyGate,
      post.staticWeights, post.qw1, post.qw2, post.kw1, post.kw2,
      post.queryGate, post.keyGate, offset, init, scaleAttr,
      rewriter.getI64IntegerAttr(left), rewriter.getI64IntegerAttr(right));
  rewriter.replaceOp(op, online.getResults());
  return online;
}

FailureOr<TiledComposeOp>
mlir::attn::convertComposeToTiled(RewriterBase &rewriter, ComposeOp op) {
  Location loc = op.getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Value a = op.getScores();
  ComposeGroups g = op.getGroups();
  emitComposeShapeChecks(rewriter, loc, op, "", g, {a, 0, "scores"},
                         {a, 1, "scores"}, {a, 2, "scores"}, {a, 3, "scores"});
  auto type = cast<RankedTensorType>(op.getResult().getType());
  Value init = createEmpty(rewriter, loc, type, {{a, 0}, {a, 1}, {a, 2}, {a, 3}});
  auto tiled = TiledComposeOp::create(rewriter, loc, TypeRange{type}, a,
                                      g.staticWeights, g.qw1, g.qw2, g.kw1,
                                      g.kw2, g.queryGate, g.keyGate, init);
  rewriter.replaceOp(op, tiled.getResults());
  return tiled;
}

namespace {
template <typename OpTy>
struct ConvertToOnlinePattern : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    return convertToOnline(rewriter, op);
  }
};

struct AttnConvertToOnlinePass
    : public mlir::attn::impl::AttnConvertToOnlinePassBase<
          AttnConvertToOnlinePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<AttentionOp, SlidingWindowAttentionOp, DCMHAOp, ComposeOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto compose = dyn_cast<ComposeOp>(op)) {
        if (failed(convertComposeToTiled(rewriter, compose)))
          return signalPassFailure();
        continue;
      }
      if (auto dcmha = dyn_cast<DCMHAOp>(op)) {
        if (failed(convertDCMHAToOnline(rewriter, dcmha)))
          return signalPassFailure();
        continue;
      }
      if (failed(convertToOnline(rewriter, op)))
        return signalPassFailure();
    }
  }
};
} // namespace

void mlir::attn::populateConvertToOnlinePatterns(RewritePatternSet &patterns) {
  patterns.add<ConvertToOnlinePattern<AttentionOp>,
               ConvertToOnlinePattern<SlidingWindowAttentionOp>>(
      patterns.getContext());
}
