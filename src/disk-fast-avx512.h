/* DISK core, internal: what the AVX-512 (BW, VL) blending kernels of
 * disk-fast.c (level pairs) and disk-fast-quad.c (four levels) share. Only
 * for x86 builds with GCC's target attributes; not installed. */
#ifndef __DISK_FAST_AVX512_H__
#define __DISK_FAST_AVX512_H__

#include <immintrin.h>

/* Loads of 16 values from p as floats: whole (LDV) or the lanes in mask m,
 * the others 0 (LDM; no fault past them), from floats (_F) or binary16
 * (_H). */
#define DISK_LDV_F(p) _mm512_loadu_ps (p)
#define DISK_LDM_F(p, m) _mm512_maskz_loadu_ps (m, p)
#define DISK_LDV_H(p) \
  _mm512_cvtph_ps (_mm256_loadu_si256 ((const __m256i *) (p)))
#define DISK_LDM_H(p, m) _mm512_cvtph_ps (_mm256_maskz_loadu_epi16 (m, p))

/* A span of `len` floats in chunks: CHUNK4 (four vectors from float j) as
 * long as four fit, then what is left, one to four vectors, by CHUNK1 to
 * CHUNK4, its last vector's lanes in `last` (all ones before). Each chunk
 * sums every read over its floats, so a float's bits do not depend on
 * where its span starts or ends. */
#define DISK_MASKED_SPAN(CHUNK1, CHUNK2, CHUNK3, CHUNK4)                  \
  {                                                                       \
    gsize j = 0;                                                          \
    __mmask16 last = 0xffff;                                              \
                                                                          \
    for (; j + 64 <= len; j += 64)                                        \
      CHUNK4;                                                             \
    if (j < len) {                                                        \
      const guint rest = (guint) (len - j), nv = (rest + 15) / 16;        \
                                                                          \
      last = (__mmask16) ((1u << (rest - 16 * (nv - 1))) - 1);            \
      switch (nv) {                                                       \
        case 1:                                                           \
          CHUNK1;                                                         \
          break;                                                          \
        case 2:                                                           \
          CHUNK2;                                                         \
          break;                                                          \
        case 3:                                                           \
          CHUNK3;                                                         \
          break;                                                          \
        default:                                                          \
          CHUNK4;                                                         \
          break;                                                          \
      }                                                                   \
    }                                                                     \
  }

/* The chunks below read ELEM values (gfloat or guint16) from base + off[i]
 * + j for read i (LDV: a whole vector, LDM: the lanes in `last`) and store
 * their sums with the caller's STORE2 or STORE4: the span kernels of
 * disk-fast.c and disk-fast-quad.c, and the packed kernels of
 * disk-fast-packed.c, which load and store elsewhere but sum alike, so
 * that a float's bits are the same whichever of them runs it. */

/* A pair's two sums, A (weights w0) and B (w1), over reads 0 .. n - 1 in
 * segments (n_both shared, n_first A's alone, n_second B's alone), one or
 * two vectors: too few sums to hide the multiply-add latency, so even and
 * odd taps go to separate accumulators, added at the end (the shared
 * reads; then one sum's alone, its even and odd taps likewise). */
#define SPAN2_CHUNK_512_SPLIT(LDV, LDM, NV)                               \
  {                                                                       \
    __m512 a0 = _mm512_setzero_ps (), a1 = a0, c0 = a0, c1 = a0;          \
    __m512 b0 = a0, b1 = a0, d0 = a0, d1 = a0;                            \
    guint i;                                                              \
                                                                          \
    for (i = 0; i + 2 <= n_both; i += 2) {                                \
      const __m512 u = _mm512_set1_ps (w0[i]), v = _mm512_set1_ps (w1[i]); \
      const __m512 p = _mm512_set1_ps (w0[i + 1]);                        \
      const __m512 q = _mm512_set1_ps (w1[i + 1]);                        \
      const ELEM *s = base + off[i] + j, *t = base + off[i + 1] + j;      \
      __m512 x, y;                                                        \
                                                                          \
      x = NV > 1 ? LDV (s) : LDM (s, last);                               \
      y = NV > 1 ? LDV (t) : LDM (t, last);                               \
      a0 = _mm512_fmadd_ps (u, x, a0);                                    \
      b0 = _mm512_fmadd_ps (v, x, b0);                                    \
      c0 = _mm512_fmadd_ps (p, y, c0);                                    \
      d0 = _mm512_fmadd_ps (q, y, d0);                                    \
      if (NV > 1) {                                                       \
        x = LDM (s + 16, last);                                           \
        y = LDM (t + 16, last);                                           \
        a1 = _mm512_fmadd_ps (u, x, a1);                                  \
        b1 = _mm512_fmadd_ps (v, x, b1);                                  \
        c1 = _mm512_fmadd_ps (p, y, c1);                                  \
        d1 = _mm512_fmadd_ps (q, y, d1);                                  \
      }                                                                   \
    }                                                                     \
    if (i < n_both) {                                                     \
      const __m512 u = _mm512_set1_ps (w0[i]), v = _mm512_set1_ps (w1[i]); \
      const ELEM *s = base + off[i] + j;                                  \
      __m512 x;                                                           \
                                                                          \
      x = NV > 1 ? LDV (s) : LDM (s, last);                               \
      a0 = _mm512_fmadd_ps (u, x, a0);                                    \
      b0 = _mm512_fmadd_ps (v, x, b0);                                    \
      if (NV > 1) {                                                       \
        x = LDM (s + 16, last);                                           \
        a1 = _mm512_fmadd_ps (u, x, a1);                                  \
        b1 = _mm512_fmadd_ps (v, x, b1);                                  \
      }                                                                   \
      i++;                                                                \
    }                                                                     \
    SPAN2_ONE_SPLIT_512 (LDV, LDM, NV, w0, a, c, n_both + n_first);       \
    SPAN2_ONE_SPLIT_512 (LDV, LDM, NV, w1, b, d, n);                      \
    STORE2 (0, _mm512_add_ps (a0, c0), _mm512_add_ps (b0, d0), NV > 1);   \
    if (NV > 1)                                                           \
      STORE2 (16, _mm512_add_ps (a1, c1), _mm512_add_ps (b1, d1), FALSE); \
  }
/* Reads i to END - 1 into one sum only, even ones to S, odd ones to T. */
#define SPAN2_ONE_SPLIT_512(LDV, LDM, NV, W, S, T, END)                   \
  {                                                                       \
    for (; i + 2 <= (END); i += 2) {                                      \
      const __m512 u = _mm512_set1_ps (W[i]), p = _mm512_set1_ps (W[i + 1]); \
      const ELEM *s = base + off[i] + j, *t = base + off[i + 1] + j;      \
                                                                          \
      S##0 = _mm512_fmadd_ps (u, NV > 1 ? LDV (s) : LDM (s, last), S##0); \
      T##0 = _mm512_fmadd_ps (p, NV > 1 ? LDV (t) : LDM (t, last), T##0); \
      if (NV > 1) {                                                       \
        S##1 = _mm512_fmadd_ps (u, LDM (s + 16, last), S##1);             \
        T##1 = _mm512_fmadd_ps (p, LDM (t + 16, last), T##1);             \
      }                                                                   \
    }                                                                     \
    if (i < (END)) {                                                      \
      const __m512 u = _mm512_set1_ps (W[i]);                             \
      const ELEM *s = base + off[i] + j;                                  \
                                                                          \
      S##0 = _mm512_fmadd_ps (u, NV > 1 ? LDV (s) : LDM (s, last), S##0); \
      if (NV > 1)                                                         \
        S##1 = _mm512_fmadd_ps (u, LDM (s + 16, last), S##1);             \
      i++;                                                                \
    }                                                                     \
  }

/* The vector loops below run 1 to 4 times: unrolled, their sums stay in
 * registers. */
#define UNROLL _Pragma ("GCC unroll 4")

/* Four sums of NV (1 to 4) vectors from float j on: each level's sum over
 * the taps in order, whichever pass the float falls in (its bits do not
 * depend on where its run starts or ends). Then STORE4. */
#define SPAN4_CHUNK(LDV, LDM, NV)                                         \
  {                                                                       \
    __m512 a[4], b[4], c[4], d[4];                                        \
    guint i, v;                                                           \
                                                                          \
    UNROLL for (v = 0; v < NV; v++)                                       \
      a[v] = b[v] = c[v] = d[v] = _mm512_setzero_ps ();                   \
    for (i = 0; i < n; i++) {                                             \
      const __m512 w0 = _mm512_set1_ps (w[4 * i]);                        \
      const __m512 w1 = _mm512_set1_ps (w[4 * i + 1]);                    \
      const __m512 w2 = _mm512_set1_ps (w[4 * i + 2]);                    \
      const __m512 w3 = _mm512_set1_ps (w[4 * i + 3]);                    \
      const ELEM *s = base + off[i] + j;                                  \
                                                                          \
      UNROLL for (v = 0; v < NV; v++) {                                   \
        const __m512 x = v + 1 < NV ? LDV (s + 16 * v)                    \
            : LDM (s + 16 * v, last);                                     \
                                                                          \
        a[v] = _mm512_fmadd_ps (w0, x, a[v]);                             \
        b[v] = _mm512_fmadd_ps (w1, x, b[v]);                             \
        c[v] = _mm512_fmadd_ps (w2, x, c[v]);                             \
        d[v] = _mm512_fmadd_ps (w3, x, d[v]);                             \
      }                                                                   \
    }                                                                     \
    UNROLL for (v = 0; v < NV; v++)                                       \
      STORE4 (16 * v, a[v], b[v], c[v], d[v]);                            \
  }

/* The blends the kernels store, one expression each wherever they run:
 * a level pair's A + q (B - A), q the weight of the level above; and four
 * levels' (1 - t) ((1 - s0) A + s0 B) + t ((1 - s1) C + s1 D), in the
 * order of the levels' weights in disk-fast-levels.c (level_weight). */
static inline __attribute__ ((always_inline, target ("avx512f,fma"))) __m512
disk_blend2 (__m512 q, __m512 a, __m512 b)
{
  return _mm512_fmadd_ps (q, _mm512_sub_ps (b, a), a);
}

static inline __attribute__ ((always_inline, target ("avx512f,fma"))) __m512
disk_blend4 (__m512 a, __m512 b, __m512 c, __m512 d, __m512 t, __m512 s0,
    __m512 s1)
{
  const __m512 one = _mm512_set1_ps (1.0f), r = _mm512_sub_ps (one, t);
  __m512 p, q;

  p = _mm512_mul_ps (_mm512_mul_ps (r, _mm512_sub_ps (one, s0)), a);
  p = _mm512_fmadd_ps (_mm512_mul_ps (r, s0), b, p);
  q = _mm512_mul_ps (_mm512_mul_ps (t, _mm512_sub_ps (one, s1)), c);
  q = _mm512_fmadd_ps (_mm512_mul_ps (t, s1), d, q);
  return _mm512_add_ps (p, q);
}

#endif /* __DISK_FAST_AVX512_H__ */
