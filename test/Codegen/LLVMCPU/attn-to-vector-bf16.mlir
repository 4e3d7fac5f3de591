// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=znver4" | FileCheck %s --check-prefix=DOT
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell unit=bf16_dot_emulated" | FileCheck %s --check-prefix=EMU
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell unit=f32" | FileCheck %s --check-prefix=F32
// RUN: not attn-opt %s -split-input-file --convert-attn-to-vector="target-cpu=haswell unit=bf16_dot" 2>&1 | FileCheck %s --check-prefix=NOBF16
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=sapphirerapids unit=amx" | FileCheck %s --check-prefix=AMX
// RUN: attn-opt %s -split-input-file -verify-diagnostics --convert-attn-to-vector="target-cpu=haswell unit=amx_emulated" | FileCheck %s --check-prefix=AMXEMU
// RUN: not attn-opt %s -split-input-file --convert-attn-to-vector="target-cpu=znver4 unit=amx" 2>&1 | FileCheck %s --check-prefix=NOAMX

// The bf16 pair-dot kernel (#attn.lowering_config unit = bf16_dot, chosen
// for bf16 operands on CPUs with AVX512-BF16): K^T holds pairs of the head
// dim (bf16 pairs moved as f32 bits through the same transposes), the V
// block is packed in pairs of keys (two rows interleaved by one shuffle),
// P is rounded to bf16, and both products are pair dot products with f32
// accumulation: x86vector.avx512.dot (vdpbf16ps). bf16_dot_emulated is the
// same kernel with the dot product in plain vector ops (each bf16 widened
// by a shift or a mask of its bits, two FMAs), for CPUs without
// AVX512-BF16. The numbers are checked by execution in
// test/Integration/CPU/bf16*.test.

// DOT-LABEL: func.func @pairs(
// Scratch: K^T rows of D / 2 = 32 pairs (bf16, 64 keys per panel), P in
// bf16, V in pairs of keys
// ([block_k / 2, 2 * Dv]).
// DOT-DAG:     memref.alloca() {alignment = 64 : i64} : memref<2x32x128xbf16>
// DOT-DAG:     memref.alloca() {alignment = 64 : i64} : memref<{{[0-9]+}}x128xbf16>
// DOT-DAG:     memref.alloca() {alignment = 64 : i64} : memref<64x96xbf16>
// The K rows are read as 2w bf16 and moved as w f32 of pairs.
// DOT:         vector.maskedload %{{.+}} : memref<1x2x77x64xbf16>, vector<32xi1>, vector<32xbf16> into vector<32xbf16>
// DOT:         vector.bitcast %{{.+}} : vector<32xbf16> to vector<16xf32>
// V in pairs of keys: two rows interleaved.
// DOT:         vector.shuffle %{{.+}}, %{{.+}} [0, 16, 1, 17, 2, 18
// DOT-SAME:      : vector<16xbf16>, vector<16xbf16>
// Q K^T: a Q pair broadcast to every lane, dotted with 16 pairs of K^T.
// DOT:         vector.load %{{.+}} : memref<1x2x100x64xbf16>, vector<2xbf16>
// DOT:         x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// P rounded with vcvtneps2bf16, then P V as pair dot products.
// DOT:         x86vector.avx512.cvt.packed.f32_to_bf16 %{{.+}} : vector<16xf32> -> vector<16xbf16>
// DOT:         x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// DOT:         return

// EMU-LABEL: func.func @pairs(
// EMU-NOT:     x86vector.avx512.dot
// EMU:         vector.bitcast %{{.+}} : vector<16xbf16> to vector<8xf32>
// EMU:         arith.shli %{{.+}}, %{{.+}} : vector<8xi32>
// EMU:         arith.andi %{{.+}}, %{{.+}} : vector<8xi32>
// EMU:         vector.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<8xf32>
// EMU:         arith.truncf %{{.+}} : vector<8xf32> to vector<8xbf16>
// EMU-NOT:     x86vector.avx512.dot
// EMU:         return

// The f32 unit widens the bf16 inputs instead (arith.extf) and has no
// pair buffers.
// F32-LABEL: func.func @pairs(
// F32-NOT:     xbf16>, vector<16xbf16>
// F32:         arith.extf %{{.+}} : vector<8xbf16> to vector<8xf32>
// F32-NOT:     x86vector.avx512.dot
// F32:         return

// With unit = amx the same buffers feed AMX tiles: per 32-row group, 2 x 2
// accumulator tiles of 16 x 16 f32, operand tiles of 16 x 32 bf16 (Q rows
// copied once per query block, Kt's pair rows, P's rows, V's key pairs),
// and tdpbf16ps (amx.tile_mulf) per 32-element head-dim step and 32-key
// step. amx_emulated keeps each tile in a stack buffer instead.
// AMX-LABEL: func.func @pairs(
// AMX-DAG:     memref.alloca() {alignment = 64 : i64} : memref<{{[0-9]+}}x64xbf16>
// AMX:         amx.tile_zero : !amx.tile<16x16xf32>
// AMX:         amx.tile_load %{{.+}} : memref<{{[0-9]+}}x64xbf16> into !amx.tile<16x32xbf16>
// AMX:         amx.tile_load %{{.+}} : memref<2x32x128xbf16> into !amx.tile<16x32xbf16>
// AMX:         amx.tile_mulf %{{.+}}, %{{.+}}, %{{.+}} : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
// AMX:         amx.tile_store %{{.+}} : memref<{{[0-9]+}}x128xf32>, !amx.tile<16x16xf32>
// AMX:         amx.tile_load %{{.+}} : memref<{{[0-9]+}}x48xf32> into !amx.tile<16x16xf32>
// AMX:         amx.tile_mulf
// AMX:         amx.tile_store %{{.+}} : memref<{{[0-9]+}}x48xf32>, !amx.tile<16x16xf32>
// AMX:         return
// AMXEMU-LABEL: func.func @pairs(
// AMXEMU-NOT:   amx.
// AMXEMU-DAG:   memref.alloca() {alignment = 64 : i64} : memref<16x32xbf16>
// AMXEMU-DAG:   memref.alloca() {alignment = 64 : i64} : memref<16x16xf32>
// AMXEMU-NOT:   amx.
// AMXEMU:       return
// NOAMX: error: 'attn.online_attention' op unit = amx needs AMX-BF16, which the target CPU 'znver4' does not have (amx_emulated runs the same kernel without it)

// NOBF16: error: 'attn.online_attention' op unit = bf16_dot needs AVX512-BF16, which the target CPU 'haswell' does not have (bf16_dot_emulated runs the same kernel without it)
func.func @pairs(%q: memref<1x2x100x64xbf16>, %k: memref<1x2x77x64xbf16>,
                 %v: memref<1x2x77x48xbf16>, %out: memref<1x2x100x48xbf16>,
                 %off: index) {
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x2x100x64xbf16>, memref<1x2x77x64xbf16>, memref<1x2x77x48xbf16>)
      outs(%out : memref<1x2x100x48xbf16>) {causal, scale = 0.125 : f32}
  return
}

// -----

// A unit other than f32 needs bf16 query, key and value.
func.func @pairs_need_bf16(%q: memref<1x2x16x32xf16>, %k: memref<1x2x16x32xf16>,
                           %v: memref<1x2x16x32xf16>, %out: memref<1x2x16x32xf16>,
                           %off: index) {
  // expected-error @+1 {{unit = bf16_dot_emulated needs bf16 query, key and value, found 'f16', 'f16' and 'f16'}}
  attn.online_attention ins(%q, %k, %v offset %off
      : memref<1x2x16x32xf16>, memref<1x2x16x32xf16>, memref<1x2x16x32xf16>)
      outs(%out : memref<1x2x16x32xf16>) {scale = 0.125 : f32,
       lowering_config = #attn.lowering_config<block_q = 16, block_k = 16, split_keys = 1,
         qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2],
         unit = bf16_dot_emulated>}
  return
}

// -----

// The AMX units unroll the head-dim steps: D and Dv up to 256.
func.func @amx_head_dim(%q: memref<1x1x16x320xbf16>, %out: memref<1x1x16x320xbf16>,
                        %off: index) {
  // expected-error @+1 {{unit = amx_emulated takes head dims up to 256, found D = 320 and Dv = 320}}
  attn.online_attention ins(%q, %q, %q offset %off
      : memref<1x1x16x320xbf16>, memref<1x1x16x320xbf16>, memref<1x1x16x320xbf16>)
      outs(%out : memref<1x1x16x320xbf16>) {scale = 0.125 : f32,
       lowering_config = #attn.lowering_config<block_q = 32, block_k = 32, split_keys = 1,
         qk_tile = [4, 2], pv_tile = [4, 2], partial_qk_tile = [4, 2], partial_pv_tile = [4, 2],
         unit = amx_emulated>}
  return
}
