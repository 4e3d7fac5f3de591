//===- MapAttentionNVGPU.cpp - tensor-core warp primitives ------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// WarpMatrixOps for NVIDIA GPUs (sm_80 and newer): the fragment layouts of
// Codegen/GPU/WarpMatrixOps.h produced by `ldmatrix` and consumed by
// `mma.sync.m16n8k16` (PTX ISA, "Warp-level matrix load instruction:
// ldmatrix" and "Matrix Fragments for mma.m16n8k16"); and WarpgroupMatrixOps
// for sm_90a with `wgmma.mma_async` on shared-memory descriptors.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/MapAttention.h"
#include "attn/Codegen/LLVMGPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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

/// WarpgroupMatrixOps for sm_90a: `wgmma.mma_async.sync.aligned.m64nNk16`
/// (`nvvm.wgmma.mma_async`) on 64-bit shared-memory matrix descriptors built
/// with arith ops, between `wgmma.fence` and `wgmma.commit_group` +
/// `wgmma.wait_group 0`.
///
/// Layout facts, and where they come from:
/// - Descriptor bits (PTX ISA, "Matrix Descriptor Format" of the
///   asynchronous warpgroup-level matrix instructions; the same fields as
///   CUTLASS's `GmmaDescriptor` in cute/arch/mma_sm90_desc.hpp): [0, 14)
///   start address >> 4, [16, 30) leading dimension byte offset (LBO) >> 4,
///   [32, 46) stride dimension byte offset (SBO) >> 4, [49, 52) base offset
///   (0: the tiles start 128-byte aligned in the no-swizzle layout, where it
///   is unused), [62, 64) swizzle mode (0: none).
/// - No-swizzle layouts (PTX ISA, "Shared Memory Matrix Layout": the
///   swizzle atom of mode None is one 16-byte "core matrix" row x 8 rows,
///   8x1 (K-major) or 1x8 (MN-major) in 128-bit elements; the canonical
///   forms in CUTLASS's make_gmma_desc, cute/atom/mma_traits_sm90_gmma.hpp,
///   INTERLEAVE: K-major ((8,m),(T,2k)):((1T,SBO),(1,LBO)), MN-major
///   ((T,1,m),(8,k)):((1,T,SBO),(1T,LBO)), T = 8 16-bit elements): a core
///   matrix is 8 rows of 16 contiguous bytes (128 bytes); LBO is the
///   distance between core matrices adjacent along K, SBO along M or N, for
///   both K-major and MN-major operands. In the tiled layout of
///   emitTiledOffset, a [rows][cols] matrix has core matrix (r / 8, c / 8)
///   at byte 128 * ((r / 8) * (cols / 8) + c / 8): along its columns 128
///   bytes, along its rows 16 * cols bytes.
/// - A = Q or P ([64][k], K along the columns, K-major, imm-trans-a = 0):
///   LBO = 128, SBO = 16 * cols; k-step s starts 2 core matrices (256
///   bytes) further. B = K ([n][D] rows, K-major, imm-trans-b = 0): the
///   same. B = V ([k][Dv] rows: N along the columns, MN-major,
///   imm-trans-b = 1): SBO = 128 (N), LBO = 16 * Dv (K); k-step s starts
///   2 row blocks (32 * Dv bytes) further. nvvm.wgmma.mma_async maps
///   layout row/col of A to imm-trans-a 0/1 and col/row of B to imm-trans-b
///   0/1 (MLIR's NVVMDialect.cpp, WgmmaMmaAsyncOp::getAsmValues).
/// - The start address must be 16-byte aligned (PTX ISA, "Register
///   Fragments and Shared Memory Matrix Layouts"); the buffers are (vector
///   stores of 16 bytes) and every offset above is a multiple of 128.
/// - D (f32, m64nN): warp w of the warpgroup holds rows 16w .. 16w + 15;
///   register 4j + e is row 16w + g + 8 (e / 2), column 8j + 2t + e % 2
///   (PTX ISA, "Matrix Fragments for wgmma.mma_async.m64nNk16",
///   accumulator D; MLIR's NVGPUToNVVM.cpp, the nvgpu.warpgroup.mma.store
///   lowering, stores it so): the mma.m16n8 C fragment repeated along N.
/// - Operands written by plain stores (the generic proxy) are read by
///   wgmma through the async proxy: `fence.proxy.async.shared::cta` after
///   the writes, before the barrier (PTX ISA, "Memory Consistency Model",
///   proxies; CUTLASS's fence_view_async_shared before its wgmma).
/// - `wgmma.fence` before the first wgmma and whenever the accumulator
///   registers were touched by other instructions (O's rescale) (PTX ISA,
///   "wgmma.fence").
class NVVMWarpgroupMatrixOps : public WarpgroupMatrixOps {
public:
  SmallVector<Value> mma(OpBuilder &b, Location loc, Value a, int64_t aCols,
                         Value bBuf, int64_t bCols, bool bKMajor, int64_t n,
                         int64_t kSteps, ValueRange acc,
                         bool accumulate) override {
    MLIRContext *ctx = b.getContext();
    Type elem = cast<MemRefType>(a.getType()).getElementType();
    NVVM::WGMMATypes type =
        elem.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
    Value aDesc = descriptor(b, loc, a, /*lbo=*/128, /*sbo=*/16 * aCols);
    Value bDesc = bKMajor
                      ? descriptor(b, loc, bBuf, /*lbo=*/128, /*sbo=*/16 * bCols)
                      : descriptor(b, loc, bBuf, /*lbo=*/16 * bCols, /*sbo=*/128);
    int64_t aStep = 256, bStep = bKMajor ? 256 : 32 * bCols;
    Type f32 = b.getF32Type();
    auto structType =
        LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(n / 2, f32));
    Value d = LLVM::UndefOp::create(b, loc, structType);
    if (accumulate)
      for (int64_t i = 0; i < n / 2; ++i)
        d = LLVM::InsertValueOp::create(b, loc, d, acc[i], i);
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t s = 0; s < kSteps; ++s) {
      auto scaleD = s == 0 && !accumulate ? NVVM::WGMMAScaleOut::zero
                                          : NVVM::WGMMAScaleOut::one;
      d = NVVM::WgmmaMmaAsyncOp::create(
          b, loc, structType, d, advance(b, loc, aDesc, s * aStep),
          advance(b, loc, bDesc, s * bStep),
          NVVM::MMAShapeAttr::get(ctx, 64, n, 16), type, type,
          NVVM::WGMMATypes::f32, scaleD, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row,
          bKMajor ? NVVM::MMALayout::col : NVVM::MMALayout::row,
          /*satfinite=*/nullptr);
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
    SmallVector<Value> out;
    for (int64_t i = 0; i < n / 2; ++i)
      out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
    return out;
  }

  void fenceOperandWrites(OpBuilder &b, Location loc) override {
    NVVM::FenceProxyOp::create(
        b, loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
  }

private:
  static Value i64(OpBuilder &b, Location loc, int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  /// The no-swizzle descriptor of the workgroup buffer `buffer` (its first
  /// element) with the given byte offsets.
  static Value descriptor(OpBuilder &b, Location loc, Value buffer,
                          int64_t lbo, int64_t sbo) {
    Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc,
                                                                  buffer);
    address = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), address);
    // Bits [4, 18) of the shared-memory address (14 bits of address >> 4).
    Value start = arith::ShRUIOp::create(
        b, loc, arith::AndIOp::create(b, loc, address, i64(b, loc, 0x3FFFF)),
        i64(b, loc, 4));
    int64_t fields = ((lbo >> 4) << 16) | ((sbo >> 4) << 32);
    return arith::OrIOp::create(b, loc, start, i64(b, loc, fields));
  }
  /// The descriptor of the matrix `bytes` further (a multiple of 16; the
  /// start address field does not overflow for buffers under 256 KiB).
  static Value advance(OpBuilder &b, Location loc, Value desc, int64_t bytes) {
    if (bytes == 0)
      return desc;
    return arith::AddIOp::create(b, loc, desc, i64(b, loc, bytes >> 4));
  }
};

struct AttnNVGPUMapAttentionPass
    : public mlir::attn::impl::AttnNVGPUMapAttentionPassBase<
          AttnNVGPUMapAttentionPass> {
  void runOnOperation() override {
    NVGPUWarpMatrixOps ops;
    NVVMWarpgroupMatrixOps warpgroupOps;
    if (failed(mapAttentionToGPU(getOperation(), ops, &warpgroupOps)))
      signalPassFailure();
  }
};
} // namespace
