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
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // ATTN_CODEGEN_LLVMGPU_PASSES_TD
