//===- TargetInfoBase.cpp - per-target IR primitives of codegen -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/TargetInfoBase.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::attn;

TargetInfoBase::~TargetInfoBase() = default;

Value TargetInfoBase::exp2(OpBuilder &b, Location loc, Value x) const {
  return math::Exp2Op::create(b, loc, x);
}

Value TargetInfoBase::reduce(OpBuilder &b, Location loc,
                             vector::CombiningKind kind, Value v) const {
  if (kind == vector::CombiningKind::MAXNUMF)
    return vector::ReductionOp::create(b, loc, kind, v,
                                       arith::FastMathFlags::nnan);
  return vector::ReductionOp::create(b, loc, kind, v);
}

Value TargetInfoBase::allocScratch(OpBuilder &b, Location loc, MemRefType type,
                                   int64_t alignmentBytes, bool onHeap,
                                   SmallVectorImpl<Value> &heapBuffers) const {
  IntegerAttr align = b.getI64IntegerAttr(alignmentBytes);
  if (!onHeap)
    return memref::AllocaOp::create(b, loc, type, align);
  heapBuffers.push_back(memref::AllocOp::create(b, loc, type, align));
  return heapBuffers.back();
}
