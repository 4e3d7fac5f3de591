//===- NpyFuzzer.cpp - libFuzzer target: the .npy reader ------------------===//
//
// Part of the attn-mlir project.
//
// Feeds each input to the runtime's .npy reader (what attn-run --input and
// the bindings read): it must return a tensor or an error, never crash,
// read out of bounds or allocate without bound. A tensor that parses is
// written back and read again, and must read back the same. Built with
// -DATTN_BUILD_FUZZERS=ON; scripts/fuzz.sh runs it (docs/Fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "attn/Runtime/NpyIO.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace mlir::attn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<HostTensor> tensor =
      readNpy(llvm::MemoryBufferRef(bytes, "fuzz.npy"));
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return 0;
  }
  std::string written = serializeNpy(*tensor);
  llvm::Expected<HostTensor> again =
      readNpy(llvm::MemoryBufferRef(written, "again.npy"));
  if (!again) {
    llvm::consumeError(again.takeError());
    std::abort(); // What we write must read back.
  }
  if (serializeNpy(*again) != written)
    std::abort();
  return 0;
}
