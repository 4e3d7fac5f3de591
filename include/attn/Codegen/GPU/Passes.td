//===- Passes.td - the generic GPU mapping layer -----------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
// Passes shared by every GPU target (NVVM and SPIR-V): they produce
// upstream `gpu` dialect IR (gpu.launch with workgroup attributions in
// #gpu.address_space<workgroup>, gpu.barrier, math.exp2) that the leaves
// (Codegen/LLVMGPU, Codegen/SPIRV) adapt at the edges.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_PASSES_TD
#define ATTN_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

defvar AttnGPUTargetOptions = [
  Option<"sharedMemoryBytes", "shared-memory-bytes", "int64_t",
         /*default=*/"49152",
         "workgroup (shared) memory one workgroup may use, in bytes">,
  Option<"maxThreads", "max-threads", "int64_t", /*default=*/"128",
         "most threads per workgroup (one thread per query row)">,
  Option<"blockQ", "block-q", "int64_t", /*default=*/"0",
         "query rows (threads) per workgroup; 0 = the largest power of two "
         ">= 32 up to max-threads whose buffers fit shared-memory-bytes">,
  Option<"blockK", "block-k", "int64_t", /*default=*/"16",
         "keys per staged key block (scores kept in registers)">
];

def AttnGPUSelectLoweringConfigPass
    : Pass<"attn-gpu-select-lowering-config", "func::FuncOp"> {
  let summary = "Choose the lowering config of every attention op for a GPU";
  let description = [{
    Writes an `#attn.lowering_config` into every `attn.attention`,
    `attn.sliding_window_attention` and `attn.online_attention` that has
    none, for the FMA mapping of `-attn-gpu-map-attention`: `block_q` query
    rows per workgroup (one thread each), `block_k` keys per staged block (16, or 8 when Dv > 64: fewer
    registers beside the Dv accumulators),
    `split_keys = 1`; the register-tile fields are unused on GPUs and set
    to `[1, 1]`. `block_q` is the largest power of two from 32 up to
    `max-threads` whose workgroup buffers (`Q^T`: D x block_q, K: block_k x
    D, V: block_k x Dv, `P^T`: block_k x block_q, f32) fit
    `shared-memory-bytes`. Ops with dynamic head dims, or whose buffers do
    not fit even at 32 rows, are reported as errors.
  }];
  let options = AttnGPUTargetOptions;
}

def AttnGPUMapAttentionPass
    : Pass<"attn-gpu-map-attention", "func::FuncOp"> {
  let summary = "Map tiles of attn.online_attention onto GPU workgroups and threads";
  let description = [{
    Replaces each `scf.forall` of bufferized `attn.online_attention` tiles
    (what `-attn-tile` and one-shot bufferization make) with a `gpu.launch`:
    one workgroup per tile (the forall's iterations, linearized into the
    grid's x dimension), `block_q` threads per workgroup, thread `t` owning
    query row `t` of the tile (FlashAttention-1's row-per-thread FMA
    mapping). The tile's `Q^T` is staged into workgroup memory once; then
    for each key block that some row of the tile can see
    (`AttentionGeometry`), the workgroup stages K and V blocks
    (coalesced, `gpu.barrier` before and after), each thread computes its
    row's `block_k` scores in registers, applies scale, softcap, visibility
    and mask, updates its running max, sum and `Dv` accumulators with the
    `OnlineSoftmax` builders, and accumulates `P V` (its probabilities go
    through a `P^T` buffer so the key loop is not unrolled). Rows without a
    visible key are written as 0. Workgroup buffers are `gpu.launch`
    workgroup attributions in `#gpu.address_space<workgroup>`; the
    exponential is `math.exp2`. Static head dims are required; the sizes
    come from the op's `#attn.lowering_config`.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def AttnGPUInsertDeviceCopiesPass
    : Pass<"attn-gpu-insert-device-copies", "func::FuncOp"> {
  let summary = "Give each gpu.launch_func device buffers copied from and to host memrefs";
  let description = [{
    Host functions pass host memrefs (their arguments and `memref.alloc`s)
    to `gpu.launch_func`. This pass gives each memref operand of a launch a
    device buffer (`gpu.alloc` of the same type), copies the host data in
    before the launch (`gpu.memcpy`), copies it back after the launch when
    the kernel writes the operand (a `memref.store` on the kernel argument),
    and frees the buffer (`gpu.dealloc`). The copies are synchronous;
    `-gpu-async-region` makes them ops of one stream for `-gpu-to-llvm`.
    Memrefs must have static shapes and identity layouts (bare-pointer
    kernel arguments).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // ATTN_CODEGEN_GPU_PASSES_TD
