// attn-run runs code on this machine: a --cpu whose vector features the
// host lacks is refused with the features named (the code could not be
// compiled or would trap here), instead of an LLVM abort. Sapphire Rapids
// has AVX512-FP16 and AMX, which no machine of this project lacks both of
// but the Intel ones with AMX.
// UNSUPPORTED: amx

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 1x1x4x8 float32
// RUN: not attn-run %s --input=@%t/a.npy --cpu=sapphirerapids 2>&1 | FileCheck %s
// CHECK: attn-run: error: --cpu='sapphirerapids' has {{.*}}amx-bf16{{.*}}, which this machine lacks: code compiled for it cannot run here (attn-compile builds libraries for other CPUs)

func.func @main(%q: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %o = attn.attention %q, %q, %q
      : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
