/* Calls the functions of attn-compile-descriptors.mlir with descriptors the
 * code cannot read as its identity-layout types (an offset, other strides,
 * other static sizes, a negative size), which must be refused with a
 * message, and frees both results of a function that returns one value
 * twice. */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

static void report(const char *what, int status) {
  const char *message = attn_last_error();
  printf("%s: status %d: %s\n", what, status, message ? message : "(none)");
}

int main(void) {
  float a[6] = {100, 100, 1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
  attn_memref_1d_f32 x = {a, a + 2, 0, {4}, {1}}, y = {b, b, 0, {4}, {1}};
  attn_memref_1d_f32 sum;
  int status = add(&sum, &x, &y);
  printf("packed: status %d: %g %g %g %g\n", status, sum.aligned[0],
         sum.aligned[1], sum.aligned[2], sum.aligned[3]);
  free(sum.allocated);

  attn_memref_1d_f32 offset = {a, a, 2, {4}, {1}};
  report("offset", add(&sum, &offset, &y));
  attn_memref_1d_f32 strided = {a, a, 0, {3}, {2}};
  report("strided", add(&sum, &strided, &y));
  attn_memref_1d_f32 negative = {b, b, 0, {-1}, {1}};
  report("negative", add(&sum, &negative, &negative));

  float m[6] = {1, 2, 3, 4, 5, 6};
  attn_memref_2d_f32 wrong = {m, m, 0, {1, 3}, {3, 1}}, result;
  report("static sizes", fixed(&result, &wrong));
  /* A size-1 dimension's stride is never used: any value is accepted. */
  attn_memref_2d_f32 row = {m, m, 0, {2, 3}, {3, 1}};
  status = fixed(&result, &row);
  printf("fixed: status %d: %g\n", status, result.aligned[5]);
  free(result.allocated);

  twice_results both;
  status = twice(&both, &y);
  printf("twice: status %d, one buffer: %s, values %g %g\n", status,
         both.result0.allocated == both.result1.allocated ? "yes" : "no",
         both.result0.aligned[3], both.result1.aligned[3]);
  free(both.result0.allocated);
  free(both.result1.allocated);
  return 0;
}
