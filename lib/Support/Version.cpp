//===- Version.cpp - the project's version ----------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/Version.h"

#include "attn/Support/Version.inc"
#include "llvm/Config/llvm-config.h"

std::string mlir::attn::getVersionString() {
  return std::string("attn-mlir ") + ATTN_VERSION + " (commit " +
         ATTN_REVISION + ")";
}

void mlir::attn::printVersion(llvm::raw_ostream &os) {
  os << getVersionString() << "\n  built with LLVM/MLIR " LLVM_VERSION_STRING
     << "\n";
}
