// Without a GPU, attn-run --backend=cuda stops with the CUDA runtime's reason
// after compiling (the kernel's PTX is built; only the run needs a device).
// REQUIRES: cuda-backend
// UNSUPPORTED: gpu
// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x1x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/k.npy 1x1x4x8 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x1x4x8 float32 --seed 3
// RUN: not attn-run %s --backend=cuda --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy 2>&1 | FileCheck %s
// RUN: not attn-run %s --target=cuda --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy 2>&1 | FileCheck %s
// CHECK: error: the cuda backend (--backend or --target=cuda) has no device to run on:

func.func @main(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>,
                %v: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>
      -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
