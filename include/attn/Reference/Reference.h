//===- Reference.h - float64 reference evaluator ----------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The test oracle: evaluates `attn` ops (and the few upstream ops around them
// that tests need) on host buffers in float64, with the exact math of
// docs/Spec.md, in small obviously-correct loops. In the spirit of
// StableHLO's reference interpreter, it shares no code with the compiler: it
// includes only its own headers, the dialect's IR headers (to read ops),
// attn/Support (formatting) and upstream MLIR, never attn/Codegen,
// attn/Pipelines, attn/Dialect/Attn/Utils or attn/Dialect/Attn/Transforms,
// and has its own geometry and softmax (the build checks the includes; see
// docs/Rationale.md, "Testing").
//
// Layout of lib/Reference (after StableHLO's stablehlo/reference):
//   Reference.cpp    the host Tensor and rounding (this header)
//   Ops.cpp          the math of each attn op; shape checks (Detail.h)
//   Scalar.cpp       scalar semantics of arith and math ops (Scalar.h)
//   Scope.cpp        the values of the function being evaluated (Scope.h)
//   Linalg.cpp       the linalg payload interpreter, linalg.softmax
//   Interpreter.cpp  `evaluate`: the walk over a function and the dispatch
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_REFERENCE_REFERENCE_H
#define ATTN_REFERENCE_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func

namespace attn::reference {

/// Element kind a tensor had at the graph level; values are always float64.
enum class ElementKind { F32, F16, BF16, I1 };

/// A dense row-major host tensor. Values are float64 (`i1` as 0.0 / 1.0).
struct Tensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<double> data;
  ElementKind kind = ElementKind::F32;

  /// Number of elements (product of `shape`; 1 for rank 0).
  int64_t numElements() const;

  /// A tensor of `shape` with every element `fill`.
  static Tensor filled(llvm::ArrayRef<int64_t> shape, double fill = 0.0,
                       ElementKind kind = ElementKind::F32);

  /// Row-major offset of `index` (one entry per dimension); aborts with a
  /// message when `index` has the wrong rank or lies outside `shape`.
  int64_t offset(llvm::ArrayRef<int64_t> index) const;

  /// The element at `index` (bounds-checked, see `offset`).
  double at(llvm::ArrayRef<int64_t> index) const { return data[offset(index)]; }
  double &at(llvm::ArrayRef<int64_t> index) { return data[offset(index)]; }
};

/// Rounds `value` to the nearest value of `kind` (IEEE round to nearest, ties
/// to even, as `arith.truncf` and llvm::APFloat do); `I1` maps non-zero to 1.
double roundToKind(double value, ElementKind kind);

/// Parameters of attention, sliding-window attention and DCMHA masking.
struct AttentionParams {
  /// Softmax scale; std::nullopt means 1/sqrt(D).
  std::optional<double> scale;
  bool causal = false;
  /// Logit soft-capping `softcap * tanh(s / softcap)` (Gemma 2).
  std::optional<double> softcap;
  /// (left, right) window; -1 = unbounded on that side.
  std::optional<std::pair<int64_t, int64_t>> window;
  /// Chunked local attention (Llama 4): floor(i'/chunk) == floor(j/chunk).
  std::optional<int64_t> chunk;
};

/// `attn.attention` / `attn.sliding_window_attention` (docs/Spec.md 1.1-1.2).
/// q [B, Hq, Lq, D], k [B, Hkv, Lk, D], v [B, Hkv, Lk, Dv], optional mask
/// [B|1, Hq|1, Lq, Lk] (`I1`: visible where 1; float: additive bias, -inf =
/// invisible). Returns [B, Hq, Lq, Dv]; rows with no visible key are 0.
Tensor attention(const Tensor &q, const Tensor &k, const Tensor &v,
                 const Tensor *mask, const AttentionParams &params);

/// The optional weight groups of `attn.compose` (nullptr = absent).
struct ComposeWeights {
  const Tensor *staticWeights = nullptr; ///< [H, H]
  const Tensor *qw1 = nullptr, *qw2 = nullptr; ///< [B, Lq, Cq, H]
  const Tensor *kw1 = nullptr, *kw2 = nullptr; ///< [B, Lk, Ck, H]
  const Tensor *queryGate = nullptr; ///< [B, Lq, H]
  const Tensor *keyGate = nullptr;   ///< [B, Lk, H]
};

/// `attn.compose` (DCFormer's CrossHeadProjection, docs/Spec.md 1.3):
/// a [B, H, Lq, Lk] -> [B, H, Lq, Lk].
Tensor compose(const Tensor &a, const ComposeWeights &w);

/// `attn.dcmha` (docs/Spec.md 1.4): q [B, H, Lq, D], k [B, H, Lk, D],
/// v [B, H, Lk, Dv] -> [B, H, Lq, Dv].
Tensor dcmha(const Tensor &q, const Tensor &k, const Tensor &v,
             const ComposeWeights &pre, const ComposeWeights &post,
             const AttentionParams &params);

/// `attn.deformable_sample` (grid_sample bilinear, channels-last,
/// docs/Spec.md 1.5): input [N, Hin, Win, C], grid [N, Hout, Wout, 2] ->
/// [N, Hout, Wout, C]. `border` clamps; non-finite coordinates give 0.
Tensor deformableSample(const Tensor &input, const Tensor &grid,
                        bool alignCorners, bool borderPadding);

/// `attn.ms_deform_attn` (Deformable DETR, docs/Spec.md 1.6): value
/// [N, S, M, D], locations [N, Lq, M, L, P, 2], weights [N, Lq, M, L, P],
/// `spatialShapes` = (H0, W0, H1, W1, ...) -> [N, Lq, M*D].
Tensor msDeformAttn(const Tensor &value, const Tensor &locations,
                    const Tensor &weights,
                    llvm::ArrayRef<int64_t> spatialShapes);

/// Evaluates `func` on `args` (one per function argument, in order) and
/// returns one tensor per result. Fails with a message naming the op when
/// the function holds an op the evaluator does not know, or when an
/// argument's shape does not match.
///
/// Supported (single-block functions, ranked tensor arguments): every `attn`
/// op; `func.return`; `arith.constant` (dense tensors, splat or not, and
/// scalars); elementwise arith/math ops on tensors and scalars (`arith.truncf`
/// rounds to f16/bf16/f32 as APFloat does); `tensor.empty`, `tensor.dim`,
/// `tensor.cast`, `tensor.extract`, `tensor.expand_shape`,
/// `tensor.collapse_shape`, `tensor.extract_slice`, `tensor.insert_slice`;
/// `func.call` of functions in the same module; `linalg.softmax`; and every
/// linalg structured op
/// on tensors (`linalg.generic`, `fill`, `matmul`, `batch_matmul`,
/// `transpose`, `map`, `reduce`, `broadcast`, ...) by running its payload at
/// each point of the iteration space through its indexing maps; payloads may
/// use arith/math scalar ops and `linalg.index`. Argument values are rounded
/// to the argument's element type (`i1`: non-zero is true); integer and
/// index values are held as doubles (exact up to 2^53).
llvm::Expected<std::vector<Tensor>> evaluate(func::FuncOp func,
                                             llvm::ArrayRef<Tensor> args);

} // namespace attn::reference
} // namespace mlir

#endif // ATTN_REFERENCE_REFERENCE_H
