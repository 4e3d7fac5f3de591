// --attn-gpu-pipeline to PTX (NVVM leaf), assembled by CUDA's ptxas for
// sm_80 and sm_90: no spills, the workgroup buffers in shared memory.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_80" -o %t/sm80.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm80.mlir %t/sm80 | FileCheck %s --check-prefix=OBJECTS
// RUN: FileCheck %s --check-prefix=PTX < %t/sm80/causal_gqa_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/causal_gqa_kernel.ptx -o %t/a.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/masked_d128_kernel.ptx -o %t/b.cubin 2>&1 | FileCheck %s --check-prefix=D128
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_90" -o %t/sm90.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm90.mlir %t/sm90
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/causal_gqa_kernel.ptx -o %t/c.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/masked_d128_kernel.ptx -o %t/d.cubin 2>&1 | FileCheck %s --check-prefix=D128

// OBJECTS: causal_gqa_kernel.ptx
// OBJECTS: masked_d128_kernel.ptx
// PTX: .target sm_80
// PTX: .entry causal_gqa_kernel(
// PTX: .shared .align {{[0-9]+}} .b8
// PTX: bar.sync
// PTX: fma.rn.f32
// D64: 0 bytes spill stores, 0 bytes spill loads
// D64: used 1 barriers, 49152 bytes smem
// D128: 0 bytes spill stores, 0 bytes spill loads
// D128: used 1 barriers, {{[0-9]+}} bytes smem

func.func @causal_gqa(%q: tensor<1x4x100x64xf32>, %k: tensor<1x2x77x64xf32>,
                      %v: tensor<1x2x77x64xf32>) -> tensor<1x4x100x64xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x100x64xf32>, tensor<1x2x77x64xf32>, tensor<1x2x77x64xf32>
      -> tensor<1x4x100x64xf32>
  return %o : tensor<1x4x100x64xf32>
}

func.func @masked_d128(%q: tensor<2x2x33x128xf32>, %k: tensor<2x2x50x128xf32>,
                       %v: tensor<2x2x50x128xf32>, %m: tensor<2x1x33x50xi1>)
    -> tensor<2x2x33x128xf32> {
  %o = attn.attention %q, %k, %v mask %m {softcap = 30.0 : f32}
      : tensor<2x2x33x128xf32>, tensor<2x2x50x128xf32>, tensor<2x2x50x128xf32>,
        tensor<2x1x33x50xi1> -> tensor<2x2x33x128xf32>
  return %o : tensor<2x2x33x128xf32>
}
