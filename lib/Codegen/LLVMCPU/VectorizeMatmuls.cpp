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
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/Passes.h"

#include <numeric>

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

/// Marks a matmul's epilogue, moved next to the matmul's last K panel, for
/// packPanel.
static constexpr llvm::StringLiteral kEpilogue = "attn.epilogue";
/// Marks the strip tiles of fused epilogues until they are vectorized.
static constexpr llvm::StringLiteral kEpilogueTile = "attn.epilogue_tile";

/// Whether `generic` can be a matmul epilogue on `c` (the matmul's result,
/// 2-D f32): all loops parallel, one result of c's type with an identity
/// map, `c` read through identity maps, every other input through a
/// projected permutation (a bias row, a residual), all of them f32 (an
/// `i1` tensor holds bytes, which the row vectors would read as bits), no
/// linalg.index and the output's old value unused. GELU, SiLU, ReLU,
/// residual adds and their fused chains are such ops.
static bool isEpilogueOf(linalg::GenericOp generic, Value c) {
  if (!generic.hasPureTensorSemantics() || generic.getNumDpsInits() != 1 ||
      generic.getNumResults() != 1 || generic.getNumLoops() != 2 ||
      generic.getNumParallelLoops() != 2 ||
      generic.getResult(0).getType() != c.getType() ||
      generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)) ||
      !generic.getIndexingMapsArray().back().isIdentity() ||
      !generic.getBody()->getOps<linalg::IndexOp>().empty())
    return false;
  bool readsC = false;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (input->get() == c) {
      if (!map.isIdentity())
        return false;
      readsC = true;
    } else if (!map.isProjectedPermutation(/*allowZeroInResults=*/false) ||
               map.getNumResults() == 0) {
      return false;
    }
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type || !type.getElementType().isF32())
      return false;
  }
  return readsC;
}

/// The tile at `offsets` x `sizes` of the epilogue `generic` (see
/// isEpilogueOf), computed in place on `cTile`, the matching tile of its
/// matmul result `c`: a linalg.generic with the epilogue's payload whose
/// other inputs are slices of the epilogue's through their indexing maps,
/// and which reads C through its output (`cTile` as an input too would be
/// a read of the buffer the op writes, which bufferization resolved with a
/// copy of the tile, in and out, by scalar loops: the ReLU epilogue of a
/// 197 x 768 x 3072 matmul cost 3.5% of it).
static Value tileEpilogue(OpBuilder &b, Location loc, linalg::GenericOp generic,
                          Value c, ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes, Value cTile) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (input->get() == c)
      continue;
    AffineMap map = generic.getMatchingIndexingMap(input);
    SmallVector<OpFoldResult> inOffsets, inSizes;
    for (AffineExpr e : map.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      inOffsets.push_back(offsets[d]);
      inSizes.push_back(sizes[d]);
    }
    SmallVector<OpFoldResult> strides(map.getNumResults(), b.getIndexAttr(1));
    inputs.push_back(tensor::ExtractSliceOp::create(
        b, loc, input->get(), inOffsets, inSizes, strides));
    maps.push_back(map);
  }
  maps.push_back(generic.getIndexingMapsArray().back());
  auto tiled = linalg::GenericOp::create(
      b, loc, TypeRange{cTile.getType()}, inputs, ValueRange{cTile}, maps,
      generic.getIteratorTypesArray(),
      [&](OpBuilder &nested, Location l, ValueRange args) {
        // The payload with C's block argument (and the output's, whose old
        // value isEpilogueOf rules out) read from the output.
        Block *body = generic.getBody();
        IRMapping mapping;
        unsigned next = 0;
        for (OpOperand *input : generic.getDpsInputOperands())
          mapping.map(body->getArgument(input->getOperandNumber()),
                      input->get() == c ? args.back() : args[next++]);
        mapping.map(body->getArguments().back(), args.back());
        for (Operation &op : body->without_terminator())
          nested.clone(op, mapping);
        auto yield = cast<linalg::YieldOp>(body->getTerminator());
        linalg::YieldOp::create(
            nested, l, mapping.lookupOrDefault(yield.getValues().front()));
      });
  tiled->setAttr(kEpilogueTile, b.getUnitAttr());
  return tiled.getResult(0);
}

/// A number that the index `v` is known to be a multiple of (0: `v` is 0):
/// a constant, or the induction variable of an scf.forall or scf.for with a
/// constant lower bound and step (the offsets of the cache tiles); 1 when
/// nothing is known.
static int64_t knownMultiple(OpFoldResult v) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return std::abs(*c);
  auto arg = dyn_cast<BlockArgument>(cast<Value>(v));
  if (!arg)
    return 1;
  auto multiple = [](OpFoldResult lb, OpFoldResult step) -> int64_t {
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> s = getConstantIntValue(step);
    return l && s ? std::gcd(*l, *s) : 1;
  };
  Operation *owner = arg.getOwner()->getParentOp();
  if (auto forall = dyn_cast<scf::ForallOp>(owner)) {
    unsigned i = arg.getArgNumber();
    if (i >= static_cast<unsigned>(forall.getRank()))
      return 1;
    return multiple(forall.getMixedLowerBound()[i], forall.getMixedStep()[i]);
  }
  if (auto loop = dyn_cast<scf::ForOp>(owner))
    if (arg == loop.getInductionVar())
      return multiple(loop.getLowerBound(), loop.getStep());
  return 1;
}

namespace {
/// B operands that are constants (a model's weights) packed at compile time
/// into the layout of packPanel's strips, so that a K panel of B is a slice
/// of a constant instead of a copy made on every call (ONNX Runtime's MLAS
/// and oneDNN pre-pack weights the same way): for a K x N f32 constant B,
/// `packed[s, k, j] = B[k, s * cols + j]`, zero for columns past N, a
/// constant of type [ceil(N / cols), K, cols] placed after B's.
class ConstantPanels {
public:
  /// The panel [strips, KC, cols] (strips = ceil(NC / cols)) of packed
  /// strips of `b`, a KC x NC slice (unit-stride tensor.extract_slices) of a
  /// 2-D f32 arith.constant whose column offset is a known multiple of
  /// `cols`; null otherwise (the data of a resource blob that is not loaded
  /// included).
  Value panel(RewriterBase &rewriter, Location loc, Value b, int64_t cols,
              int64_t depth, OpFoldResult strips);

private:
  /// The packed constant of `weight` for strips of `cols`, created on first
  /// use; null when its values cannot be read.
  Value packedConstant(RewriterBase &rewriter, arith::ConstantOp weight,
                       int64_t cols);

  DenseMap<std::pair<Operation *, int64_t>, Value> packed;
};
} // namespace

Value ConstantPanels::packedConstant(RewriterBase &rewriter,
                                     arith::ConstantOp weight, int64_t cols) {
  auto key = std::make_pair(weight.getOperation(), cols);
  if (auto it = packed.find(key); it != packed.end())
    return it->second;
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  int64_t strips = llvm::divideCeil(n, cols);
  // B's values, row-major.
  SmallVector<float> values;
  ArrayRef<float> data;
  Attribute attr = weight.getValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> blob = resource.tryGetAsArrayRef();
    if (!blob || static_cast<int64_t>(blob->size()) != k * n)
      return packed[key] = Value();
    data = *blob;
  } else if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    values.assign(dense.getValues<float>().begin(),
                  dense.getValues<float>().end());
    data = values;
  } else {
    return packed[key] = Value();
  }
  SmallVector<float> layout(strips * k * cols, 0.0f);
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col)
      layout[((col / cols) * k + row) * cols + col % cols] =
          data[row * n + col];
  auto packedType =
      RankedTensorType::get({strips, k, cols}, rewriter.getF32Type());
  // A weight read from a resource blob stays one (dense attributes are
  // uniqued and hashed: a model's weights do not belong in the context).
  Attribute packedAttr =
      isa<DenseResourceElementsAttr>(attr)
          ? Attribute(DenseResourceElementsAttr::get(
                packedType, "packed_weights",
                HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(layout)))
          : Attribute(DenseElementsAttr::get(packedType, ArrayRef(layout)));
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfter(weight);
  return packed[key] = arith::ConstantOp::create(rewriter, weight.getLoc(),
                                                 cast<TypedAttr>(packedAttr));
}

Value ConstantPanels::panel(RewriterBase &rewriter, Location loc, Value b,
                            int64_t cols, int64_t depth, OpFoldResult strips) {
  // The offsets of `b` in its root, one term per slice.
  SmallVector<OpFoldResult> rowOffsets, colOffsets;
  Value root = b;
  while (auto slice = root.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != 2 ||
        slice.getType().getRank() != 2 || !slice.hasUnitStride())
      return {};
    rowOffsets.push_back(slice.getMixedOffsets()[0]);
    colOffsets.push_back(slice.getMixedOffsets()[1]);
    root = slice.getSource();
  }
  auto weight = root.getDefiningOp<arith::ConstantOp>();
  if (!weight || !cast<ShapedType>(weight.getType()).hasStaticShape() ||
      llvm::any_of(colOffsets, [&](OpFoldResult offset) {
        return knownMultiple(offset) % cols != 0;
      }))
    return {};
  Value source = packedConstant(rewriter, weight, cols);
  if (!source)
    return {};
  // sum(rowOffsets) and sum(colOffsets) / cols.
  auto sum = [&](ArrayRef<OpFoldResult> terms, int64_t divisor) {
    AffineExpr expr = rewriter.getAffineConstantExpr(0);
    for (unsigned i = 0; i < terms.size(); ++i)
      expr = expr + rewriter.getAffineSymbolExpr(i);
    return affine::makeComposedFoldedAffineApply(
        rewriter, loc, AffineMap::get(0, terms.size(), expr.floorDiv(divisor)),
        terms);
  };
  return tensor::ExtractSliceOp::create(
      rewriter, loc, source,
      ArrayRef<OpFoldResult>{sum(colOffsets, cols), sum(rowOffsets, 1),
                             rewriter.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{strips, rewriter.getIndexAttr(depth),
                             rewriter.getIndexAttr(cols)},
      ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                             rewriter.getIndexAttr(1)});
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
///
/// With `epilogue` (an elementwise consumer of `op`'s result, see
/// tileEpilogue), each strip's result goes through the epilogue's tile right
/// after its matmul, while it is in L1, and `epilogue` is replaced by the
/// loops' result.
static FailureOr<SmallVector<linalg::MatmulOp>>
packPanel(RewriterBase &rewriter, linalg::MatmulOp op, int64_t cols,
          int64_t blockRows, bool packA, linalg::GenericOp epilogue,
          ConstantPanels *constants) {
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

  // packed[s, k, j] = B[k, s * cols + j]: a slice of B's packed constant,
  // or packed here one vector row at a time.
  Value packed;
  if (constants)
    packed = constants->panel(rewriter, loc, b, cols, depth,
                              getAsOpFoldResult(strips));
  if (!packed) {
    packed = tensor::EmptyOp::create(
        rewriter, loc,
        ArrayRef<OpFoldResult>{strips, rewriter.getIndexAttr(depth),
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
  }

  // For each block of `blockRows` rows (its A part, blockRows x KC, stays in
  // L2 across the strips): C[rows, s * cols : (s + 1) * cols] +=
  // A[rows] * packed[s].
  //
  // The full blocks (rows [0, mFull)) and the last, shorter one (at most one
  // iteration over [mFull, M)) are separate loops, so that the full blocks
  // have a static row count and, with a static M, the last one too (a 5-row
  // register tile for M = 197) instead of masked tiles of a dynamic row
  // count, whose C tile stayed in memory across the K loop: ViT-B/16's
  // 197-row projections spent 6-10% of their time in their last 5 rows.
  SmallVector<scf::ForOp> stripLoops;
  Value m = tensor::DimOp::create(rewriter, loc, c, 0);
  Value blockRowsValue = index(blockRows);
  Value mFull = arith::SubIOp::create(
      rewriter, loc, m,
      arith::RemUIOp::create(rewriter, loc, m, blockRowsValue));
  // The body of a loop over row blocks whose row count is `fixedRows`, or
  // M - i if that is null.
  auto rowBlock = [&](Value fixedRows) {
    return [&, fixedRows](OpBuilder &b0, Location l0, Value i,
                          ValueRange cAcc) {
      OpFoldResult oneAttr = b0.getIndexAttr(1);
      OpFoldResult zeroAttr = b0.getIndexAttr(0);
      Value rows = fixedRows ? fixedRows : arith::SubIOp::create(b0, l0, m, i);
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
                      AffineMap::get(1, 1,
                                     {b1.getAffineConstantExpr(cols), s0 - d0},
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
            Value cStrip = tensor::ExtractSliceOp::create(b1, l1, acc[0],
                                                          offsets, sizes, unit);
            auto stripMatmul = linalg::MatmulOp::create(
                b1, l1, TypeRange{cStrip.getType()}, ValueRange{aBlock, strip},
                ValueRange{cStrip});
            Value result = stripMatmul.getResult(0);
            if (epilogue)
              result = tileEpilogue(b1, l1, epilogue, op.getResult(0), {i, col},
                                    sizes, result);
            Value updated = tensor::InsertSliceOp::create(
                b1, l1, result, acc[0], offsets, sizes, unit);
            scf::YieldOp::create(b1, l1, updated);
          });
      stripLoops.push_back(stripLoop);
      Value updated =
          tensor::InsertSliceOp::create(b0, l0, stripLoop.getResult(0), cAcc[0],
                                        blockOffsets, blockSizes, unit);
      scf::YieldOp::create(b0, l0, updated);
    };
  };
  auto fullBlocks =
      scf::ForOp::create(rewriter, loc, zero, mFull, blockRowsValue,
                         ValueRange{c}, rowBlock(blockRowsValue));
  auto lastBlock = scf::ForOp::create(rewriter, loc, mFull, m, blockRowsValue,
                                      fullBlocks.getResults(), rowBlock({}));
  rewriter.replaceOp(op, lastBlock.getResults());
  if (epilogue)
    rewriter.replaceOp(epilogue, lastBlock.getResults());
  if (!whole) {
    scf::ForOp partial;
    for (scf::ForOp stripLoop : stripLoops)
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, stripLoop, partial);
  }
  SmallVector<linalg::MatmulOp> matmuls;
  for (scf::ForOp blockLoop : {fullBlocks, lastBlock})
    blockLoop.walk([&](linalg::MatmulOp matmul) { matmuls.push_back(matmul); });
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

  /// Makes the elementwise ops after matmuls epilogues that findEpilogue
  /// recognizes: chains of elementwise generics become one generic
  /// (upstream elementwise fusion, producers with one use; the pipeline
  /// runs it again after this pass for the other ops), and an epilogue that
  /// reads the matmul through a tensor.expand_shape (nn.Linear on [B, L, C]
  /// as ONNX gives it) is collapsed to the matmul's two dimensions.
  LogicalResult prepareEpilogues(RewriterBase &rewriter) {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    linalg::GenericOp::getCanonicalizationPatterns(patterns, &getContext());
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return failure();
    SmallVector<std::pair<linalg::GenericOp, tensor::ExpandShapeOp>> expanded;
    getOperation().walk([&](linalg::GenericOp generic) {
      for (OpOperand *input : generic.getDpsInputOperands()) {
        auto expand = input->get().getDefiningOp<tensor::ExpandShapeOp>();
        auto matmul = expand ? expand.getSrc().getDefiningOp<linalg::MatmulOp>()
                             : linalg::MatmulOp();
        if (matmul && matmul->hasOneUse() && expand->hasOneUse() &&
            generic.getMatchingIndexingMap(input).isIdentity()) {
          expanded.emplace_back(generic, expand);
          return;
        }
      }
    });
    bool changed = false;
    for (auto [generic, expand] : expanded) {
      SmallVector<ReassociationIndices> dims = expand.getReassociationIndices();
      if (!linalg::areDimSequencesPreserved(generic.getIndexingMapsArray(),
                                            dims))
        continue;
      rewriter.setInsertionPoint(generic);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(generic, dims, rewriter);
      if (failed(collapsed))
        continue;
      rewriter.replaceOp(generic, collapsed->results);
      changed = true;
    }
    // collapse_shape(expand_shape(matmul)) folds to the matmul.
    return changed ? canonicalize() : success();
  }

  /// The epilogue of `op` (see isEpilogueOf), or null: a 2-D f32 matmul
  /// with static shapes whose only use is such a generic.
  linalg::GenericOp findEpilogue(linalg::LinalgOp op) {
    auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
    if (!fuseEpilogues || !matmul || !matmul->hasOneUse() ||
        op.hasDynamicShape() ||
        !getElementTypeOrSelf(matmul.getResult(0).getType()).isF32())
      return {};
    auto generic = dyn_cast<linalg::GenericOp>(*matmul->getUsers().begin());
    return generic && isEpilogueOf(generic, matmul.getResult(0))
               ? generic
               : linalg::GenericOp();
  }

  /// Moves `epilogue`, the consumer of the matmul that `forall` tiles into
  /// `tile`, into the forall, in place on the tile's result, and splits the
  /// tile's last K panel (`depth` deep, or K mod depth) off into a matmul
  /// of its own that the epilogue consumes, marked with kEpilogue for
  /// packPanel, which fuses it into the panel's strips. Returns the matmul
  /// of the K panels before the last (to be tiled into panels), or null when
  /// K is a single panel.
  static FailureOr<linalg::MatmulOp> fuseEpilogue(RewriterBase &rewriter,
                                                  scf::ForallOp forall,
                                                  linalg::MatmulOp tile,
                                                  linalg::GenericOp epilogue,
                                                  int64_t depth) {
    // The forall moves down to the epilogue, so that the epilogue's other
    // operands dominate it (the matmul has no other use in between).
    rewriter.moveOpBefore(forall, epilogue);
    Value result = tile.getResult(0);
    tensor::ParallelInsertSliceOp insert;
    for (Operation &op : forall.getTerminator().getYieldingOps())
      if (auto slice = dyn_cast<tensor::ParallelInsertSliceOp>(&op);
          slice && slice.getSource() == result)
        insert = slice;
    if (!insert)
      return failure();
    Location loc = epilogue.getLoc();
    rewriter.setInsertionPoint(forall.getTerminator());
    Value tiled =
        tileEpilogue(rewriter, loc, epilogue, forall.getResult(0),
                     insert.getMixedOffsets(), insert.getMixedSizes(), result);
    auto tiledOp = tiled.getDefiningOp<linalg::GenericOp>();
    tiledOp->removeAttr(kEpilogueTile);
    tiledOp->setAttr(kEpilogue, rewriter.getUnitAttr());
    rewriter.modifyOpInPlace(insert,
                             [&] { insert.getSourceMutable().assign(tiled); });
    rewriter.replaceOp(epilogue, forall.getResult(0));

    // C = A[:, :s] B[:s, :], then C += A[:, s:] B[s:, :] (s = K - last).
    Value a = tile.getDpsInputOperand(0)->get();
    Value b = tile.getDpsInputOperand(1)->get();
    int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
    if (k <= depth)
      return linalg::MatmulOp();
    int64_t last = k % depth ? k % depth : depth;
    rewriter.setInsertionPoint(tile);
    OpFoldResult zero = rewriter.getIndexAttr(0),
                 one = rewriter.getIndexAttr(1);
    OpFoldResult rows = tensor::getMixedSize(rewriter, loc, a, 0);
    OpFoldResult cols = tensor::getMixedSize(rewriter, loc, b, 1);
    auto slice = [&](Value v, OpFoldResult r, OpFoldResult c, OpFoldResult nr,
                     OpFoldResult nc) -> Value {
      return tensor::ExtractSliceOp::create(
          rewriter, loc, v, ArrayRef<OpFoldResult>{r, c},
          ArrayRef<OpFoldResult>{nr, nc}, ArrayRef<OpFoldResult>{one, one});
    };
    OpFoldResult split = rewriter.getIndexAttr(k - last);
    OpFoldResult lastSize = rewriter.getIndexAttr(last);
    auto first =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{result.getType()},
                                 ValueRange{slice(a, zero, zero, rows, split),
                                            slice(b, zero, zero, split, cols)},
                                 ValueRange{tile.getDpsInitOperand(0)->get()});
    auto lastPanel = linalg::MatmulOp::create(
        rewriter, loc, TypeRange{result.getType()},
        ValueRange{slice(a, zero, split, rows, lastSize),
                   slice(b, split, zero, lastSize, cols)},
        ValueRange{first.getResult(0)});
    rewriter.replaceOp(tile, lastPanel.getResults());
    return first;
  }

  /// Moves the defining ops of `epilogue`'s inputs other than `matmul`'s
  /// result that lie after `matmul` in its block (the slices of a residual
  /// that fuseEpilogue made next to the epilogue) before it, so that the
  /// loops packPanel puts in the matmul's place can slice them.
  /// Fails, moving nothing, when an input needs more than that.
  static LogicalResult hoistAbove(RewriterBase &rewriter,
                                  linalg::GenericOp epilogue,
                                  linalg::MatmulOp matmul) {
    auto dominates = [&](Value v) {
      Operation *def = v.getDefiningOp();
      return !def || def->getBlock() != matmul->getBlock() ||
             def->isBeforeInBlock(matmul);
    };
    SmallVector<Operation *> toMove;
    for (Value input : epilogue.getDpsInputs()) {
      if (input == matmul.getResult(0) || dominates(input))
        continue;
      Operation *def = input.getDefiningOp();
      if (!isPure(def) || !llvm::all_of(def->getOperands(), dominates))
        return failure();
      toMove.push_back(def);
    }
    for (Operation *def : toMove)
      rewriter.moveOpBefore(def, matmul);
    return success();
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
    // Then the other elementwise epilogues (activations, residual adds) are
    // fused into the matmuls' last K panel (fuseEpilogues).
    if (fuseEpilogues && failed(prepareEpilogues(rewriter)))
      return signalPassFailure();

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
      linalg::GenericOp epilogue = findEpilogue(op);
      FailureOr<scf::SCFTilingResult> outer =
          tile(rewriter, op, sizes(batched, rowTile, colTile, 0),
               scf::SCFTilingOptions::LoopType::ForallOp);
      if (failed(outer))
        return signalPassFailure();
      auto tiled = cast<linalg::LinalgOp>(outer->tiledOps.back());
      if (epilogue) {
        FailureOr<linalg::MatmulOp> first = fuseEpilogue(
            rewriter, cast<scf::ForallOp>(outer->loops.front().getOperation()),
            cast<linalg::MatmulOp>(tiled.getOperation()), epilogue,
            t.cacheDepth);
        if (failed(first))
          return signalPassFailure();
        if (!*first)
          continue;
        tiled = *first;
      }
      // K panels: the register tiles of one panel reuse its B part
      // (cacheDepth x cacheCols) from L2. The last, shorter panel is
      // peeled off so that every panel of a static K has a static B.
      FailureOr<scf::SCFTilingResult> panels =
          tile(rewriter, tiled, sizes(batched, 0, 0, t.cacheDepth),
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
    ConstantPanels constants;
    for (linalg::LinalgOp panel : collectMatmuls()) {
      // A 2-D panel with a static depth gets its B packed into strips of
      // one register tile's columns.
      SmallVector<linalg::LinalgOp> tiles = {panel};
      if (auto matmul = dyn_cast<linalg::MatmulOp>(panel.getOperation())) {
        int64_t rowLength = rootRowLength(matmul.getDpsInputOperand(0)->get());
        bool packA = rowLength > 0 && (rowLength * 4) % 2048 == 0;
        // The epilogue that fuseEpilogue put after this panel (it reads
        // and writes the panel's result in place: two uses).
        linalg::GenericOp epilogue;
        if (!matmul->use_empty())
          epilogue = dyn_cast<linalg::GenericOp>(*matmul->getUsers().begin());
        if (epilogue && (!epilogue->hasAttr(kEpilogue) ||
                         llvm::any_of(matmul->getUsers(), [&](Operation *user) {
                           return user != epilogue.getOperation();
                         })))
          epilogue = {};
        if (epilogue && failed(hoistAbove(rewriter, epilogue, matmul)))
          epilogue = {};
        FailureOr<SmallVector<linalg::MatmulOp>> strips =
            packPanel(rewriter, matmul, t.cols, t.cacheRows, packA, epilogue,
                      packConstants ? &constants : nullptr);
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
    // The epilogues' strip tiles, one row at a time (a vector of the strip's
    // columns, masked in a partial strip).
    SmallVector<linalg::GenericOp> epilogueTiles;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kEpilogueTile))
        epilogueTiles.push_back(op);
    });
    for (linalg::GenericOp op : epilogueTiles) {
      FailureOr<scf::SCFTilingResult> rows =
          tile(rewriter, op, {1, 0}, scf::SCFTilingOptions::LoopType::ForOp);
      if (failed(rows))
        return signalPassFailure();
      auto row = cast<linalg::LinalgOp>(rows->tiledOps.back());
      row->removeAttr(kEpilogueTile);
      SmallVector<int64_t> vectorSizes;
      if (row.hasDynamicShape())
        vectorSizes = {1, t.cols};
      SmallVector<bool> scalableDims(vectorSizes.size(), false);
      rewriter.setInsertionPoint(row);
      FailureOr<linalg::VectorizationResult> result =
          linalg::vectorize(rewriter, row, vectorSizes, scalableDims);
      if (succeeded(result))
        rewriter.replaceOp(row, result->replacements);
    }
    // Epilogues that stayed at the forall level (packPanel did not take
    // their matmul) are plain generics for the elementwise pass.
    getOperation().walk(
        [&](linalg::GenericOp op) { op->removeAttr(kEpilogue); });
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
