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
// A pass named in --mlir-print-ir-after (every pass is registered).
// RUN: attn-run %s --input=@%t/a.npy --mlir-print-ir-after=attn-insert-shape-checks 2>&1 | FileCheck %s --check-prefix=NAMED
// NAMED: IR Dump After AttnInsertShapeChecksPass (attn-insert-shape-checks)

// A progress line for compiles and reference evaluations that take long
// (shown after 1.5 s on a terminal; ATTN_PROGRESS=<ms> forces the delay).
// RUN: env ATTN_PROGRESS=0 attn-run %s --input=@%t/a.npy 2>&1 >/dev/null | FileCheck %s --check-prefix=PROGRESS
// PROGRESS: attn-run: compiling {{.+}}tool-conventions.mlir...
// PROGRESS-NEXT: attn-run: compiling {{.+}}tool-conventions.mlir took {{[0-9]+\.[0-9]}} s
// RUN: env ATTN_PROGRESS=0 attn-run %s --backend=reference --input=@%t/a.npy 2>&1 >/dev/null | FileCheck %s --check-prefix=PROGREF
// PROGREF: attn-run: evaluating @main with the reference evaluator...
// PROGREF-NEXT: attn-run: evaluating @main with the reference evaluator took {{[0-9]+\.[0-9]}} s
// Without a terminal and without ATTN_PROGRESS, quick or not, nothing.
// RUN: env -u ATTN_PROGRESS attn-run %s --input=@%t/a.npy 2>&1 >/dev/null | count 0
// RUN: env ATTN_PROGRESS=0 attn-compile %s --emit=mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=PROGC
// PROGC: attn-compile: compiling {{.+}}tool-conventions.mlir...

// RUN: attn-run --help | FileCheck %s --check-prefix=HELP
// HELP: --mlir-print-ir-after-all
// HELP: --mlir-timing
// Every flag of the tool says its default.
// HELP: --backend=<name> {{.+}}(JIT-compiled code; the default)
// HELP: --benchmark=<N> {{.+}}(default: 0, no timing)
// HELP: --block-k=<long> {{.+}}(default: 0 = automatic)
// HELP: --block-q=<long> {{.+}}(default: 0 = automatic)
// HELP: --cpu=<name> {{.+}}native (the default)
// HELP: --dcmha-block-q=<long> {{.+}}(default: 0 = automatic)
// HELP: --decompose-all {{.+}}default: off)
// HELP: --function=<name> {{.+}}(default: main)
// HELP: --gather-block-q=<long> {{.+}}(default: 0 = automatic)
// HELP: --num-threads=<long> {{.+}}(default: 0 = OpenMP's default)
// HELP: --split-keys=<long> {{.+}}the default)
// RUN: attn-compile --help | FileCheck %s --check-prefix=HELPC
// HELPC: --bundle-runtime {{.+}}(default: true
// HELPC: --cpu=<name> {{.+}}the default)
// HELPC: --emit=<kind> {{.+}}so (shared library + header; default)
// HELPC: -o <file> {{.+}}(default: stdout for text kinds)
// HELPC: --target=<target> {{.+}}cpu (the default

func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %r = linalg.add ins(%a, %a : tensor<2x3xf32>, tensor<2x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// Unknown flags are errors in the tools' style.
// RUN: not attn-run %s --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// RUN: not attn-compile %s --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// BOGUS: error: Unknown command line argument '--bogus'.
