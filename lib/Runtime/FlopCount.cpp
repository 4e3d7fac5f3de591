//===- FlopCount.cpp - floating-point operations of a function ------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/FlopCount.h"

#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/AttentionGeometry.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::attn;

/// FLOPs of one attention op (2 (D + Dv) per visible query-key pair, the
/// pairs counted by the compiler's AttentionGeometry with the bottom-right
/// query offset Lk - Lq), or std::nullopt for dynamic shapes.
static std::optional<double> countAttentionFlops(Value query, Value value,
                                                 Value key,
                                                 const AttentionGeometry &geometry) {
  auto queryType = dyn_cast<RankedTensorType>(query.getType());
  auto keyType = dyn_cast<RankedTensorType>(key.getType());
  auto valueType = dyn_cast<RankedTensorType>(value.getType());
  if (!queryType || !keyType || !valueType || !queryType.hasStaticShape() ||
      !keyType.hasStaticShape() || !valueType.hasStaticShape() ||
      queryType.getRank() != 4 || keyType.getRank() != 4 ||
      valueType.getRank() != 4)
    return std::nullopt;
  int64_t batch = queryType.getDimSize(0), heads = queryType.getDimSize(1);
  int64_t lq = queryType.getDimSize(2), d = queryType.getDimSize(3);
  int64_t lk = keyType.getDimSize(2), dv = valueType.getDimSize(3);
  // Counting visible pairs takes a step per query row when rows see
  // different keys; beyond kMaxCountedRows (far more rows than any tensor
  // this machine holds) the count is left unknown rather than taking
  // minutes while a module is merely compiled.
  constexpr int64_t kMaxCountedRows = int64_t(1) << 24;
  if (geometry.restrictsKeys() && lq > kMaxCountedRows)
    return std::nullopt;
  double pairs = geometry.countVisiblePairs(lq, lk, /*queryOffset=*/lk - lq);
  return pairs * 2.0 * static_cast<double>(d + dv) *
         static_cast<double>(batch) * static_cast<double>(heads);
}

/// FLOPs of one composition per (b, t, s) position, all heads (2 per
/// multiply-add): static weights 2 H^2, each rank of a weight pair 4 H (the
/// w1 projection and the w2 broadcast), each gate 2 H; the convention of
/// anchors/dcmha_torch.py and utils/attn_reference.py's compose_flops.
/// std::nullopt for a dynamic H or rank.
static std::optional<double> composeFlopsPerPosition(const ComposeGroups &g,
                                                     int64_t heads) {
  if (ShapedType::isDynamic(heads))
    return std::nullopt;
  double h = static_cast<double>(heads), per = 0;
  if (g.staticWeights)
    per += 2 * h * h;
  for (Value weights : {g.qw1, g.kw1}) {
    if (!weights)
      continue;
    int64_t rank = cast<ShapedType>(weights.getType()).getDimSize(2);
    if (ShapedType::isDynamic(rank))
      return std::nullopt;
    per += 4 * h * static_cast<double>(rank);
  }
  per += 2 * h * ((g.queryGate ? 1 : 0) + (g.keyGate ? 1 : 0));
  return per;
}

/// Bilinear sampling: per sample and channel 4 corner FMAs, plus one FMA for
/// the attention weight when there is one (anchors/msda_torch.py's count:
/// 10 FLOP per sample-channel for MSDA). `samples` and `channels` come from
/// static shapes only.
static std::optional<double> countSamplingFlops(ShapedType result,
                                                ShapedType points,
                                                int64_t pointDims,
                                                int64_t channels,
                                                bool weighted) {
  if (!result.hasStaticShape() || !points.hasStaticShape() ||
      ShapedType::isDynamic(channels))
    return std::nullopt;
  double samples = 1;
  for (int64_t d = 0; d < pointDims; ++d)
    samples *= static_cast<double>(points.getDimSize(d));
  return samples * static_cast<double>(channels) * (weighted ? 10.0 : 8.0);
}

std::optional<double> mlir::attn::countFlops(func::FuncOp func) {
  double total = 0;
  bool counted = false, unknown = false;
  func.walk([&](Operation *op) {
    std::optional<double> flops;
    if (auto attention = dyn_cast<AttentionOp>(op)) {
      flops = countAttentionFlops(
          attention.getQuery(), attention.getValue(), attention.getKey(),
          AttentionGeometry(/*left=*/-1, attention.getCausal() ? 0 : -1));
    } else if (auto sliding = dyn_cast<SlidingWindowAttentionOp>(op)) {
      flops = countAttentionFlops(
          sliding.getQuery(), sliding.getValue(), sliding.getKey(),
          AttentionGeometry(sliding.getWindowLeft(), sliding.getWindowRight(),
                            sliding.getChunkSize()));
    } else if (auto dcmha = dyn_cast<DCMHAOp>(op)) {
      // Attention's FLOPs plus both compositions at every visible pair (the
      // kernel composes only those).
      int64_t left = -1, right = dcmha.getCausal() ? 0 : -1;
      if (std::optional<ArrayRef<int64_t>> window = dcmha.getWindow()) {
        left = (*window)[0];
        if (!dcmha.getCausal())
          right = (*window)[1];
      }
      AttentionGeometry geometry(left, right);
      flops = countAttentionFlops(dcmha.getQuery(), dcmha.getValue(),
                                  dcmha.getKey(), geometry);
      auto qType = cast<ShapedType>(dcmha.getQuery().getType());
      std::optional<double> pre =
          composeFlopsPerPosition(dcmha.getPreGroups(), qType.getDimSize(1));
      std::optional<double> post =
          composeFlopsPerPosition(dcmha.getPostGroups(), qType.getDimSize(1));
      if (flops && pre && post) {
        int64_t lq = qType.getDimSize(2);
        int64_t lk = cast<ShapedType>(dcmha.getKey().getType()).getDimSize(2);
        double pairs = geometry.countVisiblePairs(lq, lk, lk - lq) *
                       static_cast<double>(qType.getDimSize(0));
        *flops += pairs * (*pre + *post);
      } else {
        flops = std::nullopt;
      }
    } else if (auto compose = dyn_cast<ComposeOp>(op)) {
      auto type = cast<ShapedType>(compose.getScores().getType());
      std::optional<double> per =
          composeFlopsPerPosition(compose.getGroups(), type.getDimSize(1));
      if (per && type.hasStaticShape())
        flops = *per * static_cast<double>(type.getDimSize(0)) *
                static_cast<double>(type.getDimSize(2)) *
                static_cast<double>(type.getDimSize(3));
    } else if (auto sample = dyn_cast<DeformableSampleOp>(op)) {
      auto grid = cast<ShapedType>(sample.getGrid().getType());
      flops = countSamplingFlops(
          cast<ShapedType>(sample.getType()), grid, /*pointDims=*/3,
          cast<ShapedType>(sample.getInput().getType()).getDimSize(3),
          /*weighted=*/false);
    } else if (auto msda = dyn_cast<MSDeformAttnOp>(op)) {
      auto value = cast<ShapedType>(msda.getValue().getType());
      flops = countSamplingFlops(
          cast<ShapedType>(msda.getType()),
          cast<ShapedType>(msda.getSamplingLocations().getType()),
          /*pointDims=*/5, value.getDimSize(3), /*weighted=*/true);
    } else if (isa<AttnDialect>(op->getDialect())) {
      unknown = true;
      return;
    } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalg::isaContractionOpInterface(linalgOp))
        return;
      double points = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges()) {
        if (ShapedType::isDynamic(range)) {
          unknown = true;
          return;
        }
        points *= static_cast<double>(range);
      }
      flops = 2.0 * points;
    } else {
      return;
    }
    if (!flops) {
      unknown = true;
      return;
    }
    total += *flops;
    counted = true;
  });
  if (!counted || unknown)
    return std::nullopt;
  return total;
}

std::optional<double>
mlir::attn::countFlops(func::FuncOp func,
                       ArrayRef<ArrayRef<int64_t>> argumentShapes) {
  if (argumentShapes.size() != func.getNumArguments())
    return std::nullopt;
  func::FuncOp copy = func.clone();
  for (auto [argument, shape] : llvm::zip(copy.getArguments(), argumentShapes))
    if (auto type = dyn_cast<RankedTensorType>(argument.getType());
        type && type.getRank() == static_cast<int64_t>(shape.size()))
      argument.setType(type.clone(shape));
  std::optional<double> flops = countFlops(copy);
  copy.erase();
  return flops;
}
