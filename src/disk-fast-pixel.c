/* DISK core: a lone pixel between two levels (disk-fast-levels.c).
 *
 * On the steep ramps of a depth map the radius moves by a level or more
 * from one pixel to the next, so many runs there are a single pixel. The
 * span kernels spend a whole vector of 16 floats on such a pixel's 1 to 4
 * channels, and two multiply-adds on each read both levels have: at radius
 * 32 a lone pixel cost 8 times a pixel of a long run. Here the pixel's
 * weights are blended first, c = w0 + t (w1 - w0), and four of its reads
 * (4 binary16 values each, 8 bytes; with fewer than 4 channels the rest
 * are the next pixels', summed and dropped) share one vector: a quarter of
 * the vector operations, and one multiply-add per read (3 and 4
 * channels). With 1 or 2 channels the 4 values loaded hold more than one
 * read: neighbouring reads share a window of 4 values, each lane weighted
 * on its own (the plan's windows: disk-fast-levels.c, make_windows), 2.3
 * reads a window on the Y plane of the depth frame, where one read a
 * load had wasted three lanes in four; gathering 16 reads a vector
 * (vpgatherqd) was no faster for 1 channel and slower for 2 on this
 * machine (docs/PERFORMANCE.md, "Thirteenth pass").
 *
 * Planes of 1 to 4 channels in binary16 only, AVX-512 with F16C;
 * disk_fast_pixel_blend_supported () says whether this CPU has them. */
#include "disk-fast-private.h"

#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>

/* 8 bytes from anywhere (the values are 2-byte aligned only). */
static inline gint64
load8 (const guint16 * p)
{
  gint64 v;

  memcpy (&v, p, sizeof (v));
  return v;
}

/* The 4 channels of reads k .. k + 3 (binary16), one vector of 16 floats. */
#define LOAD4(k)                                                          \
  ({                                                                      \
    __m128i lo = _mm_loadl_epi64 ((const __m128i *) (base + off[k]));     \
    __m128i hi = _mm_loadl_epi64 ((const __m128i *) (base + off[k + 2])); \
                                                                          \
    lo = _mm_insert_epi64 (lo, load8 (base + off[k + 1]), 1);             \
    hi = _mm_insert_epi64 (hi, load8 (base + off[k + 3]), 1);             \
    _mm512_cvtph_ps (_mm256_inserti128_si256                              \
        (_mm256_castsi128_si256 (lo), hi, 1));                            \
  })

/* The sum of a's four quarters: lane c of the result sums lanes 4 r + c. */
__attribute__ ((target ("avx512f,avx512vl,avx2")))
static inline __m128
sum_quarters (__m512 a)
{
  const __m256 s = _mm256_add_ps (_mm512_castps512_ps256 (a),
      _mm256_castpd_ps (_mm512_extractf64x4_pd (_mm512_castps_pd (a), 1)));

  return _mm_add_ps (_mm256_castps256_ps128 (s), _mm256_extractf128_ps (s,
          1));
}

__attribute__ ((target ("avx512f,avx512vl,avx2,fma,f16c")))
static void
pixel_blend_half_avx512 (gfloat * restrict o, const guint16 * restrict base,
    const gssize * restrict off, const gfloat * restrict w0,
    const gfloat * restrict d, guint n, gfloat t, guint ch)
{
  const __m512 tt = _mm512_set1_ps (t);
  /* lane l of spread q takes weight 4 q + l / 4 */
  const __m512i q0 = _mm512_set_epi32 (3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1,
      0, 0, 0, 0);
  const __m512i four = _mm512_set1_epi32 (4);
  const __m512i q1 = _mm512_add_epi32 (q0, four);
  const __m512i q2 = _mm512_add_epi32 (q1, four);
  const __m512i q3 = _mm512_add_epi32 (q2, four);
  __m512 a = _mm512_setzero_ps (), b = a;
  __m128 r;
  guint i;

  /* two sums, so that one read's multiply-add need not wait on the last */
  for (i = 0; i < n; i += 16) {
    const __m512 c = _mm512_fmadd_ps (tt, _mm512_loadu_ps (d + i),
        _mm512_loadu_ps (w0 + i));

    a = _mm512_fmadd_ps (_mm512_permutexvar_ps (q0, c), LOAD4 (i), a);
    b = _mm512_fmadd_ps (_mm512_permutexvar_ps (q1, c), LOAD4 (i + 4), b);
    a = _mm512_fmadd_ps (_mm512_permutexvar_ps (q2, c), LOAD4 (i + 8), a);
    b = _mm512_fmadd_ps (_mm512_permutexvar_ps (q3, c), LOAD4 (i + 12), b);
  }
  /* lanes 4 r + c hold channel c of every fourth read: fold the four */
  r = sum_quarters (_mm512_add_ps (a, b));
  _mm_mask_storeu_ps (o, (__mmask8) ((1u << ch) - 1), r);
}

__attribute__ ((target ("avx512f,avx512vl,avx2,fma,f16c")))
static void
pixel_blend_windows_half_avx512 (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict d, guint n, gfloat t,
    guint ch)
{
  const __m512 tt = _mm512_set1_ps (t);
  __m512 a = _mm512_setzero_ps (), b = a;
  __m128 r;
  guint q;

  /* four windows a vector, each lane its own weight; two sums */
  for (q = 0; q < n; q += 8) {
    const __m512 c0 = _mm512_fmadd_ps (tt, _mm512_loadu_ps (d + 4 * q),
        _mm512_loadu_ps (w0 + 4 * q));
    const __m512 c1 = _mm512_fmadd_ps (tt, _mm512_loadu_ps (d + 4 * q + 16),
        _mm512_loadu_ps (w0 + 4 * q + 16));

    a = _mm512_fmadd_ps (c0, LOAD4 (q), a);
    b = _mm512_fmadd_ps (c1, LOAD4 (q + 4), b);
  }
  /* lane 4 r + p holds value p of every fourth window: fold the four,
   * then the values of each channel */
  r = sum_quarters (_mm512_add_ps (a, b));
  r = _mm_add_ps (r, _mm_movehl_ps (r, r));     /* p and p + 2 */
  if (ch == 1)
    r = _mm_add_ss (r, _mm_movehdup_ps (r));
  _mm_mask_storeu_ps (o, (__mmask8) ((1u << ch) - 1), r);
}
#endif

gboolean
disk_fast_pixel_blend_supported (void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  return disk_fast_span2_blend_supported (TRUE)
      && g_strcmp0 (g_getenv ("DISK_FAST_PIXEL"), "0") != 0;
#else
  return FALSE;
#endif
}

void
disk_fast_pixel_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * d, guint n,
    gfloat t, guint ch)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  pixel_blend_half_avx512 (o, base, off, w0, d, n, t, ch);
#else
  g_assert_not_reached ();
#endif
}

void
disk_fast_pixel_blend_windows_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * d, guint n,
    gfloat t, guint ch)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  pixel_blend_windows_half_avx512 (o, base, off, w0, d, n, t, ch);
#else
  g_assert_not_reached ();
#endif
}
