//===- Passes.td - the NVVM leaf -----------------------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
// What only NVIDIA GPUs can express: tensor-core warp products
// (`nvgpu.ldmatrix`, `nvgpu.mma.sync`) and warp shuffles, plugged into the
// generic mapping of Codegen/GPU.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_LLVMGPU_PASSES_TD
#define ATTN_CODEGEN_LLVMGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnNVGPUMapAttentionPass
    : Pass<"attn-nvgpu-map-attention", "func::FuncOp"> {
  let summary = "Map attention tiles onto GPU workgroups with NVIDIA tensor cores";
  let description = [{
    `-attn-gpu-map-attention` (the generic mapping, docs/gpu.md) with the
    warp primitives of tensor-core tiles spelled for NVIDIA GPUs (sm_80 and
    newer): fragments of Q and K with `nvgpu.ldmatrix` (x4 for A, x2 for
    B), of V with `ldmatrix.trans`, the products with `nvgpu.mma.sync`
    (m16n8k16, f32 accumulate; bf16 products as `nvvm.mma.sync`, which
    MLIR 22's nvgpu lowering lacks), quad reductions with
    `gpu.shuffle xor`. FMA tiles are mapped as by the generic pass.
    Warpgroup tiles (`qk_tile = [64, block_k]`, selected for sm_90a) get
    `nvvm.wgmma.mma_async` products (m64nNk16, f16 or bf16 operands in
    shared memory through 64-bit matrix descriptors, f32 accumulators)
    between `wgmma.fence` and `wgmma.commit_group`/`wait_group 0`, with
    `fence.proxy.async` after the plain stores of P. Their Q, K and V come
    by TMA (`nvgpu.tma.async.load` of 128-, 64- or 32-byte swizzled boxes,
    completing `nvgpu.mbarrier`s; the tensor maps created on the host by
    `nvgpu.tma.create.descriptor`), K and V of the next key block loaded
    while the current one is computed; with `tma=false`, or where an
    operand is not a unit-stride view of a memref defined outside the
    launch, the threads stage them (16-byte stores, no swizzle).
  }];
  let options = [
    Option<"useTMA", "tma", "bool", /*default=*/"true",
           "Load the warpgroup mapping's Q, K and V with TMA">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnNVGPUAlignWorkgroupBuffersPass
    : Pass<"attn-nvgpu-align-workgroup-buffers", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Align the workgroup buffers of NVVM kernels";
  let description = [{
    Sets `llvm.align` on every workgroup attribution of the module's
    `gpu.func`s that has none, so that the `.shared` arrays they become are
    aligned to `alignment` bytes (without it they get the alignment of
    their element type). 16-byte vector stores, `ldmatrix` row addresses
    and wgmma matrix descriptors (start addresses 16-byte aligned, PTX ISA)
    need 16. Buffers that `nvgpu.tma.async.load` writes (through views) get
    at least 1024: the 128-byte swizzle repeats every 8 rows of 128 bytes
    and is computed from address bits, which the wgmma descriptors
    (base offset 0) assume aligned.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "byte alignment of each workgroup buffer">
  ];
}

def AttnNVGPUTensorMapArgumentsPass
    : Pass<"attn-nvgpu-tensor-map-arguments", "::mlir::ModuleOp"> {
  let summary = "Pass TMA tensor maps to kernels as pointers";
  let description = [{
    Kernel arguments of type `!nvgpu.tensormap.descriptor` become `!llvm.ptr`
    (the device address of the `CUtensorMap` that
    `mgpuTensorMapEncodeTiledMemref` returns, which is what the lowering of
    `nvgpu.tma.create.descriptor` produces on the host and what
    `cp.async.bulk.tensor` takes): the `gpu.func` gets a pointer argument
    cast back to the descriptor type at its entry, and each
    `gpu.launch_func` passes its operand through the opposite
    `builtin.unrealized_conversion_cast`. `-convert-nvgpu-to-nvvm` on both
    sides and `-reconcile-unrealized-casts` then meet on `!llvm.ptr`
    (`-convert-gpu-to-nvvm` has no conversion for the descriptor type).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ATTN_CODEGEN_LLVMGPU_PASSES_TD
