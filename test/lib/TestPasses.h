//===- TestPasses.h - attn test passes for attn-opt -------------*- C++ -*-===//
//
// Part of the attn-mlir project.
//
// The test passes of test/lib (library AttnTestPasses), as upstream's
// mlir/test/lib: they drive compiler internals (geometry, exp2 and online
// softmax builders, rewrite patterns) in isolation for the lit tests. Only
// attn-opt links them; they are not part of the installed pass library.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_TEST_LIB_TESTPASSES_H
#define ATTN_TEST_LIB_TESTPASSES_H

namespace mlir::attn::test {

/// -test-attn-geometry
void registerTestAttentionGeometryPass();
/// -test-attn-convert-to-online-patterns
void registerTestConvertToOnlinePatternsPass();
/// -test-attn-exp2
void registerTestExp2Pass();
/// -test-attn-to-vector-cleanup-patterns
void registerTestAttnToVectorCleanupPatternsPass();

/// Registers every test pass above with the global pass registry.
inline void registerTestPasses() {
  registerTestAttentionGeometryPass();
  registerTestConvertToOnlinePatternsPass();
  registerTestExp2Pass();
  registerTestAttnToVectorCleanupPatternsPass();
}

} // namespace mlir::attn::test

#endif // ATTN_TEST_LIB_TESTPASSES_H
