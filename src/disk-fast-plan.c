/* DISK core: planning the fast path (disk-fast.h): a layer's bilinear
 * samples expanded into integer taps, merged, sorted into row pairs. */
#include "disk-fast-private.h"
#include "disk-edge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
disk_fast_layer_new_for_runs (const DiskSample * samples, guint n_samples,
    guint width, guint height, gboolean sorted)
{
  return layer_new (samples, n_samples, width, height, sorted, FALSE);
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

