/* DISK core: quality of a basis at any radius (see disk-quality.h). */
#include "disk-quality.h"

#include "disk-dense.h"
#include "disk-filter.h"
#include "disk-fit.h"
#include "disk-metrics.h"

#include <math.h>

gdouble
disk_basis_kernel_psnr (const DiskBasis * basis, const DiskTarget * target,
    gdouble radius)
{
  const guint half = disk_fit_canvas_half_size (radius);
  g_autoptr (DiskComplex) complex = disk_basis_new_complex (basis);
  g_autoptr (DiskImage) want = disk_target_render (target, radius, half);
  g_autoptr (DiskImage) got = NULL;

  disk_basis_interpolate (basis, radius, 0.0, complex);
  got = disk_complex_impulse_response (complex, half);
  return disk_kernel_psnr (want, got);
}

gdouble
disk_basis_image_psnr (const DiskBasis * basis, const DiskTarget * target,
    gdouble radius, const DiskImage * photo)
{
  g_autoptr (DiskComplex) complex = disk_basis_new_complex (basis);
  g_autoptr (DiskImage) kernel = NULL;
  g_autoptr (DiskImage) dense = disk_image_new (photo->width, photo->height,
      photo->channels);
  g_autoptr (DiskImage) grown = NULL;
  g_autoptr (DiskImage) filtered = NULL;
  g_autoptr (DiskImage) cropped = NULL;
  guint border;

  disk_basis_interpolate (basis, radius, 0.0, complex);
  border = (guint) ceil (disk_complex_reach (complex)) + 2;

  kernel = disk_target_render (target, radius, disk_target_half_size (radius));
  disk_convolve_dense (kernel, photo, dense);

  grown = disk_image_extend (photo, border);
  filtered = disk_image_new (grown->width, grown->height, grown->channels);
  disk_filter_uniform (complex, grown, filtered);
  cropped = disk_image_crop (filtered, border);
  return disk_image_psnr (dense, cropped, 1.0);
}
