//===- VectorizeMatmuls.cpp - register-tile upstream matmuls ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The projections around attention are `linalg.matmul`/`batch_matmul`; left
// alone they become scalar loops. This pass tiles them (scf.for), peels the
// partial tiles so the main tiles are static, and vectorizes those.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/LLVMCPU/Passes.h"

#include "attn/Codegen/LLVMCPU/CPUTargetInfo.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNVECTORIZEMATMULSPASS
#include "attn/Codegen/LLVMCPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Tiles `op` with `sizes` into loops of `loopType` and replaces it with the
/// loops' results.
static FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
     scf::SCFTilingOptions::LoopType loopType) {
  scf::SCFTilingOptions options;
  options.setLoopType(loopType);
  SmallVector<OpFoldResult> tileSizes;
  for (int64_t size : sizes)
    tileSizes.push_back(rewriter.getIndexAttr(size));
  options.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (succeeded(tiled))
    rewriter.replaceOp(op, tiled->replacements);
  return tiled;
}

/// Tiles `op` into register tiles of `sizes` (scf.for) and peels every tile
/// loop, so that the full tiles get static shapes.
static LogicalResult tileAndPeel(RewriterBase &rewriter, linalg::LinalgOp op,
                                 ArrayRef<int64_t> sizes) {
  FailureOr<scf::SCFTilingResult> tiled =
      tile(rewriter, op, sizes, scf::SCFTilingOptions::LoopType::ForOp);
  if (failed(tiled))
    return failure();
  // Peel innermost first so that outer peeling clones static inner loops.
  for (LoopLikeOpInterface loop : llvm::reverse(tiled->loops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    if (!forOp)
      continue;
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
  }
  return success();
}

/// The row length (static size of dim 1) of the tensor that `v` slices,
/// through any chain of tensor.extract_slice; -1 when unknown.
static int64_t rootRowLength(Value v) {
  while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>())
    v = slice.getSource();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() != 2 || type.isDynamicDim(1))
    return -1;
  return type.getDimSize(1);
}

/// Packs the B operand of the K panel `op` (a 2-D f32 `linalg.matmul` whose
/// B is KC x NC with a static KC; a partial last strip is padded with zeros)
/// into strips of
/// `cols` columns, each KC x cols and contiguous ([NC / cols, KC, cols], as
/// BLIS packs B panels), and replaces `op` by scf.for loops over blocks of
/// `blockRows` rows of A and C and, inside, over the strips, whose bodies
/// are `linalg.matmul`s of an A block by one strip (BLIS's loop order: the
/// packed panel is reused by every row block). Returns those matmuls, or
/// failure (and leaves `op` alone) when B does not fit. With `packA`, each
/// row block of A is also copied into a buffer with rows KC floats apart
/// (for A whose rows lie a multiple of 2 KB apart: the 6 or 12 rows a
/// register tile broadcasts from would share L1 sets).
///
/// Without it, a register tile reads its B rows `N` floats apart: for
/// N = 1024 every row of a strip falls into the same L1 set (4 KB stride),
/// and 1024^3 ran at half the speed of 768-wide matrices.
static FailureOr<SmallVector<linalg::MatmulOp>>
packPanel(RewriterBase &rewriter, linalg::MatmulOp op, int64_t cols,
          int64_t blockRows, bool packA) {
  Value a = op.getDpsInputOperand(0)->get();
  Value b = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  auto bType = dyn_cast<RankedTensorType>(b.getType());
  if (!bType || bType.isDynamicDim(0) || !bType.getElementType().isF32())
    return failure();
  int64_t depth = bType.getDimSize(0);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(rewriter, loc, v).getResult();
  };
  Value zero = index(0), one = index(1), colsValue = index(cols);
  Value pad = arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getF32FloatAttr(0.0f));
  auto rowType = VectorType::get({cols}, rewriter.getF32Type());
  // A panel whose columns are a static multiple of `cols` reads whole
  // vectors; otherwise the last strip is padded with zeros.
  bool whole = !bType.isDynamicDim(1) && bType.getDimSize(1) % cols == 0;
  SmallVector<bool> inBounds = {whole};
  Value n = tensor::DimOp::create(rewriter, loc, b, 1);
  Value strips = arith::CeilDivSIOp::create(rewriter, loc, n, colsValue);

  // packed[s, k, j] = B[k, s * cols + j], one vector row at a time.
  Value packed = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{strips, rewriter.getIndexAttr(depth),
                                            rewriter.getIndexAttr(cols)},
      rewriter.getF32Type());
  auto stripLoop = scf::ForOp::create(
      rewriter, loc, zero, strips, one, ValueRange{packed},
      [&](OpBuilder &b1, Location l1, Value s, ValueRange acc1) {
        Value col = arith::MulIOp::create(b1, l1, s, colsValue);
        auto rowLoop = scf::ForOp::create(
            b1, l1, zero, index(depth), one, acc1,
            [&](OpBuilder &b2, Location l2, Value k, ValueRange acc2) {
              Value row = vector::TransferReadOp::create(
                  b2, l2, rowType, b, ValueRange{k, col}, pad, inBounds);
              Value dst = vector::TransferWriteOp::create(
                              b2, l2, row, acc2[0], ValueRange{s, k, zero},
                              ArrayRef<bool>{true})
                              .getResult();
              scf::YieldOp::create(b2, l2, dst);
            });
        scf::YieldOp::create(b1, l1, rowLoop.getResult(0));
      });
  packed = stripLoop.getResult(0);

  // For each block of `blockRows` rows (its A part, blockRows x KC, stays in
  // L2 across the strips): C[rows, s * cols : (s + 1) * cols] +=
  // A[rows] * packed[s].
  SmallVector<scf::ForOp> stripLoops;
  Value m = tensor::DimOp::create(rewriter, loc, c, 0);
  auto loop = scf::ForOp::create(
      rewriter, loc, zero, m, index(blockRows), ValueRange{c},
      [&](OpBuilder &b0, Location l0, Value i, ValueRange cAcc) {
        OpFoldResult oneAttr = b0.getIndexAttr(1);
        OpFoldResult zeroAttr = b0.getIndexAttr(0);
        Value left = arith::SubIOp::create(b0, l0, m, i);
        Value rows = arith::MinSIOp::create(
            b0, l0, left, arith::ConstantIndexOp::create(b0, l0, blockRows));
        SmallVector<OpFoldResult> unit = {oneAttr, oneAttr};
        Value aBlock = tensor::ExtractSliceOp::create(
            b0, l0, a, ArrayRef<OpFoldResult>{i, zeroAttr},
            ArrayRef<OpFoldResult>{rows, b0.getIndexAttr(depth)}, unit);
        if (packA) {
          // A copy of the block with rows KC floats apart.
          Value aPacked = tensor::EmptyOp::create(
              b0, l0, ArrayRef<OpFoldResult>{rows, b0.getIndexAttr(depth)},
              b0.getF32Type());
          SmallVector<bool> chunkInBounds = {depth % cols == 0};
          auto rowLoop = scf::ForOp::create(
              b0, l0, zero, rows, one, ValueRange{aPacked},
              [&](OpBuilder &b1, Location l1, Value r, ValueRange acc1) {
                auto chunkLoop = scf::ForOp::create(
                    b1, l1, zero, index(depth), colsValue, acc1,
                    [&](OpBuilder &b2, Location l2, Value k, ValueRange acc2) {
                      Value chunk = vector::TransferReadOp::create(
                          b2, l2, rowType, aBlock, ValueRange{r, k}, pad,
                          chunkInBounds);
                      Value dst = vector::TransferWriteOp::create(
                                      b2, l2, chunk, acc2[0], ValueRange{r, k},
                                      chunkInBounds)
                                      .getResult();
                      scf::YieldOp::create(b2, l2, dst);
                    });
                scf::YieldOp::create(b1, l1, chunkLoop.getResult(0));
              });
          aBlock = rowLoop.getResult(0);
        }
        SmallVector<OpFoldResult> blockOffsets = {i, zeroAttr};
        SmallVector<OpFoldResult> blockSizes = {rows, n};
        Value cBlock = tensor::ExtractSliceOp::create(
            b0, l0, cAcc[0], blockOffsets, blockSizes, unit);
        // Over the columns, one strip at a time; the last strip of a
        // partial panel has fewer than `cols` columns, and is peeled off
        // below so that the others keep static sizes.
        auto stripLoop = scf::ForOp::create(
            b0, l0, zero, n, colsValue, ValueRange{cBlock},
            [&](OpBuilder &b1, Location l1, Value col, ValueRange acc) {
              AffineExpr d0 = b1.getAffineDimExpr(0);
              AffineExpr s0 = b1.getAffineSymbolExpr(0);
              Value s = affine::AffineApplyOp::create(
                  b1, l1, AffineMap::get(1, 0, d0.floorDiv(cols)),
                  ValueRange{col});
              OpFoldResult stripCols = b1.getIndexAttr(cols);
              if (!whole)
                stripCols =
                    affine::AffineMinOp::create(
                        b1, l1,
                        AffineMap::get(1, 1, {b1.getAffineConstantExpr(cols),
                                              s0 - d0},
                                       b1.getContext()),
                        ValueRange{col, n})
                        .getResult();
              Value strip = tensor::ExtractSliceOp::create(
                  b1, l1, packed, ArrayRef<OpFoldResult>{s, zeroAttr, zeroAttr},
                  ArrayRef<OpFoldResult>{oneAttr, b1.getIndexAttr(depth),
                                         stripCols},
                  ArrayRef<OpFoldResult>{oneAttr, oneAttr, oneAttr});
              // Rank-reduce [1, KC, cols] to [KC, cols].
              strip = tensor::CollapseShapeOp::create(
                  b1, l1, strip, SmallVector<ReassociationIndices>{{0, 1}, {2}});
              SmallVector<OpFoldResult> offsets = {zeroAttr, col};
              SmallVector<OpFoldResult> sizes = {rows, stripCols};
              Value cStrip = tensor::ExtractSliceOp::create(
                  b1, l1, acc[0], offsets, sizes, unit);
              auto stripMatmul = linalg::MatmulOp::create(
                  b1, l1, TypeRange{cStrip.getType()}, ValueRange{aBlock, strip},
                  ValueRange{cStrip});
              Value updated = tensor::InsertSliceOp::create(
                  b1, l1, stripMatmul.getResult(0), acc[0], offsets, sizes,
                  unit);
              scf::YieldOp::create(b1, l1, updated);
            });
        stripLoops.push_back(stripLoop);
        Value updated = tensor::InsertSliceOp::create(
            b0, l0, stripLoop.getResult(0), cAcc[0], blockOffsets, blockSizes,
            unit);
        scf::YieldOp::create(b0, l0, updated);
      });
  rewriter.replaceOp(op, loop.getResults());
  if (!whole) {
    scf::ForOp partial;
    for (scf::ForOp stripLoop : stripLoops)
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, stripLoop, partial);
  }
  SmallVector<linalg::MatmulOp> matmuls;
  loop.walk([&](linalg::MatmulOp matmul) { matmuls.push_back(matmul); });
  return matmuls;
}

/// Whether `v` is a (masked or not) vector.transfer_read padded with 0.0.
static bool isZeroPaddedRead(Value v) {
  Operation *def = v.getDefiningOp();
  if (auto mask = dyn_cast_or_null<vector::MaskOp>(def))
    def = mask.getMaskableOp();
  auto read = dyn_cast_or_null<vector::TransferReadOp>(def);
  if (!read)
    return false;
  FloatAttr pad;
  return matchPattern(read.getPadding(), m_Constant(&pad)) &&
         pad.getValue().isZero();
}

/// Whether `v` is a `linalg.fill` of 0.0.
static bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  FloatAttr value;
  return fill &&
         matchPattern(fill.getDpsInputOperand(0)->get(), m_Constant(&value)) &&
         value.getValue().isZero();
}

/// Bias epilogue: `add(matmul(A, B, fill(0)), bias)`, with the sum an
/// elementwise linalg.generic and `bias` broadcast along every dimension
/// but the last (a projection's bias, as nn.Linear and ONNX MatMul + Add
/// give it; a tensor.expand_shape may sit between the two), becomes
/// `matmul(A, B, broadcast(bias))`: the accumulator starts from the bias
/// instead of zero, and the pass over C that added it is gone. Returns
/// whether it rewrote `add`.
static bool foldBiasIntoMatmul(RewriterBase &rewriter, linalg::GenericOp add) {
  if (!add.hasPureTensorSemantics() || add.getNumDpsInputs() != 2 ||
      add.getNumDpsInits() != 1 ||
      add.getNumParallelLoops() != add.getNumLoops())
    return false;
  Block *body = add.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto sum = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!sum || &body->front() != sum.getOperation() ||
      !llvm::is_contained(sum->getOperands(), body->getArgument(0)) ||
      !llvm::is_contained(sum->getOperands(), body->getArgument(1)) ||
      sum.getLhs() == sum.getRhs())
    return false;
  int64_t rank = add.getNumLoops();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, add.getContext());
  AffineMap lastDim = AffineMap::get(
      rank, 0, getAffineDimExpr(rank - 1, add.getContext()));
  if (add.getIndexingMapsArray().back() != identity)
    return false;
  for (int which = 0; which < 2; ++which) {
    OpOperand *product = add.getDpsInputOperand(which);
    OpOperand *bias = add.getDpsInputOperand(1 - which);
    if (add.getMatchingIndexingMap(product) != identity ||
        add.getMatchingIndexingMap(bias) != lastDim ||
        product->get().getType() != add.getResult(0).getType())
      continue;
    Value c = product->get();
    auto expand = c.getDefiningOp<tensor::ExpandShapeOp>();
    if (expand) {
      if (!expand->hasOneUse())
        continue;
      c = expand.getSrc();
    }
    auto matmul = c.getDefiningOp<linalg::MatmulOp>();
    if (!matmul || !matmul->hasOneUse() || !matmul.hasPureTensorSemantics() ||
        !isZeroFill(matmul.getDpsInitOperand(0)->get()))
      continue;
    auto cType = cast<RankedTensorType>(c.getType());
    auto biasType = cast<RankedTensorType>(bias->get().getType());
    if (!cType.hasStaticShape() || biasType.getRank() != 1 ||
        biasType.getElementType() != cType.getElementType() ||
        biasType.getDimSize(0) != cType.getDimSize(1))
      continue;
    // init[i, j] = bias[j].
    Location loc = add.getLoc();
    rewriter.setInsertionPoint(matmul);
    Value empty = tensor::EmptyOp::create(rewriter, loc, cType.getShape(),
                                          cType.getElementType());
    MLIRContext *ctx = rewriter.getContext();
    auto init = linalg::GenericOp::create(
        rewriter, loc, cType, ValueRange{bias->get()}, ValueRange{empty},
        ArrayRef<AffineMap>{AffineMap::get(2, 0, getAffineDimExpr(1, ctx)),
                            AffineMap::getMultiDimIdentityMap(2, ctx)},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::parallel},
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.modifyOpInPlace(matmul, [&] {
      matmul.getDpsInitOperand(0)->set(init.getResult(0));
    });
    Value result = matmul.getResult(0);
    if (expand) {
      rewriter.setInsertionPoint(add);
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, add.getResult(0).getType(), result,
          expand.getReassociationIndices(), expand.getMixedOutputShape());
    }
    rewriter.replaceOp(add, result);
    if (expand && expand->use_empty())
      rewriter.eraseOp(expand);
    return true;
  }
  return false;
}

namespace {
struct AttnVectorizeMatmulsPass
    : public mlir::attn::impl::AttnVectorizeMatmulsPassBase<
          AttnVectorizeMatmulsPass> {
  using Base::Base;

  /// Runs upstream's canonicalizer on the function (a dynamic pipeline).
  LogicalResult canonicalize() {
    OpPassManager pm(func::FuncOp::getOperationName());
    pm.addPass(createCanonicalizerPass());
    return runPipeline(pm, getOperation());
  }

  /// The matmuls on tensors of the function.
  SmallVector<linalg::LinalgOp> collectMatmuls() {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          cast<linalg::LinalgOp>(op).hasPureTensorSemantics())
        ops.push_back(cast<linalg::LinalgOp>(op));
    });
    return ops;
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // 0. Bias epilogues into the accumulators' initial values.
    SmallVector<linalg::GenericOp> adds;
    getOperation().walk([&](linalg::GenericOp op) { adds.push_back(op); });
    for (linalg::GenericOp add : adds)
      (void)foldBiasIntoMatmul(rewriter, add);

    CPUTargetInfo::MatmulTiles t =
        CPUTargetInfo::get(targetCPU).matmulTiles;

    // Loop sizes (M, N, K), with a leading batch size 1 for batch_matmul
    // (given whether the op is batched, not the op: tiling replaces it).
    auto sizes = [&](bool batched, int64_t m, int64_t n, int64_t k) {
      SmallVector<int64_t> s = {m, n, k};
      if (batched)
        s.insert(s.begin(), 1);
      return s;
    };
    auto isBatched = [](linalg::LinalgOp op) {
      return isa<linalg::BatchMatmulOp>(op);
    };

    // 1. Cache tiles and K panels.
    for (linalg::LinalgOp op : collectMatmuls()) {
      bool batched = isBatched(op);
      // Threads: an scf.forall over (batch,) M x N cache tiles (the
      // parallel loop of the pipeline, like attention's tiles).
      // A 2-D matmul whose N alone gives at least 4 cache tiles is split
      // over N only, so that each thread packs a B panel once for all rows
      // (packPanel) instead of once per row block; into 4 column blocks
      // (a multiple of the register tile's columns, at most
      // kMaxColumnBlock), so that each block re-reads A once per K panel:
      // with 128-column blocks a 2048^3 product read all of A 16 times per
      // panel and ran at 0.71 of OpenBLAS, with 512 at 0.83-0.84 (1024^3:
      // 0.86 -> 0.92-1.00; 4096^3: 0.63 -> 0.74-0.85; the projections of
      // BERT and ViT within noise; bench/matmul_bench.py, 2 threads). The panel of a 1024-column block (256 x 1024 floats,
      // 1 MiB) streams from L3, one register tile's strip at a time.
      constexpr int64_t kColumnBlocks = 4, kMaxColumnBlock = 1024;
      int64_t rowTile = t.cacheRows, colTile = t.cacheCols;
      auto cType = cast<ShapedType>(op.getDpsInitOperand(0)->get().getType());
      if (isa<linalg::MatmulOp>(op) && !cType.isDynamicDim(1) &&
          llvm::divideCeil(cType.getDimSize(1), t.cacheCols) >= kColumnBlocks) {
        rowTile = 0;
        int64_t block = llvm::alignTo(
            llvm::divideCeil(cType.getDimSize(1), kColumnBlocks), t.cols);
        colTile = std::clamp<int64_t>(block, t.cacheCols,
                                      std::max(t.cacheCols, kMaxColumnBlock));
      }
      FailureOr<scf::SCFTilingResult> outer =
          tile(rewriter, op, sizes(batched, rowTile, colTile, 0),
               scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(outer))
        return signalPassFailure();
      // K panels: the register tiles of one panel reuse its B part
      // (cacheDepth x cacheCols) from L2. The last, shorter panel is
      // peeled off so that every panel of a static K has a static B.
      FailureOr<scf::SCFTilingResult> panels =
          tile(rewriter, cast<linalg::LinalgOp>(outer->tiledOps.back()),
               sizes(batched, 0, 0, t.cacheDepth),
               scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(panels))
        return signalPassFailure();
      for (LoopLikeOpInterface loop : panels->loops) {
        scf::ForOp partial;
        if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation()))
          (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
      }
    }
    // Fold the peeled bounds into the slice types.
    if (failed(canonicalize()))
      return signalPassFailure();

    // 2. Packed B strips and register tiles. Every matmul is a panel now.
    for (linalg::LinalgOp panel : collectMatmuls()) {
      // A 2-D panel with a static depth gets its B packed into strips of
      // one register tile's columns.
      SmallVector<linalg::LinalgOp> tiles = {panel};
      if (auto matmul = dyn_cast<linalg::MatmulOp>(panel.getOperation())) {
        int64_t rowLength = rootRowLength(matmul.getDpsInputOperand(0)->get());
        bool packA = rowLength > 0 && (rowLength * 4) % 2048 == 0;
        FailureOr<SmallVector<linalg::MatmulOp>> strips =
            packPanel(rewriter, matmul, t.cols, t.cacheRows, packA);
        if (succeeded(strips))
          tiles.assign(strips->begin(), strips->end());
      }
      for (linalg::LinalgOp tile : tiles)
        if (failed(tileAndPeel(rewriter, tile,
                               sizes(isBatched(tile), t.rows, t.cols, t.depth))))
          return signalPassFailure();
    }
    // Fold the peeled bounds into the slice types (canonicalization), so
    // that the full tiles get static shapes.
    if (failed(canonicalize()))
      return signalPassFailure();

    // 3. Vectorize every register tile: the full ones (static), and the
    // partial ones that peeling left with a dynamic size below the tile's
    // (masked vectors of the register tile's size, so that no matmul falls
    // back to scalar loops).
    for (linalg::LinalgOp op : collectMatmuls()) {
      SmallVector<int64_t> vectorSizes;
      if (op.hasDynamicShape())
        vectorSizes = sizes(isBatched(op), t.rows, t.cols, t.depth);
      SmallVector<bool> scalableDims(vectorSizes.size(), false);
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
          rewriter, op, vectorSizes, scalableDims,
          /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
          /*assumeDynamicDimsMatchVecSizes=*/false,
          /*createNamedContraction=*/true);
      if (succeeded(result))
        rewriter.replaceOp(op, result->replacements);
    }
    // The masked contractions of partial tiles drop their mask: their
    // operands are masked reads padded with zeros, so the lanes outside the
    // tile add zero products to accumulator lanes that the masked write
    // discards (the outer-product lowering takes no masked contraction).
    SmallVector<vector::MaskOp> masks;
    getOperation().walk([&](vector::MaskOp mask) {
      if (isa_and_nonnull<vector::ContractionOp>(mask.getMaskableOp()) &&
          llvm::all_of(mask.getMaskableOp()->getOperands().take_front(2),
                       isZeroPaddedRead))
        masks.push_back(mask);
    });
    for (vector::MaskOp mask : masks) {
      Operation *contract = mask.getMaskableOp();
      rewriter.setInsertionPoint(mask);
      Operation *unmasked = rewriter.clone(*contract);
      rewriter.replaceOp(mask, unmasked->getResults());
    }
    // The masked transfers take their mask as an operand instead of a
    // vector.mask region (later passes, such as the ownership-based buffer
    // deallocation, do not expect ops nested in vector.mask).
    {
      RewritePatternSet patterns(&getContext());
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    // Constants move to the function entry, so the transfers' indices are
    // loop invariant.
    if (failed(canonicalize()))
      return signalPassFailure();
    // Keep the C tile in registers across the K loop: hoist its
    // extract_slice/transfer_read and transfer_write/insert_slice pairs
    // (loop-invariant subsets) out of the innermost loops.
    // Two rounds: the slices first, then the transfers on the hoisted slice.
    for (int round = 0; round < 2; ++round) {
      SmallVector<scf::ForOp> loops;
      getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops)
        hoistLoopInvariantSubsets(
            rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
    }
  }
};
} // namespace
