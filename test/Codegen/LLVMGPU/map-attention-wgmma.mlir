// The warpgroup mapping (sm_90a): one warpgroup (128 threads) per 64 query
// rows, Q, K, V and P in flat workgroup buffers in the tiled (8x8 core
// matrix) layout, staged with 16-byte vector loads and stores and ordered
// for the async proxy by fence.proxy.async; S = Q K^T as wgmma m64n64k16
// over D (K-major B: layout col), O = alpha O + P V as wgmma m64n32k16 over
// the key block (MN-major B: layout row), each batch between wgmma.fence
// and commit_group + wait_group 0; the softmax's quad reductions by
// shuffles. The emulation (for PoCL) has no NVVM op. These CHECK lines are
// the threads' staging (tma=false); TMA lines the default, TMA loads:
// tensor maps of the whole Q, K and V created before the launch (128-byte
// swizzle for D = 64, 64-byte for Dv = 32; boxes of 64 rows), three
// mbarriers initialized by thread 0, Q and the first K and V blocks loaded
// before the key loop; in it, wait on K (parity of the block), S = Q K^T
// on 128-byte swizzled descriptors, P stored, barrier, the next K block
// loaded, wait on V, O += P V (64-byte swizzled MN-major V), barrier, the
// next V block loaded.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true warpgroup-mma=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-nvgpu-map-attention{tma=false}))' | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true warpgroup-mma=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-nvgpu-map-attention))' | FileCheck %s --check-prefix=TMA
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true warpgroup-mma=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-attention{emulate-warpgroup-mma}))' | FileCheck %s --check-prefix=EMULATED
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true warpgroup-mma=true}))' | FileCheck %s --check-prefix=CONFIG
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true warpgroup-mma=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-attention))' -verify-diagnostics -split-input-file -o /dev/null

// CONFIG-LABEL: func.func @f16_gqa
// CONFIG: lowering_config = #attn.lowering_config<block_q = 64, block_k = 64, split_keys = 1, qk_tile = [64, 64], pv_tile = [64, 32]

// CHECK-LABEL: func.func @f16_gqa
// CHECK: %[[C128:[a-z0-9_]+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks
// CHECK-SAME: threads(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C128]],
// CHECK-SAME: workgroup(%[[QS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>, %[[KS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>, %[[VS:[a-z0-9_]+]] : memref<2048xf16, #gpu.address_space<workgroup>>, %[[PS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>)
// CHECK: vector.load {{.*}} {alignment = 16 : i64} : memref<1x1x?x64xf16, {{.*}}>, vector<8xf16>
// CHECK: vector.store {{.*}}, %[[QS]][{{.*}}] {alignment = 16 : i64}
// CHECK: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: vector.store {{.*}}, %[[KS]]
// CHECK: vector.store {{.*}}, %[[VS]]
// CHECK: nvvm.fence.proxy
// CHECK-NEXT: gpu.barrier
// CHECK: memref.extract_aligned_pointer_as_index %[[QS]]
// CHECK: memref.extract_aligned_pointer_as_index %[[KS]]
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-NEXT: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK-COUNT-3: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: gpu.shuffle  xor
// CHECK: vector.store {{.*}}, %[[PS]][{{.*}}] {alignment = 4 : i64} : memref<4096xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// CHECK: nvvm.fence.proxy
// CHECK-NEXT: gpu.barrier
// CHECK: memref.extract_aligned_pointer_as_index %[[PS]]
// CHECK: memref.extract_aligned_pointer_as_index %[[VS]]
// CHECK: nvvm.wgmma.fence.aligned
// CHECK-COUNT-4: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 32, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <row>]
// CHECK-NEXT: nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// CHECK: scf.yield
// CHECK: gpu.shuffle  xor
// CHECK: scf.if
// CHECK: memref.store

// TMA-LABEL: func.func @f16_gqa
// TMA-SAME: (%[[Q:[a-z0-9_]+]]: memref<1x4x100x64xf16>, %[[K:[a-z0-9_]+]]: memref<1x2x77x64xf16>, %[[V:[a-z0-9_]+]]: memref<1x2x77x32xf16>)
// TMA: %[[QU:.+]] = memref.cast %[[Q]] : memref<1x4x100x64xf16> to memref<*xf16>
// TMA: %[[QMAP:.+]] = nvgpu.tma.create.descriptor %[[QU]] box[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] : memref<*xf16> -> <tensor = memref<1x1x64x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b, l2promo = l2promo_128b, oob = zero, interleave = none>
// TMA: %[[KU:.+]] = memref.cast %[[K]]
// TMA: %[[KMAP:.+]] = nvgpu.tma.create.descriptor %[[KU]] {{.*}} -> <tensor = memref<1x1x64x64xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_128b
// TMA: %[[VU:.+]] = memref.cast %[[V]]
// TMA: %[[VMAP:.+]] = nvgpu.tma.create.descriptor %[[VU]] {{.*}} -> <tensor = memref<1x1x64x32xf16, #gpu.address_space<workgroup>>, swizzle = swizzle_64b
// TMA: gpu.launch
// TMA-SAME: workgroup(%[[QS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>, %[[KS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>, %[[VS:[a-z0-9_]+]] : memref<2048xf16, #gpu.address_space<workgroup>>, %[[PS:[a-z0-9_]+]] : memref<4096xf16, #gpu.address_space<workgroup>>)
// TMA: %[[BARS:.+]] = nvgpu.mbarrier.create -> <memorySpace = #gpu.address_space<workgroup>, num_barriers = 3>
// TMA: nvgpu.mbarrier.init %[[BARS]][%{{.+}}], %{{.+}}
// TMA: nvvm.fence.mbarrier.init
// TMA: nvgpu.tma.prefetch.descriptor %[[QMAP]]
// TMA: gpu.barrier
// TMA: nvgpu.mbarrier.arrive.expect_tx %[[BARS]][%{{.+}}], %c8192
// TMA: %[[QBOX:.+]] = memref.reinterpret_cast %[[QS]] to offset: [0], sizes: [1, 1, 64, 64]
// TMA: nvgpu.tma.async.load %[[QMAP]][%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}], %[[BARS]][%{{.+}}] to %[[QBOX]]
// TMA: nvgpu.tma.async.load %[[KMAP]]{{.*}} to %{{.+}} :
// TMA: nvgpu.tma.async.load %[[VMAP]]{{.*}} to %{{.+}} :
// TMA: nvgpu.mbarrier.try_wait.parity %[[BARS]][%{{.+}}], %false
// TMA: scf.for
// TMA-NOT: vector.store {{.*}}, %[[KS]]
// TMA: nvgpu.mbarrier.try_wait.parity %[[BARS]]
// TMA: memref.extract_aligned_pointer_as_index %[[QS]]
// TMA: memref.extract_aligned_pointer_as_index %[[KS]]
// TMA: nvvm.wgmma.fence.aligned
// TMA-COUNT-4: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 64, k = 16>
// TMA: vector.store {{.*}}, %[[PS]]
// TMA: nvvm.fence.proxy
// TMA-NEXT: gpu.barrier
// TMA: nvgpu.tma.async.load %[[KMAP]]{{.*}} to %{{.+}} :
// TMA: nvgpu.mbarrier.try_wait.parity %[[BARS]]
// TMA: memref.extract_aligned_pointer_as_index %[[PS]]
// TMA: memref.extract_aligned_pointer_as_index %[[VS]]
// TMA-COUNT-4: nvvm.wgmma.mma_async {{.*}}, <m = 64, n = 32, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <row>]
// TMA: gpu.barrier
// TMA: nvgpu.tma.async.load %[[VMAP]]{{.*}} to %{{.+}} :
// TMA: scf.yield

// EMULATED-LABEL: func.func @f16_gqa
// EMULATED: gpu.launch
// EMULATED-SAME: memref<4096xf16, #gpu.address_space<workgroup>>, %{{[a-z0-9_]+}} : memref<4096xf16, #gpu.address_space<workgroup>>, %{{[a-z0-9_]+}} : memref<2048xf16, #gpu.address_space<workgroup>>, %{{[a-z0-9_]+}} : memref<4096xf16, #gpu.address_space<workgroup>>
// EMULATED-NOT: nvvm.
// EMULATED-NOT: nvgpu.
// EMULATED: math.fma
func.func @f16_gqa(%q: tensor<1x4x100x64xf16>, %k: tensor<1x2x77x64xf16>,
                   %v: tensor<1x2x77x32xf16>) -> tensor<1x4x100x32xf16> {
  // expected-error @+1 {{warpgroup (wgmma) configs need a target with warpgroup products}}
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x100x64xf16>, tensor<1x2x77x64xf16>, tensor<1x2x77x32xf16>
      -> tensor<1x4x100x32xf16>
  return %o : tensor<1x4x100x32xf16>
}
