/* DISK core: dense convolution and edge extension (see disk-dense.h). */
#include "disk-dense.h"

#include <string.h>

void
disk_convolve_dense (const DiskImage * kernel, const DiskImage * in,
    DiskImage * out)
{
  const gint h = (gint) kernel->width / 2;
  const gint w = in->width, height = in->height;
  const guint channels = in->channels;
  g_autofree gdouble *acc = g_new (gdouble, (gsize) w * channels);
  gint x, y, dx, dy;
  guint c;

  g_return_if_fail (kernel->width == kernel->height && kernel->width % 2 == 1);
  g_return_if_fail (kernel->channels == 1);
  g_return_if_fail (disk_image_same_shape (in, out) && in != out);

  for (y = 0; y < height; y++) {
    gfloat *o = disk_image_pixel (out, 0, y);

    memset (acc, 0, sizeof (gdouble) * w * channels);
    for (dy = -h; dy <= h; dy++) {
      const gfloat *row = disk_image_pixel (in, 0, CLAMP (y - dy, 0,
              height - 1));
      const gfloat *krow = disk_image_pixel (kernel, 0, dy + h);

      for (dx = -h; dx <= h; dx++) {
        const gdouble k = krow[dx + h];

        if (k == 0.0)
          continue;
        for (x = 0; x < w; x++) {
          const gfloat *p = row + CLAMP (x - dx, 0, w - 1) * channels;
          for (c = 0; c < channels; c++)
            acc[x * channels + c] += k * p[c];
        }
      }
    }
    for (x = 0; x < w * (gint) channels; x++)
      o[x] = (gfloat) acc[x];
  }
}

DiskImage *
disk_image_extend (const DiskImage * image, guint border)
{
  DiskImage *grown = disk_image_new (image->width + 2 * border,
      image->height + 2 * border, image->channels);
  guint x, y;

  for (y = 0; y < grown->height; y++) {
    gint sy = CLAMP ((gint) y - (gint) border, 0, (gint) image->height - 1);
    for (x = 0; x < grown->width; x++) {
      gint sx = CLAMP ((gint) x - (gint) border, 0, (gint) image->width - 1);
      memcpy (disk_image_pixel (grown, x, y), disk_image_pixel (image, sx, sy),
          sizeof (gfloat) * image->channels);
    }
  }
  return grown;
}

DiskImage *
disk_image_crop (const DiskImage * image, guint border)
{
  DiskImage *inner;
  guint y;

  g_return_val_if_fail (image->width > 2 * border
      && image->height > 2 * border, NULL);

  inner = disk_image_new (image->width - 2 * border,
      image->height - 2 * border, image->channels);
  for (y = 0; y < inner->height; y++)
    memcpy (disk_image_pixel (inner, 0, y), disk_image_pixel (image, border,
            y + border), sizeof (gfloat) * inner->width * image->channels);
  return inner;
}
