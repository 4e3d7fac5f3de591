//===- InitAll.cpp - register attn dialects and passes ----------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/InitAllDialects.h"
#include "attn/InitAllPasses.h"

#include "attn/Dialect/Attn/IR/AttnDialect.h"
#include "attn/Codegen/Common/Passes.h"
#include "attn/Codegen/GPU/Passes.h"
#include "attn/Codegen/LLVMGPU/Passes.h"
#include "attn/Codegen/SPIRV/Passes.h"
#include "attn/Codegen/LLVMCPU/Passes.h"
#include "attn/Dialect/Attn/Transforms/Passes.h"
#include "attn/Dialect/Attn/Transforms/Transforms.h"
#include "attn/Pipelines/Pipelines.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"

void mlir::attn::registerAllDialects(DialectRegistry &registry) {
  registry.insert<AttnDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::attn::registerAllPasses() {
  registerAttnPasses();
  registerAttnCodegenCommonPasses();
  registerAttnCodegenGPUPasses();
  registerAttnCodegenLLVMGPUPasses();
  registerAttnCodegenSPIRVPasses();
  registerAttnLLVMCPUPasses();
  registerPipelines();
}
