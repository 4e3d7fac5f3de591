// attn-compile's bad input: clear errors naming the flag or file, non-zero
// exit, and no output file left behind.

// RUN: rm -rf %t && mkdir -p %t

// RUN: not attn-compile %s --target=cuda -o %t/m.so 2>&1 | FileCheck %s --check-prefix=CUDA
// CUDA: error: --target=cuda emits mlir and asm (PTX) only

// RUN: not attn-compile %s --emit=ptx -o %t/m.ptx 2>&1 | FileCheck %s --check-prefix=PTX
// PTX: error: --emit=ptx needs --target=cuda

// RUN: not attn-compile %s --emit=exe -o %t/m 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: error: invalid --emit='exe': expected mlir, llvm, asm, obj, so, or ptx with --target=cuda

// RUN: not attn-compile %s --target=tpu -o %t/m.so 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: invalid --target='tpu': expected cpu, opencl or cuda

// RUN: not attn-compile %s 2>&1 | FileCheck %s --check-prefix=STDOUT
// STDOUT: error: --emit=so writes a binary file: give its name with -o <file>

// RUN: not attn-compile %s --cpu=pentium9000 -o %t/m.so 2>&1 | FileCheck %s --check-prefix=CPU
// CPU-NOT: not a recognized processor
// CPU: error: invalid --cpu='pentium9000': unknown CPU 'pentium9000'

// RUN: not attn-compile %s --num-threads=-3 -o %t/m.so 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: invalid --num-threads=-3

// RUN: not attn-compile %t/missing.mlir -o %t/m.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: '{{.*}}missing.mlir': cannot read MLIR file: No such file or directory

// RUN: not attn-compile %S/Inputs/invalid-ir.mlir -o %t/m.so 2>&1 | FileCheck %s --check-prefix=BADIR
// BADIR: invalid-ir.mlir:2:19: error: use of value '%a' expects different type than prior uses

// RUN: not attn-compile %s -o %t/no/such/dir/m.so 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: error: '{{.*}}m.so': cannot write output: No such file or directory

// RUN: not attn-compile %s -o %t 2>&1 | FileCheck %s --check-prefix=ISDIR
// ISDIR: error: '{{.*}}': cannot write output: is a directory

// RUN: not attn-compile %s --emit=llvm -o %t/no/such/dir/m.ll 2>&1 | FileCheck %s --check-prefix=NODIR-LL
// NODIR-LL: error: '{{.*}}m.ll': cannot write output

// Nothing was written by the failures above.
// RUN: ls %t | count 0

func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>)
                    outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}
