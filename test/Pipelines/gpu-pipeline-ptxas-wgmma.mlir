// f16 and bf16 attention on sm_90a (--attn-gpu-pipeline target=nvvm
// chip=sm_90a): the warpgroup mapping, whose PTX has wgmma.mma_async
// m64nNk16 (S = Q K^T with n = block_k, O += P V with n = Dv, MN-major V:
// imm-trans-b 1), wgmma.fence / commit_group / wait_group and
// fence.proxy.async; Q, K and V loaded by TMA (cp.async.bulk.tensor into
// 1024-byte aligned buffers, mbarrier expect_tx / try_wait.parity); the host
// creates the tensor maps of the device buffers with
// mgpuTensorMapEncodeTiledMemref and passes them as pointers; ptxas
// -arch=sm_90a assembles it with no spills.
// chip=sm_90 keeps mma.sync (MLIR refuses wgmma there).
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_90a" -o %t/sm90a.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm90a.mlir %t/sm90a
// RUN: FileCheck %s --check-prefix=HOST < %t/sm90a.mlir
// RUN: FileCheck %s --check-prefix=PTX128 < %t/sm90a/causal_gqa_d128_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90a -v %t/sm90a/causal_gqa_d128_kernel.ptx -o %t/a.cubin 2>&1 | FileCheck %s --check-prefix=D128
// RUN: FileCheck %s --check-prefix=PTX64 < %t/sm90a/bf16_d64_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90a -v %t/sm90a/bf16_d64_kernel.ptx -o %t/b.cubin 2>&1 | FileCheck %s --check-prefix=D64
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_90" -o %t/sm90.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm90.mlir %t/sm90
// RUN: FileCheck %s --check-prefix=SM90 < %t/sm90/causal_gqa_d128_kernel.ptx

// HOST-LABEL: llvm.func @causal_gqa_d128
// HOST: %[[QMAP:.+]] = llvm.call @mgpuTensorMapEncodeTiledMemref
// HOST: %[[KMAP:.+]] = llvm.call @mgpuTensorMapEncodeTiledMemref
// HOST: %[[VMAP:.+]] = llvm.call @mgpuTensorMapEncodeTiledMemref
// HOST: gpu.launch_func {{.*}} args(%[[QMAP]] : !llvm.ptr, %[[KMAP]] : !llvm.ptr, %[[VMAP]] : !llvm.ptr, %{{.+}} : !llvm.ptr)

// D = 128: block_k = 32 (Q 16 KiB, K and V 8 KiB each, P 4 KiB fit 48 KiB;
// 24 bytes of mbarriers and the 1024-byte alignment of the TMA buffers).
// PTX128: .shared .align 8 .b8 __mbarrier[24];
// PTX128: .shared .align 1024 .b8
// PTX128: mbarrier.init.shared.b64
// PTX128: fence.mbarrier_init.release.cluster;
// PTX128: mbarrier.arrive.expect_tx.shared.b64
// PTX128: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX128: mbarrier.try_wait.parity.shared.b64
// PTX128: wgmma.fence.sync.aligned;
// PTX128: wgmma.mma_async.sync.aligned.m64n32k16.f32.f16.f16 {{.*}}, p, 1,  1, 0,  0;
// PTX128: wgmma.commit_group.sync.aligned;
// PTX128: wgmma.wait_group.sync.aligned 0;
// PTX128: fence.proxy.async.shared::cta;
// PTX128: cp.async.bulk.tensor.4d
// PTX128: wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 {{.*}}, p, 1,  1, 0,  1;
// D128: 0 bytes spill stores, 0 bytes spill loads
// D128: used 1 barriers, 37888 bytes smem

// D = 64: block_k = 64 (four 8 KiB buffers).
// PTX64: cp.async.bulk.tensor.4d
// PTX64: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1,  1, 0,  0;
// PTX64: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1,  1, 0,  1;
// D64: 0 bytes spill stores, 0 bytes spill loads
// D64: used 1 barriers, 33792 bytes smem

// SM90-NOT: wgmma
// SM90: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-NOT: wgmma

func.func @causal_gqa_d128(%q: tensor<1x8x256x128xf16>, %k: tensor<1x2x256x128xf16>,
                           %v: tensor<1x2x256x128xf16>) -> tensor<1x8x256x128xf16> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x8x256x128xf16>, tensor<1x2x256x128xf16>, tensor<1x2x256x128xf16>
      -> tensor<1x8x256x128xf16>
  return %o : tensor<1x8x256x128xf16>
}

func.func @bf16_d64(%q: tensor<2x4x100x64xbf16>, %k: tensor<2x4x77x64xbf16>,
                    %v: tensor<2x4x77x64xbf16>) -> tensor<2x4x100x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<2x4x100x64xbf16>, tensor<2x4x77x64xbf16>, tensor<2x4x77x64xbf16>
      -> tensor<2x4x100x64xbf16>
  return %o : tensor<2x4x100x64xbf16>
}
