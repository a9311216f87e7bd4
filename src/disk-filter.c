/* DISK core: the reference filter. Conventions and formulas in disk-filter.h
 * and disk-complex.h. Written for clarity first; it is also the fitting
 * forward model, so it must stay exactly the function that is documented. */
#include "disk-filter.h"
#include "disk-edge.h"

#include <math.h>
#include <string.h>

gfloat
disk_image_sample_bilinear (const DiskImage * image, gdouble u, gdouble v,
    guint c)
{
  gdouble fu, fv, ax, ay;
  gint x0, y0;

  u = disk_edge_limit (u, image->width);
  v = disk_edge_limit (v, image->height);
  fu = floor (u);
  fv = floor (v);
  ax = u - fu;
  ay = v - fv;
  x0 = (gint) fu, y0 = (gint) fv;
  gint xa = disk_edge_clamp (x0, image->width), xb = disk_edge_clamp (x0 + 1,
      image->width);
  gint ya = disk_edge_clamp (y0, image->height), yb = disk_edge_clamp (y0 + 1,
      image->height);
  gdouble p00 = disk_image_pixel (image, xa, ya)[c];
  gdouble p10 = disk_image_pixel (image, xb, ya)[c];
  gdouble p01 = disk_image_pixel (image, xa, yb)[c];
  gdouble p11 = disk_image_pixel (image, xb, yb)[c];

  return (gfloat) ((1.0 - ay) * ((1.0 - ax) * p00 + ax * p10)
      + ay * ((1.0 - ax) * p01 + ax * p11));
}

/* A sample of a uniform layer, resolved once: the fractional part of p - o_i
 * is the same for every p, so the integer shift and the four bilinear weights
 * are computed once per call rather than once per pixel. */
typedef struct
{
  gint dx, dy;                  /* integer part of -o */
  gfloat w00, w10, w01, w11;    /* weight times bilinear weights */
} Tap;

static void
resolve_tap (const DiskSample * s, const DiskImage * in, Tap * tap)
{
  gdouble u = disk_edge_limit (-(gdouble) s->x, in->width);
  gdouble v = disk_edge_limit (-(gdouble) s->y, in->height);
  gdouble fu = floor (u), fv = floor (v);
  gdouble ax = u - fu, ay = v - fv, w = s->w;

  tap->dx = (gint) fu;
  tap->dy = (gint) fv;
  tap->w00 = (gfloat) (w * (1.0 - ax) * (1.0 - ay));
  tap->w10 = (gfloat) (w * ax * (1.0 - ay));
  tap->w01 = (gfloat) (w * (1.0 - ax) * ay);
  tap->w11 = (gfloat) (w * ax * ay);
}

/* Adds one tap's contribution to output row `o` from input rows `ra` (y + dy)
 * and `rb` (y + dy + 1). Columns whose reads need clamping are done one by
 * one; the columns in between read without clamping, in one flat loop over
 * floats that the compiler can vectorise. */
static void
accumulate_row (gfloat * restrict o, const gfloat * restrict ra,
    const gfloat * restrict rb, const Tap * t, gint width, guint channels)
{
  /* interior: 0 <= x + dx and x + dx + 1 <= width - 1 */
  gint lo = CLAMP (-t->dx, 0, width), hi = CLAMP (width - 1 - t->dx, lo, width);
  const gsize a = (gsize) (t->dx + lo) * channels;
  const gsize n = (gsize) (hi - lo) * channels;
  gfloat *restrict oi = o + (gsize) lo * channels;
  const gfloat *restrict ra0 = ra + a, *restrict ra1 = ra + a + channels;
  const gfloat *restrict rb0 = rb + a, *restrict rb1 = rb + a + channels;
  gint x;
  gsize j;

  for (j = 0; j < n; j++)
    oi[j] += t->w00 * ra0[j] + t->w10 * ra1[j] + t->w01 * rb0[j]
        + t->w11 * rb1[j];

  for (x = 0; x < width; x++) {
    guint xa, xb, c;

    if (x == lo)
      x = hi;
    if (x >= width)
      break;
    xa = disk_edge_clamp (x + t->dx, width) * channels;
    xb = disk_edge_clamp (x + t->dx + 1, width) * channels;
    for (c = 0; c < channels; c++)
      o[x * channels + c] += t->w00 * ra[xa + c] + t->w10 * ra[xb + c]
          + t->w01 * rb[xa + c] + t->w11 * rb[xb + c];
  }
}

/* out(p) = sum_i w_i * bilinear(in, p - o_i), row by row so that the output
 * row stays in cache while every tap is added to it. */
void
disk_filter_layer_rows (const DiskSample * samples, guint n_samples,
    const DiskImage * in, DiskImage * out, guint y_begin, guint y_end)
{
  const gint height = in->height;
  g_autofree Tap *taps = NULL;
  guint i, y;

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);

  taps = g_new (Tap, n_samples);
  for (i = 0; i < n_samples; i++)
    resolve_tap (&samples[i], in, &taps[i]);

  for (y = y_begin; y < y_end; y++) {
    gfloat *o = disk_image_pixel (out, 0, y);

    memset (o, 0, sizeof (gfloat) * in->width * in->channels);
    for (i = 0; i < n_samples; i++) {
      const Tap *t = &taps[i];
      const gfloat *ra = disk_image_pixel (in, 0,
          disk_edge_clamp ((gint) y + t->dy, height));
      const gfloat *rb = disk_image_pixel (in, 0,
          disk_edge_clamp ((gint) y + t->dy + 1, height));

      accumulate_row (o, ra, rb, t, in->width, in->channels);
    }
  }
}

void
disk_filter_layer (const DiskSample * samples, guint n_samples,
    const DiskImage * in, DiskImage * out)
{
  disk_filter_layer_rows (samples, n_samples, in, out, 0, in->height);
}

void
disk_filter_uniform (const DiskComplex * complex, const DiskImage * in,
    DiskImage * out)
{
  g_autoptr (DiskImage) a = disk_image_copy (in);
  g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
      in->channels);
  guint l;

  g_return_if_fail (disk_image_same_shape (in, out));

  for (l = 0; l < complex->n_layers; l++) {
    DiskImage *swap;

    disk_filter_layer (disk_complex_layer (complex, l), complex->n_samples[l],
        a, b);
    swap = a;
    a = b;
    b = swap;
  }
  for (l = 0; l < in->height; l++)
    memcpy (disk_image_pixel (out, 0, l), disk_image_pixel (a, 0, l),
        sizeof (gfloat) * in->width * in->channels);
}

/* One layer where every output pixel has its own samples, its offsets scaled
 * by (scale_x, scale_y) after interpolation and rotation (subsampled planes). */
void
disk_filter_varying_layer_rows_scaled (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, gdouble scale_x,
    gdouble scale_y, const DiskImage * in, DiskImage * out, guint y_begin,
    guint y_end)
{
  const guint n = basis->entries[0]->n_samples[layer];
  const guint channels = in->channels;
  const gfloat sx = (gfloat) scale_x, sy = (gfloat) scale_y;
  g_autofree DiskSample *samples = g_new (DiskSample, n);
  guint x, y, i, c;

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);

  for (y = y_begin; y < y_end; y++) {
    for (x = 0; x < in->width; x++) {
      const gsize p = (gsize) y * in->width + x;
      gfloat *o = disk_image_pixel (out, x, y);
      gdouble acc[4] = { 0.0, 0.0, 0.0, 0.0 };

      disk_basis_interpolate_layer (basis, radius[p],
          angle ? angle[p] : 0.0, layer, samples);
      for (i = 0; i < n; i++) {
        samples[i].x *= sx;
        samples[i].y *= sy;
      }
      for (i = 0; i < n; i++)
        for (c = 0; c < channels; c++)
          acc[c] += samples[i].w * disk_image_sample_bilinear (in,
              (gdouble) x - samples[i].x, (gdouble) y - samples[i].y, c);
      for (c = 0; c < channels; c++)
        o[c] = (gfloat) acc[c];
    }
  }
}

/* Unscaled: a multiplication by 1.0f is exact, so this is the documented
 * per-pixel gather itself. */
void
disk_filter_varying_layer_rows (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  disk_filter_varying_layer_rows_scaled (basis, layer, radius, angle, 1.0, 1.0,
      in, out, y_begin, y_end);
}

void
disk_filter_varying (const DiskBasis * basis, const gfloat * radius,
    const gfloat * angle, const DiskImage * in, DiskImage * out)
{
  g_autoptr (DiskImage) a = disk_image_copy (in);
  g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
      in->channels);
  const DiskComplex *structure = basis->entries[0];
  guint l;

  g_return_if_fail (disk_image_same_shape (in, out));

  for (l = 0; l < structure->n_layers; l++) {
    DiskImage *swap;

    disk_filter_varying_layer_rows (basis, l, radius, angle, a, b, 0,
        in->height);
    swap = a;
    a = b;
    b = swap;
  }
  for (l = 0; l < in->height; l++)
    memcpy (disk_image_pixel (out, 0, l), disk_image_pixel (a, 0, l),
        sizeof (gfloat) * in->width * in->channels);
}

DiskImage *
disk_complex_impulse_response (const DiskComplex * complex, guint half_size)
{
  guint size = 2 * half_size + 1;
  g_autoptr (DiskImage) delta = disk_image_new (size, size, 1);
  DiskImage *response = disk_image_new (size, size, 1);

  disk_image_pixel (delta, half_size, half_size)[0] = 1.0f;
  disk_filter_uniform (complex, delta, response);
  return response;
}
