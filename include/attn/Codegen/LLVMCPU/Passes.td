//===- Passes.td - CPU code-generation passes -------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMCPU_PASSES_TD
#define ATTN_CODEGEN_LLVMCPU_PASSES_TD

include "mlir/Pass/PassBase.td"

// The CPU target and the overrides of the lowering-config heuristics
// (KernelDispatch.h), shared by the passes that choose configs.
defvar AttnCPUTargetOption = [
  Option<"targetCPU", "target-cpu", "std::string", /*default=*/"\"native\"",
         "CPU to generate code for ('native' = host, or an LLVM CPU name)">
];
defvar AttnCPUBlockOverrides = [
  Option<"blockQ", "block-q", "int64_t", /*default=*/"0",
         "query rows per tile (0 = from the heuristics)">,
  Option<"blockK", "block-k", "int64_t", /*default=*/"0",
         "keys per block (0 = from the heuristics)">
];
defvar AttnCPUTileOverrides = [
  ListOption<"qkTile", "qk-tile", "int64_t",
             "register tile 'rows,vectors' of Q K^T for every key block "
             "(empty = from the heuristics)">,
  ListOption<"pvTile", "pv-tile", "int64_t",
             "register tile 'rows,vectors' of P V for every key block "
             "(empty = from the heuristics)">,
  Option<"unit", "unit", "std::string", /*default=*/"\"auto\"",
         "arithmetic of the products of bf16 attention: 'auto' (from the "
         "heuristics: bf16_dot where the CPU has AVX512-BF16), 'f32', "
         "'bf16_dot', 'bf16_dot_emulated', 'amx' or 'amx_emulated'; ops "
         "with other element types keep f32">
];

def AttnCPUSelectLoweringConfigPass
    : Pass<"attn-cpu-select-lowering-config", "func::FuncOp"> {
  let summary = "Choose the lowering config of every attention op for a CPU";
  let description = [{
    Writes an `#attn.lowering_config` (query and key blocks, split-K factor,
    register tiles) into the discardable attribute `lowering_config` of every
    `attn.attention`, `attn.sliding_window_attention`,
    `attn.online_attention` and `attn.partial_attention` that has none; a
    config already in the IR is kept. The sizes come from the heuristics of
    the target (`target-cpu`; see `CPUTargetInfo` and
    `selectLoweringConfig`): the query block and the tiles of partial key
    blocks by whether the op's window or chunk hides keys from some rows,
    `split_keys` > 1 for decode shapes. Each option other than `target-cpu`
    replaces one heuristic choice (0 or empty = keep it); a tile option sets
    the tiles of whole and partial blocks alike. `-attn-tile`,
    `-attn-decompose` and `-convert-attn-to-vector` read the config.
  }];
  let options = !listconcat(AttnCPUTargetOption, AttnCPUBlockOverrides, [
    Option<"splitKeys", "split-keys", "int64_t", /*default=*/"0",
           "key splits (flash-decoding): 0 = from the heuristics (decode "
           "shapes only), 1 = never, N > 1 = N splits for every op">,
    Option<"numThreads", "num-threads", "int64_t", /*default=*/"0",
           "threads the parallel loops will run on, which the chosen key "
           "splits plan for (0 = this machine's hardware threads; "
           "OMP_NUM_THREADS is not read)">
  ], AttnCPUTileOverrides);
}

def ConvertAttnToVectorPass : Pass<"convert-attn-to-vector", "func::FuncOp"> {
  let summary = "Lower bufferized attn.online_attention to loops of vector code";
  let description = [{
    Replaces every `attn.online_attention` on memrefs (after bufferization)
    with a FlashAttention-style CPU kernel: loops over batch, head and query
    blocks; a loop over only the key blocks that can be visible (causal,
    window, chunk); per key block K^T packed with 16x16 vector transposes,
    `S = Q K^T` with a register-tiled outer-product micro-kernel, the online
    softmax (running row max and sum, an exp2 of its own with log2(e) folded
    into the scale), and `O += P V` with a
    second register tile. Vector width and the exponential come from the
    target info of `target-cpu`; block sizes and register tiles from the
    op's `#attn.lowering_config`. An op without one gets the config that
    `-attn-cpu-select-lowering-config` would choose with the same options
    (`block-q`, `block-k`, `qk-tile` and `pv-tile` apply to such ops only).
    Head dims must be static.

    Every `attn.online_dcmha` (a DCMHA tile) becomes the DCMHA kernel
    (docs/CodeGen.md#dcmha): query blocks of `dcmha-block-q` rows with all
    heads, the scores of the block's visible keys in a heap buffer, the
    compose steps vectorized over rows, an exact softmax and `P V` register
    tiles. Every `attn.bilinear_gather` becomes the sampling kernel.
  }];
  let options = !listconcat(AttnCPUTargetOption, AttnCPUBlockOverrides,
                            AttnCPUTileOverrides, [
    Option<"dcmhaBlockQ", "dcmha-block-q", "int64_t", /*default=*/"16",
           "query rows per block of the DCMHA kernel (rounded up to the "
           "vector width)">
  ]);
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect",
                           "::mlir::amx::AMXDialect",
                           // AVX2's 8x8 transpose blends through inline asm.
                           "::mlir::LLVM::LLVMDialect"];
}

def AttnVectorizeMatmulsPass : Pass<"attn-vectorize-matmuls", "func::FuncOp"> {
  let summary = "Tile and vectorize the upstream matmuls around attention";
  let description = [{
    First folds bias epilogues (an elementwise add of a row-broadcast bias
    to a zero-initialized `linalg.matmul`, possibly through a
    `tensor.expand_shape`) into the matmul's initial accumulator. Other
    elementwise epilogues of a static 2-D f32 matmul (activations such as
    GELU, SiLU and ReLU, residual adds; chains of elementwise generics are
    fused into one first) run on each packed strip of the matmul's last K
    panel right after its register tiles, instead of in a pass over C. Then
    tiles `linalg.matmul` and `linalg.batch_matmul` on tensors (the
    projections around attention) with an `scf.forall` over cache tiles of
    C (the parallel loop, as for attention), each cache tile along K into
    panels whose B part stays in L2 (scf.for), and each panel into register
    tiles (M x N x K-unroll; batch 1) with scf.for; peels the partial tiles
    off, vectorizes the static tiles into `vector.contract` (lowered later
    with the outer-product strategy) and hoists the C tile out of the K
    loop. A B operand that is a constant (a model's weights) is packed once,
    at compile time, into a constant of the packed strips' layout
    (`[ceil(N / cols), K, cols]`, zero-padded), which the panels slice
    instead of packing B on every call (as ONNX Runtime's MLAS and oneDNN
    pre-pack weights). The sizes are the target's (`CPUTargetInfo::matmulTiles`: 6 x 16 x
    16 register tiles in 48 x 128 x 256 cache tiles with AVX2, 12 x 32 x 4
    in 96 x 128 x 256 with AVX-512). Tiles that stay dynamic remain linalg ops
    (scalar loops).
  }];
  let options = [
    Option<"targetCPU", "target-cpu", "std::string", /*default=*/"\"native\"",
           "LLVM CPU name the tiles are chosen for ('native' = host)">,
    Option<"fuseEpilogues", "fuse-epilogues", "bool", /*default=*/"true",
           "Fuse elementwise consumers of matmuls into their last K panel">,
    Option<"packConstants", "pack-constants", "bool", /*default=*/"true",
           "Pack constant B operands (weights) at compile time">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnVectorizeElementwisePass
    : Pass<"attn-vectorize-elementwise", "func::FuncOp"> {
  let summary = "Thread and vectorize the linalg.generic ops around attention";
  let description = [{
    For each `linalg.generic` on static tensors whose loops are parallel
    except possibly the innermost (elementwise ops with broadcasts, and row
    reductions such as the sums of layer norm and softmax): an
    `scf.forall` over blocks of whole rows (about 8192 elements per task,
    the pipeline's parallel loop), rows one at a time, and the innermost
    loop in tiles of 4 vector registers with the last partial tile peeled;
    the full tiles are vectorized at their static size, the partial ones
    with masks. `linalg.transpose` ops that keep the innermost dimension
    (head splits and merges) are generalized first and take the same path.
    Other generics (dynamic shapes, `linalg.index`, outer reductions, maps
    the vectorizer rejects) are left to `-convert-linalg-to-loops`.
  }];
  let options = [
    Option<"targetCPU", "target-cpu", "std::string", /*default=*/"\"native\"",
           "LLVM CPU name whose vector width is used ('native' = host)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnSplitMaskedTransfersPass
    : Pass<"attn-split-masked-transfers", "func::FuncOp"> {
  let summary = "Split masked 1-D vector transfers wider than a register";
  let description = [{
    Rewrites each 1-D `vector.transfer_read` / `vector.transfer_write` on a
    memref that has a mask or may run out of bounds, and each
    `vector.maskedload` / `vector.maskedstore`, whose vector is wider than
    one register of the target into register-wide pieces (the mask and the
    value sliced with `vector.extract_strided_slice`).

    Why: LLVM 22's X86 back end splits a masked load wider than a register
    (`llvm.masked.load.v16f32` with AVX2) and, when a half's mask is all
    false, can emit that half as a plain unmasked load instead of its
    pass-through value: the lanes read whatever lies past the data (out of
    bounds, possibly NaN or an unmapped page) where the program asked for
    zeros. `llc -mattr=+avx2` on a `v16f32` masked load whose mask is
    `select(%c, <8 x true, 8 x false>, zeroinitializer)` shows it (a
    `vmovups 32(%rdi)` for the upper half). The matmul tiles' partial
    K and N edges are such loads (6 x 16 register tiles of two ymm rows);
    register-wide pieces legalize without splitting.
  }];
  let options = [
    Option<"targetCPU", "target-cpu", "std::string", /*default=*/"\"native\"",
           "LLVM CPU name whose vector register width is used ('native' = host)">,
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnApproximateMathPass : Pass<"attn-approximate-math", "func::FuncOp"> {
  let summary = "Polynomial approximations of math.exp/tanh/... for vector code";
  let description = [{
    Applies MLIR's polynomial approximations (Cephes-style range reduction and
    FMA polynomials, relative error below 2^-22 for f32 exp) so that vector
    `math.exp` and `math.tanh` become vector arithmetic instead of one libm
    call per lane.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnEmitCInterfacePass : Pass<"attn-emit-c-interface", "ModuleOp"> {
  let summary = "Request C interface wrappers for every public function";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that `convert-func-to-llvm` emits `_mlir_ciface_<name>` taking memref
    descriptors by pointer (MLIR's C interface), which `attn-run` and the
    shared libraries of `attn-compile` call.
  }];
}

def AttnForallToSerialLoopsPass
    : Pass<"attn-forall-to-serial-loops", "func::FuncOp"> {
  let summary = "Run scf.forall loops serially, keeping per-iteration stack scratch";
  let description = [{
    Rewrites each `scf.forall` into nested `scf.for` loops (the one-thread
    form of the parallel tile loop). A statically sized `memref.alloca` in the
    forall body (the kernels' per-tile scratch, possibly inside a
    `memref.alloca_scope`) moves to the entry block of the function: the
    serial iterations share one buffer. Left in the loop it would survive
    canonicalization (`scf.for` is an automatic allocation scope) but lower to
    an LLVM `alloca` in a loop block, which grows the stack every iteration
    and overflows it on long sequences. (`convert-scf-to-openmp` scopes the
    threaded form with `memref.alloca_scope` instead.) Dynamically sized
    allocas stay and get a warning.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // ATTN_CODEGEN_LLVMCPU_PASSES_TD
