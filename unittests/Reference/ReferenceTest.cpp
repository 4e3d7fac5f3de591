//===- ReferenceTest.cpp - tests of the float64 reference evaluator -------===//
//
// Part of the attn-mlir project.
//
// Three kinds of tests of the test oracle (docs/Spec.md section 1):
// hand-computed expectations on tiny shapes, with the numbers written out;
// properties that tie the ops to each other (window(-1, -1) == full
// attention, GQA == MHA with repeated K/V heads, ...); and `evaluate` on
// functions parsed from text.
//
//===----------------------------------------------------------------------===//

#include "attn/Reference/Reference.h"

#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn::reference;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kLn3 = std::log(3.0);

/// A tensor from a shape and row-major values.
Tensor make(llvm::ArrayRef<int64_t> shape, std::vector<double> data,
            ElementKind kind = ElementKind::F32) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.data = std::move(data);
  t.kind = kind;
  EXPECT_EQ(static_cast<int64_t>(t.data.size()), t.numElements());
  return t;
}

/// Deterministic values k/32 in [-2, 2] (exact in f16, bf16 and f32, so
/// `evaluate`'s rounding of arguments leaves them alone).
Tensor pseudoRandom(llvm::ArrayRef<int64_t> shape, uint32_t seed) {
  Tensor t = Tensor::filled(shape);
  uint32_t state = seed * 2654435761u + 12345u;
  for (double &x : t.data) {
    state = state * 1664525u + 1013904223u;
    x = static_cast<double>(static_cast<int32_t>((state >> 8) % 129) - 64) /
        32.0;
  }
  return t;
}

/// Values in [lo, hi] on a 1/64 grid.
Tensor pseudoUniform(llvm::ArrayRef<int64_t> shape, uint32_t seed, double lo,
                     double hi) {
  Tensor t = pseudoRandom(shape, seed);
  for (double &x : t.data)
    x = lo + (x + 2.0) / 4.0 * (hi - lo);
  return t;
}

void expectNear(const Tensor &actual, const Tensor &expected,
                double tol = 1e-12) {
  ASSERT_EQ(actual.shape, expected.shape);
  ASSERT_EQ(actual.data.size(), expected.data.size());
  for (size_t i = 0; i < actual.data.size(); ++i)
    EXPECT_NEAR(actual.data[i], expected.data[i], tol) << "at element " << i;
}

void expectAllZero(const Tensor &t) {
  for (size_t i = 0; i < t.data.size(); ++i)
    EXPECT_EQ(t.data[i], 0.0) << "at element " << i;
}

/// An i1 mask [1, 1, lq, lk] with visible(i, j).
template <typename Fn> Tensor maskOf(int64_t lq, int64_t lk, Fn visible) {
  Tensor m = Tensor::filled({1, 1, lq, lk}, 0.0, ElementKind::I1);
  for (int64_t i = 0; i < lq; ++i)
    for (int64_t j = 0; j < lk; ++j)
      m.at({0, 0, i, j}) = visible(i, j) ? 1.0 : 0.0;
  return m;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

//===----------------------------------------------------------------------===//
// attention
//===----------------------------------------------------------------------===//

// Q = K = I, V = [[1, 2], [3, 4]], scale = ln 3: the logits of row 0 are
// (ln 3, 0), so P = (3/4, 1/4) and O = 3/4*(1, 2) + 1/4*(3, 4) = (1.5, 2.5);
// row 1 mirrors it: P = (1/4, 3/4), O = (2.5, 3.5).
TEST(ReferenceAttention, HandComputed1x1x2x2) {
  Tensor q = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor k = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor v = make({1, 1, 2, 2}, {1, 2, 3, 4});
  AttentionParams params;
  params.scale = kLn3;
  expectNear(attention(q, k, v, nullptr, params),
             make({1, 1, 2, 2}, {1.5, 2.5, 2.5, 3.5}));
}

// D = 4, so the default scale is 1/2: Q = (2 ln 3, 0, 0, 0) against keys
// (1, 0, 0, 0) and 0 gives logits (ln 3, 0), P = (3/4, 1/4), O = 3/4*1 +
// 1/4*5 = 2.
TEST(ReferenceAttention, DefaultScaleIsInvSqrtD) {
  Tensor q = make({1, 1, 1, 4}, {2 * kLn3, 0, 0, 0});
  Tensor k = make({1, 1, 2, 4}, {1, 0, 0, 0, 0, 0, 0, 0});
  Tensor v = make({1, 1, 2, 1}, {1, 5});
  expectNear(attention(q, k, v, nullptr, {}), make({1, 1, 1, 1}, {2.0}));
}

// As HandComputed1x1x2x2 with causal: row 0 sees only key 0, O = (1, 2).
TEST(ReferenceAttention, CausalHandComputed) {
  Tensor q = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor k = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor v = make({1, 1, 2, 2}, {1, 2, 3, 4});
  AttentionParams params;
  params.scale = kLn3;
  params.causal = true;
  expectNear(attention(q, k, v, nullptr, params),
             make({1, 1, 2, 2}, {1, 2, 2.5, 3.5}));
}

// Bottom-right alignment: with Lq = 1 and Lk = 2 the single query is the
// last one (i' = 1) and sees both keys; with Lq = 3, Lk = 1 the first two
// queries (i' = -2, -1) see nothing and are 0.
TEST(ReferenceAttention, CausalIsBottomRightAligned) {
  Tensor q = make({1, 1, 1, 2}, {0, 1});
  Tensor k = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor v = make({1, 1, 2, 2}, {1, 2, 3, 4});
  AttentionParams params;
  params.scale = kLn3;
  params.causal = true;
  expectNear(attention(q, k, v, nullptr, params),
             make({1, 1, 1, 2}, {2.5, 3.5}));

  Tensor q3 = make({1, 1, 3, 1}, {1, 2, 3});
  Tensor k1 = make({1, 1, 1, 1}, {1});
  Tensor v1 = make({1, 1, 1, 2}, {7, 8});
  expectNear(attention(q3, k1, v1, nullptr, params),
             make({1, 1, 3, 2}, {0, 0, 0, 0, 7, 8}));
}

// A float mask is an additive bias: with Q = 0 the logits are the bias
// (ln 3, 0), P = (3/4, 1/4). A -inf entry hides its key.
TEST(ReferenceAttention, FloatBiasHandComputed) {
  Tensor q = make({1, 1, 1, 2}, {0, 0});
  Tensor k = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor v = make({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor bias = make({1, 1, 1, 2}, {kLn3, 0});
  expectNear(attention(q, k, v, &bias, {}), make({1, 1, 1, 2}, {1.5, 2.5}));
  Tensor hide = make({1, 1, 1, 2}, {0, -kInf});
  expectNear(attention(q, k, v, &hide, {}), make({1, 1, 1, 2}, {1, 2}));
}

// An i1 mask: true = visible. [[1, 0], [1, 1]] is causal here.
TEST(ReferenceAttention, BoolMaskHandComputed) {
  Tensor q = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor k = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor v = make({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor mask = make({1, 1, 2, 2}, {1, 0, 1, 1}, ElementKind::I1);
  AttentionParams params;
  params.scale = kLn3;
  expectNear(attention(q, k, v, &mask, params),
             make({1, 1, 2, 2}, {1, 2, 2.5, 3.5}));
}

// softcap = 2, logits 100 and 0 become 2*tanh(50) = 2 and 0, so
// P(key 0) = sigmoid(2) = 0.8807970779778823.
TEST(ReferenceAttention, SoftcapHandComputed) {
  Tensor q = make({1, 1, 1, 1}, {1});
  Tensor k = make({1, 1, 2, 1}, {100, 0});
  Tensor v = make({1, 1, 2, 1}, {1, 0});
  AttentionParams params;
  params.scale = 1.0;
  params.softcap = 2.0;
  expectNear(attention(q, k, v, nullptr, params),
             make({1, 1, 1, 1}, {0.8807970779778823}));
}

// The bias is added after the cap: with Q = 0, softcap = 1 and bias (2, 0),
// S = (cap(0) + 2, cap(0) + 0) = (2, 0) and P(key 0) = sigmoid(2); capping
// after the bias would give sigmoid(tanh(2)) = 0.7239.
TEST(ReferenceAttention, SoftcapAppliesBeforeBias) {
  Tensor q = make({1, 1, 1, 1}, {0});
  Tensor k = make({1, 1, 2, 1}, {1, 1});
  Tensor v = make({1, 1, 2, 1}, {1, 0});
  Tensor bias = make({1, 1, 1, 2}, {2, 0});
  AttentionParams params;
  params.softcap = 1.0;
  expectNear(attention(q, k, v, &bias, params),
             make({1, 1, 1, 1}, {0.8807970779778823}));
}

// With V = (1, 0) the output is P(key 0) = sigmoid(S0 - S1); |S| <= softcap
// bounds it to [sigmoid(-2c), sigmoid(2c)], reached for huge logits.
TEST(ReferenceAttention, SoftcapBoundsLogits) {
  const double c = 1.5;
  AttentionParams params;
  params.scale = 1.0;
  params.softcap = c;
  Tensor v = make({1, 1, 2, 1}, {1, 0});
  Tensor k = make({1, 1, 2, 1}, {1e6, -1e6});
  Tensor q = make({1, 1, 1, 1}, {1});
  EXPECT_NEAR(attention(q, k, v, nullptr, params).data[0], sigmoid(2 * c),
              1e-15);
  EXPECT_NEAR(sigmoid(2 * c), 0.9525741268224334, 1e-15);
  for (double qv : {-1e9, -30.0, -1.0, 0.0, 0.5, 7.0, 1e9}) {
    q.data[0] = qv;
    double p = attention(q, k, v, nullptr, params).data[0];
    EXPECT_GE(p, sigmoid(-2 * c) - 1e-15) << "q = " << qv;
    EXPECT_LE(p, sigmoid(2 * c) + 1e-15) << "q = " << qv;
  }
}

TEST(ReferenceAttention, FullyMaskedRowIsZero) {
  Tensor q = pseudoRandom({1, 1, 2, 3}, 1);
  Tensor k = pseudoRandom({1, 1, 3, 3}, 2);
  Tensor v = pseudoRandom({1, 1, 3, 2}, 3);
  Tensor full = attention(q, k, v, nullptr, {});
  // i1: row 0 sees nothing.
  Tensor mask = make({1, 1, 2, 3}, {0, 0, 0, 1, 1, 1}, ElementKind::I1);
  Tensor out = attention(q, k, v, &mask, {});
  EXPECT_EQ(out.data[0], 0.0);
  EXPECT_EQ(out.data[1], 0.0);
  EXPECT_NEAR(out.data[2], full.data[2], 1e-12);
  EXPECT_NEAR(out.data[3], full.data[3], 1e-12);
  // Float: a row of -inf bias.
  Tensor bias = make({1, 1, 2, 3}, {-kInf, -kInf, -kInf, 0, 0, 0});
  Tensor outBias = attention(q, k, v, &bias, {});
  EXPECT_EQ(outBias.data[0], 0.0);
  EXPECT_EQ(outBias.data[1], 0.0);
  EXPECT_NEAR(outBias.data[2], full.data[2], 1e-12);
  for (double x : outBias.data)
    EXPECT_FALSE(std::isnan(x));
}

// A [1, 1, Lq, Lk] mask applies to every batch and head, as its
// [B, H, Lq, Lk] expansion does.
TEST(ReferenceAttention, MaskBroadcastsOverBatchAndHeads) {
  Tensor q = pseudoRandom({2, 3, 2, 4}, 4);
  Tensor k = pseudoRandom({2, 3, 3, 4}, 5);
  Tensor v = pseudoRandom({2, 3, 3, 2}, 6);
  Tensor small = make({1, 1, 2, 3}, {1, 0, 1, 0, 1, 1}, ElementKind::I1);
  Tensor big = Tensor::filled({2, 3, 2, 3}, 0.0, ElementKind::I1);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 3; ++h)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
          big.at({b, h, i, j}) = small.at({0, 0, i, j});
  expectNear(attention(q, k, v, &small, {}), attention(q, k, v, &big, {}));
  // Broadcast over heads only, with a float bias.
  Tensor perBatch = pseudoRandom({2, 1, 2, 3}, 7);
  Tensor perBatchBig = Tensor::filled({2, 3, 2, 3});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 3; ++h)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
          perBatchBig.at({b, h, i, j}) = perBatch.at({b, 0, i, j});
  expectNear(attention(q, k, v, &perBatch, {}),
             attention(q, k, v, &perBatchBig, {}));
}

TEST(ReferenceAttention, UnboundedWindowIsFullAttention) {
  for (auto [lq, lk] : {std::pair<int64_t, int64_t>{3, 5}, {5, 3}, {4, 4}}) {
    Tensor q = pseudoRandom({2, 2, lq, 4}, 10);
    Tensor k = pseudoRandom({2, 2, lk, 4}, 11);
    Tensor v = pseudoRandom({2, 2, lk, 3}, 12);
    AttentionParams window;
    window.window = {-1, -1};
    expectNear(attention(q, k, v, nullptr, window),
               attention(q, k, v, nullptr, {}));
  }
}

TEST(ReferenceAttention, LeftUnboundedRightZeroWindowIsCausal) {
  for (auto [lq, lk] : {std::pair<int64_t, int64_t>{3, 5}, {5, 3}, {4, 4}}) {
    Tensor q = pseudoRandom({1, 2, lq, 4}, 20);
    Tensor k = pseudoRandom({1, 2, lk, 4}, 21);
    Tensor v = pseudoRandom({1, 2, lk, 3}, 22);
    AttentionParams window, causal, causalWide;
    window.window = {-1, 0};
    causal.causal = true;
    // causal forces right = 0 whatever the window says.
    causalWide.causal = true;
    causalWide.window = {-1, 3};
    Tensor expected = attention(q, k, v, nullptr, causal);
    expectNear(attention(q, k, v, nullptr, window), expected);
    expectNear(attention(q, k, v, nullptr, causalWide), expected);
  }
}

// window (1, 0) with Lq = Lk: query i sees keys i-1 and i; with Lq = 2,
// Lk = 4 (i' = i + 2), window (0, 1): query i sees keys i+2 and i+3.
TEST(ReferenceAttention, WindowMatchesExplicitMask) {
  Tensor q = pseudoRandom({1, 1, 4, 3}, 30);
  Tensor k = pseudoRandom({1, 1, 4, 3}, 31);
  Tensor v = pseudoRandom({1, 1, 4, 2}, 32);
  AttentionParams params;
  params.window = {1, 0};
  Tensor mask =
      maskOf(4, 4, [](int64_t i, int64_t j) { return i - 1 <= j && j <= i; });
  expectNear(attention(q, k, v, nullptr, params),
             attention(q, k, v, &mask, {}));

  Tensor q2 = pseudoRandom({1, 1, 2, 3}, 33);
  params.window = {0, 1};
  Tensor mask2 = maskOf(
      2, 4, [](int64_t i, int64_t j) { return j == i + 2 || j == i + 3; });
  expectNear(attention(q2, k, v, nullptr, params),
             attention(q2, k, v, &mask2, {}));
}

// Lq = 4 > Lk = 2: i' = i - 2 = -2, -1, 0, 1. With chunk 2, floor(-2/2) =
// floor(-1/2) = -1 differs from floor(j/2) = 0, so rows 0 and 1 see nothing
// (truncating division would put i' = -1 in chunk 0); rows 2 and 3 see both
// keys, as without the chunk.
TEST(ReferenceAttention, ChunkUsesFloorDivisionForNegativeRows) {
  Tensor q = pseudoRandom({1, 1, 4, 3}, 40);
  Tensor k = pseudoRandom({1, 1, 2, 3}, 41);
  Tensor v = pseudoRandom({1, 1, 2, 2}, 42);
  AttentionParams chunked;
  chunked.chunk = 2;
  Tensor out = attention(q, k, v, nullptr, chunked);
  Tensor full = attention(q, k, v, nullptr, {});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t c = 0; c < 2; ++c) {
      double expected = i < 2 ? 0.0 : full.at({0, 0, i, c});
      EXPECT_NEAR(out.at({0, 0, i, c}), expected, 1e-12)
          << "row " << i << " column " << c;
    }
  // The same through a window op with both sides unbounded.
  chunked.window = {-1, -1};
  expectNear(attention(q, k, v, nullptr, chunked), out);
}

// Lq = Lk = 5, chunk 2: blocks {0, 1}, {2, 3}, {4}.
TEST(ReferenceAttention, ChunkMatchesBlockDiagonalMask) {
  Tensor q = pseudoRandom({1, 2, 5, 3}, 43);
  Tensor k = pseudoRandom({1, 2, 5, 3}, 44);
  Tensor v = pseudoRandom({1, 2, 5, 2}, 45);
  AttentionParams params;
  params.chunk = 2;
  params.causal = true;
  Tensor mask = maskOf(
      5, 5, [](int64_t i, int64_t j) { return j <= i && i / 2 == j / 2; });
  expectNear(attention(q, k, v, nullptr, params),
             attention(q, k, v, &mask, {}));
}

TEST(ReferenceAttention, GQAEqualsMHAWithRepeatedKVHeads) {
  for (int64_t hkv : {1, 2}) {
    const int64_t hq = 4, group = hq / hkv;
    Tensor q = pseudoRandom({2, hq, 3, 4}, 50);
    Tensor k = pseudoRandom({2, hkv, 5, 4}, 51);
    Tensor v = pseudoRandom({2, hkv, 5, 3}, 52);
    Tensor kRep = Tensor::filled({2, hq, 5, 4});
    Tensor vRep = Tensor::filled({2, hq, 5, 3});
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t h = 0; h < hq; ++h)
        for (int64_t j = 0; j < 5; ++j) {
          for (int64_t d = 0; d < 4; ++d)
            kRep.at({b, h, j, d}) = k.at({b, h / group, j, d});
          for (int64_t d = 0; d < 3; ++d)
            vRep.at({b, h, j, d}) = v.at({b, h / group, j, d});
        }
    AttentionParams params;
    params.causal = true;
    expectNear(attention(q, k, v, nullptr, params),
               attention(q, kRep, vRep, nullptr, params));
  }
}

//===----------------------------------------------------------------------===//
// compose and dcmha
//===----------------------------------------------------------------------===//

TEST(ReferenceCompose, NoWeightsIsIdentity) {
  Tensor a = pseudoRandom({2, 3, 4, 5}, 60);
  expectNear(compose(a, {}), a, 0.0);
}

// The identity map of an absent W is exact: an infinite score of one head
// (a masked key) stays in its head and is not multiplied by the zeros of the
// other heads' columns (inf * 0 = NaN).
TEST(ReferenceCompose, AbsentStaticKeepsInfiniteScores) {
  Tensor a = make({1, 2, 1, 2}, {-kInf, 2, 3, 4});
  Tensor out = compose(a, {});
  EXPECT_EQ(out.at({0, 0, 0, 0}), -kInf);
  EXPECT_EQ(out.at({0, 0, 0, 1}), 2.0);
  EXPECT_EQ(out.at({0, 1, 0, 0}), 3.0);
  EXPECT_EQ(out.at({0, 1, 0, 1}), 4.0);
}

// A[0, :, 0, 0] = (1, 2), W = [[1, 2], [3, 4]]:
// out[h] = sum_g A[g] W[g, h] = (1*1 + 2*3, 1*2 + 2*4) = (7, 10).
TEST(ReferenceCompose, StaticWeightsHandComputed) {
  Tensor a = make({1, 2, 1, 1}, {1, 2});
  Tensor w = make({2, 2}, {1, 2, 3, 4});
  ComposeWeights weights;
  weights.staticWeights = &w;
  expectNear(compose(a, weights), make({1, 2, 1, 1}, {7, 10}));
}

// Gates only: out = A + A*(qdd + kdd) = (1 + 1*(1 + 0), 2 + 2*(0 + 0.5)).
TEST(ReferenceCompose, GatesHandComputed) {
  Tensor a = make({1, 2, 1, 1}, {1, 2});
  Tensor qdd = make({1, 1, 2}, {1, 0});
  Tensor kdd = make({1, 1, 2}, {0, 0.5});
  ComposeWeights weights;
  weights.queryGate = &qdd;
  weights.keyGate = &kdd;
  expectNear(compose(a, weights), make({1, 2, 1, 1}, {2, 3}));
}

// All groups on A = (1, 2):
//   static W = [[1, 2], [3, 4]]                      -> (7, 10)
//   qw1 = (1, 1), qw2 = (0.5, -1): proj = 3           -> + (1.5, -3)
//   kw1 = kw2 = I (Ck = 2): projs (1, 2)              -> + (1, 2)
//   qdd = (1, 0), kdd = (0, 0.5): A*(qdd+kdd) = (1, 1) -> + (1, 1)
// = (10.5, 10).
TEST(ReferenceCompose, AllGroupsHandComputed) {
  Tensor a = make({1, 2, 1, 1}, {1, 2});
  Tensor w = make({2, 2}, {1, 2, 3, 4});
  Tensor qw1 = make({1, 1, 1, 2}, {1, 1});
  Tensor qw2 = make({1, 1, 1, 2}, {0.5, -1});
  Tensor kw1 = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor kw2 = make({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor qdd = make({1, 1, 2}, {1, 0});
  Tensor kdd = make({1, 1, 2}, {0, 0.5});
  ComposeWeights weights{&w, &qw1, &qw2, &kw1, &kw2, &qdd, &kdd};
  expectNear(compose(a, weights), make({1, 2, 1, 1}, {10.5, 10}));
}

// H = 2, Lq = 1, Lk = 2, D = Dv = 1, scale 1, causal (bottom-right: the
// single query sees both keys).
//   S: head 0 = (ln 3, 0), head 1 = (0, 0)
//   pre W = [[0, 1], [1, 0]] swaps heads: head 0 = (0, 0), head 1 = (ln 3, 0)
//   softmax: head 0 = (1/2, 1/2), head 1 = (3/4, 1/4)
//   post key_gate kdd[s=0] = (1, 0), kdd[s=1] = (0, 0): P + P*kdd
//     head 0 = (1, 1/2), head 1 = (3/4, 1/4)
//   V head 0 = (10, 20), head 1 = (4, 8):
//     O head 0 = 10 + 10 = 20, head 1 = 3 + 2 = 5.
TEST(ReferenceDCMHA, HandComputed) {
  Tensor q = make({1, 2, 1, 1}, {1, 0});
  Tensor k = make({1, 2, 2, 1}, {kLn3, 0, 0, 0});
  Tensor v = make({1, 2, 2, 1}, {10, 20, 4, 8});
  Tensor w = make({2, 2}, {0, 1, 1, 0});
  Tensor kdd = make({1, 2, 2}, {1, 0, 0, 0});
  ComposeWeights pre, post;
  pre.staticWeights = &w;
  post.keyGate = &kdd;
  AttentionParams params;
  params.scale = 1.0;
  params.causal = true;
  expectNear(dcmha(q, k, v, pre, post, params), make({1, 2, 1, 1}, {20, 5}),
             1e-12);
}

TEST(ReferenceDCMHA, WithoutComposeIsAttention) {
  Tensor q = pseudoRandom({2, 3, 3, 4}, 70);
  Tensor k = pseudoRandom({2, 3, 5, 4}, 71);
  Tensor v = pseudoRandom({2, 3, 5, 2}, 72);
  for (int variant = 0; variant < 3; ++variant) {
    AttentionParams params;
    if (variant == 1)
      params.causal = true;
    if (variant == 2)
      params.window = {1, 1};
    expectNear(dcmha(q, k, v, {}, {}, params),
               attention(q, k, v, nullptr, params));
  }
}

// Compose pre with identity static weights and zero gates is the identity.
TEST(ReferenceDCMHA, IdentityComposeIsAttention) {
  Tensor q = pseudoRandom({1, 2, 3, 4}, 73);
  Tensor k = pseudoRandom({1, 2, 3, 4}, 74);
  Tensor v = pseudoRandom({1, 2, 3, 2}, 75);
  Tensor eye = make({2, 2}, {1, 0, 0, 1});
  Tensor zeroGate = Tensor::filled({1, 3, 2});
  ComposeWeights pre, post;
  pre.staticWeights = &eye;
  post.staticWeights = &eye;
  post.queryGate = &zeroGate;
  AttentionParams params;
  params.causal = true;
  expectNear(dcmha(q, k, v, pre, post, params),
             attention(q, k, v, nullptr, params));
}

// Lq = 3, Lk = 1, causal: rows 0 and 1 see no key and are 0, whatever the
// post-softmax composition adds.
TEST(ReferenceDCMHA, FullyMaskedRowIsZero) {
  Tensor q = pseudoRandom({1, 2, 3, 2}, 76);
  Tensor k = pseudoRandom({1, 2, 1, 2}, 77);
  Tensor v = make({1, 2, 1, 1}, {3, 4});
  Tensor w = make({2, 2}, {1, 2, 3, 4});
  Tensor qdd = make({1, 3, 2}, {5, 5, 5, 5, 5, 5});
  ComposeWeights post;
  post.staticWeights = &w;
  post.queryGate = &qdd;
  AttentionParams params;
  params.causal = true;
  Tensor out = dcmha(q, k, v, {}, post, params);
  for (int64_t h = 0; h < 2; ++h) {
    EXPECT_EQ(out.at({0, h, 0, 0}), 0.0);
    EXPECT_EQ(out.at({0, h, 1, 0}), 0.0);
  }
  // Row 2 sees key 0 with P = 1: P' = (1*1 + 1*3 + 5, 1*2 + 1*4 + 5).
  EXPECT_NEAR(out.at({0, 0, 2, 0}), 9 * 3.0, 1e-12);
  EXPECT_NEAR(out.at({0, 1, 2, 0}), 11 * 4.0, 1e-12);
}

//===----------------------------------------------------------------------===//
// deformable_sample
//===----------------------------------------------------------------------===//

/// Samples a 2x2 single-channel map [[1, 2], [3, 4]] at (x, y) points.
Tensor sample2x2(std::vector<std::pair<double, double>> points,
                 bool alignCorners, bool border) {
  Tensor input = make({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor grid = Tensor::filled({1, 1, static_cast<int64_t>(points.size()), 2});
  for (auto [i, p] : llvm::enumerate(points)) {
    grid.at({0, 0, static_cast<int64_t>(i), 0}) = p.first;
    grid.at({0, 0, static_cast<int64_t>(i), 1}) = p.second;
  }
  return deformableSample(input, grid, alignCorners, border);
}

// align_corners = true: x_pix = (x+1)/2*(W-1).
//   (0, 0) -> (0.5, 0.5): mean of the four = 2.5
//   (-1, -1) -> (0, 0): 1;  (1, 1) -> (1, 1): 4
//   (0.5, -1) -> (0.75, 0): 1/4*1 + 3/4*2 = 1.75
// align_corners = false: x_pix = ((x+1)*W-1)/2.
//   (0, 0) -> (0.5, 0.5): 2.5
//   (-1, -1) -> (-0.5, -0.5): only corner (0, 0) inside, weight 1/4: 0.25
TEST(ReferenceDeformableSample, Bilinear2x2HandComputed) {
  expectNear(sample2x2({{0, 0}, {-1, -1}, {1, 1}, {0.5, -1}}, true, false),
             make({1, 1, 4, 1}, {2.5, 1, 4, 1.75}));
  expectNear(sample2x2({{0, 0}, {-1, -1}}, false, false),
             make({1, 1, 2, 1}, {2.5, 0.25}));
}

// (1.5, 0) with align_corners = true is pixel (1.25, 0.5): with zeros the
// column beyond the edge reads 0, 3/4 * mean(2, 4) = 2.25; border clamps to
// x = 1: mean(2, 4) = 3. (-1, -1) without align_corners: zeros 0.25, border 1.
TEST(ReferenceDeformableSample, BorderVersusZeros) {
  expectNear(sample2x2({{1.5, 0}}, true, false), make({1, 1, 1, 1}, {2.25}));
  expectNear(sample2x2({{1.5, 0}}, true, true), make({1, 1, 1, 1}, {3}));
  expectNear(sample2x2({{-1, -1}}, false, true), make({1, 1, 1, 1}, {1}));
  // Inside the map both modes agree.
  expectNear(sample2x2({{0.25, -0.5}, {0, 0}}, false, true),
             sample2x2({{0.25, -0.5}, {0, 0}}, false, false));
}

TEST(ReferenceDeformableSample, NonFiniteCoordinatesGiveZero) {
  std::vector<std::pair<double, double>> points = {
      {kNaN, 0}, {0, kNaN},  {kInf, 0},   {-kInf, 0},
      {0, kInf}, {0, -kInf}, {kNaN, kInf}};
  for (bool align : {false, true})
    for (bool border : {false, true})
      expectAllZero(sample2x2(points, align, border));
}

// Far coordinates read nothing outside the input: batch 0 samples near and
// far beyond its edges while batch 1 (stored right after it) holds 1e9.
TEST(ReferenceDeformableSample, HugeCoordinatesStayInBounds) {
  Tensor input = make({2, 2, 2, 1}, {1, 2, 3, 4, 1e9, 1e9, 1e9, 1e9});
  std::vector<std::pair<double, double>> points = {
      {1e300, 0},    {-1e300, 0},  {0, 1e300},       {0, -1e300},
      {9.3e18, 0.5}, {1e18, 1e18}, {1.0001, 1.0001}, {3.0, 3.0}};
  Tensor grid = Tensor::filled({2, 1, static_cast<int64_t>(points.size()), 2});
  for (auto [i, p] : llvm::enumerate(points)) {
    grid.at({0, 0, static_cast<int64_t>(i), 0}) = p.first;
    grid.at({0, 0, static_cast<int64_t>(i), 1}) = p.second;
  }
  // Zeros: every far point is 0; (1.0001, 1.0001) with align_corners is
  // just past the last pixel: 4 * (1 - 0.00005)^2.
  Tensor zeros = deformableSample(input, grid, true, false);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(zeros.at({0, 0, i, 0}), 0.0) << "point " << i;
  EXPECT_NEAR(zeros.at({0, 0, 6, 0}), 4 * 0.99995 * 0.99995, 1e-12);
  EXPECT_EQ(zeros.at({0, 0, 7, 0}), 0.0);
  // Border: clamped to the edges of batch 0's map.
  Tensor border = deformableSample(input, grid, true, true);
  std::vector<double> expected = {3, 2, 3.5, 1.5, 3.5, 4, 4, 4};
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(border.at({0, 0, i, 0}), expected[i], 1e-12) << "point " << i;
}

//===----------------------------------------------------------------------===//
// ms_deform_attn
//===----------------------------------------------------------------------===//

// One 2x2 level [[1, 2], [3, 4]], one point: x_pix = x*W - 0.5.
//   (0.5, 0.5) -> (0.5, 0.5): 2.5, weight 2 -> 5
//   (0.25, 0.25) -> (0, 0): 1, weight 1 -> 1
//   (0.75, 0.75) -> (1, 1): 4, weight 0.5 -> 2
TEST(ReferenceMSDeformAttn, OneLevelOnePointHandComputed) {
  Tensor value = make({1, 4, 1, 1}, {1, 2, 3, 4});
  Tensor loc = make({1, 3, 1, 1, 1, 2}, {0.5, 0.5, 0.25, 0.25, 0.75, 0.75});
  Tensor w = make({1, 3, 1, 1, 1}, {2, 1, 0.5});
  expectNear(msDeformAttn(value, loc, w, {2, 2}), make({1, 3, 1}, {5, 1, 2}));
}

// Levels (2, 2) and (1, 1); value rows [1, 2, 3, 4 | 10].
//   level 0 at (0.5, 0.5): 2.5, weight 0.5 -> 1.25
//   level 1 at (0.875, 0.5): pixel (0.375, 0): (1 - 0.375) * 10 = 6.25
//     (the right neighbour is outside), weight 0.25 -> 1.5625
//   total 2.8125
TEST(ReferenceMSDeformAttn, TwoLevelsHandComputed) {
  Tensor value = make({1, 5, 1, 1}, {1, 2, 3, 4, 10});
  Tensor loc = make({1, 1, 1, 2, 1, 2}, {0.5, 0.5, 0.875, 0.5});
  Tensor w = make({1, 1, 1, 2, 1}, {0.5, 0.25});
  expectNear(msDeformAttn(value, loc, w, {2, 2, 1, 1}),
             make({1, 1, 1}, {2.8125}));
}

// One level, one point: ms_deform_attn is deformable_sample with
// align_corners = false and zero padding at x_norm = 2x - 1, times the
// weight, per head (value[n, y*W + x, m, :] is head m's [H, W, D] map).
TEST(ReferenceMSDeformAttn, OneLevelOnePointIsDeformableSample) {
  const int64_t n = 2, h = 3, w = 4, m = 2, d = 3, lq = 5;
  Tensor value = pseudoRandom({n, h * w, m, d}, 80);
  Tensor loc = pseudoUniform({n, lq, m, 1, 1, 2}, 81, -0.25, 1.25);
  Tensor weights = pseudoRandom({n, lq, m, 1, 1}, 82);
  Tensor out = msDeformAttn(value, loc, weights, {h, w});
  for (int64_t mi = 0; mi < m; ++mi) {
    Tensor input = Tensor::filled({n, h, w, d});
    Tensor grid = Tensor::filled({n, 1, lq, 2});
    for (int64_t ni = 0; ni < n; ++ni) {
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          for (int64_t c = 0; c < d; ++c)
            input.at({ni, y, x, c}) = value.at({ni, y * w + x, mi, c});
      for (int64_t q = 0; q < lq; ++q)
        for (int64_t xy = 0; xy < 2; ++xy)
          grid.at({ni, 0, q, xy}) = 2 * loc.at({ni, q, mi, 0, 0, xy}) - 1;
    }
    Tensor sampled = deformableSample(input, grid, /*alignCorners=*/false,
                                      /*borderPadding=*/false);
    for (int64_t ni = 0; ni < n; ++ni)
      for (int64_t q = 0; q < lq; ++q)
        for (int64_t c = 0; c < d; ++c)
          EXPECT_NEAR(out.at({ni, q, mi * d + c}),
                      weights.at({ni, q, mi, 0, 0}) * sampled.at({ni, 0, q, c}),
                      1e-12);
  }
}

TEST(ReferenceMSDeformAttn, NonFiniteAndFarLocationsGiveZero) {
  Tensor value = make({2, 4, 1, 1}, {1, 2, 3, 4, 1e9, 1e9, 1e9, 1e9});
  std::vector<double> coords = {kNaN,  0.5, 0.5, kInf,   -kInf, 0.5,
                                1e300, 0.5, 0.5, -1e300, 1e18,  1e18};
  Tensor loc = Tensor::filled({2, 6, 1, 1, 1, 2});
  for (size_t i = 0; i < coords.size(); ++i)
    loc.data[i] = coords[i];
  Tensor w = Tensor::filled({2, 6, 1, 1, 1}, 1.0);
  Tensor out = msDeformAttn(value, loc, w, {2, 2});
  for (int64_t q = 0; q < 6; ++q)
    EXPECT_EQ(out.at({0, q, 0}), 0.0) << "query " << q;
}

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

TEST(ReferenceTensor, RoundToKind) {
  // f16 has 10 fraction bits: 1 + 2^-11 is a tie (to even: 1), 1 + 3*2^-12
  // rounds up to 1 + 2^-10; 70000 overflows to inf.
  EXPECT_EQ(roundToKind(1.00048828125, ElementKind::F16), 1.0);
  EXPECT_EQ(roundToKind(1.000732421875, ElementKind::F16), 1.0009765625);
  EXPECT_EQ(roundToKind(70000.0, ElementKind::F16), kInf);
  // bf16 has 7: 1 + 2^-8 ties to 1, 1 + 3*2^-9 rounds to 1 + 2^-7.
  EXPECT_EQ(roundToKind(1.00390625, ElementKind::BF16), 1.0);
  EXPECT_EQ(roundToKind(1.005859375, ElementKind::BF16), 1.0078125);
  EXPECT_EQ(roundToKind(0.1, ElementKind::F32), static_cast<double>(0.1f));
  EXPECT_EQ(roundToKind(-2.0, ElementKind::I1), 1.0);
  EXPECT_EQ(roundToKind(0.0, ElementKind::I1), 0.0);
}

TEST(ReferenceTensor, RowMajorIndexing) {
  Tensor t = make({2, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(t.numElements(), 6);
  EXPECT_EQ(t.offset({1, 2}), 5);
  EXPECT_EQ(t.at({1, 0}), 3.0);
  EXPECT_EQ(Tensor::filled({}, 7.0).numElements(), 1);
}

//===----------------------------------------------------------------------===//
// evaluate
//===----------------------------------------------------------------------===//

class ReferenceEvaluate : public ::testing::Test {
protected:
  ReferenceEvaluate() {
    DialectRegistry registry;
    registry.insert<attn::AttnDialect, func::FuncDialect, arith::ArithDialect,
                    tensor::TensorDialect, linalg::LinalgDialect,
                    math::MathDialect>();
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `source` and returns its function @main (null on failure).
  func::FuncOp parse(llvm::StringRef source) {
    module = parseSourceString<ModuleOp>(source, &context);
    if (!module)
      return nullptr;
    return module->lookupSymbol<func::FuncOp>("main");
  }

  /// Evaluates @main of `source`, failing the test on any error.
  std::vector<Tensor> run(llvm::StringRef source, std::vector<Tensor> args) {
    func::FuncOp fn = parse(source);
    EXPECT_TRUE(fn) << "parse failed";
    if (!fn)
      return {};
    llvm::Expected<std::vector<Tensor>> results = evaluate(fn, args);
    if (!results) {
      ADD_FAILURE() << llvm::toString(results.takeError());
      return {};
    }
    return std::move(*results);
  }

  /// Evaluates @main of `source` and returns the error message ("" if none).
  std::string runError(llvm::StringRef source, std::vector<Tensor> args) {
    func::FuncOp fn = parse(source);
    EXPECT_TRUE(fn) << "parse failed";
    if (!fn)
      return "";
    llvm::Expected<std::vector<Tensor>> results = evaluate(fn, args);
    if (results)
      return "";
    return llvm::toString(results.takeError());
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(ReferenceEvaluate, AttentionOp) {
  Tensor q = pseudoRandom({1, 2, 3, 4}, 90);
  Tensor k = pseudoRandom({1, 1, 5, 4}, 91);
  Tensor v = pseudoRandom({1, 1, 5, 2}, 92);
  Tensor m = make({1, 1, 3, 5}, {1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1},
                  ElementKind::I1);
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%q: tensor<1x2x3x4xf32>, %k: tensor<1x1x5x4xf32>,
                    %v: tensor<1x1x5x2xf32>, %m: tensor<1x1x3x5xi1>)
        -> tensor<1x2x3x2xf32> {
      %o = attn.attention %q, %k, %v mask %m {causal, scale = 0.5 : f32, softcap = 3.0 : f32}
          : tensor<1x2x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x2xf32>, tensor<1x1x3x5xi1>
          -> tensor<1x2x3x2xf32>
      return %o : tensor<1x2x3x2xf32>
    })mlir",
                                {q, k, v, m});
  ASSERT_EQ(out.size(), 1u);
  AttentionParams params;
  params.scale = 0.5;
  params.causal = true;
  params.softcap = 3.0;
  expectNear(out[0], attention(q, k, v, &m, params));
  EXPECT_EQ(out[0].kind, ElementKind::F32);
}

TEST_F(ReferenceEvaluate, SlidingWindowAttentionOpWithChunk) {
  Tensor q = pseudoRandom({1, 2, 4, 4}, 93);
  Tensor k = pseudoRandom({1, 2, 3, 4}, 94);
  Tensor v = pseudoRandom({1, 2, 3, 2}, 95);
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%q: tensor<1x2x4x4xf32>, %k: tensor<1x2x3x4xf32>,
                    %v: tensor<1x2x3x2xf32>) -> tensor<1x2x4x2xf32> {
      %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 1, -1>, chunk = 2 : i64}
          : tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x2xf32> -> tensor<1x2x4x2xf32>
      return %o : tensor<1x2x4x2xf32>
    })mlir",
                                {q, k, v});
  ASSERT_EQ(out.size(), 1u);
  AttentionParams params;
  params.window = {1, -1};
  params.chunk = 2;
  expectNear(out[0], attention(q, k, v, nullptr, params));
}

TEST_F(ReferenceEvaluate, ComposeOp) {
  Tensor a = pseudoRandom({1, 2, 2, 3}, 96);
  Tensor w = pseudoRandom({2, 2}, 97);
  Tensor kdd = pseudoRandom({1, 3, 2}, 98);
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%a: tensor<1x2x2x3xf32>, %w: tensor<2x2xf32>,
                    %kdd: tensor<1x3x2xf32>) -> tensor<1x2x2x3xf32> {
      %c = attn.compose %a static(%w) key_gate(%kdd)
          : tensor<1x2x2x3xf32>, tensor<2x2xf32>, tensor<1x3x2xf32> -> tensor<1x2x2x3xf32>
      return %c : tensor<1x2x2x3xf32>
    })mlir",
                                {a, w, kdd});
  ASSERT_EQ(out.size(), 1u);
  ComposeWeights weights;
  weights.staticWeights = &w;
  weights.keyGate = &kdd;
  expectNear(out[0], compose(a, weights));
}

TEST_F(ReferenceEvaluate, DCMHAOp) {
  Tensor q = pseudoRandom({1, 2, 3, 4}, 100);
  Tensor k = pseudoRandom({1, 2, 3, 4}, 101);
  Tensor v = pseudoRandom({1, 2, 3, 4}, 102);
  Tensor a1 = pseudoRandom({1, 3, 2, 2}, 103);
  Tensor a2 = pseudoRandom({1, 3, 2, 2}, 104);
  Tensor ag = pseudoRandom({1, 3, 2}, 105);
  Tensor bg = pseudoRandom({1, 3, 2}, 106);
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x3x4xf32>, %v: tensor<1x2x3x4xf32>,
                    %a1: tensor<1x3x2x2xf32>, %a2: tensor<1x3x2x2xf32>,
                    %ag: tensor<1x3x2xf32>, %bg: tensor<1x3x2xf32>) -> tensor<1x2x3x4xf32> {
      %o = attn.dcmha %q, %k, %v pre(query_weights(%a1, %a2) query_gate(%ag)) post(key_gate(%bg)) {causal}
          : tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>,
            tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>
          -> tensor<1x2x3x4xf32>
      return %o : tensor<1x2x3x4xf32>
    })mlir",
                                {q, k, v, a1, a2, ag, bg});
  ASSERT_EQ(out.size(), 1u);
  ComposeWeights pre, post;
  pre.qw1 = &a1;
  pre.qw2 = &a2;
  pre.queryGate = &ag;
  post.keyGate = &bg;
  AttentionParams params;
  params.causal = true;
  expectNear(out[0], dcmha(q, k, v, pre, post, params));
}

TEST_F(ReferenceEvaluate, DeformableSampleAndMSDeformAttnOps) {
  Tensor x = make({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor grid = make({1, 1, 2, 2}, {1.5, 0, -1, -1});
  Tensor value = make({1, 5, 1, 1}, {1, 2, 3, 4, 10});
  Tensor loc = make({1, 1, 1, 2, 1, 2}, {0.5, 0.5, 0.875, 0.5});
  Tensor w = make({1, 1, 1, 2, 1}, {0.5, 0.25});
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%x: tensor<1x2x2x1xf32>, %g: tensor<1x1x2x2xf32>,
                    %value: tensor<1x5x1x1xf32>, %loc: tensor<1x1x1x2x1x2xf32>,
                    %w: tensor<1x1x1x2x1xf32>) -> (tensor<1x1x2x1xf32>, tensor<1x1x2x1xf32>, tensor<1x1x1xf32>) {
      %s = attn.deformable_sample %x, %g {align_corners = true, padding_mode = #attn<padding_mode border>}
          : tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x2x1xf32>
      %z = attn.deformable_sample %x, %g : tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x2x1xf32>
      %o = attn.ms_deform_attn %value, %loc, %w {spatial_shapes = array<i64: 2, 2, 1, 1>}
          : tensor<1x5x1x1xf32>, tensor<1x1x1x2x1x2xf32>, tensor<1x1x1x2x1xf32> -> tensor<1x1x1xf32>
      return %s, %z, %o : tensor<1x1x2x1xf32>, tensor<1x1x2x1xf32>, tensor<1x1x1xf32>
    })mlir",
                                {x, grid, value, loc, w});
  ASSERT_EQ(out.size(), 3u);
  // Border, align_corners: (1.5, 0) -> x clamped to 1, y = 0.5: 3;
  // (-1, -1) -> pixel (0, 0): 1.
  expectNear(out[0], make({1, 1, 2, 1}, {3, 1}));
  // Zeros, no align_corners: (1.5, 0) -> pixel (2, 0.5): outside, 0;
  // (-1, -1) -> (-0.5, -0.5): 1/4 * 1.
  expectNear(out[1], make({1, 1, 2, 1}, {0, 0.25}));
  expectNear(out[2], make({1, 1, 1}, {2.8125}));
}

// The unfused graph a front end emits for attention: collapse B and H,
// transpose K, batch_matmul, scale, linalg.softmax, batch_matmul, expand.
TEST_F(ReferenceEvaluate, FrontEndAttentionGraph) {
  Tensor q = pseudoRandom({1, 2, 3, 4}, 110);
  Tensor k = pseudoRandom({1, 2, 5, 4}, 111);
  Tensor v = pseudoRandom({1, 2, 5, 3}, 112);
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>,
                    %v: tensor<1x2x5x3xf32>) -> tensor<1x2x3x3xf32> {
      %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x3x4xf32> into tensor<2x3x4xf32>
      %k3 = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x5x4xf32> into tensor<2x5x4xf32>
      %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x5x3xf32> into tensor<2x5x3xf32>
      %kt_init = tensor.empty() : tensor<2x4x5xf32>
      %kt = linalg.transpose ins(%k3 : tensor<2x5x4xf32>) outs(%kt_init : tensor<2x4x5xf32>) permutation = [0, 2, 1]
      %zero = arith.constant 0.0 : f32
      %s_init = tensor.empty() : tensor<2x3x5xf32>
      %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
      %s = linalg.batch_matmul ins(%q3, %kt : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
          outs(%s_zero : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
      %scale = arith.constant dense<0.5> : tensor<2x3x5xf32>
      %ss = arith.mulf %s, %scale : tensor<2x3x5xf32>
      %p_init = tensor.empty() : tensor<2x3x5xf32>
      %p = linalg.softmax dimension(2) ins(%ss : tensor<2x3x5xf32>) outs(%p_init : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
      %o_init = tensor.empty() : tensor<2x3x3xf32>
      %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
      %o = linalg.batch_matmul ins(%p, %v3 : tensor<2x3x5xf32>, tensor<2x5x3xf32>)
          outs(%o_zero : tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
      %o4 = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [1, 2, 3, 3]
          : tensor<2x3x3xf32> into tensor<1x2x3x3xf32>
      return %o4 : tensor<1x2x3x3xf32>
    })mlir",
                                {q, k, v});
  ASSERT_EQ(out.size(), 1u);
  expectNear(out[0], attention(q, k, v, nullptr, {}));
}

// A reduction generic: r[i] = sum_j 2 * exp(x[i, j]).
TEST_F(ReferenceEvaluate, GenericReductionBody) {
  Tensor x = make({2, 3}, {0, 1, 2, -1, 0.5, 0.25});
  std::vector<Tensor> out = run(R"mlir(
    #id = affine_map<(d0, d1) -> (d0, d1)>
    #row = affine_map<(d0, d1) -> (d0)>
    func.func @main(%x: tensor<2x3xf32>) -> tensor<2xf32> {
      %zero = arith.constant 0.0 : f32
      %two = arith.constant 2.0 : f32
      %init = tensor.empty() : tensor<2xf32>
      %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<2xf32>) -> tensor<2xf32>
      %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<2x3xf32>) outs(%acc : tensor<2xf32>) {
      ^bb0(%in: f32, %out: f32):
        %e = math.exp %in : f32
        %m = arith.mulf %e, %two : f32
        %s = arith.addf %m, %out : f32
        linalg.yield %s : f32
      } -> tensor<2xf32>
      return %r : tensor<2xf32>
    })mlir",
                                {x});
  ASSERT_EQ(out.size(), 1u);
  expectNear(
      out[0],
      make({2}, {2 * (std::exp(0.0) + std::exp(1.0) + std::exp(2.0)),
                 2 * (std::exp(-1.0) + std::exp(0.5) + std::exp(0.25))}));
}

// linalg.index, arith.cmpi and arith.select build a causal -inf bias.
TEST_F(ReferenceEvaluate, GenericWithIndexAndSelect) {
  Tensor s = make({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::vector<Tensor> out = run(R"mlir(
    #id = affine_map<(d0, d1) -> (d0, d1)>
    func.func @main(%s: tensor<3x3xf32>) -> tensor<3x3xf32> {
      %init = tensor.empty() : tensor<3x3xf32>
      %ninf = arith.constant 0xFF800000 : f32
      %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
          ins(%s : tensor<3x3xf32>) outs(%init : tensor<3x3xf32>) {
      ^bb0(%in: f32, %out: f32):
        %i = linalg.index 0 : index
        %j = linalg.index 1 : index
        %vis = arith.cmpi ule, %j, %i : index
        %v = arith.select %vis, %in, %ninf : f32
        linalg.yield %v : f32
      } -> tensor<3x3xf32>
      return %r : tensor<3x3xf32>
    })mlir",
                                {s});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> expected = {1, -kInf, -kInf, 4, 5, -kInf, 7, 8, 9};
  EXPECT_EQ(out[0].data, expected);
}

// Named linalg ops run through their payload regions and indexing maps:
// map (x + y), reduce over dim 1, broadcast, matmul with a transposed B.
TEST_F(ReferenceEvaluate, NamedLinalgOps) {
  Tensor x = make({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y = make({2, 3}, {10, 20, 30, 40, 50, 60});
  Tensor r = make({3}, {7, 8, 9});
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>, %r: tensor<3xf32>)
        -> (tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<2x2xf32>) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<2x3xf32>
      %sum = linalg.map { arith.addf } ins(%x, %y : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>)
      %e2 = tensor.empty() : tensor<2xf32>
      %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2xf32>) -> tensor<2xf32>
      %red = linalg.reduce { arith.addf } ins(%x : tensor<2x3xf32>) outs(%acc : tensor<2xf32>) dimensions = [1]
      %bc = linalg.broadcast ins(%r : tensor<3xf32>) outs(%e : tensor<2x3xf32>) dimensions = [0]
      %e3 = tensor.empty() : tensor<2x2xf32>
      %acc3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x2xf32>) -> tensor<2x2xf32>
      %mm = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                                           affine_map<(d0, d1, d2) -> (d1, d2)>,
                                           affine_map<(d0, d1, d2) -> (d0, d1)>]
          ins(%x, %y : tensor<2x3xf32>, tensor<2x3xf32>) outs(%acc3 : tensor<2x2xf32>) -> tensor<2x2xf32>
      return %sum, %red, %bc, %mm : tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>, tensor<2x2xf32>
    })mlir",
                                {x, y, r});
  ASSERT_EQ(out.size(), 4u);
  expectNear(out[0], make({2, 3}, {11, 22, 33, 44, 55, 66}));
  expectNear(out[1], make({2}, {6, 15}));
  expectNear(out[2], make({2, 3}, {7, 8, 9, 7, 8, 9}));
  // x @ y^T: rows (1,2,3), (4,5,6) against (10,20,30), (40,50,60).
  expectNear(out[3], make({2, 2}, {140, 320, 320, 770}));
}

TEST_F(ReferenceEvaluate, ElementwiseOpsOnTensors) {
  Tensor x = make({4}, {-1, 0.5, 2, 3});
  Tensor y = make({4}, {4, 0.25, 1, 9});
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>)
        -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
      %max = arith.maximumf %x, %y : tensor<4xf32>
      %sub = arith.subf %x, %y : tensor<4xf32>
      %neg = arith.negf %sub : tensor<4xf32>
      %div = arith.divf %neg, %y : tensor<4xf32>
      %t = math.tanh %x : tensor<4xf32>
      %e = math.exp %x : tensor<4xf32>
      %te = arith.addf %t, %e : tensor<4xf32>
      %s = math.sqrt %y : tensor<4xf32>
      %r = math.rsqrt %y : tensor<4xf32>
      %min = arith.minimumf %s, %r : tensor<4xf32>
      return %max, %div, %te, %min : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
                                {x, y});
  ASSERT_EQ(out.size(), 4u);
  expectNear(out[0], make({4}, {4, 0.5, 2, 9}));
  expectNear(out[1], make({4}, {5.0 / 4, -0.25 / 0.25, -1, 6.0 / 9}));
  std::vector<double> te, mins;
  for (int i = 0; i < 4; ++i) {
    te.push_back(std::tanh(x.data[i]) + std::exp(x.data[i]));
    mins.push_back(std::min(std::sqrt(y.data[i]), 1 / std::sqrt(y.data[i])));
  }
  expectNear(out[2], make({4}, te));
  expectNear(out[3], make({4}, mins));
}

TEST_F(ReferenceEvaluate, TruncFRoundsToF16AndBF16) {
  std::vector<Tensor> out = run(R"mlir(
    func.func @main(%a: tensor<2xf16>) -> (tensor<3xf32>, tensor<2xf32>, tensor<2xf32>) {
      %c = arith.constant dense<[1.00048828125, 1.000732421875, 70000.0]> : tensor<3xf32>
      %h = arith.truncf %c : tensor<3xf32> to tensor<3xf16>
      %hf = arith.extf %h : tensor<3xf16> to tensor<3xf32>
      %d = arith.constant dense<[1.00390625, 1.005859375]> : tensor<2xf32>
      %b = arith.truncf %d : tensor<2xf32> to tensor<2xbf16>
      %bf = arith.extf %b : tensor<2xbf16> to tensor<2xf32>
      %af = arith.extf %a : tensor<2xf16> to tensor<2xf32>
      return %hf, %bf, %af : tensor<3xf32>, tensor<2xf32>, tensor<2xf32>
    })mlir",
                                {make({2}, {1.00048828125, 0.5})});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].data, (std::vector<double>{1.0, 1.0009765625, kInf}));
  EXPECT_EQ(out[1].data, (std::vector<double>{1.0, 1.0078125}));
  // An f16 argument is taken as f16 sees it.
  EXPECT_EQ(out[2].data, (std::vector<double>{1.0, 0.5}));
}

TEST_F(ReferenceEvaluate, DynamicShapes) {
  const char *source = R"mlir(
    func.func @main(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %m = tensor.dim %a, %c0 : tensor<?x?xf32>
      %n = tensor.dim %b, %c1 : tensor<?x?xf32>
      %zero = arith.constant 0.0 : f32
      %init = tensor.empty(%m, %n) : tensor<?x?xf32>
      %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<?x?xf32>) -> tensor<?x?xf32>
      %c = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
          outs(%acc : tensor<?x?xf32>) -> tensor<?x?xf32>
      return %c : tensor<?x?xf32>
    })mlir";
  Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = make({3, 2}, {1, 0, 0, 1, 1, 1});
  std::vector<Tensor> out = run(source, {a, b});
  ASSERT_EQ(out.size(), 1u);
  expectNear(out[0], make({2, 2}, {4, 5, 10, 11}));
  // Mismatched contraction sizes are caught when the op runs.
  std::string err = runError(source, {a, make({2, 2}, {1, 0, 0, 1})});
  EXPECT_NE(err.find("'linalg.matmul'"), std::string::npos) << err;
}

TEST_F(ReferenceEvaluate, AttnOpShapeMismatchAtRunTime) {
  const char *source = R"mlir(
    func.func @main(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>,
                    %v: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
      %o = attn.attention %q, %k, %v {scale = 0.5 : f32}
          : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
      return %o : tensor<?x?x?x?xf32>
    })mlir";
  Tensor q = pseudoRandom({1, 2, 3, 4}, 120);
  Tensor k = pseudoRandom({1, 2, 5, 3}, 121);
  Tensor v = pseudoRandom({1, 2, 5, 2}, 122);
  std::string err = runError(source, {q, k, v});
  EXPECT_NE(err.find("'attn.attention'"), std::string::npos) << err;
  EXPECT_NE(err.find("'key' dimension 3 must be 4"), std::string::npos) << err;
  Tensor kGood = pseudoRandom({1, 2, 5, 4}, 123);
  std::vector<Tensor> out = run(source, {q, kGood, v});
  ASSERT_EQ(out.size(), 1u);
  AttentionParams params;
  params.scale = 0.5;
  expectNear(out[0], attention(q, kGood, v, nullptr, params));
}

TEST_F(ReferenceEvaluate, UnsupportedOpIsAnError) {
  context.allowUnregisteredDialects();
  std::string err = runError(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = "foo.bar"(%x) : (tensor<2xf32>) -> tensor<2xf32>
      return %y : tensor<2xf32>
    })mlir",
                             {make({2}, {1, 2})});
  EXPECT_EQ(err, "reference evaluator: unsupported op 'foo.bar'");
}

TEST_F(ReferenceEvaluate, UnsupportedOpInPayloadIsAnError) {
  std::string err = runError(R"mlir(
    #id = affine_map<(d0) -> (d0)>
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %init = tensor.empty() : tensor<2xf32>
      %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
          ins(%x : tensor<2xf32>) outs(%init : tensor<2xf32>) {
      ^bb0(%in: f32, %out: f32):
        %b = arith.bitcast %in : f32 to i32
        %f = arith.bitcast %b : i32 to f32
        linalg.yield %f : f32
      } -> tensor<2xf32>
      return %r : tensor<2xf32>
    })mlir",
                             {make({2}, {1, 2})});
  EXPECT_NE(err.find("unsupported op 'arith.bitcast'"), std::string::npos)
      << err;
}

TEST_F(ReferenceEvaluate, WrongArgumentShapeIsAnError) {
  const char *source = R"mlir(
    func.func @main(%x: tensor<2xf32>, %y: tensor<2x4xf32>) -> tensor<2xf32> {
      return %x : tensor<2xf32>
    })mlir";
  std::string err =
      runError(source, {make({2}, {1, 2}), Tensor::filled({2, 3})});
  EXPECT_NE(err.find("argument #1 of @main has shape [2, 3]"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("tensor<2x4xf32>"), std::string::npos) << err;
  // A tensor whose data does not fill its shape.
  Tensor bad = Tensor::filled({2, 4});
  bad.data.pop_back();
  err = runError(source, {make({2}, {1, 2}), bad});
  EXPECT_NE(err.find("argument #1"), std::string::npos) << err;
}

TEST_F(ReferenceEvaluate, WrongArgumentCountIsAnError) {
  std::string err = runError(R"mlir(
    func.func @main(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
      return %x : tensor<2xf32>
    })mlir",
                             {make({2}, {1, 2})});
  EXPECT_EQ(err, "reference evaluator: @main takes 2 arguments, got 1");
}

} // namespace
