//===- Passes.td - the SPIR-V (OpenCL) leaf ----------------*- tablegen -*-===//
//
// Part of the attn-mlir project.
//
// Rewrites at the SPIR-V edge of the generic GPU mapping: what the OpenCL
// flavour of SPIR-V spells differently from the generic `gpu` IR.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_SPIRV_PASSES_TD
#define ATTN_CODEGEN_SPIRV_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnSPIRVPrepareKernelsPass
    : Pass<"attn-spirv-prepare-kernels", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Put kernels in the form -convert-gpu-to-spirv takes (workgroup allocs, entry-point ABI)";
  let description = [{
    `-convert-gpu-to-spirv` rejects `gpu.func` workgroup attributions
    ("functions in 'spirv.module' can only contain spirv.* ops") but turns a
    `memref.alloc` in address space 3 into a Workgroup variable. This pass
    replaces each workgroup attribution of a kernel (in
    `#gpu.address_space<workgroup>`, as the generic mapping emits them) by
    such an alloc at the kernel's entry. Only SPIR-V takes this form: on
    NVVM an alloc in address space 3 becomes a per-thread `malloc`.
    Each kernel also gets the `spirv.entry_point_abi` that the conversion
    requires, with the workgroup size of its `known_block_size`, and the
    module's SPIR-V target environment (from `-spirv-attach-target`) is
    copied into its `spirv.target_env` attribute, where
    `-convert-math-to-spirv` looks for it (else it emits GLSL ops, which
    OpenCL kernels cannot use).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::spirv::SPIRVDialect"];
}

#endif // ATTN_CODEGEN_SPIRV_PASSES_TD
