//===- TileToLaunch.h - a parallel loop of tiles as a gpu.launch -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The grid half of the generic GPU mapping, shared by the mappings of the
// tiled forms (`attn.bilinear_gather`, `attn.tiled_compose`): the
// `scf.forall` of tiles that `-attn-tile` and bufferization make becomes a
// `gpu.launch` with one workgroup per iteration; the caller then replaces
// the tile, moved into the launch, by its per-thread code.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_TILETOLAUNCH_H
#define ATTN_CODEGEN_GPU_TILETOLAUNCH_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::attn {

/// Replaces the `scf.forall` (on memrefs) directly around `tile` with a
/// `gpu.launch` of `threads` threads in x and one workgroup buffer (a
/// workgroup attribution in `#gpu.address_space<workgroup>`) per entry of
/// `workgroupBuffers` (shapes and element types; the address space is
/// added). The grid's x dimension is the forall's iterations, linearized;
/// the kernel delinearizes the block id into the induction variables. The
/// forall's body (the tile and the views it reads) moves into the launch;
/// nothing else in it may write memory (each thread runs it). A tile whose
/// forall was folded away (one iteration) gets a grid of one. Returns the
/// launch, whose body now holds `tile`, or fails with an error.
FailureOr<gpu::LaunchOp>
wrapTileInLaunch(RewriterBase &rewriter, Operation *tile, int64_t threads,
                 ArrayRef<MemRefType> workgroupBuffers);

/// The largest value that dim `dim` of the memref `value` takes, as far as
/// the IR shows it (a static size, or the constant bound of a tile's
/// `affine.min` size); nullopt when it has none.
std::optional<int64_t> getStaticUpperBound(Value value, int64_t dim);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_TILETOLAUNCH_H
