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
  Option<"blockK", "block-k", "int64_t", /*default=*/"0",
         "keys per staged block (scores kept in registers); 0 = 16, or 8 "
         "when Dv > 64">,
  Option<"tensorCores", "tensor-cores", "bool", /*default=*/"false",
         "f16/bf16 attention with D, Dv multiples of 16 takes the "
         "tensor-core (mma.m16n8k16 warp) mapping">,
  Option<"warpgroupMma", "warpgroup-mma", "bool", /*default=*/"false",
         "with tensor-cores: the target has warpgroup products (wgmma, "
         "sm_90a), so such ops take the warpgroup mapping (64 rows, "
         "wgmma.m64nNk16) instead">
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
    not fit even at 32 rows, are reported as errors. With `tensor-cores`,
    f16 and bf16 ops whose head dims are multiples of 16 get the tensor-core
    config instead: `block_q` = 16 rows per warp (up to 4 warps),
    `block_k = 32`, register tiles `[16, 8]`; with `warpgroup-mma` too (and
    Dv <= 256), the warpgroup config: `block_q = 64` (one warpgroup),
    `block_k` the largest of 64, 32, 16 whose buffers (Q, K, V, P in the
    16-bit type) fit, register tiles `[64, block_k]` (S) and `[64, Dv]` (O),
    the wgmma shapes. `block_k` of the FMA mapping is at most 128 (its
    scores are unrolled in registers). A config already in the IR (pinned
    by hand or by a test) is kept once it fits the target the same way:
    threads per workgroup at most `max-threads`, buffers within
    `shared-memory-bytes`, and for the FMA mapping `block_k` <= 128 and
    Dv <= 128; otherwise the op gets an error.
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

    Tiles whose config has register tiles `[16, 8]` take the tensor-core
    mapping instead (FlashAttention-2's warp schedule): each warp owns 16
    query rows, Q, K and V stay in their 16-bit type in padded workgroup
    buffers, `S = Q K^T` and `O += P V` are `mma.m16n8k16` warp products
    whose fragments carry the online softmax (row statistics reduced over
    the 4 lanes of a quad), and P is reused from S's accumulators as the A
    operand. This pass implements the warp primitives with workgroup memory
    and barriers (`EmulatedWarpMatrixOps`, for OpenCL devices such as
    PoCL); `-attn-nvgpu-map-attention` (Codegen/LLVMGPU) emits the same
    mapping with `nvgpu.ldmatrix`, `nvgpu.mma.sync` and `gpu.shuffle`.

    Tiles whose config has register tiles `[64, block_k]` take the
    warpgroup mapping (FlashAttention-3's products, for `wgmma` on sm_90a):
    one warpgroup of 4 warps per 64 query rows, Q, K, V and P in workgroup
    buffers in the tiled layout of wgmma's shared-memory operands,
    `S = Q K^T` and `O += P V` as 64 x n warpgroup products, the online
    softmax on the accumulators (the same fragment code as the tensor-core
    mapping). With `emulate-warpgroup-mma` this pass computes the products
    with plain loads (`EmulatedWarpgroupMatrixOps`, to run the mapping on
    PoCL); `-attn-nvgpu-map-attention` emits `wgmma.mma_async`.
  }];
  let options = [
    Option<"emulateWarpgroupMma", "emulate-warpgroup-mma", "bool",
           /*default=*/"false",
           "map warpgroup (wgmma) configs with emulated warpgroup products">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
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
    kernel arguments). A TMA tensor map operand (`nvgpu.tma.create.descriptor`
    of a `memref.cast` of a host memref, from the sm_90a warpgroup mapping)
    is created again from the device buffer.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect"];
}


//===----------------------------------------------------------------------===//
// Sampling and compose tiles, and the ops without a GPU mapping
//===----------------------------------------------------------------------===//

defvar AttnGPUWorkgroupOptions = [
  Option<"sharedMemoryBytes", "shared-memory-bytes", "int64_t",
         /*default=*/"49152",
         "workgroup (shared) memory one workgroup may use, in bytes">,
  Option<"maxThreads", "max-threads", "int64_t", /*default=*/"128",
         "most threads per workgroup (a multiple of 32)">
];

def AttnGPUCheckMappablePass
    : Pass<"attn-gpu-check-mappable", "func::FuncOp"> {
  let summary = "Reject attn ops that the GPU mapping does not take";
  let description = [{
    Emits an error on each `attn` op without a GPU mapping, so that
    `--attn-gpu-pipeline` stops with a message naming the op instead of
    leaving it in host code: `attn.partial_attention` (split-K), and the
    forms of mapped ops that the mapping cannot take: `attn.compose` with a
    dynamic head count or compose rank (the kernel unrolls over them),
    `attn.dcmha` (and `attn.online_dcmha`) with those or with dynamic head
    dims `D`, `Dv` or more than 128 accumulators `H x Dv` per thread
    (the kernel holds them in registers) or without compose groups, and
    sampling ops with a dynamic head count `M` or point count `P` (their
    corners are staged in workgroup memory sized by `M * L * P`). With
    `bf16=false` (the SPIR-V target: OpenCL has no bf16 type), attn ops on
    bf16 values too. The CPU pipeline and the reference evaluator run all of
    them.
  }];
  let options = [
    Option<"bf16", "bf16", "bool", /*default=*/"true",
           "whether the device code can take bf16 values">,
  ];
}

def AttnGPUMapGatherPass : Pass<"attn-gpu-map-gather", "func::FuncOp"> {
  let summary = "Map tiles of attn.bilinear_gather onto GPU workgroups and threads";
  let description = [{
    Replaces each `scf.forall` of bufferized `attn.bilinear_gather` tiles
    (the tiled form of `attn.deformable_sample` and `attn.ms_deform_attn`,
    tiled by `-attn-tile` over (batch, query block)) with a `gpu.launch`:
    one workgroup per tile (the forall's iterations linearized into grid
    x), `max-threads` threads. The workgroup walks its queries in chunks
    whose corners fit `shared-memory-bytes`; per chunk:

    1. corners: one thread per sampling point `(query, head, level,
       point)` computes the four corner rows (i32) and weights (f32, times
       the attention weight) with the shared `BilinearSampling` builder and
       stores them in workgroup memory; `gpu.barrier`;
    2. channels: one thread per output `(query, head, channel)`, channels
       fastest, so that a warp reads consecutive channels of a `value` row
       (coalesced) and the corners of one (query, head) (a broadcast);
       it accumulates the `4 * L * P` weighted corners in f32 and stores
       the output element.

    `M` and `P` must be static (the buffers are `[chunk * M, 4 * L * P + 1]`).
  }];
  let options = AttnGPUWorkgroupOptions;
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def AttnGPUMapComposePass : Pass<"attn-gpu-map-compose", "func::FuncOp"> {
  let summary = "Map tiles of attn.tiled_compose onto GPU workgroups and threads";
  let description = [{
    Replaces each `scf.forall` of bufferized `attn.tiled_compose` tiles
    (the tiled form of `attn.compose`, tiled by `-attn-tile` over (batch,
    row block)) with a `gpu.launch`: one workgroup per tile (grid x), 32
    keys by `R` row lanes of threads (`R = max-threads / 32`, at most the
    tile's rows). The workgroup walks the keys in chunks of 32; thread
    `(r, k)` composes position `(row, key)` for key `k` of the chunk and
    rows `r, r + R, ...` of the tile: it loads the `H` scores (consecutive
    keys in a warp: coalesced), mixes them with the shared `ComposeHeads`
    builder and stores the `H` results. The key-indexed weights
    (`key_weights`, `key_gate`) of a chunk, which lie `C * H` apart along
    the keys, are staged in workgroup memory (transposed, coalesced
    reads, `gpu.barrier` around) when they fit `shared-memory-bytes`, and
    read from global memory otherwise; query-indexed and static weights are
    the same for a warp (broadcast loads). `H` and the ranks must be
    static.
  }];
  let options = AttnGPUWorkgroupOptions;
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def AttnGPUMapDCMHAPass : Pass<"attn-gpu-map-dcmha", "func::FuncOp"> {
  let summary = "Map tiles of attn.online_dcmha onto GPU workgroups and threads";
  let description = [{
    Replaces each `scf.forall` of bufferized `attn.online_dcmha` tiles (the
    tiled form of `attn.dcmha`, tiled by `-attn-tile` over (batch, block
    of query rows), all heads in a tile) with a `gpu.launch`: one
    workgroup per tile (grid x), one thread per query row (at most
    `max-threads`, at most the tile's rows; thread `t` has rows `t`,
    `t + threads`, ...). Each thread walks the keys its row sees twice:
    sweep 1 computes the `H` logits of a key (`scale Q K^T`), mixes them
    with `compose_pre` (the shared `ComposeHeads` builder) and updates the
    `H` online maxima and sums (`OnlineSoftmax`); sweep 2 recomputes them,
    normalizes, mixes the probabilities with `compose_post` and
    accumulates `P V` into `H x Dv` f32 registers. K, V and the compose
    weights are read from global memory (no workgroup memory, no
    barrier). `H`, `D`, `Dv` and the compose ranks must be static, and
    `H x Dv` at most 128.
  }];
  let options = AttnGPUWorkgroupOptions;
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // ATTN_CODEGEN_GPU_PASSES_TD
