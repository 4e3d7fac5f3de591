// attn-run with f16, bfloat16 (as uint16 bits, --input=bf16:@...) and i1
// (numpy bool) inputs and outputs. bf16 results are written as uint16.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %PYTHON %S/Inputs/npytool.py make %t/x.npy 2x3 bf16 --seed 1
// RUN: %PYTHON %S/Inputs/npytool.py make %t/y.npy 2x3 float16 --seed 2
// RUN: %PYTHON %S/Inputs/npytool.py make %t/c.npy 2x3 bool --fill bool --seed 3
// RUN: attn-run %s --input=bf16:@%t/x.npy --input=@%t/y.npy --input=@%t/c.npy \
// RUN:   --output=@%t/sel.npy --output=@%t/sel_bf16.npy --output=@%t/not.npy
// RUN: %PYTHON %S/Inputs/npytool.py check %t/sel.npy "np.where(c, x + y, 0)" x=bf16:%t/x.npy y=%t/y.npy c=%t/c.npy --dtype float32 --tol 1e-6 | FileCheck %s --check-prefix=SEL
// RUN: %PYTHON %S/Inputs/npytool.py check bf16:%t/sel_bf16.npy "np.where(c, x + y, 0)" x=bf16:%t/x.npy y=%t/y.npy c=%t/c.npy --dtype uint16 --tol 1e-2 | FileCheck %s --check-prefix=BF16
// RUN: %PYTHON %S/Inputs/npytool.py check %t/not.npy "~c" c=%t/c.npy --dtype bool | FileCheck %s --check-prefix=NOT
// SEL: OK sel.npy shape=2x3
// BF16: OK sel_bf16.npy shape=2x3
// NOT: OK not.npy shape=2x3

// Summaries name the element types.
// RUN: attn-run %s --input=bf16:@%t/x.npy --input=@%t/y.npy --input=@%t/c.npy | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: result #0: tensor<2x3xf32>
// SUMMARY: result #1: tensor<2x3xbf16>
// SUMMARY: result #2: tensor<2x3xi1>

#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<2x3xbf16>, %y: tensor<2x3xf16>, %c: tensor<2x3xi1>)
    -> (tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>) {
  %e0 = tensor.empty() : tensor<2x3xf32>
  %e1 = tensor.empty() : tensor<2x3xbf16>
  %e2 = tensor.empty() : tensor<2x3xi1>
  %r:3 = linalg.generic {indexing_maps = [#map, #map, #map, #map, #map, #map],
                         iterator_types = ["parallel", "parallel"]}
      ins(%x, %y, %c : tensor<2x3xbf16>, tensor<2x3xf16>, tensor<2x3xi1>)
      outs(%e0, %e1, %e2 : tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>) {
  ^bb0(%a: bf16, %b: f16, %keep: i1, %o0: f32, %o1: bf16, %o2: i1):
    %af = arith.extf %a : bf16 to f32
    %bf = arith.extf %b : f16 to f32
    %s = arith.addf %af, %bf : f32
    %zero = arith.constant 0.0 : f32
    %sel = arith.select %keep, %s, %zero : f32
    %t = arith.truncf %sel : f32 to bf16
    %true = arith.constant true
    %not = arith.xori %keep, %true : i1
    linalg.yield %sel, %t, %not : f32, bf16, i1
  } -> (tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>)
  return %r#0, %r#1, %r#2 : tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>
}
