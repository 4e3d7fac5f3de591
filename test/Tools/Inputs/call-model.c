/* Part of the attn-mlir project.
 *
 * Calls the functions of attn-compile-c-program.mlir through the shared
 * library and header that attn-compile wrote, and checks the results against
 * plain C loops in double precision. */

#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ROWS 5
#define INNER 8
#define COLS 4
#define HEADS 2
#define LQ 6
#define LK 9
#define D 8

static attn_memref_2d_f32 make2d(float *data, int64_t rows, int64_t cols) {
  attn_memref_2d_f32 m = {data, data, 0, {rows, cols}, {cols, 1}};
  return m;
}

static attn_memref_4d_f32 make4d(float *data, int64_t b, int64_t h, int64_t l,
                                 int64_t d) {
  attn_memref_4d_f32 m = {data, data, 0, {b, h, l, d}, {h * l * d, l * d, d, 1}};
  return m;
}

static float value(int i, int salt) {
  return (float)sin(0.37 * i + 1.3 * salt);
}

int main(void) {
  static float a[ROWS * INNER], b[INNER * COLS];
  static float q[HEADS * LQ * D], k[HEADS * LK * D], v[HEADS * LK * D];
  int failures = 0;
  for (int i = 0; i < ROWS * INNER; ++i)
    a[i] = value(i, 1);
  for (int i = 0; i < INNER * COLS; ++i)
    b[i] = value(i, 2);
  for (int i = 0; i < HEADS * LQ * D; ++i)
    q[i] = value(i, 3);
  for (int i = 0; i < HEADS * LK * D; ++i) {
    k[i] = value(i, 4);
    v[i] = value(i, 5);
  }

  /* Two results with a dynamic dimension, through the plain alias. */
  attn_memref_2d_f32 ma = make2d(a, ROWS, INNER), mb = make2d(b, INNER, COLS);
  matmul_and_negate_results results;
  matmul_and_negate(&results, &ma, &mb);
  attn_memref_2d_f32 prod = results.result0, neg = results.result1;
  double err = 0;
  for (int i = 0; i < ROWS; ++i)
    for (int j = 0; j < COLS; ++j) {
      double ref = 0;
      for (int p = 0; p < INNER; ++p)
        ref += (double)a[i * INNER + p] * b[p * COLS + j];
      float got = prod.aligned[prod.offset + i * prod.strides[0] +
                               j * prod.strides[1]];
      err = fmax(err, fabs(got - ref));
    }
  for (int i = 0; i < ROWS * INNER; ++i)
    err = fmax(err, fabs(neg.aligned[neg.offset + i] + a[i]));
  printf("matmul_and_negate: sizes %lldx%lld and %lldx%lld, max error %s\n",
         (long long)prod.sizes[0], (long long)prod.sizes[1],
         (long long)neg.sizes[0], (long long)neg.sizes[1],
         err < 1e-5 ? "ok" : "TOO LARGE");
  failures += err >= 1e-5;
  free(prod.allocated);
  free(neg.allocated);

  /* Causal attention through _mlir_ciface_. */
  attn_memref_4d_f32 mq = make4d(q, 1, HEADS, LQ, D);
  attn_memref_4d_f32 mk = make4d(k, 1, HEADS, LK, D);
  attn_memref_4d_f32 mv = make4d(v, 1, HEADS, LK, D);
  attn_memref_4d_f32 out;
  _mlir_ciface_attention_causal(&out, &mq, &mk, &mv);
  err = 0;
  for (int h = 0; h < HEADS; ++h)
    for (int i = 0; i < LQ; ++i) {
      double s[LK], m = -INFINITY, l = 0;
      int last = i + (LK - LQ); /* bottom-right aligned causal mask */
      for (int j = 0; j <= last; ++j) {
        double dot = 0;
        for (int c = 0; c < D; ++c)
          dot += (double)q[(h * LQ + i) * D + c] * k[(h * LK + j) * D + c];
        s[j] = dot / sqrt((double)D);
        m = fmax(m, s[j]);
      }
      for (int j = 0; j <= last; ++j)
        l += s[j] = exp(s[j] - m);
      for (int c = 0; c < D; ++c) {
        double ref = 0;
        for (int j = 0; j <= last; ++j)
          ref += s[j] / l * v[(h * LK + j) * D + c];
        float got = out.aligned[out.offset + h * out.strides[1] +
                                i * out.strides[2] + c * out.strides[3]];
        err = fmax(err, fabs(got - ref));
      }
    }
  printf("attention_causal: sizes %lldx%lldx%lldx%lld, max error %s\n",
         (long long)out.sizes[0], (long long)out.sizes[1],
         (long long)out.sizes[2], (long long)out.sizes[3],
         err < 1e-5 ? "ok" : "TOO LARGE");
  failures += err >= 1e-5;
  free(out.allocated);

  /* Inputs are only read. */
  printf("inputs unchanged: %s\n",
         a[3] == value(3, 1) && q[5] == value(5, 3) ? "yes" : "NO");
  return failures;
}
