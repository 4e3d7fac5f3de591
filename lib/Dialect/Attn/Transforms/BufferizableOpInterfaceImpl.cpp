//===- BufferizableOpInterfaceImpl.cpp - bufferization of attn ops -*- C++ -*-//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Dialect/Attn/Transforms/Transforms.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

#include <type_traits>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::bufferization;

namespace {
/// The tiled forms bufferize in place into their destinations.
/// `attn.online_attention`, `attn.online_dcmha`, `attn.tiled_compose` and
/// `attn.bilinear_gather` write every element of their destination and never
/// read it (no copy of its old contents);
/// `attn.partial_attention` reads its (acc, max, sum) state and updates it.
template <typename OpTy>
struct TiledFormOpInterface
    : public DstBufferizableOpInterfaceExternalModel<TiledFormOpInterface<OpTy>,
                                                     OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &opOperand,
                              const AnalysisState &state) const {
    if (std::is_same_v<OpTy, PartialAttentionOp>)
      return true;
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&opOperand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> buffers, results;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<TensorType>(operand.get().getType())) {
        buffers.push_back(operand.get());
        continue;
      }
      FailureOr<Value> buffer =
          getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
      if (dps.isDpsInit(&operand))
        results.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState newState(op->getLoc(), op->getName(), buffers,
                            /*types=*/TypeRange{}, op->getAttrs());
    rewriter.create(newState);
    replaceOpWithBufferizedValues(rewriter, op, results);
    return success();
  }
};
} // namespace

void mlir::attn::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, AttnDialect *) {
    OnlineAttentionOp::attachInterface<
        TiledFormOpInterface<OnlineAttentionOp>>(*ctx);
    PartialAttentionOp::attachInterface<
        TiledFormOpInterface<PartialAttentionOp>>(*ctx);
    BilinearGatherOp::attachInterface<
        TiledFormOpInterface<BilinearGatherOp>>(*ctx);
    OnlineDCMHAOp::attachInterface<TiledFormOpInterface<OnlineDCMHAOp>>(*ctx);
    TiledComposeOp::attachInterface<TiledFormOpInterface<TiledComposeOp>>(
        *ctx);
  });
}
