// Conventions every tool shares: --version names the project, its version
// and commit; attn-run and attn-compile take MLIR's --mlir-timing and IR
// printing flags (and list them in --help).

// RUN: attn-opt --version | FileCheck %s --check-prefix=VERSION
// RUN: attn-run --version | FileCheck %s --check-prefix=VERSION
// RUN: attn-compile --version | FileCheck %s --check-prefix=VERSION
// VERSION: attn-mlir {{[0-9]+\.[0-9]+\.[0-9]+}} (commit {{[0-9a-f]+\+?|unknown}})
// VERSION-NEXT: built with LLVM/MLIR 22

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2x3 float32 --seed 1
// RUN: attn-run %s --input=@%t/a.npy --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: attn-compile %s --emit=mlir -o %t/out.mlir --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// TIMING: Execution time report
// TIMING: Total Execution Time

// RUN: attn-run %s --input=@%t/a.npy --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PRINT
// PRINT: IR Dump After AttnInsertShapeChecksPass

// RUN: attn-run --help | FileCheck %s --check-prefix=HELP
// HELP: --mlir-print-ir-after-all
// HELP: --mlir-timing

func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// Unknown flags are errors in the tools' style.
// RUN: not attn-run %s --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// RUN: not attn-compile %s --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// BOGUS: error: Unknown command line argument '--bogus'.
