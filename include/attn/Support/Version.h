//===- Version.h - the project's version ------------------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_VERSION_H
#define ATTN_SUPPORT_VERSION_H

#include "llvm/Support/raw_ostream.h"

namespace mlir::attn {

/// "attn-mlir <version> (commit <hash>[+])": the project version of the
/// CMake project and the git commit the build was made from ("+" when the
/// working tree had changes; "unknown" outside a git checkout).
std::string getVersionString();

/// Prints the version line and the LLVM/MLIR version the project was built
/// against (for `--version`; llvm::cl::SetVersionPrinter).
void printVersion(llvm::raw_ostream &os);

} // namespace mlir::attn

#endif // ATTN_SUPPORT_VERSION_H
