/* DISK core: the interior kernels of the fast path (disk-fast-span.h),
 * and the dispatching wrappers that disk-fast-private.h declares. */
#include "disk-fast-span.h"
#include "disk-fast-private.h"

#include <string.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include "disk-fast-avx512.h"
#endif

/* The interior kernel: o[j] = sum_i w[i] * src[i][j] for 0 <= j < len.
 *
 * Written once with GCC vector extensions and compiled three times, each
 * with vectors of its ISA's register width (a wider vector than the ISA has
 * is split by the compiler through the stack, ten times slower): for the
 * baseline ISA (the portable build, SSE2 on x86-64), for AVX2+FMA and for
 * AVX-512; the CPU picks one at run time. Every row of a frame runs the same
 * kernel, so threads cannot change the result. */

typedef gfloat v8f __attribute__ ((vector_size (32)));
typedef gfloat v8f_u __attribute__ ((vector_size (32), aligned (4)));
typedef gfloat v16f __attribute__ ((vector_size (64)));
typedef gfloat v16f_u __attribute__ ((vector_size (64), aligned (4)));

/* V is the vector type (VW floats, the ISA's register width), VU the same
 * with 4-byte alignment for unaligned loads and stores; H, HU, HW the
 * half-width vector (for what is left of a short span).
 *
 * Long spans: eight accumulators of one block, each summing over every tap
 * in order: enough independent sums to hide the add latency, few enough to
 * stay in registers. What is left after the blocks (short spans are the
 * rule in level-blended varying layers, disk-fast-levels.c) goes one vector,
 * then one half vector, then one float at a time; there a single sum over
 * a hundred taps would wait on each add in turn, so each of these sums is
 * split over four accumulators taking every fourth tap. */
#define LOAD(VU, p) (*(const VU *) (p))
/* Defined before each kernel: SRC (i), tap i's read pointer (from an array
 * of pointers, or a base pointer plus an array of offsets), to values of
 * type ELEM; LD (VU, p), the values at p as a vector of floats of type VU
 * (LOAD for floats, a conversion for binary16); ST (VU, p, v), the vector
 * v stored at p (STORE for floats, rounded for binary16 output rows). */
#define STORE(VU, p, v) (*(VU *) (p) = (v))
#define TAIL_SUM(T, TU, j)                                                \
  {                                                                       \
    T s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };                     \
                                                                          \
    for (i = 0; i + 4 <= n; i += 4) {                                     \
      s0 += w[i] * LD (TU, SRC (i) + j);                                  \
      s1 += w[i + 1] * LD (TU, SRC (i + 1) + j);                          \
      s2 += w[i + 2] * LD (TU, SRC (i + 2) + j);                          \
      s3 += w[i + 3] * LD (TU, SRC (i + 3) + j);                          \
    }                                                                     \
    for (; i < n; i++)                                                    \
      s0 += w[i] * LD (TU, SRC (i) + j);                                  \
    ST (TU, o + j, (s0 + s1) + (s2 + s3));                                \
  }
/* What is left of a span from float j on, with SUM (TAIL_SUM or
 * TAIL2_SUM): one vector at a time, then a half vector, a quarter (one
 * RGBA pixel is 4 floats: AVX-512 takes it too), then float by float. */
#define TAILS(SUM, V, VU, VW, H, HU, HW)                                  \
  for (; j + VW <= len; j += VW)                                          \
    SUM (V, VU, j);                                                       \
  if (HW > 1 && j + HW <= len) {                                          \
    SUM (H, HU, j);                                                       \
    j += HW;                                                              \
  }                                                                       \
  if (HW > 4 && j + 4 <= len) {                                           \
    SUM (v4f, v4f_u, j);                                                  \
    j += 4;                                                               \
  }                                                                       \
  for (; j < len; j++)                                                    \
    SUM (gfloat, gfloat, j)
#define SPAN_BODY(V, VU, VW, H, HU, HW)                                   \
  {                                                                       \
    gsize j = 0;                                                          \
    guint i;                                                              \
                                                                          \
    for (; j + 8 * VW <= len; j += 8 * VW) {                              \
      V a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };                   \
      V a4 = { 0 }, a5 = { 0 }, a6 = { 0 }, a7 = { 0 };                   \
                                                                          \
      for (i = 0; i < n; i++) {                                           \
        const ELEM *s = SRC (i) + j;                                      \
        const gfloat wi = w[i];                                           \
                                                                          \
        a0 += wi * LD (VU, s);                                            \
        a1 += wi * LD (VU, s + VW);                                       \
        a2 += wi * LD (VU, s + 2 * VW);                                   \
        a3 += wi * LD (VU, s + 3 * VW);                                   \
        a4 += wi * LD (VU, s + 4 * VW);                                   \
        a5 += wi * LD (VU, s + 5 * VW);                                   \
        a6 += wi * LD (VU, s + 6 * VW);                                   \
        a7 += wi * LD (VU, s + 7 * VW);                                   \
      }                                                                   \
      ST (VU, o + j, a0);                                                 \
      ST (VU, o + j + VW, a1);                                            \
      ST (VU, o + j + 2 * VW, a2);                                        \
      ST (VU, o + j + 3 * VW, a3);                                        \
      ST (VU, o + j + 4 * VW, a4);                                        \
      ST (VU, o + j + 5 * VW, a5);                                        \
      ST (VU, o + j + 6 * VW, a6);                                        \
      ST (VU, o + j + 7 * VW, a7);                                        \
    }                                                                     \
    TAILS (TAIL_SUM, V, VU, VW, H, HU, HW);                               \
  }

/* Two sums over the same reads: o0 with weights w0, o1 with w1 (two output
 * rows, or two levels of a varying layer). SPAN2_BLOCKS covers the first
 * multiple of UNIT floats of len (`covered`), four vectors per sum: eight
 * accumulators; reads 0 .. NB - 1 feed both sums, the next NA o0 only, the
 * next NC o1 only. For rows UNIT is the one-row kernel's block (8 VW), and
 * each float is summed over its row's taps in order as there, so a row
 * computes to the same bits whether it is run alone (with its taps in the
 * pair's order) or paired (SPAN2_BODY, the rest left to the one-row
 * kernel). SPAN2_FULL_BODY (every read feeds both) also does the rest, one
 * vector, half vector, quarter vector, float at a time (TAIL2_SUM: each sum
 * split over two accumulators). */
#define SPAN2_BLOCKS(V, VU, VW, UNIT, NB, NA, NC)                         \
  const gsize covered = len / (UNIT) * (UNIT);                            \
  gsize j;                                                                \
  guint i;                                                                \
                                                                          \
  for (j = 0; j < covered; j += 4 * VW) {                                 \
    V a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };                     \
    V b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 };                     \
                                                                          \
    for (i = 0; i < (NB); i++) {                                          \
      const ELEM *s = SRC (i) + j;                                        \
      const gfloat u = w0[i], v = w1[i];                                  \
      const V x0 = LD (VU, s), x1 = LD (VU, s + VW);                      \
      const V x2 = LD (VU, s + 2 * VW), x3 = LD (VU, s + 3 * VW);         \
                                                                          \
      a0 += u * x0;                                                       \
      a1 += u * x1;                                                       \
      a2 += u * x2;                                                       \
      a3 += u * x3;                                                       \
      b0 += v * x0;                                                       \
      b1 += v * x1;                                                       \
      b2 += v * x2;                                                       \
      b3 += v * x3;                                                       \
    }                                                                     \
    for (; i < (NB) + (NA); i++) {                                        \
      const ELEM *s = SRC (i) + j;                                        \
      const gfloat u = w0[i];                                             \
                                                                          \
      a0 += u * LD (VU, s);                                               \
      a1 += u * LD (VU, s + VW);                                          \
      a2 += u * LD (VU, s + 2 * VW);                                      \
      a3 += u * LD (VU, s + 3 * VW);                                      \
    }                                                                     \
    for (; i < (NB) + (NA) + (NC); i++) {                                 \
      const ELEM *s = SRC (i) + j;                                        \
      const gfloat v = w1[i];                                             \
                                                                          \
      b0 += v * LD (VU, s);                                               \
      b1 += v * LD (VU, s + VW);                                          \
      b2 += v * LD (VU, s + 2 * VW);                                      \
      b3 += v * LD (VU, s + 3 * VW);                                      \
    }                                                                     \
    ST (VU, o0 + j, a0);                                                  \
    ST (VU, o0 + j + VW, a1);                                             \
    ST (VU, o0 + j + 2 * VW, a2);                                         \
    ST (VU, o0 + j + 3 * VW, a3);                                         \
    ST (VU, o1 + j, b0);                                                  \
    ST (VU, o1 + j + VW, b1);                                             \
    ST (VU, o1 + j + 2 * VW, b2);                                         \
    ST (VU, o1 + j + 3 * VW, b3);                                         \
  }
#define SPAN2_BODY(V, VU, VW)                                             \
  {                                                                       \
    SPAN2_BLOCKS (V, VU, VW, 8 * VW, n_both, n_first, n_second);          \
    return covered;                                                       \
  }
#define TAIL2_SUM(T, TU, j)                                               \
  {                                                                       \
    T s0 = { 0 }, s1 = { 0 }, t0 = { 0 }, t1 = { 0 };                     \
                                                                          \
    for (i = 0; i + 2 <= n; i += 2) {                                     \
      const T x = LD (TU, SRC (i) + j), y = LD (TU, SRC (i + 1) + j);     \
                                                                          \
      s0 += w0[i] * x;                                                    \
      t0 += w1[i] * x;                                                    \
      s1 += w0[i + 1] * y;                                                \
      t1 += w1[i + 1] * y;                                                \
    }                                                                     \
    if (i < n) {                                                          \
      const T x = LD (TU, SRC (i) + j);                                   \
                                                                          \
      s0 += w0[i] * x;                                                    \
      t0 += w1[i] * x;                                                    \
    }                                                                     \
    ST (TU, o0 + j, s0 + s1);                                             \
    ST (TU, o1 + j, t0 + t1);                                             \
  }
#define SPAN2_FULL_BODY(V, VU, VW, H, HU, HW)                             \
  {                                                                       \
    SPAN2_BLOCKS (V, VU, VW, 4 * VW, n, 0, 0);                            \
    j = covered;                                                          \
    TAILS (TAIL2_SUM, V, VU, VW, H, HU, HW);                              \
  }

#define ELEM gfloat
#define LD(VU, p) LOAD (VU, p)
#define ST(VU, p, v) STORE (VU, p, v)
#define SRC(i) ((const gfloat *) src[i])
static gsize
span2_generic (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v4f, v4f_u, 4)

static void
span_generic (gfloat * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v4f, v4f_u, 4, gfloat, gfloat, 1)
#undef SRC
#define SRC(i) (base + off[i])
static void
span_off_generic (gfloat * restrict o, const gfloat * restrict base,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v4f, v4f_u, 4, gfloat, gfloat, 1)
static void
span2_off_generic (gfloat * restrict o0, gfloat * restrict o1,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_FULL_BODY (v4f, v4f_u, 4, gfloat, gfloat, 1)
#undef SRC
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define HAVE_X86_DISPATCH 1
/* Contraction to FMA is what these ISAs are for; ISO C mode turns it off by
 * default, so it is asked for here, for these kernels only. */
#define SRC(i) ((const gfloat *) src[i])
__attribute__ ((target ("avx2,fma"), optimize ("fp-contract=fast")))
static void
span_avx2 (gfloat * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma"), optimize ("fp-contract=fast")))
static void
span_avx512 (gfloat * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)

__attribute__ ((target ("avx2,fma"), optimize ("fp-contract=fast")))
static gsize
span2_avx2 (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v8f, v8f_u, 8)

__attribute__ ((target ("avx512f,fma"), optimize ("fp-contract=fast")))
static gsize
span2_avx512 (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v16f, v16f_u, 16)
#undef SRC
#define SRC(i) (base + off[i])
__attribute__ ((target ("avx2,fma"), optimize ("fp-contract=fast")))
static void
span_off_avx2 (gfloat * restrict o, const gfloat * restrict base,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma"), optimize ("fp-contract=fast")))
static void
span_off_avx512 (gfloat * restrict o, const gfloat * restrict base,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)

__attribute__ ((target ("avx2,fma"), optimize ("fp-contract=fast")))
static void
span2_off_avx2 (gfloat * restrict o0, gfloat * restrict o1,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_FULL_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma"), optimize ("fp-contract=fast")))
static void
span2_off_avx512 (gfloat * restrict o0, gfloat * restrict o1,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_FULL_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)
#undef SRC
#undef ST
#undef LD
#undef ELEM

/* The same kernels reading binary16 values (F16C converts them as they
 * are loaded; the sums stay in float): half the bytes per tap. At radius
 * 32 the float kernels are bound by their loads, a 64-byte load at any
 * offset not a multiple of 64 bytes costing two (docs/PERFORMANCE.md,
 * sixth pass). GCC's generic vector conversion of _Float16 goes element by
 * element, hence the intrinsics, one per vector width. */
/* Rounding to binary16: to nearest, ties to even. */
#define HALF_ROUND (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

__attribute__ ((target ("avx512f,f16c"), always_inline))
static inline void
store_half_v16f_u (guint16 * p, v16f v)
{
  _mm256_storeu_si256 ((__m256i *) p, _mm512_cvtps_ph ((__m512) v,
          HALF_ROUND));
}

__attribute__ ((target ("avx,f16c"), always_inline))
static inline void
store_half_v8f_u (guint16 * p, v8f v)
{
  _mm_storeu_si128 ((__m128i *) p, _mm256_cvtps_ph ((__m256) v, HALF_ROUND));
}

__attribute__ ((target ("f16c"), always_inline))
static inline void
store_half_v4f_u (guint16 * p, v4f v)
{
  _mm_storel_epi64 ((__m128i *) p, _mm_cvtps_ph ((__m128) v, HALF_ROUND));
}

__attribute__ ((target ("f16c"), always_inline))
static inline void
store_half_gfloat (guint16 * p, gfloat v)
{
  *p = _cvtss_sh (v, HALF_ROUND);
}

__attribute__ ((target ("avx512f,f16c"), always_inline))
static inline v16f
load_half_v16f_u (const guint16 * p)
{
  return (v16f) _mm512_cvtph_ps (_mm256_loadu_si256 ((const __m256i *) p));
}

__attribute__ ((target ("avx,f16c"), always_inline))
static inline v8f
load_half_v8f_u (const guint16 * p)
{
  return (v8f) _mm256_cvtph_ps (_mm_loadu_si128 ((const __m128i *) p));
}

__attribute__ ((target ("f16c"), always_inline))
static inline v4f
load_half_v4f_u (const guint16 * p)
{
  return (v4f) _mm_cvtph_ps (_mm_loadl_epi64 ((const __m128i *) p));
}

__attribute__ ((target ("f16c"), always_inline))
static inline gfloat
load_half_gfloat (const guint16 * p)
{
  return _cvtsh_ss (*p);
}

#define ELEM guint16
#define LD(VU, p) load_half_##VU (p)
#define ST(VU, p, v) STORE (VU, p, v)
#define SRC(i) ((const guint16 *) src[i])
__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_half_avx2 (gfloat * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_half_avx512 (gfloat * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)

__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static gsize
span2_half_avx2 (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v8f, v8f_u, 8)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static gsize
span2_half_avx512 (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v16f, v16f_u, 16)

/* Binary16 in and out, for the rows between the layers of a stream: each
 * sum rounded as it is stored (as to_half would round it). */
#undef ST
#define ST(VU, p, v) store_half_##VU (p, v)
__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_half_out_avx2 (guint16 * restrict o, gconstpointer const *restrict src,
    const gfloat * restrict w, guint n, gsize len)
SPAN_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_half_out_avx512 (guint16 * restrict o,
    gconstpointer const *restrict src, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)

__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static gsize
span2_half_out_avx2 (guint16 * restrict o0, guint16 * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v8f, v8f_u, 8)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static gsize
span2_half_out_avx512 (guint16 * restrict o0, guint16 * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len)
SPAN2_BODY (v16f, v16f_u, 16)
#undef ST
#define ST(VU, p, v) STORE (VU, p, v)
#undef SRC
#define SRC(i) (base + off[i])
__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_off_half_avx2 (gfloat * restrict o, const guint16 * restrict base,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static void
span_off_half_avx512 (gfloat * restrict o, const guint16 * restrict base,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len)
SPAN_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)

__attribute__ ((target ("avx2,fma,f16c"), optimize ("fp-contract=fast")))
static void
span2_off_half_avx2 (gfloat * restrict o0, gfloat * restrict o1,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_FULL_BODY (v8f, v8f_u, 8, v4f, v4f_u, 4)

__attribute__ ((target ("avx512f,fma,f16c"), optimize ("fp-contract=fast")))
static void
span2_off_half_avx512 (gfloat * restrict o0, gfloat * restrict o1,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_FULL_BODY (v16f, v16f_u, 16, v8f, v8f_u, 8)
#undef SRC
#undef ST
#undef LD
#undef ELEM

/* The two-sum offsets kernels for AVX-512 with AVX512BW and VL (masked
 * 16-bit loads): level pairs run on spans of a few to a few dozen pixels,
 * where the tails of SPAN2_FULL_BODY (a vector, half, quarter, then float by
 * float, each over every tap) took twice the time per float of a long span.
 * Here a span goes four vectors at a time and what is left, one to four
 * vectors, in one more pass over the taps, its last vector loaded and
 * stored under a mask. Every float is one sum per weighting over the taps
 * in order, whichever pass it falls in: its bits do not depend on where
 * its span starts or ends. NV (1 to 4) is a constant where this is
 * inlined, so the accumulators stay in registers. */
#define SPAN2_CHUNK_512(LDV, LDM, NV)                                     \
  {                                                                       \
    __m512 a0 = _mm512_setzero_ps (), a1 = a0, a2 = a0, a3 = a0;          \
    __m512 b0 = a0, b1 = a0, b2 = a0, b3 = a0;                            \
    guint i;                                                              \
                                                                          \
    for (i = 0; i < n_both; i++) {                                        \
      const __m512 u = _mm512_set1_ps (w0[i]), v = _mm512_set1_ps (w1[i]); \
      const ELEM *s = base + off[i] + j;                                  \
      __m512 x;                                                           \
                                                                          \
      x = NV > 1 ? LDV (s) : LDM (s, last);                               \
      a0 = _mm512_fmadd_ps (u, x, a0);                                    \
      b0 = _mm512_fmadd_ps (v, x, b0);                                    \
      if (NV > 1) {                                                       \
        x = NV > 2 ? LDV (s + 16) : LDM (s + 16, last);                   \
        a1 = _mm512_fmadd_ps (u, x, a1);                                  \
        b1 = _mm512_fmadd_ps (v, x, b1);                                  \
      }                                                                   \
      if (NV > 2) {                                                       \
        x = NV > 3 ? LDV (s + 32) : LDM (s + 32, last);                   \
        a2 = _mm512_fmadd_ps (u, x, a2);                                  \
        b2 = _mm512_fmadd_ps (v, x, b2);                                  \
      }                                                                   \
      if (NV > 3) {                                                       \
        x = LDM (s + 48, last);                                           \
        a3 = _mm512_fmadd_ps (u, x, a3);                                  \
        b3 = _mm512_fmadd_ps (v, x, b3);                                  \
      }                                                                   \
    }                                                                     \
    for (; i < n_both + n_first; i++)                                     \
      SPAN2_ONE_512 (LDV, LDM, NV, w0, a);                                \
    for (; i < n; i++)                                                    \
      SPAN2_ONE_512 (LDV, LDM, NV, w1, b);                                \
    STORE2 (0, a0, b0, NV > 1);                                           \
    if (NV > 1)                                                           \
      STORE2 (16, a1, b1, NV > 2);                                        \
    if (NV > 2)                                                           \
      STORE2 (32, a2, b2, NV > 3);                                        \
    if (NV > 3)                                                           \
      STORE2 (48, a3, b3, FALSE);                                         \
  }
/* Read i of one sum only (the entries after the shared ones: a level pair's
 * reads that one level has alone): W its weights, S its accumulators. */
#define SPAN2_ONE_512(LDV, LDM, NV, W, S)                                 \
  {                                                                       \
    const __m512 u = _mm512_set1_ps (W[i]);                               \
    const ELEM *s = base + off[i] + j;                                    \
                                                                          \
    S##0 = _mm512_fmadd_ps (u, NV > 1 ? LDV (s) : LDM (s, last), S##0);   \
    if (NV > 1)                                                           \
      S##1 = _mm512_fmadd_ps (u, NV > 2 ? LDV (s + 16)                    \
          : LDM (s + 16, last), S##1);                                    \
    if (NV > 2)                                                           \
      S##2 = _mm512_fmadd_ps (u, NV > 3 ? LDV (s + 32)                    \
          : LDM (s + 32, last), S##2);                                    \
    if (NV > 3)                                                           \
      S##3 = _mm512_fmadd_ps (u, LDM (s + 48, last), S##3);               \
  }
/* One or two vectors: too few sums to hide the multiply-add latency, so
 * even and odd taps go to separate accumulators, added at the end (the
 * shared reads; then one sum's alone, its even and odd taps likewise). */
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
static inline __attribute__ ((always_inline, target ("avx512f"))) __m512i
spread_weights (const gfloat * pw, gsize jj, guint ch)
{
  const gsize px = disk_fast_div_ch (jj, ch);

  return _mm512_permutexvar_epi32 (_mm512_loadu_si512
      (disk_fast_spread_lanes[ch][jj - px * ch]),
      _mm512_castps_si512 (_mm512_loadu_ps (pw + px)));
}

/* Stores a whole vector (FULL) or its lanes in `last`; loads likewise. */
#define STV(p, v, FULL)                                                   \
  ((FULL) ? _mm512_storeu_ps (p, v) : _mm512_mask_storeu_ps (p, last, v))
#define LDO(p, FULL)                                                      \
  ((FULL) ? _mm512_loadu_ps (p) : _mm512_maskz_loadu_ps (last, p))
/* The two sums A and B of the floats from j + OFF on, stored: to o0 and o1
 * (STORE2_SUMS), or blended into one row (STORE2_BLEND): o = (acc ? o : 0)
 * + pa * A + pb * B, pa and pb weights per pixel of the span, each spread
 * over its `ch` channels (SPREAD); pa NULL: A + pb (B - A). */
#define STORE2_SUMS(OFF, A, B, FULL)                                      \
  {                                                                       \
    STV (o0 + j + (OFF), A, FULL);                                        \
    STV (o1 + j + (OFF), B, FULL);                                        \
  }
/* pw's weight of each lane's pixel for the vector from float jj */
#define SPREAD(pw, jj) spread_weights (pw, jj, ch)
#define STORE2_BLEND(OFF, A, B, FULL)                                     \
  {                                                                       \
    const gsize jj = j + (OFF);                                           \
    const __m512 q = _mm512_castsi512_ps (SPREAD (pb, jj));               \
    __m512 r;                                                             \
                                                                          \
    if (pa == NULL)                                                       \
      r = _mm512_fmadd_ps (q, _mm512_sub_ps (B, A), A);                   \
    else                                                                  \
      r = _mm512_fmadd_ps (q, B, _mm512_mul_ps                            \
          (_mm512_castsi512_ps (SPREAD (pa, jj)), A));                    \
    if (acc)                                                              \
      r = _mm512_add_ps (LDO (o + jj, FULL), r);                          \
    STV (o + jj, r, FULL);                                                \
  }
/* The body around it (DISK_MASKED_SPAN): one or two vectors split even
 * and odd reads (SPAN2_CHUNK_512_SPLIT). PROLOGUE declares the segments. */
#define SPAN2_MASKED_BODY(LDV, LDM, PROLOGUE)                             \
  {                                                                       \
    PROLOGUE                                                              \
    DISK_MASKED_SPAN (SPAN2_CHUNK_512_SPLIT (LDV, LDM, 1),                \
        SPAN2_CHUNK_512_SPLIT (LDV, LDM, 2), SPAN2_CHUNK_512 (LDV, LDM, 3), \
        SPAN2_CHUNK_512 (LDV, LDM, 4));                                   \
  }

#define LDV_F DISK_LDV_F
#define LDM_F DISK_LDM_F
#define LDV_H DISK_LDV_H
#define LDM_H DISK_LDM_H
/* disk-fast-private.h: lane l of a vector from float j of a span of
 * ch-channel pixels holds pixel (j + l) / ch, which is pixel j / ch +
 * disk_fast_spread_lanes[ch][j % ch][l]. Filled by disk_fast_span_kernel (). */
gint32 disk_fast_spread_lanes[5][4][16];

/* The reads' segments (SPAN2_CHUNK_512): the sums' kernels take every read
 * as shared, the blends n_both shared, n_first for A alone, n_second for B
 * alone. */
#define ALL_SHARED const guint n_both = n; const guint n_first = 0;
#define SEGMENTS const guint n = n_both + n_first + n_second;

#define STORE2 STORE2_SUMS
#define ELEM gfloat
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma")))
static void
span2_off_avx512_masked (gfloat * restrict o0, gfloat * restrict o1,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_MASKED_BODY (LDV_F, LDM_F, ALL_SHARED)
#undef ELEM
#define ELEM guint16
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma,f16c")))
static void
span2_off_half_avx512_masked (gfloat * restrict o0, gfloat * restrict o1,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len)
SPAN2_MASKED_BODY (LDV_H, LDM_H, ALL_SHARED)
#undef ELEM
#undef STORE2
#define STORE2 STORE2_BLEND
#define ELEM gfloat
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma")))
static void
span2_blend_avx512_masked (gfloat * restrict o, const gfloat * restrict base,
    const gssize * restrict off, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len, const gfloat * restrict pa, const gfloat * restrict pb,
    guint ch, gboolean acc)
SPAN2_MASKED_BODY (LDV_F, LDM_F, SEGMENTS)
#undef ELEM
#define ELEM guint16
__attribute__ ((target ("avx512f,avx512bw,avx512vl,fma,f16c")))
static void
span2_blend_half_avx512_masked (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * restrict pa,
    const gfloat * restrict pb, guint ch, gboolean acc)
SPAN2_MASKED_BODY (LDV_H, LDM_H, SEGMENTS)
#undef ELEM
#undef STORE2
#undef STORE2_SUMS
#undef STORE2_BLEND
#undef ALL_SHARED
#undef SEGMENTS
#undef SPREAD
#undef LDO
#undef STV
#undef LDV_F
#undef LDM_F
#undef LDV_H
#undef LDM_H

__attribute__ ((target ("avx2,f16c")))
static void
to_half_avx2 (guint16 * restrict dst, const gfloat * restrict src, gsize n)
{
  gsize j = 0;

  for (; j + 8 <= n; j += 8)
    _mm_storeu_si128 ((__m128i *) (dst + j),
        _mm256_cvtps_ph (_mm256_loadu_ps (src + j), HALF_ROUND));
  for (; j < n; j++)
    dst[j] = _cvtss_sh (src[j], HALF_ROUND);
}

__attribute__ ((target ("avx512f,f16c")))
static void
to_half_avx512 (guint16 * restrict dst, const gfloat * restrict src,
    gsize n)
{
  gsize j = 0;

  for (; j + 16 <= n; j += 16)
    _mm256_storeu_si256 ((__m256i *) (dst + j),
        _mm512_cvtps_ph (_mm512_loadu_ps (src + j), HALF_ROUND));
  for (; j < n; j++)
    dst[j] = _cvtss_sh (src[j], HALF_ROUND);
}
#undef HALF_ROUND
#endif


const SpanKernel *
disk_fast_span_kernel (void)
{
  static SpanKernel kernel;
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised)) {
    const gchar *force = g_getenv ("DISK_FAST_SIMD");

    kernel.func = span_generic;
    kernel.func2 = span2_generic;
    kernel.off_func = span_off_generic;
    kernel.off2_func = span2_off_generic;
    kernel.name = "generic";
#ifdef HAVE_X86_DISPATCH
    __builtin_cpu_init ();
    if (g_strcmp0 (force, "generic") == 0) {
      /* as set above */
    } else if (__builtin_cpu_supports ("avx512f")
        && g_strcmp0 (force, "avx2") != 0) {
      kernel.func = span_avx512;
      kernel.func2 = span2_avx512;
      kernel.off_func = span_off_avx512;
      kernel.off2_func = span2_off_avx512;
      kernel.half_func = span_half_avx512;
      kernel.half_func2 = span2_half_avx512;
      kernel.off_half_func = span_off_half_avx512;
      kernel.off2_half_func = span2_off_half_avx512;
      kernel.half_out_func = span_half_out_avx512;
      kernel.half_out_func2 = span2_half_out_avx512;
      kernel.to_half = to_half_avx512;
      kernel.name = "avx512f";
      if (__builtin_cpu_supports ("avx512bw")
          && __builtin_cpu_supports ("avx512vl")) {
        guint ch, phase, l;

        kernel.off2_func = span2_off_avx512_masked;
        kernel.off2_half_func = span2_off_half_avx512_masked;
        kernel.blend2_func = span2_blend_avx512_masked;
        kernel.blend2_half_func = span2_blend_half_avx512_masked;
        kernel.blend4_func = disk_fast_span4_blend_avx512;
        kernel.blend4_half_func = disk_fast_span4_blend_half_avx512;
        kernel.blend4_pair_half_func =
            disk_fast_span4_blend_pair_half_avx512;
        for (ch = 1; ch <= 4; ch++)
          for (phase = 0; phase < ch; phase++)
            for (l = 0; l < 16; l++)
              disk_fast_spread_lanes[ch][phase][l] =
                  (gint32) ((phase + l) / ch);

      }
    } else if (__builtin_cpu_supports ("avx2")
        && __builtin_cpu_supports ("fma")) {
      kernel.func = span_avx2;
      kernel.func2 = span2_avx2;
      kernel.off_func = span_off_avx2;
      kernel.off2_func = span2_off_avx2;
      kernel.half_func = span_half_avx2;
      kernel.half_func2 = span2_half_avx2;
      kernel.off_half_func = span_off_half_avx2;
      kernel.off2_half_func = span2_off_half_avx2;
      kernel.half_out_func = span_half_out_avx2;
      kernel.half_out_func2 = span2_half_out_avx2;
      kernel.to_half = to_half_avx2;
      kernel.name = "avx2";
    }
    /* F16C came with AVX on every x86 CPU that has AVX2, but it is a
     * feature of its own. */
    if (!__builtin_cpu_supports ("f16c")
        || g_strcmp0 (g_getenv ("DISK_FAST_HALF"), "0") == 0) {
      kernel.half_func = NULL;
      kernel.half_func2 = NULL;
      kernel.off_half_func = NULL;
      kernel.off2_half_func = NULL;
      kernel.half_out_func = NULL;
      kernel.half_out_func2 = NULL;
      kernel.to_half = NULL;
      kernel.blend2_half_func = NULL;
      kernel.blend4_half_func = NULL;
      kernel.blend4_pair_half_func = NULL;
    }
#else
    (void) force;
#endif
    g_once_init_leave (&initialised, 1);
  }
  return &kernel;
}

void
disk_fast_span_offsets (gfloat * o, const gfloat * base, const gssize * off,
    const gfloat * w, guint n, gsize len)
{
  disk_fast_span_kernel ()->off_func (o, base, off, w, n, len);
}

void
disk_fast_span2_offsets (gfloat * o0, gfloat * o1, const gfloat * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gsize len)
{
  disk_fast_span_kernel ()->off2_func (o0, o1, base, off, w0, w1, n, len);
}

void
disk_fast_span_offsets_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len)
{
  disk_fast_span_kernel ()->off_half_func (o, base, off, w, n, len);
}

void
disk_fast_span2_offsets_half (gfloat * o0, gfloat * o1, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gsize len)
{
  disk_fast_span_kernel ()->off2_half_func (o0, o1, base, off, w0, w1, n, len);
}

gboolean
disk_fast_span2_blend_supported (gboolean half)
{
  const SpanKernel *k = disk_fast_span_kernel ();

  return half ? k->blend2_half_func != NULL : k->blend2_func != NULL;
}

void
disk_fast_span2_blend (gfloat * o, const gfloat * base, const gssize * off,
    const gfloat * w0, const gfloat * w1, guint n_both, guint n_first,
    guint n_second, gsize len, const gfloat * pa, const gfloat * pb,
    guint ch, gboolean acc)
{
  disk_fast_span_kernel ()->blend2_func (o, base, off, w0, w1, n_both, n_first,
      n_second, len, pa, pb, ch, acc);
}

void
disk_fast_span2_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * pa,
    const gfloat * pb, guint ch, gboolean acc)
{
  disk_fast_span_kernel ()->blend2_half_func (o, base, off, w0, w1, n_both,
      n_first, n_second, len, pa, pb, ch, acc);
}

gboolean
disk_fast_span4_blend_supported (gboolean half)
{
  const SpanKernel *k = disk_fast_span_kernel ();

  return half ? k->blend4_half_func != NULL : k->blend4_func != NULL;
}

void
disk_fast_span4_blend (gfloat * o, const gfloat * base, const gssize * off,
    const gfloat * w, guint n, gsize len, const gfloat * t, const gfloat * s0,
    const gfloat * s1, guint ch)
{
  disk_fast_span_kernel ()->blend4_func (o, base, off, w, n, len, t, s0, s1,
      ch);
}

void
disk_fast_span4_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len,
    const gfloat * t, const gfloat * s0, const gfloat * s1, guint ch)
{
  disk_fast_span_kernel ()->blend4_half_func (o, base, off, w, n, len, t, s0,
      s1, ch);
}

gboolean
disk_fast_span4_blend_pair_supported (void)
{
  return disk_fast_span_kernel ()->blend4_pair_half_func != NULL;
}

void
disk_fast_to_half (guint16 * dst, const gfloat * src, gsize n)
{
  disk_fast_span_kernel ()->to_half (dst, src, n);
}

const gchar *
disk_fast_simd_name (void)
{
  return disk_fast_span_kernel ()->name;
}
