/* Part of the attn-mlir project.
 *
 * Driver of sampling-asan.mlir: calls the compiled sampling kernels on
 * exactly-sized heap buffers (ASan puts redzones around each) with
 * adversarial coordinates, and checks every result against a plain C
 * double-precision version of docs/Spec.md 1.5-1.6: corners outside the map
 * read 0, border padding clamps the pixel coordinate, a non-finite
 * coordinate adds nothing (so a query whose samples are all non-finite is
 * exactly 0), and every output is finite. */

#include "model.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static uint32_t rng = 12345u;

static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}

/* Half the coordinates from a list of hostile values, half uniform in
 * [lo, hi] (around and beyond the map). */
static float coordinate(float lo, float hi) {
  static const float hostile[] = {
      NAN, INFINITY, -INFINITY, 1e30f, -1e30f, FLT_MAX, -FLT_MAX,
      0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1.0000001f, -1.0000001f,
      0.9999999f, 2.0f, -2.0f, 1e-30f, 3.0f, -3.5f};
  uint32_t r = next();
  if (r & 1)
    return hostile[(r >> 1) % (sizeof(hostile) / sizeof(hostile[0]))];
  return lo + (hi - lo) * (float)(next() % 100000) / 100000.0f;
}

static float normal(void) {
  return (float)((int)(next() % 2001) - 1000) / 500.0f;
}

static void *buffer(size_t count, size_t size) {
  void *p = malloc(count * size);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

/* Adds weight * bilinear(map, ix, iy) over `channels` to `out`; the map's
 * element (y, x, c) is at map[y*strideY + x*strideX + c]. Returns whether
 * the sample was finite. */
static int addBilinear(const float *map, int64_t strideY, int64_t strideX,
                       int h, int w, int channels, double ix, double iy,
                       int border, double weight, double *out) {
  if (!isfinite(ix) || !isfinite(iy))
    return 0;
  if (border) {
    ix = fmin(fmax(ix, 0.0), w - 1.0);
    iy = fmin(fmax(iy, 0.0), h - 1.0);
  }
  if (ix < -2.0 || ix > w + 1.0 || iy < -2.0 || iy > h + 1.0)
    return 1; /* every corner outside */
  double fx = floor(ix), fy = floor(iy);
  int x0 = (int)fx, y0 = (int)fy;
  double wx[2] = {1.0 - (ix - fx), ix - fx}, wy[2] = {1.0 - (iy - fy), iy - fy};
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) {
      int y = y0 + a, x = x0 + b;
      if (y < 0 || y >= h || x < 0 || x >= w)
        continue;
      for (int c = 0; c < channels; ++c)
        out[c] += weight * wy[a] * wx[b] * map[y * strideY + x * strideX + c];
    }
  return 1;
}

/* Compares `count` outputs with the reference; `anyFinite[i / channels]`
 * false means the output must be exactly zero. */
static void check(const char *name, const float *out, const double *ref,
                  const int *anyFinite, int64_t count, int channels,
                  double tol) {
  int bad = 0;
  for (int64_t i = 0; i < count && bad < 5; ++i) {
    if (!isfinite(out[i])) {
      printf("%s: output %lld is %f\n", name, (long long)i, out[i]);
      ++bad;
    } else if (!anyFinite[i / channels] && out[i] != 0.0f) {
      printf("%s: output %lld is %g, expected exactly 0 (non-finite samples)\n",
             name, (long long)i, out[i]);
      ++bad;
    } else if (fabs(out[i] - ref[i]) > tol * fmax(1.0, fabs(ref[i]))) {
      printf("%s: output %lld is %.7g, reference %.7g\n", name, (long long)i,
             out[i], ref[i]);
      ++bad;
    }
  }
  failures += bad != 0;
  if (!bad)
    printf("%s: ok\n", name);
}

/* f16 bits <-> float through clang's _Float16. */
static uint16_t toHalf(float f) {
  _Float16 h = (_Float16)f;
  uint16_t bits;
  memcpy(&bits, &h, 2);
  return bits;
}
static float fromHalf(uint16_t bits) {
  _Float16 h;
  memcpy(&h, &bits, 2);
  return (float)h;
}

/* ms_deform_attn: N=2, Lq=37, M=3, D=20, levels (6,4) and (3,2), P=3. */
static void testMSDA(void) {
  enum { N = 2, LQ = 37, M = 3, D = 20, L = 2, P = 3, S = 30 };
  static const int shapes[L][2] = {{6, 4}, {3, 2}};
  float *v = buffer(N * S * M * D, sizeof(float));
  float *loc = buffer(N * LQ * M * L * P * 2, sizeof(float));
  float *w = buffer(N * LQ * M * L * P, sizeof(float));
  for (int i = 0; i < N * S * M * D; ++i)
    v[i] = normal();
  for (int i = 0; i < N * LQ * M * L * P * 2; ++i)
    loc[i] = coordinate(-0.5f, 1.5f);
  for (int i = 0; i < N * LQ * M * L * P; ++i)
    w[i] = normal();
  attn_memref_4d_f32 mv = {v, v, 0, {N, S, M, D}, {S * M * D, M * D, D, 1}};
  attn_memref_6d_f32 ml = {loc, loc, 0, {N, LQ, M, L, P, 2},
                           {LQ * M * L * P * 2, M * L * P * 2, L * P * 2, P * 2, 2, 1}};
  attn_memref_5d_f32 mw = {w, w, 0, {N, LQ, M, L, P},
                           {LQ * M * L * P, M * L * P, L * P, P, 1}};
  attn_memref_3d_f32 out;
  msda(&out, &mv, &ml, &mw);

  double *ref = calloc(N * LQ * M * D, sizeof(double));
  int *anyFinite = calloc(N * LQ * M, sizeof(int));
  for (int n = 0; n < N; ++n)
    for (int q = 0; q < LQ; ++q)
      for (int m = 0; m < M; ++m) {
        int start = 0, row = (n * LQ + q) * M + m;
        for (int l = 0; l < L; ++l) {
          int h = shapes[l][0], wd = shapes[l][1];
          const float *map = v + ((int64_t)n * S + start) * M * D + m * D;
          for (int p = 0; p < P; ++p) {
            int64_t at = (((int64_t)row * L + l) * P + p);
            anyFinite[row] |= addBilinear(
                map, (int64_t)wd * M * D, M * D, h, wd, D,
                (double)loc[2 * at] * wd - 0.5, (double)loc[2 * at + 1] * h - 0.5,
                /*border=*/0, w[at], ref + (int64_t)row * D);
          }
          start += h * wd;
        }
      }
  check("msda: 2x37x3 queries, 2 levels, 3 points, D=20", out.aligned, ref,
        anyFinite, N * LQ * M * D, D, 1e-4);
  free(out.allocated);
  free(ref);
  free(anyFinite);
  free(v);
  free(loc);
  free(w);
}

/* deformable_sample: input 2x5x7x20, grid 2x6x9. */
static void testSample(int border) {
  enum { N = 2, H = 5, W = 7, C = 20, HO = 6, WO = 9 };
  float *x = buffer(N * H * W * C, sizeof(float));
  float *g = buffer(N * HO * WO * 2, sizeof(float));
  for (int i = 0; i < N * H * W * C; ++i)
    x[i] = normal();
  for (int i = 0; i < N * HO * WO * 2; ++i)
    g[i] = coordinate(-1.5f, 1.5f);
  attn_memref_4d_f32 mx = {x, x, 0, {N, H, W, C}, {H * W * C, W * C, C, 1}};
  attn_memref_4d_f32 mg = {g, g, 0, {N, HO, WO, 2}, {HO * WO * 2, WO * 2, 2, 1}};
  attn_memref_4d_f32 out;
  if (border)
    sample_border_align(&out, &mx, &mg);
  else
    sample_zeros(&out, &mx, &mg);
  double *ref = calloc(N * HO * WO * C, sizeof(double));
  int *anyFinite = calloc(N * HO * WO, sizeof(int));
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < HO * WO; ++i) {
      int row = n * HO * WO + i;
      double gx = g[2 * row], gy = g[2 * row + 1];
      /* align_corners: (x+1)/2*(W-1); else ((x+1)*W-1)/2. */
      double ix = border ? (gx + 1) / 2 * (W - 1) : ((gx + 1) * W - 1) / 2;
      double iy = border ? (gy + 1) / 2 * (H - 1) : ((gy + 1) * H - 1) / 2;
      anyFinite[row] = addBilinear(x + (int64_t)n * H * W * C, W * C, C, H, W,
                                   C, ix, iy, border, 1.0,
                                   ref + (int64_t)row * C);
    }
  check(border ? "sample_border_align: 2x6x9 from 5x7x20"
               : "sample_zeros: 2x6x9 from 5x7x20",
        out.aligned, ref, anyFinite, N * HO * WO * C, C, 1e-4);
  free(out.allocated);
  free(ref);
  free(anyFinite);
  free(x);
  free(g);
}

/* ms_deform_attn in f16: N=1, Lq=19, M=2, D=9 (a masked tail only), one
 * 5x7 level, P=2. */
static void testMSDAHalf(void) {
  enum { LQ = 19, M = 2, D = 9, P = 2, H = 5, W = 7, S = 35 };
  uint16_t *v = buffer(S * M * D, 2), *loc = buffer(LQ * M * P * 2, 2),
           *w = buffer(LQ * M * P, 2);
  float *vf = buffer(S * M * D, sizeof(float));
  for (int i = 0; i < S * M * D; ++i) {
    v[i] = toHalf(normal());
    vf[i] = fromHalf(v[i]);
  }
  for (int i = 0; i < LQ * M * P * 2; ++i)
    loc[i] = toHalf(coordinate(-0.5f, 1.5f));
  for (int i = 0; i < LQ * M * P; ++i)
    w[i] = toHalf(normal());
  attn_memref_4d_f16 mv = {v, v, 0, {1, S, M, D}, {S * M * D, M * D, D, 1}};
  attn_memref_6d_f16 ml = {loc, loc, 0, {1, LQ, M, 1, P, 2},
                           {LQ * M * P * 2, M * P * 2, P * 2, P * 2, 2, 1}};
  attn_memref_5d_f16 mw = {w, w, 0, {1, LQ, M, 1, P}, {LQ * M * P, M * P, P, P, 1}};
  attn_memref_3d_f16 out;
  msda_f16(&out, &mv, &ml, &mw);
  double *ref = calloc(LQ * M * D, sizeof(double));
  int *anyFinite = calloc(LQ * M, sizeof(int));
  float *outf = buffer(LQ * M * D, sizeof(float));
  for (int row = 0; row < LQ * M; ++row) {
    int m = row % M;
    for (int p = 0; p < P; ++p) {
      int at = row * P + p;
      anyFinite[row] |= addBilinear(
          vf + m * D, W * M * D, M * D, H, W, D,
          (double)fromHalf(loc[2 * at]) * W - 0.5,
          (double)fromHalf(loc[2 * at + 1]) * H - 0.5, 0, fromHalf(w[at]),
          ref + (int64_t)row * D);
    }
  }
  for (int i = 0; i < LQ * M * D; ++i)
    outf[i] = fromHalf(out.aligned[i]);
  check("msda_f16: 1x19x2 queries, 1 level, 2 points, D=9", outf, ref,
        anyFinite, LQ * M * D, D, 1e-2);
  free(out.allocated);
  free(ref);
  free(anyFinite);
  free(outf);
  free(vf);
  free(v);
  free(loc);
  free(w);
}

int main(void) {
  testMSDA();
  testSample(/*border=*/1);
  testSample(/*border=*/0);
  testMSDAHalf();
  printf("%d failures\n", failures);
  return failures != 0;
}
