/* DISK core, internal: what the AVX-512 (BW, VL) blending kernels of
 * disk-fast-span.c (level pairs) and disk-fast-quad.c (four levels) share. Only
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

#endif /* __DISK_FAST_AVX512_H__ */
