// --benchmark=N: one warm-up, N timed calls; min/median/max in ms and
// GFLOP/s where the FLOP count is known (2*M*N*K for a static matmul).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 16x32 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/b.npy 32x8 float32 --seed 2
// RUN: attn-run %s --input=@%t/a.npy --input=@%t/b.npy --output=@%t/c.npy --benchmark=3 | FileCheck %s
// RUN: %PYTHON %S/Inputs/npytool.py check %t/c.npy "a @ b" a=%t/a.npy b=%t/b.npy

// CHECK:      benchmark @main: 3 runs after 1 warm-up
// CHECK-NEXT:   min     {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   median  {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   max     {{[0-9]+\.[0-9]+}} ms
// CHECK-NEXT:   GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 8192 FLOP per call)

// Without a FLOP count (elementwise only), no GFLOP/s line.
// RUN: attn-run %s --function=scale --input=@%t/a.npy --benchmark=1 | FileCheck %s --check-prefix=NOFLOPS
// NOFLOPS:     result #0: tensor<16x32xf32>
// NOFLOPS:     benchmark @scale: 1 run after 1 warm-up
// NOFLOPS:     max
// NOFLOPS-NOT: GFLOP/s

// Dynamic sizes: the count is taken at the inputs' shapes (B = 2, H = 2,
// Lq = 3, Lk = 5, D = Dv = 16: 2 * 32 * 15 * 4 = 3840).
// RUN: %PYTHON %S/Inputs/npytool.py make %t/dq.npy 2x2x3x16 float32 --seed 10
// RUN: %PYTHON %S/Inputs/npytool.py make %t/dk.npy 2x2x5x16 float32 --seed 11
// RUN: attn-run %s --function=dynamic --input=@%t/dq.npy --input=@%t/dk.npy --input=@%t/dk.npy --benchmark=1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 3840 FLOP per call)

// The sampling ops: 10 FLOP per sample and channel with attention weights
// (ms_deform_attn: 1*3*2*2*2 samples * 8 channels * 10 = 1920), 8 without
// (deformable_sample: 1*2*3 samples * 8 channels * 8 = 384).
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x30x2x8 float32 --seed 3
// RUN: %PYTHON %S/Inputs/npytool.py make %t/loc.npy 1x3x2x2x2x2 float32 --seed 4
// RUN: %PYTHON %S/Inputs/npytool.py make %t/w.npy 1x3x2x2x2 float32 --seed 5
// RUN: attn-run %s --function=msda --input=@%t/v.npy --input=@%t/loc.npy --input=@%t/w.npy --benchmark=1 | FileCheck %s --check-prefix=MSDA
// MSDA: GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 1920 FLOP per call)
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 1x4x5x8 float32 --seed 6
// RUN: %PYTHON %S/Inputs/npytool.py make %t/g.npy 1x2x3x2 float32 --seed 7
// RUN: attn-run %s --function=sample --input=@%t/x.npy --input=@%t/g.npy --benchmark=1 | FileCheck %s --check-prefix=SAMPLE
// SAMPLE: GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 384 FLOP per call)

// attn.dcmha: attention's 2 (D + Dv) per visible pair (causal 4x4: 10 pairs,
// * 32 * H = 2: 640) plus both compositions per visible pair (query gate
// 2 H = 4, key weights of rank 1 4 H = 8: 120); compose: static weights
// 2 H^2 = 8 per (t, s), 3 * 5 positions: 120.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x2x4x8 float32 --seed 8
// RUN: %PYTHON %S/Inputs/npytool.py make %t/qg.npy 1x4x2 float32 --seed 9
// RUN: %PYTHON %S/Inputs/npytool.py make %t/kw.npy 1x4x1x2 float32 --seed 10
// RUN: attn-run %s --function=dcmha --input=@%t/q.npy --input=@%t/qg.npy --input=@%t/kw.npy --benchmark=1 | FileCheck %s --check-prefix=DCMHA
// DCMHA: GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 760 FLOP per call)
// RUN: %PYTHON %S/Inputs/npytool.py make %t/s.npy 1x2x3x5 float32 --seed 11
// RUN: %PYTHON %S/Inputs/npytool.py make %t/sw.npy 2x2 float32 --seed 12
// RUN: attn-run %s --function=compose --input=@%t/s.npy --input=@%t/sw.npy --benchmark=1 | FileCheck %s --check-prefix=COMPOSE
// COMPOSE: GFLOP/s {{[0-9]+\.[0-9]+}} (at the median; 120 FLOP per call)

func.func @main(%a: tensor<16x32xf32>, %b: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<16x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<16x8xf32>) -> tensor<16x8xf32>
  %c = linalg.matmul ins(%a, %b : tensor<16x32xf32>, tensor<32x8xf32>)
                     outs(%acc : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %c : tensor<16x8xf32>
}

func.func @scale(%a: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %init = tensor.empty() : tensor<16x32xf32>
  %r = linalg.mul ins(%a, %a : tensor<16x32xf32>, tensor<16x32xf32>)
                  outs(%init : tensor<16x32xf32>) -> tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

func.func @msda(%v: tensor<1x30x2x8xf32>, %loc: tensor<1x3x2x2x2x2xf32>, %w: tensor<1x3x2x2x2xf32>) -> tensor<1x3x16xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 4, 6, 2, 3>}
    : tensor<1x30x2x8xf32>, tensor<1x3x2x2x2x2xf32>, tensor<1x3x2x2x2xf32> -> tensor<1x3x16xf32>
  return %o : tensor<1x3x16xf32>
}

func.func @sample(%x: tensor<1x4x5x8xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x2x3x8xf32> {
  %s = attn.deformable_sample %x, %g : tensor<1x4x5x8xf32>, tensor<1x2x3x2xf32> -> tensor<1x2x3x8xf32>
  return %s : tensor<1x2x3x8xf32>
}

func.func @dcmha(%q: tensor<1x2x4x8xf32>, %qg: tensor<1x4x2xf32>, %kw: tensor<1x4x1x2xf32>) -> tensor<1x2x4x8xf32> {
  %o = attn.dcmha %q, %q, %q pre(query_gate(%qg)) post(key_weights(%kw, %kw)) {causal}
    : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x2xf32>, tensor<1x4x1x2xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

func.func @compose(%s: tensor<1x2x3x5xf32>, %w: tensor<2x2xf32>) -> tensor<1x2x3x5xf32> {
  %c = attn.compose %s static(%w) : tensor<1x2x3x5xf32>, tensor<2x2xf32> -> tensor<1x2x3x5xf32>
  return %c : tensor<1x2x3x5xf32>
}

func.func @dynamic(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x16xf32>) -> tensor<?x2x?x16xf32> {
  %o = attn.attention %q, %k, %v : tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32> -> tensor<?x2x?x16xf32>
  return %o : tensor<?x2x?x16xf32>
}
