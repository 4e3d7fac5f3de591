// The sampling kernels under AddressSanitizer, on adversarial coordinates
// (NaN, +-inf, +-1e30, +-FLT_MAX, exact borders, just outside, far outside):
// the LLVM IR of attn-compile is instrumented by clang's ASan pass (which
// instruments functions with the sanitize_address attribute, added here) and
// linked into a C program that passes exactly-sized heap buffers, so any
// read or write outside them stops the run with an ASan report. The program
// also checks the numbers against a plain C double-precision version
// (Inputs/sampling-asan.c) and that samples with a non-finite coordinate add
// exactly nothing.

// REQUIRES: asan
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-compile %s -o %t/model.so
// RUN: attn-compile %s --emit=llvm -o %t/model.ll
// RUN: sed -E 's/^(define [^{]*)\{$/\1 sanitize_address {/' %t/model.ll > %t/model-asan.ll
// The kernels' loads are instrumented:
// RUN: %clang -O1 -fsanitize=address -S -emit-llvm %t/model-asan.ll -o - | FileCheck %s --check-prefix=INSTR
// INSTR: call void @__asan_report_load
// RUN: %clang -O1 -g -fsanitize=address -I%t %S/Inputs/sampling-asan.c %t/model-asan.ll \
// RUN:   -L%llvm_lib_dir -lomp -Wl,-rpath,%llvm_lib_dir -lm -o %t/run
// RUN: env ASAN_OPTIONS=detect_leaks=0 %t/run | FileCheck %s

// CHECK: msda: 2x37x3 queries, 2 levels, 3 points, D=20: ok
// CHECK: sample_border_align: 2x6x9 from 5x7x20: ok
// CHECK: sample_zeros: 2x6x9 from 5x7x20: ok
// CHECK: msda_f16: 1x19x2 queries, 1 level, 2 points, D=9: ok
// CHECK: 0 failures

func.func @msda(%v: tensor<2x30x3x20xf32>, %loc: tensor<2x37x3x2x3x2xf32>, %w: tensor<2x37x3x2x3xf32>) -> tensor<2x37x60xf32> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 6, 4, 3, 2>}
    : tensor<2x30x3x20xf32>, tensor<2x37x3x2x3x2xf32>, tensor<2x37x3x2x3xf32> -> tensor<2x37x60xf32>
  return %o : tensor<2x37x60xf32>
}

func.func @sample_border_align(%x: tensor<2x5x7x20xf32>, %g: tensor<2x6x9x2xf32>) -> tensor<2x6x9x20xf32> {
  %s = attn.deformable_sample %x, %g {align_corners = true, padding_mode = #attn<padding_mode border>}
    : tensor<2x5x7x20xf32>, tensor<2x6x9x2xf32> -> tensor<2x6x9x20xf32>
  return %s : tensor<2x6x9x20xf32>
}

func.func @sample_zeros(%x: tensor<2x5x7x20xf32>, %g: tensor<2x6x9x2xf32>) -> tensor<2x6x9x20xf32> {
  %s = attn.deformable_sample %x, %g : tensor<2x5x7x20xf32>, tensor<2x6x9x2xf32> -> tensor<2x6x9x20xf32>
  return %s : tensor<2x6x9x20xf32>
}

func.func @msda_f16(%v: tensor<1x35x2x9xf16>, %loc: tensor<1x19x2x1x2x2xf16>, %w: tensor<1x19x2x1x2xf16>) -> tensor<1x19x18xf16> {
  %o = attn.ms_deform_attn %v, %loc, %w {spatial_shapes = array<i64: 5, 7>}
    : tensor<1x35x2x9xf16>, tensor<1x19x2x1x2x2xf16>, tensor<1x19x2x1x2xf16> -> tensor<1x19x18xf16>
  return %o : tensor<1x19x18xf16>
}
