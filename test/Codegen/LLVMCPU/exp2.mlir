// RUN: attn-opt %s -test-attn-exp2="target-cpu=skylake-avx512" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: attn-opt %s -test-attn-exp2="target-cpu=haswell" | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: attn-opt %s -test-attn-exp2="target-cpu=skylake-avx512 make-public=true" | attn-compile - --emit=asm --cpu=skylake-avx512 -o - | FileCheck %s --check-prefix=ASM512
// RUN: attn-opt %s -test-attn-exp2="target-cpu=haswell make-public=true" | attn-compile - --emit=asm --cpu=haswell -o - | FileCheck %s --check-prefix=ASM2

// The structure of CPUTargetInfo::exp2 (include/attn/Codegen/LLVMCPU/
// CPUTargetInfo.h) and of the OnlineSoftmax builders around it, built by
// -test-attn-exp2 (test/lib) into the bodies of the declarations below. On
// the target's vector of f32: x = n + f with n = roundeven(x), a degree-5
// polynomial in f (5 FMAs), then 2^n by vscalefps (AVX-512) or in the
// exponent bits (AVX2); lanes with x <= -125 (masked keys, -inf) are exactly
// 0: masked off in vscalefps, a select of 0 after a clamp at -125 on AVX2.
// Other types get math.exp2. The values are checked by execution in
// test/Integration/CPU/exp2-*.mlir and online-softmax*.mlir.

// AVX512-LABEL: func.func private @exp2_16(
// AVX512-SAME:    %[[X:.+]]: vector<16xf32>) -> vector<16xf32>
// AVX512:         %[[LO:.+]] = arith.constant dense<-1.250000e+02> : vector<16xf32>
// AVX512:         %[[KEEP:.+]] = arith.cmpf ugt, %[[X]], %[[LO]] : vector<16xf32>
// AVX512-NOT:     arith.maximumf
// AVX512:         %[[N:.+]] = math.roundeven %[[X]] : vector<16xf32>
// AVX512:         %[[F:.+]] = arith.subf %[[X]], %[[N]] : vector<16xf32>
// AVX512-COUNT-4: vector.fma %{{.+}}, %[[F]], %{{.+}} : vector<16xf32>
// AVX512:         %[[P:.+]] = vector.fma %{{.+}}, %[[F]], %{{.+}} : vector<16xf32>
// AVX512-NOT:     vector.fma
// AVX512:         %[[KV:.+]] = vector.bitcast %[[KEEP]] : vector<16xi1> to vector<1xi16>
// AVX512:         %[[K:.+]] = vector.extract %[[KV]][0] : i16 from vector<1xi16>
// AVX512:         %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// AVX512:         %[[R:.+]] = x86vector.avx512.mask.scalef %[[P]], %[[N]], %[[ZERO]], %[[K]], %{{.+}} : vector<16xf32>
// AVX512-NOT:     arith.select
// AVX512:         return %[[R]]
// AVX2-LABEL:   func.func private @exp2_16(
// AVX2:           math.exp2 %{{.+}} : vector<16xf32>
// AVX2-NOT:       x86vector
func.func private @exp2_16(vector<16xf32>) -> vector<16xf32> attributes {test.exp2}

// AVX2-LABEL:   func.func private @exp2_8(
// AVX2-SAME:      %[[X:.+]]: vector<8xf32>) -> vector<8xf32>
// AVX2:           %[[LO:.+]] = arith.constant dense<-1.250000e+02> : vector<8xf32>
// AVX2:           %[[KEEP:.+]] = arith.cmpf ugt, %[[X]], %[[LO]] : vector<8xf32>
// AVX2:           %[[LO2:.+]] = arith.constant dense<-1.250000e+02> : vector<8xf32>
// AVX2:           %[[C:.+]] = arith.maximumf %[[X]], %[[LO2]] : vector<8xf32>
// AVX2:           %[[N:.+]] = math.roundeven %[[C]] : vector<8xf32>
// AVX2:           %[[F:.+]] = arith.subf %[[C]], %[[N]] : vector<8xf32>
// AVX2-COUNT-4:   vector.fma %{{.+}}, %[[F]], %{{.+}} : vector<8xf32>
// AVX2:           %[[P:.+]] = vector.fma %{{.+}}, %[[F]], %{{.+}} : vector<8xf32>
// AVX2-NOT:       vector.fma
// AVX2:           %[[NI:.+]] = arith.fptosi %[[N]] : vector<8xf32> to vector<8xi32>
// AVX2:           %[[C127:.+]] = arith.constant dense<127> : vector<8xi32>
// AVX2:           %[[E:.+]] = arith.addi %[[NI]], %[[C127]] : vector<8xi32>
// AVX2:           %[[C23:.+]] = arith.constant dense<23> : vector<8xi32>
// AVX2:           %[[BITS:.+]] = arith.shli %[[E]], %[[C23]] : vector<8xi32>
// AVX2:           %[[POW:.+]] = arith.bitcast %[[BITS]] : vector<8xi32> to vector<8xf32>
// AVX2:           %[[R:.+]] = arith.mulf %[[P]], %[[POW]] : vector<8xf32>
// AVX2:           %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// AVX2:           %[[S:.+]] = arith.select %[[KEEP]], %[[R]], %[[ZERO]] : vector<8xi1>, vector<8xf32>
// AVX2:           return %[[S]]
// AVX512-LABEL: func.func private @exp2_8(
// AVX512:         math.exp2 %{{.+}} : vector<8xf32>
// AVX512-NOT:     x86vector
func.func private @exp2_8(vector<8xf32>) -> vector<8xf32> attributes {test.exp2}

// Scalars and other vector shapes: math.exp2.
// CHECK-LABEL: func.func private @exp2_scalar(
// CHECK:         %[[R:.+]] = math.exp2 %{{.+}} : f32
// CHECK:         return %[[R]]
func.func private @exp2_scalar(f32) -> f32 attributes {test.exp2}

// CHECK-LABEL: func.func private @exp2_4(
// CHECK:         %[[R:.+]] = math.exp2 %{{.+}} : vector<4xf32>
// CHECK:         return %[[R]]
func.func private @exp2_4(vector<4xf32>) -> vector<4xf32> attributes {test.exp2}

// One online-softmax step (scale 0.5) on scalars: m' = max(m, 0.5 s); the
// safe max is 0 where m' = -inf; p = 2^((0.5 s - m'_0) log2(e)), 0.5 s
// rounded as in the max (so the max gets exactly 2^0); alpha = 2^((m -
// m'_0) log2(e)); l' = alpha l + p, acc' = alpha acc + p v.
// CHECK-LABEL: func.func private @step(
// CHECK-SAME:    %[[M:[a-zA-Z0-9_]+]]: f32, %[[L:[a-zA-Z0-9_]+]]: f32, %[[ACC:[a-zA-Z0-9_]+]]: f32, %[[S:[a-zA-Z0-9_]+]]: f32, %[[V:[a-zA-Z0-9_]+]]: f32)
// CHECK:         %[[LOGIT:.+]] = arith.mulf %[[S]], %{{.+}} : f32
// CHECK:         %[[MNEW:.+]] = arith.maxnumf %[[M]], %[[LOGIT]] fastmath<nnan> : f32
// CHECK:         %[[NONE:.+]] = arith.cmpf oeq, %[[MNEW]], %{{.+}} : f32
// CHECK:         %[[MSAFE:.+]] = arith.select %[[NONE]], %{{.+}}, %[[MNEW]] : f32
// CHECK:         %[[OFFSET:.+]] = arith.negf %[[MSAFE]] : f32
// CHECK:         %[[SCALE:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[X:.+]] = arith.mulf %[[S]], %[[SCALE]] : f32
// CHECK:         %[[SHIFTED:.+]] = arith.addf %[[X]], %[[OFFSET]] : f32
// CHECK:         %[[LOG2E:.+]] = arith.constant 1.44269502 : f32
// CHECK:         %[[T:.+]] = arith.mulf %[[SHIFTED]], %[[LOG2E]] : f32
// CHECK:         %[[P:.+]] = math.exp2 %[[T]] : f32
// CHECK:         %[[D:.+]] = arith.subf %[[M]], %[[MSAFE]] : f32
// CHECK:         %[[D2:.+]] = arith.mulf %[[D]], %{{.+}} : f32
// CHECK:         %[[ALPHA0:.+]] = math.exp2 %[[D2]] : f32
// Exactly 1 where the max did not move.
// CHECK:         %[[SAME:.+]] = arith.cmpf oeq, %[[M]], %[[MSAFE]] : f32
// CHECK:         %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[ALPHA:.+]] = arith.select %[[SAME]], %[[ONE]], %[[ALPHA0]] : f32
// CHECK:         %[[PV:.+]] = arith.mulf %[[P]], %[[V]] : f32
// CHECK:         %[[LNEW:.+]] = math.fma %[[L]], %[[ALPHA]], %[[P]] : f32
// CHECK:         %[[ACCNEW:.+]] = math.fma %[[ACC]], %[[ALPHA]], %[[PV]] : f32
// CHECK:         return %[[MNEW]], %[[LNEW]], %[[ACCNEW]]
func.func private @step(f32, f32, f32, f32, f32) -> (f32, f32, f32)
    attributes {test.online_softmax = "step", test.scale = 0.5}

// The merge of two partial states takes its exponentials from the target:
// two 2^x (vscalefps or exponent bits), one per weight.
// CHECK-LABEL:   func.func private @merge_16(
// AVX512-COUNT-2: x86vector.avx512.mask.scalef
// AVX2-COUNT-2:   math.exp2 %{{.+}} : vector<16xf32>
// CHECK:          return
func.func private @merge_16(vector<16xf32>, vector<16xf32>, vector<16xf32>,
                            vector<16xf32>, vector<16xf32>, vector<16xf32>)
    -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
    attributes {test.online_softmax = "merge"}

// Normalization: 0 where l = 0, else acc * (1 / l).
// CHECK-LABEL: func.func private @normalize(
// CHECK-SAME:    %[[ACC:[a-zA-Z0-9_]+]]: vector<8xf32>, %[[L:[a-zA-Z0-9_]+]]: vector<8xf32>)
// CHECK:         %[[EMPTY:.+]] = arith.cmpf oeq, %[[L]], %{{.+}} : vector<8xf32>
// CHECK:         %[[INV:.+]] = arith.divf %{{.+}}, %[[L]] : vector<8xf32>
// CHECK:         %[[R:.+]] = arith.select %[[EMPTY]], %{{.+}}, %[[INV]] : vector<8xi1>, vector<8xf32>
// CHECK:         %[[O:.+]] = arith.mulf %[[ACC]], %[[R]] : vector<8xf32>
// CHECK:         return %[[O]]
func.func private @normalize(vector<8xf32>, vector<8xf32>) -> vector<8xf32>
    attributes {test.online_softmax = "normalize"}

// In machine code: AVX-512 rounds with vrndscaleps and scales the polynomial
// (second operand in AT&T order) by 2^n (first) with vscalefps, zero-masked
// by the compare !(x <= -125) (NaN lanes are kept, and stay NaN); AVX2 has
// no vscalefps and puts n + 127 into the exponent bits (shift by 23),
// masking with an AND.
// ASM512-LABEL: exp2_16:
// ASM512:         vcmpnleps {{.+}}, %zmm0, %[[KEEP:k[1-7]]]
// ASM512:         vrndscaleps $8, %zmm0, %[[N:zmm[0-9]+]]
// ASM512-COUNT-5: vfmadd
// ASM512:         vscalefps %[[N]], %{{zmm[0-9]+}}, %zmm0 {%[[KEEP]]} {z}
// ASM512-NEXT:    retq
// ASM2-LABEL:   exp2_8:
// ASM2-NOT:       vscalefps
// ASM2:           vroundps $8
// ASM2:           vpslld $23
// ASM2:           vandps
// ASM2:           retq
