//===- AggregatedOpInterfaceImpl.cpp - decompose online_attention -*- C++ -*-//
//
// Part of the attn-mlir project.
//
// The portable lowering of the tiled form: `attn.online_attention` on tensors
// becomes linalg ops over the scores of its tile (as IREE's
// AttentionOp/OnlineAttentionOp decompositions do):
//
//   S  = Q K^T                                   (f32 accumulation)
//   S' = visible ? cap(scale * S) + bias : -inf  (window, chunk, mask)
//   m  = rowmax(S');  P = exp(S' - (m == -inf ? 0 : m));  l = rowsum(P)
//   O  = (P V) / l   (0 where l == 0)
//
// It materializes [B, H, Lq, Lk] for the op it decomposes, so it is meant for
// tiles (after -attn-tile, Lq is a query block) and for shapes the vector
// kernel does not take (dynamic head dims).
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

/// An f32 tensor.empty of `shape`, dynamic sizes taken from `sizes`.
static Value emptyF32(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
}

static Value fillF32(OpBuilder &b, Location loc, Value init, double v) {
  Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

static Value toF32(OpBuilder &b, Location loc, Value x) {
  if (x.getType().isF32())
    return x;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), x);
}

FailureOr<SmallVector<Value>>
OnlineAttentionOp::decomposeOperation(OpBuilder &b) {
  if (getNumResults() != 1)
    return emitOpError("decomposition needs tensor semantics");
  ShapedType qType = getQueryType(), kType = getKeyType();
  if (qType.isDynamicDim(1) || kType.isDynamicDim(1) ||
      qType.getDimSize(1) != kType.getDimSize(1))
    return emitOpError("decomposition needs one K/V head per query head "
                       "(static Hq == Hkv); tile the head dimension first");
  Location loc = getLoc();
  MLIRContext *ctx = b.getContext();
  Value q = getQuery(), k = getKey(), v = getValue(), mask = getMask();
  auto mixed = [&](Value x, int64_t d) {
    return tensor::getMixedSize(b, loc, x, d);
  };
  OpFoldResult bSz = mixed(q, 0), hSz = mixed(q, 1), lqSz = mixed(q, 2),
               lkSz = mixed(k, 2), dvSz = mixed(v, 3);

  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  auto map5 = [&](ArrayRef<AffineExpr> r) { return AffineMap::get(5, 0, r, ctx); };
  auto map4 = [&](ArrayRef<AffineExpr> r) { return AffineMap::get(4, 0, r, ctx); };
  AffineMap id4 = map4({d0, d1, d2, d3});
  AffineMap rows4 = map4({d0, d1, d2});

  // S[b, h, i, j] = sum_d Q[b, h, i, d] * K[b, h, j, d].
  Value s = fillF32(b, loc, emptyF32(b, loc, {bSz, hSz, lqSz, lkSz}), 0.0);
  s = linalg::GenericOp::create(
          b, loc, s.getType(), ValueRange{q, k}, ValueRange{s},
          ArrayRef<AffineMap>{map5({d0, d1, d2, d4}), map5({d0, d1, d3, d4}),
                              map5({d0, d1, d2, d3})},
          ArrayRef<utils::IteratorType>{par, par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value prod = arith::MulFOp::create(nb, nl, toF32(nb, nl, a[0]),
                                               toF32(nb, nl, a[1]));
            linalg::YieldOp::create(nb, nl,
                                    ValueRange{arith::AddFOp::create(
                                        nb, nl, a[2], prod)});
          })
          .getResult(0);

  // S' = visible ? cap(scale * S) + bias : -inf.
  SmallVector<Value> ins = {s};
  SmallVector<AffineMap> maps = {id4};
  bool maskIsBias = false;
  if (mask) {
    auto mType = cast<ShapedType>(mask.getType());
    maskIsBias = isa<FloatType>(mType.getElementType());
    bool bcastB = !mType.isDynamicDim(0) && mType.getDimSize(0) == 1;
    bool bcastH = !mType.isDynamicDim(1) && mType.getDimSize(1) == 1;
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    ins.push_back(mask);
    maps.push_back(map4({bcastB ? zero : d0, bcastH ? zero : d1, d2, d3}));
  }
  maps.push_back(id4);
  Value offset = getQueryOffset();
  double scale = getScale().convertToDouble();
  std::optional<double> softcap;
  if (FloatAttr cap = getSoftcapAttr())
    softcap = cap.getValueAsDouble();
  int64_t left = getLeft(), right = getRight();
  std::optional<int64_t> chunk = getChunkSize();
  Value masked = linalg::GenericOp::create(
      b, loc, s.getType(), ins, ValueRange{emptyF32(b, loc, {bSz, hSz, lqSz, lkSz})},
      maps, ArrayRef<utils::IteratorType>{par, par, par, par},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        auto cst = [&](double x) {
          return arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(x));
        };
        auto idx = [&](int64_t x) {
          return arith::ConstantIndexOp::create(nb, nl, x);
        };
        Value x = arith::MulFOp::create(nb, nl, a[0], cst(scale));
        if (softcap) {
          Value t = math::TanhOp::create(
              nb, nl, arith::MulFOp::create(nb, nl, x, cst(1.0 / *softcap)));
          x = arith::MulFOp::create(nb, nl, t, cst(*softcap));
        }
        Value i = linalg::IndexOp::create(nb, nl, 2);
        Value j = linalg::IndexOp::create(nb, nl, 3);
        Value pos = arith::AddIOp::create(nb, nl, offset, i);
        Value vis = arith::ConstantOp::create(nb, nl, nb.getBoolAttr(true));
        auto both = [&](Value c) { vis = arith::AndIOp::create(nb, nl, vis, c); };
        if (left >= 0)
          both(arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sge, j,
              arith::SubIOp::create(nb, nl, pos, idx(left))));
        if (right >= 0)
          both(arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::sle, j,
              arith::AddIOp::create(nb, nl, pos, idx(right))));
        if (chunk)
          both(arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::eq,
              arith::FloorDivSIOp::create(nb, nl, pos, idx(*chunk)),
              arith::FloorDivSIOp::create(nb, nl, j, idx(*chunk))));
        if (mask && maskIsBias) {
          x = arith::AddFOp::create(nb, nl, x, toF32(nb, nl, a[1]));
        } else if (mask) {
          Value zero = arith::ConstantOp::create(
              nb, nl, nb.getIntegerAttr(a[1].getType(), 0));
          both(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne, a[1],
                                     zero));
        }
        Value negInf = cst(-std::numeric_limits<double>::infinity());
        linalg::YieldOp::create(
            nb, nl, ValueRange{arith::SelectOp::create(nb, nl, vis, x, negInf)});
      })
      .getResult(0);

  // m = rowmax(S') (-inf for rows without a visible key, replaced by 0).
  Value rowInit = emptyF32(b, loc, {bSz, hSz, lqSz});
  Value m = linalg::GenericOp::create(
                b, loc, rowInit.getType(), ValueRange{masked},
                ValueRange{fillF32(b, loc, rowInit,
                                   -std::numeric_limits<double>::infinity())},
                ArrayRef<AffineMap>{id4, rows4},
                ArrayRef<utils::IteratorType>{par, par, par, red},
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  linalg::YieldOp::create(
                      nb, nl,
                      ValueRange{arith::MaximumFOp::create(nb, nl, a[0], a[1])});
                })
                .getResult(0);

  // P = exp(S' - m).
  Value p = linalg::GenericOp::create(
                b, loc, s.getType(), ValueRange{masked, m},
                ValueRange{emptyF32(b, loc, {bSz, hSz, lqSz, lkSz})},
                ArrayRef<AffineMap>{id4, rows4, id4},
                ArrayRef<utils::IteratorType>{par, par, par, par},
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  Value negInf = arith::ConstantOp::create(
                      nb, nl,
                      nb.getF32FloatAttr(-std::numeric_limits<double>::infinity()));
                  Value zero =
                      arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0.0));
                  Value none = arith::CmpFOp::create(
                      nb, nl, arith::CmpFPredicate::OEQ, a[1], negInf);
                  Value ref = arith::SelectOp::create(nb, nl, none, zero, a[1]);
                  Value e = math::ExpOp::create(
                      nb, nl, arith::SubFOp::create(nb, nl, a[0], ref));
                  linalg::YieldOp::create(nb, nl, ValueRange{e});
                })
                .getResult(0);

  // l = rowsum(P).
  Value l = linalg::GenericOp::create(
                b, loc, rowInit.getType(), ValueRange{p},
                ValueRange{fillF32(b, loc, rowInit, 0.0)},
                ArrayRef<AffineMap>{id4, rows4},
                ArrayRef<utils::IteratorType>{par, par, par, red},
                [&](OpBuilder &nb, Location nl, ValueRange a) {
                  linalg::YieldOp::create(
                      nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[0], a[1])});
                })
                .getResult(0);

  // O = P V.
  Value o = fillF32(b, loc, emptyF32(b, loc, {bSz, hSz, lqSz, dvSz}), 0.0);
  o = linalg::GenericOp::create(
          b, loc, o.getType(), ValueRange{p, v}, ValueRange{o},
          ArrayRef<AffineMap>{map5({d0, d1, d2, d4}), map5({d0, d1, d4, d3}),
                              map5({d0, d1, d2, d3})},
          ArrayRef<utils::IteratorType>{par, par, par, par, red},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value prod =
                arith::MulFOp::create(nb, nl, a[0], toF32(nb, nl, a[1]));
            linalg::YieldOp::create(
                nb, nl, ValueRange{arith::AddFOp::create(nb, nl, a[2], prod)});
          })
          .getResult(0);

  // output = l == 0 ? 0 : O / l, in the output element type.
  Value out = getOutput();
  Type outElt = getOutputType().getElementType();
  Value result =
      linalg::GenericOp::create(
          b, loc, out.getType(), ValueRange{o, l}, ValueRange{out},
          ArrayRef<AffineMap>{id4, rows4, id4},
          ArrayRef<utils::IteratorType>{par, par, par, par},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value zero =
                arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0.0));
            Value empty = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, a[1], zero);
            Value div = arith::DivFOp::create(nb, nl, a[0], a[1]);
            Value r = arith::SelectOp::create(nb, nl, empty, zero, div);
            if (!outElt.isF32())
              r = arith::TruncFOp::create(nb, nl, outElt, r);
            linalg::YieldOp::create(nb, nl, ValueRange{r});
          })
          .getResult(0);
  return SmallVector<Value>{result};
}
