//===- Progress.cpp - a progress line for slow steps of the tools ---------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <optional>

using namespace mlir::attn;

/// The delay before the line appears, or std::nullopt for none at all.
static std::optional<std::chrono::milliseconds> progressDelay() {
  if (const char *env = std::getenv("ATTN_PROGRESS")) {
    char *end = nullptr;
    long ms = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && ms >= 0)
      return std::chrono::milliseconds(ms);
  }
  if (!llvm::sys::Process::StandardErrIsDisplayed())
    return std::nullopt;
  return std::chrono::milliseconds(1500);
}

ProgressNotice::ProgressNotice(llvm::StringRef tool, llvm::StringRef what)
    : message((tool + ": " + what).str()),
      start(std::chrono::steady_clock::now()) {
  std::optional<std::chrono::milliseconds> delay = progressDelay();
  if (!delay)
    return;
  if (delay->count() == 0) {
    // At once (deterministic output for tests): no waiting thread.
    printed = true;
    llvm::errs() << message << "...\n";
    llvm::errs().flush();
    return;
  }
  waiter = std::thread([this, wait = *delay] {
    std::unique_lock<std::mutex> lock(mutex);
    if (finished.wait_for(lock, wait, [this] { return done; }))
      return;
    printed = true;
    llvm::errs() << message << "...\n";
    llvm::errs().flush();
  });
}

ProgressNotice::~ProgressNotice() {
  if (waiter.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
    }
    finished.notify_one();
    waiter.join();
  }
  if (!printed)
    return;
  std::chrono::duration<double> seconds =
      std::chrono::steady_clock::now() - start;
  llvm::errs() << message << " took " << llvm::format("%.1f", seconds.count())
               << " s\n";
}
