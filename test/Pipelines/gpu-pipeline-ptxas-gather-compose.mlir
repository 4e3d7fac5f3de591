// --attn-gpu-pipeline to PTX for the sampling ops, compose and DCMHA (NVVM leaf),
// assembled by CUDA's ptxas for sm_80 and sm_90: no spills, the staged
// corners / key weights in shared memory (docs/gpu.md has the numbers).
// REQUIRES: ptxas
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_80" -o %t/sm80.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm80.mlir %t/sm80 | FileCheck %s --check-prefix=OBJECTS
// RUN: FileCheck %s --check-prefix=PTX < %t/sm80/msda_detr_decoder_kernel.ptx
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/msda_detr_decoder_kernel.ptx -o %t/a.cubin 2>&1 | FileCheck %s --check-prefix=MSDA
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/sample_f16_border_kernel.ptx -o %t/b.cubin 2>&1 | FileCheck %s --check-prefix=SAMPLE
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/compose_dcformer_kernel.ptx -o %t/c.cubin 2>&1 | FileCheck %s --check-prefix=COMPOSE
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_80 -v %t/sm80/dcmha_dcformer_pp_kernel.ptx -o %t/g.cubin 2>&1 | FileCheck %s --check-prefix=DCMHA
// RUN: attn-opt %s --attn-gpu-pipeline="target=nvvm chip=sm_90" -o %t/sm90.mlir
// RUN: %PYTHON %attn_src_root/utils/gpu_objects.py %t/sm90.mlir %t/sm90
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/msda_detr_decoder_kernel.ptx -o %t/d.cubin 2>&1 | FileCheck %s --check-prefix=MSDA
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/sample_f16_border_kernel.ptx -o %t/e.cubin 2>&1 | FileCheck %s --check-prefix=SAMPLE
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/compose_dcformer_kernel.ptx -o %t/f.cubin 2>&1 | FileCheck %s --check-prefix=COMPOSE
// RUN: /usr/local/cuda/bin/ptxas -arch=sm_90 -v %t/sm90/dcmha_dcformer_pp_kernel.ptx -o %t/h.cubin 2>&1 | FileCheck %s --check-prefix=DCMHA

// OBJECTS: msda_detr_decoder_kernel.ptx
// OBJECTS: sample_f16_border_kernel.ptx
// OBJECTS: compose_dcformer_kernel.ptx
// OBJECTS: dcmha_dcformer_pp_kernel.ptx
// PTX: .target sm_80
// PTX: .entry msda_detr_decoder_kernel(
// PTX: .shared .align {{[0-9]+}} .b8
// PTX: bar.sync
// PTX: fma.rn.f32
// 8 queries x 8 heads x (4 corners x 4 levels x 4 points + 1) x (i32 + f32).
// MSDA: 0 bytes spill stores, 0 bytes spill loads
// MSDA: used 1 barriers, 33280 bytes smem
// SAMPLE: 0 bytes spill stores, 0 bytes spill loads
// SAMPLE: used 1 barriers, 320 bytes smem
// kw1, kw2 (2 x 16 rows) and kdd (16 rows) of 33 floats.
// COMPOSE: 0 bytes spill stores, 0 bytes spill loads
// COMPOSE: used 1 barriers, 10560 bytes smem
// 8 x 16 accumulators in registers, no shared memory, no barrier.
// DCMHA: 0 bytes spill stores, 0 bytes spill loads
// DCMHA: used 0 barriers
// DCMHA-NOT: smem

// Deformable DETR's decoder: 300 queries, 8 heads of 32 channels, 4 levels
// of 4 points.
func.func @msda_detr_decoder(%v: tensor<2x19947x8x32xf32>, %loc: tensor<2x300x8x4x4x2xf32>,
                             %w: tensor<2x300x8x4x4xf32>) -> tensor<2x300x256xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 100, 150, 50, 75, 25, 38, 13, 19>}
    : tensor<2x19947x8x32xf32>, tensor<2x300x8x4x4x2xf32>, tensor<2x300x8x4x4xf32> -> tensor<2x300x256xf32>
  return %o : tensor<2x300x256xf32>
}

// DAT's sampling of keys and values: f16, border padding, align_corners.
func.func @sample_f16_border(%x: tensor<2x14x14x32xf16>, %grid: tensor<2x7x7x2xf16>) -> tensor<2x7x7x32xf16> {
  %s = attn.deformable_sample %x, %grid {align_corners = true, padding_mode = #attn<padding_mode border>}
      : tensor<2x14x14x32xf16>, tensor<2x7x7x2xf16> -> tensor<2x7x7x32xf16>
  return %s : tensor<2x7x7x32xf16>
}

// DCFormer's composition with every group: 16 heads, ranks 2.
func.func @compose_dcformer(%s: tensor<1x16x512x512xf32>, %W: tensor<16x16xf32>,
                            %qw1: tensor<1x512x2x16xf32>, %qw2: tensor<1x512x2x16xf32>,
                            %kw1: tensor<1x512x2x16xf32>, %kw2: tensor<1x512x2x16xf32>,
                            %qdd: tensor<1x512x16xf32>, %kdd: tensor<1x512x16xf32>) -> tensor<1x16x512x512xf32> {
  %c = attn.compose %s static(%W) query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)
    : tensor<1x16x512x512xf32>, tensor<16x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>,
      tensor<1x512x2x16xf32>, tensor<1x512x2x16xf32>, tensor<1x512x16xf32>, tensor<1x512x16xf32>
    -> tensor<1x16x512x512xf32>
  return %c : tensor<1x16x512x512xf32>
}

// DCFormer++'s DCMHA (the four dynamic groups before and after the
// softmax): 8 heads of Dv = 16 (128 accumulators per thread, the most the
// mapping takes), ranks 2, causal.
func.func @dcmha_dcformer_pp(%q: tensor<1x8x256x16xf32>,
                          %qw1: tensor<1x256x2x8xf32>, %qw2: tensor<1x256x2x8xf32>,
                          %kw1: tensor<1x256x2x8xf32>, %kw2: tensor<1x256x2x8xf32>,
                          %qdd: tensor<1x256x8xf32>, %kdd: tensor<1x256x8xf32>) -> tensor<1x8x256x16xf32> {
  %o = attn.dcmha %q, %q, %q
      pre(query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd))
      post(query_weights(%qw1, %qw2) key_weights(%kw1, %kw2) query_gate(%qdd) key_gate(%kdd)) {causal}
    : tensor<1x8x256x16xf32>, tensor<1x8x256x16xf32>, tensor<1x8x256x16xf32>,
      tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x8xf32>, tensor<1x256x8xf32>,
      tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x2x8xf32>, tensor<1x256x8xf32>, tensor<1x256x8xf32>
    -> tensor<1x8x256x16xf32>
  return %o : tensor<1x8x256x16xf32>
}
