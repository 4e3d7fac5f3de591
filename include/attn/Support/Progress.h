//===- Progress.h - a progress line for slow steps of the tools -*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SUPPORT_PROGRESS_H
#define ATTN_SUPPORT_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace mlir::attn {

/// While alive, prints `<tool>: <what>...` to stderr once the scope has
/// lasted longer than a delay (1.5 s), and `<tool>: <what> took <s> s` when
/// it ends after that, so that a long compile or reference evaluation does
/// not look like a hang. Only when stderr is a terminal, unless the
/// environment variable ATTN_PROGRESS gives the delay in milliseconds (then
/// always; ATTN_PROGRESS=0 prints at once, for tests). The line is printed
/// from a waiting thread; nothing is printed for quick steps.
class ProgressNotice {
public:
  ProgressNotice(llvm::StringRef tool, llvm::StringRef what);
  ~ProgressNotice();
  ProgressNotice(const ProgressNotice &) = delete;
  ProgressNotice &operator=(const ProgressNotice &) = delete;

private:
  std::string message;
  std::chrono::steady_clock::time_point start;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false, printed = false;
  std::thread waiter;
};

} // namespace mlir::attn

#endif // ATTN_SUPPORT_PROGRESS_H
