// Operands that are slices with a step in their last dim (x[..., ::2]):
// the CPU kernels go through contiguous copies (makeInnermostContiguous in
// AttnToVector.cpp) and match the reference evaluator. A result inserted
// into every other column is checked too (bufferization gives the op a
// buffer of its own and copies it there, so the kernel's copy-back of a
// strided destination is not reached by this file). compose and the
// sampling ops used to read such operands as if they were contiguous;
// attention failed to compile ('vector.load' op most minor memref dim must
// have unit stride).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/a.npy 1x2x3x8 float32 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 1x4x4x6 float32 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/g.npy 1x3x3x2 float32 --seed 3
// RUN: %PYTHON %S/Inputs/npytool.py make %t/v.npy 1x6x2x8 float32 --seed 4
// RUN: %PYTHON %S/Inputs/npytool.py make %t/l.npy 1x3x2x2x2x2 float32 --seed 5
// RUN: %PYTHON %S/Inputs/npytool.py make %t/w.npy 1x3x2x2x2 float32 --seed 6
// RUN: %PYTHON %S/Inputs/npytool.py make %t/q.npy 1x1x4x16 float32 --seed 7

// RUN: attn-run %s --function=compose --input=@%t/a.npy --output=@%t/c.npy
// RUN: attn-run %s --function=compose --backend=reference --input=@%t/a.npy --output=@%t/c_ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/c.npy "ref" ref=%t/c_ref.npy | FileCheck %s --check-prefix=COMPOSE
// COMPOSE: OK c.npy

// RUN: attn-run %s --function=sample --input=@%t/x.npy --input=@%t/g.npy --output=@%t/s.npy
// RUN: attn-run %s --function=sample --backend=reference --input=@%t/x.npy --input=@%t/g.npy --output=@%t/s_ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/s.npy "ref" ref=%t/s_ref.npy | FileCheck %s --check-prefix=SAMPLE
// SAMPLE: OK s.npy

// RUN: attn-run %s --function=msda --input=@%t/v.npy --input=@%t/l.npy --input=@%t/w.npy --output=@%t/m.npy
// RUN: attn-run %s --function=msda --backend=reference --input=@%t/v.npy --input=@%t/l.npy --input=@%t/w.npy --output=@%t/m_ref.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/m.npy "ref" ref=%t/m_ref.npy | FileCheck %s --check-prefix=MSDA
// MSDA: OK m.npy

// RUN: attn-run %s --function=attention --input=@%t/q.npy --output=@%t/o.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/o.npy "attention(q[..., ::2], q[..., ::2], q[..., ::2])" q=%t/q.npy | FileCheck %s --check-prefix=ATTN
// ATTN: OK o.npy

// RUN: attn-run %s --function=attention_into_columns --input=@%t/q.npy --output=@%t/oc.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/oc.npy "np.stack([attention(q[..., :8], q[..., :8], q[..., :8]), q[..., 8:]], -1).reshape(1, 1, 4, 16)" q=%t/q.npy | FileCheck %s --check-prefix=DEST
// DEST: OK oc.npy

func.func @compose(%a: tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32> {
  %s = tensor.extract_slice %a[0, 0, 0, 0] [1, 2, 3, 4] [1, 1, 1, 2] : tensor<1x2x3x8xf32> to tensor<1x2x3x4xf32>
  %o = attn.compose %s : tensor<1x2x3x4xf32> -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}

func.func @sample(%x: tensor<1x4x4x6xf32>, %g: tensor<1x3x3x2xf32>) -> tensor<1x3x3x3xf32> {
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 4, 4, 3] [1, 1, 1, 2] : tensor<1x4x4x6xf32> to tensor<1x4x4x3xf32>
  %o = attn.deformable_sample %s, %g : tensor<1x4x4x3xf32>, tensor<1x3x3x2xf32> -> tensor<1x3x3x3xf32>
  return %o : tensor<1x3x3x3xf32>
}

func.func @msda(%v: tensor<1x6x2x8xf32>, %l: tensor<1x3x2x2x2x2xf32>, %w: tensor<1x3x2x2x2xf32>) -> tensor<1x3x8xf32> {
  %s = tensor.extract_slice %v[0, 0, 0, 0] [1, 6, 2, 4] [1, 1, 1, 2] : tensor<1x6x2x8xf32> to tensor<1x6x2x4xf32>
  %o = attn.ms_deform_attn %s, %l, %w {spatial_shapes = array<i64: 2, 2, 1, 2>} : tensor<1x6x2x4xf32>, tensor<1x3x2x2x2x2xf32>, tensor<1x3x2x2x2xf32> -> tensor<1x3x8xf32>
  return %o : tensor<1x3x8xf32>
}

func.func @attention(%q: tensor<1x1x4x16xf32>) -> tensor<1x1x4x8xf32> {
  %s = tensor.extract_slice %q[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 2] : tensor<1x1x4x16xf32> to tensor<1x1x4x8xf32>
  %o = attn.attention %s, %s, %s : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// The first 8 columns' attention written to the even columns, the last 8
// columns to the odd ones.
func.func @attention_into_columns(%q: tensor<1x1x4x16xf32>) -> tensor<1x1x4x16xf32> {
  %lo = tensor.extract_slice %q[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x1x4x16xf32> to tensor<1x1x4x8xf32>
  %hi = tensor.extract_slice %q[0, 0, 0, 8] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x1x4x16xf32> to tensor<1x1x4x8xf32>
  %o = attn.attention %lo, %lo, %lo : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  %e = tensor.empty() : tensor<1x1x4x16xf32>
  %r0 = tensor.insert_slice %o into %e[0, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 2] : tensor<1x1x4x8xf32> into tensor<1x1x4x16xf32>
  %r1 = tensor.insert_slice %hi into %r0[0, 0, 0, 1] [1, 1, 4, 8] [1, 1, 1, 2] : tensor<1x1x4x8xf32> into tensor<1x1x4x16xf32>
  return %r1 : tensor<1x1x4x16xf32>
}
