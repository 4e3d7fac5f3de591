// The tensor-core mapping on NVVM: warps of 16 query rows (128 threads for
// 64 rows), Q fragments by ldmatrix x4, K by ldmatrix x2, V by ldmatrix x2
// transposed, 16x8x16 mma.sync products, quad reductions by shuffles.
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-nvgpu-map-attention))' | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(func.func(attn-gpu-select-lowering-config{tensor-cores=true},attn-convert-to-online,attn-tile),canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(attn-lower-strided-copies,attn-gpu-map-attention))' | FileCheck %s --check-prefix=EMULATED

// CHECK-LABEL: func.func @f16_gqa
// CHECK: %[[C128:[a-z0-9_]+]] = arith.constant 128 : index
// CHECK: gpu.launch blocks
// CHECK-SAME: threads(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) in (%{{[a-z0-9_]+}} = %[[C128]],
// CHECK-SAME: workgroup(%[[QS:[a-z0-9_]+]] : memref<64x72xf16, #gpu.address_space<workgroup>>, %[[KS:[a-z0-9_]+]] : memref<32x72xf16, #gpu.address_space<workgroup>>, %[[VS:[a-z0-9_]+]] : memref<32x40xf16, #gpu.address_space<workgroup>>)
// CHECK: nvgpu.ldmatrix %[[QS]]{{.*}}{numTiles = 4 : i32, transpose = false} : memref<64x72xf16, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: nvgpu.ldmatrix %[[KS]]{{.*}}{numTiles = 2 : i32, transpose = false}
// CHECK: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK: gpu.shuffle  xor
// CHECK: nvgpu.ldmatrix %[[VS]]{{.*}}{numTiles = 2 : i32, transpose = true}
// CHECK: nvgpu.mma.sync
// CHECK: scf.yield
// CHECK: gpu.shuffle  xor
// CHECK: scf.if
// CHECK: memref.store
// The emulation: no nvgpu ops, workgroup scratch for the warp products.
// EMULATED-LABEL: func.func @f16_gqa
// EMULATED: gpu.launch
// EMULATED-SAME: memref<4x16x16xf32, #gpu.address_space<workgroup>>, %{{[a-z0-9_]+}} : memref<4x16x8xf32, #gpu.address_space<workgroup>>, %{{[a-z0-9_]+}} : memref<128xf32, #gpu.address_space<workgroup>>)
// EMULATED-NOT: nvgpu.
// EMULATED: gpu.barrier
func.func @f16_gqa(%q: tensor<1x4x100x64xf16>, %k: tensor<1x2x77x64xf16>,
                   %v: tensor<1x2x77x32xf16>) -> tensor<1x4x100x32xf16> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x100x64xf16>, tensor<1x2x77x64xf16>, tensor<1x2x77x32xf16>
      -> tensor<1x4x100x32xf16>
  return %o : tensor<1x4x100x32xf16>
}
