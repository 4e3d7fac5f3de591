//===- MapAttentionNVGPU.cpp - tensor-core warp primitives ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// WarpMatrixOps for NVIDIA GPUs (sm_80 and newer): the fragment layouts of
// Codegen/GPU/WarpMatrixOps.h produced by `ldmatrix` and consumed by
// `mma.sync.m16n8k16` (PTX ISA, "Warp-level matrix load instruction:
// ldmatrix" and "Matrix Fragments for mma.m16n8k16").
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/MapAttention.h"
#include "attn/Codegen/LLVMGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNNVGPUMAPATTENTIONPASS
#include "attn/Codegen/LLVMGPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
class NVGPUWarpMatrixOps : public WarpMatrixOps {
public:
  Fragment loadA(OpBuilder &b, Location loc, Value smem, Value row0,
                 Value col0, Value lane) override {
    // x4: lanes 8m..8m+7 give the rows of matrix m = (rows 0-7 | 8-15) x
    // (columns 0-7 | 8-15), m = 2 * (column half) + row half; register m
    // of every lane then holds the elements of A's register m.
    Value m = div(b, loc, lane, 8), r = rem(b, loc, lane, 8);
    Value row = add(b, loc, row0,
                    add(b, loc, r, mul(b, loc, rem(b, loc, m, 2), 8)));
    Value col = add(b, loc, col0, mul(b, loc, div(b, loc, m, 2), 8));
    return load(b, loc, smem, row, col, /*tiles=*/4, /*transpose=*/false);
  }

  Fragment loadB(OpBuilder &b, Location loc, Value smem, Value n0, Value k0,
                 Value lane) override {
    // x2 on [n][k] rows: matrix m holds k in [8m, 8m + 8); the lane's
    // elements (row g, columns 2t, 2t + 1) are B's (k = 2t + h, n = g).
    Value m = rem(b, loc, div(b, loc, lane, 8), 2), r = rem(b, loc, lane, 8);
    Value row = add(b, loc, n0, r);
    Value col = add(b, loc, k0, mul(b, loc, m, 8));
    return load(b, loc, smem, row, col, /*tiles=*/2, /*transpose=*/false);
  }

  Fragment loadBTransposed(OpBuilder &b, Location loc, Value smem, Value k0,
                           Value n0, Value lane) override {
    // x2.trans on [k][n] rows: matrix m holds k in [8m, 8m + 8), each 8x8
    // transposed so that the lane gets (k = 2t + h, n = g).
    Value m = rem(b, loc, div(b, loc, lane, 8), 2), r = rem(b, loc, lane, 8);
    Value row = add(b, loc, k0, add(b, loc, r, mul(b, loc, m, 8)));
    return load(b, loc, smem, row, n0, /*tiles=*/2, /*transpose=*/true);
  }

  Fragment mma(OpBuilder &b, Location loc, const Fragment &a,
               const Fragment &bf, const Fragment &c, Value lane) override {
    Type elem = a.front().getType();
    if (elem.isBF16())
      return mmaBF16(b, loc, a, bf, c);
    Value av = vector::FromElementsOp::create(
        b, loc, VectorType::get({4, 2}, elem), ValueRange(a));
    Value bv = vector::FromElementsOp::create(
        b, loc, VectorType::get({2, 2}, elem), ValueRange(bf));
    Value cv = vector::FromElementsOp::create(
        b, loc, VectorType::get({2, 2}, b.getF32Type()), ValueRange(c));
    Value d = nvgpu::MmaSyncOp::create(b, loc, av, bv, cv,
                                       ArrayRef<int64_t>{16, 8, 16});
    return elements(b, loc, d, 2);
  }

  Value shuffleXor(OpBuilder &b, Location loc, Value x, int64_t mask,
                   Value lane) override {
    return gpu::ShuffleOp::create(b, loc, x, mask, 32, gpu::ShuffleMode::XOR)
        .getShuffleResult();
  }

private:
  /// bf16 products as nvvm.mma.sync directly: MLIR 22's nvgpu-to-nvvm does
  /// not lower a bf16 nvgpu.mma.sync ("failed to deduce operand PTX
  /// types"). Operands are bf16x2 pairs packed into i32 registers, as PTX's
  /// `mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32` takes them.
  static Fragment mmaBF16(OpBuilder &b, Location loc, const Fragment &a,
                          const Fragment &bf, const Fragment &c) {
    auto pack = [&](const Fragment &f) {
      SmallVector<Value> registers;
      for (size_t i = 0; i < f.size(); i += 2) {
        Value pair = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, f[i].getType()),
            ValueRange{f[i], f[i + 1]});
        Value word = vector::BitCastOp::create(
            b, loc, VectorType::get({1}, b.getI32Type()), pair);
        registers.push_back(
            vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0}));
      }
      return registers;
    };
    Type f32 = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), SmallVector<Type>(4, f32));
    Value d = NVVM::MmaOp::create(
        b, loc, resultType, pack(a), pack(bf), ValueRange(c),
        ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                      NVVM::MMATypes::bf16},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    Fragment out;
    for (int64_t i = 0; i < 4; ++i)
      out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
    return out;
  }
  static Value cst(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  static Value div(OpBuilder &b, Location loc, Value x, int64_t v) {
    return arith::DivUIOp::create(b, loc, x, cst(b, loc, v));
  }
  static Value rem(OpBuilder &b, Location loc, Value x, int64_t v) {
    return arith::RemUIOp::create(b, loc, x, cst(b, loc, v));
  }
  static Value mul(OpBuilder &b, Location loc, Value x, int64_t v) {
    return arith::MulIOp::create(b, loc, x, cst(b, loc, v));
  }
  static Value add(OpBuilder &b, Location loc, Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y);
  }
  /// The scalars of a [registers x 2] fragment vector, register-major.
  static Fragment elements(OpBuilder &b, Location loc, Value v,
                           int64_t registers) {
    Fragment out;
    for (int64_t r = 0; r < registers; ++r)
      for (int64_t h = 0; h < 2; ++h)
        out.push_back(vector::ExtractOp::create(b, loc, v,
                                                ArrayRef<int64_t>{r, h}));
    return out;
  }
  static Fragment load(OpBuilder &b, Location loc, Value smem, Value row,
                       Value col, int64_t tiles, bool transpose) {
    Type elem = cast<MemRefType>(smem.getType()).getElementType();
    Value v = nvgpu::LdMatrixOp::create(
        b, loc, VectorType::get({tiles, 2}, elem), smem, ValueRange{row, col},
        b.getBoolAttr(transpose), b.getI32IntegerAttr(tiles));
    return elements(b, loc, v, tiles);
  }
};

struct AttnNVGPUMapAttentionPass
    : public mlir::attn::impl::AttnNVGPUMapAttentionPassBase<
          AttnNVGPUMapAttentionPass> {
  void runOnOperation() override {
    NVGPUWarpMatrixOps ops;
    if (failed(mapAttentionToGPU(getOperation(), ops)))
      signalPassFailure();
  }
};
} // namespace
