//===- TransientWorkspace.cpp - temporary buffers kept between calls ------===//
//
// Part of the attn-mlir project.
//
// A model graph's intermediates are statically sized buffers that the
// function allocates and frees on every call. This pass places them in one
// workspace per function that stays allocated between calls (a mutable
// memref.global taken through a busy flag), so that a call does not get
// fresh pages from the kernel for each of them.
//
//===----------------------------------------------------------------------===//

#include "attn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTRANSIENTWORKSPACEPASS
#include "attn/Codegen/Common/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

/// Alignment of the workspace and of every buffer in it (bytes): the
/// buffers' own `alignment` (the pipeline asks for 64) and a cache line.
static constexpr int64_t kAlignment = 64;

namespace {
/// A temporary buffer of a function: its allocation, its frees, and its
/// offset in the workspace.
struct Buffer {
  memref::AllocOp alloc;
  SmallVector<memref::DeallocOp> deallocs;
  int64_t offset = 0;
  /// Positions in the entry block of the allocation and of the last op
  /// that uses the buffer or a value that may alias it.
  int64_t begin = 0, end = 0;
  int64_t bytes = 0;
};

struct AttnTransientWorkspacePass
    : public mlir::attn::impl::AttnTransientWorkspacePassBase<
          AttnTransientWorkspacePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto function : llvm::to_vector(module.getOps<func::FuncOp>()))
      if (!function.isExternal())
        rewrite(function, symbols);
  }

  /// The size in bytes of a static memref of `type` with an identity
  /// layout, or nothing for other types.
  static std::optional<int64_t> byteSize(MemRefType type) {
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        !type.getElementType().isIntOrFloat() || type.getMemorySpace())
      return std::nullopt;
    int64_t bits = type.getElementTypeBitWidth();
    if (bits % 8 != 0)
      return std::nullopt;
    return type.getNumElements() * (bits / 8);
  }

  /// The position in `entry` of the last op that uses `alloc` or a value
  /// that may alias it, or nothing when one of them may outlive the
  /// function (returned) or is freed. Aliases are followed conservatively:
  /// every memref result of an op that uses one (views, loops and branches that
  /// yield it, calls), and every memref result of the entry-block op that
  /// contains such a use.
  static std::optional<int64_t>
  lastUse(memref::AllocOp alloc, Block &entry,
          const DenseMap<Operation *, int64_t> &position) {
    int64_t last = position.lookup(alloc);
    SmallVector<Value> worklist = {alloc.getResult()};
    DenseSet<Value> seen = {alloc.getResult()};
    auto follow = [&](Operation *op) {
      for (Value result : op->getResults())
        if (isa<BaseMemRefType>(result.getType()) && seen.insert(result).second)
          worklist.push_back(result);
    };
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      for (Operation *user : value.getUsers()) {
        // Its own frees go with it; a free of an alias would free memory of
        // the workspace.
        if (isa<memref::DeallocOp>(user)) {
          if (value != alloc.getResult())
            return std::nullopt;
          continue;
        }
        if (isa<func::ReturnOp>(user))
          return std::nullopt;
        Operation *ancestor = entry.findAncestorOpInBlock(*user);
        if (!ancestor)
          return std::nullopt;
        last = std::max(last, position.lookup(ancestor));
        follow(user);
        follow(ancestor);
      }
    }
    return last;
  }

  void rewrite(func::FuncOp function, SymbolTable &symbols) {
    Block &entry = function.getBody().front();
    // The entry block's static allocations freed only by memref.deallocs of
    // the entry block.
    SmallVector<Buffer> buffers;
    for (auto alloc : entry.getOps<memref::AllocOp>()) {
      if (!byteSize(alloc.getType()) || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty())
        continue;
      Buffer buffer{alloc, {}, 0};
      bool frees = true;
      for (Operation *user : alloc->getUsers())
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
          if (dealloc->getBlock() == &entry)
            buffer.deallocs.push_back(dealloc);
          else
            frees = false;
        }
      if (frees && !buffer.deallocs.empty())
        buffers.push_back(buffer);
    }
    if (buffers.empty())
      return;
    // Lifetimes, then offsets: first fit, largest buffer first; buffers
    // whose lifetimes overlap get disjoint bytes (the deallocation pipeline
    // frees them all at the end, so lifetimes end at their last use).
    DenseMap<Operation *, int64_t> position;
    for (auto [index, op] : llvm::enumerate(entry))
      position[&op] = index;
    SmallVector<Buffer *> placed;
    for (Buffer &buffer : buffers) {
      std::optional<int64_t> end = lastUse(buffer.alloc, entry, position);
      if (!end)
        continue;
      buffer.begin = position[buffer.alloc];
      buffer.end = *end;
      buffer.bytes =
          llvm::alignTo(*byteSize(buffer.alloc.getType()), kAlignment);
      placed.push_back(&buffer);
    }
    llvm::stable_sort(placed,
                      [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
    int64_t total = 0;
    for (auto [index, buffer] : llvm::enumerate(placed)) {
      // The byte ranges of the buffers placed so far that live at the same
      // time, by offset.
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *other : ArrayRef(placed).take_front(index))
        if (other->begin <= buffer->end && buffer->begin <= other->end)
          taken.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [start, stop] : taken) {
        if (offset + buffer->bytes <= start)
          break;
        offset = std::max(offset, stop);
      }
      buffer->offset = offset;
      total = std::max(total, offset + buffer->bytes);
    }
    // Buffers whose uses could not all be followed keep their malloc.
    llvm::erase_if(buffers, [](Buffer &buffer) { return buffer.bytes == 0; });
    if (buffers.empty())
      return;
    if (total > maxBytes)
      return;
    // The workspace is taken before the first buffer and given back after
    // the last free; a run-time check in between would leave the function
    // with the workspace still taken.
    Operation *first = buffers.front().alloc;
    Operation *last = first;
    for (Buffer &buffer : buffers)
      for (memref::DeallocOp dealloc : buffer.deallocs)
        if (last->isBeforeInBlock(dealloc))
          last = dealloc;
    for (Operation *op = first; op != last->getNextNode();
         op = op->getNextNode()) {
      bool checks = false;
      op->walk([&](cf::AssertOp) {
        checks = true;
        return WalkResult::interrupt();
      });
      if (checks)
        return;
    }

    MLIRContext *context = &getContext();
    Location loc = function.getLoc();
    auto workspaceType = MemRefType::get({total}, IntegerType::get(context, 8));
    auto flagType = MemRefType::get({}, IntegerType::get(context, 32));
    OpBuilder moduleBuilder(function);
    auto global = [&](StringRef prefix, MemRefType type) {
      auto op = memref::GlobalOp::create(
          moduleBuilder, loc, (prefix + function.getSymName()).str(),
          moduleBuilder.getStringAttr("private"), type,
          /*initial_value=*/
          type.getRank() == 0
              ? Attribute(DenseElementsAttr::get(
                    RankedTensorType::get({}, type.getElementType()),
                    moduleBuilder.getI32IntegerAttr(0)))
              : Attribute(UnitAttr::get(context)),
          /*constant=*/false,
          /*alignment=*/moduleBuilder.getI64IntegerAttr(kAlignment));
      symbols.insert(op); // renames on a clash
      return op;
    };
    memref::GlobalOp storage = global("__attn_workspace_", workspaceType);
    memref::GlobalOp busy = global("__attn_workspace_busy_", flagType);

    // Take: busy := 1; the workspace is the global's if it was 0, else a
    // buffer of this call's own.
    OpBuilder b(first);
    Value one = arith::ConstantIntOp::create(b, loc, 1, 32);
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    Value flag =
        memref::GetGlobalOp::create(b, loc, flagType, busy.getSymName());
    Value previous = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::assign, one, flag, ValueRange{});
    Value own =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, previous, zero);
    auto take = scf::IfOp::create(
        b, loc, own,
        [&](OpBuilder &then, Location l) {
          Value buffer = memref::AllocOp::create(
              then, l, workspaceType, then.getI64IntegerAttr(kAlignment));
          scf::YieldOp::create(then, l, buffer);
        },
        [&](OpBuilder &otherwise, Location l) {
          Value buffer = memref::GetGlobalOp::create(
              otherwise, l, workspaceType, storage.getSymName());
          scf::YieldOp::create(otherwise, l, buffer);
        });
    Value workspace = take.getResult(0);

    // The buffers are views of it; their frees go.
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(),
                                                    buffer.offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), workspace,
                                          offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
    }
    // Give back, where the last free was: busy := 0, or free this call's
    // own buffer.
    b.setInsertionPointAfter(last);
    scf::IfOp::create(
        b, loc, own,
        [&](OpBuilder &then, Location l) {
          memref::DeallocOp::create(then, l, workspace);
          scf::YieldOp::create(then, l);
        },
        [&](OpBuilder &otherwise, Location l) {
          memref::AtomicRMWOp::create(otherwise, l,
                                      arith::AtomicRMWKind::assign, zero, flag,
                                      ValueRange{});
          scf::YieldOp::create(otherwise, l);
        });
    for (Buffer &buffer : buffers) {
      for (memref::DeallocOp dealloc : buffer.deallocs)
        dealloc->erase();
      buffer.alloc->erase();
    }
  }
};
} // namespace
