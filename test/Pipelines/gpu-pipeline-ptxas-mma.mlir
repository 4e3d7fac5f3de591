// f16 and bf16 attention on tensor cores (--attn-gpu-pipeline target=nvvm; the
// default tensor-cores=auto takes them on NVVM): the PTX has ldmatrix
// (x4 for Q, x2 for K, x2.trans for V) and mma.sync m16n8k16 with f16
// inputs and f32 accumulators; ptxas assembles it for sm_80 and sm_90 with
// no spills.
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_80" -o %t/sm80.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm80.mlir %t/sm80
// RUN: FileCheck %s --check-prefix=PTX < %t/sm80/causal_gqa_d128_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/causal_gqa_d128_kernel.ptx -o %t/a.cubin 2>&1 | FileCheck %s --check-prefix=D128
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/masked_d64_kernel.ptx -o %t/b.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: FileCheck %s --check-prefix=BF16 < %t/sm80/bf16_d64_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/bf16_d64_kernel.ptx -o %t/e.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_90" -o %t/sm90.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm90.mlir %t/sm90
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/causal_gqa_d128_kernel.ptx -o %t/c.cubin 2>&1 | FileCheck %s --check-prefix=D128
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/masked_d64_kernel.ptx -o %t/d.cubin 2>&1 | FileCheck %s --check-prefix=D64

// PTX: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX: ldmatrix.sync.aligned.m8n8.x2.shared.b16
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX: shfl.sync.bfly
// PTX: ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16
// PTX: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// bf16 products go through nvvm.mma.sync (bf16x2 pairs in i32 registers).
// BF16: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// BF16: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// D128: 0 bytes spill stores, 0 bytes spill loads
// D128: used 1 barriers, 34816 bytes smem
// D64: 0 bytes spill stores, 0 bytes spill loads
// D64: used 1 barriers, {{[0-9]+}} bytes smem

func.func @causal_gqa_d128(%q: tensor<1x8x256x128xf16>, %k: tensor<1x2x256x128xf16>,
                           %v: tensor<1x2x256x128xf16>) -> tensor<1x8x256x128xf16> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x8x256x128xf16>, tensor<1x2x256x128xf16>, tensor<1x2x256x128xf16>
      -> tensor<1x8x256x128xf16>
  return %o : tensor<1x8x256x128xf16>
}

func.func @masked_d64(%q: tensor<2x4x100x64xf16>, %k: tensor<2x4x77x64xf16>,
                      %v: tensor<2x4x77x64xf16>, %m: tensor<2x4x100x77xf16>)
    -> tensor<2x4x100x64xf16> {
  %o = attn.attention %q, %k, %v mask %m {softcap = 20.0 : f32}
      : tensor<2x4x100x64xf16>, tensor<2x4x77x64xf16>, tensor<2x4x77x64xf16>,
        tensor<2x4x100x77xf16> -> tensor<2x4x100x64xf16>
  return %o : tensor<2x4x100x64xf16>
}

func.func @bf16_d64(%q: tensor<2x4x100x64xbf16>, %k: tensor<2x4x77x64xbf16>,
                    %v: tensor<2x4x77x64xbf16>) -> tensor<2x4x100x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<2x4x100x64xbf16>, tensor<2x4x77x64xbf16>, tensor<2x4x77x64xbf16>
      -> tensor<2x4x100x64xbf16>
  return %o : tensor<2x4x100x64xbf16>
}
