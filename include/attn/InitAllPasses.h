//===- InitAllPasses.h - register attn passes and pipelines ----*- C++ -*-===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_INITALLPASSES_H
#define ATTN_INITALLPASSES_H

namespace mlir::attn {

/// Registers every `attn` pass, conversion and pipeline
/// (`--attn-cpu-pipeline`, ...) with the global pass registry.
void registerAllPasses();

} // namespace mlir::attn

#endif // ATTN_INITALLPASSES_H
