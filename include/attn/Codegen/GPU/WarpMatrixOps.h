//===- WarpMatrixOps.h - warp-level matrix primitives -----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The few warp-level primitives of the tensor-core attention mapping, with
// the fragment layouts of PTX's `mma.m16n8k16` (PTX ISA, "Matrix Fragments
// for mma.m16n8k16 with floating point type"): the generic emitter
// (MapAttention.cpp) is written against this interface; the NVVM leaf
// implements it with `nvgpu.ldmatrix`, `nvgpu.mma.sync` and `gpu.shuffle`
// (Codegen/LLVMGPU), and `EmulatedWarpMatrixOps` implements the same
// semantics with workgroup memory and barriers, so that the mapping runs
// on OpenCL devices without tensor cores or subgroups (PoCL) and is
// checked there.
//
// A warp is 32 consecutive threads; lane l has groupID g = l / 4 and
// threadID_in_group t = l % 4. Fragments are lists of scalars in PTX's
// element order:
//   A (16x16, 8 elements): element i is row g + 8 * (i / 2 % 2), column
//     2t + i % 2 + 8 * (i / 4);
//   B (16x8, k x n, 4 elements): element i is k = 2t + i % 2 + 8 * (i / 2),
//     n = g;
//   C (16x8 f32, 4 elements): element i is row g + 8 * (i / 2), column
//     2t + i % 2.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CODEGEN_GPU_WARPMATRIXOPS_H
#define ATTN_CODEGEN_GPU_WARPMATRIXOPS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::attn {

/// Scalars of one lane's share of a matrix fragment (see the file comment).
using Fragment = SmallVector<Value, 8>;

/// Warp-level matrix primitives with `mma.m16n8k16` semantics: A and B of a
/// 16-bit float type (f16 or bf16), C and D f32. All of them must be called
/// by every thread of the workgroup in uniform control flow (the emulation
/// synchronizes the workgroup).
class WarpMatrixOps {
public:
  virtual ~WarpMatrixOps();

  /// Workgroup buffers the implementation needs besides the kernel's, for
  /// `warps` warps; `bind` receives them (in order) before any other call.
  virtual SmallVector<Type> scratchBuffers(MLIRContext *ctx,
                                           int64_t warps) const {
    return {};
  }
  virtual void bind(ValueRange scratch, Value threadId) {}

  /// A fragment of the 16x16 tile at (row0, col0) of the row-major
  /// workgroup buffer `smem` ([rows][cols] of the 16-bit type).
  virtual Fragment loadA(OpBuilder &b, Location loc, Value smem, Value row0,
                         Value col0, Value lane) = 0;
  /// B fragment (k = 16, n = 8) of a buffer stored [n][k] (e.g. K rows, for
  /// S = Q K^T): element (k, n) is smem[n0 + n][k0 + k].
  virtual Fragment loadB(OpBuilder &b, Location loc, Value smem, Value n0,
                         Value k0, Value lane) = 0;
  /// B fragment of a buffer stored [k][n] (e.g. V rows, for O = P V):
  /// element (k, n) is smem[k0 + k][n0 + n].
  virtual Fragment loadBTransposed(OpBuilder &b, Location loc, Value smem,
                                   Value k0, Value n0, Value lane) = 0;
  /// D = A B + C on one warp's fragments.
  virtual Fragment mma(OpBuilder &b, Location loc, const Fragment &a,
                       const Fragment &bf, const Fragment &c, Value lane) = 0;
  /// The f32 `x` of lane `lane ^ mask` (mask < 32: within the warp).
  virtual Value shuffleXor(OpBuilder &b, Location loc, Value x, int64_t mask,
                           Value lane) = 0;
};

/// The semantics of WarpMatrixOps in plain loads, stores and workgroup
/// barriers: loads read the lane's elements directly; `mma` and
/// `shuffleXor` exchange operands through per-warp workgroup scratch
/// between two barriers. For targets without tensor cores or subgroup
/// shuffles (OpenCL on PoCL), where it checks the tensor-core mapping's
/// fragment bookkeeping numerically; slow (two barriers per mma).
class EmulatedWarpMatrixOps : public WarpMatrixOps {
public:
  SmallVector<Type> scratchBuffers(MLIRContext *ctx,
                                   int64_t warps) const override;
  void bind(ValueRange scratch, Value threadId) override;
  Fragment loadA(OpBuilder &b, Location loc, Value smem, Value row0,
                 Value col0, Value lane) override;
  Fragment loadB(OpBuilder &b, Location loc, Value smem, Value n0, Value k0,
                 Value lane) override;
  Fragment loadBTransposed(OpBuilder &b, Location loc, Value smem, Value k0,
                           Value n0, Value lane) override;
  Fragment mma(OpBuilder &b, Location loc, const Fragment &a,
               const Fragment &bf, const Fragment &c, Value lane) override;
  Value shuffleXor(OpBuilder &b, Location loc, Value x, int64_t mask,
                   Value lane) override;

private:
  /// [warps][16][16] f32 (A), [warps][16][8] f32 (B), [threads] f32.
  Value aScratch, bScratch, shuffleScratch, threadId;
};

//===----------------------------------------------------------------------===//
// Warpgroup products (wgmma)
//===----------------------------------------------------------------------===//

/// Element offset of element (row, col) of a [rows][cols] matrix of a 16-bit
/// type stored in a flat workgroup buffer in the tiled layout of the
/// warpgroup mapping: 8 x 8 blocks of 128 contiguous bytes (the "core
/// matrices" of the PTX ISA's wgmma shared-memory layouts: 8 rows of 16
/// bytes), block (row / 8, col / 8) at element 64 * ((row / 8) * (cols / 8) +
/// col / 8), element (row % 8, col % 8) at 8 * (row % 8) + col % 8 in it.
/// `cols` must be a multiple of 8. Row-major sources are copied into it in
/// 16-byte chunks (8 elements of one row).
Value emitTiledOffset(OpBuilder &b, Location loc, Value row, Value col,
                      int64_t cols);

/// A [rows][cols] matrix of a 16-bit type at element 0 of a flat workgroup
/// buffer, in one of the layouts a warpgroup product reads:
/// - `swizzleBytes` = 0: the tiled core-matrix layout of `emitTiledOffset`
///   (what the threads' 16-byte staging stores write);
/// - `swizzleBytes` = W (32, 64 or 128): the layout of TMA copies of boxes
///   of W / 2 columns with the W-byte swizzle: column block `col / (W / 2)`
///   at byte `(col / (W / 2)) * rows * W`, row `row` of a block at `row * W`
///   bytes in it, and in the byte address (from a buffer aligned to 8 W)
///   bits [4, 4 + log2(W / 16)) XORed with bits [7, 7 + log2(W / 16)) (the
///   16-byte chunk index with the row's phase). `rows` must be a multiple
///   of 8 and `cols` of W / 2.
struct WarpgroupOperand {
  Value buffer;
  int64_t rows = 0, cols = 0;
  int64_t swizzleBytes = 0;
};

/// Element offset of element (row, col) of `operand` in its buffer.
Value emitWarpgroupOperandOffset(OpBuilder &b, Location loc,
                                 const WarpgroupOperand &operand, Value row,
                                 Value col);

/// Warpgroup-level products with `wgmma.mma_async.m64nNk16` semantics
/// (PTX ISA, "Asynchronous Warpgroup Level Matrix Multiply-Accumulate"): 4
/// warps (threads 0-127 of the workgroup) compute a 64 x n product whose
/// operands are in workgroup memory (WarpgroupOperand layouts).
/// Accumulators are f32; warp w holds rows 16w .. 16w + 15
/// and, per 8 columns j, a C fragment of `mma.m16n8k16` (WarpMatrixOps.h):
/// element 4j + e of a thread is row 16w + g + 8 (e / 2), column 8j + 2t +
/// e % 2. Must be called by all 128 threads in uniform control flow, after
/// the operands' writes were ordered by `fenceOperandWrites` and a barrier
/// (or, for asynchronous copies, after waiting for them).
class WarpgroupMatrixOps {
public:
  virtual ~WarpgroupMatrixOps();

  /// Receives the thread's id in the workgroup before any other call.
  virtual void bind(Value threadId) {}
  /// D = A B (+ `acc` when `accumulate`) with A = the [64][a.cols] matrix
  /// `a` (A's k dimension along its columns), k = 16 * kSteps (columns
  /// [0, k) of A), n columns. With `bKMajor`, `bOperand` is a [n][cols]
  /// matrix holding B transposed (element (k, j) of B at row j, column k:
  /// K rows for S = Q K^T); otherwise a [k][cols] matrix holding B (element
  /// (k, j) at row k, column j: V rows for O = P V; cols = n). `acc` has
  /// n / 2 elements (ignored unless `accumulate`); returns D's n / 2
  /// elements.
  virtual SmallVector<Value> mma(OpBuilder &b, Location loc,
                                 const WarpgroupOperand &a,
                                 const WarpgroupOperand &bOperand,
                                 bool bKMajor, int64_t n, int64_t kSteps,
                                 ValueRange acc, bool accumulate) = 0;
  /// Orders the calling thread's plain stores to workgroup memory before
  /// later products that read them (the products read through another
  /// memory proxy on NVIDIA GPUs); a barrier must follow before the product.
  virtual void fenceOperandWrites(OpBuilder &b, Location loc) {}
};

/// Asynchronous copies of row blocks of tile operands from global into
/// workgroup memory, each completing the current phase of a barrier in
/// workgroup memory (TMA with mbarriers on sm_90a). The warpgroup mapping
/// uses them when the target has them and every operand can be prepared;
/// otherwise its threads stage the operands.
class AsyncTileCopies {
public:
  virtual ~AsyncTileCopies();

  /// The swizzle width in bytes (WarpgroupOperand) of the layout that
  /// copies of `cols`-wide rows of 16-bit elements produce.
  virtual int64_t swizzleBytes(int64_t cols) const = 0;
  /// Whether `prepare` takes `operand` (same arguments); emits nothing.
  virtual bool canCopy(Operation *launch, Value operand,
                       bool zeroPastEnd) const = 0;
  /// Prepares copies of [boxRows][cols] row blocks of the rank-4 tile
  /// operand `operand` ([1, 1, rows, cols], a chain of unit-stride
  /// memref.subviews inside `launch` of a memref defined above it), with `b`
  /// at the tile: emits the host-side setup before `launch` and the view's
  /// offsets at `b`. With `zeroPastEnd`, rows past the end of the tile must
  /// read as zeros (the tile must reach the end of its source's rows).
  /// Returns the id for `copy`; `canCopy` must hold.
  virtual unsigned prepare(OpBuilder &b, Operation *launch,
                                      Value operand, int64_t boxRows,
                                      bool zeroPastEnd) = 0;
  /// In the kernel, before any copy: creates `count` barriers (thread 0
  /// initializes them) and synchronizes the workgroup.
  virtual void createBarriers(OpBuilder &b, Location loc, Value threadId,
                              int64_t count) = 0;
  /// Thread 0 starts the copy of rows [row0, row0 + boxRows) of operand
  /// `id` into the flat workgroup buffer `dst` (WarpgroupOperand layout
  /// with swizzleBytes(cols)), completing barrier `barrier`'s current
  /// phase. Rows past the source read as zeros. Call with all threads.
  virtual void copy(OpBuilder &b, Location loc, unsigned id, Value row0,
                    Value dst, int64_t barrier) = 0;
  /// Waits until barrier `barrier` completes the phase of parity `parity`
  /// (i1: 0 for its first phase, then alternating).
  virtual void wait(OpBuilder &b, Location loc, int64_t barrier,
                    Value parity) = 0;
};

/// The semantics of WarpgroupMatrixOps in plain loads: each thread computes
/// its own accumulator elements from the operands in workgroup memory (an
/// f32 FMA loop over k). For targets without wgmma (PoCL), where it checks
/// the warpgroup mapping's staging, layouts and fragment bookkeeping.
class EmulatedWarpgroupMatrixOps : public WarpgroupMatrixOps {
public:
  void bind(Value threadIdValue) override { threadId = threadIdValue; }
  SmallVector<Value> mma(OpBuilder &b, Location loc,
                         const WarpgroupOperand &a,
                         const WarpgroupOperand &bOperand, bool bKMajor,
                         int64_t n, int64_t kSteps, ValueRange acc,
                         bool accumulate) override;

private:
  Value threadId;
};

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPU_WARPMATRIXOPS_H
