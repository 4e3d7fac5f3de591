//===- Detail.h - runtime internals shared by its files ---------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// Helpers that several files of lib/Runtime use and that are no part of the
// public API in include/attn/Runtime.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_LIB_RUNTIME_DETAIL_H
#define ATTN_LIB_RUNTIME_DETAIL_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

#ifndef ATTN_LLVM_LIBRARY_DIR
#define ATTN_LLVM_LIBRARY_DIR "/usr/lib/llvm-22/lib"
#endif
#ifndef ATTN_LLVM_TOOLS_DIR
#define ATTN_LLVM_TOOLS_DIR "/usr/lib/llvm-22/bin"
#endif

namespace mlir::attn::detail {

/// An llvm::Error holding `message`.
inline llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Collects the diagnostics emitted while it lives, printed with their
/// source lines, instead of writing them to stderr.
class DiagnosticCapture {
public:
  DiagnosticCapture(llvm::SourceMgr &sourceMgr, MLIRContext *context)
      : os(text), handler(sourceMgr, context, os) {}

  /// The collected text, or `fallback` when nothing was reported.
  std::string take(llvm::StringRef fallback) {
    llvm::StringRef trimmed = llvm::StringRef(text).rtrim();
    return trimmed.empty() ? fallback.str() : trimmed.str();
  }

private:
  std::string text;
  llvm::raw_string_ostream os;
  SourceMgrDiagnosticHandler handler;
};

/// Registers LLVM's native target, its assembly printer and parser (once).
void initializeNativeTarget();

} // namespace mlir::attn::detail

#endif // ATTN_LIB_RUNTIME_DETAIL_H
