/* DISK core, internal: the interior kernels of the fast path
 * (disk-fast-span.c), o[j] = sum_i w[i] * src[i][j] and its variants, one
 * set per ISA, and the set this CPU runs. Not installed. */
#ifndef __DISK_FAST_SPAN_H__
#define __DISK_FAST_SPAN_H__

#include <glib.h>

G_BEGIN_DECLS

/* `src`: one read pointer per tap, to floats or (the half kernels) to
 * binary16 values. */
typedef void (*SpanFunc) (gfloat * restrict o,
    gconstpointer const *restrict src, const gfloat * restrict w, guint n,
    gsize len);
/* The row-pair kernel: src[i] feeds o0 with w0[i] and o1 with w1[i] for
 * i < n_both, o0 only for the next n_first, o1 only for the last
 * n_second. */
typedef gsize (*Span2Func) (gfloat * restrict o0, gfloat * restrict o1,
    gconstpointer const *restrict src, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n_both, guint n_first, guint n_second,
    gsize len);
/* The same with binary16 output rows. */
typedef void (*SpanHalfOutFunc) (guint16 * restrict o,
    gconstpointer const *restrict src, const gfloat * restrict w, guint n,
    gsize len);
typedef gsize (*Span2HalfOutFunc) (guint16 * restrict o0,
    guint16 * restrict o1, gconstpointer const *restrict src,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n_both,
    guint n_first, guint n_second, gsize len);
/* dst[j] = src[j] rounded to binary16 (to nearest, ties to even), for
 * 0 <= j < n. */
typedef void (*ToHalfFunc) (guint16 * restrict dst,
    const gfloat * restrict src, gsize n);
typedef void (*SpanOffFunc) (gfloat * restrict o,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len);
typedef void (*Span2OffFunc) (gfloat * restrict o0, gfloat * restrict o1,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n,
    gsize len);
typedef void (*SpanOffHalfFunc) (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len);
typedef void (*Span2OffHalfFunc) (gfloat * restrict o0,
    gfloat * restrict o1, const guint16 * restrict base,
    const gssize * restrict off, const gfloat * restrict w0,
    const gfloat * restrict w1, guint n, gsize len);
typedef void (*Span2BlendFunc) (gfloat * restrict o,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * restrict pa,
    const gfloat * restrict pb, guint ch, gboolean acc);
typedef void (*Span2BlendHalfFunc) (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w0, const gfloat * restrict w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * restrict pa,
    const gfloat * restrict pb, guint ch, gboolean acc);

typedef void (*Span4BlendFunc) (gfloat * restrict o,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch);
typedef void (*Span4BlendHalfFunc) (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch);
typedef void (*Span4BlendPairHalfFunc) (gfloat * restrict o, gsize ostride,
    const guint16 * restrict base, gsize stride,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len, const gfloat * restrict t, const gfloat * restrict s0,
    const gfloat * restrict s1, gsize wstride);

/* The kernels of one ISA (disk_fast_span_kernel). */
typedef struct
{
  SpanFunc func;
  Span2Func func2;
  SpanOffFunc off_func;
  Span2OffFunc off2_func;
  /* binary16 windows (NULL where the CPU cannot convert them, or
   * DISK_FAST_HALF=0) */
  SpanFunc half_func;
  Span2Func half_func2;
  SpanOffHalfFunc off_half_func;
  Span2OffHalfFunc off2_half_func;
  /* binary16 in and out */
  SpanHalfOutFunc half_out_func;
  Span2HalfOutFunc half_out_func2;
  ToHalfFunc to_half;
  /* the two sums blended as they are stored (NULL: not on this CPU) */
  Span2BlendFunc blend2_func;
  Span2BlendHalfFunc blend2_half_func;
  /* a run's four levels blended as they are stored (NULL: not here) */
  Span4BlendFunc blend4_func;
  Span4BlendHalfFunc blend4_half_func;
  /* and two 1-channel rows' runs at once (NULL: not here) */
  Span4BlendPairHalfFunc blend4_pair_half_func;
  const gchar *name;
} SpanKernel;

/* The kernels of this CPU, chosen once (DISK_FAST_SIMD=generic, avx2 or
 * avx512 forces a choice for tests). */
const SpanKernel *disk_fast_span_kernel (void);

G_END_DECLS

#endif /* __DISK_FAST_SPAN_H__ */
