/* Part of the attn-mlir project.
 *
 * A program built against a shared library of attn-compile-deploy.mlir by
 * the recipe of its header: calls with matching and with mismatched dynamic
 * sizes, through the plain name and through _mlir_ciface_, checking the
 * status and attn_last_error(). */

#ifdef LIBMODEL
#include "libmodel.h"
#else
#include "model.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define H 2
#define LQ 4
#define LK 6
#define D 8

static float q[2 * H * LQ * D], k[2 * H * LK * D], v[2 * H * LK * D];

static attn_memref_4d_f32 make4d(float *data, int64_t b, int64_t l) {
  attn_memref_4d_f32 m = {data, data, 0, {b, H, l, D},
                          {H * l * D, l * D, D, 1}};
  return m;
}

static const char *message(void) {
  const char *text = attn_last_error();
  return text ? text : "(none)";
}

int main(void) {
  int failures = 0;
  for (int i = 0; i < 2 * H * LQ * D; ++i)
    q[i] = (float)sin(0.3 * i);
  for (int i = 0; i < 2 * H * LK * D; ++i) {
    k[i] = (float)cos(0.7 * i);
    v[i] = (float)sin(1.1 * i + 0.5);
  }

  /* Batch 2 everywhere: runs. */
  attn_memref_4d_f32 mq = make4d(q, 2, LQ), mk = make4d(k, 2, LK),
                     mv = make4d(v, 2, LK);
  attn_memref_4d_f32 out = {0};
  int status = attention(&out, &mq, &mk, &mv);
  printf("matching sizes: status %d, result batch %lld, error %s\n", status,
         (long long)out.sizes[0], message());
  failures += status != 0 || out.sizes[0] != 2;
  /* Each output row is a convex combination of value rows. */
  int bounded = 1;
  for (int i = 0; i < 2 * H * LQ * D; ++i)
    bounded &= fabsf(out.aligned[out.offset + i]) <= 1.0f + 1e-5f;
  printf("outputs bounded: %s\n", bounded ? "yes" : "NO");
  failures += !bounded;
  free(out.allocated);

  /* The key's batch (1) does not match the query's (2): an error. */
  attn_memref_4d_f32 bad = make4d(k, 1, LK);
  attn_memref_4d_f32 untouched = {0};
  status = attention(&untouched, &mq, &bad, &mv);
  printf("mismatched batch: status %d, error %s\n", status, message());
  printf("result written: %s\n", untouched.allocated ? "YES" : "no");
  failures += status == 0 || untouched.allocated != NULL;

  /* The same through _mlir_ciface_, with the value's batch wrong. */
  status = _mlir_ciface_attention(&untouched, &mq, &mk, &bad);
  printf("mismatched value batch: status %d, error %s\n", status, message());
  failures += status == 0;

  /* A call that succeeds clears the message. */
  status = _mlir_ciface_attention(&out, &mq, &mk, &mv);
  printf("after a failure: status %d, error %s\n", status, message());
  failures += status != 0;
  free(out.allocated);
  return failures;
}
