//===- Ops.cpp - float64 math of the attn ops -------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The math of docs/Spec.md section 1, op by op, in plain loops over row-major
// float64 tensors. Clarity over speed: every formula is written the way the
// spec writes it. Each function checks its operands first (Detail.h) and
// aborts with a message on a mismatch; `evaluate` runs the same checks and
// reports a mismatch as an llvm::Error instead.
//
//===----------------------------------------------------------------------===//

#include "Detail.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::attn::reference;
using llvm::ArrayRef;
using llvm::Error;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Shape checks
//===----------------------------------------------------------------------===//

Error detail::makeError(const Twine &message) {
  return llvm::createStringError("reference evaluator: " + message);
}

/// Checks that `t` holds as many values as its shape needs, has `rank`
/// dimensions (`layout` names them in the message) and no negative size.
static Error checkTensor(const Tensor &t, StringRef name, size_t rank,
                         StringRef layout) {
  if (t.shape.size() != rank)
    return detail::makeError("'" + name + "' must have rank " + Twine(rank) +
                             " " + layout + ", got shape " +
                             detail::formatShape(t.shape));
  for (int64_t d : t.shape)
    if (d < 0)
      return detail::makeError("'" + name + "' has a negative size: " +
                               detail::formatShape(t.shape));
  if (static_cast<int64_t>(t.data.size()) != t.numElements())
    return detail::makeError("'" + name + "' has " + Twine(t.data.size()) +
                             " values but its shape " +
                             detail::formatShape(t.shape) + " needs " +
                             Twine(t.numElements()));
  return Error::success();
}

/// Checks `t.shape[dim] == expected`; `what` says where `expected` comes from.
static Error checkDim(const Tensor &t, StringRef name, unsigned dim,
                      int64_t expected, const Twine &what) {
  if (t.shape[dim] == expected)
    return Error::success();
  return detail::makeError("'" + name + "' dimension " + Twine(dim) +
                           " must be " + Twine(expected) + " (" + what +
                           "), got shape " + detail::formatShape(t.shape));
}

/// Checks window bounds (C4), chunk (C5) and softcap (C2).
static Error checkParams(const AttentionParams &params) {
  if (params.window) {
    auto [left, right] = *params.window;
    if (left < -1 || right < -1)
      return detail::makeError("window (" + Twine(left) + ", " + Twine(right) +
                               ") must have both sides >= -1");
  }
  if (params.chunk && *params.chunk <= 0)
    return detail::makeError("chunk must be > 0, got " + Twine(*params.chunk));
  if (params.softcap && !(*params.softcap > 0.0))
    return detail::makeError("softcap must be > 0, got " +
                             std::to_string(*params.softcap));
  return Error::success();
}

Error detail::checkAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                             const Tensor *mask,
                             const AttentionParams &params) {
  if (Error e = checkTensor(q, "query", 4, "[B, Hq, Lq, D]"))
    return e;
  if (Error e = checkTensor(k, "key", 4, "[B, Hkv, Lk, D]"))
    return e;
  if (Error e = checkTensor(v, "value", 4, "[B, Hkv, Lk, Dv]"))
    return e;
  int64_t b = q.shape[0], hq = q.shape[1], lq = q.shape[2], d = q.shape[3];
  int64_t hkv = k.shape[1], lk = k.shape[2];
  if (Error e = checkDim(k, "key", 0, b, "B of 'query'"))
    return e;
  if (Error e = checkDim(k, "key", 3, d, "D of 'query'"))
    return e;
  if (hkv == 0 || hq % hkv != 0)
    return makeError("'query' heads (" + Twine(hq) +
                     ") must be a multiple of 'key' heads (" + Twine(hkv) +
                     ")");
  if (Error e = checkDim(v, "value", 0, b, "B of 'query'"))
    return e;
  if (Error e = checkDim(v, "value", 1, hkv, "Hkv of 'key'"))
    return e;
  if (Error e = checkDim(v, "value", 2, lk, "Lk of 'key'"))
    return e;
  if (mask) {
    if (Error e = checkTensor(*mask, "mask", 4, "[B|1, Hq|1, Lq, Lk]"))
      return e;
    // "1 or N", or "1" where N is 1.
    auto oneOr = [](int64_t n) {
      return n == 1 ? std::string("1") : "1 or " + std::to_string(n);
    };
    if (mask->shape[0] != 1 && mask->shape[0] != b)
      return makeError("'mask' dimension 0 must be " + oneOr(b) +
                       " (B of 'query'), got shape " +
                       formatShape(mask->shape));
    if (mask->shape[1] != 1 && mask->shape[1] != hq)
      return makeError("'mask' dimension 1 must be " + oneOr(hq) +
                       " (Hq of 'query'), got shape " +
                       formatShape(mask->shape));
    if (Error e = checkDim(*mask, "mask", 2, lq, "Lq of 'query'"))
      return e;
    if (Error e = checkDim(*mask, "mask", 3, lk, "Lk of 'key'"))
      return e;
  }
  return checkParams(params);
}

Error detail::checkCompose(ArrayRef<int64_t> scoresShape,
                           const ComposeWeights &w, StringRef group) {
  if (scoresShape.size() != 4)
    return makeError("'scores' must have rank 4 [B, H, Lq, Lk], got shape " +
                     formatShape(scoresShape));
  int64_t b = scoresShape[0], h = scoresShape[1], lq = scoresShape[2],
          lk = scoresShape[3];
  std::string prefix = group.str();
  auto checkShape = [&](const Tensor *t, StringRef name,
                        ArrayRef<int64_t> expected, StringRef layout) -> Error {
    if (!t)
      return Error::success();
    std::string full = prefix + name.str();
    if (Error e = checkTensor(*t, full, expected.size(), layout))
      return e;
    for (auto [i, d] : llvm::enumerate(expected))
      if (d >= 0 && t->shape[i] != d)
        return makeError("'" + full + "' must have shape " + layout + " = " +
                         formatShape(expected) + ", got " +
                         formatShape(t->shape));
    return Error::success();
  };
  auto checkPair = [&](const Tensor *w1, const Tensor *w2, StringRef name1,
                       StringRef name2, int64_t l, StringRef layout) -> Error {
    if (!w1 != !w2)
      return makeError("'" + prefix + name1 + "' and '" + prefix + name2 +
                       "' must be given together");
    if (!w1)
      return Error::success();
    // The rank C is free (-1) but must agree between the two.
    if (Error e = checkShape(w1, name1, {b, l, -1, h}, layout))
      return e;
    if (Error e = checkShape(w2, name2, {b, l, w1->shape[2], h}, layout))
      return e;
    return Error::success();
  };
  if (Error e = checkShape(w.staticWeights, "static", {h, h}, "[H, H]"))
    return e;
  if (Error e = checkPair(w.qw1, w.qw2, "query_weights1", "query_weights2", lq,
                          "[B, Lq, Cq, H]"))
    return e;
  if (Error e = checkPair(w.kw1, w.kw2, "key_weights1", "key_weights2", lk,
                          "[B, Lk, Ck, H]"))
    return e;
  if (Error e = checkShape(w.queryGate, "query_gate", {b, lq, h}, "[B, Lq, H]"))
    return e;
  return checkShape(w.keyGate, "key_gate", {b, lk, h}, "[B, Lk, H]");
}

Error detail::checkDCMHA(const Tensor &q, const Tensor &k, const Tensor &v,
                         const ComposeWeights &pre, const ComposeWeights &post,
                         const AttentionParams &params) {
  if (Error e = checkAttention(q, k, v, /*mask=*/nullptr, params))
    return e;
  if (Error e = checkDim(k, "key", 1, q.shape[1], "H of 'query'; MHA only"))
    return e;
  llvm::SmallVector<int64_t> scores = {q.shape[0], q.shape[1], q.shape[2],
                                       k.shape[2]};
  if (Error e = checkCompose(scores, pre, "pre "))
    return e;
  return checkCompose(scores, post, "post ");
}

Error detail::checkDeformableSample(const Tensor &input, const Tensor &grid) {
  if (Error e = checkTensor(input, "input", 4, "[N, Hin, Win, C]"))
    return e;
  if (Error e = checkTensor(grid, "grid", 4, "[N, Hout, Wout, 2]"))
    return e;
  if (Error e = checkDim(grid, "grid", 0, input.shape[0], "N of 'input'"))
    return e;
  return checkDim(grid, "grid", 3, 2, "(x, y)");
}

Error detail::checkMSDeformAttn(const Tensor &value, const Tensor &locations,
                                const Tensor &weights,
                                ArrayRef<int64_t> spatialShapes) {
  if (Error e = checkTensor(value, "value", 4, "[N, S, M, D]"))
    return e;
  if (Error e = checkTensor(locations, "sampling_locations", 6,
                            "[N, Lq, M, L, P, 2]"))
    return e;
  if (Error e =
          checkTensor(weights, "attention_weights", 5, "[N, Lq, M, L, P]"))
    return e;
  int64_t n = value.shape[0], m = value.shape[2];
  if (Error e = checkDim(locations, "sampling_locations", 0, n, "N of 'value'"))
    return e;
  if (Error e = checkDim(locations, "sampling_locations", 2, m, "M of 'value'"))
    return e;
  if (Error e = checkDim(locations, "sampling_locations", 5, 2, "(x, y)"))
    return e;
  for (unsigned i = 0; i < 5; ++i)
    if (Error e = checkDim(weights, "attention_weights", i, locations.shape[i],
                           "as 'sampling_locations'"))
      return e;
  int64_t levels = locations.shape[3];
  if (static_cast<int64_t>(spatialShapes.size()) != 2 * levels)
    return makeError("spatial_shapes must hold 2 values per level (" +
                     Twine(levels) + " levels), got " +
                     Twine(spatialShapes.size()));
  int64_t total = 0;
  for (int64_t s : spatialShapes) {
    // Level sizes this large cannot match any host tensor; refusing them
    // keeps `total` from overflowing.
    if (s < 0 || s > (int64_t(1) << 31))
      return makeError("spatial_shapes entry " + Twine(s) + " out of range");
  }
  for (int64_t l = 0; l < levels; ++l)
    total += spatialShapes[2 * l] * spatialShapes[2 * l + 1];
  return checkDim(value, "value", 1, total, "sum of H_l*W_l of spatial_shapes");
}

/// Aborts with the message of `err`, if any.
static void exitOnError(Error err) {
  if (err)
    llvm::reportFatalUsageError(Twine(llvm::toString(std::move(err))));
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// floor(a / b) for b > 0, also for negative `a` (C++ `/` truncates).
static int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0)
    --q;
  return q;
}

/// Whether key `j` is visible from query `i` under causal, window and chunk
/// (docs/Spec.md 1.1-1.2): with i' = i + (Lk - Lq), causal keeps
/// j <= i'; the window keeps i' - left <= j <= i' + right (-1 = unbounded,
/// causal forces right = 0); chunk keeps floor(i'/chunk) == floor(j/chunk).
static bool isVisible(int64_t i, int64_t j, int64_t lq, int64_t lk,
                      const AttentionParams &params) {
  int64_t ip = i + (lk - lq);
  if (params.causal && j > ip)
    return false;
  if (params.window) {
    int64_t left = params.window->first;
    int64_t right = params.causal ? 0 : params.window->second;
    // Written as distances (ip - j, j - ip), which cannot overflow for any
    // window extent up to INT64_MAX, unlike ip - left or ip + right.
    if (left != -1 && ip - j > left)
      return false;
    if (right != -1 && j - ip > right)
      return false;
  }
  if (params.chunk && floorDiv(ip, *params.chunk) != floorDiv(j, *params.chunk))
    return false;
  return true;
}

/// `softcap * tanh(s / softcap)`, or `s` when soft-capping is off.
static double cap(double s, const AttentionParams &params) {
  if (!params.softcap)
    return s;
  return *params.softcap * std::tanh(s / *params.softcap);
}

/// Softmax of `scores` over the entries with `visible[j]`; the others get 0.
/// Returns false (and all zeros) when no entry is visible.
static bool maskedSoftmax(ArrayRef<double> scores, ArrayRef<char> visible,
                          std::vector<double> &probs) {
  probs.assign(scores.size(), 0.0);
  double max = -std::numeric_limits<double>::infinity();
  bool any = false;
  for (size_t j = 0; j < scores.size(); ++j) {
    if (!visible[j])
      continue;
    any = true;
    max = std::max(max, scores[j]);
  }
  if (!any)
    return false;
  double sum = 0.0;
  for (size_t j = 0; j < scores.size(); ++j) {
    if (!visible[j])
      continue;
    probs[j] = std::exp(scores[j] - max);
    sum += probs[j];
  }
  for (size_t j = 0; j < scores.size(); ++j)
    probs[j] /= sum;
  return true;
}

Tensor mlir::attn::reference::attention(const Tensor &q, const Tensor &k,
                                        const Tensor &v, const Tensor *mask,
                                        const AttentionParams &params) {
  exitOnError(detail::checkAttention(q, k, v, mask, params));
  int64_t b = q.shape[0], hq = q.shape[1], lq = q.shape[2], d = q.shape[3];
  int64_t hkv = k.shape[1], lk = k.shape[2], dv = v.shape[3];
  int64_t group = hq / hkv;
  double scale = params.scale.value_or(1.0 / std::sqrt(double(d)));
  Tensor out = Tensor::filled({b, hq, lq, dv}, 0.0, q.kind);

  std::vector<double> scores(lk), probs;
  std::vector<char> visible(lk);
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t h = 0; h < hq; ++h) {
      int64_t kvh = h / group;
      int64_t mb = (mask && mask->shape[0] == 1) ? 0 : bi;
      int64_t mh = (mask && mask->shape[1] == 1) ? 0 : h;
      for (int64_t i = 0; i < lq; ++i) {
        for (int64_t j = 0; j < lk; ++j) {
          visible[j] = isVisible(i, j, lq, lk, params);
          double bias = 0.0;
          if (mask) {
            double m = mask->at({mb, mh, i, j});
            if (mask->kind == ElementKind::I1)
              visible[j] = visible[j] && m != 0.0;
            else if (m == -std::numeric_limits<double>::infinity())
              visible[j] = false;
            else
              bias = m;
          }
          double dot = 0.0;
          for (int64_t c = 0; c < d; ++c)
            dot += q.at({bi, h, i, c}) * k.at({bi, kvh, j, c});
          scores[j] = cap(scale * dot, params) + bias;
        }
        if (!maskedSoftmax(scores, visible, probs))
          continue; // No visible key: the row stays 0.
        for (int64_t j = 0; j < lk; ++j) {
          if (!visible[j])
            continue;
          for (int64_t c = 0; c < dv; ++c)
            out.at({bi, h, i, c}) += probs[j] * v.at({bi, kvh, j, c});
        }
      }
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Compose and DCMHA
//===----------------------------------------------------------------------===//

Tensor mlir::attn::reference::compose(const Tensor &a,
                                      const ComposeWeights &w) {
  exitOnError(detail::checkCompose(a.shape, w, ""));
  int64_t b = a.shape[0], h = a.shape[1], lq = a.shape[2], lk = a.shape[3];
  Tensor out = Tensor::filled(a.shape, 0.0, a.kind);
  for (int64_t bi = 0; bi < b; ++bi) {
    for (int64_t t = 0; t < lq; ++t) {
      for (int64_t s = 0; s < lk; ++s) {
        for (int64_t ho = 0; ho < h; ++ho) {
          // sum_g A[b,g,t,s] * W[g,h], and A[b,h,t,s] itself when W is
          // absent (the identity map: no products with its zeros, which
          // would turn an infinite A of another head into NaN).
          double acc = 0.0;
          if (w.staticWeights) {
            for (int64_t g = 0; g < h; ++g)
              acc += a.at({bi, g, t, s}) * w.staticWeights->at({g, ho});
          } else {
            acc = a.at({bi, ho, t, s});
          }
          // + sum_c qw2[b,t,c,h] * sum_g qw1[b,t,c,g] * A[b,g,t,s]
          if (w.qw1) {
            for (int64_t c = 0; c < w.qw1->shape[2]; ++c) {
              double proj = 0.0;
              for (int64_t g = 0; g < h; ++g)
                proj += w.qw1->at({bi, t, c, g}) * a.at({bi, g, t, s});
              acc += w.qw2->at({bi, t, c, ho}) * proj;
            }
          }
          // + sum_c kw2[b,s,c,h] * sum_g kw1[b,s,c,g] * A[b,g,t,s]
          if (w.kw1) {
            for (int64_t c = 0; c < w.kw1->shape[2]; ++c) {
              double proj = 0.0;
              for (int64_t g = 0; g < h; ++g)
                proj += w.kw1->at({bi, s, c, g}) * a.at({bi, g, t, s});
              acc += w.kw2->at({bi, s, c, ho}) * proj;
            }
          }
          // + A[b,h,t,s] * (qdd[b,t,h] + kdd[b,s,h])
          double gate = 0.0;
          if (w.queryGate)
            gate += w.queryGate->at({bi, t, ho});
          if (w.keyGate)
            gate += w.keyGate->at({bi, s, ho});
          if (w.queryGate || w.keyGate)
            acc += a.at({bi, ho, t, s}) * gate;
          out.at({bi, ho, t, s}) = acc;
        }
      }
    }
  }
  return out;
}

Tensor mlir::attn::reference::dcmha(const Tensor &q, const Tensor &k,
                                    const Tensor &v, const ComposeWeights &pre,
                                    const ComposeWeights &post,
                                    const AttentionParams &params) {
  exitOnError(detail::checkDCMHA(q, k, v, pre, post, params));
  int64_t b = q.shape[0], h = q.shape[1], lq = q.shape[2], d = q.shape[3];
  int64_t lk = k.shape[2], dv = v.shape[3];
  double scale = params.scale.value_or(1.0 / std::sqrt(double(d)));

  // S = scale * Q K^T (soft-capped when `params.softcap` is set).
  Tensor scores = Tensor::filled({b, h, lq, lk}, 0.0, q.kind);
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t i = 0; i < lq; ++i)
        for (int64_t j = 0; j < lk; ++j) {
          double dot = 0.0;
          for (int64_t c = 0; c < d; ++c)
            dot += q.at({bi, hi, i, c}) * k.at({bi, hi, j, c});
          scores.at({bi, hi, i, j}) = cap(scale * dot, params);
        }

  // compose_pre -> mask -> softmax over visible keys (masked P = 0).
  Tensor composed = compose(scores, pre);
  Tensor probs = Tensor::filled(scores.shape, 0.0, q.kind);
  std::vector<double> row(lk), rowProbs;
  std::vector<char> visible(lk);
  std::vector<char> rowVisible(lq, 0);
  for (int64_t i = 0; i < lq; ++i)
    for (int64_t j = 0; j < lk; ++j)
      if (isVisible(i, j, lq, lk, params))
        rowVisible[i] = 1;
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t i = 0; i < lq; ++i) {
        for (int64_t j = 0; j < lk; ++j) {
          visible[j] = isVisible(i, j, lq, lk, params);
          row[j] = composed.at({bi, hi, i, j});
        }
        maskedSoftmax(row, visible, rowProbs);
        for (int64_t j = 0; j < lk; ++j)
          probs.at({bi, hi, i, j}) = rowProbs[j];
      }

  // compose_post -> @ V; a row with no visible key stays 0.
  Tensor mixed = compose(probs, post);
  Tensor out = Tensor::filled({b, h, lq, dv}, 0.0, q.kind);
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t hi = 0; hi < h; ++hi)
      for (int64_t i = 0; i < lq; ++i) {
        if (!rowVisible[i])
          continue;
        for (int64_t j = 0; j < lk; ++j)
          for (int64_t c = 0; c < dv; ++c)
            out.at({bi, hi, i, c}) +=
                mixed.at({bi, hi, i, j}) * v.at({bi, hi, j, c});
      }
  return out;
}

//===----------------------------------------------------------------------===//
// Bilinear sampling
//===----------------------------------------------------------------------===//

namespace {
/// A [height, width, channels] map inside a tensor: element (y, x, c) lives
/// at `base + y*strideY + x*strideX + c`.
struct Plane {
  const Tensor &tensor;
  int64_t base, height, width, channels, strideY, strideX;

  /// The value at (y, x, c), or 0 outside the map (zeros padding).
  double read(int64_t y, int64_t x, int64_t c) const {
    if (y < 0 || y >= height || x < 0 || x >= width)
      return 0.0;
    return tensor.data[base + y * strideY + x * strideX + c];
  }
};
} // namespace

/// Adds `weight * bilinear(plane, ix, iy)` to `out[0..channels)`, with
/// (ix, iy) in pixel units (torch grid_sample's bilinear kernel). `border`
/// clamps the coordinates into the map first; corners outside the map read
/// 0. A non-finite coordinate adds nothing.
static void addBilinear(const Plane &plane, double ix, double iy, bool border,
                        double weight, double *out) {
  if (!std::isfinite(ix) || !std::isfinite(iy))
    return;
  if (plane.height == 0 || plane.width == 0)
    return;
  double w = static_cast<double>(plane.width);
  double h = static_cast<double>(plane.height);
  if (border) {
    ix = std::clamp(ix, 0.0, w - 1.0);
    iy = std::clamp(iy, 0.0, h - 1.0);
  }
  // Beyond [-1, size] every corner lies outside the map; clamping to
  // [-2, size + 1] keeps that true and makes the integer conversion below
  // well-defined however far the coordinate is.
  ix = std::clamp(ix, -2.0, w + 1.0);
  iy = std::clamp(iy, -2.0, h + 1.0);
  double fx = std::floor(ix), fy = std::floor(iy);
  int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
  double wx1 = ix - fx, wx0 = 1.0 - wx1;
  double wy1 = iy - fy, wy0 = 1.0 - wy1;
  for (int64_t c = 0; c < plane.channels; ++c) {
    double value =
        wy0 * (wx0 * plane.read(y0, x0, c) + wx1 * plane.read(y0, x0 + 1, c)) +
        wy1 * (wx0 * plane.read(y0 + 1, x0, c) +
               wx1 * plane.read(y0 + 1, x0 + 1, c));
    out[c] += weight * value;
  }
}

Tensor mlir::attn::reference::deformableSample(const Tensor &input,
                                               const Tensor &grid,
                                               bool alignCorners,
                                               bool borderPadding) {
  exitOnError(detail::checkDeformableSample(input, grid));
  int64_t n = input.shape[0], hin = input.shape[1], win = input.shape[2],
          c = input.shape[3];
  int64_t hout = grid.shape[1], wout = grid.shape[2];
  Tensor out = Tensor::filled({n, hout, wout, c}, 0.0, input.kind);
  // x_pix = (x+1)/2*(W-1) with align_corners, ((x+1)*W-1)/2 without.
  auto unnormalize = [&](double coord, int64_t size) {
    if (alignCorners)
      return (coord + 1.0) / 2.0 * static_cast<double>(size - 1);
    return ((coord + 1.0) * static_cast<double>(size) - 1.0) / 2.0;
  };
  for (int64_t ni = 0; ni < n; ++ni) {
    Plane plane{input, ni * hin * win * c, hin, win, c, win * c, c};
    for (int64_t y = 0; y < hout; ++y)
      for (int64_t x = 0; x < wout; ++x) {
        double ix = unnormalize(grid.at({ni, y, x, 0}), win);
        double iy = unnormalize(grid.at({ni, y, x, 1}), hin);
        if (c > 0)
          addBilinear(plane, ix, iy, borderPadding, 1.0,
                      &out.at({ni, y, x, 0}));
      }
  }
  return out;
}

Tensor mlir::attn::reference::msDeformAttn(const Tensor &value,
                                           const Tensor &locations,
                                           const Tensor &weights,
                                           ArrayRef<int64_t> spatialShapes) {
  exitOnError(
      detail::checkMSDeformAttn(value, locations, weights, spatialShapes));
  int64_t n = value.shape[0], m = value.shape[2], d = value.shape[3];
  int64_t lq = locations.shape[1], levels = locations.shape[3],
          points = locations.shape[4];
  Tensor out = Tensor::filled({n, lq, m * d}, 0.0, value.kind);
  if (d == 0)
    return out;
  for (int64_t ni = 0; ni < n; ++ni)
    for (int64_t q = 0; q < lq; ++q)
      for (int64_t mi = 0; mi < m; ++mi) {
        double *dst = &out.at({ni, q, mi * d});
        int64_t start = 0; // First row of level l in `value`'s S dimension.
        for (int64_t l = 0; l < levels; ++l) {
          int64_t hl = spatialShapes[2 * l], wl = spatialShapes[2 * l + 1];
          // value[n, start + y*W_l + x, m, :]
          Plane plane{value, (ni * value.shape[1] + start) * m * d + mi * d,
                      hl,    wl,
                      d,     wl * m * d,
                      m * d};
          for (int64_t p = 0; p < points; ++p) {
            // grid_sample(align_corners=False) of 2*loc-1: x*W_l - 0.5.
            double x = locations.at({ni, q, mi, l, p, 0});
            double y = locations.at({ni, q, mi, l, p, 1});
            double ix = x * static_cast<double>(wl) - 0.5;
            double iy = y * static_cast<double>(hl) - 0.5;
            addBilinear(plane, ix, iy, /*border=*/false,
                        weights.at({ni, q, mi, l, p}), dst);
          }
          start += hl * wl;
        }
      }
  return out;
}
