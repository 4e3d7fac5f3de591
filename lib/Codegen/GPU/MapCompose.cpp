//===- MapCompose.cpp - tiled_compose tiles onto workgroups -----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The generic GPU mapping of `attn.tiled_compose` tiles (DCFormer's
// cross-head composition, `attn.compose`): one workgroup per tile of rows
// (all heads, all keys), threads as 32 keys by R row lanes. The workgroup
// walks the keys in chunks of 32; thread (r, k) composes the positions
// (row, s0 + k) of rows r, r + R, ...: it loads the H scores of the
// position (a warp reads 32 consecutive keys: coalesced), mixes them with
// buildComposeHeads (Dialect/Attn/Utils/ComposeHeads.h, the builder the CPU
// kernels use) and stores the H results.
//
// The key-indexed weights (key_weights, key_gate) lie C * H apart along the
// keys, so a warp's direct reads would touch 32 lines each; a chunk's
// weights are one contiguous block of global memory, which the workgroup
// stages transposed ([C * H][32 + 1]: coalesced reads, conflict-free
// reads and writes) between barriers, when it fits workgroup memory.
// Query-indexed and static weights are the same for a warp (one row):
// broadcast loads from global memory. Sums are f32; f16/bf16 data is widened
// on load. Only upstream `gpu`, `scf`, `memref`, `arith` and `math` ops are
// emitted.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/GPU/ComposeWeights.h"
#include "attn/Codegen/GPU/GPUTargetInfo.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/GPU/TileToLaunch.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/ComposeHeads.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUMAPCOMPOSEPASS
#include "attn/Codegen/GPU/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Keys per chunk (the threads of a warp).
static constexpr int64_t kKeys = GPUTargetInfo::kComposeKeys;

/// The sizes of a compose tile's mapping.
struct ComposeMapping {
  ComposeShape shape;
  /// Row lanes: threads = kKeys * rowLanes.
  int64_t rowLanes = 1;
  /// Whether a chunk's key-indexed weights are staged in workgroup memory.
  bool stageKeys = false;

  int64_t threads() const { return kKeys * rowLanes; }
  /// The staged buffers, [rows][kKeys + 1] (f32): kw1 and kw2 with rows
  /// c * H + g, then the key gate with rows h.
  SmallVector<MemRefType, 3> buffers(MLIRContext *ctx) const {
    SmallVector<MemRefType, 3> types;
    if (!stageKeys)
      return types;
    auto f32 = Float32Type::get(ctx);
    int64_t rank = shape.keyRank * shape.heads;
    if (rank > 0) {
      types.push_back(MemRefType::get({rank, kKeys + 1}, f32));
      types.push_back(MemRefType::get({rank, kKeys + 1}, f32));
    }
    if (shape.keyGate)
      types.push_back(MemRefType::get({shape.heads, kKeys + 1}, f32));
    return types;
  }
  int64_t stagedBytes() const {
    return 4 * (kKeys + 1) *
           (2 * shape.keyRank * shape.heads + (shape.keyGate ? shape.heads : 0));
  }
};

namespace {
/// Emits the per-thread code of one `attn.tiled_compose` tile (on memrefs,
/// one batch) in place of `op`, inside a gpu.launch of `m.threads()`
/// threads; `staged` are the launch's workgroup buffers (`m.buffers`).
class ComposeTileEmitter {
public:
  ComposeTileEmitter(ImplicitLocOpBuilder &b, TiledComposeOp op,
                     const ComposeMapping &mapping, ValueRange staged,
                     Value threadId)
      : b(b), op(op), m(mapping), g(op.getGroups()), t(threadId) {
    unsigned next = 0;
    if (m.stageKeys && m.shape.keyRank > 0) {
      kw1s = staged[next++];
      kw2s = staged[next++];
    }
    if (m.stageKeys && m.shape.keyGate)
      kdds = staged[next++];
  }

  void emit();

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value toF32(Value x) {
    if (x.getType().isF32())
      return x;
    return arith::ExtFOp::create(b, b.getF32Type(), x);
  }
  Value load(Value memref, ValueRange at) {
    return toF32(memref::LoadOp::create(b, memref, at));
  }
  /// Stages rows [s0, s0 + kKeys) (past `lk`: 0) of the key-indexed operand
  /// `src` ([1, Lk, width] or [1, Lk, C, H], `width` elements per key) into
  /// `dst` [width][kKeys + 1], transposed.
  void stage(Value src, Value dst, int64_t width, Value s0, Value lk);
  /// The composition of the H scores at (row, s) into the output.
  void emitPosition(Value row, Value s, Value k);

  ImplicitLocOpBuilder &b;
  TiledComposeOp op;
  const ComposeMapping &m;
  ComposeGroups g;
  Value t;
  Value kw1s, kw2s, kdds;
};
} // namespace

void ComposeTileEmitter::stage(Value src, Value dst, int64_t width, Value s0,
                               Value lk) {
  Value zero = idx(0);
  auto loop = scf::ForOp::create(b, t, idx(kKeys * width), idx(m.threads()));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value e = loop.getInductionVar();
  // Consecutive threads read consecutive elements of the chunk's block.
  Value key = arith::DivUIOp::create(b, e, idx(width));
  Value j = arith::RemUIOp::create(b, e, idx(width));
  Value s = arith::AddIOp::create(b, s0, key);
  Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, s, lk);
  Value clamped =
      arith::MinUIOp::create(b, s, arith::SubIOp::create(b, lk, idx(1)));
  SmallVector<Value> at = {zero, clamped};
  if (cast<MemRefType>(src.getType()).getRank() == 4) {
    Value heads = idx(m.shape.heads);
    at.push_back(arith::DivUIOp::create(b, j, heads));
    at.push_back(arith::RemUIOp::create(b, j, heads));
  } else {
    at.push_back(j);
  }
  Value x = arith::SelectOp::create(
      b, inside, load(src, at),
      arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f)));
  memref::StoreOp::create(b, x, dst, ValueRange{j, key});
}

void ComposeTileEmitter::emitPosition(Value row, Value s, Value k) {
  Value zero = idx(0);
  int64_t heads = m.shape.heads;
  SmallVector<Value> a;
  for (int64_t h = 0; h < heads; ++h)
    a.push_back(load(op.getScores(), ValueRange{zero, idx(h), row, s}));
  // Key-indexed weights come from the chunk's staged copies when the tile
  // staged them.
  ComposeWeightLoads weights(b, g, row, s);
  auto staged = [&](Value buffer, int64_t c, Value gi) {
    return load(
        buffer,
        ValueRange{b.createOrFold<arith::AddIOp>(idx(c * heads), gi), k});
  };
  if (kw1s) {
    weights.keyWeight1 = [&](int64_t c, Value gi) {
      return staged(kw1s, c, gi);
    };
    weights.keyWeight2 = [&](int64_t c, Value h) { return staged(kw2s, c, h); };
  }
  if (kdds)
    weights.keyGate = [&](Value h) { return load(kdds, ValueRange{h, k}); };
  SmallVector<Value> mixed =
      m.shape.isIdentity()
          ? a
          : buildComposeHeads(b, b.getLoc(), m.shape, weights.fns(), a);
  Type elt = op.getScoresType().getElementType();
  for (int64_t h = 0; h < heads; ++h) {
    Value x = mixed[h];
    if (!elt.isF32())
      x = arith::TruncFOp::create(b, elt, x);
    memref::StoreOp::create(b, x, op.getOutput(),
                            ValueRange{zero, idx(h), row, s});
  }
}

void ComposeTileEmitter::emit() {
  Value scores = op.getScores();
  Value rows = memref::DimOp::create(b, scores, 2);
  Value lk = memref::DimOp::create(b, scores, 3);
  Value k = arith::RemUIOp::create(b, t, idx(kKeys));
  Value lane = arith::DivUIOp::create(b, t, idx(kKeys));
  auto chunks = scf::ForOp::create(b, idx(0), lk, idx(kKeys));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(chunks.getBody());
  Value s0 = chunks.getInductionVar();
  if (kw1s || kdds) {
    // The previous chunk's readers are done before it is overwritten (the
    // chunk loop is uniform: barriers stay legal).
    gpu::BarrierOp::create(b);
    int64_t rank = m.shape.keyRank * m.shape.heads;
    if (kw1s) {
      stage(g.kw1, kw1s, rank, s0, lk);
      stage(g.kw2, kw2s, rank, s0, lk);
    }
    if (kdds)
      stage(g.keyGate, kdds, m.shape.heads, s0, lk);
    gpu::BarrierOp::create(b);
  }
  Value s = arith::AddIOp::create(b, s0, k);
  Value inside = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, s, lk);
  auto ifInside = scf::IfOp::create(b, inside, /*withElseRegion=*/false);
  b.setInsertionPointToStart(ifInside.thenBlock());
  auto rowLoop = scf::ForOp::create(b, lane, rows, idx(m.rowLanes));
  b.setInsertionPointToStart(rowLoop.getBody());
  emitPosition(rowLoop.getInductionVar(), s, k);
}

/// The mapping of `op`, or an error for a tile it cannot take.
static FailureOr<ComposeMapping> planCompose(TiledComposeOp op,
                                             int64_t sharedMemoryBytes,
                                             int64_t maxThreads) {
  if (op->getNumResults() != 0)
    return op.emitOpError("the GPU mapping runs after bufferization");
  if (failed(checkGPUMappable(op)))
    return failure();
  ShapedType scores = op.getScoresType();
  ComposeGroups groups = op.getGroups();
  if (scores.getDimSize(0) != 1)
    return op.emitOpError("expected a tile of one batch (from -attn-tile), "
                          "found ")
           << scores;
  Type elt = scores.getElementType();
  if (!elt.isF32() && !elt.isF16() && !elt.isBF16())
    return op.emitOpError("the GPU mapping supports f32, f16 and bf16 "
                          "operands, found ")
           << elt;
  ComposeMapping m;
  m.shape.heads = scores.getDimSize(1);
  m.shape.staticWeights = static_cast<bool>(groups.staticWeights);
  if (groups.qw1)
    m.shape.queryRank = cast<ShapedType>(groups.qw1.getType()).getDimSize(2);
  if (groups.kw1)
    m.shape.keyRank = cast<ShapedType>(groups.kw1.getType()).getDimSize(2);
  m.shape.queryGate = static_cast<bool>(groups.queryGate);
  m.shape.keyGate = static_cast<bool>(groups.keyGate);
  // No more row lanes than the tile has rows.
  m.rowLanes = maxThreads / kKeys;
  if (std::optional<int64_t> rows = getStaticUpperBound(op.getScores(), 2))
    m.rowLanes = std::max<int64_t>(1, std::min(m.rowLanes, *rows));
  m.stageKeys = (m.shape.keyRank > 0 || m.shape.keyGate) &&
                m.stagedBytes() <= sharedMemoryBytes;
  return m;
}

namespace {
struct AttnGPUMapComposePass
    : public mlir::attn::impl::AttnGPUMapComposePassBase<
          AttnGPUMapComposePass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxThreads < kKeys || maxThreads % kKeys != 0) {
      getOperation().emitError()
          << "expected max-threads to be a positive multiple of " << kKeys
          << ", found " << int64_t(maxThreads);
      return signalPassFailure();
    }
    SmallVector<TiledComposeOp> tiles;
    getOperation().walk([&](TiledComposeOp op) { tiles.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (TiledComposeOp op : tiles) {
      FailureOr<ComposeMapping> mapping =
          planCompose(op, sharedMemoryBytes, maxThreads);
      if (failed(mapping))
        return signalPassFailure();
      FailureOr<gpu::LaunchOp> launch = wrapTileInLaunch(
          rewriter, op, mapping->threads(), mapping->buffers(&getContext()));
      if (failed(launch))
        return signalPassFailure();
      rewriter.setInsertionPoint(op);
      ImplicitLocOpBuilder b(op.getLoc(), rewriter);
      ComposeTileEmitter(b, op, *mapping, launch->getWorkgroupAttributions(),
                         launch->getThreadIds().x)
          .emit();
      rewriter.eraseOp(op);
    }
  }
};
} // namespace
