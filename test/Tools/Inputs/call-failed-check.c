/* Calls @add of attn-compile-failed-check.mlir with operands of different
 * lengths, three times: each call must stop at the run-time shape check
 * with status 1 and leave nothing allocated (built with -fsanitize=address,
 * whose leak check at exit fails the program otherwise); then once with
 * matching operands. */
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

int main(void) {
  enum { N = 100000 };
  float *a = calloc(N, sizeof(float)), b[4] = {1, 2, 3, 4};
  attn_memref_1d_f32 x = {a, a, 0, {N}, {1}}, y = {b, b, 0, {4}, {1}}, sum;
  for (int i = 0; i < 3; ++i) {
    int status = add(&sum, &x, &y);
    const char *message = attn_last_error();
    printf("call %d: status %d: %s\n", i, status, message ? message : "(none)");
  }
  attn_memref_1d_f32 z = {a, a, 0, {4}, {1}};
  int status = add(&sum, &z, &y);
  printf("matching: status %d: %g %g\n", status, sum.aligned[0],
         sum.aligned[3]);
  free(sum.allocated);
  free(a);
  return 0;
}
