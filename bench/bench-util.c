/* Benchmark helpers (see bench-util.h). */
#include "bench-util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gdouble
bench_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gint
compare_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

gdouble
bench_median (const gdouble * values, guint n)
{
  g_autofree gdouble *copy = NULL;

  if (n == 0)
    return NAN;
  copy = g_memdup2 (values, sizeof (gdouble) * n);
  qsort (copy, n, sizeof (gdouble), compare_double);
  return n % 2 ? copy[n / 2] : 0.5 * (copy[n / 2 - 1] + copy[n / 2]);
}

gdouble
bench_time_ms (BenchFunc func, gpointer data, guint runs)
{
  g_autofree gdouble *times = g_new (gdouble, MAX (runs, 1));
  guint i;

  for (i = 0; i < MAX (runs, 1); i++) {
    gint64 start = g_get_monotonic_time ();
    func (data);
    times[i] = (g_get_monotonic_time () - start) / 1000.0;
  }
  return bench_median (times, MAX (runs, 1));
}

DiskImage *
bench_image_cover (const DiskImage * image, guint width, guint height)
{
  DiskImage *out = disk_image_new (width, height, image->channels);
  gdouble scale = fmin ((gdouble) image->width / width,
      (gdouble) image->height / height);
  gdouble ox = (image->width - width * scale) / 2.0;
  gdouble oy = (image->height - height * scale) / 2.0;
  guint x, y, c;

  for (y = 0; y < height; y++) {
    gdouble v = oy + (y + 0.5) * scale - 0.5;
    gint y0 = (gint) floor (v);
    gdouble ay = v - y0;
    guint ya = CLAMP (y0, 0, (gint) image->height - 1);
    guint yb = CLAMP (y0 + 1, 0, (gint) image->height - 1);

    for (x = 0; x < width; x++) {
      gdouble u = ox + (x + 0.5) * scale - 0.5;
      gint x0 = (gint) floor (u);
      gdouble ax = u - x0;
      guint xa = CLAMP (x0, 0, (gint) image->width - 1);
      guint xb = CLAMP (x0 + 1, 0, (gint) image->width - 1);
      gfloat *o = disk_image_pixel (out, x, y);

      for (c = 0; c < image->channels; c++)
        o[c] = (gfloat) ((1 - ay) * ((1 - ax) * disk_image_pixel (image, xa,
                    ya)[c] + ax * disk_image_pixel (image, xb, ya)[c])
            + ay * ((1 - ax) * disk_image_pixel (image, xa, yb)[c]
                + ax * disk_image_pixel (image, xb, yb)[c]));
    }
  }
  return out;
}

DiskImage *
bench_image_pad (const DiskImage * image, guint pad)
{
  DiskImage *out = disk_image_new (image->width + 2 * pad,
      image->height + 2 * pad, image->channels);
  const guint ch = image->channels;
  guint x, y;

  for (y = 0; y < out->height; y++) {
    gint sy = CLAMP ((gint) y - (gint) pad, 0, (gint) image->height - 1);
    const gfloat *src = disk_image_pixel (image, 0, sy);
    gfloat *dst = disk_image_pixel (out, 0, y);

    for (x = 0; x < pad; x++)
      memcpy (dst + x * ch, src, sizeof (gfloat) * ch);
    memcpy (dst + pad * ch, src, sizeof (gfloat) * ch * image->width);
    for (x = pad + image->width; x < out->width; x++)
      memcpy (dst + x * ch, src + (image->width - 1) * ch,
          sizeof (gfloat) * ch);
  }
  return out;
}

DiskImage *
bench_image_crop (const DiskImage * image, guint x0, guint y0, guint width,
    guint height)
{
  DiskImage *out = disk_image_new (width, height, image->channels);
  guint y;

  g_return_val_if_fail (x0 + width <= image->width
      && y0 + height <= image->height, out);
  for (y = 0; y < height; y++)
    memcpy (disk_image_pixel (out, 0, y), disk_image_pixel (image, x0, y0 + y),
        sizeof (gfloat) * width * image->channels);
  return out;
}

gdouble
bench_psnr_masked (const DiskImage * a, const DiskImage * b,
    const guint8 * mask)
{
  gdouble sum = 0.0;
  guint64 count = 0;
  guint x, y, c;

  g_return_val_if_fail (disk_image_same_shape (a, b), NAN);
  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width; x++) {
      const gfloat *pa, *pb;

      if (mask && !mask[(gsize) y * a->width + x])
        continue;
      pa = disk_image_pixel (a, x, y);
      pb = disk_image_pixel (b, x, y);
      for (c = 0; c < a->channels; c++) {
        gdouble d = (gdouble) pa[c] - pb[c];
        sum += d * d;
      }
      count += a->channels;
    }
  if (count == 0)
    return NAN;
  if (sum == 0.0)
    return INFINITY;
  return 10.0 * log10 (count / sum);
}

guint
bench_fft_size (guint size)
{
  guint n;

  for (n = MAX (size, 1);; n++) {
    guint m = n;
    while (m % 2 == 0)
      m /= 2;
    while (m % 3 == 0)
      m /= 3;
    while (m % 5 == 0)
      m /= 5;
    while (m % 7 == 0)
      m /= 7;
    if (m == 1)
      return n;
  }
}

/* g_file_set_contents () already writes a temporary file and renames it. */
gboolean
bench_write_file (const gchar * path, const gchar * text, GError ** error)
{
  return g_file_set_contents (path, text, -1, error);
}
