/* DISK core: quality metrics (formulas in disk-metrics.h). */
#include "disk-metrics.h"

#include <math.h>

gdouble
disk_mse (const DiskImage * a, const DiskImage * b)
{
  gdouble sum = 0.0;
  guint x, y;

  g_return_val_if_fail (disk_image_same_shape (a, b), NAN);

  for (y = 0; y < a->height; y++) {
    const gfloat *ra = disk_image_pixel (a, 0, y);
    const gfloat *rb = disk_image_pixel (b, 0, y);
    for (x = 0; x < a->width * a->channels; x++) {
      gdouble d = (gdouble) ra[x] - rb[x];
      sum += d * d;
    }
  }
  return sum / ((gdouble) a->width * a->height * a->channels);
}

static gdouble
psnr (gdouble peak, gdouble mse)
{
  if (mse == 0.0)
    return INFINITY;
  return 10.0 * log10 (peak * peak / mse);
}

gdouble
disk_kernel_psnr (const DiskImage * target, const DiskImage * fitted)
{
  gdouble peak = 0.0;
  guint x, y;

  for (y = 0; y < target->height; y++) {
    const gfloat *row = disk_image_pixel (target, 0, y);
    for (x = 0; x < target->width * target->channels; x++)
      peak = MAX (peak, row[x]);
  }
  return psnr (peak, disk_mse (target, fitted));
}

gdouble
disk_image_psnr (const DiskImage * a, const DiskImage * b, gdouble peak)
{
  return psnr (peak, disk_mse (a, b));
}
