// attn-run on attn.attention / attn.sliding_window_attention, checked against
// a float64 numpy reference; --benchmark reports the FLOP count of
// docs/Spec.md's visible (query, key) pairs.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x4x16x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 1x2x24x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x2x24x8 float32 --seed 3
// RUN: %PYTHON %S/Inputs/npytool.py make %t/m.npy 1x1x16x24 bool --fill bool --seed 4

// RUN: attn-run %s --function=attention_causal_gqa --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/causal.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/causal.npy "attention(q, k, v, causal=True)" q=%t/q.npy k=%t/k.npy v=%t/v.npy --shape 1x4x16x8 | FileCheck %s --check-prefix=CAUSAL
// CAUSAL: OK causal.npy shape=1x4x16x8

// RUN: attn-run %s --function=attention_mask_scale --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/m.npy --output=@%t/mask.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/mask.npy "attention(q, k, v, mask=m, scale=0.25)" q=%t/q.npy k=%t/k.npy v=%t/v.npy m=%t/m.npy | FileCheck %s --check-prefix=MASK
// MASK: OK mask.npy shape=1x4x16x8

// RUN: attn-run %s --function=sliding_window --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/window.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/window.npy "attention(q, k, v, window=(4, 0))" q=%t/q.npy k=%t/k.npy v=%t/v.npy | FileCheck %s --check-prefix=WINDOW
// WINDOW: OK window.npy shape=1x4x16x8

// Causal, Lq = 16, Lk = 24: query i sees keys j <= i + 8, i.e. 9..24 keys,
// 264 pairs; FLOPs = 264 * 2 * (8 + 8) * B=1 * Hq=4 = 33792.
// RUN: attn-run %s --function=attention_causal_gqa --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --benchmark=2 | FileCheck %s --check-prefix=FLOPS
// FLOPS: GFLOP/s {{[0-9.]+}} (at the median; 33792 FLOP per call)

// Window (4, 0): each query sees 5 keys (i + 8 >= 4 for every i): 80 pairs;
// 80 * 2 * 16 * 4 = 10240.
// RUN: attn-run %s --function=sliding_window --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --benchmark=1 | FileCheck %s --check-prefix=WFLOPS
// WFLOPS: GFLOP/s {{[0-9.]+}} (at the median; 10240 FLOP per call)

func.func @attention_causal_gqa(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x24x8xf32>,
                                %v: tensor<1x2x24x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = attn.attention %q, %k, %v {causal}
      : tensor<1x4x16x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

func.func @attention_mask_scale(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x24x8xf32>,
                                %v: tensor<1x2x24x8xf32>, %m: tensor<1x1x16x24xi1>)
    -> tensor<1x4x16x8xf32> {
  %o = attn.attention %q, %k, %v mask %m {scale = 0.25 : f32}
      : tensor<1x4x16x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32>, tensor<1x1x16x24xi1>
      -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}

func.func @sliding_window(%q: tensor<1x4x16x8xf32>, %k: tensor<1x2x24x8xf32>,
                          %v: tensor<1x2x24x8xf32>) -> tensor<1x4x16x8xf32> {
  %o = attn.sliding_window_attention %q, %k, %v {window = array<i64: 4, 0>}
      : tensor<1x4x16x8xf32>, tensor<1x2x24x8xf32>, tensor<1x2x24x8xf32> -> tensor<1x4x16x8xf32>
  return %o : tensor<1x4x16x8xf32>
}
