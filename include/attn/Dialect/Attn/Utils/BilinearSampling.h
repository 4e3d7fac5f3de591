//===- BilinearSampling.h - bilinear corner math as IR ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The one definition of bilinear sampling in the compiler, as IR builders
// over f32 scalars or vectors of f32 (`attn.bilinear_gather`: the linalg
// decomposition uses scalars in its payload, the CPU kernel vectors of the
// sampling points of one level). It is torch's grid_sample bilinear kernel
// (aten/src/ATen/native/GridSampler.h: unnormalize, clip for border
// padding, floor, corner weights) with two safety rules of docs/Spec.md
// 1.5-1.6: a non-finite coordinate contributes zero, and every corner index
// is clamped into the map, so gathers never read outside it whatever the
// coordinate (NaN, +-inf, 1e30).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_UTILS_BILINEARSAMPLING_H
#define ATTN_DIALECT_ATTN_UTILS_BILINEARSAMPLING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <array>
#include <cstdint>

namespace mlir::attn {

/// How a normalized coordinate maps to a pixel coordinate along an axis of
/// `size` pixels: `pixel = coordinate * scale + bias`.
struct SampleAxisMap {
  double scale = 1.0, bias = 0.0;

  /// torch grid_sample's `[-1, 1]` range (`unitRange = false`):
  /// `(x+1)/2*(size-1)` with `alignCorners`, `((x+1)*size-1)/2` without;
  /// Deformable DETR's `[0, 1]` range (`unitRange = true`, Zhu et al., ICLR
  /// 2021, ms_deform_attn_core_pytorch): `x*size - 0.5`.
  static SampleAxisMap get(int64_t size, bool unitRange, bool alignCorners);
};

/// The two corners of one axis: indices clamped into `[0, size)` (i32, of
/// the coordinate's shape) and their weights (f32), zero for a corner
/// outside the map or a non-finite coordinate.
struct BilinearAxis {
  Value index0, index1;
  Value weight0, weight1;
};

/// The corners along one axis of the normalized f32 scalar or vector
/// `coordinate`. `sizes` holds the axis length in pixels, one for all lanes
/// or one per lane of a vector (lanes may sample maps of different sizes).
/// With `border`, the pixel coordinate is clamped to `[0, size-1]` first
/// (grid_sample's padding_mode="border").
BilinearAxis buildBilinearAxis(OpBuilder &b, Location loc, Value coordinate,
                               ArrayRef<int64_t> sizes, bool unitRange,
                               bool alignCorners, bool border);

/// A `height x width` map stored row-major `(y, x)` from row `start` of an
/// `[S, ...]` array (a level of Deformable DETR's concatenated maps).
struct SampleMap {
  int64_t height, width, start;
};

/// The four corners of a sample at normalized `(x, y)` (f32 scalars or
/// vectors of one shape) in `maps` (one for all lanes, or one per lane):
/// corner `k` (0: (y0, x0), 1: (y0, x1), 2: (y1, x0), 3: (y1, x1)) is the
/// i32 row `rows[k] = start + y*width + x` and the f32 weight
/// `weights[k] = wy * wx`, times `scale` when given (an f32 of the same
/// shape). Every row lies in `[start, start + height*width)`; the caller
/// guarantees that fits in i32.
struct BilinearCorners {
  std::array<Value, 4> rows;
  std::array<Value, 4> weights;
};
BilinearCorners buildBilinearCorners(OpBuilder &b, Location loc, Value x,
                                     Value y, ArrayRef<SampleMap> maps,
                                     bool unitRange, bool alignCorners,
                                     bool border, Value scale = Value());

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTN_UTILS_BILINEARSAMPLING_H
