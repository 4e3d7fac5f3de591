//===- Backend.cpp - where lowered modules run ----------------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/Backend.h"

#include "Detail.h"
#include "attn/Runtime/GPUBackend.h"
#include "attn/Runtime/HostBackend.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::attn;
using mlir::attn::detail::makeError;

Executable::~Executable() = default;
Backend::~Backend() = default;

llvm::Expected<std::string>
Backend::describeCodegen(ModuleOp, const CompileOptions &) const {
  return std::string();
}

std::optional<EmitKind> mlir::attn::parseEmitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("mlir", EmitKind::MLIR)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("asm", EmitKind::Assembly)
      .Case("obj", EmitKind::Object)
      .Case("so", EmitKind::SharedLibrary)
      .Default(std::nullopt);
}

llvm::Expected<std::unique_ptr<Backend>>
mlir::attn::createBackend(StringRef target) {
  if (target == "cpu")
    return createHostBackend();
  if (target == "opencl" || target == "cuda")
    return createGPUBackend(target);
  return makeError("invalid --target='" + target +
                   "': expected cpu, opencl or cuda");
}
