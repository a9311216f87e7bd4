/* DISK core: the four-level blending kernels of the varying layers with
 * angle levels (spin, zoom, an angle map; disk-fast-levels.c).
 *
 * A run of pixels there sits between four levels: radius levels k and
 * k + 1, each with two neighbouring angle levels. Summing them as two
 * pairs costs two passes over the run, each re-reading and re-writing the
 * output, and two sets of per-call costs; most runs are 4 to 30 pixels and
 * most layers have under a dozen taps, so those costs were half a spin
 * frame. Here one pass over the union of the four levels' reads keeps
 * four sums per float and stores their per-pixel blend once.
 *
 * AVX-512 with BW and VL only (masked 16-bit loads for a run's last
 * vector); disk-fast-span.c dispatches to these, and elsewhere the levels run
 * as pairs. */
#include "disk-fast-private.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include "disk-fast-avx512.h"

/* The vector loops below run 1 to 4 times: unrolled, their sums stay in
 * registers. */
#define UNROLL _Pragma ("GCC unroll 4")

/* Four sums of NV (1 to 4) vectors from float j on, each STEP values of
 * a row apart: each level's sum over the taps in order, whichever pass
 * the float falls in (its bits do not depend on where its run starts or
 * ends). Then STORE (OFF, A, B, C, D) of vector v at OFF = STEP v. */
#define SPAN4_SUMS(LDV, LDM, NV, STEP, STORE)                             \
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
        const __m512 x = v + 1 < NV ? LDV (s + STEP * v)                  \
            : LDM (s + STEP * v, last);                                   \
                                                                          \
        a[v] = _mm512_fmadd_ps (w0, x, a[v]);                             \
        b[v] = _mm512_fmadd_ps (w1, x, b[v]);                             \
        c[v] = _mm512_fmadd_ps (w2, x, c[v]);                             \
        d[v] = _mm512_fmadd_ps (w3, x, d[v]);                             \
      }                                                                   \
    }                                                                     \
    UNROLL for (v = 0; v < NV; v++)                                       \
      STORE (STEP * v, a[v], b[v], c[v], d[v]);                           \
  }
#define SPAN4_CHUNK(LDV, LDM, NV) SPAN4_SUMS (LDV, LDM, NV, 16, STORE4)

/* (1 - t) ((1 - s0) A + s0 B) + t ((1 - s1) C + s1 D), lane by lane, in
 * the order and with the products of level_weight (disk-fast-levels.c). */
static inline __attribute__ ((always_inline,
        target ("avx512f,avx512bw,avx512vl,fma")))
__m512 blend4 (__m512 tt, __m512 u0, __m512 u1, __m512 a, __m512 b, __m512 c,
    __m512 d)
{
  const __m512 one = _mm512_set1_ps (1.0f);
  const __m512 r = _mm512_sub_ps (one, tt);
  __m512 p, q;

  p = _mm512_mul_ps (_mm512_mul_ps (r, _mm512_sub_ps (one, u0)), a);
  p = _mm512_fmadd_ps (_mm512_mul_ps (r, u0), b, p);
  q = _mm512_mul_ps (_mm512_mul_ps (tt, _mm512_sub_ps (one, u1)), c);
  q = _mm512_fmadd_ps (_mm512_mul_ps (tt, u1), d, q);
  return _mm512_add_ps (p, q);
}

/* o = (1 - t) ((1 - s0) A + s0 B) + t ((1 - s1) C + s1 D) for the 16
 * floats from j + OFF, stored under `last` where they end the run; t, s0
 * and s1 per pixel, spread over its channels (SPREAD: the 16 values from
 * p, lane l taking pixel lanes[l]). The same products and order as the
 * levels' weights in disk-fast-levels.c (level_weight). */
#define SPREAD(p)                                                         \
  _mm512_castsi512_ps (_mm512_permutexvar_epi32 (lanes,                   \
          _mm512_castps_si512 (_mm512_loadu_ps (p))))
#define STORE4(OFF, A, B, C, D)                                           \
  {                                                                       \
    const gsize jj = j + (OFF), px = disk_fast_div_ch (jj, ch);           \
    const __m512i lanes =                                                 \
        _mm512_loadu_si512 (disk_fast_spread_lanes[ch][jj - px * ch]);    \
    const __m512 p = blend4 (SPREAD (t + px), SPREAD (s0 + px),           \
        SPREAD (s1 + px), A, B, C, D);                                    \
                                                                          \
    if (jj + 16 <= len)                                                   \
      _mm512_storeu_ps (o + jj, p);                                       \
    else                                                                  \
      _mm512_mask_storeu_ps (o + jj, last, p);                            \
  }

/* The span in chunks of one to four vectors (DISK_MASKED_SPAN). */
#define SPAN4_BODY(LDV, LDM)                                              \
  DISK_MASKED_SPAN (SPAN4_CHUNK (LDV, LDM, 1), SPAN4_CHUNK (LDV, LDM, 2),  \
      SPAN4_CHUNK (LDV, LDM, 3), SPAN4_CHUNK (LDV, LDM, 4))

#define ELEM gfloat
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma")))
void
disk_fast_span4_blend_avx512 (gfloat * restrict o,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch)
SPAN4_BODY (DISK_LDV_F, DISK_LDM_F)
#undef ELEM
#define ELEM guint16
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma,f16c")))
void
disk_fast_span4_blend_half_avx512 (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch)
SPAN4_BODY (DISK_LDV_H, DISK_LDM_H)
#undef ELEM
/* Two neighbouring 1-channel rows' runs over the same reads (a run the
 * level index made for both rows; disk-fast-levels.c): lanes 0-7 of a
 * vector hold 8 pixels of the first row, lanes 8-15 the same 8 of the
 * second (`stride` values further in the band), so that a run of 20
 * pixels fills 3 vectors for the two rows where it filled 2 for each.
 * Each lane's sums and blend are those of disk_fast_span4_blend_half_avx512
 * for its row: the same reads in the same order, the same products. */
#define PAIR_LDV(p)                                                       \
  _mm512_cvtph_ps (_mm256_inserti128_si256 (_mm256_castsi128_si256 (      \
              _mm_loadu_si128 ((const __m128i *) (p))),                   \
          _mm_loadu_si128 ((const __m128i *) ((p) + stride)), 1))
#define PAIR_LDM(p, m)                                                    \
  _mm512_cvtph_ps (_mm256_inserti128_si256 (_mm256_castsi128_si256 (      \
              _mm_maskz_loadu_epi16 (m, p)),                              \
          _mm_maskz_loadu_epi16 (m, (p) + stride), 1))

/* Two 8-float halves as one vector, and back. */
#define PAIR_JOIN(lo, hi)                                                 \
  _mm512_castpd_ps (_mm512_insertf64x4 (_mm512_castpd256_pd512 (          \
              _mm256_castps_pd (lo)), _mm256_castps_pd (hi), 1))
#define PAIR_HIGH(v)                                                      \
  _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (v), 1))

/* The per-pixel weights of the 8 pixels from jj of both rows. */
#define PAIR_WEIGHTS(p)                                                   \
  PAIR_JOIN (_mm256_loadu_ps ((p) + jj), _mm256_loadu_ps ((p) + wstride + jj))

#define PAIR_STORE4(OFF, A, B, C, D)                                      \
  {                                                                       \
    const gsize jj = j + (OFF);                                           \
    const __m512 p = blend4 (PAIR_WEIGHTS (t), PAIR_WEIGHTS (s0),         \
        PAIR_WEIGHTS (s1), A, B, C, D);                                   \
                                                                          \
    if (jj + 8 <= len) {                                                  \
      _mm256_storeu_ps (o + jj, _mm512_castps512_ps256 (p));              \
      _mm256_storeu_ps (o + ostride + jj, PAIR_HIGH (p));                 \
    } else {                                                              \
      _mm256_mask_storeu_ps (o + jj, last, _mm512_castps512_ps256 (p));   \
      _mm256_mask_storeu_ps (o + ostride + jj, last, PAIR_HIGH (p));      \
    }                                                                     \
  }

/* NV vectors of 8 pixels of each row from pixel j. */
#define PAIR_CHUNK(NV) SPAN4_SUMS (PAIR_LDV, PAIR_LDM, NV, 8, PAIR_STORE4)

#define ELEM guint16
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma,f16c")))
void
disk_fast_span4_blend_pair_half_avx512 (gfloat * restrict o, gsize ostride,
    const guint16 * restrict base, gsize stride,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len, const gfloat * restrict t, const gfloat * restrict s0,
    const gfloat * restrict s1, gsize wstride)
{
  gsize j = 0;
  __mmask8 last = 0xff;

  /* as DISK_MASKED_SPAN, in halves of 8 */
  for (; j + 32 <= len; j += 32)
    PAIR_CHUNK (4);
  if (j < len) {
    const guint rest = (guint) (len - j), nv = (rest + 7) / 8;

    last = (__mmask8) ((1u << (rest - 8 * (nv - 1))) - 1);
    switch (nv) {
      case 1:
        PAIR_CHUNK (1);
        break;
      case 2:
        PAIR_CHUNK (2);
        break;
      case 3:
        PAIR_CHUNK (3);
        break;
      default:
        PAIR_CHUNK (4);
        break;
    }
  }
}
#undef ELEM
#endif
