//===- TargetInfoBase.h - per-target IR primitives of codegen ---*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The seam between the target-neutral code-generation builders (attention
// geometry, online softmax, tiling) and a target (Triton's TargetInfoBase):
// each target says how wide its vectors are and how it spells the few
// primitives whose best form differs between targets. The x86 CPU
// implementation is CPUTargetInfo (Codegen/LLVMCPU); NVVM and SPIR-V
// implementations come with the GPU tier (Codegen/LLVMGPU, Codegen/SPIRV).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_COMMON_TARGETINFOBASE_H
#define ATTN_CODEGEN_COMMON_TARGETINFOBASE_H

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::attn {

/// IR primitives of one code-generation target.
class TargetInfoBase {
public:
  virtual ~TargetInfoBase();

  /// f32 lanes of the vectors the kernels are written in (1 = scalar code).
  virtual int64_t lanes() const = 0;

  /// 2^x for an f32 scalar or vector `x` <= 127, as the online softmax needs
  /// it (exponents <= 0, log2(e) folded into the scale): exactly 0 where
  /// x = -inf. Default: math.exp2.
  virtual Value exp2(OpBuilder &b, Location loc, Value x) const;

  /// Reduces vector `v` to a scalar with `kind` (row max and row sum of the
  /// online softmax). Default: vector.reduction (ADD with reassociation
  /// allowed, MAXNUMF with nnan).
  virtual Value reduce(OpBuilder &b, Location loc, vector::CombiningKind kind,
                       Value v) const;

  /// A scratch buffer of `type` (static shape) private to the current
  /// parallel unit of work (a CPU tile, a GPU workgroup), with
  /// `alignmentBytes`. Buffers larger than `maxStackBytes` go to the heap
  /// and are appended to `heapBuffers` for the caller to free. Default:
  /// memref.alloca up to the limit, memref.alloc beyond.
  virtual Value allocScratch(OpBuilder &b, Location loc, MemRefType type,
                             int64_t alignmentBytes, bool onHeap,
                             SmallVectorImpl<Value> &heapBuffers) const;
};

} // namespace mlir::attn

#endif // ATTN_CODEGEN_COMMON_TARGETINFOBASE_H
