// attn-compile --target=cuda writes the PTX of the kernel (--emit=ptx, the
// same as --emit=asm) and the lowered module (--emit=mlir); attn-run
// --backend=cuda on a machine without a GPU says why it cannot run.
// REQUIRES: cuda-backend, opencl
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s --target=cuda --emit=ptx -o %t/a.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t/a.ptx
// RUN: attn-compile %s --target=cuda --emit=mlir -o %t/a.mlir
// RUN: FileCheck %s --check-prefix=MLIR < %t/a.mlir
// RUN: attn-compile %s --target=opencl --emit=mlir -o %t/b.mlir
// RUN: FileCheck %s --check-prefix=SPIRV < %t/b.mlir
// RUN: not attn-compile %s --target=opencl --emit=so -o %t/b.so 2>&1 | FileCheck %s --check-prefix=SO
// --gpu-chip picks the architecture (cuda only; the pipeline checks the name).
// RUN: attn-compile %s --target=cuda --gpu-chip=sm_90 --emit=ptx -o %t/c.ptx
// RUN: FileCheck %s --check-prefix=SM90 < %t/c.ptx
// RUN: not attn-compile %s --target=cuda --gpu-chip=volta --emit=ptx -o %t/d.ptx 2>&1 | FileCheck %s --check-prefix=BADCHIP
// RUN: not attn-compile %s --target=opencl --gpu-chip=sm_90 --emit=mlir -o %t/e.mlir 2>&1 | FileCheck %s --check-prefix=CHIPOPENCL

// PTX: .target sm_80
// PTX: .visible .entry main_kernel(
// PTX: bar.sync
// MLIR: gpu.launch_func
// MLIR: llvm.func @_mlir_ciface_main
// MLIR: gpu.binary @main_kernel
// MLIR-SAME: #nvvm.target
// SPIRV: gpu.binary @main_kernel
// SPIRV-SAME: api=OpenCL
// SO: error: --target=opencl emits mlir only
// SM90: .target sm_90
// BADCHIP: invalid --attn-gpu-pipeline chip='volta': expected an NVIDIA SM name
// CHIPOPENCL: --gpu-chip='sm_90' applies to --target=cuda only

func.func @main(%q: tensor<1x2x9x16xf32>, %k: tensor<1x2x13x16xf32>,
                %v: tensor<1x2x13x16xf32>) -> tensor<1x2x9x16xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x2x9x16xf32>, tensor<1x2x13x16xf32>, tensor<1x2x13x16xf32>
      -> tensor<1x2x9x16xf32>
  return %o : tensor<1x2x9x16xf32>
}
