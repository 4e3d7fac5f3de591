// Every unreadable .npy input is an error that names the file and says what
// was expected and found; nothing runs and no output is written.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 2x3 float32

// RUN: not attn-run %s --input=@%t/missing.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: '{{.*}}missing.npy': cannot read .npy file: No such file or directory

// RUN: not attn-run %s --input=@%t --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=DIRECTORY
// DIRECTORY: error: '{{.*}}': cannot read .npy file: is a directory

// RUN: %PYTHON %S/Inputs/npytool.py corrupt garbage %t/garbage.npy
// RUN: not attn-run %s --input=@%t/garbage.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=GARBAGE
// GARBAGE: error: '{{.*}}garbage.npy': not a .npy file: expected the magic string '\x93NUMPY' at the start

// RUN: %PYTHON %S/Inputs/npytool.py corrupt header %t/header.npy %t/a.npy
// RUN: not attn-run %s --input=@%t/header.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=HEADER
// HEADER: error: '{{.*}}header.npy': truncated .npy header: expected 118 header bytes, found 30

// RUN: %PYTHON %S/Inputs/npytool.py corrupt truncate %t/truncated.npy %t/a.npy
// RUN: not attn-run %s --input=@%t/truncated.npy --input=@%t/a.npy --output=@%t/out.npy 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: not test -e %t/out.npy
// TRUNCATED: error: '{{.*}}truncated.npy': truncated .npy data: shape (2, 3) of float32 ('<f4') needs 24 bytes, found 19

// RUN: %PYTHON %S/Inputs/npytool.py corrupt extra %t/extra.npy %t/a.npy
// RUN: not attn-run %s --input=@%t/extra.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: error: '{{.*}}extra.npy': corrupt .npy file: shape (2, 3) of float32 ('<f4') needs 24 bytes, found 27 (3 extra)

// RUN: %PYTHON %S/Inputs/npytool.py corrupt badversion %t/version.npy %t/a.npy
// RUN: not attn-run %s --input=@%t/version.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=VERSION
// VERSION: error: '{{.*}}version.npy': unsupported .npy format version 7.0: expected 1.0, 2.0 or 3.0

// RUN: %PYTHON %S/Inputs/npytool.py corrupt baddict %t/dict.npy
// RUN: not attn-run %s --input=@%t/dict.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=DICT
// DICT: error: '{{.*}}dict.npy': invalid .npy header (missing 'fortran_order' key): '{'descr': '<f4', 'shape': (2, 3), }'

// Malformed shape tuples are rejected, not read loosely (digits followed by
// letters, fractions, missing commas, sizes beyond int64).
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/s1.npy "(1abc, 2, 8x, 16)"
// RUN: not attn-run %s --function=vector --input=@%t/s1.npy 2>&1 | FileCheck %s --check-prefix=SHAPE1
// SHAPE1: error: '{{.*}}s1.npy': invalid .npy header: expected 'shape' to be a tuple of non-negative integers below 2^63, found '{'descr': '<f4', 'fortran_order': False, 'shape': (1abc, 2, 8x, 16), }'
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/s2.npy "(1.9, 6)"
// RUN: not attn-run %s --function=vector --input=@%t/s2.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/s3.npy "(2 3)"
// RUN: not attn-run %s --function=vector --input=@%t/s3.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/s4.npy "(99999999999999999999,)"
// RUN: not attn-run %s --function=vector --input=@%t/s4.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: invalid .npy header: expected 'shape' to be a tuple of non-negative integers below 2^63
// A size above 2^32 is read whole (it used to wrap to 1) and then does not
// match the data.
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/s5.npy "(1099511627776,)"
// RUN: not attn-run %s --function=vector --input=@%t/s5.npy 2>&1 | FileCheck %s --check-prefix=BIGSIZE
// BIGSIZE: shape (1099511627776,)
// RUN: %PYTHON %S/Inputs/npytool.py corrupt badshape %t/ok.npy "(6,)"
// RUN: attn-run %s --function=vector --input=@%t/ok.npy | FileCheck %s --check-prefix=OKSHAPE
// OKSHAPE: result #0: tensor<6xf32>

// RUN: %PYTHON %S/Inputs/npytool.py corrupt fortran %t/fortran.npy
// RUN: not attn-run %s --input=@%t/fortran.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// FORTRAN: error: '{{.*}}fortran.npy': Fortran-order (column-major) .npy arrays are not supported: expected C order

// RUN: %PYTHON %S/Inputs/npytool.py corrupt bigendian %t/big.npy
// RUN: not attn-run %s --input=@%t/big.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=BIG
// BIG: error: '{{.*}}big.npy': unsupported .npy dtype float32, big-endian ('>f4'): expected float32 ('<f4'), float16 ('<f2'), bool ('|b1'), uint16 ('<u2', bfloat16 bits)

// RUN: %PYTHON %S/Inputs/npytool.py corrupt complex %t/complex.npy
// RUN: not attn-run %s --input=@%t/complex.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=COMPLEX
// COMPLEX: error: '{{.*}}complex.npy': unsupported .npy dtype complex64 ('<c8')

// bf16: wants uint16 data.
// RUN: not attn-run %s --input=bf16:@%t/a.npy --input=@%t/a.npy 2>&1 | FileCheck %s --check-prefix=BF16
// BF16: error: '{{.*}}a.npy': bf16: expected uint16 data holding bfloat16 bits, found f32 (numpy dtype '<f4')

// A valid file whose header is 182 bytes long (its length's low byte is
// >= 128) reads fine.
// RUN: %PYTHON %S/Inputs/npytool.py longheader %t/long.npy
// RUN: attn-run %s --function=vector --input=@%t/long.npy | FileCheck %s --check-prefix=LONG
// LONG: [0, 2, 4, 6, 8, 10]

func.func @main(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %init = tensor.empty() : tensor<2x3xf32>
  %sum = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>)
                    outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %sum : tensor<2x3xf32>
}

func.func @vector(%a: tensor<6xf32>) -> tensor<6xf32> {
  %init = tensor.empty() : tensor<6xf32>
  %sum = linalg.add ins(%a, %a : tensor<6xf32>, tensor<6xf32>)
                    outs(%init : tensor<6xf32>) -> tensor<6xf32>
  return %sum : tensor<6xf32>
}
