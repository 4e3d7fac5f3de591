//===- TileToLaunch.cpp - a parallel loop of tiles as a gpu.launch -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/TileToLaunch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;
using namespace mlir::attn;

/// A gpu.launch of `grid` x `threads` with the workgroup buffers, its body
/// empty but for the terminator.
static gpu::LaunchOp createLaunch(RewriterBase &rewriter, Location loc,
                                  Value grid, int64_t threads,
                                  ArrayRef<MemRefType> workgroupBuffers) {
  Attribute workgroup = gpu::AddressSpaceAttr::get(
      rewriter.getContext(), gpu::AddressSpace::Workgroup);
  SmallVector<Type> attributions;
  for (MemRefType type : workgroupBuffers)
    attributions.push_back(MemRefType::get(type.getShape(),
                                           type.getElementType(),
                                           MemRefLayoutAttrInterface{},
                                           workgroup));
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value block = arith::ConstantIndexOp::create(rewriter, loc, threads);
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, grid, one, one, block, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, attributions);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(rewriter, loc);
  return launch;
}

FailureOr<gpu::LaunchOp>
mlir::attn::wrapTileInLaunch(RewriterBase &rewriter, Operation *tile,
                             int64_t threads,
                             ArrayRef<MemRefType> workgroupBuffers) {
  Location loc = tile->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  auto forall = dyn_cast<scf::ForallOp>(tile->getParentOp());
  if (!forall) {
    // The forall was folded away (one iteration): one workgroup.
    rewriter.setInsertionPoint(tile);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    gpu::LaunchOp launch =
        createLaunch(rewriter, loc, one, threads, workgroupBuffers);
    rewriter.moveOpBefore(tile, launch.getBody().front().getTerminator());
    return launch;
  }
  if (forall.getNumResults() != 0)
    return forall.emitOpError("expected an scf.forall on memrefs");
  // Nothing else in the body may write memory: each thread runs it.
  WalkResult writes = forall.getBody()->walk([&](Operation *nested) {
    if (nested == tile || isa<scf::InParallelOp>(nested))
      return WalkResult::advance();
    auto effects = dyn_cast<MemoryEffectOpInterface>(nested);
    if (!effects || effects.hasEffect<MemoryEffects::Write>()) {
      nested->emitOpError("cannot be mapped onto GPU threads beside a tile "
                          "of '")
          << tile->getName() << "'";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (writes.wasInterrupted())
    return failure();

  rewriter.setInsertionPoint(forall);
  // Iterations of each forall dim, linearized into grid x.
  SmallVector<Value> lbs = getValueOrCreateConstantIndexOp(
      rewriter, loc, forall.getMixedLowerBound());
  SmallVector<Value> ubs = getValueOrCreateConstantIndexOp(
      rewriter, loc, forall.getMixedUpperBound());
  SmallVector<Value> steps =
      getValueOrCreateConstantIndexOp(rewriter, loc, forall.getMixedStep());
  SmallVector<Value> counts;
  Value grid = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    counts.push_back(arith::CeilDivUIOp::create(
        rewriter, loc, arith::SubIOp::create(rewriter, loc, ub, lb), step));
    grid = arith::MulIOp::create(rewriter, loc, grid, counts.back());
  }
  gpu::LaunchOp launch =
      createLaunch(rewriter, loc, grid, threads, workgroupBuffers);
  Block &body = launch.getBody().front();
  Operation *terminator = body.getTerminator();
  rewriter.setInsertionPoint(terminator);
  // iv_k = lb_k + ((bid / prod_{j > k} count_j) mod count_k) step_k.
  Value rest = launch.getBlockIds().x;
  SmallVector<Value> ivs(counts.size());
  for (int64_t dim = counts.size() - 1; dim >= 0; --dim) {
    Value n = arith::RemUIOp::create(rewriter, loc, rest, counts[dim]);
    rest = arith::DivUIOp::create(rewriter, loc, rest, counts[dim]);
    ivs[dim] = arith::AddIOp::create(
        rewriter, loc, lbs[dim],
        arith::MulIOp::create(rewriter, loc, n, steps[dim]));
  }
  // The tile's body (views, offsets) moves into the launch.
  Block *forallBody = forall.getBody();
  for (auto [iv, value] : llvm::zip(forall.getInductionVars(), ivs))
    rewriter.replaceAllUsesWith(iv, value);
  rewriter.eraseOp(forallBody->getTerminator());
  body.getOperations().splice(terminator->getIterator(),
                              forallBody->getOperations());
  rewriter.eraseOp(forall);
  return launch;
}

std::optional<int64_t> mlir::attn::getStaticUpperBound(Value value,
                                                       int64_t dim) {
  auto type = cast<ShapedType>(value.getType());
  if (!type.isDynamicDim(dim))
    return type.getDimSize(dim);
  FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::UB, ValueBoundsConstraintSet::Variable(value, dim),
      /*stopCondition=*/nullptr, /*closedUB=*/true);
  if (failed(bound))
    return std::nullopt;
  return *bound;
}
