/* DISK core: the fast filter (see disk-fast.h for what and why); the
 * reduced-resolution resampling is in disk-fast-resample.c.
 *
 * Layout of the work: for one output row, every integer tap i reads the input
 * row y + dy_i shifted by dx_i pixels. Where no tap's read crosses the left or
 * right edge (the interior span), the row is a flat array of floats and the
 * output is sum_i w_i * src_i[j]: a block of floats is summed in vector
 * registers over all taps and stored once. The pixels near the edges run the
 * same kernel on clamped copies of the input row pieces they read. Varying
 * layers cut each row into runs of equal parameters and run each run like a
 * uniform span, or gather pixel by pixel where runs are short. */
#include "disk-fast.h"
#include "disk-edge.h"
#include "disk-fast-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include "disk-fast-avx512.h"
#endif

struct _DiskFastPlan
{
  guint n_layers;
  DiskFastLayer *layers[DISK_MAX_LAYERS];
};

/* ------------------------------------------------------------------------ */
/* Planning */

typedef struct
{
  gint dx, dy;
  gdouble w;
} IntTap;

static inline gboolean
int_tap_before (const IntTap * a, const IntTap * b)
{
  return a->dy < b->dy || (a->dy == b->dy && a->dx < b->dx);
}

/* Sorts taps by row, then column: a bottom-up merge sort with the
 * comparison inlined (planning runs for every level of a varying frame,
 * thousands of times, where qsort's callback dominated). Stable. */
static void
sort_int_taps (IntTap * taps, guint n)
{
  g_autofree IntTap *tmp = g_new (IntTap, MAX (n, 1));
  IntTap *a = taps, *b = tmp, *swap;
  guint width, lo;

  for (width = 1; width < n; width *= 2) {
    for (lo = 0; lo < n; lo += 2 * width) {
      guint mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n);
      guint i = lo, j = mid, k = lo;

      while (i < mid && j < hi)
        b[k++] = int_tap_before (&a[j], &a[i]) ? a[j++] : a[i++];
      while (i < mid)
        b[k++] = a[i++];
      while (j < hi)
        b[k++] = a[j++];
    }
    swap = a;
    a = b;
    b = swap;
  }
  if (a != taps)
    memcpy (taps, a, sizeof (IntTap) * n);
}

/* Sums the taps that share a shift, in place, keeping the first-seen order
 * (open addressing on the packed shift): linear in the taps, where sorting
 * first cost most of a plan. Returns how many are left. */
static guint
merge_int_taps (IntTap * taps, guint n)
{
  guint bits = 4, size, i, m = 0;
  g_autofree gint *slot = NULL;

  while ((1u << bits) < 2 * n)
    bits++;
  size = 1u << bits;
  slot = g_new (gint, size);
  memset (slot, 0xff, sizeof (gint) * size);    /* -1: empty */
  for (i = 0; i < n; i++) {
    const guint64 key = ((guint64) (guint32) taps[i].dy << 32)
        | (guint32) taps[i].dx;
    guint h = (guint) ((key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15))
        >> (64 - bits));

    while (slot[h] >= 0 && (taps[slot[h]].dx != taps[i].dx
            || taps[slot[h]].dy != taps[i].dy))
      h = (h + 1) & (size - 1);
    if (slot[h] >= 0) {
      taps[slot[h]].w += taps[i].w;
    } else {
      slot[h] = (gint) m;
      taps[m++] = taps[i];
    }
  }
  return m;
}

/* Two output rows y, y + 1 at once: tap (dx, dy) of row y + 1 reads the
 * input row that tap (dx, dy + 1) of row y reads, and bilinear taps come
 * in such vertical pairs, so one load can feed both rows. The union of
 * both rows' taps, keyed by (input row offset r from y, dx), each with its
 * weight for row y (w0) and for row y + 1 (w1): first the reads both rows
 * make, then those of row y only, then those of row y + 1 only, each group
 * sorted by (r, dx). No multiply-add is spent on a weight of 0 (about a
 * third of the union's would be), but each row now meets its taps in an
 * order of its own: the group it shares, then its own. A row sums in that
 * order also when it is computed alone (sdy, sdx, sw), and pairs always
 * start at an even row, so that its bits do not depend on how rows are
 * split into bands and steps (disk_fast_layer_rows). */
static void
plan_row_pairs (DiskFastLayer * layer)
{
  const guint n = layer->n;
  g_autofree gint *kind = g_new (gint, 2 * MAX (n, 1));
  g_autofree gint *r = g_new (gint, 2 * MAX (n, 1));
  g_autofree gint *dx = g_new (gint, 2 * MAX (n, 1));
  g_autofree gfloat *w0 = g_new (gfloat, 2 * MAX (n, 1));
  g_autofree gfloat *w1 = g_new (gfloat, 2 * MAX (n, 1));
  guint i = 0, j = 0, m = 0, k, g, out, single[2] = { 0, 0 };

  /* merge row y's taps (r = dy) with row y + 1's (r = dy + 1) */
  while (i < n || j < n) {
    gint ri = i < n ? layer->dy[i] : G_MAXINT;
    gint rj = j < n ? layer->dy[j] + 1 : G_MAXINT;
    gint dxi = i < n ? layer->dx[i] : G_MAXINT;
    gint dxj = j < n ? layer->dx[j] : G_MAXINT;
    gboolean take_i = ri < rj || (ri == rj && dxi <= dxj);
    gboolean take_j = rj < ri || (ri == rj && dxj <= dxi);

    r[m] = take_i ? ri : rj;
    dx[m] = take_i ? dxi : dxj;
    w0[m] = take_i ? layer->w[i++] : 0.0f;
    w1[m] = take_j ? layer->w[j++] : 0.0f;
    kind[m] = take_i && take_j ? 0 : take_i ? 1 : 2;
    m++;
  }

  layer->pn = m;
  layer->pr = g_new (gint, MAX (m, 1));
  layer->pdx = g_new (gint, MAX (m, 1));
  layer->pw0 = g_new (gfloat, MAX (m, 1));
  layer->pw1 = g_new (gfloat, MAX (m, 1));
  for (k = 0; k < 2; k++) {
    layer->sdy[k] = g_new (gint, MAX (n, 1));
    layer->sdx[k] = g_new (gint, MAX (n, 1));
    layer->sw[k] = g_new (gfloat, MAX (n, 1));
  }
  /* group 0: both rows, 1: row y only, 2: row y + 1 only */
  for (g = 0, out = 0; g < 3; g++) {
    for (k = 0; k < m; k++) {
      if (kind[k] != (gint) g)
        continue;
      layer->pr[out] = r[k];
      layer->pdx[out] = dx[k];
      layer->pw0[out] = w0[k];
      layer->pw1[out] = w1[k];
      out++;
      if (g != 2) {
        layer->sdy[0][single[0]] = r[k];
        layer->sdx[0][single[0]] = dx[k];
        layer->sw[0][single[0]++] = w0[k];
      }
      if (g != 1) {
        layer->sdy[1][single[1]] = r[k] - 1;
        layer->sdx[1][single[1]] = dx[k];
        layer->sw[1][single[1]++] = w1[k];
      }
    }
    if (g == 0)
      layer->pn_both = out;
    else if (g == 1)
      layer->pn_first = out - layer->pn_both;
    else
      layer->pn_second = out - layer->pn_both - layer->pn_first;
  }
  g_assert (single[0] == n && single[1] == n);
}

/* The integer taps of `samples`; `sorted`: by row, then column, so that
 * the reads of a long output row walk memory in order (uniform frames,
 * planned once); level plans, made by the thousand for runs of a few
 * pixels, skip the sort. `row_pairs`: with the plans of the row-pair
 * kernel (layer_rows_window), which the exact runs of a varying layer
 * (disk_fast_row_span, a plan per run) do not use. */
static DiskFastLayer *
layer_new (const DiskSample * samples, guint n_samples, guint width,
    guint height, gboolean sorted, gboolean row_pairs)
{
  g_autofree IntTap *raw = g_new (IntTap, 4 * (gsize) MAX (n_samples, 1));
  DiskFastLayer *layer;
  guint i, n = 0, m;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  /* The bilinear weights exactly as the reference resolves a tap. */
  for (i = 0; i < n_samples; i++) {
    gdouble u = disk_edge_limit (-(gdouble) samples[i].x, width);
    gdouble v = disk_edge_limit (-(gdouble) samples[i].y, height);
    gdouble fu = floor (u), fv = floor (v);
    gdouble ax = u - fu, ay = v - fv, w = samples[i].w;
    gint dx = (gint) fu, dy = (gint) fv;

    raw[n++] = (IntTap) { dx, dy, w * (1.0 - ax) * (1.0 - ay) };
    raw[n++] = (IntTap) { dx + 1, dy, w * ax * (1.0 - ay) };
    raw[n++] = (IntTap) { dx, dy + 1, w * (1.0 - ax) * ay };
    raw[n++] = (IntTap) { dx + 1, dy + 1, w * ax * ay };
  }

  /* Merge taps on the same shift; drop (below) those that add nothing. */
  m = merge_int_taps (raw, n);
  if (sorted)
    sort_int_taps (raw, m);

  layer = g_new0 (DiskFastLayer, 1);
  layer->width = width;
  layer->height = height;
  layer->dx = g_new (gint, MAX (m, 1));
  layer->dy = g_new (gint, MAX (m, 1));
  layer->w = g_new (gfloat, MAX (m, 1));
  layer->dx_min = G_MAXINT;
  layer->dx_max = G_MININT;
  for (i = 0; i < m; i++) {
    if (raw[i].w == 0.0)
      continue;
    layer->dx[layer->n] = raw[i].dx;
    layer->dy[layer->n] = raw[i].dy;
    layer->w[layer->n] = (gfloat) raw[i].w;
    layer->dx_min = MIN (layer->dx_min, raw[i].dx);
    layer->dx_max = MAX (layer->dx_max, raw[i].dx);
    layer->n++;
  }
  if (layer->n == 0)
    layer->dx_min = layer->dx_max = 0;
  if (sorted && row_pairs)
    plan_row_pairs (layer);
  return layer;
}

DiskFastLayer *
disk_fast_layer_new (const DiskSample * samples, guint n_samples, guint width,
    guint height)
{
  return layer_new (samples, n_samples, width, height, TRUE, TRUE);
}

DiskFastLayer *
disk_fast_layer_new_unsorted (const DiskSample * samples, guint n_samples,
    guint width, guint height)
{
  return layer_new (samples, n_samples, width, height, FALSE, FALSE);
}

void
disk_fast_layer_free (DiskFastLayer * layer)
{
  if (layer == NULL)
    return;
  g_free (layer->dx);
  g_free (layer->dy);
  g_free (layer->w);
  g_free (layer->pr);
  g_free (layer->pdx);
  g_free (layer->pw0);
  g_free (layer->pw1);
  for (guint k = 0; k < 2; k++) {
    g_free (layer->sdy[k]);
    g_free (layer->sdx[k]);
    g_free (layer->sw[k]);
  }
  g_free (layer);
}

guint
disk_fast_layer_n_taps (const DiskFastLayer * layer)
{
  return layer->n;
}

DiskFastPlan *
disk_fast_plan_new (const DiskComplex * complex, guint width, guint height)
{
  DiskFastPlan *plan = g_new0 (DiskFastPlan, 1);
  guint l;

  plan->n_layers = complex->n_layers;
  for (l = 0; l < complex->n_layers; l++)
    plan->layers[l] = disk_fast_layer_new (disk_complex_layer (complex, l),
        complex->n_samples[l], width, height);
  return plan;
}

void
disk_fast_plan_free (DiskFastPlan * plan)
{
  guint l;

  if (plan == NULL)
    return;
  for (l = 0; l < plan->n_layers; l++)
    disk_fast_layer_free (plan->layers[l]);
  g_free (plan);
}

guint
disk_fast_plan_n_layers (const DiskFastPlan * plan)
{
  return plan->n_layers;
}

const DiskFastLayer *
disk_fast_plan_layer (const DiskFastPlan * plan, guint layer)
{
  g_return_val_if_fail (layer < plan->n_layers, NULL);
  return plan->layers[layer];
}

/* ------------------------------------------------------------------------ */
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
 * disk_fast_spread_lanes[ch][j % ch][l]. Filled by span_kernel (). */
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
  const gchar *name;
} SpanKernel;

static const SpanKernel *
span_kernel (void)
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
  span_kernel ()->off_func (o, base, off, w, n, len);
}

void
disk_fast_span2_offsets (gfloat * o0, gfloat * o1, const gfloat * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gsize len)
{
  span_kernel ()->off2_func (o0, o1, base, off, w0, w1, n, len);
}

void
disk_fast_span_offsets_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len)
{
  span_kernel ()->off_half_func (o, base, off, w, n, len);
}

void
disk_fast_span2_offsets_half (gfloat * o0, gfloat * o1, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gsize len)
{
  span_kernel ()->off2_half_func (o0, o1, base, off, w0, w1, n, len);
}

gboolean
disk_fast_span2_blend_supported (gboolean half)
{
  const SpanKernel *k = span_kernel ();

  return half ? k->blend2_half_func != NULL : k->blend2_func != NULL;
}

void
disk_fast_span2_blend (gfloat * o, const gfloat * base, const gssize * off,
    const gfloat * w0, const gfloat * w1, guint n_both, guint n_first,
    guint n_second, gsize len, const gfloat * pa, const gfloat * pb,
    guint ch, gboolean acc)
{
  span_kernel ()->blend2_func (o, base, off, w0, w1, n_both, n_first,
      n_second, len, pa, pb, ch, acc);
}

void
disk_fast_span2_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * pa,
    const gfloat * pb, guint ch, gboolean acc)
{
  span_kernel ()->blend2_half_func (o, base, off, w0, w1, n_both, n_first,
      n_second, len, pa, pb, ch, acc);
}

gboolean
disk_fast_span4_blend_supported (gboolean half)
{
  const SpanKernel *k = span_kernel ();

  return half ? k->blend4_half_func != NULL : k->blend4_func != NULL;
}

void
disk_fast_span4_blend (gfloat * o, const gfloat * base, const gssize * off,
    const gfloat * w, guint n, gsize len, const gfloat * t, const gfloat * s0,
    const gfloat * s1, guint ch)
{
  span_kernel ()->blend4_func (o, base, off, w, n, len, t, s0, s1, ch);
}

void
disk_fast_span4_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len,
    const gfloat * t, const gfloat * s0, const gfloat * s1, guint ch)
{
  span_kernel ()->blend4_half_func (o, base, off, w, n, len, t, s0, s1, ch);
}

void
disk_fast_to_half (guint16 * dst, const gfloat * src, gsize n)
{
  span_kernel ()->to_half (dst, src, n);
}

const gchar *
disk_fast_simd_name (void)
{
  return span_kernel ()->name;
}

/* ------------------------------------------------------------------------ */
/* Running */

void
disk_fast_scratch_init (Scratch * s, guint n_taps)
{
  s->src = g_new (gconstpointer, MAX (n_taps, 1));
  s->seg = NULL;
  s->seg_size = 0;
}

void
disk_fast_scratch_clear (Scratch * s)
{
  g_free (s->src);
  g_free (s->seg);
}

/* Rows of a plane as the row functions read and write them: a whole image
 * or a window of its rows (the image's height for clamping, but data for
 * some of its rows only), of floats or, between the layers of a stream
 * with DISK_FAST_ROWS_HALF, of binary16 values. A window holds the rows
 * from `first` on (passed with it), or with `ring` > 0 is a ring of `ring`
 * rows, row y in slot y mod ring: a window that moves down the image then
 * never moves its rows. A window may also hold `pad` columns on either
 * side of each row, copies of its first and last pixel (clamp to edge,
 * rows_fill_padding): a layer that reaches no further sideways then reads
 * every row as a whole, with no edge columns of its own. */
typedef struct
{
  gint width, height;
  guint channels;
  gsize stride;                 /* values from one row to the next */
  gsize bytes;                  /* of one value: 4 (float) or 2 (binary16) */
  guint ring;
  gint pad;                     /* columns x < 0 and x >= width held */
  gpointer data;
} Rows;

static inline Rows
rows_of_image (const DiskImage * image)
{
  Rows r = { image->width, image->height, image->channels, image->stride,
    sizeof (gfloat), 0, 0, image->data
  };

  return r;
}

/* Pixel (x, y) of `r`, whose data starts at row `first` (unless a ring);
 * -pad <= x < width + pad. */
static inline gpointer
rows_pixel (const Rows * r, gint first, gint x, gint y)
{
  const gsize slot = r->ring > 0 ? (guint) y % r->ring : (gsize) (y - first);

  return (guint8 *) r->data + (slot * r->stride
      + (gsize) (r->pad + x) * r->channels) * r->bytes;
}

/* `n` copies of the `size` bytes at `src` to `dst`: the copies double
 * with each memcpy (a few calls, not one per pixel). */
static void
repeat_bytes (guint8 * dst, const guint8 * src, gsize size, gsize n)
{
  gsize done;

  if (n == 0)
    return;
  memcpy (dst, src, size);
  for (done = 1; done < n; done *= 2)
    memcpy (dst + done * size, dst, MIN (done, n - done) * size);
}

/* The padding columns of row y, if any: its first and last pixel
 * repeated. */
static void
rows_fill_padding (const Rows * r, gint first, gint y)
{
  const gsize pixel_bytes = r->channels * r->bytes;

  repeat_bytes (rows_pixel (r, first, -r->pad, y),
      rows_pixel (r, first, 0, y), pixel_bytes, (gsize) r->pad);
  repeat_bytes (rows_pixel (r, first, r->width, y),
      rows_pixel (r, first, r->width - 1, y), pixel_bytes, (gsize) r->pad);
}

/* The kernels that read rows of `r`'s values. */
static inline SpanFunc
rows_span_func (const Rows * r)
{
  return r->bytes == sizeof (gfloat) ? span_kernel ()->func
      : span_kernel ()->half_func;
}

/* Input columns c0 <= c < c0 + len of `row` (pixels of `pixel_bytes`),
 * each clamped into the row, to `dst`: the repeated edge pixels on either
 * side, a plain copy between. */
static void
copy_clamped (gpointer dst, gconstpointer row, gint c0, gsize len,
    gint width, gsize pixel_bytes)
{
  const gint c1 = c0 + (gint) len;
  const gint mid0 = CLAMP (c0, 0, width), mid1 = CLAMP (c1, mid0, width);
  const guint8 *last = (const guint8 *) row + (gsize) (width - 1) * pixel_bytes;
  guint8 *d = dst;
  gint c;

  for (c = c0; c < MIN (mid0, c1); c++, d += pixel_bytes)
    memcpy (d, row, pixel_bytes);
  if (mid1 > mid0) {
    memcpy (d, (const guint8 *) row + (gsize) mid0 * pixel_bytes,
        (gsize) (mid1 - mid0) * pixel_bytes);
    d += (gsize) (mid1 - mid0) * pixel_bytes;
  }
  for (c = MAX (mid1, c0); c < c1; c++, d += pixel_bytes)
    memcpy (d, last, pixel_bytes);
}

/* Pixels x_begin <= x < x_end of row y whose reads may cross an edge: the
 * input row pieces they read are copied with their columns clamped (once per
 * distinct input row; taps are sorted by row), then the same kernel as the
 * interior runs on the copies. */
static void
edge_span (const DiskFastLayer * layer, const DiskImage * in, gfloat * o,
    guint y, gint x_begin, gint x_end, Scratch * s)
{
  const gint width = in->width, height = in->height;
  const guint ch = in->channels;
  const gint c0 = x_begin + layer->dx_min;
  const gsize len = (gsize) (x_end - 1 + layer->dx_max - c0 + 1);
  gsize need = 0;
  gfloat *seg = NULL;
  gint last_dy = 0;
  guint i, k, rows = 0;

  if (x_begin >= x_end || layer->n == 0) {
    for (gint x = x_begin; x < x_end; x++)
      for (k = 0; k < ch; k++)
        o[(gsize) x * ch + k] = 0.0f;
    return;
  }
  for (i = 0; i < layer->n; i++)
    if (i == 0 || layer->dy[i] != layer->dy[i - 1])
      rows++;
  need = rows * len * ch;
  if (need > s->seg_size) {
    g_free (s->seg);
    s->seg = g_new (gfloat, need);
    s->seg_size = need;
  }
  for (i = 0; i < layer->n; i++) {
    if (i == 0 || layer->dy[i] != last_dy) {
      const gfloat *row = disk_image_pixel (in, 0,
          disk_edge_clamp ((gint) y + layer->dy[i], height));

      seg = seg == NULL ? s->seg : seg + len * ch;
      copy_clamped (seg, row, c0, len, width, sizeof (gfloat) * ch);
      last_dy = layer->dy[i];
    }
    s->src[i] = seg + (gsize) (x_begin + layer->dx[i] - c0) * ch;
  }
  span_kernel ()->func (o + (gsize) x_begin * ch, s->src, layer->w, layer->n,
      (gsize) (x_end - x_begin) * ch);
}

/* Where each tap of output pixel (x, y) reads, for an x whose reads all fall
 * inside the row: taps are sorted by row, so the row is found once per
 * distinct dy. */
static inline void
set_read_pointers (const DiskFastLayer * layer, const Rows * in, gint first,
    guint y, gint x, gconstpointer * src)
{
  const gsize tap_bytes = in->channels * in->bytes;
  const guint8 *row = NULL;
  gint last_dy = 0;
  guint i;

  for (i = 0; i < layer->n; i++) {
    if (row == NULL || layer->dy[i] != last_dy) {
      last_dy = layer->dy[i];
      row = rows_pixel (in, first, x, disk_edge_clamp ((gint) y + last_dy,
              in->height));
    }
    src[i] = row + (gssize) layer->dx[i] * (gssize) tap_bytes;
  }
}

/* Pixels x_begin <= x < x_end of row y with the layer's taps. */
void
disk_fast_row_span (const DiskFastLayer * layer, const DiskImage * in,
    gfloat * o, guint y, gint x_begin, gint x_end, Scratch * s)
{
  const gint width = in->width;
  const guint ch = in->channels;
  /* Interior: every tap reads inside the row for lo <= x < hi. */
  const gint lo = CLAMP (-layer->dx_min, x_begin, x_end);
  const gint hi = CLAMP (width - layer->dx_max, lo, x_end);

  if (lo < hi) {
    const Rows rows = rows_of_image (in);

    set_read_pointers (layer, &rows, 0, y, lo, s->src);
    span_kernel ()->func (o + (gsize) lo * ch, s->src, layer->w, layer->n,
        (gsize) (hi - lo) * ch);
  }
  edge_span (layer, in, o, y, x_begin, lo, s);
  edge_span (layer, in, o, y, hi, x_end, s);
}

/* Rows the layer reads above (up) and below (down) the row it writes. */
static void
layer_reach (const DiskFastLayer * layer, gint * up, gint * down)
{
  guint i;

  *up = *down = 0;
  for (i = 0; i < layer->n; i++) {
    *up = MAX (*up, -layer->dy[i]);
    *down = MAX (*down, layer->dy[i]);
  }
}

/* Rows y_begin <= y < y_end of out = layer (in), where `in` holds the rows
 * from in_first on, padded as far as the layer reaches sideways, and `out`
 * the rows from out_first on. Every column is then read the same way: a
 * row's floats are summed by the row-pair kernel where it pairs rows and
 * covers them, by the one-row kernel in the pair's order elsewhere, so a
 * row's bits depend on its absolute index and the row length only, not on
 * bands, steps or threads. The sums are in float whatever the rows hold;
 * into binary16 output rows each is rounded as it is stored. */
static void
layer_rows_window (const DiskFastLayer * layer, const Rows * in,
    gint in_first, const Rows * out, gint out_first, guint y_begin,
    guint y_end)
{
  const gint height = in->height;
  const gsize len = (gsize) in->width * in->channels;
  const gsize tap_bytes = in->channels * in->bytes;
  const SpanKernel *kernel = span_kernel ();
  const gboolean half_out = out->bytes != sizeof (gfloat);
  const SpanFunc func = rows_span_func (in);
  const Span2Func func2 = in->bytes == sizeof (gfloat) ?
      kernel->func2 : kernel->half_func2;
  g_autofree const guint8 **row_at = NULL;
  gint up, down;
  Scratch s;
  guint y, i;

  g_assert (in->pad >= MAX (-layer->dx_min, layer->dx_max));
  /* binary16 output rows come from binary16 input rows only */
  g_assert (!half_out || in->bytes != sizeof (gfloat));
  if (y_begin == y_end)
    return;

  layer_reach (layer, &up, &down);
  /* input row y + r of the pair or row starting at y: row_at[r + up] */
  row_at = g_new (const guint8 *, up + down + 2);
  disk_fast_scratch_init (&s, MAX (layer->n, layer->pn));
  for (y = y_begin; y < y_end;) {
    /* Two rows at once from an even row where the band has both, then
     * what the pair kernel leaves, row by row. */
    const guint rows = y % 2 == 0 && y + 1 < y_end && layer->pn > 0 ? 2 : 1;
    gpointer o[2];
    gsize done = 0;
    guint k;
    gint r;

    for (k = 0; k < rows; k++)
      o[k] = rows_pixel (out, out_first, 0, y + k);
    if (rows == 2) {
      for (r = -up; r <= down + 1; r++)
        row_at[r + up] = rows_pixel (in, in_first, 0,
            disk_edge_clamp ((gint) y + r, height));
      for (i = 0; i < layer->pn; i++)
        s.src[i] = row_at[layer->pr[i] + up]
            + (gssize) layer->pdx[i] * (gssize) tap_bytes;
      done = half_out ? kernel->half_out_func2 (o[0], o[1], s.src,
          layer->pw0, layer->pw1, layer->pn_both, layer->pn_first,
          layer->pn_second, len) : func2 (o[0], o[1], s.src, layer->pw0,
          layer->pw1, layer->pn_both, layer->pn_first, layer->pn_second, len);
    }
    for (k = 0; k < rows; k++) {
      if (done < len) {
        const guint parity = (y + k) % 2;

        for (r = -up; r <= down; r++)
          row_at[r + up] = rows_pixel (in, in_first, 0,
              disk_edge_clamp ((gint) (y + k) + r, height));
        for (i = 0; i < layer->n; i++)
          s.src[i] = row_at[layer->sdy[parity][i] + up]
              + ((gssize) layer->sdx[parity][i] * (gssize) in->channels
              + (gssize) done) * (gssize) in->bytes;
        if (half_out)
          kernel->half_out_func ((guint16 *) o[k] + done, s.src,
              layer->sw[parity], layer->n, len - done);
        else
          func ((gfloat *) o[k] + done, s.src, layer->sw[parity], layer->n,
              len - done);
      }
      rows_fill_padding (out, out_first, y + k);
    }
    y += rows;
  }
  disk_fast_scratch_clear (&s);
}

/* Padding, in pixels, for rows of `pixel_bytes` read by a layer reaching
 * `reach` columns sideways: rounded up so that pixel 0 of a row keeps the
 * 64-byte alignment of the row's start, where the kernels store. */
static gint
row_padding (gint reach, gsize pixel_bytes)
{
  gsize unit, g = 64;

  /* the fewest pixels that make a multiple of 64 bytes */
  while (pixel_bytes % g != 0)
    g /= 2;
  unit = 64 / g;
  return (gint) (((gsize) reach + unit - 1) / unit * unit);
}

/* Values from one row to the next of rows of `width` pixels and `pad` on
 * either side: a multiple of 64 bytes. */
static gsize
row_stride (gint width, gint pad, guint channels, gsize bytes)
{
  return ((gsize) (width + 2 * pad) * channels * bytes + 63) / 64 * 64
      / bytes;
}

/* Rows y_begin <= y < y_end of the image into the float ring `w`, with
 * their padding. */
static void
copy_image_rows (const DiskImage * image, const Rows * w, gint y_begin,
    gint y_end)
{
  gint y;

  for (y = y_begin; y < y_end; y++) {
    memcpy (rows_pixel (w, 0, 0, y), disk_image_pixel (image, 0, y),
        sizeof (gfloat) * image->width * image->channels);
    rows_fill_padding (w, 0, y);
  }
}

/* Output rows each step of disk_fast_plan_rows adds to the last layer:
 * small enough that the windows of the layers in between stay in the
 * caches, large enough that the rows a window keeps from one step to the
 * next (the next layer's reach) are a small part of it. Measured in
 * docs/PERFORMANCE.md; DISK_FAST_STREAM_ROWS overrides it. */
#define STREAM_ROWS 8

static guint
stream_rows (void)
{
  static gint rows = 0;
  gint r = g_atomic_int_get (&rows);

  if (r == 0) {
    const gchar *env = g_getenv ("DISK_FAST_STREAM_ROWS");

    r = env != NULL ? CLAMP (atoi (env), 2, 4096) : STREAM_ROWS;
    g_atomic_int_set (&rows, r);
  }
  return r;
}

/* Memory that a thread's calls keep from one frame to the next, in
 * blocks by use (disk-fast-private.h): fresh memory in every call costs
 * page faults in every frame. */
struct _DiskFastWorkspace
{
  gpointer block[DISK_FAST_WORKSPACE_BLOCKS];
  gsize bytes[DISK_FAST_WORKSPACE_BLOCKS];
};

DiskFastWorkspace *
disk_fast_workspace_new (void)
{
  return g_new0 (DiskFastWorkspace, 1);
}

void
disk_fast_workspace_free (DiskFastWorkspace * workspace)
{
  guint i;

  if (workspace == NULL)
    return;
  for (i = 0; i < DISK_FAST_WORKSPACE_BLOCKS; i++)
    g_free (workspace->block[i]);
  g_free (workspace);
}

gpointer
disk_fast_workspace_block (DiskFastWorkspace * workspace, guint block,
    gsize bytes)
{
  g_assert (block < DISK_FAST_WORKSPACE_BLOCKS);
  if (workspace->bytes[block] < bytes) {
    g_free (workspace->block[block]);
    workspace->block[block] = g_malloc (bytes);
    workspace->bytes[block] = bytes;
  }
  return workspace->block[block];
}

/* Input rows y_begin <= y < y_end of a stream into the float ring `w`, in
 * order, in pieces that do not wrap around. */
static void
read_float_rows (const DiskFastStream * stream, const Rows * w, gint y_begin,
    gint y_end)
{
  gint y, y1;

  for (y = y_begin; y < y_end; y = y1) {
    y1 = MIN (y_end, y + (gint) (w->ring - (guint) y % w->ring));
    stream->read (stream->data, rows_pixel (w, 0, 0, y), w->stride, y, y1);
  }
  for (y = y_begin; y < y_end; y++)
    rows_fill_padding (w, 0, y);
}

/* Input rows y_begin <= y < y_end of a stream into the binary16 ring `w`,
 * through `staging` (`step` float rows), in order, a step at a time. */
static void
read_half_rows (const DiskFastStream * stream, gfloat * staging, gint step,
    const Rows * w, gint y_begin, gint y_end)
{
  const gsize row_len = (gsize) w->width * w->channels;
  gint y, k;

  for (y = y_begin; y < y_end; y += step) {
    const gint y1 = MIN (y_end, y + step);

    stream->read (stream->data, staging, row_len, y, y1);
    for (k = y; k < y1; k++) {
      span_kernel ()->to_half (rows_pixel (w, 0, 0, k),
          staging + (gsize) (k - y) * row_len, row_len);
      rows_fill_padding (w, 0, k);
    }
  }
}

gboolean
disk_fast_half_rows_supported (void)
{
  return span_kernel ()->half_func != NULL;
}

/* The pass of disk_fast_plan_rows and disk_fast_plan_stream. Window i is
 * the input of layer i, window n the output. Windows 0 to n - 1 are
 * padded rings that slide down the band: window 0 is filled from the image
 * `in` or by stream->read. Window n is the image `out`, or with a stream
 * a window of one step that stream->write empties. With binary16 rows (a
 * stream's choice), windows 0 to n - 1 hold binary16: the input rows are
 * read into `staging` a step at a time and rounded into window 0. */
static void
plan_pass (const DiskFastPlan * plan, const DiskImage * in, DiskImage * out,
    const DiskFastStream * stream, guint channels, guint y_begin,
    guint y_end, DiskFastWorkspace * workspace)
{
  const gint n = plan->n_layers;
  const gint width = plan->layers[0]->width;
  const gint height = plan->layers[0]->height;
  const gint step = stream_rows ();
  /* the sliding windows: 0 .. n - 1, and n with a stream */
  const gint slide1 = stream != NULL ? n : n - 1;
  gint up[DISK_MAX_LAYERS], down[DISK_MAX_LAYERS];
  gint need0[DISK_MAX_LAYERS + 1], need1[DISK_MAX_LAYERS + 1];
  gint first[DISK_MAX_LAYERS + 1], done[DISK_MAX_LAYERS + 1];
  gint until[DISK_MAX_LAYERS + 1], capacity[DISK_MAX_LAYERS + 1];
  gint pad[DISK_MAX_LAYERS + 1];
  gsize stride[DISK_MAX_LAYERS + 1];
  Rows window[DISK_MAX_LAYERS + 1];
  g_autoptr (DiskFastWorkspace) own = NULL;
  const gboolean half = stream != NULL && stream->rows == DISK_FAST_ROWS_HALF
      && disk_fast_half_rows_supported ();
  const gsize row_len = (gsize) width * channels;
  guint8 *data;
  gfloat *staging = NULL;
  gsize total = 0;
  gint i, l, reach = 0;

  /* The rows of each window the band needs, output first. */
  for (l = 0; l < n; l++)
    layer_reach (plan->layers[l], &up[l], &down[l]);
  need0[n] = y_begin;
  need1[n] = y_end;
  for (i = n - 1; i >= 0; i--) {
    need0[i] = MAX (0, need0[i + 1] - up[i]);
    need1[i] = MIN (height, need1[i + 1] + down[i]);
  }
  /* A window (a ring) holds what its layer still reads plus the rows of
   * one step (and of the roundings to even rows below), at most the rows
   * the band needs; the output window one step, emptied after each. */
  for (i = n - 1; i >= 0; i--) {
    reach += up[i] + down[i];
    capacity[i] = MIN (need1[i] - need0[i], step + reach + 2 * (n - i));
  }
  capacity[n] = MIN (need1[n] - need0[n], step);
  /* The windows layers read are padded as far as the layer reaches
   * sideways. */
  for (i = 0; i <= n; i++) {
    const gsize bytes = half && i < n ? sizeof (guint16) : sizeof (gfloat);

    pad[i] = i < n ? row_padding (MAX (-plan->layers[i]->dx_min,
            plan->layers[i]->dx_max), bytes * channels) : 0;
    stride[i] = row_stride (width, pad[i], channels, bytes);
  }
  for (i = 0; i <= slide1; i++)
    total += (gsize) capacity[i] * stride[i]
        * (half && i < n ? sizeof (guint16) : sizeof (gfloat));
  if (half)
    total += (gsize) step * row_len * sizeof (gfloat);
  /* One block for all windows, kept by the workspace from call to call:
   * fresh memory every call costs page faults in every frame. Every
   * window starts on a 64-byte boundary (a cache line). */
  total += (gsize) (n + 2) * 64;
  if (workspace == NULL)
    workspace = own = disk_fast_workspace_new ();
  data = disk_fast_workspace_block (workspace, DISK_FAST_BLOCK_WINDOWS,
      total);
  for (i = 0; i <= n; i++) {
    if (i > slide1) {
      window[i] = rows_of_image (out);
      capacity[i] = height;
      continue;
    }
    data = (guint8 *) (((guintptr) data + 63) & ~(guintptr) 63);
    window[i].width = width;
    window[i].height = height;
    window[i].channels = channels;
    window[i].stride = stride[i];
    window[i].bytes = half && i < n ? sizeof (guint16) : sizeof (gfloat);
    window[i].ring = i < n ? capacity[i] : 0;
    window[i].pad = pad[i];
    window[i].data = data;
    data += (gsize) capacity[i] * stride[i] * window[i].bytes;
  }
  if (half)
    staging = (gfloat *) (((guintptr) data + 63) & ~(guintptr) 63);
  for (i = 0; i <= n; i++)
    first[i] = done[i] = need0[i];
  /* without a stream, the output is the whole image */
  if (stream == NULL)
    first[n] = 0;

  while (done[n] < (gint) y_end) {
    /* This step's last rows, output first: each window as far as the
     * next layer reads, rounded to an even row: the row-pair kernel pairs
     * rows from even rows on, and a step that ended on an odd row would
     * leave two rows unpaired in every step after it. */
    until[n] = MIN ((gint) y_end, (done[n] + step) & ~1);
    for (i = n - 1; i >= 0; i--)
      until[i] = MAX (done[i], MIN (need1[i],
              (until[i + 1] + down[i] + 1) & ~1));
    if (stream != NULL)
      first[n] = done[n];       /* the output window was emptied */

    for (i = 0; i <= n; i++) {
      if (until[i] == done[i])
        continue;
      if (i < n) {
        /* The rows the next layer still reads and this step's: in the
         * ring at once. */
        first[i] = MAX (first[i], MAX (0, done[i + 1] - up[i]));
        g_assert (until[i] - first[i] <= capacity[i]);
      }
      if (i == 0 && stream == NULL)
        copy_image_rows (in, &window[0], done[0], until[0]);
      else if (i == 0 && !half)
        read_float_rows (stream, &window[0], done[0], until[0]);
      else if (i == 0)
        read_half_rows (stream, staging, step, &window[0], done[0],
            until[0]);
      else
        layer_rows_window (plan->layers[i - 1], &window[i - 1], first[i - 1],
            &window[i], first[i], done[i], until[i]);
      done[i] = until[i];
    }
    if (stream != NULL)
      stream->write (stream->data, (const gfloat *) window[n].data,
          window[n].stride, first[n], done[n]);
  }
}

void
disk_fast_plan_rows (const DiskFastPlan * plan, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end, DiskFastWorkspace * workspace)
{
  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (plan->n_layers >= 1);
  g_return_if_fail (in->width == plan->layers[0]->width
      && in->height == plan->layers[0]->height);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);
  if (y_begin == y_end)
    return;

  plan_pass (plan, in, out, NULL, in->channels, y_begin, y_end, workspace);
}

void
disk_fast_layer_rows (const DiskFastLayer * layer, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  /* a pass of one layer: its input rows go through a padded window */
  const DiskFastPlan one = { 1, {(DiskFastLayer *) layer} };

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (in->width == layer->width && in->height == layer->height);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);
  if (y_begin == y_end)
    return;

  plan_pass (&one, in, out, NULL, in->channels, y_begin, y_end, NULL);
}

void
disk_fast_plan_stream (const DiskFastPlan * plan,
    const DiskFastStream * stream, guint channels, guint y_begin,
    guint y_end, DiskFastWorkspace * workspace)
{
  g_return_if_fail (plan->n_layers >= 1);
  g_return_if_fail (stream != NULL && stream->read != NULL
      && stream->write != NULL);
  g_return_if_fail (channels >= 1 && channels <= 4);
  g_return_if_fail (y_begin <= y_end
      && y_end <= plan->layers[0]->height);
  if (y_begin == y_end)
    return;

  plan_pass (plan, NULL, NULL, stream, channels, y_begin, y_end, workspace);
}

/* ------------------------------------------------------------------------ */
/* Spatially varying layers */

/* Basis interpolation pixel after pixel (disk-fast-private.h). */
void
disk_fast_interp_init (Interp * ip, const DiskBasis * basis, guint layer,
    gfloat sx, gfloat sy)
{
  ip->basis = basis;
  ip->layer = layer;
  ip->n = basis->entries[0]->n_samples[layer];
  ip->sx = sx;
  ip->sy = sy;
  ip->degrees = 0.0;
  ip->c = 1.0;
  ip->s = 0.0;
}

void
disk_fast_interp_samples (Interp * ip, gdouble radius, gdouble degrees,
    DiskSample * out)
{
  const DiskBasis *basis = ip->basis;
  const guint last = basis->n_entries - 1;
  const DiskSample *a, *b;
  gdouble t, scale_a, scale_b;
  guint k, i;

  radius = MAX (radius, 0.0);
  if (radius <= basis->radii[0] || radius >= basis->radii[last]) {
    k = radius <= basis->radii[0] ? 0 : last;
    a = b = disk_complex_layer (basis->entries[k], ip->layer);
    t = 0.0;
    scale_a = scale_b = radius / basis->radii[k];
  } else {
    k = 0;
    while (basis->radii[k + 1] < radius)
      k++;
    a = disk_complex_layer (basis->entries[k], ip->layer);
    b = disk_complex_layer (basis->entries[k + 1], ip->layer);
    t = (radius - basis->radii[k]) / (basis->radii[k + 1] - basis->radii[k]);
    scale_a = radius / basis->radii[k];
    scale_b = radius / basis->radii[k + 1];
  }
  if (degrees != ip->degrees) {
    ip->degrees = degrees;
    ip->c = degrees != 0.0 ? cos (degrees * G_PI / 180.0) : 1.0;
    ip->s = degrees != 0.0 ? sin (degrees * G_PI / 180.0) : 0.0;
  }
  for (i = 0; i < ip->n; i++) {
    gdouble x = (1.0 - t) * scale_a * a[i].x + t * scale_b * b[i].x;
    gdouble y = (1.0 - t) * scale_a * a[i].y + t * scale_b * b[i].y;

    out[i].x = (gfloat) (x * ip->c - y * ip->s);
    out[i].y = (gfloat) (x * ip->s + y * ip->c);
    out[i].w = (gfloat) ((1.0 - t) * a[i].w + t * b[i].w);
    /* then scaled in float, as the reference does */
    out[i].x *= ip->sx;
    out[i].y *= ip->sy;
  }
}

/* disk_edge_limit without library calls; NaN goes to -limit as there. */
static inline gdouble
limit_inline (gdouble u, gdouble limit)
{
  if (!(u >= -limit))
    return -limit;
  return u > limit ? limit : u;
}

/* One pixel gathering its own samples: bilinear reads, clamp to edge.
 * Inlined for each channel count so the channel loops unroll. */
static inline __attribute__ ((always_inline)) void
gather_pixel_ch (const DiskSample * s, guint n, const DiskImage * in, gint x,
    gint y, gfloat * o, const guint ch)
{
  const gint width = in->width, height = in->height;
  const gdouble lim_x = width + 2.0, lim_y = height + 2.0;
  gfloat acc[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
  guint i, c;

  for (i = 0; i < n; i++) {
    gdouble u = limit_inline (x - (gdouble) s[i].x, lim_x);
    gdouble v = limit_inline (y - (gdouble) s[i].y, lim_y);
    /* floor, knowing |u|, |v| are small: truncate, step down if needed */
    gint x0 = (gint) u, y0 = (gint) v;
    gfloat ax, ay;

    x0 -= x0 > u;
    y0 -= y0 > v;
    ax = (gfloat) (u - x0);
    ay = (gfloat) (v - y0);
    const gfloat *ra = disk_image_pixel (in, 0, disk_edge_clamp (y0, height));
    const gfloat *rb = disk_image_pixel (in, 0, disk_edge_clamp (y0 + 1, height));
    const guint xa = disk_edge_clamp (x0, width) * ch;
    const guint xb = disk_edge_clamp (x0 + 1, width) * ch;
    const gfloat w00 = s[i].w * (1.0f - ax) * (1.0f - ay);
    const gfloat w10 = s[i].w * ax * (1.0f - ay);
    const gfloat w01 = s[i].w * (1.0f - ax) * ay;
    const gfloat w11 = s[i].w * ax * ay;

    for (c = 0; c < ch; c++)
      acc[c] += w00 * ra[xa + c] + w10 * ra[xb + c] + w01 * rb[xa + c]
          + w11 * rb[xb + c];
  }
  for (c = 0; c < ch; c++)
    o[c] = acc[c];
}

static void
gather_pixel (const DiskSample * s, guint n, const DiskImage * in, gint x,
    gint y, gfloat * o)
{
  switch (in->channels) {
    case 1:
      gather_pixel_ch (s, n, in, x, y, o, 1);
      break;
    case 2:
      gather_pixel_ch (s, n, in, x, y, o, 2);
      break;
    case 3:
      gather_pixel_ch (s, n, in, x, y, o, 3);
      break;
    default:
      gather_pixel_ch (s, n, in, x, y, o, 4);
      break;
  }
}

/* The plan cache of one varying-layer call: integer taps per (radius,
 * angle) pair, keyed by their float bits. */
typedef struct
{
  GHashTable *plans;            /* guint64 key -> DiskFastLayer */
  guint64 last_key;
  DiskFastLayer *last;
} PlanCache;

static void
plan_cache_init (PlanCache * pc)
{
  pc->plans = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      (GDestroyNotify) disk_fast_layer_free);
  pc->last = NULL;
  pc->last_key = 0;
}

static guint64
plan_key (gfloat r, gfloat a)
{
  union
  {
    gfloat f[2];
    guint64 key;
  } u = { {r, a} };

  return u.key;
}

static const DiskFastLayer *
plan_cache_get (PlanCache * pc, Interp * ip, gfloat r, gfloat a,
    const DiskImage * in, DiskSample * samples)
{
  guint64 key = plan_key (r, a);
  DiskFastLayer *plan;

  if (pc->last != NULL && pc->last_key == key)
    return pc->last;
  plan = g_hash_table_lookup (pc->plans, &key);
  if (plan == NULL) {
    disk_fast_interp_samples (ip, r, a, samples);
    plan = layer_new (samples, ip->n, in->width, in->height, TRUE, FALSE);
    g_hash_table_insert (pc->plans, g_memdup2 (&key, sizeof (guint64)), plan);
  }
  pc->last = plan;
  pc->last_key = key;
  return plan;
}

/* A row of one radius and angle (tilt-shift, flat maps) is one run; a
 * memcmp of the row against itself shifted by one pixel finds it fast
 * (bitwise-equal parameters give bitwise-equal samples). */
static gboolean
row_is_uniform (const gfloat * r, const gfloat * a, gint width)
{
  return width > 0 && memcmp (r, r + 1, sizeof (gfloat) * (width - 1)) == 0
      && (a == NULL || memcmp (a, a + 1, sizeof (gfloat) * (width - 1)) == 0);
}

void
disk_fast_uniform_rows (const gfloat * radius, const gfloat * angle,
    guint width, guint y_begin, guint y_end, guint8 * uniform)
{
  guint y;

  g_return_if_fail (radius != NULL && uniform != NULL);
  g_return_if_fail (y_begin <= y_end);
  for (y = y_begin; y < y_end; y++)
    uniform[y] = row_is_uniform (radius + (gsize) y * width,
        angle != NULL ? angle + (gsize) y * width : NULL, (gint) width);
}

void
disk_fast_varying_layer_rows (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, gdouble scale_x,
    gdouble scale_y, const DiskImage * in, DiskImage * out, guint y_begin,
    guint y_end)
{
  disk_fast_varying_layer_rows_marked (basis, layer, radius, angle, NULL,
      scale_x, scale_y, in, out, y_begin, y_end);
}

void
disk_fast_varying_layer_rows_marked (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, const guint8 * uniform,
    gdouble scale_x, gdouble scale_y, const DiskImage * in, DiskImage * out,
    guint y_begin, guint y_end)
{
  const guint n = basis->entries[0]->n_samples[layer];
  const gint width = in->width;
  g_autofree DiskSample *samples = g_new (DiskSample, n);
  g_autofree gfloat *zeros = g_new0 (gfloat, width);
  Scratch scratch;
  PlanCache cache;
  Interp ip;
  guint y;

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (in->channels <= 4);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);

  disk_fast_interp_init (&ip, basis, layer, (gfloat) scale_x,
      (gfloat) scale_y);
  disk_fast_scratch_init (&scratch, 4 * n);
  plan_cache_init (&cache);
  for (y = y_begin; y < y_end; y++) {
    const gfloat *r = radius + (gsize) y * width;
    const gfloat *a = angle ? angle + (gsize) y * width : zeros;
    gfloat *o = disk_image_pixel (out, 0, y);
    const gboolean one_run = uniform != NULL ? uniform[y] != 0
        : row_is_uniform (r, angle != NULL ? a : NULL, width);
    gint x = 0;

    while (x < width) {
      gint end = one_run ? width : x + 1;

      while (end < width && r[end] == r[x] && a[end] == a[x])
        end++;
      /* Planning costs about as much as gathering a dozen pixels: short
       * runs gather pixel by pixel. The choice depends on the row alone
       * (never on what the cache holds), so a pixel's value does not depend
       * on the band it falls in. */
      if (end - x >= DISK_FAST_MIN_RUN) {
        disk_fast_row_span (plan_cache_get (&cache, &ip, r[x], a[x], in,
                samples), in, o, y, x, end, &scratch);
      } else {
        gint i;

        for (i = x; i < end; i++) {
          disk_fast_interp_samples (&ip, r[i], a[i], samples);
          gather_pixel (samples, n, in, i, y, o + (gsize) i * in->channels);
        }
      }
      x = end;
    }
  }
  g_hash_table_destroy (cache.plans);
  disk_fast_scratch_clear (&scratch);
}

void
disk_fast_filter_uniform (const DiskComplex * complex, const DiskImage * in,
    DiskImage * out)
{
  g_autoptr (DiskFastPlan) plan = disk_fast_plan_new (complex, in->width,
      in->height);
  g_autoptr (DiskImage) a = disk_image_copy (in);
  g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
      in->channels);
  guint l;

  g_return_if_fail (disk_image_same_shape (in, out));

  for (l = 0; l < plan->n_layers; l++) {
    DiskImage *swap;

    disk_fast_layer_rows (plan->layers[l], a, b, 0, in->height);
    swap = a;
    a = b;
    b = swap;
  }
  for (l = 0; l < in->height; l++)
    memcpy (disk_image_pixel (out, 0, l), disk_image_pixel (a, 0, l),
        sizeof (gfloat) * in->width * in->channels);
}

/* ------------------------------------------------------------------------ */
/* Per-pixel parameters */

/* A map read along one frame row: what disk_effect_sample_map computes,
 * with the row's terms taken once (same double expressions, same bits). */
typedef struct
{
  const DiskImage *map;
  gdouble ay;
  const gfloat *ra, *rb;        /* map rows above and below */
} MapRow;

static void
map_row_init (MapRow * mr, const DiskImage * map, guint frame_height,
    gdouble y)
{
  gdouble v = y * map->height / frame_height - 0.5;
  gdouble fv;
  gint y0;

  v = limit_inline (v, map->height + 2.0);
  fv = floor (v);
  mr->map = map;
  mr->ay = v - fv;
  y0 = (gint) fv;
  mr->ra = disk_image_pixel (map, 0, disk_edge_clamp (y0, map->height));
  mr->rb = disk_image_pixel (map, 0, disk_edge_clamp (y0 + 1, map->height));
}

static inline gdouble
map_row_sample (const MapRow * mr, guint frame_width, gdouble x)
{
  const DiskImage *map = mr->map;
  const guint ch = map->channels;
  gdouble u = x * map->width / frame_width - 0.5;
  gdouble fu, ax;
  gint x0, xa, xb;

  u = limit_inline (u, map->width + 2.0);
  fu = floor (u);
  ax = u - fu;
  x0 = (gint) fu;
  xa = disk_edge_clamp (x0, map->width);
  xb = disk_edge_clamp (x0 + 1, map->width);
  return (gfloat) ((1.0 - mr->ay) * ((1.0 - ax) * (gdouble) mr->ra[xa * ch]
          + ax * (gdouble) mr->ra[xb * ch])
      + mr->ay * ((1.0 - ax) * (gdouble) mr->rb[xa * ch]
          + ax * (gdouble) mr->rb[xb * ch]));
}

/* fmin (fmax (v, 0.0), 1.0) without the library calls, to the bit: NaN
 * and -0 give +0 as fmax (v, +0) does. */
static inline gdouble
clamp01 (gdouble v)
{
  return v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0;
}

/* Map and depth rows: the formulas of disk_effect_eval term for term. */
static void
fill_rows_map (const DiskEffectParams * params, guint frame_width,
    guint frame_height, guint plane_width, guint sub_x, guint sub_y,
    const DiskImage * strength, const DiskImage * angle_map, gfloat * radius,
    gfloat * angle, guint y_begin, guint y_end)
{
  guint i, j;

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;
    MapRow ms, ma;

    map_row_init (&ms, strength, frame_height, y);
    if (angle_map != NULL)
      map_row_init (&ma, angle_map, frame_height, y);
    for (i = 0; i < plane_width; i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble r = params->radius, a = params->angle;
      gdouble m = clamp01 (map_row_sample (&ms, frame_width, x));

      if (params->mode == DISK_EFFECT_MAP)
        r *= m;
      else
        r *= clamp01 (fabs (m - params->focus_depth) / params->depth_range);
      if (angle_map != NULL)
        a += 360.0 * map_row_sample (&ma, frame_width, x);
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) a;
    }
  }
}

/* Spin and zoom rows: the farthest corner once, not per pixel. */
static void
fill_rows_spin_zoom (const DiskEffectParams * params, guint frame_width,
    guint frame_height, guint plane_width, guint sub_x, guint sub_y,
    gfloat * radius, gfloat * angle, guint y_begin, guint y_end)
{
  const gdouble cx = params->center_x * frame_width;
  const gdouble cy = params->center_y * frame_height;
  const gdouble far = hypot (fmax (fabs (cx), fabs (frame_width - cx)),
      fmax (fabs (cy), fabs (frame_height - cy)));
  guint i, j;

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;

    for (i = 0; i < plane_width; i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble dx = x - cx, dy = y - cy;
      gdouble r = params->radius, a = params->angle;

      r *= far > 0.0 ? hypot (dx, dy) / far : 0.0;
      a += atan2 (dy, dx) * 180.0 / G_PI;
      if (params->mode == DISK_EFFECT_SPIN)
        a += 90.0;
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) a;
    }
  }
}

void
disk_fast_effect_fill_rows (const DiskEffectParams * params,
    guint frame_width, guint frame_height, guint plane_width,
    guint plane_height, guint sub_x, guint sub_y, const DiskImage * strength,
    const DiskImage * angle_map, gfloat * radius, gfloat * angle,
    guint y_begin, guint y_end)
{
  /* The expressions of disk_effect_eval, term for term, so that the values
   * are the same doubles before the same rounding to float. */
  const gdouble cx = params->center_x * frame_width;
  const gdouble cy = params->center_y * frame_height;
  const gdouble fa = params->focus_angle * G_PI / 180.0;
  const gdouble sin_fa = sin (fa), cos_fa = cos (fa);
  guint i, j;

  g_return_if_fail (y_begin <= y_end && y_end <= plane_height);
  switch (params->mode) {
    case DISK_EFFECT_TILT_SHIFT:
      break;
    case DISK_EFFECT_MAP:
    case DISK_EFFECT_DEPTH:
      g_return_if_fail (strength != NULL);
      fill_rows_map (params, frame_width, frame_height, plane_width, sub_x,
          sub_y, strength, angle_map, radius, angle, y_begin, y_end);
      return;
    case DISK_EFFECT_SPIN:
    case DISK_EFFECT_ZOOM:
      fill_rows_spin_zoom (params, frame_width, frame_height, plane_width,
          sub_x, sub_y, radius, angle, y_begin, y_end);
      return;
    default:
      disk_effect_fill_rows (params, frame_width, frame_height, plane_width,
          plane_height, sub_x, sub_y, strength, angle_map, radius, angle,
          y_begin, y_end);
      return;
  }

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;

    /* A horizontal band (sin 0): -(x - cx) * 0 is a zero, which adds
     * nothing to a non-zero term and only a sign to a zero one that fabs
     * drops, so every pixel of the row gets the first pixel's bits. */
    for (i = 0; i < (sin_fa == 0.0 ? MIN (plane_width, 1) : plane_width);
        i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble d = fabs (-(x - cx) * sin_fa + (y - cy) * cos_fa)
          / frame_height;
      gdouble over = d - params->focus_width / 2.0;
      gdouble r = params->radius;

      if (params->focus_falloff > 0.0)
        r *= fmin (fmax (over / params->focus_falloff, 0.0), 1.0);
      else
        r *= over > 0.0 ? 1.0 : 0.0;
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) params->angle;
    }
    if (sin_fa == 0.0)
      for (i = 1; i < plane_width; i++) {
        radius[(gsize) j * plane_width + i] = radius[(gsize) j * plane_width];
        angle[(gsize) j * plane_width + i] = angle[(gsize) j * plane_width];
      }
  }
}
