//===- Passes.td - attn dialect passes ---------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
#define ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnConvertToOnlinePass : Pass<"attn-convert-to-online", "func::FuncOp"> {
  let summary = "Rewrite attention ops into the destination-style online-softmax form";
  let description = [{
    Rewrites `attn.attention` and `attn.sliding_window_attention` into
    `attn.online_attention` on a `tensor.empty` destination: the scale is
    resolved (`1/sqrt(D)` by default; with a dynamic D and no `scale` the
    online form keeps no scale and uses `1/sqrt(D)` of the run-time D), `causal` becomes `window_right = 0`,
    the query offset is `Lk - Lq` (bottom-right alignment) and an `i1` mask
    is widened to `i8` (one byte per element, as stored in memory, so vector
    loads read it directly). Shape relations that involve dynamic dimensions
    (equal batch sizes, `Hq % Hkv == 0`, equal `Lk`, mask extents) become
    `cf.assert`s that stop the kernel with a message naming the operands.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnConvertToGatherPass : Pass<"attn-convert-to-gather", "func::FuncOp"> {
  let summary = "Rewrite sampling ops into the destination-style attn.bilinear_gather";
  let description = [{
    Rewrites `attn.ms_deform_attn` and `attn.deformable_sample` into
    `attn.bilinear_gather` on a `tensor.empty` destination. MSDA keeps its
    operands (`[0, 1]` coordinates, zeros padding) and collapses the
    gather's `[N, Lq, M, D]` into its `[N, Lq, M*D]` result;
    `deformable_sample` becomes one head, one level and one point per query
    (its map reshaped to `[N, Hin*Win, 1, C]`, its grid to
    `[N, Hout*Wout, 1, 1, 1, 2]`). Shape relations that involve dynamic
    dimensions become `cf.assert`s naming the operands. A dynamic input
    height or width of `deformable_sample` (the gather's levels are static)
    is an error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnFuseDCMHAPass : Pass<"attn-fuse-dcmha", "func::FuncOp"> {
  let summary = "Form attn.dcmha from the unfused DCMHA chain of a front end";
  let description = [{
    Replaces the chain `S = Q K^T -> scale -> attn.compose (pre) -> mask ->
    softmax -> attn.compose (post) -> P V` (SPEC 1.4; the composes, the
    scale and the mask are optional) with one `attn.dcmha` whose result
    replaces the P V result. The contractions are `linalg` contractions on
    `[B, H, L, D]` tensors (a `linalg.generic`/`linalg.contract` einsum, or
    `linalg.batch_matmul` between `tensor.collapse_shape`/`expand_shape` of
    B and H); the scale is a positive constant multiplier (or divisor) of S,
    Q or K; the mask is a constant `i1` select or `0`/`-inf` bias that is
    exactly SPEC 1.2's causal or window geometry; the softmax is
    `linalg.softmax` over the last dim or its decomposed `exp`/`sum`/`div`
    form. Every intermediate value must be used only inside the chain, and
    everything must share one element type; any other IR is left unchanged.
    `docs/Fusion.md` lists the recognized forms exactly.
  }];
  let dependentDialects = ["::mlir::attn::AttnDialect"];
}

def AttnZeroExtentsPass : Pass<"attn-zero-extents", "func::FuncOp"> {
  let summary = "Fold attn ops with empty results; treat static zero-size operand dims as dynamic";
  let description = [{
    Static zero-size dimensions: a graph-level `attn` op whose result has no
    element becomes `tensor.empty` (there is nothing to compute); otherwise
    a static 0 in a contraction dim the kernels tile statically (D of Q and
    K, the compose rank, the sampling points P) is cast to a dynamic dim,
    so the code generator takes its path for dynamic sizes, which handles 0
    (or stops with its error naming the op). Zero batches, heads and
    sequence lengths keep their static paths. Without this pass such ops
    failed on IR the pipeline generated itself.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def AttnCheckLowerablePass : Pass<"attn-check-lowerable", "func::FuncOp"> {
  let summary = "Reject attn ops in forms the code generator does not lower";
  let description = [{
    Emits an error on each graph-level `attn` op in a form without a
    code-generation path (today: `attn.compose` and `attn.dcmha` with a
    dynamic head count or compose rank, which the DCMHA kernels unroll
    over), so that pipelines stop with a message naming the op instead of
    failing later. The reference evaluator (`attn-run --backend=reference`)
    runs every op.
  }];
}

def AttnTilePass : Pass<"attn-tile", "func::FuncOp"> {
  let summary = "Tile the online forms and attn.bilinear_gather into parallel tiles";
  let description = [{
    Tiles every `attn.online_attention` on tensors with an `scf.forall` over
    the parallel `(b, h, i)` domain with tile sizes `[1, 1, block_q]`, through
    the op's TilingInterface. The forall later becomes the parallel (OpenMP)
    loop; the key loop stays inside each tile.

    Ops whose `#attn.lowering_config` has `split_keys` > 1 (decode shapes,
    as `-attn-cpu-select-lowering-config` chooses them) are split along the
    keys instead (flash-decoding): an `scf.forall` over (split, batch, KV
    group) of `attn.partial_attention` tiles that hold all query heads of a
    GQA group, whose states are merged by the logsumexp rule in linalg.

    The sizes come from the op's `lowering_config`, which every tile keeps.
    The options apply only to ops without one (the pass used on its own).

    Every `attn.bilinear_gather` on tensors is tiled by an `scf.for` over
    batches (when N may exceed 1) around an `scf.forall` over blocks of
    `gather-block-q` queries; a tile holds every head of its queries. All
    threads then work on one batch's maps at a time. With
    `gather-serial-batches=false` the batches are a dimension of the forall
    instead (the GPU pipeline: one grid over (batch, query block)).

    Every `attn.online_dcmha` on tensors is tiled by an `scf.forall` over
    (batch, block of `dcmha-block-q` query rows), a tile holding all heads
    (compose mixes them). Iteration `k` of the block loop takes block `k/2`
    for even `k` and block `n-1-k/2` for odd `k`, so that any contiguous
    range of iterations (a thread's share) mixes short and long causal rows.
    Every `attn.tiled_compose` is tiled by an `scf.forall` over (batch,
    block of `compose-block-q` rows).
  }];
  let options = [
    Option<"blockQ", "block-q", "int64_t", /*default=*/"64",
           "query rows per tile of ops without a lowering_config">,
    Option<"splitKeys", "split-keys", "int64_t", /*default=*/"0",
           "key splits of ops without a lowering_config (flash-decoding): 0 "
           "= chosen per op (decode shapes only), 1 = never, N > 1 = N "
           "splits">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"0",
           "threads the chosen key splits plan for (ops without a "
           "lowering_config; 0 = this machine's hardware threads)">,
    Option<"gatherBlockQ", "gather-block-q", "int64_t", /*default=*/"32",
           "queries per tile of attn.bilinear_gather">,
    Option<"gatherSerialBatches", "gather-serial-batches", "bool",
           /*default=*/"true",
           "tile attn.bilinear_gather's batches with an scf.for around the "
           "forall (false: as a dimension of the forall)">,
    Option<"dcmhaBlockQ", "dcmha-block-q", "int64_t", /*default=*/"16",
           "query rows per tile of attn.online_dcmha (all heads)">,
    Option<"composeBlockQ", "compose-block-q", "int64_t", /*default=*/"32",
           "query rows per tile of attn.tiled_compose (all heads and keys)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect"];
}

def AttnDecomposePass : Pass<"attn-decompose", "func::FuncOp"> {
  let summary = "Decompose the online forms into a FlashAttention loop in linalg";
  let description = [{
    The portable lowering of `attn.online_attention` and
    `attn.partial_attention` on tensors. An `online_attention` becomes a
    `partial_attention` over all its keys on a fresh state (acc = 0, max =
    -inf, sum = 0) followed by the normalization acc / sum; a
    `partial_attention`'s key dimension is tiled by `block-k` into an
    `scf.for` over key blocks that carries the state (the FlashAttention
    loop), and each block becomes one online-softmax step in linalg (scores
    Q K^T of the block, scale/cap/bias/visibility, new row max, rescale
    factor, P, row sum, P V). Only `[rows, block-k]` scores exist at a time.
    The CPU pipeline uses it for ops the vector kernel does not take (dynamic
    head dims), or for all ops with `decompose-all`. The key block is the
    `block_k` of the op's `#attn.lowering_config`; the `block-k` option
    applies to ops without one.

    `attn.bilinear_gather` on tensors becomes one `linalg.generic` per level
    that gathers the four corners of each point with `tensor.extract` (its
    AggregatedOpInterface); the CPU pipeline uses it for gathers with a
    dynamic channel count D or point count P.
  }];
  let options = [
    Option<"dynamicHeadDimsOnly", "dynamic-head-dims-only", "bool",
           /*default=*/"false",
           "only decompose attention ops whose D or Dv is dynamic (or above "
           "max-kernel-head-dim) and gathers whose D or P is dynamic">,
    Option<"maxKernelHeadDim", "max-kernel-head-dim", "int64_t",
           /*default=*/"0",
           "with dynamic-head-dims-only, also decompose attention ops whose "
           "static D or Dv exceeds this (0 = no limit): the largest head "
           "dims the target's vector kernel takes">,
    Option<"blockK", "block-k", "int64_t", /*default=*/"128",
           "keys per step of the FlashAttention loop of ops without a "
           "lowering_config (0 = one step over all keys)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_PASSES_TD
