/* DISK core: spatially varying layers of the fast path run exactly,
 * pixel by pixel or in runs of equal parameters (disk-fast.h). */
#include "disk-fast-private.h"
#include "disk-edge.h"

#include <math.h>
#include <string.h>

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
    gdouble u = disk_edge_limit_to (x - (gdouble) s[i].x, lim_x);
    gdouble v = disk_edge_limit_to (y - (gdouble) s[i].y, lim_y);
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
    plan = disk_fast_layer_new_for_runs (samples, ip->n, in->width,
        in->height, TRUE);
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
