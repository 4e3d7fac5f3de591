// A call that does not match the function's signature is an error naming
// the function, the argument (and its file), what was expected and found;
// nothing runs and no output file appears.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x2x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q16.npy 1x2x4x8 float16 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/qbf.npy 1x2x4x8 bf16 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q3.npy 2x4x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q5.npy 1x2x5x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/kv.npy 1x2x6x8 float32 --seed 2

// RUN: not attn-run %s --input=@%t/q.npy --input=@%t/kv.npy --output=@%t/o.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not test -e %t/o.npy
// COUNT: error: @main expects 3 arguments but 2 inputs were given

// RUN: not attn-run %s --input=@%t/q16.npy --input=@%t/kv.npy --input=@%t/kv.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: argument #0 of @main ('{{.*}}q16.npy'): expected element type f32 (tensor<1x2x4x8xf32>), found f16 (shape 1x2x4x8)

// RUN: not attn-run %s --input=@%t/q3.npy --input=@%t/kv.npy --input=@%t/kv.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: error: argument #0 of @main ('{{.*}}q3.npy'): expected rank 4 (tensor<1x2x4x8xf32>), found rank 3 (shape 2x4x8)

// RUN: not attn-run %s --input=@%t/q5.npy --input=@%t/kv.npy --input=@%t/kv.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: argument #0 of @main ('{{.*}}q5.npy'): expected size 4 in dimension 2 (tensor<1x2x4x8xf32>), found 5 (shape 1x2x5x8)

// A dynamic dimension accepts any size, static ones still must match.
// RUN: not attn-run %s --function=dynamic --input=@%t/q.npy --input=@%t/q3.npy 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// DYNAMIC: error: argument #1 of @dynamic ('{{.*}}q3.npy'): expected rank 4 (tensor<1x2x?x8xf32>), found rank 3 (shape 2x4x8)

// bfloat16 data given without the bf16: prefix.
// RUN: not attn-run %s --function=bf16 --input=@%t/qbf.npy 2>&1 | FileCheck %s --check-prefix=BF16
// BF16: error: argument #0 of @bf16 ('{{.*}}qbf.npy'): expected element type bf16 (tensor<1x2x4x8xbf16>), found i16 (shape 1x2x4x8); pass bfloat16 bits stored as uint16 with --input=bf16:@<file>.npy

// RUN: not attn-run %s --function=nope --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=FUNCTION
// FUNCTION: error: '{{.*}}attn-run-errors-call.mlir': no public function @nope; available: @main, @dynamic, @bf16, @add

// Private functions cannot be called.
// RUN: not attn-run %s --function=helper 2>&1 | FileCheck %s --check-prefix=PRIVATE
// PRIVATE: error: '{{.*}}': no public function @helper; available: @main, @dynamic, @bf16, @add

// RUN: not attn-run %s --input=@%t/q.npy --input=@%t/kv.npy --input=@%t/kv.npy --output=@%t/o.npy --output=@%t/p.npy 2>&1 | FileCheck %s --check-prefix=OUTPUTS
// RUN: not test -e %t/o.npy
// OUTPUTS: error: @main has 1 result but 2 --output were given: expected one --output per result, or none

// Invalid IR: the MLIR diagnostic with its location.
// RUN: not attn-run %S/Inputs/invalid-ir.mlir --input=@%t/q.npy 2>&1 | FileCheck %s --check-prefix=BADIR
// BADIR: invalid-ir.mlir:2:19: error: use of value '%a' expects different type than prior uses: 'tensor<3xf32>' vs 'tensor<2xf32>'

// An attn op that fails its verifier.
// RUN: not attn-run %S/Inputs/invalid-attention.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: invalid-attention.mlir:2:8: error: 'attn.attention' op

// RUN: not attn-run %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: '{{.*}}missing.mlir': cannot read MLIR file: No such file or directory

// Dynamic extents of upstream ops are checked when the code runs (an add of
// 100000 and 4 elements used to corrupt the heap or return a wrong result).
// RUN: %PYTHON %S/Inputs/npytool.py make %t/long.npy 100000 float32 --seed 3
// RUN: %PYTHON %S/Inputs/npytool.py make %t/short.npy 4 float32 --seed 4
// RUN: not attn-run %s --function=add --input=@%t/long.npy --input=@%t/short.npy 2>&1 | FileCheck %s --check-prefix=ADD
// RUN: not attn-run %s --function=add --input=@%t/short.npy --input=@%t/long.npy 2>&1 | FileCheck %s --check-prefix=ADD
// ADD: error: @add stopped at a run-time check: linalg.add: operand #1 dim 0 does not match operand #0 dim 0 (both are loop d0) (dynamic sizes: %a = [{{100000|4}}], %b = [{{4|100000}}])

// A dynamic level count of ms_deform_attn that does not match
// spatial_shapes stops at a run-time check (it used to read past the
// locations).
// RUN: %PYTHON %S/Inputs/npytool.py make %t/msv.npy 1x41x2x4 float32 --seed 5
// RUN: %PYTHON %S/Inputs/npytool.py make %t/msl.npy 1x5x2x1x3x2 float32 --seed 6
// RUN: %PYTHON %S/Inputs/npytool.py make %t/msw.npy 1x5x2x1x3 float32 --seed 7
// RUN: not attn-run %s --function=msda_levels --input=@%t/msv.npy --input=@%t/msl.npy --input=@%t/msw.npy 2>&1 | FileCheck %s --check-prefix=LEVELS
// LEVELS: error: @msda_levels stopped at a run-time check: attn.ms_deform_attn: 'sampling_locations' dim 3 (L) must be 2 (dynamic sizes: %l = [1, 5, 2, 1, 3, 2], %w = [1, 5, 2, 1, 3])

// A dynamic mask dim broadcasts when it is 1 at run time; any other size
// than 1 or the query's stops at a run-time check.
// RUN: %PYTHON %S/Inputs/npytool.py make %t/m3.npy 3x1x4x6 bool --fill bool --seed 8
// RUN: not attn-run %s --function=mask_dyn --input=@%t/q.npy --input=@%t/kv.npy --input=@%t/kv.npy --input=@%t/m3.npy 2>&1 | FileCheck %s --check-prefix=MASKDIM
// MASKDIM: error: @mask_dyn stopped at a run-time check: attn.attention: 'mask' dim 0 (B) must be 1 or match 'query' dim 0 (dynamic sizes: %m = [3, 1, 4, 6])

func.func @main(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>)
    -> tensor<1x2x4x8xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

func.func @dynamic(%a: tensor<1x2x?x8xf32>, %b: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %c2 = arith.constant 2 : index
  %n = tensor.dim %a, %c2 : tensor<1x2x?x8xf32>
  %init = tensor.empty(%n) : tensor<1x2x?x8xf32>
  %sum = linalg.add ins(%a, %b : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>)
                    outs(%init : tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %sum : tensor<1x2x?x8xf32>
}

func.func @bf16(%a: tensor<1x2x4x8xbf16>) -> tensor<1x2x4x8xbf16> {
  %init = tensor.empty() : tensor<1x2x4x8xbf16>
  %sum = linalg.add ins(%a, %a : tensor<1x2x4x8xbf16>, tensor<1x2x4x8xbf16>)
                    outs(%init : tensor<1x2x4x8xbf16>) -> tensor<1x2x4x8xbf16>
  return %sum : tensor<1x2x4x8xbf16>
}

func.func private @helper(%a: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %init = tensor.empty() : tensor<1x2x4x8xf32>
  %sum = linalg.add ins(%a, %a : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
                    outs(%init : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %sum : tensor<1x2x4x8xf32>
}

func.func @add(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?xf32>
  %e = tensor.empty(%n) : tensor<?xf32>
  %r = linalg.add ins(%a, %b : tensor<?xf32>, tensor<?xf32>) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

func.func @msda_levels(%v: tensor<1x41x2x4xf32>, %l: tensor<1x5x2x?x3x2xf32>, %w: tensor<1x5x2x?x3xf32>) -> tensor<1x5x8xf32> {
  %o = attn.ms_deform_attn %v, %l, %w {spatial_shapes = array<i64: 5, 7, 2, 3>}
    : tensor<1x41x2x4xf32>, tensor<1x5x2x?x3x2xf32>, tensor<1x5x2x?x3xf32> -> tensor<1x5x8xf32>
  return %o : tensor<1x5x8xf32>
}

func.func @mask_dyn(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %m: tensor<?x?x4x6xi1>) -> tensor<1x2x4x8xf32> {
  %o = attn.attention %q, %k, %v mask %m
    : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>, tensor<?x?x4x6xi1> -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
