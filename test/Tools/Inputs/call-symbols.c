// Part of the attn-mlir project.
//
// Calls the library of attn-compile-symbols.mlir: its public @free is
// exported as _mlir_ciface_free only, so free() below is the C library's
// (an exported `free` used to replace it and crash the program), and
// @twice, which calls the module's private @malloc and @helper, runs.

#include <stdio.h>
#include <stdlib.h>

#include "sym.h"

int main(void) {
  float in[4] = {1, 2, 3, 4};
  attn_memref_1d_f32 arg = {in, in, 0, {4}, {1}};
  attn_memref_1d_f32 out;
  if (twice(&out, &arg) != 0) {
    printf("twice failed: %s\n", attn_last_error());
    return 1;
  }
  printf("twice: %g %g %g %g\n", out.aligned[0], out.aligned[1],
         out.aligned[2], out.aligned[3]);
  free(out.allocated);
  attn_memref_1d_f32 same;
  if (_mlir_ciface_free(&same, &arg) != 0)
    return 1;
  printf("_mlir_ciface_free: %g %g %g %g\n", same.aligned[0], same.aligned[1],
         same.aligned[2], same.aligned[3]);
  free(same.allocated);
  return 0;
}
