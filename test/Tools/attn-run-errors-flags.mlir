// Bad flag values are errors naming the flag, before anything is read or
// compiled.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2x3 float32

// RUN: not attn-run %s --input=%t/a.npy 2>&1 | FileCheck %s --check-prefix=INPUT
// INPUT: error: invalid --input='{{.*}}a.npy': expected '@<file>.npy' or 'bf16:@<file>.npy'

// RUN: not attn-run %s --input=f16:@%t/a.npy 2>&1 | FileCheck %s --check-prefix=PREFIX
// PREFIX: error: invalid --input='f16:@{{.*}}a.npy': expected '@<file>.npy' or 'bf16:@<file>.npy'

// RUN: not attn-run %s --input=@%t/a.npy --output=%t/o.npy 2>&1 | FileCheck %s --check-prefix=OUTPUT
// OUTPUT: error: invalid --output='{{.*}}o.npy': expected '@<file>.npy'

// RUN: not attn-run %s --input=@%t/a.npy --output=@%t/no/such/dir/o.npy 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: error: cannot write output '{{.*}}o.npy': directory '{{.*}}dir' does not exist

// RUN: not attn-run %s --input=@%t/a.npy --output=@%t 2>&1 | FileCheck %s --check-prefix=ISDIR
// ISDIR: error: cannot write output '{{.*}}': is a directory

// RUN: not attn-run %s --input=@%t/a.npy --backend=gpu 2>&1 | FileCheck %s --check-prefix=BACKEND
// BACKEND: error: invalid --backend='gpu': expected cpu, opencl, cuda or reference

// RUN: not attn-run %s --input=@%t/a.npy --cpu=pentium9000 2>&1 | FileCheck %s --check-prefix=CPU
// CPU-NOT: not a recognized processor
// CPU: error: invalid --cpu='pentium9000': unknown CPU 'pentium9000' for target '{{.*}}': expected 'native' or an LLVM CPU name

// RUN: not attn-run %s --input=@%t/a.npy --num-threads=-1 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: invalid --num-threads=-1: expected 0 (OpenMP default) or a number of threads up to 1024

// RUN: not attn-run %s --input=@%t/a.npy --block-q=-8 2>&1 | FileCheck %s --check-prefix=BLOCKQ
// BLOCKQ: error: invalid --block-q=-8: expected 0 (automatic) or a number of rows up to 4096

// RUN: not attn-run %s --input=@%t/a.npy --block-k=-8 2>&1 | FileCheck %s --check-prefix=BLOCKK
// BLOCKK: error: invalid --block-k=-8: expected 0 (automatic) or a number of keys up to 4096

// Sizes too large to be meant (they used to hang, exhaust memory or abort in
// OpenMP) are rejected up front.
// RUN: not attn-run %s --input=@%t/a.npy --block-q=2147483648 2>&1 | FileCheck %s --check-prefix=HUGEQ
// HUGEQ: error: invalid --block-q=2147483648: expected 0 (automatic) or a number of rows up to 4096
// RUN: not attn-run %s --input=@%t/a.npy --block-k=16777216 2>&1 | FileCheck %s --check-prefix=HUGEK
// HUGEK: error: invalid --block-k=16777216: expected 0 (automatic) or a number of keys up to 4096
// RUN: not attn-run %s --input=@%t/a.npy --num-threads=100000 2>&1 | FileCheck %s --check-prefix=HUGET
// HUGET: error: invalid --num-threads=100000: expected 0 (OpenMP default) or a number of threads up to 1024
// RUN: not attn-run %s --input=@%t/a.npy --split-keys=5000 2>&1 | FileCheck %s --check-prefix=HUGES
// HUGES: error: invalid --split-keys=5000: expected 0 (automatic), 1 (never) or a number of key splits up to 4096
// RUN: not attn-run %s --input=@%t/a.npy --gather-block-q=-1 2>&1 | FileCheck %s --check-prefix=GATHER
// GATHER: error: invalid --gather-block-q=-1: expected 0 (automatic) or a number of queries up to 1048576
// RUN: not attn-run %s --input=@%t/a.npy --dcmha-block-q=4096 2>&1 | FileCheck %s --check-prefix=DCMHABQ
// DCMHABQ: error: invalid --dcmha-block-q=4096: expected 0 (automatic) or a number of rows up to 256

// RUN: not attn-run %s --input=@%t/a.npy --benchmark=many 2>&1 | FileCheck %s --check-prefix=BENCH
// BENCH: for the --benchmark option: 'many' value invalid for uint argument!

// The named CPU and block sizes only steer the pipeline: the JIT still runs.
// RUN: attn-run %s --input=@%t/a.npy --cpu=x86-64-v2 --num-threads=1 --block-q=16 --block-k=32 | FileCheck %s --check-prefix=OK
// OK: result #0: tensor<2x3xf32>

func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>)
                    outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}
