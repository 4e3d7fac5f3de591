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
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
///   (0: every swizzled buffer starts aligned to its swizzle pattern's
///   repeat, 8 rows of W bytes), [62, 64) swizzle mode (0 none, 1 128-byte,
///   2 64-byte, 3 32-byte).
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
///   bytes, along its rows 16 * cols bytes. A (P, or Q when staged) and
///   K-major B: LBO = 128, SBO = 16 * cols, k-step s at 256 s bytes. V
///   (MN-major): SBO = 128 (N), LBO = 16 * Dv (K), k-step s at 32 Dv s.
/// - Swizzled layouts (the same sources; CUTLASS's canonical forms with
///   swizzle W = 128/64/32 bytes, Swizzle<3|2|1,4,3>, rows of W bytes):
///   K-major ((8,m),(T,2k)):((W/16 T,SBO),(1,T)): 8 rows of W bytes, the
///   next 8 rows at SBO = 8 W; LBO is not used (CUTLASS sets 1) because a
///   wgmma's k = 16 elements (32 bytes) lie inside one W-byte row. The
///   k-step s (16 s elements) starts in column block 16 s / (W / 2), at
///   byte 2 (16 s % (W / 2)) of its first row: the start address moves
///   inside the swizzle atom and the hardware applies the XOR to the
///   address it forms, as TMA did when writing (CUTLASS's
///   DescriptorIterator adds such offsets to the start address).
///   MN-major ((T,W/16,m),(8,k)):((1,T,LBO),(W/16 T,SBO)): W / 2 columns
///   of N per row, the next W / 2 columns (column block) at LBO = rows x W,
///   8 rows of k at SBO = 8 W; k-step s at 16 W s bytes. The swizzle
///   itself (address bits [4, 4 + log2(W / 16)) XOR bits [7, ...)) is the
///   one TMA writes with CU_TENSOR_MAP_SWIZZLE_{W}B (CUDA driver API,
///   cuTensorMapEncodeTiled; the box's inner dimension must be W bytes,
///   which nvgpu's verifier also requires).
/// - nvvm.wgmma.mma_async maps layout row/col of A to imm-trans-a 0/1 and
///   col/row of B to imm-trans-b 0/1 (MLIR's NVVMDialect.cpp,
///   WgmmaMmaAsyncOp::getAsmValues).
/// - The start address must be 16-byte aligned (PTX ISA, "Register
///   Fragments and Shared Memory Matrix Layouts"); every offset above is a
///   multiple of 16.
/// - D (f32, m64nN): warp w of the warpgroup holds rows 16w .. 16w + 15;
///   register 4j + e is row 16w + g + 8 (e / 2), column 8j + 2t + e % 2
///   (PTX ISA, "Matrix Fragments for wgmma.mma_async.m64nNk16",
///   accumulator D; MLIR's NVGPUToNVVM.cpp, the nvgpu.warpgroup.mma.store
///   lowering, stores it so): the mma.m16n8 C fragment repeated along N.
/// - Operands written by plain stores (the generic proxy) are read by
///   wgmma through the async proxy: `fence.proxy.async.shared::cta` after
///   the writes, before the barrier (PTX ISA, "Memory Consistency Model",
///   proxies; CUTLASS's fence_view_async_shared before its wgmma). TMA
///   writes through the async proxy already; waiting on their mbarrier
///   makes them visible.
/// - `wgmma.fence` before the first wgmma and whenever the accumulator
///   registers were touched by other instructions (O's rescale) (PTX ISA,
///   "wgmma.fence").
class NVVMWarpgroupMatrixOps : public WarpgroupMatrixOps {
public:
  SmallVector<Value> mma(OpBuilder &b, Location loc, const WarpgroupOperand &a,
                         const WarpgroupOperand &bOperand, bool bKMajor,
                         int64_t n, int64_t kSteps, ValueRange acc,
                         bool accumulate) override {
    MLIRContext *ctx = b.getContext();
    Type elem = cast<MemRefType>(a.buffer.getType()).getElementType();
    NVVM::WGMMATypes type =
        elem.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16;
    Value aDesc = descriptor(b, loc, a, /*kMajor=*/true);
    Value bDesc = descriptor(b, loc, bOperand, bKMajor);
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
          b, loc, structType, d,
          advance(b, loc, aDesc, kStepBytes(a, /*kMajor=*/true, s)),
          advance(b, loc, bDesc, kStepBytes(bOperand, bKMajor, s)),
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
  /// Byte offset of the matrix of k-step `s` (16 elements of k) from the
  /// operand's start (the class comment).
  static int64_t kStepBytes(const WarpgroupOperand &operand, bool kMajor,
                            int64_t s) {
    int64_t w = operand.swizzleBytes;
    if (w == 0)
      return kMajor ? 256 * s : 32 * operand.cols * s;
    if (!kMajor)
      return 16 * w * s;
    int64_t blockCols = w / 2, k0 = 16 * s;
    return (k0 / blockCols) * operand.rows * w + 2 * (k0 % blockCols);
  }
  /// The descriptor of `operand` (its first element) as a K-major or
  /// MN-major wgmma operand (the class comment).
  static Value descriptor(OpBuilder &b, Location loc,
                          const WarpgroupOperand &operand, bool kMajor) {
    int64_t w = operand.swizzleBytes, lbo, sbo, mode;
    if (w == 0) {
      lbo = kMajor ? 128 : 16 * operand.cols;
      sbo = kMajor ? 16 * operand.cols : 128;
      mode = 0;
    } else {
      lbo = kMajor ? 16 : operand.rows * w;
      sbo = 8 * w;
      mode = w == 128 ? 1 : w == 64 ? 2 : 3;
    }
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, operand.buffer);
    address = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), address);
    // Bits [4, 18) of the shared-memory address (14 bits of address >> 4).
    Value start = arith::ShRUIOp::create(
        b, loc, arith::AndIOp::create(b, loc, address, i64(b, loc, 0x3FFFF)),
        i64(b, loc, 4));
    uint64_t fields = (uint64_t(lbo >> 4) << 16) | (uint64_t(sbo >> 4) << 32) |
                      (uint64_t(mode) << 62);
    return arith::OrIOp::create(b, loc, start,
                                i64(b, loc, static_cast<int64_t>(fields)));
  }
  /// The descriptor of the matrix `bytes` further (a multiple of 16; the
  /// start address field does not overflow for buffers under 256 KiB).
  static Value advance(OpBuilder &b, Location loc, Value desc, int64_t bytes) {
    if (bytes == 0)
      return desc;
    return arith::AddIOp::create(b, loc, desc, i64(b, loc, bytes >> 4));
  }
};

/// AsyncTileCopies by TMA (sm_90a): per operand a tensor map of the whole
/// rank-4 source memref, created on the host before the launch by
/// `nvgpu.tma.create.descriptor` (lowered to a call of the runtime's
/// `mgpuTensorMapEncodeTiledMemref`, lib/Runtime/GPU/CUDARuntime.cpp) with
/// boxes of [1, 1, boxRows, W / 2] (W = swizzleBytes(cols), the largest of
/// 128, 64, 32 dividing the row's bytes), the W-byte swizzle, zero fill out
/// of bounds; in the kernel `nvgpu.mbarrier`s (arrival count 1), thread 0
/// posting the expected bytes (`mbarrier.arrive.expect_tx`) and issuing
/// one `nvgpu.tma.async.load` (`cp.async.bulk.tensor`) per column block,
/// every thread waiting with `mbarrier.try_wait.parity`.
///
/// Facts, and where they come from:
/// - `nvgpu.tma.async.load` passes its coordinates to
///   `cp.async.bulk.tensor` unchanged (MLIR's NVGPUToNVVM.cpp,
///   NVGPUTmaAsyncLoadOpLowering), and PTX lists them from the tensor
///   map's dimension 0, the innermost (PTX ISA, "cp.async.bulk.tensor",
///   tensorCoords); the runtime encodes the memref's dims innermost first
///   (mgpuTensorMapEncodeTiledMemref, as upstream's
///   CudaRuntimeWrappers.cpp). So the coordinates are (column, row, head,
///   batch), while the box operands of create.descriptor are outermost
///   first.
/// - The destination's shape must equal the descriptor's box, rank for
///   rank, and a swizzled box's inner dimension must be W bytes (nvgpu's
///   verifyTmaDescriptorWithMemref).
/// - The bytes of a box count towards the transaction even where it lies
///   out of bounds and is zero-filled (CUDA programming guide, TMA; PTX
///   ISA, "complete-tx"): expect_tx posts the whole box.
/// - The swizzle pattern repeats every 8 rows of W bytes and is computed
///   from shared-memory address bits, so each destination is aligned to
///   1024 bytes (-attn-nvgpu-align-workgroup-buffers aligns TMA
///   destinations so) and every column block starts at a multiple of 8 W.
/// - mbarrier initialization is made visible to the async proxy with
///   `fence.mbarrier_init.release.cluster` and a barrier before use
///   (CUTLASS's fence_barrier_init; PTX ISA, "mbarrier").
class TMACopies : public AsyncTileCopies {
public:
  int64_t swizzleBytes(int64_t cols) const override {
    for (int64_t w : {128, 64, 32})
      if ((2 * cols) % w == 0)
        return w;
    return 0;
  }

  bool canCopy(Operation *launch, Value operand,
               bool zeroPastEnd) const override {
    return succeeded(traceView(launch, operand, zeroPastEnd));
  }

  unsigned prepare(OpBuilder &b, Operation *launch, Value operand,
                   int64_t boxRows, bool zeroPastEnd) override {
    View view = *traceView(launch, operand, zeroPastEnd);
    MLIRContext *ctx = b.getContext();
    auto rootType = cast<MemRefType>(view.root.getType());
    Type elem = rootType.getElementType();
    int64_t cols = rootType.getDimSize(3), w = swizzleBytes(cols);
    Location loc = launch->getLoc();

    // Host: the tensor map of the whole source.
    OpBuilder host(launch);
    Value unranked = memref::CastOp::create(
        host, loc, UnrankedMemRefType::get(elem, rootType.getMemorySpace()),
        view.root);
    SmallVector<Value> box;
    for (int64_t size : {int64_t(1), int64_t(1), boxRows, w / 2})
      box.push_back(arith::ConstantIndexOp::create(host, loc, size));
    auto workgroup =
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    auto boxType = MemRefType::get({1, 1, boxRows, w / 2}, elem,
                                   MemRefLayoutAttrInterface{}, workgroup);
    auto swizzle = w == 128  ? nvgpu::TensorMapSwizzleKind::SWIZZLE_128B
                   : w == 64 ? nvgpu::TensorMapSwizzleKind::SWIZZLE_64B
                             : nvgpu::TensorMapSwizzleKind::SWIZZLE_32B;
    auto descType = nvgpu::TensorMapDescriptorType::get(
        ctx, boxType, swizzle, nvgpu::TensorMapL2PromoKind::L2PROMO_128B,
        nvgpu::TensorMapOOBKind::OOB_ZERO,
        nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
    Value descriptor = nvgpu::TmaCreateDescriptorOp::create(
        host, loc, descType, unranked, box);

    // Kernel: the view's offsets in the source, summed along the chain.
    Location at = operand.getLoc();
    SmallVector<Value> offsets;
    for (int64_t d = 0; d < 4; ++d) {
      Value sum = arith::ConstantIndexOp::create(b, at, 0);
      for (ArrayRef<OpFoldResult> level : view.offsets)
        sum = arith::AddIOp::create(
            b, at, sum, getValueOrCreateConstantIndexOp(b, at, level[d]));
      offsets.push_back(sum);
    }
    prepared.push_back({descriptor, offsets, boxRows, cols, w});
    return prepared.size() - 1;
  }

  void createBarriers(OpBuilder &b, Location loc, Value threadId,
                      int64_t count) override {
    MLIRContext *ctx = b.getContext();
    leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, threadId,
                                   arith::ConstantIndexOp::create(b, loc, 0));
    auto type = nvgpu::MBarrierGroupType::get(
        ctx, gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup),
        count);
    barriers = nvgpu::MBarrierCreateOp::create(b, loc, type);
    {
      auto ifOp = scf::IfOp::create(b, loc, leader, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t i = 0; i < count; ++i)
        nvgpu::MBarrierInitOp::create(
            b, loc, barriers, one, arith::ConstantIndexOp::create(b, loc, i),
            /*predicate=*/Value());
      NVVM::FenceMbarrierInitOp::create(b, loc);
      // The tensor maps of this tile (prepared since the last tile's).
      for (const Prepared &p : llvm::drop_begin(prepared, tileStart))
        nvgpu::TmaPrefetchOp::create(b, loc, p.descriptor,
                                     /*predicate=*/Value());
    }
    tileStart = prepared.size();
    gpu::BarrierOp::create(b, loc);
  }

  void copy(OpBuilder &b, Location loc, unsigned id, Value row0, Value dst,
            int64_t barrier) override {
    const Prepared &p = prepared[id];
    auto ifOp = scf::IfOp::create(b, loc, leader, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    auto cst = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value barrierId = cst(barrier);
    int64_t elemBytes = 2, blockCols = p.swizzle / 2;
    nvgpu::MBarrierArriveExpectTxOp::create(
        b, loc, barriers, cst(p.boxRows * p.cols * elemBytes), barrierId,
        /*predicate=*/Value());
    auto dstType = cast<MemRefType>(dst.getType());
    Value row = arith::AddIOp::create(b, loc, p.offsets[2], row0);
    for (int64_t block = 0; block < p.cols / blockCols; ++block) {
      int64_t offset = block * p.boxRows * blockCols;
      auto layout = StridedLayoutAttr::get(
          b.getContext(), offset,
          {p.boxRows * blockCols, p.boxRows * blockCols, blockCols, 1});
      auto boxType =
          MemRefType::get({1, 1, p.boxRows, blockCols},
                          dstType.getElementType(), layout,
                          dstType.getMemorySpace());
      Value view = memref::ReinterpretCastOp::create(
          b, loc, boxType, dst, offset,
          ArrayRef<int64_t>{1, 1, p.boxRows, blockCols},
          ArrayRef<int64_t>{p.boxRows * blockCols, p.boxRows * blockCols,
                            blockCols, 1});
      Value col = arith::AddIOp::create(b, loc, p.offsets[3],
                                        cst(block * blockCols));
      // Innermost first (the class comment).
      nvgpu::TmaAsyncLoadOp::create(
          b, loc, view, barriers, p.descriptor,
          ValueRange{col, row, p.offsets[1], p.offsets[0]}, barrierId,
          /*multicastMask=*/Value(), /*predicate=*/Value());
    }
  }

  void wait(OpBuilder &b, Location loc, int64_t barrier,
            Value parity) override {
    // The suspend-time hint of upstream's sm90 integration tests.
    Value ticks = arith::ConstantIndexOp::create(b, loc, 10000000);
    nvgpu::MBarrierTryWaitParityOp::create(
        b, loc, barriers, parity, ticks,
        arith::ConstantIndexOp::create(b, loc, barrier));
  }

private:
  /// A rank-4 tile operand as a view of its source: the source memref
  /// (defined above the launch) and the offsets of each subview of the
  /// chain, outermost view last.
  struct View {
    Value root;
    SmallVector<SmallVector<OpFoldResult>> offsets;
  };
  struct Prepared {
    Value descriptor;
    SmallVector<Value> offsets;
    int64_t boxRows, cols, swizzle;
  };

  static FailureOr<View> traceView(Operation *launch, Value operand,
                                   bool zeroPastEnd) {
    auto tileType = dyn_cast<MemRefType>(operand.getType());
    if (!tileType || tileType.getRank() != 4 || tileType.isDynamicDim(3))
      return failure();
    View view;
    Value value = operand;
    // Static row offset of the chain (for zeroPastEnd), when known.
    std::optional<int64_t> rowOffset = 0;
    while (auto subview = value.getDefiningOp<memref::SubViewOp>()) {
      if (!launch->isProperAncestor(subview) ||
          subview.getSourceType().getRank() != 4 ||
          subview.getType().getRank() != 4 ||
          !llvm::all_of(subview.getStaticStrides(),
                        [](int64_t s) { return s == 1; }))
        return failure();
      view.offsets.push_back(subview.getMixedOffsets());
      std::optional<int64_t> rows =
          getConstantIntValue(subview.getMixedOffsets()[2]);
      rowOffset = rowOffset && rows ? std::optional(*rowOffset + *rows)
                                    : std::nullopt;
      std::optional<int64_t> cols =
          getConstantIntValue(subview.getMixedOffsets()[3]);
      if (!cols || *cols != 0)
        return failure();
      value = subview.getSource();
    }
    if (launch->getRegion(0).isAncestor(value.getParentRegion()))
      return failure();
    auto rootType = dyn_cast<MemRefType>(value.getType());
    if (!rootType || rootType.getRank() != 4 ||
        !rootType.getLayout().isIdentity() ||
        rootType.getElementTypeBitWidth() != 16 ||
        rootType.getDimSize(3) != tileType.getDimSize(3))
      return failure();
    // TMA: the global address and the strides of the outer dims are
    // multiples of 16 bytes (cuTensorMapEncodeTiled); rows of D 16-bit
    // elements with D a multiple of 8 are.
    if ((2 * rootType.getDimSize(3)) % 16 != 0)
      return failure();
    if (zeroPastEnd &&
        (!rowOffset || tileType.isDynamicDim(2) ||
         rootType.isDynamicDim(2) ||
         *rowOffset + tileType.getDimSize(2) != rootType.getDimSize(2)))
      return failure();
    view.root = value;
    return view;
  }

  SmallVector<Prepared> prepared;
  size_t tileStart = 0;
  Value barriers, leader;
};

struct AttnNVGPUMapAttentionPass
    : public mlir::attn::impl::AttnNVGPUMapAttentionPassBase<
          AttnNVGPUMapAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    NVGPUWarpMatrixOps ops;
    NVVMWarpgroupMatrixOps warpgroupOps;
    TMACopies copies;
    if (failed(mapAttentionToGPU(getOperation(), ops, &warpgroupOps,
                                 useTMA ? &copies : nullptr)))
      signalPassFailure();
  }
};
} // namespace
