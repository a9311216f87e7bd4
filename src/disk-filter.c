/* DISK core: the reference filter. Conventions and formulas in disk-filter.h
 * and disk-complex.h. Written for clarity first; it is also the fitting
 * forward model, so it must stay exactly the function that is documented. */
#include "disk-filter.h"

#include <math.h>
#include <string.h>

static inline gint
clamp_index (gint i, gint size)
{
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

/* Beyond one image size past an edge every read is the edge pixel, so a read
 * position can be limited there before it is turned into an integer: huge or
 * non-finite offsets then cost nothing and cannot overflow (NaN goes to -limit). */
static inline gdouble
limit_position (gdouble u, guint size)
{
  const gdouble limit = (gdouble) size + 2.0;

  return fmin (fmax (u, -limit), limit);
}

gfloat
disk_image_sample_bilinear (const DiskImage * image, gdouble u, gdouble v,
    guint c)
{
  gdouble fu, fv, ax, ay;
  gint x0, y0;

  u = limit_position (u, image->width);
  v = limit_position (v, image->height);
  fu = floor (u);
  fv = floor (v);
  ax = u - fu;
  ay = v - fv;
  x0 = (gint) fu, y0 = (gint) fv;
  gint xa = clamp_index (x0, image->width), xb = clamp_index (x0 + 1,
      image->width);
  gint ya = clamp_index (y0, image->height), yb = clamp_index (y0 + 1,
      image->height);
  gdouble p00 = disk_image_pixel (image, xa, ya)[c];
  gdouble p10 = disk_image_pixel (image, xb, ya)[c];
  gdouble p01 = disk_image_pixel (image, xa, yb)[c];
  gdouble p11 = disk_image_pixel (image, xb, yb)[c];

  return (gfloat) ((1.0 - ay) * ((1.0 - ax) * p00 + ax * p10)
      + ay * ((1.0 - ax) * p01 + ax * p11));
}

/* out(p) = sum_i w_i * bilinear(in, p - o_i). With a uniform layer the
 * fractional part of p - o_i is the same for every p, so the four bilinear
 * weights of a sample are computed once. */
void
disk_filter_layer_rows (const DiskSample * samples, guint n_samples,
    const DiskImage * in, DiskImage * out, guint y_begin, guint y_end)
{
  const gint width = in->width, height = in->height;
  const guint channels = in->channels;
  guint i;
  gint x, y;

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);

  for (y = y_begin; y < (gint) y_end; y++)
    memset (disk_image_pixel (out, 0, y), 0,
        sizeof (gfloat) * in->width * channels);
  for (i = 0; i < n_samples; i++) {
    gdouble u = limit_position (-(gdouble) samples[i].x, in->width);
    gdouble v = limit_position (-(gdouble) samples[i].y, in->height);
    gdouble fu = floor (u), fv = floor (v);
    gint dx = (gint) fu, dy = (gint) fv;
    gdouble ax = u - fu, ay = v - fv;
    gdouble w = samples[i].w;
    gfloat w00 = (gfloat) (w * (1.0 - ax) * (1.0 - ay));
    gfloat w10 = (gfloat) (w * ax * (1.0 - ay));
    gfloat w01 = (gfloat) (w * (1.0 - ax) * ay);
    gfloat w11 = (gfloat) (w * ax * ay);

    for (y = y_begin; y < (gint) y_end; y++) {
      const gfloat *ra = disk_image_pixel (in, 0, clamp_index (y + dy, height));
      const gfloat *rb = disk_image_pixel (in, 0,
          clamp_index (y + dy + 1, height));
      gfloat *o = disk_image_pixel (out, 0, y);

      for (x = 0; x < width; x++) {
        const guint xa = clamp_index (x + dx, width) * channels;
        const guint xb = clamp_index (x + dx + 1, width) * channels;
        guint c;

        for (c = 0; c < channels; c++)
          o[x * channels + c] += w00 * ra[xa + c] + w10 * ra[xb + c]
              + w01 * rb[xa + c] + w11 * rb[xb + c];
      }
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

/* One layer where every output pixel has its own samples. */
void
disk_filter_varying_layer_rows (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  const guint n = basis->entries[0]->n_samples[layer];
  const guint channels = in->channels;
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
      for (i = 0; i < n; i++)
        for (c = 0; c < channels; c++)
          acc[c] += samples[i].w * disk_image_sample_bilinear (in,
              (gdouble) x - samples[i].x, (gdouble) y - samples[i].y, c);
      for (c = 0; c < channels; c++)
        o[c] = (gfloat) acc[c];
    }
  }
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
